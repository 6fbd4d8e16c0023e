/**
 * The sending rate of the adaptive limiter: the control law alone, pure and
 * synchronous (times are given in milliseconds), so it can be tested and
 * simulated without fibers.
 *
 * It follows AWS SDK v3's adaptive retry mode (smithy-typescript's
 * `DefaultRateLimiter`, a CUBIC curve over the request rate), with four
 * changes, chosen by simulating two clients that share a strict quota
 * (sliding window, fixed windows, token bucket) and checked by the quota
 * benchmark:
 *
 * - At most one decrease per half window. Answers to sends made before a
 *   decrease arrive after it; AWS lowers the rate again for each, and a
 *   burst of four throttled pages took a client to a quarter of its rate.
 * - The decrease starts from what the server accepted (answers that were
 *   not throttled over the last window), not only from what was sent: two
 *   clients sending 10 calls/s to a 10/s quota each get about 5 through, so
 *   both drop to their share at once instead of in several steps. Throttled
 *   within their first second, they count what got through over a whole
 *   second, not scaled up from the time since they started: two processes
 *   started together were throttled half a second in, each took the 5 calls
 *   it had got through in that half for 10 a second, cut only to 7, and one
 *   page drew three throttles in a row (1 run in 10 on a loaded machine). That level
 *   is never taken below half of what was sent: a client whose first calls
 *   were all throttled knows nothing of its share yet.
 * - The curve climbs back to 95% of that level (not 100%: that rate was
 *   just throttled) and holds there for a few seconds before probing above
 *   it. CUBIC without the hold throttled twice as often once two clients
 *   had converged.
 * - The rate never exceeds the configured quota.
 */

/** The tuning of the control law. */
export interface SendingRateOptions {
  /** The ceiling, calls per second. */
  readonly qps: number
  /** The floor, calls per second. */
  readonly minQps: number
  /** The rate after a throttle, as a share of the level that was throttled. */
  readonly beta: number
}

/** AWS's `scaleConstant`: how steeply the rate returns to, and then probes above, its last level. */
const SCALE = 0.4
/** Where the curve levels off, as a share of the level that was throttled. */
const PLATEAU = 0.95
/** How long it stays level before probing above it. */
const HOLD_MS = 3_000
/** The sliding window the quota is counted in. */
const WINDOW_MS = 1_000
/** No second decrease sooner than this after one. */
const EPOCH_MS = WINDOW_MS / 2
/** The level a decrease starts from is at least this share of what was sent. */
const MAX_CUT = 0.5

/** The adaptive sending rate. */
export interface SendingRate {
  /** Calls per second allowed now. */
  readonly current: () => number
  /** A call was sent at `now`. */
  readonly sent: (now: number) => void
  /** The server answered without throttling at `now`. */
  readonly accepted: (now: number) => void
  /** The server throttled a call at `now`; true when the rate was lowered. */
  readonly throttled: (now: number) => boolean
}

/** Times of recent events, oldest first, trimmed to one window. */
const recent = () => {
  const times: Array<number> = []
  return {
    add: (now: number) => {
      times.push(now)
    },
    /** The times within the window ending at `now`. */
    within: (now: number): ReadonlyArray<number> => {
      let drop = 0
      while (drop < times.length && times[drop]! <= now - WINDOW_MS) drop++
      if (drop > 0) times.splice(0, drop)
      return times
    }
  }
}

/** A sending rate that starts at `qps`. */
export const makeSendingRate = (options: SendingRateOptions): SendingRate => {
  const { qps, beta } = options
  const minQps = Math.min(options.minQps, qps)
  const sends = recent()
  const accepts = recent()
  let rate = qps
  let lastThrottle = Number.NEGATIVE_INFINITY
  /** Where the curve levels off after the last throttle. */
  let plateau = qps
  /** Seconds from the last throttle to the plateau. */
  let rise = 0

  /** The rate actually sent at over the last window (the allowed rate when too few sends to tell). */
  const sendRate = (now: number): number => {
    const times = sends.within(now)
    if (times.length < 2) return rate
    return ((times.length - 1) * 1000) / Math.max(1, times[times.length - 1]! - times[0]!)
  }

  /**
   * Answers not throttled per second over the last window, counted over a
   * whole window even when the first send was more recent: throttled
   * sooner, the server's window was full of other clients' calls too, and
   * scaling up what it accepted from this one would take them for its own.
   */
  const acceptRate = (now: number): number => (accepts.within(now).length * 1000) / WINDOW_MS

  return {
    current: () => rate,
    sent: (now) => {
      sends.add(now)
    },
    accepted: (now) => {
      accepts.add(now)
      if (lastThrottle === Number.NEGATIVE_INFINITY) return
      const t = (now - lastThrottle) / 1000
      // Concave up to the plateau, level for HOLD_MS, then convex above it.
      const x = t < rise ? t - rise : Math.max(0, t - rise - HOLD_MS / 1000)
      rate = Math.min(qps, Math.max(minQps, plateau + SCALE * x ** 3))
    },
    throttled: (now) => {
      if (now - lastThrottle < EPOCH_MS) return false
      const sending = Math.min(sendRate(now), rate)
      const level = Math.min(sending, Math.max(acceptRate(now), sending * MAX_CUT))
      rate = Math.max(minQps, beta * level)
      plateau = Math.max(rate, PLATEAU * level)
      rise = Math.cbrt((plateau - rate) / SCALE)
      lastThrottle = now
      return true
    }
  }
}
