/**
 * The HTTP exchange the client needs, and nothing more: send one request,
 * get the status, the headers and the whole body as text, within a deadline.
 *
 * Every transport gives the same guarantees, whatever the server does: the
 * deadline covers connection to last body byte; the body is counted as it
 * arrives (after content decoding) and the transfer is stopped past
 * `maxResponseBytes`; redirects are never followed (the signed query must
 * not reach another host); and every failure arrives as a typed error.
 *
 * Why not `@effect/platform`'s `HttpClient` directly: on this API's hot path
 * its general machinery (streaming bodies, cookies, a fiber race per timeout)
 * measured ~0.1 ms per call on Node — a third of the whole call — and ~19 KiB
 * gzipped in an edge bundle. Each runtime provides the leanest transport it
 * has (`fetch` here, undici in `@iot-ota/node`); any `HttpClient` still plugs
 * in through `HttpClientTransport`.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { HttpError, TimeoutError, TransportError } from "./IotError.js"

/**
 * The largest response body accepted by default: 16 MiB, far above a real
 * page (100 tasks are ~40 KB), far below what would hurt a small runtime.
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import { DEFAULT_MAX_RESPONSE_BYTES } from "@iot-ota/core/Transport"
 *
 * DEFAULT_MAX_RESPONSE_BYTES // 16777216
 * ```
 */
export const DEFAULT_MAX_RESPONSE_BYTES: number = 16 * 1024 * 1024

/**
 * One request to send: the signed URL and headers, the attempt's deadline and
 * the largest body to accept.
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import * as Transport from "@iot-ota/core/Transport"
 *
 * const request: Transport.TransportRequest = {
 *   method: "GET",
 *   url: "http://127.0.0.1:8080/?Action=ListOTATaskByJob",
 *   headers: { accept: "application/json" },
 *   timeoutMs: 5_000,
 *   maxResponseBytes: Transport.DEFAULT_MAX_RESPONSE_BYTES
 * }
 * const response = await Effect.runPromise(Transport.makeFetch().send(request))
 * ```
 */
export interface TransportRequest {
  readonly method: "GET"
  /** Absolute URL, query included, already encoded. */
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  /** The whole exchange, connection to last body byte, must finish within this. */
  readonly timeoutMs: number
  /**
   * The largest body accepted, in bytes after content decoding (a gzip body
   * is counted inflated). Past it the transfer is stopped and the exchange
   * fails with a non-retryable `HttpError`.
   */
  readonly maxResponseBytes: number
  /**
   * Called once the request has been written to the connection (handed to
   * the operating system), by a transport whose `reportsSent` is true; the
   * rate limiter spaces requests from that moment. Others ignore it.
   */
  readonly onSent?: (() => void) | undefined
}

/**
 * What came back, whatever the status: classifying it is the client's job.
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import type { TransportResponse } from "@iot-ota/core/Transport"
 *
 * // An unknown job, as the API reports it: HTTP 200 with `Success: false`.
 * const notFound: TransportResponse = {
 *   status: 200,
 *   header: (name) => (name === "content-type" ? "application/json" : undefined),
 *   body: JSON.stringify({
 *     RequestId: "req-1",
 *     Success: false,
 *     Code: "iot.ota.NotExistedJob",
 *     ErrorMessage: "The specified update batch does not exist."
 *   })
 * }
 * ```
 */
export interface TransportResponse {
  readonly status: number
  /** A response header by lower-case name. */
  readonly header: (name: string) => string | undefined
  readonly body: string
}

/**
 * Sends one request. Implementations fail only with `TransportError`,
 * `TimeoutError`, or an `HttpError` for what must not be read further: a
 * redirect (never followed) or a body over `maxResponseBytes`. Any other
 * HTTP status is a response like any other.
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import { Duration, Effect } from "effect"
 * import type { TransportService } from "@iot-ota/core/Transport"
 *
 * // Logs each exchange's status and duration (not its URL: the query holds the signature).
 * const timed = (transport: TransportService): TransportService => ({
 *   send: (request) =>
 *     Effect.timed(transport.send(request)).pipe(
 *       Effect.tap(([duration, response]) =>
 *         Effect.logDebug(`HTTP ${response.status} in ${Duration.toMillis(duration)} ms`)
 *       ),
 *       Effect.map(([, response]) => response)
 *     )
 * })
 * ```
 */
export interface TransportService {
  /** Interrupting the effect aborts the request. */
  readonly send: (
    request: TransportRequest
  ) => Effect.Effect<TransportResponse, TransportError | TimeoutError | HttpError>
  /**
   * True when `send` calls the request's `onSent` once the request is
   * written (it must then call it for every request written). Without it,
   * the client counts a request as sent when it hands it to `send`.
   */
  readonly reportsSent?: boolean | undefined
}

/**
 * The HTTP transport as a service: {@link layerFetch} here, `UndiciTransport`
 * in `@iot-ota/node`, any `HttpClient` through `HttpClientTransport`.
 *
 * @since 0.1.0
 * @category tags
 * @example
 * ```ts
 * import { Effect, Layer } from "effect"
 * import * as OtaClient from "@iot-ota/core/OtaClient"
 * import * as Transport from "@iot-ota/core/Transport"
 *
 * // A client whose every request gets the same canned answer, for tests.
 * const stub: Transport.TransportService = {
 *   send: () => Effect.succeed({ status: 503, header: () => undefined, body: "Service Unavailable" })
 * }
 * const TestClient = OtaClient.layer.pipe(Layer.provide(Layer.succeed(Transport.Transport, stub)))
 * ```
 */
export class Transport extends Context.Tag("@iot-ota/core/Transport")<Transport, TransportService>() {}

const hostOf = (url: string): string => {
  const start = url.indexOf("//") + 2
  const end = url.indexOf("/", start)
  return url.slice(start, end === -1 ? undefined : end)
}

/**
 * The error for an exchange that missed its deadline.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { type TransportRequest, type TransportResponse, timeoutError } from "@iot-ota/core/Transport"
 *
 * // In a custom transport: the deadline, reported the way the client expects.
 * declare const exchange: (request: TransportRequest) => Effect.Effect<TransportResponse>
 * const send = (request: TransportRequest) =>
 *   exchange(request).pipe(
 *     Effect.timeoutFail({ duration: request.timeoutMs, onTimeout: () => timeoutError(request) })
 *   )
 * ```
 */
export const timeoutError = (request: TransportRequest): TimeoutError =>
  new TimeoutError({
    timeoutMs: request.timeoutMs,
    message: `no complete response from ${hostOf(request.url)} within ${request.timeoutMs} ms`
  })

/**
 * The error for an exchange that failed on the network. It names the host,
 * never the URL: the query holds the signature.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { type TransportRequest, type TransportResponse, transportError } from "@iot-ota/core/Transport"
 *
 * // In a custom transport over a Promise-based HTTP library.
 * declare const httpGet: (request: TransportRequest) => Promise<TransportResponse>
 * const send = (request: TransportRequest) =>
 *   Effect.tryPromise({ try: () => httpGet(request), catch: (cause) => transportError(request, cause) })
 * ```
 */
export const transportError = (request: TransportRequest, cause: unknown): TransportError =>
  new TransportError({ message: `request to ${hostOf(request.url)} failed: ${describeCause(cause)}` })

/**
 * A short description of a network error and its cause chain
 * (`fetch failed (connect ECONNREFUSED 127.0.0.1:1)`).
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { describeCause } from "@iot-ota/core/Transport"
 *
 * const cause = new TypeError("fetch failed", { cause: new Error("getaddrinfo ENOTFOUND iot.example") })
 * describeCause(cause) // "fetch failed (getaddrinfo ENOTFOUND iot.example)"
 * ```
 */
export const describeCause = (cause: unknown): string => {
  const parts: Array<string> = []
  let current: unknown = cause
  for (let depth = 0; depth < 3 && current !== undefined && current !== null; depth++) {
    if (current instanceof Error) {
      const code = (current as { code?: unknown }).code
      parts.push(
        typeof code === "string" && !current.message.includes(code)
          ? `${current.message} [${code}]`
          : current.message
      )
      current = (current as { cause?: unknown }).cause
    } else {
      parts.push(String(current))
      break
    }
  }
  return parts.join(" (") + ")".repeat(Math.max(0, parts.length - 1))
}

/**
 * The error for a body over `maxResponseBytes`, counted or declared in
 * `content-length`. Not retryable: the same server sends the same body.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { type TransportRequest, responseTooLargeError } from "@iot-ota/core/Transport"
 *
 * declare const request: TransportRequest
 * responseTooLargeError(request, 200).message
 * // "the response from iot.cn-shanghai.aliyuncs.com exceeded 16777216 bytes (maxResponseBytes); the transfer was stopped"
 * ```
 */
export const responseTooLargeError = (
  request: TransportRequest,
  status: number,
  declaredLength?: number
): HttpError =>
  new HttpError({
    httpStatus: status,
    excerpt: "",
    message: `the response from ${hostOf(request.url)} exceeded ${request.maxResponseBytes} bytes (maxResponseBytes)${declaredLength === undefined ? "" : `: its content-length is ${declaredLength}`}; the transfer was stopped`,
    retryable: false
  })

const targetHost = (request: TransportRequest, location: string | undefined): string => {
  if (location === undefined || location === "") return "a missing Location"
  try {
    // The host only: the target's query may carry our signed parameters.
    const host = new URL(location, request.url).host
    return host === "" ? "a Location without a host" : host
  } catch {
    return "an unparsable Location"
  }
}

/**
 * The error for a redirect, which no transport follows: with HMAC-SHA1 the
 * whole signed query (key id, signature, nonce) would reach the other host,
 * which could replay it. It names the status and the target's host, never
 * the target URL. A `status` of 0 is an opaque redirect (browsers), whose
 * target is hidden.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { type TransportRequest, redirectError } from "@iot-ota/core/Transport"
 *
 * declare const request: TransportRequest
 * redirectError(request, 302, "https://elsewhere.example/?Signature=...").message
 * // "HTTP 302 redirect to elsewhere.example not followed: ..."
 * ```
 */
export const redirectError = (
  request: TransportRequest,
  status: number,
  location: string | undefined
): HttpError =>
  new HttpError({
    httpStatus: status,
    excerpt: "",
    message: `${status === 0 ? "HTTP redirect (target hidden by the runtime)" : `HTTP ${status} redirect to ${targetHost(request, location)}`} not followed: the client never follows redirects, so a signed request reaches no other host; check the endpoint (scheme and host)`,
    retryable: false
  })

/**
 * Checks a response's status and headers before its body is read: a
 * redirect (3xx, or status 0 for an opaque redirect) or a `content-length`
 * over `maxResponseBytes` is an error, and the transport stops the transfer.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { type TransportRequest, checkHead } from "@iot-ota/core/Transport"
 *
 * declare const request: TransportRequest
 * declare const response: Response // from fetch(url, { redirect: "manual" })
 * const refused = checkHead(request, response.status, (name) => response.headers.get(name) ?? undefined)
 * if (refused !== undefined) await response.body?.cancel()
 * ```
 */
export const checkHead = (
  request: TransportRequest,
  status: number,
  header: (name: string) => string | undefined
): HttpError | undefined => {
  if (status === 0 || (status >= 300 && status < 400))
    return redirectError(request, status, header("location"))
  const length = header("content-length")
  if (length !== undefined && /^\s*\d+\s*$/.test(length)) {
    const declared = Number(length)
    if (declared > request.maxResponseBytes) return responseTooLargeError(request, status, declared)
  }
  return undefined
}

/**
 * A response body collected chunk by chunk: counted, and decoded as UTF-8
 * as it arrives, so no buffer or string larger than the limit is ever made.
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import { makeBodyCollector } from "@iot-ota/core/Transport"
 *
 * const body = makeBodyCollector(8)
 * body.push(new TextEncoder().encode("caf\u00e9")) // true: 5 bytes so far
 * body.finish() // "café"
 * ```
 */
export interface BodyCollector {
  /** Adds the next chunk; `false` once the total passes the limit (stop reading, the body is refused). */
  readonly push: (chunk: Uint8Array) => boolean
  /** The body as text; call once, after the last chunk. */
  readonly finish: () => string
}

/**
 * A {@link BodyCollector} that accepts up to `maxResponseBytes` bytes.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { type TransportRequest, makeBodyCollector, responseTooLargeError } from "@iot-ota/core/Transport"
 *
 * // In a custom transport, for each chunk received:
 * declare const request: TransportRequest
 * declare const chunks: ReadonlyArray<Uint8Array>
 * const body = makeBodyCollector(request.maxResponseBytes)
 * const text = chunks.every(body.push) ? body.finish() : responseTooLargeError(request, 200)
 * ```
 */
export const makeBodyCollector = (maxResponseBytes: number): BodyCollector => {
  // One decoder in streaming mode: a character split across chunks is decoded whole.
  const decoder = new TextDecoder()
  let parts: Array<string> = []
  let size = 0
  return {
    push: (chunk) => {
      size += chunk.byteLength
      if (size > maxResponseBytes) return false
      parts.push(decoder.decode(chunk, { stream: true }))
      return true
    },
    finish: () => {
      parts.push(decoder.decode())
      const text = parts.length === 1 ? parts[0]! : parts.join("")
      parts = []
      return text
    }
  }
}

/**
 * An exchange with the outside world that can be stopped, for transports:
 * what `Effect.async` with a canceler does, except that a settled exchange
 * keeps nothing of the calling fiber reachable.
 *
 * `start` begins the exchange and returns how to stop it; it calls `settle`
 * once with the outcome (later calls are ignored). On interruption before
 * that, the stop function runs and the outcome is dropped.
 *
 * Why not a canceler: `Effect.async`'s canceler shares a closure scope with
 * the fiber's resume callback, and its interruption handler outlived each
 * call in V8's young generation, so every finished call's fiber (2-4 KB)
 * was promoted to the old generation. Measured on 100-task pages from the
 * emulator: 3.9 KB promoted per call and a major GC every ~1,500 calls with
 * a canceler; 0.2 KB and none with this.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import * as Transport from "@iot-ota/core/Transport"
 *
 * // A response after 10 ms, unless the fiber is interrupted first.
 * const later = Transport.exchange<string, never>((settle) => {
 *   const timer = setTimeout(() => settle(Effect.succeed("done")), 10)
 *   return () => clearTimeout(timer)
 * })
 * await Effect.runPromise(later) // "done"
 * ```
 */
export const exchange = <A, E>(
  start: (settle: (outcome: Effect.Effect<A, E>) => void) => () => void
): Effect.Effect<A, E> =>
  Effect.suspend(() => {
    // Both are dropped once the exchange settles or is stopped.
    let resume: ((outcome: Effect.Effect<A, E>) => void) | undefined
    let stop: (() => void) | undefined
    return Effect.onInterrupt(
      Effect.async<A, E>((callback) => {
        resume = callback
        const stopper = start((outcome) => {
          const settled = resume
          resume = undefined
          stop = undefined
          settled?.(outcome)
        })
        if (resume !== undefined) stop = stopper
      }),
      () =>
        Effect.sync(() => {
          const stopper = stop
          resume = undefined
          stop = undefined
          stopper?.()
        })
    )
  })

/**
 * Reads a body into `collector`; `false` when it passed the limit (the
 * caller then aborts the transfer).
 */
const readBody = async (
  body: ReadableStream<Uint8Array> | null,
  collector: BodyCollector
): Promise<boolean> => {
  if (body === null) return true
  const reader = body.getReader()
  for (;;) {
    const chunk = await reader.read()
    if (chunk.done) return true
    if (!collector.push(chunk.value)) return false
  }
}

/**
 * A transport over the WHATWG `fetch`: Deno, Workers, Bun, browsers and
 * Node. One `AbortController` per request carries the deadline, interruption
 * and a refused response (redirect, body too large). Redirects are not
 * followed (`redirect: "manual"`): Node and workerd hand back the 3xx itself,
 * browsers an opaque redirect (status 0); both are an `HttpError`.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import * as Transport from "@iot-ota/core/Transport"
 * const transport = Transport.makeFetch(globalThis.fetch)
 * ```
 */
export const makeFetch = (
  // Called through the global object: browsers throw "Illegal invocation" on a detached `fetch`.
  fetchImpl: typeof globalThis.fetch = (input, init) => globalThis.fetch(input, init)
): TransportService => ({
  send: (request) =>
    exchange<TransportResponse, TransportError | TimeoutError | HttpError>((settle) => {
      const controller = new AbortController()
      const stop = (): void => {
        clearTimeout(timer)
        controller.abort()
      }
      // Settles first: the abort then makes the pending read fail, and that later outcome is dropped.
      const fail = (error: TransportError | TimeoutError | HttpError): void => {
        settle(Effect.fail(error))
        stop()
      }
      // The deadline settles by itself, so a `fetch` that ignores its signal cannot hold the call.
      const timer = setTimeout(() => fail(timeoutError(request)), request.timeoutMs)
      fetchImpl(request.url, {
        method: request.method,
        headers: request.headers,
        redirect: "manual",
        signal: controller.signal
      })
        .then((response) => {
          const refused = checkHead(
            request,
            response.status,
            (name) => response.headers.get(name) ?? undefined
          )
          if (refused !== undefined) return fail(refused)
          const collector = makeBodyCollector(request.maxResponseBytes)
          return readBody(response.body, collector).then((complete) => {
            if (!complete) return fail(responseTooLargeError(request, response.status))
            clearTimeout(timer)
            const body = collector.finish()
            settle(
              Effect.succeed({
                status: response.status,
                header: (name) => response.headers.get(name) ?? undefined,
                body
              })
            )
          })
        })
        .catch((cause: unknown) => fail(transportError(request, cause)))
      return stop
    })
})

/**
 * The `fetch` transport over the global `fetch`: the one to use on Deno,
 * Bun, Workers and in browsers.
 *
 * @since 0.1.0
 * @category layers
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import * as ClientConfig from "@iot-ota/core/ClientConfig"
 * import * as Credentials from "@iot-ota/core/Credentials"
 * import * as OtaClient from "@iot-ota/core/OtaClient"
 * import * as Transport from "@iot-ota/core/Transport"
 *
 * declare const env: Record<string, unknown> // e.g. a Worker's bindings
 * const ClientLive = OtaClient.layer.pipe(
 *   Layer.provide(Transport.layerFetch),
 *   Layer.provide(Layer.effect(Credentials.Credentials, Credentials.fromRecord(env))),
 *   Layer.provide(ClientConfig.layer({ endpoint: "https://iot.cn-shanghai.aliyuncs.com" }))
 * )
 * ```
 */
export const layerFetch: Layer.Layer<Transport> = Layer.sync(Transport, () => makeFetch())
