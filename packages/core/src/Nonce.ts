/**
 * The source of `SignatureNonce` values: a fresh random UUID per attempt by
 * default, replaceable so tests can sign deterministically.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

/**
 * A source of `SignatureNonce` values. The server refuses a nonce it has
 * already seen (`SignatureNonceUsed`), so `next` must not repeat.
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import type { NonceService } from "@iot-ota/core/Nonce"
 *
 * // Nonces that say which process signed, still unique per attempt.
 * const tagged = (prefix: string): NonceService => ({
 *   next: Effect.sync(() => `${prefix}-${globalThis.crypto.randomUUID()}`)
 * })
 * ```
 */
export interface NonceService {
  readonly next: Effect.Effect<string>
}

/**
 * The nonce source, as a service. Optional: without it the client uses
 * {@link randomUUID}.
 *
 * @since 0.1.0
 * @category tags
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import * as Nonce from "@iot-ota/core/Nonce"
 * import * as OtaClient from "@iot-ota/core/OtaClient"
 *
 * // Deterministic signatures in a test: the client signs with test-1, test-2, ...
 * const TestClient = OtaClient.layer.pipe(Layer.provide(Nonce.layerSequence("test")))
 * ```
 */
export class Nonce extends Context.Tag("@iot-ota/core/Nonce")<Nonce, NonceService>() {}

/**
 * Random UUIDs from `crypto.randomUUID()`: the default.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import * as Nonce from "@iot-ota/core/Nonce"
 *
 * Effect.runSync(Nonce.randomUUID.next) // e.g. "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"
 * ```
 */
export const randomUUID: NonceService = { next: Effect.sync(() => globalThis.crypto.randomUUID()) }

/**
 * {@link randomUUID} as the `Nonce` layer.
 *
 * @since 0.1.0
 * @category layers
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import * as Nonce from "@iot-ota/core/Nonce"
 *
 * const nonce = Effect.flatMap(Nonce.Nonce, (nonces) => nonces.next).pipe(Effect.provide(Nonce.layerRandomUUID))
 * ```
 */
export const layerRandomUUID: Layer.Layer<Nonce> = Layer.succeed(Nonce, randomUUID)

/**
 * Predictable nonces (`prefix-1`, `prefix-2`, ...) for tests.
 *
 * @since 0.1.0
 * @category layers
 * @example
 * ```ts
 * import * as Nonce from "@iot-ota/core/Nonce"
 * const testNonces = Nonce.layerSequence("test")
 * ```
 */
export const layerSequence = (prefix: string): Layer.Layer<Nonce> =>
  Layer.sync(Nonce, () => {
    let n = 0
    return { next: Effect.sync(() => `${prefix}-${++n}`) }
  })
