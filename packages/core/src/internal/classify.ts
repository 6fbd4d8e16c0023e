import { ApiError, DecodeError, HttpError, isRetryableCode, isRetryableStatus } from "../IotError.js"

const EXCERPT_LENGTH = 200

/** The first characters of a body, whitespace collapsed, for error messages. */
export const excerpt = (body: string): string => {
  const collapsed = body
    .slice(0, EXCERPT_LENGTH * 2)
    .replace(/\s+/g, " ")
    .trim()
  return collapsed.length > EXCERPT_LENGTH ? collapsed.slice(0, EXCERPT_LENGTH) + "…" : collapsed
}

const pick = (body: Record<string, unknown>, ...names: ReadonlyArray<string>): unknown => {
  for (const name of names) {
    const value = body[name]
    if (value !== undefined && value !== null) return value
  }
  return undefined
}

/** The first character code that is not JSON whitespace (without copying a long body, as `trimStart` does). */
const firstSignificant = (text: string): number => {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13) return c
  }
  return Number.NaN
}

/** Codes some gateways put in the `Code` field of a success. */
const SUCCESS_CODES = new Set(["", "200", "ok", "success"])

/** The outcome of looking at a response before decoding it. */
export type Classified =
  | { readonly _tag: "Success"; readonly body: unknown; readonly requestId: string | undefined }
  | { readonly _tag: "Failure"; readonly error: ApiError | HttpError | DecodeError }

/**
 * Sorts a response into success or a typed error, reading the JSON envelope
 * (`Code`, `Success`, `RequestId`) before the HTTP status: the service sends
 * `Success: false` with HTTP 200, and proxies send HTML with 5xx.
 */
export const classify = (status: number, text: string, retryAfterMs?: number | undefined): Classified => {
  const hinted = retryAfterMs === undefined ? {} : { retryAfterMs }
  const ok = status >= 200 && status < 300
  let parsed: unknown
  const first = firstSignificant(text)
  const looksLikeJson = first === 123 /* { */ || first === 91 /* [ */
  if (looksLikeJson) {
    try {
      parsed = JSON.parse(text)
    } catch {
      parsed = undefined
    }
  }
  if (parsed === undefined) {
    const message = ok
      ? `HTTP ${status} response body is not JSON (cut off or not an API response): ${excerpt(text) || "<empty>"}`
      : `HTTP ${status} with a non-JSON body: ${excerpt(text) || "<empty>"}`
    return {
      _tag: "Failure",
      error: ok
        ? new DecodeError({ message, httpStatus: status, excerpt: excerpt(text), retryable: true })
        : new HttpError({
            message,
            httpStatus: status,
            excerpt: excerpt(text),
            retryable: isRetryableStatus(status),
            ...hinted
          })
    }
  }
  const envelope =
    parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : {}
  const rawRequestId = pick(envelope, "RequestId", "requestId", "requestID")
  const requestId = typeof rawRequestId === "string" ? rawRequestId : undefined
  const rawCode = pick(envelope, "Code", "code")
  const code = typeof rawCode === "string" || typeof rawCode === "number" ? String(rawCode) : undefined
  const success = pick(envelope, "Success", "success")
  const failed =
    success === false || success === "false" || (code !== undefined && !SUCCESS_CODES.has(code.toLowerCase()))
  if (failed) {
    const rawMessage = pick(envelope, "Message", "message", "ErrorMessage", "errorMessage", "errorMsg")
    const finalCode = code === undefined || code === "" ? `HTTP${status}` : code
    return {
      _tag: "Failure",
      error: new ApiError({
        code: finalCode,
        message: typeof rawMessage === "string" ? rawMessage : "",
        ...(requestId === undefined ? {} : { requestId }),
        httpStatus: status,
        retryable: isRetryableCode(finalCode) || isRetryableStatus(status),
        ...hinted
      })
    }
  }
  if (!ok) {
    return {
      _tag: "Failure",
      error: new HttpError({
        message: `HTTP ${status}: ${excerpt(text)}`,
        httpStatus: status,
        excerpt: excerpt(text),
        ...(requestId === undefined ? {} : { requestId }),
        retryable: isRetryableStatus(status),
        ...hinted
      })
    }
  }
  return { _tag: "Success", body: parsed, requestId }
}

/**
 * A `Retry-After` header in milliseconds: delta-seconds, or an HTTP date
 * measured against the response's own `Date` (both from the server's clock).
 */
export const retryAfterMillis = (
  retryAfter: string | undefined,
  date: string | undefined
): number | undefined => {
  if (retryAfter === undefined) return undefined
  const text = retryAfter.trim()
  if (/^\d{1,9}$/.test(text)) return Number(text) * 1000
  const at = Date.parse(text)
  const now = date === undefined ? Number.NaN : Date.parse(date)
  return Number.isNaN(at) || Number.isNaN(now) ? undefined : Math.max(0, at - now)
}
