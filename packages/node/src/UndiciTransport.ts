/**
 * The Node transport: an undici `Agent` (keep-alive connection pools per
 * origin) driven directly, one `request` per call with the whole body read as
 * text. The deadline is a single timer aborting the request, so a per-attempt
 * timeout costs a `setTimeout`, not a fiber race.
 *
 * @since 0.1.0
 */
import { Transport, type TransportService, timeoutError, transportError } from "@iot-ota/core/Transport"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { Agent, type Dispatcher } from "undici"

/**
 * A transport over an undici dispatcher.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (dispatcher: Dispatcher): TransportService => ({
  send: (request) =>
    Effect.async((resume) => {
      const controller = new AbortController()
      let timedOut = false
      const timer = setTimeout(() => {
        timedOut = true
        controller.abort()
      }, request.timeoutMs)
      const url = new URL(request.url)
      dispatcher
        .request({
          origin: url.origin,
          path: url.pathname + url.search,
          method: request.method,
          headers: request.headers,
          signal: controller.signal,
          // The deadline above covers the whole exchange; undici's own timers stay out of the way.
          headersTimeout: 0,
          bodyTimeout: 0
        })
        .then(async (response) => {
          const body = await response.body.text()
          clearTimeout(timer)
          const headers = response.headers
          resume(
            Effect.succeed({
              status: response.statusCode,
              header: (name: string) => {
                const value = headers[name]
                return Array.isArray(value) ? value.join(", ") : value
              },
              body
            })
          )
        })
        .catch((cause: unknown) => {
          clearTimeout(timer)
          resume(Effect.fail(timedOut ? timeoutError(request) : transportError(request, cause)))
        })
      return Effect.sync(() => {
        clearTimeout(timer)
        controller.abort()
      })
    })
})

/**
 * A transport over its own undici `Agent`, closed with the layer.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<Transport> = Layer.scoped(
  Transport,
  Effect.map(
    Effect.acquireRelease(
      Effect.sync(() => new Agent({ keepAliveTimeout: 10_000 })),
      (agent) => Effect.promise(() => agent.close())
    ),
    make
  )
)
