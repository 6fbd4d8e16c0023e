/**
 * The call statistics of `--verbose`: counted from the client's attempt
 * events (its `onEvent` hook), never from log text.
 */

import { ApiError, TimeoutError } from "@iot-ota/core/IotError"
import * as Effect from "effect/Effect"
import { describe, expect, it } from "vitest"
import {
  attemptEventOfClient,
  attemptLine,
  makeAttemptRecorder,
  makeCliLogger
} from "../src/internal/logger.js"

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

  it("reads the client's attempt events, request ids of failures included", () => {
    const timedOut = attemptEventOfClient({
      _tag: "AttemptFailed",
      action: "ListOTATaskByJob",
      attempt: 2,
      durationMs: 31,
      error: new TimeoutError({ timeoutMs: 30, message: "no response" })
    })
    expect(timedOut).toEqual({
      _tag: "AttemptFailed",
      action: "ListOTATaskByJob",
      attempt: 2,
      durationMs: 31,
      requestId: undefined,
      error: { _tag: "TimeoutError", code: undefined }
    })
    expect(attemptLine(timedOut)).toBe(
      "ListOTATaskByJob attempt 2 failed in 31 ms: TimeoutError (no request id)"
    )
    const throttled = attemptEventOfClient({
      _tag: "AttemptFailed",
      action: "ListOTATaskByJob",
      attempt: 1,
      durationMs: 5,
      error: new ApiError({
        code: "Throttling.User",
        message: "",
        requestId: "R-9",
        httpStatus: 400,
        retryable: true
      })
    })
    expect(throttled).toMatchObject({
      requestId: "R-9",
      error: { _tag: "ApiError", code: "Throttling.User" }
    })
  })

  it("prints the client's warnings on stderr, cleaned, and leaves attempts to the events", async () => {
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
    // Not verbose: debug lines are not printed; the warning is, without its escape sequences.
    expect(lines).toEqual(["ota: warning: dropped duplicates count=2\n"])
    expect(logger.stats).toEqual({ calls: 0, attempts: 0, failedAttempts: 0 })
  })
})
