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
 * @since 0.1.0
 * @category models
 */
export interface NonceService {
  readonly next: Effect.Effect<string>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class Nonce extends Context.Tag("@iot-ota/core/Nonce")<Nonce, NonceService>() {}

/**
 * Random UUIDs from `crypto.randomUUID()`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const randomUUID: NonceService = { next: Effect.sync(() => globalThis.crypto.randomUUID()) }

/**
 * @since 0.1.0
 * @category layers
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
