/**
 * The Node transport: `node:http` (and `node:https`, loaded on the first
 * https request) over keep-alive agents, one per client. It is the default of
 * `@iot-ota/node`.
 *
 * Why `node:http` rather than undici: `node:http` is part of Node, so it
 * costs ~4 ms to load where the undici package costs 70-100 ms, most of a
 * short-lived process's start; per call, warm, it costs the main thread
 * ~10-15 µs more than undici's `dispatch`, which is ~5% of a call from a
 * loopback server and nothing next to a real endpoint's latency (figures
 * in the repository's `bench/README.md`). `UndiciTransport` remains for
 * callers who want an undici dispatcher (a proxy, for instance).
 *
 * What every exchange guarantees: one deadline, a single timer, covers the
 * connection, the request and every byte of the body; a body over
 * `maxResponseBytes` (announced or counted) is aborted and fails with a
 * non-retryable `HttpError`; redirects are never followed (a 3xx fails with
 * a non-retryable `HttpError`: the signed query must not travel to another
 * host); and every failure while reading settles the exchange.
 *
 * @since 0.1.0
 */
import { Agent, type ClientRequest, request as httpRequest, type IncomingMessage } from "node:http"
import { createRequire } from "node:module"
import { HttpError, type TimeoutError, type TransportError } from "@iot-ota/core/IotError"
import {
  exchange,
  Transport,
  type TransportRequest,
  type TransportResponse,
  type TransportService,
  timeoutError,
  transportError
} from "@iot-ota/core/Transport"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"

type Outcome = Effect.Effect<TransportResponse, TransportError | TimeoutError | HttpError>
type Settle = (outcome: Outcome) => void
type Request = typeof httpRequest

/**
 * Options of {@link make}.
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import * as NodeHttpTransport from "@iot-ota/node/NodeHttpTransport"
 *
 * // Idle connections closed after 4 s, at most 8 connections per host.
 * const options: NodeHttpTransport.NodeHttpTransportOptions = { keepAliveTimeoutMs: 4_000, maxSockets: 8 }
 * const TransportLive = NodeHttpTransport.layerWith(options)
 * ```
 */
export interface NodeHttpTransportOptions {
  /**
   * How long an idle connection is kept for the next request, default
   * 10,000 ms (shortened to a server's `Keep-Alive: timeout` hint, minus a
   * second, when it announces one).
   */
  readonly keepAliveTimeoutMs?: number | undefined
  /** Connections per host at most, default unlimited (the client's own concurrency bounds them). */
  readonly maxSockets?: number | undefined
}

/** The part of a URL the agent is chosen by, parsed once per origin. */
interface Target {
  readonly origin: string
  readonly secure: boolean
  readonly hostname: string
  readonly port: number
}

const parseTarget = (url: URL): Target => {
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new TypeError(`unsupported protocol ${url.protocol}`)
  }
  const secure = url.protocol === "https:"
  return {
    origin: url.origin,
    secure,
    // `[::1]` is written with brackets in a URL, without them for a socket.
    hostname: url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname,
    port: url.port === "" ? (secure ? 443 : 80) : Number(url.port)
  }
}

const isRedirect = (status: number): boolean => status >= 300 && status < 400

const tooLarge = (request: TransportRequest, status: number, detail: string): HttpError =>
  new HttpError({
    message: `the response exceeded ${request.maxResponseBytes} bytes (${detail}); the transfer was aborted`,
    httpStatus: status,
    excerpt: "",
    retryable: false
  })

const onDeadline = (exchange: Exchange): void => exchange.deadline()

/**
 * One request and its response. It settles exactly once: with the response,
 * a transport error, an `HttpError` or a timeout — or not at all once
 * interrupted.
 */
class Exchange {
  readonly #request: TransportRequest
  readonly #settle: Settle
  #timer: ReturnType<typeof setTimeout> | undefined
  #req: ClientRequest | undefined
  #settled = false
  #status = 0
  #chunks: Array<Buffer> = []
  #length = 0

  constructor(request: TransportRequest, settle: Settle) {
    this.#request = request
    this.#settle = settle
    this.#timer = setTimeout(onDeadline, request.timeoutMs, this)
  }

  start(send: Request, target: Target, path: string, agent: Agent): void {
    const req = send(
      {
        agent,
        hostname: target.hostname,
        port: target.port,
        path,
        method: this.#request.method,
        headers: this.#request.headers
      },
      (res) => this.#onResponse(res)
    )
    this.#req = req
    req.on("error", (cause) => this.#fail(Effect.fail(transportError(this.#request, cause))))
    // "finish": the request is written to the socket (after connecting, if it had to).
    const onSent = this.#request.onSent
    if (onSent !== undefined) req.once("finish", onSent)
    req.end()
  }

  /** The deadline passed: fail now, and stop the request (even one still waiting for a connection). */
  deadline(): void {
    this.#timer = undefined
    if (this.#settled) return
    this.#settled = true
    this.#release()
    this.#req?.destroy()
    this.#settle(Effect.fail(timeoutError(this.#request)))
  }

  /** Interruption: stop the request, and never settle. */
  interrupt(): void {
    this.#settled = true
    this.#clearTimer()
    this.#release()
    this.#req?.destroy()
  }

  failed(cause: unknown): void {
    this.#fail(Effect.fail(transportError(this.#request, cause)))
  }

  /** Settles with a failure and stops the transfer (the socket is not reused). */
  #fail(outcome: Outcome): void {
    if (this.#settled) return
    this.#settled = true
    this.#clearTimer()
    this.#release()
    this.#req?.destroy()
    this.#settle(outcome)
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer)
      this.#timer = undefined
    }
  }

  #release(): void {
    this.#chunks = []
    this.#length = 0
  }

  #onResponse(res: IncomingMessage): void {
    const status = res.statusCode ?? 0
    this.#status = status
    if (isRedirect(status)) {
      const location = res.headers.location
      let to = ""
      try {
        if (location !== undefined) to = ` to ${new URL(location, this.#request.url).host}`
      } catch {
        // An unparsable Location: the redirect is refused all the same.
      }
      this.#fail(
        Effect.fail(
          new HttpError({
            message: `HTTP ${status}: a redirect${to}, not followed (a signed request is never sent to another address)`,
            httpStatus: status,
            excerpt: "",
            retryable: false
          })
        )
      )
      return
    }
    const announced = res.headers["content-length"]
    if (announced !== undefined && Number(announced) > this.#request.maxResponseBytes) {
      this.#fail(Effect.fail(tooLarge(this.#request, status, `Content-Length ${announced}`)))
      return
    }
    res.on("data", (chunk: Buffer) => {
      if (this.#settled) return
      const length = this.#length + chunk.length
      if (length > this.#request.maxResponseBytes) {
        this.#fail(Effect.fail(tooLarge(this.#request, status, `${length} bytes received`)))
        return
      }
      this.#length = length
      this.#chunks.push(chunk)
    })
    res.on("end", () => this.#onEnd(res))
    res.on("error", (cause) => this.failed(cause))
    // A connection closed mid-body ends with "close" and no "end" (and not always an "error").
    res.on("close", () => {
      if (!res.complete) this.failed(new Error("the connection closed before the response ended"))
    })
  }

  #onEnd(res: IncomingMessage): void {
    if (this.#settled) return
    this.#settled = true
    this.#clearTimer()
    const chunks = this.#chunks
    const length = this.#length
    this.#release()
    let body: string
    try {
      body =
        chunks.length === 1 ? chunks[0]!.toString("utf8") : Buffer.concat(chunks, length).toString("utf8")
    } catch (cause) {
      // Only a limit far above the default gets here (V8's longest string is ~512 MiB).
      this.#settle(Effect.fail(transportError(this.#request, cause)))
      return
    }
    const headers = res.headers
    this.#settle(
      Effect.succeed({
        status: this.#status,
        header: (name: string) => {
          const value = headers[name]
          return Array.isArray(value) ? value.join(", ") : value
        },
        body
      })
    )
  }
}

/** The agents of one transport, and the origin it last sent to. */
class Agents {
  readonly #options: ConstructorParameters<typeof Agent>[0]
  #http: Agent | undefined
  #https: { readonly request: Request; readonly agent: Agent } | undefined
  #last: Target | undefined

  constructor(options: NodeHttpTransportOptions) {
    this.#options = {
      keepAlive: true,
      timeout: options.keepAliveTimeoutMs ?? 10_000,
      ...(options.maxSockets === undefined ? {} : { maxSockets: options.maxSockets }),
      scheduling: "lifo"
    }
  }

  /** The target and path of `url`, parsing only a URL of an origin not seen last. */
  route(url: string): { readonly target: Target; readonly path: string } {
    const last = this.#last
    if (last !== undefined && url.startsWith(last.origin)) {
      const next = url.charCodeAt(last.origin.length)
      if (next === 47 /* / */) return { target: last, path: url.slice(last.origin.length) }
      if (next === 63 /* ? */) return { target: last, path: "/" + url.slice(last.origin.length) }
    }
    const parsed = new URL(url)
    const target = parseTarget(parsed)
    this.#last = target
    return { target, path: parsed.pathname + parsed.search }
  }

  start(exchange: Exchange, url: string): void {
    const { target, path } = this.route(url)
    if (target.secure) {
      if (this.#https === undefined) {
        // `node:https` loads TLS (~2 ms): only once a request needs it (the emulator is plain http).
        const https = createRequire(import.meta.url)("node:https") as typeof import("node:https")
        this.#https = { request: https.request, agent: new https.Agent(this.#options) }
      }
      exchange.start(this.#https.request, target, path, this.#https.agent)
    } else {
      this.#http ??= new Agent(this.#options)
      exchange.start(httpRequest, target, path, this.#http)
    }
  }

  destroy(): void {
    this.#http?.destroy()
    this.#https?.agent.destroy()
  }
}

const transportOf = (agents: Agents): TransportService => ({
  reportsSent: true,
  send: (request) =>
    exchange((settle) => {
      const call = new Exchange(request, settle)
      try {
        agents.start(call, request.url)
      } catch (cause) {
        // A URL that does not parse, a header Node refuses.
        call.failed(cause)
      }
      return () => call.interrupt()
    })
})

/**
 * A transport over its own keep-alive agents, which are destroyed (with
 * their connections) when the scope closes.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { DEFAULT_MAX_RESPONSE_BYTES } from "@iot-ota/core/Transport"
 * import * as NodeHttpTransport from "@iot-ota/node/NodeHttpTransport"
 *
 * const status = Effect.scoped(
 *   Effect.flatMap(NodeHttpTransport.make(), (transport) =>
 *     transport.send({
 *       method: "GET",
 *       url: "http://127.0.0.1:8080/",
 *       headers: {},
 *       timeoutMs: 5_000,
 *       maxResponseBytes: DEFAULT_MAX_RESPONSE_BYTES
 *     })
 *   )
 * ).pipe(Effect.map((response) => response.status))
 * ```
 */
export const make = (
  options: NodeHttpTransportOptions = {}
): Effect.Effect<TransportService, never, Scope.Scope> =>
  Effect.map(
    Effect.acquireRelease(
      Effect.sync(() => new Agents(options)),
      (agents) => Effect.sync(() => agents.destroy())
    ),
    transportOf
  )

/**
 * {@link make} with options, as the `Transport` layer.
 *
 * @since 0.1.0
 * @category layers
 * @example
 * ```ts
 * import * as ClientConfig from "@iot-ota/core/ClientConfig"
 * import * as Credentials from "@iot-ota/core/Credentials"
 * import * as OtaClient from "@iot-ota/core/OtaClient"
 * import * as NodeHttpTransport from "@iot-ota/node/NodeHttpTransport"
 * import { Layer } from "effect"
 *
 * const ClientLive = OtaClient.layer.pipe(
 *   Layer.provide(
 *     Layer.mergeAll(
 *       NodeHttpTransport.layerWith({ keepAliveTimeoutMs: 4_000 }),
 *       Credentials.layerConfig,
 *       ClientConfig.layerConfig()
 *     )
 *   )
 * )
 * ```
 */
export const layerWith = (options: NodeHttpTransportOptions): Layer.Layer<Transport> =>
  Layer.scoped(Transport, make(options))

/**
 * The default Node transport as a layer (keep-alive, 10 s idle timeout).
 * The client layers of this package already include it.
 *
 * @since 0.1.0
 * @category layers
 * @example
 * ```ts
 * import * as ClientConfig from "@iot-ota/core/ClientConfig"
 * import * as Credentials from "@iot-ota/core/Credentials"
 * import * as OtaClient from "@iot-ota/core/OtaClient"
 * import * as NodeHttpTransport from "@iot-ota/node/NodeHttpTransport"
 * import * as NodeSigningCrypto from "@iot-ota/node/NodeSigningCrypto"
 * import { Layer } from "effect"
 *
 * // What `layer` assembles, with settings from the environment only (no profile file).
 * const ClientLive = OtaClient.layer.pipe(
 *   Layer.provide(
 *     Layer.mergeAll(
 *       NodeHttpTransport.layer,
 *       NodeSigningCrypto.layer,
 *       Credentials.layerConfig,
 *       ClientConfig.layerConfig()
 *     )
 *   )
 * )
 * ```
 */
export const layer: Layer.Layer<Transport> = layerWith({})
