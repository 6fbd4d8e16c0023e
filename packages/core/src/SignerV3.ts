/**
 * Alibaba Cloud signature V3, `ACS3-HMAC-SHA256`: the API parameters stay in
 * the query string, the common parameters travel as `x-acs-*` headers, and an
 * `Authorization` header carries an HMAC-SHA256 over a canonical request.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { copyParams } from "./internal/copyParams.js"
import {
  canonicalQuery,
  formatTimestamp,
  type SignerService,
  type SigningContext,
  type UnsignedRequest,
  withQuery
} from "./Signer.js"
import { SigningCrypto, type SigningCryptoService, toHex } from "./SigningCrypto.js"

/**
 * Hex SHA-256 of an empty payload: the `x-acs-content-sha256` of every GET.
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { EMPTY_PAYLOAD_SHA256 } from "@iot-ota/core/SignerV3"
 * import { makeWebCrypto, toHex } from "@iot-ota/core/SigningCrypto"
 *
 * toHex(await Effect.runPromise(makeWebCrypto().sha256(""))) === EMPTY_PAYLOAD_SHA256 // true
 * ```
 */
export const EMPTY_PAYLOAD_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/**
 * The pieces of a canonical request.
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import { type CanonicalRequestInput, canonicalRequest, EMPTY_PAYLOAD_SHA256 } from "@iot-ota/core/SignerV3"
 *
 * const input: CanonicalRequestInput = {
 *   method: "GET",
 *   canonicalUri: "/",
 *   query: { JobId: "job-1" },
 *   headers: [["host", "iot.cn-shanghai.aliyuncs.com"], ["x-acs-action", "ListOTATaskByJob"]],
 *   hashedPayload: EMPTY_PAYLOAD_SHA256
 * }
 * canonicalRequest(input).signedHeaders // "host;x-acs-action"
 * ```
 */
export interface CanonicalRequestInput {
  readonly method: string
  /** `/` for RPC-style APIs. */
  readonly canonicalUri: string
  readonly query: Readonly<Record<string, string>>
  /** Header names in any case; a repeated name may carry several values. */
  readonly headers: ReadonlyArray<readonly [string, string]>
  readonly hashedPayload: string
}

/**
 * Lower-cases, trims and sorts the headers to sign (`host`, `content-type`
 * and every `x-acs-*`), merging repeated names into one comma-joined entry
 * with sorted values, as the official SDK does.
 *
 * @since 0.1.0
 * @category combinators
 * @example
 * ```ts
 * import { canonicalHeaders } from "@iot-ota/core/SignerV3"
 *
 * const { canonical, signedHeaders } = canonicalHeaders([
 *   ["Host", "iot.cn-shanghai.aliyuncs.com"],
 *   ["X-Acs-Action", " ListOTATaskByJob "],
 *   ["Accept", "*"] // not signed
 * ])
 * canonical // "host:iot.cn-shanghai.aliyuncs.com\nx-acs-action:ListOTATaskByJob\n"
 * signedHeaders // "host;x-acs-action"
 * ```
 */
export const canonicalHeaders = (
  headers: ReadonlyArray<readonly [string, string]>
): { readonly canonical: string; readonly signedHeaders: string } => {
  const merged = new Map<string, Array<string>>()
  for (const [rawName, rawValue] of headers) {
    const name = rawName.toLowerCase().trim()
    if (name !== "host" && name !== "content-type" && !name.startsWith("x-acs-")) continue
    const values = merged.get(name)
    if (values === undefined) merged.set(name, [rawValue.trim()])
    else values.push(rawValue.trim())
  }
  const names = [...merged.keys()].sort()
  let canonical = ""
  for (const name of names) canonical += name + ":" + merged.get(name)!.sort().join(",") + "\n"
  return { canonical, signedHeaders: names.join(";") }
}

/**
 * `Method \n CanonicalURI \n CanonicalQueryString \n CanonicalHeaders \n
 * SignedHeaders \n HashedRequestPayload`: what the V3 signature hashes.
 *
 * @since 0.1.0
 * @category combinators
 * @example
 * ```ts
 * import { canonicalRequest, EMPTY_PAYLOAD_SHA256 } from "@iot-ota/core/SignerV3"
 *
 * const { text } = canonicalRequest({
 *   method: "GET",
 *   canonicalUri: "/",
 *   query: { PageSize: "10", JobId: "job-1" },
 *   headers: [["host", "iot.cn-shanghai.aliyuncs.com"]],
 *   hashedPayload: EMPTY_PAYLOAD_SHA256
 * })
 * // "GET\n/\nJobId=job-1&PageSize=10\nhost:iot.cn-shanghai.aliyuncs.com\n\nhost\ne3b0c442..."
 * ```
 */
export const canonicalRequest = (
  input: CanonicalRequestInput
): { readonly text: string; readonly signedHeaders: string } => {
  const { canonical, signedHeaders } = canonicalHeaders(input.headers)
  return {
    text: [
      input.method,
      input.canonicalUri,
      canonicalQuery(input.query),
      canonical,
      signedHeaders,
      input.hashedPayload
    ].join("\n"),
    signedHeaders
  }
}

/**
 * Signs a canonical request and builds the `Authorization` header value.
 *
 * @since 0.1.0
 * @category combinators
 * @example
 * ```ts
 * import { Effect, Redacted } from "effect"
 * import * as SignerV3 from "@iot-ota/core/SignerV3"
 * import * as SigningCrypto from "@iot-ota/core/SigningCrypto"
 * const authorization = SignerV3.authorization({
 *   accessKeyId: "id", accessKeySecret: Redacted.make("secret"),
 *   request: { method: "GET", canonicalUri: "/", query: { JobId: "j" }, headers: [["host", "example.com"]], hashedPayload: SignerV3.EMPTY_PAYLOAD_SHA256 }
 * }).pipe(Effect.provide(SigningCrypto.layerWebCrypto))
 * ```
 */
export const authorization = (options: {
  readonly accessKeyId: string
  readonly accessKeySecret: Redacted.Redacted<string>
  readonly request: CanonicalRequestInput
}): Effect.Effect<{ readonly authorization: string; readonly stringToSign: string }, never, SigningCrypto> =>
  Effect.flatMap(SigningCrypto, (crypto) => authorizationWith(crypto, options))

// A chain of `flatMap`s over the crypto service in hand: the signer used to
// provide it to `authorization` per request, and providing a service costs
// a context copy and two fiber-ref updates on every call.
const authorizationWith = (
  crypto: SigningCryptoService,
  options: {
    readonly accessKeyId: string
    readonly accessKeySecret: Redacted.Redacted<string>
    readonly request: CanonicalRequestInput
  }
): Effect.Effect<{ readonly authorization: string; readonly stringToSign: string }> => {
  const { text, signedHeaders } = canonicalRequest(options.request)
  return Effect.flatMap(crypto.sha256(text), (hash) => {
    const stringToSign = "ACS3-HMAC-SHA256\n" + toHex(hash)
    return Effect.map(
      crypto.hmac("SHA-256", Redacted.value(options.accessKeySecret), stringToSign),
      (mac) => ({
        authorization: `ACS3-HMAC-SHA256 Credential=${options.accessKeyId},SignedHeaders=${signedHeaders},Signature=${toHex(mac)}`,
        stringToSign
      })
    )
  })
}

/**
 * The V3 signer: API parameters in the query, `x-acs-*` headers, and
 * `Authorization`. The `host` it signs is the URL's host (with a non-default
 * port), which is what every HTTP client sends. A temporary credential adds
 * the signed headers `x-acs-security-token` and `x-acs-accesskey-id`, as the
 * official SDK does.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { Effect, Redacted } from "effect"
 * import * as SignerV3 from "@iot-ota/core/SignerV3"
 * import * as SigningCrypto from "@iot-ota/core/SigningCrypto"
 *
 * const signed = await Effect.flatMap(SignerV3.makeAcs3HmacSha256, (signer) =>
 *   signer.sign(
 *     {
 *       endpoint: new URL("https://iot.cn-shanghai.aliyuncs.com/"),
 *       method: "GET",
 *       action: "ListOTATaskByJob",
 *       version: "2018-01-20",
 *       params: { JobId: "job-1" }
 *     },
 *     {
 *       credentials: { accessKeyId: "id", accessKeySecret: Redacted.make("secret") },
 *       timestamp: Date.now(),
 *       nonce: globalThis.crypto.randomUUID()
 *     }
 *   )
 * ).pipe(Effect.provide(SigningCrypto.layerWebCrypto), Effect.runPromise)
 * signed.url // "https://iot.cn-shanghai.aliyuncs.com/?JobId=job-1"
 * signed.headers.authorization // "ACS3-HMAC-SHA256 Credential=id,SignedHeaders=host;x-acs-action;...,Signature=..."
 * ```
 */
export const makeAcs3HmacSha256: Effect.Effect<SignerService, never, SigningCrypto> = Effect.map(
  SigningCrypto,
  (crypto) => ({
    algorithm: "ACS3-HMAC-SHA256",
    sign: (request: UnsignedRequest, context: SigningContext) => {
      const headers: Record<string, string> = {
        "x-acs-action": request.action,
        "x-acs-version": request.version,
        "x-acs-date": formatTimestamp(context.timestamp),
        "x-acs-signature-nonce": context.nonce,
        "x-acs-content-sha256": EMPTY_PAYLOAD_SHA256
      }
      const token = context.credentials.securityToken
      if (token !== undefined) {
        // As the official SDK does: the key id travels along with the token, and both are signed.
        headers["x-acs-accesskey-id"] = context.credentials.accessKeyId
        headers["x-acs-security-token"] = Redacted.value(token)
      }
      const query = copyParams(request.params)
      if (request.regionId !== undefined) query.RegionId = request.regionId
      return Effect.map(
        authorizationWith(crypto, {
          accessKeyId: context.credentials.accessKeyId,
          accessKeySecret: context.credentials.accessKeySecret,
          request: {
            method: request.method,
            canonicalUri: "/",
            query,
            headers: [["host", request.endpoint.host], ...Object.entries(headers)],
            hashedPayload: EMPTY_PAYLOAD_SHA256
          }
        }),
        ({ authorization }) => ({
          method: request.method,
          url: withQuery(request.endpoint, canonicalQuery(query)),
          headers: { ...headers, authorization }
        })
      )
    }
  })
)
