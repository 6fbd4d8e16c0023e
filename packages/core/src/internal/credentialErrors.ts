/**
 * What the client adds to a failed attempt's error about the credential it
 * signed with: the secret and the security token scrubbed from server text
 * (a `SignatureDoesNotMatch` message quotes the server's string to sign,
 * `SecurityToken` included), and, when the credential was refused, where it
 * came from and what to check. Never a secret or a token.
 */
import * as Redacted from "effect/Redacted"
import type { Credential } from "../Credentials.js"
import { ApiError, DecodeError, HttpError, type OtaError } from "../IotError.js"
import { percentEncode } from "../Signer.js"

/** Every spelling of a value that server text may quote: raw, percent-encoded once and twice. */
const spellings = (value: string): ReadonlyArray<string> => {
  const once = percentEncode(value)
  const twice = percentEncode(once)
  return [...new Set([twice, once, value])].filter((text) => text.length >= 8)
}

/** `text` with every spelling of every secret replaced by `<redacted>`. */
export const scrub = (text: string, secrets: ReadonlyArray<string>): string => {
  let out = text
  for (const secret of secrets)
    for (const spelling of spellings(secret))
      if (out.includes(spelling)) out = out.replaceAll(spelling, "<redacted>")
  return out
}

/** The secret values of a credential, for {@link scrub}. */
export const secretsOf = (credential: Credential): ReadonlyArray<string> =>
  credential.securityToken === undefined
    ? [Redacted.value(credential.accessKeySecret)]
    : [Redacted.value(credential.securityToken), Redacted.value(credential.accessKeySecret)]

/** What to check for each kind of refusal (codes lower-cased). */
const hintFor = (code: string, credential: Credential): string | undefined => {
  if (code === "signaturedoesnotmatch" || code === "incompletesignature")
    return `check that the AccessKey secret is the one of AccessKey ${credential.accessKeyId}, without a stray space or line break${credential.securityToken === undefined ? "" : ", and that the security token was issued with it"}, and that this computer's clock is right`
  if (code.startsWith("invalidaccesskeyid"))
    return `AccessKey ${credential.accessKeyId} is unknown or disabled; check the id`
  if (code === "missingsecuritytoken")
    return `AccessKey ${credential.accessKeyId} is temporary (STS) and must be sent with its security token; pass securityToken too`
  if (code.startsWith("invalidsecuritytoken"))
    return "the security token was refused (expired, malformed or not issued for this AccessKey); temporary credentials must be refreshed"
  if (code.startsWith("forbidden") || code.includes("permissiondeny"))
    return `the identity behind AccessKey ${credential.accessKeyId} lacks the RAM permission for this call`
  return undefined
}

/**
 * The error of an attempt signed with `credential` from `source`: server
 * text scrubbed of the credential's secrets and, for a refused credential,
 * the source and what to check appended to the message.
 */
export const annotateError = (error: OtaError, credential: Credential, source: string): OtaError => {
  switch (error._tag) {
    case "ApiError": {
      const secrets = secretsOf(credential)
      // Annotated once: a clock-skew retry runs inside the attempt that failed first.
      const hint = error.message.includes("[credentials from ")
        ? undefined
        : hintFor(error.code.toLowerCase(), credential)
      const message = scrub(error.message, secrets)
      if (hint === undefined && message === error.message) return error
      const full = hint === undefined ? undefined : `credentials from ${source}: ${hint}`
      return new ApiError({
        code: error.code,
        message: full === undefined ? message : `${message} [${full}]`,
        httpStatus: error.httpStatus,
        retryable: error.retryable,
        ...(error.requestId === undefined ? {} : { requestId: error.requestId }),
        ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
        ...(full === undefined ? {} : { hint: full })
      })
    }
    case "HttpError":
    case "DecodeError": {
      const secrets = secretsOf(credential)
      const message = scrub(error.message, secrets)
      const excerpt = scrub(error.excerpt, secrets)
      if (message === error.message && excerpt === error.excerpt) return error
      const fields = {
        message,
        excerpt,
        httpStatus: error.httpStatus,
        retryable: error.retryable,
        ...(error.requestId === undefined ? {} : { requestId: error.requestId })
      }
      return error._tag === "HttpError"
        ? new HttpError({
            ...fields,
            ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs })
          })
        : new DecodeError(fields)
    }
    default:
      return error
  }
}
