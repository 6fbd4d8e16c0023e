/**
 * The emulator's own implementation of the two Alibaba Cloud request signatures: RPC signature V2
 * (HMAC-SHA1, `SignatureVersion=1.0`) and V3 (`ACS3-HMAC-SHA256`).
 *
 * Written from docs/protocol.md (Signature V2, Signature V3) with `node:crypto`, independently of
 * `@iot-ota/core`, so that the emulator and the core's signer check each other. Every export is a pure
 * function.
 *
 * @since 0.1.0
 */
import { Buffer } from "node:buffer"
import { createHash, createHmac } from "node:crypto"

/**
 * A flat parameter set: names and values exactly as the API sees them after decoding
 * (`DeviceNames.1`, `PageSize`, …).
 *
 * @example
 * ```ts
 * import { Signature } from "@iot-ota/emulator"
 *
 * const params: Signature.SignedParams = { Action: "ListOTATaskByJob", JobId: "job-1", "DeviceNames.1": "sensor-1" }
 * Signature.canonicalQuery(params) // "Action=ListOTATaskByJob&DeviceNames.1=sensor-1&JobId=job-1"
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type SignedParams = Readonly<Record<string, string>>

/**
 * The parts of a request that a V3 signature covers.
 *
 * @example
 * ```ts
 * import { Signature } from "@iot-ota/emulator"
 *
 * const parts: Signature.V3RequestParts = {
 *   method: "POST",
 *   query: { Action: "ListOTATaskByJob", JobId: "job-1" },
 *   headers: {
 *     host: "127.0.0.1",
 *     "x-acs-date": "2024-01-01T00:00:00Z",
 *     "x-acs-content-sha256": Signature.EMPTY_PAYLOAD_SHA256
 *   },
 *   hashedPayload: Signature.EMPTY_PAYLOAD_SHA256
 * }
 * const authorization = Signature.v3Authorization(parts, "my-key-id", "my-key-secret")
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface V3RequestParts {
  /** The HTTP method, as sent (`POST`). */
  readonly method: string
  /** The decoded path; `/` for RPC APIs (the default). Each segment is percent-encoded. */
  readonly pathname?: string
  /** The decoded URL query parameters (not the form body: the payload hash covers that). */
  readonly query: SignedParams
  /** Request headers; names in any case, repeated names as arrays. */
  readonly headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>
  /** Lower-case hex SHA-256 of the raw body (`x-acs-content-sha256`). */
  readonly hashedPayload: string
  /**
   * The header names to sign. A verifier passes the `SignedHeaders` of the `Authorization` header; when absent,
   * every `host`, `content-type` and `x-acs-*` header present is signed, as the official SDK does.
   */
  readonly signedHeaders?: ReadonlyArray<string>
}

/**
 * The V3 algorithm name, also the prefix of the `Authorization` header.
 *
 * @example
 * ```ts
 * import { Signature } from "@iot-ota/emulator"
 *
 * const isV3 = (authorization: string) => authorization.startsWith(`${Signature.V3_ALGORITHM} `)
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const V3_ALGORITHM = "ACS3-HMAC-SHA256"

/**
 * SHA-256 of an empty body, the `x-acs-content-sha256` of every body-less request.
 *
 * @example
 * ```ts
 * import { Signature } from "@iot-ota/emulator"
 *
 * Signature.sha256Hex("") === Signature.EMPTY_PAYLOAD_SHA256 // true
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const EMPTY_PAYLOAD_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// RFC 3986 unreserved characters: A-Z a-z 0-9 - _ . ~ (docs/protocol.md#percent-encoding).
const UNRESERVED = new Uint8Array(128)
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c)
  UNRESERVED[c] = /[A-Za-z0-9\-_.~]/.test(ch) ? 1 : 0
}
const BYTE_ESCAPES: ReadonlyArray<string> = Array.from(
  { length: 256 },
  (_, byte) => `%${byte.toString(16).toUpperCase().padStart(2, "0")}`
)

/**
 * RFC 3986 percent-encoding of the UTF-8 bytes of `value` with upper-case hex: space is `%20`, `*` is `%2A`,
 * `~` stays. Lone surrogates encode as U+FFFD (`%EF%BF%BD`), as `TextEncoder` does.
 *
 * @example
 * ```ts
 * import { Signature } from "@iot-ota/emulator"
 *
 * Signature.percentEncode("a b*c~/é") // "a%20b%2Ac~%2F%C3%A9"
 * ```
 *
 * @since 0.1.0
 * @category encoding
 */
export const percentEncode = (value: string): string => {
  let i = 0
  for (; i < value.length; i++) {
    const code = value.charCodeAt(i)
    if (code >= 128 || UNRESERVED[code] === 0) break
  }
  if (i === value.length) return value
  let out = value.slice(0, i)
  for (const byte of Buffer.from(value.slice(i), "utf8")) {
    out += byte < 128 && UNRESERVED[byte] === 1 ? String.fromCharCode(byte) : BYTE_ESCAPES[byte]
  }
  return out
}

const canonicalize = (params: SignedParams, exclude: string | undefined): string => {
  // Sort the raw names by UTF-16 code units, as the JS and Java SDKs do (docs/protocol.md#canonical-query-string).
  const names = Object.keys(params).sort()
  let out = ""
  for (const name of names) {
    if (name === exclude) continue
    if (out.length > 0) out += "&"
    out += `${percentEncode(name)}=${percentEncode(params[name] ?? "")}`
  }
  return out
}

/**
 * The canonicalized query string: names sorted lexicographically (`DeviceNames.10` before `DeviceNames.2`),
 * `enc(name)=enc(value)` joined with `&` (`name=` for an empty value).
 *
 * @example
 * ```ts
 * import { Signature } from "@iot-ota/emulator"
 *
 * Signature.canonicalQuery({ "DeviceNames.2": "b", "DeviceNames.10": "a", JobId: "job 1" })
 * // "DeviceNames.10=a&DeviceNames.2=b&JobId=job%201"
 * ```
 *
 * @since 0.1.0
 * @category encoding
 */
export const canonicalQuery = (params: SignedParams): string => canonicalize(params, undefined)

/**
 * The V2 string-to-sign: `METHOD&%2F&enc(canonicalQuery)`, over every parameter except `Signature`.
 *
 * @example
 * ```ts
 * import { Signature } from "@iot-ota/emulator"
 *
 * Signature.rpcStringToSign("GET", { Action: "ListOTATaskByJob", JobId: "job-1", Signature: "ignored" })
 * // "GET&%2F&Action%3DListOTATaskByJob%26JobId%3Djob-1"
 * ```
 *
 * @since 0.1.0
 * @category v2
 */
export const rpcStringToSign = (method: string, params: SignedParams): string =>
  `${method}&%2F&${percentEncode(canonicalize(params, "Signature"))}`

/**
 * Base64 HMAC-SHA1 of a V2 string-to-sign with the key `secret + "&"`.
 *
 * @example
 * ```ts
 * import { Signature } from "@iot-ota/emulator"
 *
 * Signature.rpcSignStringToSign("GET&%2F&Action%3DListOTATaskByJob", "secret") // "nailukkUdUTYhfxfPg786wlPjgo="
 * ```
 *
 * @since 0.1.0
 * @category v2
 */
export const rpcSignStringToSign = (stringToSign: string, accessKeySecret: string): string =>
  createHmac("sha1", `${accessKeySecret}&`).update(stringToSign, "utf8").digest("base64")

/**
 * The V2 signature of `params` sent with `method` (the `Signature` parameter, before URL encoding).
 *
 * @example
 * ```ts
 * import { Signature } from "@iot-ota/emulator"
 *
 * // Checks a signature the way the emulator does (a real verifier compares in constant time).
 * const verify = (params: Record<string, string>, secret: string): boolean =>
 *   params.Signature === Signature.rpcSignature("GET", params, secret)
 * ```
 *
 * @since 0.1.0
 * @category v2
 */
export const rpcSignature = (method: string, params: SignedParams, accessKeySecret: string): string =>
  rpcSignStringToSign(rpcStringToSign(method, params), accessKeySecret)

/**
 * Lower-case hex SHA-256.
 *
 * @example
 * ```ts
 * import { Signature } from "@iot-ota/emulator"
 *
 * Signature.sha256Hex("abc") // "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
 * ```
 *
 * @since 0.1.0
 * @category v3
 */
export const sha256Hex = (data: string | Uint8Array): string => {
  const hash = createHash("sha256")
  if (typeof data === "string") hash.update(data, "utf8")
  else hash.update(data)
  return hash.digest("hex")
}

const headerValues = (parts: V3RequestParts): Map<string, Array<string>> => {
  const byName = new Map<string, Array<string>>()
  for (const [name, value] of Object.entries(parts.headers)) {
    if (value === undefined) continue
    const lower = name.toLowerCase()
    const values = byName.get(lower) ?? []
    if (typeof value === "string") values.push(value.trim())
    else for (const item of value) values.push(item.trim())
    byName.set(lower, values)
  }
  return byName
}

/**
 * The header names a V3 request signs, lower-cased and sorted.
 *
 * @example
 * ```ts
 * import { Signature } from "@iot-ota/emulator"
 *
 * Signature.v3SignedHeaderNames({
 *   method: "POST",
 *   query: {},
 *   headers: { "User-Agent": "x", Host: "127.0.0.1", "x-acs-date": "2024-01-01T00:00:00Z" },
 *   hashedPayload: Signature.EMPTY_PAYLOAD_SHA256
 * }) // ["host", "x-acs-date"]
 * ```
 *
 * @since 0.1.0
 * @category v3
 */
export const v3SignedHeaderNames = (parts: V3RequestParts): ReadonlyArray<string> => {
  if (parts.signedHeaders !== undefined) {
    return [...new Set(parts.signedHeaders.map((name) => name.trim().toLowerCase()))].sort()
  }
  return [...headerValues(parts).keys()]
    .filter((name) => name === "host" || name === "content-type" || name.startsWith("x-acs-"))
    .sort()
}

const canonicalUri = (pathname: string): string => pathname.split("/").map(percentEncode).join("/")

/**
 * The V3 canonical request (docs/protocol.md#canonical-request):
 * `METHOD \n URI \n query \n name:value\n… \n names;… \n payloadHash`. Repeated header names merge into one
 * entry, values trimmed, sorted and joined with `,`.
 *
 * @example
 * ```ts
 * import { Signature } from "@iot-ota/emulator"
 *
 * const canonical = Signature.v3CanonicalRequest({
 *   method: "POST",
 *   query: { Action: "ListOTATaskByJob" },
 *   headers: { host: "127.0.0.1", "x-acs-date": "2024-01-01T00:00:00Z" },
 *   hashedPayload: Signature.EMPTY_PAYLOAD_SHA256
 * })
 * // "POST\n/\nAction=ListOTATaskByJob\nhost:127.0.0.1\nx-acs-date:2024-01-01T00:00:00Z\n\nhost;x-acs-date\ne3b0…"
 * ```
 *
 * @since 0.1.0
 * @category v3
 */
export const v3CanonicalRequest = (parts: V3RequestParts): string => {
  const names = v3SignedHeaderNames(parts)
  const values = headerValues(parts)
  let headers = ""
  for (const name of names) headers += `${name}:${(values.get(name) ?? []).sort().join(",")}\n`
  return [
    parts.method,
    canonicalUri(parts.pathname ?? "/"),
    canonicalQuery(parts.query),
    headers,
    names.join(";"),
    parts.hashedPayload
  ].join("\n")
}

/**
 * The V3 string-to-sign: `ACS3-HMAC-SHA256\n` + hex SHA-256 of the canonical request.
 *
 * @example
 * ```ts
 * import { Signature } from "@iot-ota/emulator"
 *
 * const stringToSign = Signature.v3StringToSign("POST\n/\n…") // "ACS3-HMAC-SHA256\n<hex sha-256>"
 * ```
 *
 * @since 0.1.0
 * @category v3
 */
export const v3StringToSign = (canonicalRequest: string): string =>
  `${V3_ALGORITHM}\n${sha256Hex(canonicalRequest)}`

/**
 * The V3 signature: lower-case hex HMAC-SHA256 of the string-to-sign, keyed with the raw secret (no `&`).
 *
 * @example
 * ```ts
 * import { Signature } from "@iot-ota/emulator"
 *
 * const signature = Signature.v3Signature(
 *   { method: "POST", query: {}, headers: { host: "127.0.0.1" }, hashedPayload: Signature.EMPTY_PAYLOAD_SHA256 },
 *   "my-key-secret"
 * ) // 64 hex digits
 * ```
 *
 * @since 0.1.0
 * @category v3
 */
export const v3Signature = (parts: V3RequestParts, accessKeySecret: string): string =>
  createHmac("sha256", accessKeySecret)
    .update(v3StringToSign(v3CanonicalRequest(parts)), "utf8")
    .digest("hex")

/**
 * The full `Authorization` header value for a V3 request.
 *
 * @example
 * ```ts
 * import { Signature } from "@iot-ota/emulator"
 *
 * const authorization = Signature.v3Authorization(
 *   { method: "POST", query: {}, headers: { host: "127.0.0.1" }, hashedPayload: Signature.EMPTY_PAYLOAD_SHA256 },
 *   "my-key-id",
 *   "my-key-secret"
 * ) // "ACS3-HMAC-SHA256 Credential=my-key-id,SignedHeaders=host,Signature=…"
 * ```
 *
 * @since 0.1.0
 * @category v3
 */
export const v3Authorization = (
  parts: V3RequestParts,
  accessKeyId: string,
  accessKeySecret: string
): string =>
  `${V3_ALGORITHM} Credential=${accessKeyId},SignedHeaders=${v3SignedHeaderNames(parts).join(";")},Signature=${v3Signature(parts, accessKeySecret)}`
