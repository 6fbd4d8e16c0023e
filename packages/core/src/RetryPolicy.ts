/**
 * Retries in the style of AWS SDK "standard" mode: only retryable failures,
 * exponential backoff with full jitter (a throttled call waits at least half
 * its backoff), a bounded number of attempts, and a client-wide retry quota
 * so that an outage does not multiply the load.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import * as Random from "effect/Random"
import * as Ref from "effect/Ref"
import * as Schedule from "effect/Schedule"
import { isThrottling, type OtaError } from "./IotError.js"

/**
 * The settings of a retry policy; {@link standard} fills in the ones not given.
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import * as RetryPolicy from "@iot-ota/core/RetryPolicy"
 *
 * const policy: RetryPolicy.RetryPolicyService = RetryPolicy.standard({ maxAttempts: 6, maxDelayMs: 30_000 })
 * policy.baseDelayMs // 100: the standard value
 * ```
 */
export interface RetryPolicyService {
  /** Attempts per call, the first included. 1 = no retries. */
  readonly maxAttempts: number
  /** Backoff base for transient errors. */
  readonly baseDelayMs: number
  /**
   * Backoff base for throttling errors: slowing down is the point. A
   * throttled call waits between half of and the whole of its bound.
   */
  readonly throttlingBaseDelayMs: number
  /** No single wait is longer than this. */
  readonly maxDelayMs: number
  /** Tokens in the client-wide retry quota. */
  readonly quotaCapacity: number
  /** Tokens a retry costs. */
  readonly retryCost: number
  /** Tokens a retry after a timeout or transport failure costs. */
  readonly timeoutRetryCost: number
  /** Tokens a first-attempt success gives back. */
  readonly noRetryIncrement: number
}

/**
 * The retry policy as a service. Optional: without it the client uses
 * {@link standard} with the configured `maxAttempts`. Provided to the client
 * layer, it applies to every call; {@link withRetryPolicy} sets it for one.
 *
 * @since 0.1.0
 * @category tags
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import * as OtaClient from "@iot-ota/core/OtaClient"
 * import * as RetryPolicy from "@iot-ota/core/RetryPolicy"
 *
 * // Every call of this client: up to 5 attempts, no wait longer than 2 s.
 * const ClientLive = OtaClient.layer.pipe(
 *   Layer.provide(
 *     Layer.succeed(RetryPolicy.RetryPolicy, RetryPolicy.standard({ maxAttempts: 5, maxDelayMs: 2_000 }))
 *   )
 * )
 * ```
 */
export class RetryPolicy extends Context.Tag("@iot-ota/core/RetryPolicy")<
  RetryPolicy,
  RetryPolicyService
>() {}

/**
 * The standard policy: 3 attempts, full jitter from 100 ms doubling up to
 * 20 s (when throttled: from 1 s, and at least half the bound, so the two
 * retries of a throttled call come 0.5-1 s and then 1-2 s later, time for
 * another client sharing the quota to slow down too), and a quota of 500 tokens (5 per retry,
 * 10 after a timeout or transport failure; a success refunds its cost). A
 * server's `Retry-After` is waited for when it is at most `maxDelayMs`; a
 * longer one ends the call with the error, which carries `retryAfterMs`.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import * as RetryPolicy from "@iot-ota/core/RetryPolicy"
 * const patient = RetryPolicy.standard({ maxAttempts: 5 })
 * ```
 */
export const standard = (options: Partial<RetryPolicyService> = {}): RetryPolicyService => ({
  maxAttempts: 3,
  baseDelayMs: 100,
  throttlingBaseDelayMs: 1_000,
  maxDelayMs: 20_000,
  quotaCapacity: 500,
  retryCost: 5,
  timeoutRetryCost: 10,
  noRetryIncrement: 1,
  ...options
})

/**
 * One attempt, no retries.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { OtaClient } from "@iot-ota/core/OtaClient"
 * import * as RetryPolicy from "@iot-ota/core/RetryPolicy"
 *
 * // A health check should report the first failure, not hide it behind retries.
 * const healthCheck = Effect.flatMap(OtaClient, (client) =>
 *   client.listOTATaskByJob({ jobId: "job-1", pageSize: 1 }).pipe(RetryPolicy.withRetryPolicy(RetryPolicy.none))
 * )
 * ```
 */
export const none: RetryPolicyService = standard({ maxAttempts: 1 })

/**
 * Runs an effect with a given retry policy instead of the client's. The
 * client-wide retry quota still applies.
 *
 * @since 0.1.0
 * @category combinators
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { OtaClient } from "@iot-ota/core/OtaClient"
 * import * as RetryPolicy from "@iot-ota/core/RetryPolicy"
 *
 * // A nightly report can afford to wait out a longer outage than interactive calls.
 * const report = Effect.flatMap(OtaClient, (client) =>
 *   client
 *     .listOTATaskByJob({ jobId: "job-1", taskStatus: "FAILED" })
 *     .pipe(RetryPolicy.withRetryPolicy(RetryPolicy.standard({ maxAttempts: 8 })))
 * )
 * ```
 */
export const withRetryPolicy: {
  (policy: RetryPolicyService): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  <A, E, R>(self: Effect.Effect<A, E, R>, policy: RetryPolicyService): Effect.Effect<A, E, R>
} = dual(2, <A, E, R>(self: Effect.Effect<A, E, R>, policy: RetryPolicyService) =>
  Effect.provideService(self, RetryPolicy, policy)
)

/**
 * The exponential bound for retry number `retry` (0-based): the wait is
 * drawn uniformly below it ("full jitter"), or from its upper half after a
 * throttling answer.
 *
 * @since 0.1.0
 * @category combinators
 * @example
 * ```ts
 * import { ApiError, TimeoutError } from "@iot-ota/core/IotError"
 * import * as RetryPolicy from "@iot-ota/core/RetryPolicy"
 *
 * const policy = RetryPolicy.standard()
 * const timeout = new TimeoutError({ timeoutMs: 10_000, message: "no response" })
 * RetryPolicy.backoffCeilingMs(policy, timeout, 0) // 100: the first retry waits 0 to 100 ms
 * RetryPolicy.backoffCeilingMs(policy, timeout, 3) // 800
 * const throttled = new ApiError({ code: "Throttling.User", message: "slow down", httpStatus: 400, retryable: true })
 * RetryPolicy.backoffCeilingMs(policy, throttled, 0) // 1000: the first retry waits 500 to 1,000 ms
 * ```
 */
export const backoffCeilingMs = (policy: RetryPolicyService, error: OtaError, retry: number): number =>
  Math.min(
    policy.maxDelayMs,
    (isThrottling(error) ? policy.throttlingBaseDelayMs : policy.baseDelayMs) * 2 ** Math.min(retry, 30)
  )

/**
 * A client-wide bucket of retry tokens, shared by every call of one client.
 * Retries drain it and successes refill it, so during an outage retries stop
 * once it is empty instead of multiplying the load.
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { TransportError } from "@iot-ota/core/IotError"
 * import * as RetryPolicy from "@iot-ota/core/RetryPolicy"
 *
 * const policy = RetryPolicy.standard()
 * const error = new TransportError({ message: "connection reset" })
 * const drained = Effect.gen(function* () {
 *   const quota: RetryPolicy.RetryQuota = yield* RetryPolicy.makeQuota(20)
 *   yield* quota.acquire(policy, error) // 10
 *   yield* quota.acquire(policy, error) // 10
 *   return yield* quota.acquire(policy, error) // undefined: no more retries until calls succeed
 * })
 * ```
 */
export interface RetryQuota {
  /** Takes the cost of retrying after `error`; `undefined` when the quota is exhausted. */
  readonly acquire: (policy: RetryPolicyService, error: OtaError) => Effect.Effect<number | undefined>
  /** A call succeeded: refund what its retries cost, or add the no-retry increment. */
  readonly release: (policy: RetryPolicyService, spent: number) => Effect.Effect<void>
  readonly available: Effect.Effect<number>
}

/**
 * A quota of `capacity` tokens. The client makes one per client, sized by its
 * policy's `quotaCapacity`.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { TransportError } from "@iot-ota/core/IotError"
 * import * as RetryPolicy from "@iot-ota/core/RetryPolicy"
 *
 * const policy = RetryPolicy.standard()
 * const available = Effect.gen(function* () {
 *   const quota = yield* RetryPolicy.makeQuota(policy.quotaCapacity)
 *   const cost = yield* quota.acquire(policy, new TransportError({ message: "connection reset" })) // 10
 *   if (cost !== undefined) yield* quota.release(policy, cost) // the retry succeeded: refunded
 *   return yield* quota.available // 500
 * })
 * ```
 */
export const makeQuota = (capacity: number): Effect.Effect<RetryQuota> =>
  Effect.map(Ref.make(capacity), (tokens) => ({
    acquire: (policy, error) => {
      const cost =
        error._tag === "TimeoutError" || error._tag === "TransportError"
          ? policy.timeoutRetryCost
          : policy.retryCost
      return Ref.modify(tokens, (left) => (left >= cost ? [cost, left - cost] : [undefined, left]))
    },
    release: (policy, spent) =>
      Ref.update(tokens, (left) =>
        Math.min(policy.quotaCapacity, left + (spent === 0 ? policy.noRetryIncrement : spent))
      ),
    available: Ref.get(tokens)
  }))

/**
 * The retry `Schedule` for one call: continues while the error is retryable,
 * attempts remain and the quota pays for it, waiting a full-jitter backoff.
 * `spent` accumulates the tokens taken, to refund on success.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { Effect, Ref } from "effect"
 * import type { OtaError } from "@iot-ota/core/IotError"
 * import * as RetryPolicy from "@iot-ota/core/RetryPolicy"
 *
 * // The client's retry behaviour for an effect of your own.
 * declare const call: Effect.Effect<string, OtaError>
 * const policy = RetryPolicy.standard()
 * const retried = Effect.gen(function* () {
 *   const quota = yield* RetryPolicy.makeQuota(policy.quotaCapacity)
 *   const spent = yield* Ref.make(0)
 *   const result = yield* Effect.retry(call, RetryPolicy.schedule(policy, quota, spent))
 *   yield* quota.release(policy, yield* Ref.get(spent))
 *   return result
 * })
 * ```
 */
export const schedule = (
  policy: RetryPolicyService,
  quota: RetryQuota,
  spent: Ref.Ref<number>
): Schedule.Schedule<readonly [OtaError, number], OtaError> =>
  Schedule.identity<OtaError>().pipe(
    Schedule.intersect(Schedule.count),
    Schedule.zipLeft(Schedule.recurs(Math.max(0, policy.maxAttempts - 1))),
    Schedule.whileInputEffect((error) =>
      // A server asking for a longer wait than the policy allows ends the call with its error (which carries the hint).
      error.retryable && retryAfterOf(error) <= policy.maxDelayMs
        ? Effect.flatMap(quota.acquire(policy, error), (cost) =>
            cost === undefined
              ? Effect.as(Effect.logDebug("retry quota exhausted; not retrying"), false)
              : Effect.as(
                  Ref.update(spent, (n) => n + cost),
                  true
                )
          )
        : Effect.succeed(false)
    ),
    Schedule.addDelayEffect(([error, retry]) =>
      Effect.map(Random.next, (r) =>
        Duration.millis(
          Math.max(
            retryAfterOf(error),
            jittered(backoffCeilingMs(policy, error, retry), isThrottling(error), r)
          )
        )
      )
    )
  )

/**
 * A wait below `ceiling`, drawn with `r` in [0, 1). After a throttle, from
 * its upper half: two clients sharing one quota were throttled while one of
 * them kept nearly all of it (it had just been throttled once and climbed
 * back), and retries drawn near 0 ms found the quota as full as before;
 * three in a row ended the call (3 of 60 simulated starts under a token
 * bucket, none with this; test/QuotaModes.test.ts, docs/rate-limiting.md).
 */
const jittered = (ceiling: number, throttled: boolean, r: number): number =>
  throttled ? Math.floor(ceiling / 2 + r * (ceiling / 2 + 1)) : Math.floor(r * (ceiling + 1))

/** The server's `Retry-After` of an error, in milliseconds (0 without one). */
const retryAfterOf = (error: OtaError): number =>
  (error._tag === "ApiError" || error._tag === "HttpError") && error.retryAfterMs !== undefined
    ? error.retryAfterMs
    : 0
