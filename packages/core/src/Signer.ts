/**
 * Request signing. The `Signer` service turns an unsigned call (action,
 * version, flat API parameters) into the exact HTTP request to send. Two
 * implementations sit behind it:
 *
 * - `HMAC-SHA1`: the RPC query signature (`SignatureVersion=1.0`, which
 *   Alibaba Cloud calls "V2"), the one the API reference uses; the default.
 * - `ACS3-HMAC-SHA256`: Alibaba Cloud's header signature "V3" (see `SignerV3`).
 *
 * The pure helpers (`percentEncode`, `canonicalQuery`, `rpcStringToSign`) are
 * exported for tests and for anyone verifying signatures.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import type { CredentialsService } from "./Credentials.js"
import { copyParams } from "./internal/copyParams.js"
import { SigningCrypto, toBase64 } from "./SigningCrypto.js"

/**
 * @since 0.1.0
 * @category models
 */
export type SignatureAlgorithm = "HMAC-SHA1" | "ACS3-HMAC-SHA256"

/**
 * Flat wire parameters, in any order. Values are already strings.
 *
 * @since 0.1.0
 * @category models
 */
export type WireParams = Readonly<Record<string, string>>

/**
 * What the client asks a signer to sign.
 *
 * @since 0.1.0
 * @category models
 */
export interface UnsignedRequest {
  /** Base URL: origin plus an optional path prefix, e.g. `https://iot.cn-shanghai.aliyuncs.com/`. */
  readonly endpoint: URL
  readonly method: "GET"
  readonly action: string
  readonly version: string
  readonly params: WireParams
  readonly regionId?: string | undefined
}

/**
 * What makes each attempt unique: a new timestamp and nonce every time.
 *
 * @since 0.1.0
 * @category models
 */
export interface SigningContext {
  readonly credentials: CredentialsService
  /** Milliseconds since the epoch, already corrected for clock skew. */
  readonly timestamp: number
  readonly nonce: string
}

/**
 * The request to put on the wire.
 *
 * @since 0.1.0
 * @category models
 */
export interface SignedRequest {
  readonly method: "GET"
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
}

/**
 * @since 0.1.0
 * @category models
 */
export interface SignerService {
  readonly algorithm: SignatureAlgorithm
  readonly sign: (request: UnsignedRequest, context: SigningContext) => Effect.Effect<SignedRequest>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class Signer extends Context.Tag("@iot-ota/core/Signer")<Signer, SignerService>() {}

// RFC 3986 unreserved characters pass through; the fast path skips the
// encoder for the common case of plain ids and numbers. A table lookup per
// character: ~25 names and values per request, where a regex test cost
// ~50 ns each.
const UNRESERVED = new Uint8Array(128)
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~")
  UNRESERVED[c.charCodeAt(0)] = 1
const isUnreserved = (value: string): boolean => {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i)
    if (c >= 128 || UNRESERVED[c] === 0) return false
  }
  return true
}
const SUB_DELIMS = /[!'()*]/g
const escapeSubDelim = (c: string) => "%" + c.charCodeAt(0).toString(16).toUpperCase()

/**
 * Percent-encodes a name or value per RFC 3986: `A-Z a-z 0-9 - _ . ~` are
 * kept, every other UTF-8 byte becomes `%XY` in upper-case hex (space is
 * `%20`, `*` is `%2A`). Lone surrogates are encoded as U+FFFD, as
 * `TextEncoder` would.
 *
 * @since 0.1.0
 * @category combinators
 * @example
 * ```ts
 * import { percentEncode } from "@iot-ota/core/Signer"
 * percentEncode("a b*~") // "a%20b%2A~"
 * ```
 */
export const percentEncode = (value: string): string => {
  if (isUnreserved(value)) return value
  let encoded: string
  try {
    encoded = encodeURIComponent(value)
  } catch {
    encoded = encodeURIComponent(value.toWellFormed())
  }
  return encoded.replace(SUB_DELIMS, escapeSubDelim)
}

/**
 * Sorts parameters by name (UTF-16 code units, as the official SDKs do) and
 * joins `enc(name)=enc(value)` with `&`.
 *
 * @since 0.1.0
 * @category combinators
 * @example
 * ```ts
 * import { canonicalQuery } from "@iot-ota/core/Signer"
 * canonicalQuery({ "DeviceNames.2": "b", "DeviceNames.10": "c", JobId: "j" })
 * // "DeviceNames.10=c&DeviceNames.2=b&JobId=j"
 * ```
 */
export const canonicalQuery = (params: WireParams): string => {
  const names = Object.keys(params).sort()
  let out = ""
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!
    if (i > 0) out += "&"
    out += percentEncode(name) + "=" + percentEncode(params[name]!)
  }
  return out
}

/**
 * `METHOD&%2F&enc(canonicalQuery)`.
 *
 * @since 0.1.0
 * @category combinators
 */
export const rpcStringToSign = (method: string, canonical: string): string =>
  method + "&%2F&" + percentEncode(canonical)

/**
 * UTC `YYYY-MM-DDThh:mm:ssZ`, without milliseconds.
 *
 * @since 0.1.0
 * @category combinators
 */
export const formatTimestamp = (millis: number): string => new Date(millis).toISOString().slice(0, 19) + "Z"

/**
 * Base64 HMAC-SHA1 of a string-to-sign, keyed with `secret + "&"`.
 *
 * @since 0.1.0
 * @category combinators
 */
export const rpcSignature = (
  stringToSign: string,
  secret: Redacted.Redacted<string>
): Effect.Effect<string, never, SigningCrypto> =>
  Effect.flatMap(SigningCrypto, (crypto) =>
    Effect.map(crypto.hmac("SHA-1", Redacted.value(secret) + "&", stringToSign), toBase64)
  )

/**
 * The common parameters plus the API parameters, without `Signature`.
 *
 * @since 0.1.0
 * @category combinators
 */
export const rpcParams = (request: UnsignedRequest, context: SigningContext): Record<string, string> => {
  const params = copyParams(request.params)
  params.Action = request.action
  params.Version = request.version
  params.Format = "JSON"
  params.AccessKeyId = context.credentials.accessKeyId
  params.SignatureMethod = "HMAC-SHA1"
  params.SignatureVersion = "1.0"
  params.SignatureNonce = context.nonce
  params.Timestamp = formatTimestamp(context.timestamp)
  if (request.regionId !== undefined) params.RegionId = request.regionId
  return params
}

/**
 * Joins a base URL and a query string, keeping the base's path.
 *
 * @since 0.1.0
 * @category combinators
 */
export const withQuery = (endpoint: URL, query: string): string =>
  endpoint.origin + endpoint.pathname + (query === "" ? "" : "?" + query)

/**
 * The headers of a signature that adds none (the query signature).
 *
 * @since 0.1.0
 * @category models
 */
export const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({})

/**
 * The HMAC-SHA1 (RPC V2) signer: all parameters in the query string,
 * `Signature` appended last.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeHmacSha1: Effect.Effect<SignerService, never, SigningCrypto> = Effect.map(
  SigningCrypto,
  (crypto) => ({
    algorithm: "HMAC-SHA1",
    sign: (request, context) => {
      const canonical = canonicalQuery(rpcParams(request, context))
      const secret = Redacted.value(context.credentials.accessKeySecret) + "&"
      return Effect.map(crypto.hmac("SHA-1", secret, rpcStringToSign(request.method, canonical)), (mac) => ({
        method: request.method,
        url: withQuery(request.endpoint, canonical + "&Signature=" + percentEncode(toBase64(mac))),
        headers: NO_HEADERS
      }))
    }
  })
)
