/**
 * The client-side rate limiter every attempt goes through (provisional: the
 * spacing and adaptive limiters replace this token bucket).
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as EffectRateLimiter from "effect/RateLimiter"
import type * as Scope from "effect/Scope"

/**
 * A rate limiter: admits sends, and hears when the server throttled one.
 *
 * @since 0.1.0
 * @category models
 */
export interface RateLimiterService {
  readonly take: <A, E, R>(send: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  readonly feedback: (outcome: { readonly throttled: boolean }) => Effect.Effect<void>
}

/**
 * The client's rate limiter.
 *
 * @since 0.1.0
 * @category tags
 */
export class RateLimiter extends Context.Tag("@iot-ota/core/RateLimiter")<
  RateLimiter,
  RateLimiterService
>() {}

/**
 * No limit.
 *
 * @since 0.1.0
 * @category constructors
 */
export const none: RateLimiterService = { take: (send) => send, feedback: () => Effect.void }

/**
 * The default limiter for `qps` calls per second (0 = none).
 *
 * @since 0.1.0
 * @category constructors
 */
export const forQps = (qps: number): Effect.Effect<RateLimiterService, never, Scope.Scope> => {
  if (qps <= 0) return Effect.succeed(none)
  const burst = Math.max(1, Math.floor(qps / 2))
  return Effect.map(
    EffectRateLimiter.make({
      limit: burst,
      interval: Duration.millis(Math.ceil((burst * 1000) / qps)),
      algorithm: "token-bucket"
    }),
    (take) => ({ take, feedback: () => Effect.void })
  )
}
