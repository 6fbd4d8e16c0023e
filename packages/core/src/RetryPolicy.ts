/**
 * Retries in the style of AWS SDK "standard" mode: only retryable failures,
 * exponential backoff with full jitter, a bounded number of attempts, and a
 * client-wide retry quota so that an outage does not multiply the load.
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
 * @since 0.1.0
 * @category models
 */
export interface RetryPolicyService {
  /** Attempts per call, the first included. 1 = no retries. */
  readonly maxAttempts: number
  /** Backoff base for transient errors. */
  readonly baseDelayMs: number
  /** Backoff base for throttling errors: slowing down is the point. */
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
 * @since 0.1.0
 * @category tags
 */
export class RetryPolicy extends Context.Tag("@iot-ota/core/RetryPolicy")<
  RetryPolicy,
  RetryPolicyService
>() {}

/**
 * The standard policy: 3 attempts, full jitter from 100 ms (500 ms when
 * throttled) doubling up to 10 s, and a quota of 500 tokens (5 per retry,
 * 10 after a timeout or transport failure; a success refunds its cost).
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
  throttlingBaseDelayMs: 500,
  maxDelayMs: 10_000,
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
 */
export const none: RetryPolicyService = standard({ maxAttempts: 1 })

/**
 * Runs an effect with a given retry policy instead of the client's.
 *
 * @since 0.1.0
 * @category combinators
 */
export const withRetryPolicy: {
  (policy: RetryPolicyService): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  <A, E, R>(self: Effect.Effect<A, E, R>, policy: RetryPolicyService): Effect.Effect<A, E, R>
} = dual(2, <A, E, R>(self: Effect.Effect<A, E, R>, policy: RetryPolicyService) =>
  Effect.provideService(self, RetryPolicy, policy)
)

/**
 * The exponential bound for retry number `retry` (0-based): the wait is
 * drawn uniformly below it ("full jitter").
 *
 * @since 0.1.0
 * @category combinators
 */
export const backoffCeilingMs = (policy: RetryPolicyService, error: OtaError, retry: number): number =>
  Math.min(
    policy.maxDelayMs,
    (isThrottling(error) ? policy.throttlingBaseDelayMs : policy.baseDelayMs) * 2 ** Math.min(retry, 30)
  )

/**
 * A client-wide bucket of retry tokens, shared by every call of one client.
 *
 * @since 0.1.0
 * @category models
 */
export interface RetryQuota {
  /** Takes the cost of retrying after `error`; `undefined` when the quota is exhausted. */
  readonly acquire: (policy: RetryPolicyService, error: OtaError) => Effect.Effect<number | undefined>
  /** A call succeeded: refund what its retries cost, or add the no-retry increment. */
  readonly release: (policy: RetryPolicyService, spent: number) => Effect.Effect<void>
  readonly available: Effect.Effect<number>
}

/**
 * @since 0.1.0
 * @category constructors
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
      error.retryable
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
        Duration.millis(Math.floor(r * (backoffCeilingMs(policy, error, retry) + 1)))
      )
    )
  )
