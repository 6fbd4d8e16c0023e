/**
 * A `Transport` over any `@effect/platform` `HttpClient` — for callers who
 * already configure one (proxies, custom agents, test doubles made with
 * `HttpClient.make`). The default transports are leaner; see `Transport`.
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { Transport, type TransportService, timeoutError, transportError } from "./Transport.js"

/**
 * A transport over the `HttpClient` in context. The client's own tracing is
 * turned off: the request engine has its span already, and trace headers
 * would be unsigned extras.
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
export const make: Effect.Effect<TransportService, never, HttpClient.HttpClient> = Effect.map(
  HttpClient.HttpClient,
  (client) => {
    // The client's own span and trace headers would duplicate ours (and add unsigned headers).
    const http = client.pipe(
      HttpClient.withTracerDisabledWhen(() => true),
      HttpClient.withTracerPropagation(false)
    )
    return {
      send: (request) =>
        http.execute(HttpClientRequest.get(request.url, { headers: request.headers })).pipe(
          Effect.flatMap((response) =>
            Effect.map(response.text, (body) => ({
              status: response.status,
              header: (name: string) => response.headers[name],
              body
            }))
          ),
          Effect.scoped,
          Effect.catchTags({
            RequestError: (error) => Effect.fail(transportError(request, error.cause)),
            ResponseError: (error) => Effect.fail(transportError(request, error.cause ?? error.reason))
          }),
          Effect.timeoutFail({
            duration: request.timeoutMs,
            onTimeout: () => timeoutError(request)
          })
        )
    }
  }
)

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
