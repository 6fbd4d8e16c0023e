/**
 * Hand-written V2 and V3 signers for the tests, deliberately NOT using src/Signature.ts: they follow the
 * official JS SDK's recipe (encodeURIComponent + `!'()*`) so the two implementations check each other.
 */
import { createHash, createHmac } from "node:crypto"

export const sdkEncode = (value: string): string =>
  encodeURIComponent(value)
    .replace(/!/g, "%21")
    .replace(/'/g, "%27")
    .replace(/\(/g, "%28")
    .replace(/\)/g, "%29")
    .replace(/\*/g, "%2A")

export const v2StringToSign = (method: string, params: Record<string, string>): string => {
  const canonical = Object.keys(params)
    .filter((name) => name !== "Signature")
    .sort()
    .map((name) => `${sdkEncode(name)}=${sdkEncode(params[name] as string)}`)
    .join("&")
  return `${method}&${sdkEncode("/")}&${sdkEncode(canonical)}`
}

export const v2Sign = (method: string, params: Record<string, string>, secret: string): string =>
  createHmac("sha1", `${secret}&`).update(v2StringToSign(method, params)).digest("base64")

export const sha256 = (data: string | Buffer): string => createHash("sha256").update(data).digest("hex")

export interface V3Input {
  readonly method: string
  readonly host: string
  readonly query: Record<string, string>
  /** Extra headers to send and sign (lower-case names), e.g. content-type. */
  readonly headers: Record<string, string>
  readonly body: string
  readonly accessKeyId: string
  readonly secret: string
}

export interface V3Output {
  readonly headers: Record<string, string>
  readonly canonicalRequest: string
}

/** Signs every host / content-type / x-acs-* header, like the official SDK. */
export const v3Sign = (input: V3Input): V3Output => {
  const headers: Record<string, string> = { ...input.headers, host: input.host }
  const signed = Object.keys(headers)
    .map((name) => name.toLowerCase())
    .filter((name) => name === "host" || name === "content-type" || name.startsWith("x-acs-"))
    .sort()
  const canonicalQuery = Object.keys(input.query)
    .sort()
    .map((name) => `${sdkEncode(name)}=${sdkEncode(input.query[name] as string)}`)
    .join("&")
  const canonicalHeaders = signed.map((name) => `${name}:${(headers[name] ?? "").trim()}\n`).join("")
  const payload = headers["x-acs-content-sha256"] ?? sha256(input.body)
  const canonicalRequest = [
    input.method,
    "/",
    canonicalQuery,
    canonicalHeaders,
    signed.join(";"),
    payload
  ].join("\n")
  const stringToSign = `ACS3-HMAC-SHA256\n${sha256(canonicalRequest)}`
  const signature = createHmac("sha256", input.secret).update(stringToSign).digest("hex")
  return {
    headers: {
      ...headers,
      authorization: `ACS3-HMAC-SHA256 Credential=${input.accessKeyId},SignedHeaders=${signed.join(";")},Signature=${signature}`
    },
    canonicalRequest
  }
}
