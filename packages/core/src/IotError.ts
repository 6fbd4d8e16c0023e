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
 * the HTTP status. `code` is the service's error code (compare it
 * case-insensitively), `requestId` what support asks for.
 *
 * @since 0.1.0
 * @category errors
 * @example
 * ```ts
 * import { Effect, Option } from "effect"
 * import { OtaClient } from "@iot-ota/core/OtaClient"
 *
 * // A job that does not exist (any more) is "no page", not a failure.
 * const firstPage = (jobId: string) =>
 *   Effect.flatMap(OtaClient, (client) => client.listOTATaskByJob({ jobId })).pipe(
 *     Effect.map(Option.some),
 *     Effect.catchTag("ApiError", (error) =>
 *       error.code === "iot.ota.NotExistedJob" ? Effect.succeed(Option.none()) : Effect.fail(error)
 *     )
 *   )
 * ```
 */
export class ApiError extends Schema.TaggedError<ApiError>("@iot-ota/core/ApiError")("ApiError", {
  code: Schema.String,
  message: Schema.String,
  requestId: optionalString,
  httpStatus: Schema.Number,
  retryable: Schema.Boolean,
  /** The server's `Retry-After`, in milliseconds, when it sent one. */
  retryAfterMs: Schema.optional(Schema.Number),
  /** What to check, added by the client (e.g. which credential source signed a rejected request). */
  hint: optionalString
}) {}

/**
 * The response was not an API answer: an unexpected status with a body that
 * is not JSON (an HTML page from a proxy, an empty 502). `excerpt` holds the
 * first characters of the body.
 *
 * @since 0.1.0
 * @category errors
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { OtaClient } from "@iot-ota/core/OtaClient"
 *
 * const page = Effect.flatMap(OtaClient, (client) => client.listOTATaskByJob({ jobId: "job-1" })).pipe(
 *   Effect.tapErrorTag("HttpError", (error) =>
 *     Effect.logError(`HTTP ${error.httpStatus}, not from the API (a proxy?): ${error.excerpt}`)
 *   )
 * )
 * ```
 */
export class HttpError extends Schema.TaggedError<HttpError>("@iot-ota/core/HttpError")("HttpError", {
  httpStatus: Schema.Number,
  excerpt: Schema.String,
  message: Schema.String,
  requestId: optionalString,
  retryable: Schema.Boolean,
  /** The server's `Retry-After`, in milliseconds, when it sent one. */
  retryAfterMs: Schema.optional(Schema.Number)
}) {}

/**
 * The request never got a complete response: connection refused or reset,
 * DNS failure, body cut off mid-stream. The message names the host, never
 * the URL (its query holds the signature).
 *
 * @since 0.1.0
 * @category errors
 * @example
 * ```ts
 * import { TransportError } from "@iot-ota/core/IotError"
 * import { ListOTATaskByJob } from "@iot-ota/core/operations/ListOTATaskByJob"
 * import type { PromiseClient } from "@iot-ota/core/PromiseClient"
 *
 * declare const client: PromiseClient // an `@iot-ota/node` or `@iot-ota/edge` OtaClient
 * try {
 *   await client.call(ListOTATaskByJob, { jobId: "job-1" })
 * } catch (error) {
 *   // Seen only once the retries are used up.
 *   if (error instanceof TransportError) console.error(`network down? ${error.message}`)
 *   else throw error
 * }
 * ```
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
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { OtaClient } from "@iot-ota/core/OtaClient"
 *
 * const page = Effect.flatMap(OtaClient, (client) => client.listOTATaskByJob({ jobId: "job-1" })).pipe(
 *   Effect.tapErrorTag("TimeoutError", (error) =>
 *     Effect.logWarning(`every attempt took over ${error.timeoutMs} ms; raise timeoutMs?`)
 *   )
 * )
 * ```
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
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { OtaClient } from "@iot-ota/core/OtaClient"
 *
 * const page = Effect.flatMap(OtaClient, (client) => client.listOTATaskByJob({ jobId: "job-1" })).pipe(
 *   Effect.tapErrorTag("DecodeError", (error) =>
 *     Effect.logError(`unexpected response (request ${error.requestId ?? "unknown"}): ${error.message}`)
 *   )
 * )
 * ```
 */
export class DecodeError extends Schema.TaggedError<DecodeError>("@iot-ota/core/DecodeError")("DecodeError", {
  message: Schema.String,
  httpStatus: Schema.Number,
  excerpt: Schema.String,
  requestId: optionalString,
  retryable: Schema.Boolean
}) {}

/**
 * Why a credential provider gave no credential:
 *
 * - `NotConfigured`: the source holds nothing (variables unset, no profile
 *   file); a chain moves on to its next member.
 * - `Invalid`: the source is configured but unusable (half a key pair, an
 *   unknown profile mode, a malformed answer); fixing it takes a human.
 * - `Refused`: the issuer said no (STS rejected the role or the base key).
 * - `Unavailable`: the issuer could not be reached or failed (network,
 *   timeout, 5xx, throttling); another attempt may succeed.
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import type { CredentialsErrorReason } from "@iot-ota/core/IotError"
 *
 * const worthRetrying = (reason: CredentialsErrorReason) => reason === "Unavailable"
 * ```
 */
export type CredentialsErrorReason = "NotConfigured" | "Invalid" | "Refused" | "Unavailable"

/**
 * A credential provider could not supply a credential. `provider` is where
 * credentials were to come from (e.g. `env OTA_ACCESS_KEY_ID`, `profile prod
 * (~/.config/iot-ota/credentials)`, `ecs-metadata role app-role`); `message`
 * says why. Neither ever holds a secret or a security token.
 *
 * @since 0.1.0
 * @category errors
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { OtaClient } from "@iot-ota/core/OtaClient"
 *
 * const page = Effect.flatMap(OtaClient, (client) => client.listOTATaskByJob({ jobId: "job-1" })).pipe(
 *   Effect.tapErrorTag("CredentialsError", (error) =>
 *     Effect.logError(`no credentials from ${error.provider}: ${error.message}`)
 *   )
 * )
 * ```
 */
export class CredentialsError extends Schema.TaggedError<CredentialsError>("@iot-ota/core/CredentialsError")(
  "CredentialsError",
  {
    provider: Schema.String,
    message: Schema.String,
    reason: Schema.Literal("NotConfigured", "Invalid", "Refused", "Unavailable"),
    retryable: Schema.Boolean
  }
) {}

/**
 * A listing that cannot keep its promise of every item exactly once,
 * because the server did not page as documented: `reason` says what it did.
 * `delivered` counts the items handed out before the failure (each once).
 *
 * - `PageSizeNotHonoured`: a page came with a size other than the one the
 *   listing settled on.
 * - `ShortPage`: a page before the last held fewer items than its size (or none).
 * - `PageMismatch`: the server answered another page than the one asked.
 * - `TotalChanged`: the total moved while paging (items were added, removed,
 *   or moved in or out of a filter).
 * - `Repeated`: a page held items already delivered.
 * - `TooLarge`: the listing is larger than the server pages through, and
 *   cannot be split (see the message).
 *
 * @since 0.1.0
 * @category errors
 * @example
 * ```ts
 * import type { PaginationError } from "@iot-ota/core/IotError"
 *
 * const explain = (error: PaginationError) =>
 *   `${error.reason} at page ${error.page}: ${error.delivered} of ${error.total} delivered`
 * ```
 */
export class PaginationError extends Schema.TaggedError<PaginationError>("@iot-ota/core/PaginationError")(
  "PaginationError",
  {
    reason: Schema.Literal(
      "PageSizeNotHonoured",
      "ShortPage",
      "PageMismatch",
      "TotalChanged",
      "Repeated",
      "TooLarge"
    ),
    message: Schema.String,
    /** The page (1-based) where the problem showed. */
    page: Schema.Number,
    /** Items delivered before the failure. */
    delivered: Schema.Number,
    /** The total the listing was working to. */
    total: Schema.Number,
    requestId: optionalString
  }
) {
  /** Not retried by the client; listing again may succeed once the data or the server settles. @since 0.1.0 */
  get retryable(): false {
    return false
  }
}

/**
 * Every error a call can fail with.
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import type { OtaError } from "@iot-ota/core/IotError"
 *
 * const describe = (error: OtaError): string => {
 *   switch (error._tag) {
 *     case "ValidationError":
 *       return `${error.field} must be ${error.rule}`
 *     case "ApiError":
 *       return `${error.code}: ${error.message} (request ${error.requestId ?? "unknown"})`
 *     case "HttpError":
 *     case "DecodeError":
 *       return `HTTP ${error.httpStatus}: ${error.message}`
 *     case "TransportError":
 *     case "TimeoutError":
 *     case "PaginationError":
 *       return error.message
 *     case "CredentialsError":
 *       return `credentials from ${error.provider}: ${error.message}`
 *   }
 * }
 * ```
 */
export type OtaError =
  | ValidationError
  | ApiError
  | HttpError
  | TransportError
  | TimeoutError
  | DecodeError
  | CredentialsError
  | PaginationError

/**
 * The error codes of the service that are worth another attempt (compared
 * case-insensitively: the docs spell `Iot.system.SystemException` too).
 * The set holds them lower-cased; {@link isRetryableCode} does the lowering.
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import { RETRYABLE_CODES } from "@iot-ota/core/IotError"
 *
 * RETRYABLE_CODES.has("ServiceUnavailable".toLowerCase()) // true
 * ```
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
 * Flow-control codes, lower-cased. Retried, with a longer backoff base than
 * other errors.
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import { THROTTLING_CODES } from "@iot-ota/core/IotError"
 *
 * THROTTLING_CODES.has("Throttling.User".toLowerCase()) // true
 * ```
 */
export const THROTTLING_CODES: ReadonlySet<string> = new Set([
  "throttling",
  "throttling.user",
  "throttling.api",
  "throttling.concurrency"
])

/**
 * Codes that mean the credentials or the signature are wrong, lower-cased.
 * Never retried: the same request fails the same way.
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import { AUTH_CODES } from "@iot-ota/core/IotError"
 *
 * AUTH_CODES.has("InvalidAccessKeyId.NotFound".toLowerCase()) // true
 * ```
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
  "invalidsecuritytoken.malformed",
  "invalidsecuritytoken.mismatchwithaccesskey",
  "missingsecuritytoken",
  "iot.common.rampermissiondeny",
  "iot.common.ramactionpermissiondeny"
])

/**
 * Codes that mean the request's timestamp is too far from the server's clock,
 * lower-cased. When the response has a `Date` header, the client corrects
 * its clock from it and tries once more.
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import { CLOCK_SKEW_CODES } from "@iot-ota/core/IotError"
 *
 * CLOCK_SKEW_CODES.has("InvalidTimeStamp.Expired".toLowerCase()) // true
 * ```
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
 * @example
 * ```ts
 * import { isRetryableCode } from "@iot-ota/core/IotError"
 *
 * isRetryableCode("Throttling.User") // true
 * isRetryableCode("iot.ota.NotExistedJob") // false
 * ```
 */
export const isRetryableCode = (code: string): boolean => RETRYABLE_CODES.has(code.toLowerCase())

/**
 * Whether an HTTP status is transient (429, 500, 502, 503, 504).
 *
 * @since 0.1.0
 * @category guards
 * @example
 * ```ts
 * import { isRetryableStatus } from "@iot-ota/core/IotError"
 *
 * isRetryableStatus(503) // true
 * isRetryableStatus(404) // false
 * ```
 */
export const isRetryableStatus = (status: number): boolean => RETRYABLE_STATUSES.has(status)

const OTA_ERROR_TAGS: ReadonlySet<string> = new Set([
  "ValidationError",
  "ApiError",
  "HttpError",
  "TransportError",
  "TimeoutError",
  "DecodeError",
  "CredentialsError",
  "PaginationError"
])

/**
 * Whether a value is one of this package's errors: what to check first in a
 * `catch`, where the error is `unknown`.
 *
 * @since 0.1.0
 * @category guards
 * @example
 * ```ts
 * import { isOtaError } from "@iot-ota/core/IotError"
 * import { ListOTATaskByJob } from "@iot-ota/core/operations/ListOTATaskByJob"
 * import type { PromiseClient } from "@iot-ota/core/PromiseClient"
 *
 * declare const client: PromiseClient // an `@iot-ota/node` or `@iot-ota/edge` OtaClient
 * try {
 *   await client.call(ListOTATaskByJob, { jobId: "job-1" })
 * } catch (error) {
 *   if (!isOtaError(error)) throw error
 *   console.error(`${error._tag}: ${error.message}`)
 * }
 * ```
 */
export const isOtaError = (u: unknown): u is OtaError =>
  Predicate.hasProperty(u, "_tag") &&
  typeof u._tag === "string" &&
  OTA_ERROR_TAGS.has(u._tag) &&
  u instanceof Error

/**
 * Whether another attempt may succeed. The client has already retried such
 * errors when a call rejects with one: it means "try again later", while any
 * other error needs a change of input, configuration or permissions.
 *
 * @since 0.1.0
 * @category guards
 * @example
 * ```ts
 * import { isOtaError, isRetryable } from "@iot-ota/core/IotError"
 * import { ListOTATaskByJob } from "@iot-ota/core/operations/ListOTATaskByJob"
 * import type { PromiseClient } from "@iot-ota/core/PromiseClient"
 *
 * declare const client: PromiseClient // an `@iot-ota/node` or `@iot-ota/edge` OtaClient
 * try {
 *   await client.call(ListOTATaskByJob, { jobId: "job-1" })
 * } catch (error) {
 *   if (isOtaError(error) && isRetryable(error)) console.warn("the service is busy; try again later")
 *   else throw error
 * }
 * ```
 */
export const isRetryable = (error: OtaError): boolean => error.retryable

/**
 * Whether the server asked us to slow down (a throttling code, or HTTP 429).
 *
 * @since 0.1.0
 * @category guards
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { isThrottling } from "@iot-ota/core/IotError"
 * import { OtaClient } from "@iot-ota/core/OtaClient"
 *
 * const page = Effect.flatMap(OtaClient, (client) => client.listOTATaskByJob({ jobId: "job-1" })).pipe(
 *   Effect.tapError((error) =>
 *     isThrottling(error) ? Effect.logWarning("throttled: lower qps, or share the quota") : Effect.void
 *   )
 * )
 * ```
 */
export const isThrottling = (error: OtaError): boolean =>
  (error._tag === "ApiError" && THROTTLING_CODES.has(error.code.toLowerCase())) ||
  ((error._tag === "HttpError" || error._tag === "ApiError") && error.httpStatus === 429)

/**
 * Whether the credentials or the signature were rejected, or the key lacks
 * the RAM permission.
 *
 * @since 0.1.0
 * @category guards
 * @example
 * ```ts
 * import { isAuthError, isOtaError } from "@iot-ota/core/IotError"
 * import { ListOTATaskByJob } from "@iot-ota/core/operations/ListOTATaskByJob"
 * import type { PromiseClient } from "@iot-ota/core/PromiseClient"
 *
 * declare const client: PromiseClient // an `@iot-ota/node` or `@iot-ota/edge` OtaClient
 * try {
 *   await client.call(ListOTATaskByJob, { jobId: "job-1" })
 * } catch (error) {
 *   if (isOtaError(error) && isAuthError(error)) console.error(`check the credentials from ${client.credentialsSource}`)
 *   throw error
 * }
 * ```
 */
export const isAuthError = (error: OtaError): boolean =>
  error._tag === "ApiError" && AUTH_CODES.has(error.code.toLowerCase())

/**
 * Whether the server rejected the request's timestamp. The client already
 * retries once with the server's clock when the response tells it, so this
 * error usually means the local clock needs fixing.
 *
 * @since 0.1.0
 * @category guards
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { isClockSkewError } from "@iot-ota/core/IotError"
 * import { OtaClient } from "@iot-ota/core/OtaClient"
 *
 * const page = Effect.flatMap(OtaClient, (client) => client.listOTATaskByJob({ jobId: "job-1" })).pipe(
 *   Effect.tapError((error) =>
 *     isClockSkewError(error) ? Effect.logError("is this machine's clock in sync?") : Effect.void
 *   )
 * )
 * ```
 */
export const isClockSkewError = (error: OtaError): boolean =>
  error._tag === "ApiError" && CLOCK_SKEW_CODES.has(error.code.toLowerCase())
