/**
 * The emulator's quota counting on its own, without a server: the three algorithms of {@link QuotaMode}, each
 * judging one request of one account at a time given. Being clock-free, a test can drive it in virtual time (an
 * Effect `TestClock`, a simulation) to check a client's rate limiting against each algorithm exactly, with no
 * machine load in the picture; `startEmulator({ quota })` counts with the same code over real HTTP.
 *
 * @since 0.1.1
 */
import { makeQuota } from "./internal/limits.js"
import type { QuotaMode } from "./internal/model.js"

/**
 * One quota: admits or refuses a request of account `key` arriving at `nowMs`. Times are in milliseconds on any
 * clock that never goes back; refused requests do not count.
 *
 * @example
 * ```ts
 * import { Quota } from "@iot-ota/emulator"
 *
 * const quota: Quota.Quota = Quota.make("sliding-window", 2)
 * quota.take("account-1", 0) // true
 * quota.take("account-1", 400) // true
 * quota.take("account-1", 900) // false: two admitted in the 1,000 ms before
 * quota.take("account-2", 900) // true: another account
 * quota.take("account-1", 1_001) // true: the first one has left the window
 * ```
 *
 * @since 0.1.1
 * @category models
 */
export interface Quota {
  readonly take: (key: string, nowMs: number) => boolean
}

/**
 * A fresh quota of `qps` calls per second counted as `mode` counts (see `QuotaMode`); `qps` of 0 or less admits
 * everything.
 *
 * @example
 * ```ts
 * import { Quota, QUOTA_MODES } from "@iot-ota/emulator"
 *
 * // Calls spaced 102.5 ms apart are never refused, whatever the algorithm.
 * for (const mode of QUOTA_MODES) {
 *   const quota = Quota.make(mode, 10)
 *   const refused = Array.from({ length: 100 }, (_, i) => quota.take("account", i * 102.5)).filter((ok) => !ok)
 *   console.log(mode, refused.length) // 0
 * }
 * ```
 *
 * @since 0.1.1
 * @category constructors
 */
export const make = (mode: QuotaMode, qps: number): Quota => makeQuota(mode, qps)
