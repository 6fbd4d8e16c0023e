/**
 * How fast calls leave the client. The service allows 10 calls per second
 * per account, shared by every process of the account, and does not say how
 * it counts them; a call over the quota is answered `Throttling.User`.
 *
 * The request engine runs every attempt's send through the `RateLimiter`
 * service and tells it afterwards whether the server throttled it. The
 * default ({@link adaptive} at the configured `qps`) spaces sends evenly, so
 * that no 1,000 ms window holds more than `qps` of them whatever the
 * server's algorithm, and slows down when throttled, so that processes
 * sharing the quota settle on sharing it. Replace it to share one limit
 * between workers (see {@link make} and `docs/rate-limiting.md`).
 *
 * Why not `effect/RateLimiter`: its `"fixed-window"` algorithm and its
 * `"token-bucket"` with a limit above 1 both let `2 × limit` calls through
 * in some 1,000 ms window (a burst at the end of one window and another at
 * the start of the next, or a full bucket followed by its refills). A
 * bucket of 1 spaces calls correctly, but its interval is fixed when it is
 * made, and adapting means changing it on every throttle. It still plugs in
 * through {@link fromTake}.
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as EffectRateLimiter from "effect/RateLimiter"
import { makePacer, monotonicMillis } from "./internal/pacer.js"
import { makeSendingRate } from "./internal/sendingRate.js"

/**
 * What the engine tells the limiter after an attempt the server answered.
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import type { Outcome } from "@iot-ota/core/RateLimiter"
 *
 * const throttled: Outcome = { throttled: true } // Throttling.*, HTTP 429, or a 503 throttling answer
 * ```
 */
export interface Outcome {
  /** The server refused the call for going over the quota. */
  readonly throttled: boolean
}

/**
 * A client-side rate limiter.
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import type { RateLimiterService } from "@iot-ota/core/RateLimiter"
 *
 * // What the request engine does with each attempt.
 * const attempt = <A, E>(limiter: RateLimiterService, send: Effect.Effect<A, E>, isThrottled: (e: E) => boolean) =>
 *   limiter.take(send).pipe(
 *     Effect.tap(() => limiter.feedback({ throttled: false })),
 *     Effect.tapError((error) => limiter.feedback({ throttled: isThrottled(error) }))
 *   )
 * ```
 */
export interface RateLimiterService {
  /**
   * Runs one attempt's send once the limiter admits it: the shape of
   * `effect/RateLimiter`'s `RateLimiter`. Interrupted while waiting, the
   * attempt takes no slot.
   */
  readonly take: <A, E, R>(send: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  /** Told after each answered attempt whether the server throttled it. */
  readonly feedback: (outcome: Outcome) => Effect.Effect<void>
  /**
   * Optional: `take` for a send that says when its request actually
   * leaves, by calling `sent` (from any callback; once counts). The
   * request engine uses it when present and calls `sent` as the request is
   * written, so a limiter can space requests by when they leave rather than
   * when it admitted them: a process descheduled in between would otherwise
   * write one request late and the next ones on time. A send that ends
   * without calling `sent` counts as sent then. Custom limiters may leave it
   * out.
   */
  readonly takeUntilSent?: <A, E, R>(
    send: (sent: () => void) => Effect.Effect<A, E, R>
  ) => Effect.Effect<A, E, R>
}

/**
 * The rate limiter as a service. Optional: without it a client builds
 * {@link adaptive} from its `qps` setting (none when `qps` is 0), its own.
 * Provided, it is used as given, and shared by every client it is
 * provided to.
 *
 * @since 0.1.0
 * @category tags
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import * as OtaClient from "@iot-ota/core/OtaClient"
 * import * as RateLimiter from "@iot-ota/core/RateLimiter"
 *
 * // Evenly spaced at 5 calls per second, never adapting: the other half of the quota is someone else's.
 * const ClientLive = OtaClient.layer.pipe(Layer.provide(RateLimiter.layerSpaced({ qps: 5 })))
 * ```
 */
export class RateLimiter extends Context.Tag("@iot-ota/core/RateLimiter")<
  RateLimiter,
  RateLimiterService
>() {}

/**
 * The settings of {@link spaced}.
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import type { SpacedOptions } from "@iot-ota/core/RateLimiter"
 *
 * // Over a link with more jitter: 9.5 calls per second instead of 9.76.
 * const options: SpacedOptions = { qps: 10, marginMs: 50 }
 * ```
 */
export interface SpacedOptions {
  /** Calls per second: at most this many sends in any 1,000 ms window. Must be positive. */
  readonly qps: number
  /**
   * Slack for network jitter: sends are `(1,000 + marginMs) / qps` ms
   * apart, so the server still sees at most `qps` in a second when one of
   * them reaches it up to `marginMs` late (less the up to 2 ms by which a
   * sender woken late keeps to the schedule). Default
   * {@link DEFAULT_MARGIN_MS}.
   */
  readonly marginMs?: number
}

/**
 * The settings of {@link adaptive}.
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import type { AdaptiveOptions } from "@iot-ota/core/RateLimiter"
 *
 * // Never below 2 calls per second, however often throttled.
 * const options: AdaptiveOptions = { qps: 10, minQps: 2 }
 * ```
 */
export interface AdaptiveOptions extends SpacedOptions {
  /** The lowest rate throttling can bring it to, calls per second. Default 0.5 (AWS's). */
  readonly minQps?: number
  /** The rate after a throttle, as a share of the rate that was throttled, in (0, 1). Default 0.7 (AWS's). */
  readonly beta?: number
}

/**
 * The default jitter margin: 25 ms per second, so the limiter sends at
 * 97.6% of `qps` (9.76 calls per second for the documented quota of 10).
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import { DEFAULT_MARGIN_MS } from "@iot-ota/core/RateLimiter"
 *
 * const interval = (1_000 + DEFAULT_MARGIN_MS) / 10 // 102.5 ms between sends at 10 QPS
 * ```
 */
export const DEFAULT_MARGIN_MS = 25

const invalid = (message: string) => Effect.die(new Cause.IllegalArgumentException(message))

/** The lateness the window credits (timers fire a millisecond or so late), within the margin. */
const slackOf = (marginMs: number): number => Math.min(2, marginMs)

/**
 * The quota's window for the pacer: `qps` sends (at least one) spanning as
 * many intervals at `qps`, i.e. 1,000 ms + the margin for a whole `qps`.
 */
const windowOf = (qps: number, marginMs: number) => {
  const sends = Math.max(1, Math.floor(qps))
  return { sends, spanMs: (sends * (1_000 + marginMs)) / qps }
}

/** The checked settings, or the reason they are wrong. */
const check = (options: AdaptiveOptions): string | undefined => {
  const { qps, marginMs = DEFAULT_MARGIN_MS, minQps = 0.5, beta = 0.7 } = options
  if (!(Number.isFinite(qps) && qps > 0))
    return `qps must be a positive number, got ${qps} (for no limit, use RateLimiter.unlimited)`
  if (!(Number.isFinite(marginMs) && marginMs >= 0)) return `marginMs must be >= 0, got ${marginMs}`
  if (!(Number.isFinite(minQps) && minQps > 0)) return `minQps must be a positive number, got ${minQps}`
  if (!(beta > 0 && beta < 1)) return `beta must be between 0 and 1, got ${beta}`
  return undefined
}

/**
 * Sends evenly spaced at `qps` (less the margin), one at a time, in arrival
 * order: never more than `qps` in any 1,000 ms window, so no server
 * algorithm throttles them — token bucket (of any capacity), fixed 1-second
 * windows or sliding window — as long as network jitter stays within the
 * margin. Ignores feedback.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import * as RateLimiter from "@iot-ota/core/RateLimiter"
 *
 * // One limiter for two clients of this process: 10 calls per second between them.
 * const program = Effect.gen(function* () {
 *   const limiter = yield* RateLimiter.spaced({ qps: 10 })
 *   return yield* Effect.all([limiter.take(Effect.succeed("a")), limiter.take(Effect.succeed("b"))])
 * })
 * ```
 */
export const spaced = (options: SpacedOptions): Effect.Effect<RateLimiterService> =>
  Effect.suspend(() => {
    const problem = check(options)
    if (problem !== undefined) return invalid(problem)
    const margin = options.marginMs ?? DEFAULT_MARGIN_MS
    const interval = (1_000 + margin) / options.qps
    const pacer = makePacer({
      intervalMs: () => interval,
      window: windowOf(options.qps, margin),
      onSent: () => {},
      slackMs: slackOf(margin)
    })
    return Effect.succeed<RateLimiterService>({
      take: pacer.take,
      takeUntilSent: pacer.takeUntilSent,
      feedback: () => Effect.void
    })
  })

/**
 * {@link spaced} at a rate that adapts to throttling, in the spirit of AWS
 * SDK v3's adaptive retry mode: a throttled answer lowers the rate (to 70%
 * of what the server was accepting from this client), successes bring it
 * back along a CUBIC curve, never above `qps`. Until the first throttle it
 * is exactly `spaced`, which is why it is the default: it costs nothing when
 * the quota is this client's alone, and two processes sharing it settle on
 * sharing it within a few seconds.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import * as RateLimiter from "@iot-ota/core/RateLimiter"
 *
 * const program = Effect.gen(function* () {
 *   const limiter = yield* RateLimiter.adaptive({ qps: 10 })
 *   yield* limiter.take(Effect.log("sent"))
 *   yield* limiter.feedback({ throttled: true }) // the next sends are spaced wider
 * })
 * ```
 */
export const adaptive = (options: AdaptiveOptions): Effect.Effect<RateLimiterService> =>
  Effect.suspend(() => {
    const problem = check(options)
    if (problem !== undefined) return invalid(problem)
    const margin = options.marginMs ?? DEFAULT_MARGIN_MS
    const rate = makeSendingRate({
      qps: options.qps,
      minQps: options.minQps ?? 0.5,
      beta: options.beta ?? 0.7
    })
    const pacer = makePacer({
      intervalMs: () => (1_000 + margin) / rate.current(),
      window: windowOf(options.qps, margin),
      onSent: rate.sent,
      slackMs: slackOf(margin)
    })
    return Effect.succeed<RateLimiterService>({
      take: pacer.take,
      takeUntilSent: pacer.takeUntilSent,
      feedback: (outcome) =>
        Effect.clockWith((clock) =>
          Effect.sync(() => {
            const now = monotonicMillis(clock)
            if (outcome.throttled) rate.throttled(now)
            else rate.accepted(now)
          })
        )
    })
  })

/**
 * No limit: every send goes at once. What a client uses with `qps: 0`.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import * as RateLimiter from "@iot-ota/core/RateLimiter"
 * import * as RpcClient from "@iot-ota/core/RpcClient"
 *
 * // Against a local emulator with its quota off, a test suite need not wait.
 * const TestRpc = RpcClient.layer.pipe(Layer.provide(RateLimiter.layer(RateLimiter.unlimited)))
 * ```
 */
export const unlimited: RateLimiterService = {
  take: (send) => send,
  feedback: () => Effect.void
}

/**
 * A limiter of your own, e.g. one shared by many workers through Redis or a
 * Durable Object (`docs/rate-limiting.md` shows both). `take` must run the
 * send at most once, and not before the limit allows it; `feedback`
 * defaults to ignoring answers.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { Duration, Effect } from "effect"
 * import * as RateLimiter from "@iot-ota/core/RateLimiter"
 *
 * // Ask a shared token service how long to wait, then send.
 * declare const reserve: Effect.Effect<Duration.Duration> // e.g. a Redis script over HTTP
 * const shared = RateLimiter.make({
 *   take: (send) => Effect.flatMap(reserve, (wait) => Effect.zipRight(Effect.sleep(wait), send))
 * })
 * ```
 */
export const make = (options: {
  readonly take: <A, E, R>(send: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  readonly feedback?: (outcome: Outcome) => Effect.Effect<void>
}): RateLimiterService => ({ take: options.take, feedback: options.feedback ?? unlimited.feedback })

/**
 * A limiter from `effect/RateLimiter`'s (which ignores feedback). Mind its
 * algorithms: only a token bucket of `limit: 1` keeps every 1,000 ms window
 * within the quota.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { Effect, Layer, RateLimiter as EffectRateLimiter } from "effect"
 * import * as RateLimiter from "@iot-ota/core/RateLimiter"
 *
 * // One call every 110 ms (about 9 per second), scoped to the layer.
 * const Limiter = Layer.scoped(
 *   RateLimiter.RateLimiter,
 *   Effect.map(EffectRateLimiter.make({ limit: 1, interval: "110 millis" }), RateLimiter.fromTake)
 * )
 * ```
 */
export const fromTake = (take: EffectRateLimiter.RateLimiter): RateLimiterService => make({ take })

/**
 * A given limiter as the `RateLimiter` service.
 *
 * @since 0.1.0
 * @category layers
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import * as RateLimiter from "@iot-ota/core/RateLimiter"
 *
 * const Logged = RateLimiter.layer(
 *   RateLimiter.make({ take: (send) => Effect.zipRight(Effect.logDebug("sending"), send) })
 * )
 * ```
 */
export const layer = (service: RateLimiterService): Layer.Layer<RateLimiter> =>
  Layer.succeed(RateLimiter, service)

/**
 * {@link spaced} as the `RateLimiter` service: one limiter for every client
 * the layer is provided to.
 *
 * @since 0.1.0
 * @category layers
 * @example
 * ```ts
 * import * as RateLimiter from "@iot-ota/core/RateLimiter"
 *
 * const Limiter = RateLimiter.layerSpaced({ qps: 10 })
 * ```
 */
export const layerSpaced = (options: SpacedOptions): Layer.Layer<RateLimiter> =>
  Layer.effect(RateLimiter, spaced(options))

/**
 * {@link adaptive} as the `RateLimiter` service: one limiter for every
 * client the layer is provided to.
 *
 * @since 0.1.0
 * @category layers
 * @example
 * ```ts
 * import * as RateLimiter from "@iot-ota/core/RateLimiter"
 *
 * // Two clients of one process (a listing and a watcher) share one adaptive limit.
 * const Limiter = RateLimiter.layerAdaptive({ qps: 10 })
 * ```
 */
export const layerAdaptive = (options: AdaptiveOptions): Layer.Layer<RateLimiter> =>
  Layer.effect(RateLimiter, adaptive(options))
