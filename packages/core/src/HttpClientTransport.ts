/**
 * A `Transport` over any `@effect/platform` `HttpClient` — for callers who
 * already configure one (proxies, custom agents, test doubles made with
 * `HttpClient.make`). The default transports are leaner; see `Transport`.
 *
 * @since 0.1.0
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type { HttpError } from "./IotError.js"
import {
  checkHead,
  makeBodyCollector,
  responseTooLargeError,
  Transport,
  type TransportRequest,
  type TransportService,
  timeoutError,
  transportError
} from "./Transport.js"

/** The body, counted and decoded as it streams in; stopped (and the request aborted) past the limit. */
const readBody = (
  request: TransportRequest,
  response: HttpClientResponse.HttpClientResponse
): Effect.Effect<string, HttpError | HttpClientError.ResponseError> => {
  const collector = makeBodyCollector(request.maxResponseBytes)
  return Stream.runForEach(response.stream, (chunk) =>
    collector.push(chunk) ? Effect.void : Effect.fail(responseTooLargeError(request, response.status))
  ).pipe(
    Effect.map(collector.finish),
    // `fromWeb` has no stream for a response without a body (a 204, a HEAD answer): that is an empty body.
    Effect.catchIf(
      (error): error is HttpClientError.ResponseError =>
        error._tag === "ResponseError" && error.reason === "EmptyBody",
      () => Effect.succeed("")
    )
  )
}

/**
 * A transport over the `HttpClient` in context. The client's own tracing is
 * turned off: the request engine has its span already, and trace headers
 * would be unsigned extras.
 *
 * Redirects are not followed: `FetchHttpClient` gets `redirect: "manual"`
 * (merged into any `FetchHttpClient.RequestInit` in context when the
 * transport is made), the Node clients do not follow by default, and a 3xx
 * that comes back is an `HttpError`. A client wrapped in
 * `HttpClient.followRedirects` would defeat this: don't. The body is read as
 * a stream and the transfer stopped past `maxResponseBytes`.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { FetchHttpClient } from "@effect/platform"
 * import { Effect } from "effect"
 * import * as HttpClientTransport from "@iot-ota/core/HttpClientTransport"
 *
 * const transport = Effect.runSync(Effect.provide(HttpClientTransport.make, FetchHttpClient.layer))
 * ```
 */
export const make: Effect.Effect<TransportService, never, HttpClient.HttpClient> = Effect.gen(function* () {
  const client = yield* HttpClient.HttpClient
  const init = yield* Effect.serviceOption(FetchHttpClient.RequestInit)
  // Read by `FetchHttpClient` from the calling fiber's context, which wins over the layer's: hence the merge here.
  const noRedirects: globalThis.RequestInit = { ...Option.getOrUndefined(init), redirect: "manual" }
  const http = client.pipe(
    // The client's own span and trace headers would duplicate ours (and add unsigned headers).
    HttpClient.withTracerDisabledWhen(() => true),
    HttpClient.withTracerPropagation(false),
    // Closing the scope aborts the request: a refused response is dropped at once, not left to the GC.
    HttpClient.withScope
  )
  return {
    send: (request) =>
      http.execute(HttpClientRequest.get(request.url, { headers: request.headers })).pipe(
        Effect.flatMap((response) => {
          const refused = checkHead(request, response.status, (name) => response.headers[name])
          return refused === undefined
            ? Effect.map(readBody(request, response), (body) => ({
                status: response.status,
                header: (name: string) => response.headers[name],
                body
              }))
            : Effect.fail(refused)
        }),
        Effect.scoped,
        Effect.catchTags({
          RequestError: (error) => Effect.fail(transportError(request, error.cause)),
          ResponseError: (error) => Effect.fail(transportError(request, error.cause ?? error.reason))
        }),
        // Around the body too: the deadline runs to the last byte.
        Effect.timeoutFail({
          duration: request.timeoutMs,
          onTimeout: () => timeoutError(request)
        }),
        Effect.provideService(FetchHttpClient.RequestInit, noRedirects)
      )
  }
})

/**
 * {@link make} as the `Transport` layer.
 *
 * @since 0.1.0
 * @category layers
 * @example
 * ```ts
 * import { FetchHttpClient } from "@effect/platform"
 * import { Layer } from "effect"
 * import * as HttpClientTransport from "@iot-ota/core/HttpClientTransport"
 * import * as OtaClient from "@iot-ota/core/OtaClient"
 *
 * // The client over an HttpClient you configure yourself (here `fetch`; a proxy-aware one plugs in the same way).
 * const TransportLive = HttpClientTransport.layer.pipe(Layer.provide(FetchHttpClient.layer))
 * const ClientLive = OtaClient.layer.pipe(Layer.provide(TransportLive)) // still needs Credentials and ClientConfig
 * ```
 */
export const layer: Layer.Layer<Transport, never, HttpClient.HttpClient> = Layer.effect(Transport, make)
