/**
 * The call statistics of `--verbose`: counted from attempt events, whatever
 * produces them (today the client's debug log lines, through the one adapter;
 * later the client's event hook).
 */
import * as Effect from "effect/Effect"
import { describe, expect, it } from "vitest"
import { attemptEventOfLog, attemptLine, makeAttemptRecorder, makeCliLogger } from "../src/internal/logger.js"

describe("attempt statistics", () => {
  it("counts calls, attempts and failures from events, and writes a line per finished attempt", () => {
    const lines: Array<string> = []
    const recorder = makeAttemptRecorder(true, (line) => lines.push(line))
    recorder.record({ _tag: "AttemptStarted", action: "ListOTATaskByJob", attempt: 1 })
    recorder.record({
      _tag: "AttemptFailed",
      action: "ListOTATaskByJob",
      attempt: 1,
      durationMs: 12.4,
      requestId: "REQ\u001b[2J-1",
      error: { _tag: "ApiError", code: "Throttling.User" }
    })
    recorder.record({ _tag: "AttemptSucceeded", action: "ListOTATaskByJob", attempt: 2, durationMs: 9 })
    recorder.record({ _tag: "AttemptSucceeded", action: "ListOTATaskByJob", attempt: 1, requestId: "REQ-3" })
    expect(recorder.stats).toEqual({ calls: 2, attempts: 3, failedAttempts: 1 })
    expect(lines).toEqual([
      "ota: ListOTATaskByJob attempt 1 failed in 12 ms: ApiError Throttling.User (request id REQ-1)\n",
      "ota: ListOTATaskByJob attempt 2 ok in 9 ms (no request id)\n",
      "ota: ListOTATaskByJob attempt 1 ok (request id REQ-3)\n"
    ])
    expect(recorder.summary(1234)).toBe("2 calls, 3 attempts (1 failed, 1 retry) in 1.2 s")
  })

  it("reads the client's attempt log lines as events, and nothing else", () => {
    const fields = new Map<string, unknown>([
      ["action", "ListOTATaskByJob"],
      ["attempt", 2],
      ["durationMs", 31],
      ["error", "TimeoutError"]
    ])
    expect(attemptEventOfLog("attempt failed", fields)).toEqual({
      _tag: "AttemptFailed",
      action: "ListOTATaskByJob",
      attempt: 2,
      durationMs: 31,
      requestId: undefined,
      error: { _tag: "TimeoutError", code: undefined }
    })
    expect(attemptEventOfLog("retrying", fields)).toBeUndefined()
    expect(attemptLine(attemptEventOfLog("attempt failed", fields)!)).toBe(
      "ListOTATaskByJob attempt 2 failed in 31 ms: TimeoutError (no request id)"
    )
  })

  it("routes attempt log lines to the statistics and other warnings to stderr, cleaned", async () => {
    const lines: Array<string> = []
    const logger = makeCliLogger(false, (line) => lines.push(line))
    await Effect.runPromise(
      Effect.gen(function* () {
        yield* Effect.logDebug("attempt succeeded").pipe(
          Effect.annotateLogs({ action: "ListOTATaskByJob", attempt: 1, durationMs: 5, requestId: "R-1" })
        )
        yield* Effect.logWarning("dropped \u001b[31mduplicates\u001b[39m").pipe(
          Effect.annotateLogs({ count: 2 })
        )
      }).pipe(Effect.provide(logger.layer))
    )
    // Not verbose: the attempt is counted only if debug lines reach the logger; the warning is printed.
    expect(lines).toEqual(["ota: warning: dropped duplicates count=2\n"])
  })
})
