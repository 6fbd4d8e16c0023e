/**
 * The cryptographic primitives the signers need (HMAC and SHA-256), as a
 * service. The default implementation is WebCrypto (`crypto.subtle`), which
 * every runtime has; a runtime package may provide a faster one (Node's
 * synchronous `createHmac` is ~25x cheaper than an async `subtle.sign`).
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

/**
 * The hashes the signers use: SHA-1 (`HMAC-SHA1`) and SHA-256 (`ACS3-HMAC-SHA256`).
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { type HmacHash, makeWebCrypto, toHex } from "@iot-ota/core/SigningCrypto"
 *
 * const hash: HmacHash = "SHA-256"
 * const data = "The quick brown fox jumps over the lazy dog"
 * const mac = await Effect.runPromise(makeWebCrypto().hmac(hash, "key", data))
 * toHex(mac) // "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
 * ```
 */
export type HmacHash = "SHA-1" | "SHA-256"

/**
 * HMAC and SHA-256 over UTF-8 strings, as the signers need them.
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import type { SigningCryptoService } from "@iot-ota/core/SigningCrypto"
 *
 * // Any implementation works, e.g. one backed by a synchronous HMAC library
 * // (`@iot-ota/node` ships one over its runtime's crypto as NodeSigningCrypto).
 * declare const hmacBytes: (hash: "SHA-1" | "SHA-256", key: string, data: string) => Uint8Array
 * declare const sha256Bytes: (data: string) => Uint8Array
 * const syncCrypto: SigningCryptoService = {
 *   hmac: (hash, key, data) => Effect.sync(() => hmacBytes(hash, key, data)),
 *   sha256: (data) => Effect.sync(() => sha256Bytes(data))
 * }
 * ```
 */
export interface SigningCryptoService {
  /** HMAC of the UTF-8 bytes of `data` keyed with the UTF-8 bytes of `key`. */
  readonly hmac: (hash: HmacHash, key: string, data: string) => Effect.Effect<Uint8Array>
  /** SHA-256 of the UTF-8 bytes of `data`. */
  readonly sha256: (data: string) => Effect.Effect<Uint8Array>
}

/**
 * The crypto primitives as a service. The signer constructors require it;
 * the client uses WebCrypto when none is provided.
 *
 * @since 0.1.0
 * @category tags
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import * as OtaClient from "@iot-ota/core/OtaClient"
 * import * as SigningCrypto from "@iot-ota/core/SigningCrypto"
 *
 * declare const fastCrypto: SigningCrypto.SigningCryptoService // e.g. over a native library
 * const ClientLive = OtaClient.layer.pipe(Layer.provide(Layer.succeed(SigningCrypto.SigningCrypto, fastCrypto)))
 * ```
 */
export class SigningCrypto extends Context.Tag("@iot-ota/core/SigningCrypto")<
  SigningCrypto,
  SigningCryptoService
>() {}

const encoder = new TextEncoder()

/** Imported keys are kept per (hash, secret): importing costs as much as signing. */
const MAX_CACHED_KEYS = 16

/**
 * WebCrypto implementation, with imported HMAC keys cached so a key is
 * imported once per secret rather than once per request.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import * as SigningCrypto from "@iot-ota/core/SigningCrypto"
 * const crypto = SigningCrypto.makeWebCrypto()
 * const mac = await Effect.runPromise(crypto.hmac("SHA-1", "secret&", "GET&%2F&a%3Db"))
 * ```
 */
export const makeWebCrypto = (subtle: SubtleCrypto = globalThis.crypto.subtle): SigningCryptoService => {
  const keys = new Map<string, Promise<CryptoKey>>()
  const importKey = (hash: HmacHash, key: string): Promise<CryptoKey> => {
    const cacheKey = hash + "\u0000" + key
    let imported = keys.get(cacheKey)
    if (imported === undefined) {
      if (keys.size >= MAX_CACHED_KEYS) keys.delete(keys.keys().next().value as string)
      imported = subtle.importKey("raw", encoder.encode(key), { name: "HMAC", hash }, false, ["sign"])
      keys.set(cacheKey, imported)
    }
    return imported
  }
  return {
    hmac: (hash, key, data) =>
      Effect.promise(async () => {
        const cryptoKey = await importKey(hash, key)
        return new Uint8Array(await subtle.sign("HMAC", cryptoKey, encoder.encode(data)))
      }),
    sha256: (data) =>
      Effect.promise(async () => new Uint8Array(await subtle.digest("SHA-256", encoder.encode(data))))
  }
}

/**
 * Provides the WebCrypto implementation.
 *
 * @since 0.1.0
 * @category layers
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import * as Signer from "@iot-ota/core/Signer"
 * import * as SigningCrypto from "@iot-ota/core/SigningCrypto"
 *
 * const signer = Effect.runSync(Effect.provide(Signer.makeHmacSha1, SigningCrypto.layerWebCrypto))
 * ```
 */
export const layerWebCrypto: Layer.Layer<SigningCrypto> = Layer.sync(SigningCrypto, () => makeWebCrypto())

/**
 * Standard base64 of bytes (the RPC signature's encoding).
 *
 * @since 0.1.0
 * @category combinators
 * @example
 * ```ts
 * import { toBase64 } from "@iot-ota/core/SigningCrypto"
 *
 * toBase64(new TextEncoder().encode("hi")) // "aGk="
 * ```
 */
export const toBase64 = (bytes: Uint8Array): string => {
  let binary = ""
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]!)
  return btoa(binary)
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"))

/**
 * Lower-case hex of bytes (the V3 signature's encoding).
 *
 * @since 0.1.0
 * @category combinators
 * @example
 * ```ts
 * import { toHex } from "@iot-ota/core/SigningCrypto"
 *
 * toHex(new Uint8Array([0, 15, 255])) // "000fff"
 * ```
 */
export const toHex = (bytes: Uint8Array): string => {
  let hex = ""
  for (let i = 0; i < bytes.length; i++) hex += HEX[bytes[i]!]
  return hex
}
