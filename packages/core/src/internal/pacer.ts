/**
 * The spacing gate under the in-memory rate limiters: sends go one at a
 * time, in arrival order, each at least `intervalMs()` after the previous
 * one.
 *
 * Time is the fiber's `Clock` (so `TestClock` drives it), read as its
 * monotonic nanosecond counter: a wall clock stepped forward by NTP would
 * let two sends through closer than the interval.
 */
import type * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"

/** The gate. */
export interface Pacer {
  /** Runs `send` once admitted; the next send is spaced from the admission. */
  readonly take: <A, E, R>(send: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  /**
   * Runs `send` once admitted, and lets nobody else through until it calls
   * `sent` (its request has left) or ends: the next send is spaced from
   * then. `sent` may be called from any callback, any number of times.
   */
  readonly takeUntilSent: <A, E, R>(
    send: (sent: () => void) => Effect.Effect<A, E, R>
  ) => Effect.Effect<A, E, R>
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
 * A gate spacing sends by `intervalMs()` (read at every check, so a rate
 * that changes meanwhile applies to the next send). `onSent` is told the
 * time each send left (or was admitted, through `take`).
 *
 * The schedule is kept by the moment requests leave, not the moment they
 * are admitted: a process descheduled between the two (hundreds of ms on a
 * loaded machine) would otherwise write one request late and the next ones
 * on time, closer together than the interval. With `takeUntilSent`, the
 * next caller is admitted only once the current one has left, and its slot
 * is due `intervalMs()` after the later of the current slot and the time it
 * left. Holding the turn matters: admitted before the previous one left, two
 * late requests could leave together.
 *
 * Up to `slackMs` of lateness is credited: a caller woken late from its
 * sleep (timers fire a millisecond or so after they are due, more on a busy
 * machine), or whose request left a little after its slot (signing, the
 * transport's own steps), keeps its slot's time, so that ordinary latency
 * does not push every later slot back (a millisecond of each 102.5 is 1% of
 * the quota). The credit never accumulates: any `n + 1` consecutive sends
 * leave at least `n × interval − slackMs` apart.
 *
 * Only the caller at the head of the line sleeps; the others wait for their
 * turn, which is handed over in arrival order. A caller interrupted while
 * waiting leaves the line, and one interrupted at the head hands its turn on
 * without taking a slot: nobody behind it waits for a send that never went.
 * A send that ends, fails or is interrupted before saying it left hands the
 * turn on as it ends, counted as leaving then.
 */
export const makePacer = (
  intervalMs: () => number,
  onSent: (nowMs: number) => void,
  slackMs: number
): Pacer => {
  /** The time the next slot is spaced from. */
  let last = Number.NEGATIVE_INFINITY
  let busy = false
  const line: Array<() => void> = []

  const release = (): void => {
    const next = line.shift()
    if (next === undefined) busy = false
    else next()
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

  /** At the head of the line: sleeps until the slot is due, then takes it; the slot's time. */
  const slot = (clock: Clock.Clock): Effect.Effect<number> => {
    const check = (slept: boolean): Effect.Effect<number> =>
      Effect.suspend(() => {
        const now = monotonicMillis(clock)
        const due = last + intervalMs()
        if (now + TOLERANCE_MS >= due) {
          last = slept ? Math.max(due, now - slackMs) : now
          return Effect.succeed(last)
        }
        // Woken early (timers round to whole milliseconds): the check runs again.
        return Effect.zipRight(Effect.sleep(Duration.millis(due - now)), check(true))
      })
    return check(false)
  }

  /**
   * The common case of a client slower than its quota: nobody waiting and
   * the slot already due. Takes the turn and the slot at once (one clock
   * read); `undefined` when the caller must queue.
   */
  const immediate = (clock: Clock.Clock): number | undefined => {
    if (busy) return undefined
    const now = monotonicMillis(clock)
    if (now + TOLERANCE_MS < last + intervalMs()) return undefined
    busy = true
    last = now
    return now
  }

  /** Waits for the turn, then the slot; returns holding the turn (handed on if interrupted meanwhile). */
  const queued = (
    clock: Clock.Clock,
    restore: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  ): Effect.Effect<number> =>
    Effect.zipRight(
      restore(turn),
      Effect.onInterrupt(restore(slot(clock)), () => Effect.sync(release))
    )

  return {
    take: (send) =>
      Effect.clockWith((clock) => {
        const now = immediate(clock)
        if (now !== undefined) {
          release()
          onSent(now)
          return send
        }
        return Effect.uninterruptibleMask((restore) =>
          Effect.zipRight(
            Effect.flatMap(queued(clock, restore), () =>
              Effect.sync(() => {
                release()
                onSent(monotonicMillis(clock))
              })
            ),
            restore(send)
          )
        )
      }),
    takeUntilSent: (send) =>
      Effect.clockWith((clock) =>
        Effect.uninterruptibleMask((restore) => {
          const run = (slotMs: number) => {
            let pending = true
            const sent = (): void => {
              if (!pending) return
              pending = false
              const now = monotonicMillis(clock)
              // The turn is still ours, so `last` is still this slot.
              last = Math.max(slotMs, now - slackMs)
              onSent(now)
              release()
            }
            return Effect.ensuring(restore(send(sent)), Effect.sync(sent))
          }
          const now = immediate(clock)
          return now !== undefined ? run(now) : Effect.flatMap(queued(clock, restore), run)
        })
      )
  }
}
