/**
 * The rate limiters under the TestClock: the spacing property for random
 * arrival patterns, concurrency and interruptions (fast-check), throughput
 * over a long listing, interruption, FIFO order, the adaptive decrease and
 * recovery, and why `effect/RateLimiter` was not enough.
 *
 * Seeded: re-run a failure with the seed fast-check prints.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as EffectRateLimiter from "effect/RateLimiter"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import * as TestContext from "effect/TestContext"
import * as fc from "fast-check"
import * as ClientConfig from "../src/ClientConfig.js"
import { TransportError } from "../src/IotError.js"
import * as RateLimiter from "../src/RateLimiter.js"
import * as RpcClient from "../src/RpcClient.js"
import { makeHmacSha1 } from "../src/Signer.js"
import { SigningCrypto } from "../src/SigningCrypto.js"
import type { TransportRequest, TransportResponse, TransportService } from "../src/Transport.js"
import { syncSigningCrypto } from "./helpers/listing.js"

const SEED = 181_818

/** The most admissions found in any window of `windowMs` (half-open, as a server counts the last second). */
const busiestWindow = (times: ReadonlyArray<number>, windowMs = 1_000): number => {
  const sorted = [...times].sort((a, b) => a - b)
  let most = 0
  let first = 0
  for (let last = 0; last < sorted.length; last++) {
    while (sorted[last]! - sorted[first]! >= windowMs) first++
    most = Math.max(most, last - first + 1)
  }
  return most
}

interface Caller {
  /** When the caller asks to send, ms after the start. */
  readonly arrival: number
  /** How long its send takes once admitted. */
  readonly holdMs: number
  /** When it is interrupted, if it is. */
  readonly interruptAt?: number | undefined
}

interface Admission {
  readonly id: number
  readonly arrival: number
  readonly at: number
}

/**
 * Runs every caller through `take` under the TestClock (each in its own
 * fiber), interrupts those with `interruptAt`, and returns the admissions
 * in the order they happened.
 */
const runCallers = (
  limiter: RateLimiter.RateLimiterService,
  callers: ReadonlyArray<Caller>,
  /** The callers' clock, if not the test clock itself. */
  clock?: Clock.Clock
) =>
  Effect.gen(function* () {
    const admissions: Array<Admission> = []
    const fibers = yield* Effect.forEach(callers, (caller, id) =>
      Effect.fork(
        Effect.zipRight(
          Effect.sleep(caller.arrival),
          limiter.take(
            Effect.zipRight(
              Effect.flatMap(Clock.currentTimeMillis, (at) =>
                Effect.sync(() => admissions.push({ id, arrival: caller.arrival, at }))
              ),
              Effect.sleep(caller.holdMs)
            )
          )
        ).pipe(clock === undefined ? (effect) => effect : Effect.withClock(clock))
      )
    )
    yield* Effect.forEach(callers, (caller, id) =>
      caller.interruptAt === undefined
        ? Effect.void
        : Effect.fork(Effect.zipRight(Effect.sleep(caller.interruptAt), Fiber.interrupt(fibers[id]!)))
    )
    // Far enough for everyone: every sleep up to then runs, in order.
    yield* TestClock.adjust("1 hour")
    const stuck = yield* Effect.filter(fibers, (fiber) => Effect.map(Fiber.poll(fiber), Option.isNone))
    expect(stuck).toHaveLength(0)
    return admissions
  })

/** Runs a TestClock program in a fresh test context (one per property run). */
const runTest = <A>(program: Effect.Effect<A>): Promise<A> =>
  Effect.runPromise(program.pipe(Effect.provide(TestContext.TestContext)))

describe("effect/RateLimiter, for comparison", () => {
  // A strict server allows `qps` calls in any 1,000 ms window; these let twice as many through.
  it.scoped("a token bucket of 10 per second admits 19 calls in one second", () =>
    Effect.gen(function* () {
      const limiter = yield* EffectRateLimiter.make({
        limit: 10,
        interval: "1 second",
        algorithm: "token-bucket"
      })
      const admitted = yield* runCallers(
        RateLimiter.fromTake(limiter),
        Array.from({ length: 30 }, () => ({ arrival: 0, holdMs: 0 }))
      )
      expect(busiestWindow(admitted.map((a) => a.at))).toBe(19) // 10 at once, then one every 100 ms
    })
  )

  it.scoped("a fixed window of 10 per second admits 19 calls in one second", () =>
    Effect.gen(function* () {
      const limiter = yield* EffectRateLimiter.make({
        limit: 10,
        interval: "1 second",
        algorithm: "fixed-window"
      })
      // One call opens the window, nine come at its end, ten more as the next one opens.
      const admitted = yield* runCallers(RateLimiter.fromTake(limiter), [
        { arrival: 0, holdMs: 0 },
        ...Array.from({ length: 19 }, () => ({ arrival: 990, holdMs: 0 }))
      ])
      expect(busiestWindow(admitted.map((a) => a.at))).toBe(19)
    })
  )
})

describe("spaced", () => {
  const interval = (qps: number) => (1_000 + RateLimiter.DEFAULT_MARGIN_MS) / qps

  it("never admits more than qps sends in any 1,000 ms window, admits everyone not interrupted, in arrival order, and never idles while someone waits", async () => {
    const caller = fc.record(
      {
        arrival: fc.integer({ min: 0, max: 5_000 }),
        holdMs: fc.integer({ min: 0, max: 400 }),
        // Interruptions at a quarter past a millisecond: never the instant of an admission
        // (arrivals are whole milliseconds, intervals end in .0 or .5), so the outcome is not a race.
        interruptAt: fc.option(
          fc.integer({ min: 0, max: 8_000 }).map((ms) => ms + 0.25),
          { nil: undefined }
        )
      },
      { requiredKeys: ["arrival", "holdMs"] }
    )
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(1, 2, 5, 10, 20),
        fc.array(caller, { minLength: 1, maxLength: 40 }),
        async (qps, callers) => {
          const admissions = await runTest(
            Effect.flatMap(RateLimiter.spaced({ qps }), (limiter) => runCallers(limiter, callers))
          )
          const times = admissions.map((a) => a.at)
          expect(busiestWindow(times)).toBeLessThanOrEqual(qps)
          // Everyone not interrupted before its admission was admitted, once.
          const admittedIds = new Set(admissions.map((a) => a.id))
          expect(admittedIds.size).toBe(admissions.length)
          for (const a of admissions) {
            const interruptAt = callers[a.id]!.interruptAt
            if (interruptAt !== undefined) expect(a.at).toBeLessThan(interruptAt)
          }
          callers.forEach((c, id) => {
            if (c.interruptAt === undefined) expect(admittedIds).toContain(id)
          })
          for (let k = 0; k < admissions.length; k++) {
            const a = admissions[k]!
            const previous = admissions[k - 1]
            // Work-conserving: admitted as soon as both it had arrived and the interval had passed.
            // An interrupted caller ahead of it took no slot and held nobody up.
            const due = previous === undefined ? a.arrival : Math.max(a.arrival, previous.at + interval(qps))
            expect(a.at).toBeCloseTo(due, 2)
            // FIFO: nobody who arrived later went first.
            if (previous !== undefined) expect(previous.arrival).toBeLessThanOrEqual(a.arrival)
          }
        }
      ),
      { seed: SEED, numRuns: 40 }
    )
  })

  it.effect("uses at least 95% of the quota over a long listing paged 4 at a time", () =>
    Effect.gen(function* () {
      const limiter = yield* RateLimiter.spaced({ qps: 10 })
      const admitted: Array<number> = []
      // 200 pages (a 20,000-task job), four workers, 30-80 ms per call.
      let next = 0
      const worker = Effect.whileLoop({
        while: () => next < 200,
        body: () =>
          limiter.take(
            Effect.zipRight(
              Effect.flatMap(Clock.currentTimeMillis, (at) =>
                Effect.sync(() => {
                  next++
                  admitted.push(at)
                })
              ),
              Effect.sleep(30 + ((next * 37) % 50))
            )
          ),
        step: () => {}
      })
      const fiber = yield* Effect.fork(Effect.all([worker, worker, worker, worker], { concurrency: 4 }))
      yield* TestClock.adjust("1 minute")
      yield* Fiber.join(fiber)
      const seconds = (admitted.at(-1)! - admitted[0]! + 100) / 1_000 // the last call's answer included
      expect(admitted.length).toBeGreaterThanOrEqual(200)
      expect(admitted.length / seconds).toBeGreaterThanOrEqual(9.5)
      expect(busiestWindow(admitted)).toBeLessThanOrEqual(10)
    })
  )

  it.effect("an interrupted waiter takes no slot: the next in line goes at the time it would have had", () =>
    Effect.gen(function* () {
      const limiter = yield* RateLimiter.spaced({ qps: 10 })
      const admitted: Array<[string, number]> = []
      const send = (name: string) =>
        limiter.take(
          Effect.flatMap(Clock.currentTimeMillis, (at) => Effect.sync(() => admitted.push([name, at])))
        )
      yield* send("a") // at 0
      const b = yield* Effect.fork(send("b")) // head of the line, sleeping until 102.5
      const c = yield* Effect.fork(send("c")) // waiting behind b
      yield* Effect.fork(send("d"))
      yield* TestClock.adjust("50 millis")
      yield* Fiber.interrupt(b) // at the head, mid-sleep
      yield* Fiber.interrupt(c) // in the line
      yield* TestClock.adjust("52.5 millis")
      expect(admitted).toEqual([
        ["a", 0],
        ["d", 102.5]
      ])
      // Nothing left behind: the next send is spaced from d, and only from d.
      const e = yield* Effect.fork(send("e"))
      yield* TestClock.adjust("1 second")
      expect(Option.isSome(yield* Fiber.poll(e))).toBe(true)
      expect(admitted.at(-1)).toEqual(["e", 205])
    })
  )

  it.effect(
    "a timer firing late keeps the schedule up to half an interval; later, it moves to half an interval before the send",
    () =>
      Effect.gen(function* () {
        const testClock = yield* Effect.clock
        /** The test clock, with every sleep ending `lateMs` after it is due. */
        const late = (lateMs: number): Clock.Clock => ({
          [Clock.ClockTypeId]: Clock.ClockTypeId,
          unsafeCurrentTimeMillis: () => testClock.unsafeCurrentTimeMillis(),
          unsafeCurrentTimeNanos: () => testClock.unsafeCurrentTimeNanos(),
          currentTimeMillis: testClock.currentTimeMillis,
          currentTimeNanos: testClock.currentTimeNanos,
          sleep: (duration) => testClock.sleep(Duration.sum(duration, Duration.millis(lateMs)))
        })
        const spans = (lateMs: number) =>
          Effect.gen(function* () {
            const limiter = yield* RateLimiter.spaced({ qps: 10 })
            const admitted = yield* runCallers(
              limiter,
              Array.from({ length: 21 }, () => ({ arrival: 0, holdMs: 0 })),
              late(lateMs)
            )
            return admitted.map((a) => a.at)
          })
        const onTime = yield* spans(1.5)
        // Each admission 1.5 ms after its slot, the slots themselves 102.5 ms apart: no drift.
        expect(onTime.at(-1)! - onTime[1]!).toBeCloseTo(19 * 102.5, 6)
        expect(busiestWindow(onTime)).toBeLessThanOrEqual(10)
        for (const lateMs of [5, 50]) {
          const late = yield* spans(lateMs)
          // The schedule does not drift; the window (1,023 ms for any 11) pays what it does not credit at most
          // once per 10 sends: twice here.
          const span = late.at(-1)! - late[1]!
          expect(span).toBeGreaterThanOrEqual(19 * 102.5 - 1e-6)
          expect(span).toBeLessThanOrEqual(19 * 102.5 + 2 * (lateMs - 2) + 1e-6)
          expect(busiestWindow(late)).toBeLessThanOrEqual(10)
        }
        // More than half an interval (51.25 ms) late: the schedule moves, by 8.75 ms a send.
        const drifting = yield* spans(60)
        expect(drifting.at(-1)! - drifting[1]!).toBeCloseTo(19 * (102.5 + 60 - 51.25), 6)
      })
  )

  it.effect("rejects a quota that is not a positive number", () =>
    Effect.gen(function* () {
      for (const qps of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
        const exit = yield* Effect.exit(RateLimiter.spaced({ qps }))
        expect(exit._tag).toBe("Failure")
      }
      expect((yield* Effect.exit(RateLimiter.adaptive({ qps: 10, beta: 1 })))._tag).toBe("Failure")
    })
  )
})

describe("adaptive", () => {
  /** Sends `count` calls back to back, each answered `throttled` or not; returns their admission times. */
  const sendAll = (
    limiter: RateLimiter.RateLimiterService,
    count: number,
    throttled: (i: number) => boolean = () => false
  ) =>
    Effect.gen(function* () {
      const times: Array<number> = []
      const fiber = yield* Effect.fork(
        Effect.forEach(
          Array.from({ length: count }, (_, i) => i),
          (i) =>
            Effect.zipRight(
              limiter.take(
                Effect.flatMap(Clock.currentTimeMillis, (at) => Effect.sync(() => times.push(at)))
              ),
              limiter.feedback({ throttled: throttled(i) })
            ),
          { discard: true }
        )
      )
      yield* TestClock.adjust("10 minutes")
      yield* Fiber.join(fiber)
      return times
    })

  const gaps = (times: ReadonlyArray<number>) => times.slice(1).map((t, i) => t - times[i]!)

  it.effect("is spaced at qps until throttled", () =>
    Effect.gen(function* () {
      const times = yield* sendAll(yield* RateLimiter.adaptive({ qps: 10 }), 30)
      for (const gap of gaps(times)) expect(gap).toBeCloseTo(102.5, 3)
    })
  )

  it.effect("lowers the rate on a throttle, once per half second, and recovers to qps", () =>
    Effect.gen(function* () {
      const limiter = yield* RateLimiter.adaptive({ qps: 10 })
      // 20 calls at the full rate, two throttled answers in a row, three successes, one more throttle.
      const times = yield* sendAll(limiter, 400, (i) => i === 20 || i === 21 || i === 25)
      const spacing = gaps(times) // spacing[i]: from call i to call i + 1
      expect(spacing[19]).toBeCloseTo(102.5, 3)
      // The first throttle: 70% of what the server accepted over the last second (9 or 10 calls).
      const cut = 1_025 / spacing[20]!
      expect(cut).toBeGreaterThanOrEqual(0.7 * 9 - 1e-6)
      expect(cut).toBeLessThanOrEqual(0.7 * 10 + 1e-6)
      // The next throttle came within half a second of it (sent before the cut took effect): no second cut.
      expect(spacing[21]!).toBeLessThanOrEqual(spacing[20]! + 2e-3)
      // The one after came later: a second cut.
      expect(spacing[25]!).toBeGreaterThan(spacing[24]! * 1.2)
      // Recovery is gradual (never a jump back) and ends at the quota, never above it.
      const after = spacing.slice(26)
      for (let i = 1; i < after.length; i++) expect(after[i]!).toBeLessThanOrEqual(after[i - 1]! + 2e-3)
      expect(after.at(-1)).toBeCloseTo(102.5, 3)
      expect(Math.min(...spacing)).toBeGreaterThanOrEqual(102.5 - 1e-3)
    })
  )

  it.effect("takes feedback that comes before any send in its stride", () =>
    Effect.gen(function* () {
      const limiter = yield* RateLimiter.adaptive({ qps: 10 })
      yield* limiter.feedback({ throttled: true })
      yield* limiter.feedback({ throttled: false })
      const spacing = gaps(yield* sendAll(limiter, 3))
      // At most a cut to 70% of half the quota (nothing was sent or accepted to say more), recovering from there.
      for (const gap of spacing) {
        expect(gap).toBeGreaterThanOrEqual(102.5 - 1e-3)
        expect(gap).toBeLessThanOrEqual(1_025 / (0.7 * 0.5 * 10) + 1e-3)
      }
    })
  )

  it.effect("falls no lower than minQps however often throttled", () =>
    Effect.gen(function* () {
      const limiter = yield* RateLimiter.adaptive({ qps: 10, minQps: 1 })
      const times = yield* sendAll(limiter, 40, () => true)
      expect(gaps(times).at(-1)).toBeCloseTo(1_025, 3)
    })
  )
})

describe("spaced by when requests leave (takeUntilSent)", () => {
  const INTERVAL = (1_000 + RateLimiter.DEFAULT_MARGIN_MS) / 10

  type Event = readonly [name: string, what: "admitted" | "left", at: number]

  /**
   * One send through `takeUntilSent`: admitted, its request leaves `leaveMs`
   * later (it calls `sent`), and its answer comes `holdMs` after that.
   */
  const leaving = (
    limiter: RateLimiter.RateLimiterService,
    events: Array<Event>,
    name: string,
    leaveMs: number,
    holdMs = 30
  ) =>
    limiter.takeUntilSent!((sent) =>
      Effect.gen(function* () {
        events.push([name, "admitted", yield* Clock.currentTimeMillis])
        yield* Effect.sleep(leaveMs)
        sent()
        events.push([name, "left", yield* Clock.currentTimeMillis])
        yield* Effect.sleep(holdMs)
      })
    )

  const admittedAt = (events: ReadonlyArray<Event>, name: string) =>
    events.find(([n, what]) => n === name && what === "admitted")?.[2]

  it.effect(
    "the next send waits until the current one has left; late for its slot, it goes at once and the schedule resumes half an interval later",
    () =>
      Effect.gen(function* () {
        const limiter = yield* RateLimiter.spaced({ qps: 10 })
        const events: Array<Event> = []
        // a is descheduled for 300 ms between its admission and its write.
        const a = yield* Effect.fork(leaving(limiter, events, "a", 300))
        const b = yield* Effect.fork(leaving(limiter, events, "b", 0))
        const c = yield* Effect.fork(leaving(limiter, events, "c", 0))
        yield* TestClock.adjust("299 millis")
        // b's slot (102.5) has passed, but a has not left: b is still waiting.
        expect(events).toEqual([["a", "admitted", 0]])
        yield* TestClock.adjust("1 second")
        yield* Fiber.join(Fiber.zip(Fiber.zip(a, b), c))
        expect(events).toEqual([
          ["a", "admitted", 0],
          ["a", "left", 300],
          ["b", "admitted", 300],
          ["b", "left", 300],
          ["c", "admitted", 300 + INTERVAL / 2],
          ["c", "left", 300 + INTERVAL / 2]
        ])
      })
  )

  it.effect("a request that leaves late delays its 10th successor (the window), not the schedule", () =>
    Effect.gen(function* () {
      const limiter = yield* RateLimiter.spaced({ qps: 10 })
      const events: Array<Event> = []
      const names = Array.from({ length: 13 }, (_, i) => `s${i}`)
      const all = yield* Effect.fork(
        Effect.all(
          names.map((name, i) => leaving(limiter, events, name, i === 0 ? 40 : 0)),
          { concurrency: "unbounded" }
        )
      )
      yield* TestClock.adjust("1 minute")
      yield* Fiber.join(all)
      const left = names.map((name) => events.find(([n, what]) => n === name && what === "left")![2])
      expect(left.slice(0, 10)).toEqual([40, ...Array.from({ length: 9 }, (_, i) => (i + 1) * INTERVAL)])
      // 1,025 ms (less the 2 credited) after s0 left, not at its slot (1,025).
      expect(left[10]).toBeCloseTo(40 + 1_023, 6)
      // The others keep their slots.
      expect(left[11]).toBeCloseTo(11 * INTERVAL, 6)
      expect(left[12]).toBeCloseTo(12 * INTERVAL, 6)
    })
  )

  // At 1 call per second the window is the previous send: when it counted as leaving shows.
  it.effect("a send that fails before its request left hands the turn on, counted as leaving then", () =>
    Effect.gen(function* () {
      const limiter = yield* RateLimiter.spaced({ qps: 1 })
      const events: Array<Event> = []
      const failing = limiter.takeUntilSent!(() =>
        Effect.zipRight(Effect.sleep("40 millis"), Effect.fail("connection refused" as const))
      )
      const a = yield* Effect.fork(failing)
      const b = yield* Effect.fork(leaving(limiter, events, "b", 0))
      yield* TestClock.adjust("10 seconds")
      expect(yield* Fiber.await(a)).toEqual(Exit.fail("connection refused"))
      yield* Fiber.join(b)
      // 40 ms, plus 1,025, less the 2 ms credited.
      expect(admittedAt(events, "b")).toBeCloseTo(40 + 1_023, 6)
    })
  )

  it.effect("a send interrupted before its request left hands the turn on, counted as leaving then", () =>
    Effect.gen(function* () {
      const limiter = yield* RateLimiter.spaced({ qps: 1 })
      const events: Array<Event> = []
      const a = yield* Effect.fork(limiter.takeUntilSent!(() => Effect.never))
      const b = yield* Effect.fork(leaving(limiter, events, "b", 0))
      yield* TestClock.adjust("60 millis")
      yield* Fiber.interrupt(a)
      yield* TestClock.adjust("10 seconds")
      yield* Fiber.join(b)
      expect(admittedAt(events, "b")).toBeCloseTo(60 + 1_023, 6)
    })
  )

  it.effect("sent called again, or after the send ended, changes nothing", () =>
    Effect.gen(function* () {
      const limiter = yield* RateLimiter.spaced({ qps: 10 })
      const events: Array<Event> = []
      let late: (() => void) | undefined
      yield* limiter.takeUntilSent!((sent) =>
        Effect.sync(() => {
          sent()
          sent()
          late = sent
        })
      )
      const b = yield* Effect.fork(leaving(limiter, events, "b", 150))
      const c = yield* Effect.fork(leaving(limiter, events, "c", 0))
      yield* TestClock.adjust("110 millis")
      // Called while b holds the turn: neither releases b's turn nor moves its slot.
      late!()
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(Fiber.zip(b, c))
      expect(admittedAt(events, "b")).toBeCloseTo(INTERVAL, 6)
      // When b left (its slot, 205, had passed by less than half an interval).
      expect(admittedAt(events, "c")).toBeCloseTo(INTERVAL + 150, 6)
    })
  )

  it.effect("the adaptive limiter waits for the request to leave too", () =>
    Effect.gen(function* () {
      const limiter = yield* RateLimiter.adaptive({ qps: 10 })
      const events: Array<Event> = []
      const both = yield* Effect.fork(
        Effect.all([leaving(limiter, events, "a", 300), leaving(limiter, events, "b", 0)], { concurrency: 2 })
      )
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(both)
      expect(admittedAt(events, "b")).toBeCloseTo(300, 6)
    })
  )

  it.effect(
    "for comparison: spaced by admission, one request leaving 300 ms late puts 11 in one second",
    () =>
      Effect.gen(function* () {
        const limiter = yield* RateLimiter.spaced({ qps: 10 })
        const left: Array<number> = []
        /** Through `take`: the limiter never hears when the request leaves. */
        const send = (leaveMs: number) =>
          limiter.take(
            Effect.zipRight(
              Effect.sleep(leaveMs),
              Effect.flatMap(Clock.currentTimeMillis, (at) => Effect.sync(() => left.push(at)))
            )
          )
        const all = yield* Effect.fork(
          Effect.all(
            Array.from({ length: 13 }, (_, i) => send(i === 0 ? 300 : 0)),
            { concurrency: "unbounded" }
          )
        )
        yield* TestClock.adjust("1 minute")
        yield* Fiber.join(all)
        // The late one (at 300) and the ten from 307.5 to 1,230 are within 1,000 ms.
        expect(busiestWindow(left)).toBe(11)
      })
  )

  it("any qps + 1 consecutive requests leave at least 1,000 + margin − 2 ms apart, whenever each leaves, fails or is interrupted; nobody waits forever", async () => {
    const caller = fc.record(
      {
        arrival: fc.integer({ min: 0, max: 3_000 }),
        // From admission to the write: mostly prompt, sometimes descheduled for hundreds of ms.
        leaveMs: fc.oneof(fc.double({ min: 0, max: 3, noNaN: true }), fc.integer({ min: 0, max: 600 })),
        holdMs: fc.integer({ min: 0, max: 400 }),
        outcome: fc.constantFrom("leaves", "leaves", "leaves", "fails-before", "never-leaves"),
        interruptAt: fc.option(
          fc.integer({ min: 0, max: 8_000 }).map((ms) => ms + 0.25),
          { nil: undefined }
        )
      },
      { requiredKeys: ["arrival", "leaveMs", "holdMs", "outcome"] }
    )
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(1, 2, 5, 10),
        fc.constantFrom(0, 25, 150),
        fc.array(caller, { minLength: 1, maxLength: 40 }),
        async (qps, marginMs, callers) => {
          const { left, admitted, stuck } = await runTest(
            Effect.gen(function* () {
              const limiter = yield* RateLimiter.spaced({ qps, marginMs })
              const left: Array<number> = []
              const admitted = new Set<number>()
              const fibers = yield* Effect.forEach(callers, (c, id) =>
                Effect.fork(
                  Effect.zipRight(
                    Effect.sleep(c.arrival),
                    limiter.takeUntilSent!((sent) =>
                      Effect.gen(function* () {
                        admitted.add(id)
                        if (c.outcome === "never-leaves")
                          return yield* Effect.zipRight(Effect.sleep(c.holdMs), Effect.fail("gave up"))
                        yield* Effect.sleep(c.leaveMs)
                        if (c.outcome === "fails-before") return yield* Effect.fail("refused")
                        sent()
                        left.push(yield* Clock.currentTimeMillis)
                        yield* Effect.sleep(c.holdMs)
                      })
                    )
                  )
                )
              )
              yield* Effect.forEach(callers, (c, id) =>
                c.interruptAt === undefined
                  ? Effect.void
                  : Effect.fork(Effect.zipRight(Effect.sleep(c.interruptAt), Fiber.interrupt(fibers[id]!)))
              )
              yield* TestClock.adjust("1 hour")
              const stuck = yield* Effect.filter(fibers, (fiber) =>
                Effect.map(Fiber.poll(fiber), Option.isNone)
              )
              return { left, admitted, stuck: stuck.length }
            })
          )
          expect(stuck).toBe(0)
          callers.forEach((c, id) => {
            if (c.interruptAt === undefined) expect(admitted).toContain(id)
          })
          // In order: the turn is held until each one leaves.
          for (let i = 1; i < left.length; i++) expect(left[i]!).toBeGreaterThanOrEqual(left[i - 1]!)
          const span = 1_000 + marginMs - Math.min(2, marginMs)
          for (let i = 0; i + qps < left.length; i++)
            expect(left[i + qps]! - left[i]!).toBeGreaterThanOrEqual(span - 1e-6)
        }
      ),
      { seed: SEED, numRuns: 60 }
    )
  })
})

describe("the request engine tells the limiter when each request leaves", () => {
  const INTERVAL = (1_000 + RateLimiter.DEFAULT_MARGIN_MS) / 10
  const ok: TransportResponse = {
    status: 200,
    header: () => undefined,
    body: JSON.stringify({ RequestId: "r-1", Success: true })
  }

  /** Two concurrent calls through `rateLimited(makeExecute(transport), limiter)`. */
  const twoCalls = (transport: TransportService, limiter: RateLimiter.RateLimiterService) =>
    Effect.gen(function* () {
      const signer = yield* Effect.provideService(makeHmacSha1, SigningCrypto, syncSigningCrypto)
      const execute = RpcClient.rateLimited(
        RpcClient.makeExecute({
          config: Effect.runSync(
            ClientConfig.make({ endpoint: "http://127.0.0.1:1", runtime: "test", qps: 0 })
          ),
          credentials: {
            source: "test",
            get: Effect.succeed({ accessKeyId: "id", accessKeySecret: Redacted.make("secret") })
          },
          transport,
          signer,
          nonce: { next: Effect.succeed("nonce") },
          clock: yield* Effect.clock
        }),
        limiter
      )
      const request: RpcClient.RpcRequest = { action: "ListOTATaskByJob", params: { JobId: "j" } }
      const calls = yield* Effect.fork(
        Effect.all([Effect.either(execute(request)), Effect.either(execute(request))], { concurrency: 2 })
      )
      yield* TestClock.adjust("10 seconds")
      return yield* Fiber.join(calls)
    })

  /** A transport whose requests wait `writeMs` for their connection, then are written and answered. */
  const slowToWrite = (writeMs: (n: number) => number, reportsSent: boolean) => {
    const started: Array<number> = []
    const written: Array<number> = []
    const onSent: Array<boolean> = []
    const transport: TransportService = {
      reportsSent,
      send: (request: TransportRequest) =>
        Effect.gen(function* () {
          const n = started.length
          started.push(yield* Clock.currentTimeMillis)
          onSent.push(request.onSent !== undefined)
          yield* Effect.sleep(writeMs(n))
          written.push(yield* Clock.currentTimeMillis)
          request.onSent?.()
          yield* Effect.sleep("20 millis")
          return ok
        })
    }
    return { transport, started, written, onSent }
  }

  it.effect(
    "from a transport that reports the write: the next request is sent after it, spaced from it",
    () =>
      Effect.gen(function* () {
        const t = slowToWrite((n) => (n === 0 ? 250 : 0), true)
        // At 1 call per second, the next one is spaced from the previous one's write (less the 2 ms credited).
        yield* twoCalls(t.transport, yield* RateLimiter.adaptive({ qps: 1 }))
        expect(t.onSent).toEqual([true, true])
        expect(t.written).toEqual([250, 250 + 1_023])
      })
  )

  it.effect("from a transport that cannot tell: the request counts as sent when handed to it", () =>
    Effect.gen(function* () {
      const t = slowToWrite((n) => (n === 0 ? 250 : 0), false)
      yield* twoCalls(t.transport, yield* RateLimiter.spaced({ qps: 10 }))
      expect(t.onSent).toEqual([false, false])
      expect(t.started).toEqual([0, INTERVAL])
    })
  )

  it.effect("a reporting transport that fails before writing hands the turn on", () =>
    Effect.gen(function* () {
      const started: Array<number> = []
      const transport: TransportService = {
        reportsSent: true,
        send: () =>
          Effect.flatMap(Clock.currentTimeMillis, (now) => {
            started.push(now)
            return started.length === 1
              ? Effect.zipRight(
                  Effect.sleep("40 millis"),
                  Effect.fail(new TransportError({ message: "connection refused" }))
                )
              : Effect.succeed(ok)
          })
      }
      const [first, second] = yield* twoCalls(transport, yield* RateLimiter.spaced({ qps: 1 }))
      expect(first._tag).toBe("Left")
      expect(second._tag).toBe("Right")
      // Counted as leaving when it failed.
      expect(started).toEqual([0, 40 + 1_023])
    })
  )

  it.effect(
    "a custom limiter (RateLimiter.make) works as before: its take runs each attempt, nothing waits for the write",
    () =>
      Effect.gen(function* () {
        let taken = 0
        const custom = RateLimiter.make({
          take: (send) =>
            Effect.zipRight(
              Effect.sync(() => taken++),
              send
            )
        })
        expect(custom.takeUntilSent).toBeUndefined()
        const t = slowToWrite(() => 250, true)
        const [first, second] = yield* twoCalls(t.transport, custom)
        expect(first._tag).toBe("Right")
        expect(second._tag).toBe("Right")
        expect(taken).toBe(2)
        expect(t.onSent).toEqual([false, false])
        expect(t.started).toEqual([0, 0])
      })
  )
})
