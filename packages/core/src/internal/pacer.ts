/**
 * The spacing gate under the in-memory rate limiters: sends are admitted
 * one at a time, in arrival order, each at least `intervalMs()` after the
 * previous admission.
 *
 * Time is the fiber's `Clock` (so `TestClock` drives it), read as its
 * monotonic nanosecond counter: a wall clock stepped forward by NTP would
 * let two sends through closer than the interval.
 */
import type * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"

/** The gate: `take(send)` runs `send` once it is admitted. */
export interface Pacer {
  readonly take: <A, E, R>(send: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
}

/**
 * A slot is due within a microsecond of its time: the clock counts whole
 * nanoseconds, and a sleep too short to move a test clock would return at
 * once and be retried forever.
 */
const TOLERANCE_MS = 0.001

/** Milliseconds on the clock's monotonic counter. */
export const monotonicMillis = (clock: Clock.Clock): number => Number(clock.unsafeCurrentTimeNanos()) / 1e6

/**
 * A gate spacing admissions by `intervalMs()` (read at every check, so a
 * rate that changes meanwhile applies to the next admission). `admitted` is
 * told the time of each admission.
 *
 * A caller that slept until its slot and was woken up to `slackMs` late
 * (timers fire a millisecond or so after they are due, more on a busy
 * machine) takes the slot at its due time, so that lateness does not push
 * every later slot back (a millisecond of each 102.5 is 1% of the quota).
 * The credit never accumulates: any `n` consecutive admissions still span
 * at least `n × interval − slackMs`.
 *
 * Only the caller at the head of the line sleeps; the others wait for their
 * turn, which is handed over in arrival order. A caller interrupted while
 * waiting leaves the line, and one interrupted at the head hands its turn on
 * without taking a slot: nobody behind it waits for a send that never went.
 */
export const makePacer = (
  intervalMs: () => number,
  admitted: (nowMs: number) => void,
  slackMs: number
): Pacer => {
  let last = Number.NEGATIVE_INFINITY
  let busy = false
  const line: Array<() => void> = []

  const release = (): void => {
    const next = line.shift()
    if (next === undefined) busy = false
    else next()
  }

  const admit = (slot: number, now: number): void => {
    last = slot
    admitted(now)
  }

  /** Waits until this caller is at the head of the line. */
  const turn: Effect.Effect<void> = Effect.async<void>((resume) => {
    if (!busy) {
      busy = true
      resume(Effect.void)
      return
    }
    const wake = () => resume(Effect.void)
    line.push(wake)
    return Effect.sync(() => {
      const at = line.indexOf(wake)
      if (at >= 0) line.splice(at, 1)
      // The turn was handed to us as we were interrupted: pass it on.
      else release()
    })
  })

  /** At the head of the line: sleeps until the slot is due, then takes it. */
  const slot: Effect.Effect<void> = Effect.clockWith((clock) => {
    const check = (slept: boolean): Effect.Effect<void> =>
      Effect.suspend(() => {
        const now = monotonicMillis(clock)
        const due = last + intervalMs()
        if (now + TOLERANCE_MS >= due) {
          admit(slept ? Math.max(due, now - slackMs) : now, now)
          return Effect.void
        }
        // Woken early (timers round to whole milliseconds): the check runs again.
        return Effect.zipRight(Effect.sleep(Duration.millis(due - now)), check(true))
      })
    return check(false)
  })

  const queued = <A, E, R>(send: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.uninterruptibleMask((restore) =>
      Effect.zipRight(
        Effect.flatMap(restore(turn), () => Effect.ensuring(restore(slot), Effect.sync(release))),
        restore(send)
      )
    )

  return {
    take: (send) =>
      Effect.clockWith((clock) => {
        // Nobody waiting and the slot already due: the common case of a
        // client slower than its quota costs one clock read.
        if (!busy) {
          const now = monotonicMillis(clock)
          if (now + TOLERANCE_MS >= last + intervalMs()) {
            admit(now, now)
            return send
          }
        }
        return queued(send)
      })
  }
}
