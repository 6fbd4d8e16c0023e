/**
 * Request authentication: V2 (HMAC-SHA1 over query + form parameters) and V3 (`Authorization: ACS3-HMAC-SHA256`),
 * then the timestamp window and nonce replay checks. Uses only this package's `Signature` module. The action is
 * resolved here (an unknown one is refused before its signature is looked at), but routed by the server.
 */
import { Buffer } from "node:buffer"
import { createHmac, timingSafeEqual } from "node:crypto"
import {
  EMPTY_PAYLOAD_SHA256,
  rpcSignStringToSign,
  rpcStringToSign,
  type SignedParams,
  sha256Hex,
  V3_ALGORITHM,
  v3CanonicalRequest,
  v3StringToSign
} from "../Signature.js"
import {
  type Failure,
  incompleteSignature,
  invalidAccessKeyId,
  invalidApi,
  invalidParameter,
  missingParameter,
  nonceUsed,
  signatureDoesNotMatch,
  timestampExpired,
  timestampFormat
} from "./errors.js"
import { type NonceStore, nonceKey } from "./limits.js"

/**
 * Longest accepted nonce. The service documents no limit; UUIDs (36) and the official SDK's 32 hex characters fit
 * with room to spare, and a cap keeps a flood of huge nonces from costing anything (README, "Nonces").
 */
export const MAX_NONCE_LENGTH = 128

export interface AuthContext<Api> {
  readonly secretOf: (accessKeyId: string) => string | undefined
  /**
   * Why the security token sent with `accessKeyId` (or its absence) is refused, if it is: checked before the
   * signature, as the gateway needs the token to know a temporary key at all.
   */
  readonly tokenFailure: (accessKeyId: string, token: string | undefined) => Failure | undefined
  /** The handler of an action and version, or undefined when the emulator does not serve it. */
  readonly resolve: (action: string, version: string) => Api | undefined
  /** The server clock (real time plus the configured skew), in epoch milliseconds. */
  readonly serverNow: () => number
  readonly windowMs: number
  readonly nonces: NonceStore
}

/**
 * A verified request. Its nonce is checked but not yet remembered: the server remembers it only once the
 * request is admitted (a throttled request leaves no trace, and its retry may not reuse the nonce anyway).
 */
export interface Verified<Api> {
  readonly ok: true
  readonly accessKeyId: string
  readonly api: Api
  readonly nonceKey: string
}

export type AuthResult<Api> =
  | Verified<Api>
  | { readonly ok: false; readonly failure: Failure; readonly accessKeyId?: string }

const reject = (
  failure: Failure,
  accessKeyId?: string
): { ok: false; failure: Failure; accessKeyId?: string } =>
  accessKeyId === undefined ? { ok: false, failure } : { ok: false, failure, accessKeyId }

const checkNonceLength = (name: string, nonce: string): Failure | undefined =>
  nonce.length > MAX_NONCE_LENGTH
    ? invalidParameter(name, `at most ${MAX_NONCE_LENGTH} characters, got ${nonce.length}.`)
    : undefined

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,3})?Z$/

/** `YYYY-MM-DDThh:mm:ssZ` (milliseconds tolerated) to epoch ms; NaN when malformed or not a real date. */
export const parseTimestamp = (text: string): number => {
  const match = TIMESTAMP.exec(text)
  if (match === null) return Number.NaN
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number
  ]
  const ms = Date.UTC(year, month - 1, day, hour, minute, second)
  const date = new Date(ms)
  const valid =
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    hour < 24 &&
    minute < 60 &&
    second < 60
  return valid ? ms : Number.NaN
}

const checkFreshness = <Api>(
  context: AuthContext<Api>,
  api: Api,
  accessKeyId: string,
  name: string,
  timestamp: string,
  nonce: string
): AuthResult<Api> => {
  const sentAt = parseTimestamp(timestamp)
  if (Number.isNaN(sentAt)) return reject(timestampFormat(name), accessKeyId)
  if (Math.abs(context.serverNow() - sentAt) > context.windowMs)
    return reject(timestampExpired(), accessKeyId)
  // Nonces are remembered per AccessKeyId for the length of the timestamp window (docs/protocol.md#nonces).
  const key = nonceKey(accessKeyId, nonce)
  if (context.nonces.has(key, Date.now())) return reject(nonceUsed(), accessKeyId)
  return { ok: true, accessKeyId, api, nonceKey: key }
}

const V2_REQUIRED = [
  "Action",
  "Version",
  "AccessKeyId",
  "Signature",
  "SignatureMethod",
  "SignatureVersion",
  "SignatureNonce",
  "Timestamp"
] as const

/** V2: every parameter (query and form body) but `Signature` is signed, with the real HTTP method. */
export const verifyV2 = <Api>(
  context: AuthContext<Api>,
  method: string,
  params: SignedParams
): AuthResult<Api> => {
  for (const name of V2_REQUIRED) {
    const value = params[name]
    if (value === undefined || value.length === 0) return reject(missingParameter(name), params.AccessKeyId)
  }
  const { Action: action = "", Version: version = "", AccessKeyId: accessKeyId = "" } = params
  const api = context.resolve(action, version)
  if (api === undefined) return reject(invalidApi(action, version), accessKeyId)
  const tooLong = checkNonceLength("SignatureNonce", params.SignatureNonce ?? "")
  if (tooLong !== undefined) return reject(tooLong, accessKeyId)
  if (params.SignatureMethod !== "HMAC-SHA1" || params.SignatureVersion !== "1.0") {
    return reject(
      incompleteSignature(
        `SignatureMethod must be HMAC-SHA1 and SignatureVersion 1.0, got "${params.SignatureMethod}" and "${params.SignatureVersion}".`
      ),
      accessKeyId
    )
  }
  const tokenFailure = context.tokenFailure(accessKeyId, params.SecurityToken)
  if (tokenFailure !== undefined) return reject(tokenFailure, accessKeyId)
  const secret = context.secretOf(accessKeyId)
  if (secret === undefined) return reject(invalidAccessKeyId(), accessKeyId)
  const stringToSign = rpcStringToSign(method, params)
  if (rpcSignStringToSign(stringToSign, secret) !== params.Signature) {
    return reject(signatureDoesNotMatch(`server string to sign is:${stringToSign}`), accessKeyId)
  }
  return checkFreshness(
    context,
    api,
    accessKeyId,
    "Timestamp",
    params.Timestamp ?? "",
    params.SignatureNonce ?? ""
  )
}

interface ParsedAuthorization {
  readonly algorithm: string
  readonly credential: string
  readonly signedHeaders: ReadonlyArray<string>
  readonly signature: string
}

/** `ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=a;b,Signature=hex` (spaces after commas tolerated). */
const parseAuthorization = (header: string): ParsedAuthorization | undefined => {
  const space = header.indexOf(" ")
  if (space === -1) return undefined
  const fields = new Map<string, string>()
  for (const part of header.slice(space + 1).split(",")) {
    const eq = part.indexOf("=")
    if (eq === -1) return undefined
    fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim())
  }
  const credential = fields.get("Credential")
  const signedHeaders = fields.get("SignedHeaders")
  const signature = fields.get("Signature")
  if (!credential || !signedHeaders || !signature) return undefined
  return { algorithm: header.slice(0, space), credential, signedHeaders: signedHeaders.split(";"), signature }
}

export interface V3Request {
  readonly method: string
  readonly authorization: string
  /** Lower-case names, every value of a repeated header (`IncomingMessage.headersDistinct`). */
  readonly headers: Readonly<Record<string, ReadonlyArray<string> | undefined>>
  /** URL query parameters only: the form body is covered by the payload hash. */
  readonly query: SignedParams
  readonly body: Uint8Array
}

const hexEquals = (a: string, b: string): boolean =>
  a.length === b.length && timingSafeEqual(Buffer.from(a, "latin1"), Buffer.from(b.toLowerCase(), "latin1"))

/**
 * V3: the canonical request over exactly the `SignedHeaders` the client named
 * (docs/protocol.md#canonical-request).
 */
export const verifyV3 = <Api>(context: AuthContext<Api>, request: V3Request): AuthResult<Api> => {
  const auth = parseAuthorization(request.authorization)
  if (auth === undefined) {
    return reject(
      incompleteSignature(
        "Expected Authorization: ACS3-HMAC-SHA256 Credential=<AccessKeyId>,SignedHeaders=<h1;h2>,Signature=<hex>."
      )
    )
  }
  if (auth.algorithm !== V3_ALGORITHM) {
    return reject(incompleteSignature(`Unsupported algorithm "${auth.algorithm}"; use ${V3_ALGORITHM}.`))
  }
  const header = (name: string): string | undefined => request.headers[name]?.[0]
  for (const name of ["x-acs-action", "x-acs-version"]) {
    if (!header(name)) return reject(missingParameter(name), auth.credential)
  }
  const action = header("x-acs-action") ?? ""
  const version = header("x-acs-version") ?? ""
  const api = context.resolve(action, version)
  if (api === undefined) return reject(invalidApi(action, version), auth.credential)
  for (const name of ["x-acs-date", "x-acs-signature-nonce", "x-acs-content-sha256"]) {
    if (!header(name)) return reject(missingParameter(name), auth.credential)
  }
  const tooLong = checkNonceLength("x-acs-signature-nonce", header("x-acs-signature-nonce") ?? "")
  if (tooLong !== undefined) return reject(tooLong, auth.credential)
  const tokenFailure = context.tokenFailure(auth.credential, header("x-acs-security-token"))
  if (tokenFailure !== undefined) return reject(tokenFailure, auth.credential)
  const secret = context.secretOf(auth.credential)
  if (secret === undefined) return reject(invalidAccessKeyId(), auth.credential)
  const payloadHash = request.body.length === 0 ? EMPTY_PAYLOAD_SHA256 : sha256Hex(request.body)
  if (header("x-acs-content-sha256") !== payloadHash) {
    return reject(
      signatureDoesNotMatch(
        `x-acs-content-sha256 "${header("x-acs-content-sha256")}" is not the SHA-256 of the request body, server hashed payload is:${payloadHash}`
      ),
      auth.credential
    )
  }
  const canonicalRequest = v3CanonicalRequest({
    method: request.method,
    pathname: "/",
    query: request.query,
    headers: request.headers,
    hashedPayload: payloadHash,
    signedHeaders: auth.signedHeaders
  })
  const stringToSign = v3StringToSign(canonicalRequest)
  const expected = createHmac("sha256", secret).update(stringToSign, "utf8").digest("hex")
  if (!hexEquals(expected, auth.signature)) {
    return reject(
      signatureDoesNotMatch(
        `server string to sign is:${stringToSign} server canonical request is:${canonicalRequest}`
      ),
      auth.credential
    )
  }
  return checkFreshness(
    context,
    api,
    auth.credential,
    "x-acs-date",
    header("x-acs-date") ?? "",
    header("x-acs-signature-nonce") ?? ""
  )
}
