/**
 * `ota tasks watch` without a server: the live block laid out for terminals
 * of several widths (a pure function), and the refresh cadence on the
 * `TestClock` (no wall-clock time involved).
 */
import { describe, expect, it } from "@effect/vitest"
import type { OtaJob } from "@iot-ota/core/operations/QueryOTAJob"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as TestClock from "effect/TestClock"
import { jobLine, liveLines, logLine, repeatEvery, type WatchFrame } from "../src/commands/watch.js"
import type { JobSummary } from "../src/internal/summary.js"
import { displayWidth, stripAnsi } from "../src/internal/text.js"

const counts = {
  CONFIRM: 3,
  QUEUED: 12,
  NOTIFIED: 15,
  IN_PROGRESS: 60,
  SUCCEEDED: 1024,
  FAILED: 17,
  CANCELED: 5
}
const total = Object.values(counts).reduce((a, b) => a + b, 0)
const done = counts.SUCCEEDED + counts.FAILED + counts.CANCELED
const summary: JobSummary = {
  jobId: "7glPHmaDYLAYMD1HHutT02",
  total,
  counts,
  other: 2,
  done,
  doneShare: done / total
}
const frame: WatchFrame = {
  jobId: summary.jobId,
  summary,
  now: Date.UTC(2024, 4, 1, 10, 3, 12),
  intervalMs: 2000,
  finished: false
}

describe("the live block", () => {
  it.each([120, 80, 60, 40])(
    "at %i columns keeps every line narrower than the terminal and loses nothing",
    (width) => {
      for (const color of [false, true]) {
        const lines = liveLines(frame, width, color)
        for (const line of lines) expect(displayWidth(line), line).toBeLessThan(width)
        const text = lines.map(stripAnsi).join(" ")
        for (const [status, count] of Object.entries(counts)) expect(text).toContain(`${status} ${count}`)
        expect(text).toContain("OTHER 2")
        expect(text).toContain(`Job ${summary.jobId}: ${total} tasks`)
        expect(text).toContain("updated 10:03:12 UTC")
        expect(text).toContain("every 2.0 s")
        expect(text).toContain("Ctrl-C to stop")
        expect(text).toContain(`(${done}/${total})`)
      }
    }
  )

  it("uses one line each for the header, the bar and the counts when they fit", () => {
    const lines = liveLines(frame, 200, false)
    expect(lines).toEqual([
      `Job ${summary.jobId}: ${total} tasks, updated 10:03:12 UTC, every 2.0 s, Ctrl-C to stop`,
      expect.stringMatching(/^\[█+[▏▎▍▌▋▊▉]?░*\] 92\.0% done \(1046\/1136\)$/),
      "CONFIRM 3  QUEUED 12  NOTIFIED 15  IN_PROGRESS 60  SUCCEEDED 1024  FAILED 17  CANCELED 5  OTHER 2"
    ])
  })

  it("wraps the counts between statuses at 40 columns, never inside one", () => {
    const counted = liveLines(frame, 40, false).filter((line) => /^[A-Z_]+ \d+/.test(line))
    expect(counted.length).toBeGreaterThan(1)
    for (const line of counted) expect(line).toMatch(/^(?:[A-Z_]+ \d+)(?: {2}[A-Z_]+ \d+)*$/)
  })

  it("drops the cadence once finished, and wraps a refresh problem", () => {
    const finished = liveLines({ ...frame, finished: true }, 80, false).join("\n")
    expect(finished).not.toContain("Ctrl-C")
    const problem =
      "refresh failed at 10:03:12 UTC (TransportError: connect ECONNREFUSED 127.0.0.1:1); retrying in 2.0 s"
    const lines = liveLines({ ...frame, problem }, 40, false)
    expect(lines.slice(-3).join(" ")).toBe(problem)
    for (const line of lines) expect(displayWidth(line)).toBeLessThan(40)
  })

  it("prints one line per refresh off a terminal", () => {
    expect(logLine(frame, false)).toBe(
      "2024-05-01T10:03:12.000Z [##################..] 92.0% done (1046/1136) CONFIRM=3 QUEUED=12 NOTIFIED=15 IN_PROGRESS=60 SUCCEEDED=1024 FAILED=17 CANCELED=5 OTHER=2"
    )
  })
})

describe("the job's header", () => {
  const job: OtaJob = {
    jobId: summary.jobId,
    name: "lamp 2.4.1 wave 2",
    jobStatus: "IN_PROGRESS",
    firmwareId: "UfuxnwygsuSkVE0VCNmx0100",
    productKey: "a1GUfrM3kLp",
    srcVersions: ["2.4.0", "2.3.9"],
    destVersion: "2.4.1"
  }

  it("heads the live block with the name, status, firmware and versions", () => {
    expect(liveLines({ ...frame, job }, 200, false)[0]).toBe(
      "lamp 2.4.1 wave 2 · IN_PROGRESS · firmware UfuxnwygsuSkVE0VCNmx0100 · 2.4.0, 2.3.9 → 2.4.1"
    )
    expect(liveLines({ ...frame, job }, 200, false).slice(1)).toEqual(liveLines(frame, 200, false))
  })

  it.each([120, 80, 60, 40])("wraps between its items at %i columns, losing nothing", (width) => {
    for (const color of [false, true]) {
      const lines = liveLines({ ...frame, job }, width, color)
      for (const line of lines) expect(displayWidth(line), line).toBeLessThan(width)
      const text = lines.map(stripAnsi).join(" · ")
      for (const item of [
        "lamp 2.4.1 wave 2",
        "IN_PROGRESS",
        "firmware UfuxnwygsuSkVE0VCNmx0100",
        "2.4.0, 2.3.9 → 2.4.1"
      ])
        expect(text).toContain(item)
    }
  })

  it("is one line in a log; server text is cleaned and parts the job lacks are left out", () => {
    expect(jobLine(job, false)).toBe(
      `Job ${summary.jobId}: lamp 2.4.1 wave 2 · IN_PROGRESS · firmware UfuxnwygsuSkVE0VCNmx0100 · 2.4.0, 2.3.9 → 2.4.1`
    )
    const bare: OtaJob = {
      jobId: "j",
      jobStatus: "COMPLETED",
      firmwareId: "",
      productKey: "",
      name: "\u001b[2Jwave\r\n1"
    }
    expect(jobLine(bare, false)).toBe("Job j: wave 1 · COMPLETED")
    expect(jobLine({ ...job, srcVersions: [] }, false)).toContain(" · any → 2.4.1")
  })
})

describe("the cadence", () => {
  /**
   * Runs `repeatEvery` with a step that takes `stepMs` of test time and stops
   * after `runs` runs; returns the times (test clock) at which each run began.
   */
  const starts = (intervalMs: number, stepMs: ReadonlyArray<number>) =>
    Effect.gen(function* () {
      const began: Array<number> = []
      const step = Effect.gen(function* () {
        began.push(yield* Clock.currentTimeMillis)
        yield* Effect.sleep(Duration.millis(stepMs[began.length - 1] ?? 0))
        return began.length
      })
      const fiber = yield* Effect.fork(repeatEvery(step, intervalMs, (n) => n >= stepMs.length))
      // Move the clock in small steps until the loop ends; TestClock wakes
      // each sleep at its own due time within a step.
      while ((yield* Fiber.poll(fiber))._tag === "None") yield* TestClock.adjust(Duration.millis(50))
      expect(yield* Fiber.join(fiber)).toBe(stepMs.length)
      return began
    })

  it.effect("starts a refresh every interval, counted from the start of the previous one", () =>
    Effect.gen(function* () {
      // Refreshes of 400 ms every 2 s start at 0, 2000, 4000, ... (not every 2.4 s).
      expect(yield* starts(2000, [400, 400, 400, 400])).toEqual([0, 2000, 4000, 6000])
    })
  )

  it.effect("follows a refresh longer than the interval at once, without piling up missed ones", () =>
    Effect.gen(function* () {
      expect(yield* starts(1000, [100, 2500, 100, 100])).toEqual([0, 1000, 3500, 4500])
    })
  )
})
