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

/** The settings of {@link makePacer}. */
export interface PacerOptions {
  /** The interval between sends, ms: read at every check, so a rate that changes applies to the next send. */
  readonly intervalMs: () => number
  /** The window: any `sends + 1` consecutive sends leave at least `spanMs − slackMs` apart. */
  readonly window: { readonly sends: number; readonly spanMs: number }
  /** Told the time each send left (or was admitted, through `take`). */
  readonly onSent: (nowMs: number) => void
  /** The lateness the window credits (timers fire a millisecond or so late). */
  readonly slackMs: number
}

/**
 * A gate spacing sends by `intervalMs()`, on two rules:
 *
 * - The schedule: each send has a slot `intervalMs()` after the previous
 *   one. A send late for its slot (its timer fired late, or it waited for the
 *   one before it, which left late) keeps the slot's time as long as it is
 *   no more than half an interval late, so the next one is not pushed back;
 *   later, the schedule moves to half an interval before it.
 * - The window: a send leaves at least `window.spanMs − slackMs` after the
 *   send `window.sends` before it left, whatever the schedule says. This is
 *   what keeps any 1,000 ms as the server sees it within the quota; the
 *   schedule keeps sends evenly spread, at the rate asked for.
 *
 * Both are kept by the moment requests leave, not the moment they are
 * admitted: a process descheduled between the two (hundreds of ms on a
 * loaded machine) would otherwise write one request late and the next ones
 * on time. With `takeUntilSent`, the next caller is admitted only once the
 * current one has left (holding the turn matters: admitted before, two late
 * requests could leave together and count as one in the window).
 *
 * A late send costs the schedule nothing up to half an interval, and delays
 * in the window only its own `window.sends`-th successor: on a loaded machine (stalls of
 * 20-400 ms), pushing every later slot back by each stall gave away a fifth
 * of the quota. Timers fire a millisecond or so after they are due: the
 * window credits up to `slackMs` of that, so ordinary latency does not push
 * sends back either.
 *
 * Only the caller at the head of the line sleeps; the others wait for their
 * turn, which is handed over in arrival order. A caller interrupted while
 * waiting leaves the line, and one interrupted at the head hands its turn on
 * without taking a slot: nobody behind it waits for a send that never went.
 * A send that ends, fails or is interrupted before saying it left hands the
 * turn on as it ends, counted as leaving then.
 */
export const makePacer = (options: PacerOptions): Pacer => {
  const { intervalMs, onSent, slackMs } = options
  const capacity = Math.max(1, Math.floor(options.window.sends))
  const spanMs = options.window.spanMs
  /** The previous send's slot. */
  let last = Number.NEGATIVE_INFINITY
  /** When the last `window.sends` sends left, a ring; `head` is the next to write. */
  const leaves = new Float64Array(capacity)
  let head = 0
  let count = 0
  let busy = false
  const line: Array<() => void> = []

  const release = (): void => {
    const next = line.shift()
    if (next === undefined) busy = false
    else next()
  }

  const left = (nowMs: number): void => {
    leaves[head] = nowMs
    head = (head + 1) % capacity
    count = Math.min(capacity, count + 1)
    onSent(nowMs)
  }

  /** The earliest time the next send may leave: its slot, and the window. */
  const dueAt = (interval: number): number => {
    const slot = last + interval
    if (count < capacity) return slot
    // Full: `head` is also the oldest.
    return Math.max(slot, leaves[head]! + spanMs - slackMs)
  }

  /** Takes the next slot at `now` (the send is due): late by up to half an interval, it keeps its time. */
  const take = (interval: number, now: number): void => {
    last = Math.max(last + interval, now - Math.max(slackMs, interval / 2))
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

  /** At the head of the line: sleeps until the send is due, then takes its slot. */
  const slot = (clock: Clock.Clock): Effect.Effect<void> => {
    const check: Effect.Effect<void> = Effect.suspend(() => {
      const now = monotonicMillis(clock)
      const interval = intervalMs()
      const due = dueAt(interval)
      if (now + TOLERANCE_MS >= due) {
        take(interval, now)
        return Effect.void
      }
      // Woken early (timers round to whole milliseconds): the check runs again.
      return Effect.zipRight(Effect.sleep(Duration.millis(due - now)), check)
    })
    return check
  }

  /**
   * The common case of a client slower than its quota: nobody waiting and
   * the send already due. Takes the turn and a slot at once (one clock
   * read); false when the caller must queue. An idle gap is not credited:
   * the schedule starts again from now.
   */
  const immediate = (clock: Clock.Clock): boolean => {
    if (busy) return false
    const now = monotonicMillis(clock)
    if (now + TOLERANCE_MS < dueAt(intervalMs())) return false
    busy = true
    last = now
    return true
  }

  /** Waits for the turn, then the slot; returns holding the turn (handed on if interrupted meanwhile). */
  const queued = (
    clock: Clock.Clock,
    restore: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  ): Effect.Effect<void> =>
    Effect.zipRight(
      restore(turn),
      Effect.onInterrupt(restore(slot(clock)), () => Effect.sync(release))
    )

  return {
    take: (send) =>
      Effect.clockWith((clock) => {
        if (immediate(clock)) {
          left(monotonicMillis(clock))
          release()
          return send
        }
        return Effect.uninterruptibleMask((restore) =>
          Effect.zipRight(
            Effect.flatMap(queued(clock, restore), () =>
              Effect.sync(() => {
                left(monotonicMillis(clock))
                release()
              })
            ),
            restore(send)
          )
        )
      }),
    takeUntilSent: (send) =>
      Effect.clockWith((clock) =>
        Effect.uninterruptibleMask((restore) => {
          const run = () => {
            let pending = true
            const sent = (): void => {
              if (!pending) return
              pending = false
              left(monotonicMillis(clock))
              release()
            }
            return Effect.ensuring(restore(send(sent)), Effect.sync(sent))
          }
          return immediate(clock) ? run() : Effect.flatMap(queued(clock, restore), run)
        })
      )
  }
}
