/**
 * The typed errors of the client, and the one table that classifies server
 * error codes (retryable, throttling, authentication, clock skew).
 *
 * Every error is a `Schema.TaggedError`, so it has a runtime class
 * (`instanceof` works), a `_tag` to match on, and a JSON form. None of them
 * ever carries the access key secret.
 *
 * @since 0.1.0
 */
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"

const optionalString = Schema.optional(Schema.String)

/**
 * Invalid input or configuration, raised before any request is built.
 * `field` names the input field (`pageSize`, `endpoint`, ...) and `rule` the
 * constraint it broke.
 *
 * @since 0.1.0
 * @category errors
 * @example
 * ```ts
 * import { ValidationError } from "@iot-ota/core/IotError"
 * new ValidationError({ field: "pageSize", rule: "an integer from 1 to 100", message: "pageSize must be an integer from 1 to 100, got 101" })
 * ```
 */
export class ValidationError extends Schema.TaggedError<ValidationError>("@iot-ota/core/ValidationError")(
  "ValidationError",
  {
    field: Schema.String,
    rule: Schema.String,
    message: Schema.String
  }
) {
  /** Never retried: the same input fails the same way. @since 0.1.0 */
  get retryable(): false {
    return false
  }
}

/**
 * The service answered with an error body (`Code` / `Success: false`), whatever
 * the HTTP status.
 *
 * @since 0.1.0
 * @category errors
 */
export class ApiError extends Schema.TaggedError<ApiError>("@iot-ota/core/ApiError")("ApiError", {
  code: Schema.String,
  message: Schema.String,
  requestId: optionalString,
  httpStatus: Schema.Number,
  retryable: Schema.Boolean
}) {}

/**
 * The response was not an API answer: an unexpected status with a body that
 * is not JSON (an HTML page from a proxy, an empty 502). `excerpt` holds the
 * first characters of the body.
 *
 * @since 0.1.0
 * @category errors
 */
export class HttpError extends Schema.TaggedError<HttpError>("@iot-ota/core/HttpError")("HttpError", {
  httpStatus: Schema.Number,
  excerpt: Schema.String,
  message: Schema.String,
  requestId: optionalString,
  retryable: Schema.Boolean
}) {}

/**
 * The request never got a complete response: connection refused or reset,
 * DNS failure, body cut off mid-stream.
 *
 * @since 0.1.0
 * @category errors
 */
export class TransportError extends Schema.TaggedError<TransportError>("@iot-ota/core/TransportError")(
  "TransportError",
  {
    message: Schema.String
  }
) {
  /** Transport failures are always worth another attempt. @since 0.1.0 */
  get retryable(): true {
    return true
  }
}

/**
 * One attempt took longer than the configured `timeoutMs`.
 *
 * @since 0.1.0
 * @category errors
 */
export class TimeoutError extends Schema.TaggedError<TimeoutError>("@iot-ota/core/TimeoutError")(
  "TimeoutError",
  {
    timeoutMs: Schema.Number,
    message: Schema.String
  }
) {
  /** A timed-out attempt is retried. @since 0.1.0 */
  get retryable(): true {
    return true
  }
}

/**
 * The body is not the documented shape. A body that is not JSON at all on a
 * 2xx (truncated mid-transfer) is `retryable`; JSON of the wrong shape is not.
 *
 * @since 0.1.0
 * @category errors
 */
export class DecodeError extends Schema.TaggedError<DecodeError>("@iot-ota/core/DecodeError")("DecodeError", {
  message: Schema.String,
  httpStatus: Schema.Number,
  excerpt: Schema.String,
  requestId: optionalString,
  retryable: Schema.Boolean
}) {}

/**
 * Every error a call can fail with.
 *
 * @since 0.1.0
 * @category models
 */
export type OtaError = ValidationError | ApiError | HttpError | TransportError | TimeoutError | DecodeError

/**
 * The error codes of the service that are worth another attempt (compared
 * case-insensitively: the docs spell `Iot.system.SystemException` too).
 *
 * @since 0.1.0
 * @category models
 */
export const RETRYABLE_CODES: ReadonlySet<string> = new Set([
  "throttling",
  "throttling.user",
  "throttling.api",
  "throttling.concurrency",
  "serviceunavailable",
  "serviceunavailabletemp",
  "internalerror",
  "unknownerror",
  "iot.system.systemexception"
])

/**
 * Flow-control codes. Retried, with a longer backoff base than other errors.
 *
 * @since 0.1.0
 * @category models
 */
export const THROTTLING_CODES: ReadonlySet<string> = new Set([
  "throttling",
  "throttling.user",
  "throttling.api",
  "throttling.concurrency"
])

/**
 * Codes that mean the credentials or the signature are wrong.
 *
 * @since 0.1.0
 * @category models
 */
export const AUTH_CODES: ReadonlySet<string> = new Set([
  "signaturedoesnotmatch",
  "incompletesignature",
  "invalidaccesskeyid.notfound",
  "invalidaccesskeyid.inactive",
  "invalidaccesskeyid",
  "forbidden.accesskeydisabled",
  "forbidden.ram",
  "forbidden",
  "invalidsecuritytoken.expired",
  "iot.common.rampermissiondeny",
  "iot.common.ramactionpermissiondeny"
])

/**
 * Codes that mean the request's timestamp is too far from the server's clock.
 *
 * @since 0.1.0
 * @category models
 */
export const CLOCK_SKEW_CODES: ReadonlySet<string> = new Set([
  "invalidtimestamp.expired",
  "requesttimetooskewed",
  "illegaltimestamp"
])

/** HTTP statuses that say "try again" whatever the body. */
const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 500, 502, 503, 504])

/**
 * Whether a server error code is worth another attempt.
 *
 * @since 0.1.0
 * @category guards
 */
export const isRetryableCode = (code: string): boolean => RETRYABLE_CODES.has(code.toLowerCase())

/**
 * Whether an HTTP status is transient (429, 500, 502, 503, 504).
 *
 * @since 0.1.0
 * @category guards
 */
export const isRetryableStatus = (status: number): boolean => RETRYABLE_STATUSES.has(status)

const OTA_ERROR_TAGS: ReadonlySet<string> = new Set([
  "ValidationError",
  "ApiError",
  "HttpError",
  "TransportError",
  "TimeoutError",
  "DecodeError"
])

/**
 * Whether a value is one of this package's errors.
 *
 * @since 0.1.0
 * @category guards
 */
export const isOtaError = (u: unknown): u is OtaError =>
  Predicate.hasProperty(u, "_tag") &&
  typeof u._tag === "string" &&
  OTA_ERROR_TAGS.has(u._tag) &&
  u instanceof Error

/**
 * Whether another attempt may succeed.
 *
 * @since 0.1.0
 * @category guards
 */
export const isRetryable = (error: OtaError): boolean => error.retryable

/**
 * Whether the server asked us to slow down.
 *
 * @since 0.1.0
 * @category guards
 */
export const isThrottling = (error: OtaError): boolean =>
  (error._tag === "ApiError" && THROTTLING_CODES.has(error.code.toLowerCase())) ||
  ((error._tag === "HttpError" || error._tag === "ApiError") && error.httpStatus === 429)

/**
 * Whether the credentials or the signature were rejected.
 *
 * @since 0.1.0
 * @category guards
 */
export const isAuthError = (error: OtaError): boolean =>
  error._tag === "ApiError" && AUTH_CODES.has(error.code.toLowerCase())

/**
 * Whether the server rejected the request's timestamp.
 *
 * @since 0.1.0
 * @category guards
 */
export const isClockSkewError = (error: OtaError): boolean =>
  error._tag === "ApiError" && CLOCK_SKEW_CODES.has(error.code.toLowerCase())
