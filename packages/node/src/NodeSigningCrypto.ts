/**
 * `SigningCrypto` over `node:crypto`. Node's synchronous `createHmac` costs a
 * few microseconds where an async `crypto.subtle.sign` costs ~0.1 ms, which
 * is a measurable share of a 0.5 ms call.
 *
 * @since 0.1.0
 */
import { createHash, createHmac } from "node:crypto"
import { SigningCrypto, type SigningCryptoService } from "@iot-ota/core/SigningCrypto"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

const NODE_HASH = { "SHA-1": "sha1", "SHA-256": "sha256" } as const

/**
 * The `node:crypto` implementation. Synchronous: no promise per signature.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { toBase64 } from "@iot-ota/core/SigningCrypto"
 * import * as NodeSigningCrypto from "@iot-ota/node/NodeSigningCrypto"
 * import { Effect } from "effect"
 *
 * // Synchronous, so `runSync` works (WebCrypto's would need `runPromise`).
 * const mac = Effect.runSync(NodeSigningCrypto.make().hmac("SHA-1", "accessKeySecret&", "&%2F&test%3Dok"))
 * toBase64(mac) // "jHx/oHoHNrbVfhncHEvPdHXZwHU="
 * ```
 */
export const make = (): SigningCryptoService => ({
  // A `Buffer` is a `Uint8Array`: returned as is, not copied.
  hmac: (hash, key, data) =>
    Effect.sync(() => createHmac(NODE_HASH[hash], key).update(data, "utf8").digest()),
  sha256: (data) => Effect.sync(() => createHash("sha256").update(data, "utf8").digest())
})

/**
 * {@link make} as the `SigningCrypto` layer. The client layers of this
 * package already include it.
 *
 * @since 0.1.0
 * @category layers
 * @example
 * ```ts
 * import * as SignerV3 from "@iot-ota/core/SignerV3"
 * import * as NodeSigningCrypto from "@iot-ota/node/NodeSigningCrypto"
 * import { Effect } from "effect"
 *
 * // A V3 signer over node:crypto, e.g. to sign requests for another HTTP stack.
 * const signer = Effect.runSync(Effect.provide(SignerV3.makeAcs3HmacSha256, NodeSigningCrypto.layer))
 * ```
 */
export const layer: Layer.Layer<SigningCrypto> = Layer.sync(SigningCrypto, make)
