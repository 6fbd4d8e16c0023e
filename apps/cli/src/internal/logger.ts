/**
 * The CLI's logger and its call statistics. The client's log lines go to
 * stderr, never stdout (which carries data). With `--verbose`, one line per
 * HTTP attempt (action, attempt number, duration, request id or error) and a
 * closing summary. The client never logs URLs (they carry the signature) or
 * secrets, and neither does this.
 *
 * The statistics are counted from attempt events ({@link AttemptEvent}), fed
 * to one function, `AttemptRecorder.record`, by the client's `onEvent` hook:
 * nothing here depends on the wording of a log line.
 */
import type { AttemptEvent as ClientAttemptEvent } from "@iot-ota/core/RpcClient"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import * as HashMap from "effect/HashMap"
import * as HashSet from "effect/HashSet"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import { formatDuration } from "./duration.js"
import { sanitize, serverText } from "./text.js"

/**
 * One HTTP attempt of a call, as the client reports it (the shape of the
 * core client's per-attempt event hook).
 */
export interface AttemptEvent {
  readonly _tag: "AttemptStarted" | "AttemptSucceeded" | "AttemptFailed"
  /** The API action, e.g. `ListOTATaskByJob`. */
  readonly action: string
  /** 1 for the first attempt of a call, 2 for its first retry, ... */
  readonly attempt: number
  /** How long the attempt took, rate-limit wait included (on success and failure). */
  readonly durationMs?: number | undefined
  /** The server's request id, when it sent one. */
  readonly requestId?: string | undefined
  /** Why the attempt failed: the error's tag and, for an API error, its code. */
  readonly error?: { readonly _tag: string; readonly code?: string | undefined } | undefined
}

/** Counters kept while a command runs. */
export interface CallStats {
  /** Calls (first attempts). */
  calls: number
  attempts: number
  failedAttempts: number
}

/** Where attempt events go: the statistics, and with `--verbose` a line each. */
export interface AttemptRecorder {
  readonly record: (event: AttemptEvent) => void
  readonly stats: CallStats
  /** `8 calls, 9 attempts (1 failed, 1 retry) in 1.2 s` */
  readonly summary: (elapsedMs: number) => string
}

/** `ListOTATaskByJob attempt 2 failed in 12 ms: ApiError Throttling.User (request id 4C1F...)` */
export const attemptLine = (event: AttemptEvent): string => {
  const duration = event.durationMs === undefined ? "" : ` in ${Math.round(event.durationMs)} ms`
  const id =
    event.requestId === undefined ? " (no request id)" : ` (request id ${serverText(event.requestId, 100)})`
  const head = `${sanitize(event.action)} attempt ${event.attempt}`
  if (event._tag === "AttemptSucceeded") return `${head} ok${duration}${id}`
  const error =
    event.error === undefined
      ? "error"
      : `${sanitize(event.error._tag)}${event.error.code === undefined ? "" : ` ${serverText(event.error.code, 100)}`}`
  return `${head} failed${duration}: ${error}${id}`
}

/**
 * @param verbose write a line per finished attempt
 * @param write where finished lines go (stderr)
 */
export const makeAttemptRecorder = (verbose: boolean, write: (line: string) => void): AttemptRecorder => {
  const stats: CallStats = { calls: 0, attempts: 0, failedAttempts: 0 }
  return {
    stats,
    record: (event) => {
      // A started attempt is counted when it ends (it may be interrupted).
      if (event._tag === "AttemptStarted") return
      stats.attempts++
      if (event.attempt === 1) stats.calls++
      if (event._tag === "AttemptFailed") stats.failedAttempts++
      if (verbose) write(`ota: ${attemptLine(event)}\n`)
    },
    summary: (elapsedMs) => {
      const retries = stats.attempts - stats.calls
      const failed =
        stats.failedAttempts === 0
          ? ""
          : ` (${stats.failedAttempts} failed, ${retries} ${retries === 1 ? "retry" : "retries"})`
      return `${stats.calls} ${stats.calls === 1 ? "call" : "calls"}, ${stats.attempts} ${stats.attempts === 1 ? "attempt" : "attempts"}${failed} in ${formatDuration(elapsedMs)}`
    }
  }
}

const text = (value: unknown): string => (typeof value === "string" ? value : (JSON.stringify(value) ?? ""))

/** The CLI's view of one of the client's attempt events (`onEvent`). */
export const attemptEventOfClient = (event: ClientAttemptEvent): AttemptEvent =>
  event._tag === "AttemptSucceeded"
    ? {
        _tag: "AttemptSucceeded",
        action: event.action,
        attempt: event.attempt,
        durationMs: event.durationMs,
        requestId: event.requestId
      }
    : {
        _tag: "AttemptFailed",
        action: event.action,
        attempt: event.attempt,
        durationMs: event.durationMs,
        requestId: "requestId" in event.error ? event.error.requestId : undefined,
        error: { _tag: event.error._tag, code: "code" in event.error ? event.error.code : undefined }
      }

/** A logger layer plus the attempt statistics. */
export interface CliLogger extends AttemptRecorder {
  readonly layer: Layer.Layer<never>
}

/**
 * @param verbose show debug lines (each attempt) and not only warnings
 * @param write where finished lines go (stderr)
 */
export const makeCliLogger = (verbose: boolean, write: (line: string) => void): CliLogger => {
  const recorder = makeAttemptRecorder(verbose, write)
  const logger = Logger.make(({ logLevel, message, annotations }) => {
    const body = Array.isArray(message) ? message.map(text).join(" ") : text(message)
    const fields = new Map<string, unknown>(HashMap.toEntries(annotations))
    const level = logLevel._tag === "Warning" ? "warning" : logLevel.label.toLowerCase()
    let details = ""
    for (const [key, value] of fields) details += ` ${key}=${text(value)}`
    write(`ota: ${level}: ${serverText(body + details)}\n`)
  })
  return {
    ...recorder,
    // The only logger while it is in use, whatever was installed before.
    layer: Layer.merge(
      Layer.scopedDiscard(Effect.locallyScoped(FiberRef.currentLoggers, HashSet.make(logger))),
      Logger.minimumLogLevel(verbose ? LogLevel.Debug : LogLevel.Warning)
    )
  }
}
