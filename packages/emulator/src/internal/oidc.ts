/**
 * The emulator's OIDC identity providers and their tokens: JWTs signed with HMAC-SHA256 (`alg: HS256`) by the
 * provider's secret. A real provider (ACK's issuer) signs with RSA and publishes its keys; a shared secret keeps
 * the emulator free of key management while checking the same things STS checks: three parts, the algorithm,
 * the signature, the issuer, the audience and the expiry.
 */
import { Buffer } from "node:buffer"
import { createHmac, timingSafeEqual } from "node:crypto"
import { type Failure, oidcFailure } from "./errors.js"

export interface OidcProviderDef {
  readonly arn: string
  /** The `iss` its tokens carry. */
  readonly issuer: string
  /** The HS256 key. */
  readonly secret: string
  /** Accepted `aud` values (the provider's client ids). */
  readonly clientIds: ReadonlyArray<string>
}

export interface OidcClaims {
  readonly iss: string
  readonly sub: string
  readonly aud: string | ReadonlyArray<string>
  /** Epoch seconds. */
  readonly exp: number
  readonly iat: number
}

const base64url = (data: Buffer | string): string => Buffer.from(data).toString("base64url")

const HEADER = base64url(JSON.stringify({ alg: "HS256", typ: "JWT" }))

const sign = (secret: string, signingInput: string): Buffer =>
  createHmac("sha256", secret).update(signingInput, "utf8").digest()

export const mintOidcToken = (provider: OidcProviderDef, claims: OidcClaims): string => {
  const signingInput = `${HEADER}.${base64url(JSON.stringify(claims))}`
  return `${signingInput}.${base64url(sign(provider.secret, signingInput))}`
}

const decodePart = (part: string): unknown => {
  if (!/^[\w-]+$/.test(part)) return undefined
  try {
    return JSON.parse(Buffer.from(part, "base64url").toString("utf8"))
  } catch {
    return undefined
  }
}

const invalid = (detail: string): Failure =>
  oidcFailure("OIDCToken.Invalid", `The OIDC token is invalid: ${detail}`)

/** The token's claims once every check passed, or the refusal STS answers. `now` in epoch ms. */
export const verifyOidcToken = (
  provider: OidcProviderDef,
  token: string,
  now: number
): { readonly ok: true; readonly claims: OidcClaims } | { readonly ok: false; readonly failure: Failure } => {
  const fail = (failure: Failure) => ({ ok: false as const, failure })
  const parts = token.split(".")
  if (parts.length !== 3) return fail(invalid("a JWT has three parts separated by dots."))
  const [headerPart = "", payloadPart = "", signaturePart = ""] = parts
  const header = decodePart(headerPart) as { alg?: unknown } | undefined
  if (typeof header !== "object" || header === null) return fail(invalid("the header is not base64url JSON."))
  if (header.alg !== "HS256")
    return fail(
      invalid(`unsupported alg ${JSON.stringify(header.alg)}; the emulator's providers sign HS256.`)
    )
  const claims = decodePart(payloadPart) as Partial<OidcClaims> | undefined
  if (typeof claims !== "object" || claims === null)
    return fail(invalid("the payload is not base64url JSON."))
  const expected = sign(provider.secret, `${headerPart}.${payloadPart}`)
  const given = /^[\w-]*$/.test(signaturePart) ? Buffer.from(signaturePart, "base64url") : Buffer.alloc(0)
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return fail(oidcFailure("OIDCToken.InvalidSignature", "The signature of the OIDC token is invalid."))
  if (claims.iss !== provider.issuer) return fail(invalid(`the issuer is not the one of ${provider.arn}.`))
  const audiences =
    typeof claims.aud === "string" ? [claims.aud] : Array.isArray(claims.aud) ? claims.aud : []
  if (!audiences.some((aud) => provider.clientIds.includes(aud)))
    return fail(
      oidcFailure(
        "OIDCToken.AudienceNotMatch",
        `The audience of the OIDC token is not one of the provider's client ids (${provider.clientIds.join(", ")}).`
      )
    )
  if (typeof claims.exp !== "number" || typeof claims.sub !== "string" || typeof claims.iat !== "number")
    return fail(invalid("the claims exp, iat and sub are required."))
  if (claims.exp * 1000 <= now) return fail(oidcFailure("OIDCToken.Expired", "This JsonWebToken is expired."))
  return { ok: true, claims: claims as OidcClaims }
}
