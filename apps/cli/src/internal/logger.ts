/**
 * The CLI's logger: the client's log lines on stderr, never stdout (which
 * carries data). With `--verbose`, one line per HTTP attempt (action,
 * attempt number, duration, request id or error) and a closing summary. The
 * client never logs URLs (they carry the signature) or secrets, and neither
 * does this.
 */
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import * as HashMap from "effect/HashMap"
import * as HashSet from "effect/HashSet"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import { formatDuration } from "./duration.js"
import { sanitize } from "./text.js"

/** Counters kept while a command runs. */
export interface CallStats {
  /** Calls (first attempts). */
  calls: number
  attempts: number
  failedAttempts: number
}

/** A logger layer plus the statistics it gathers. */
export interface CliLogger {
  readonly layer: Layer.Layer<never>
  readonly stats: CallStats
  /** `8 calls, 9 attempts (1 failed, 1 retry) in 1.2 s` */
  readonly summary: (elapsedMs: number) => string
}

const text = (value: unknown): string => (typeof value === "string" ? value : (JSON.stringify(value) ?? ""))

const attemptLine = (ok: boolean, fields: ReadonlyMap<string, unknown>): string => {
  const action = text(fields.get("action") ?? "call")
  const attempt = text(fields.get("attempt") ?? "?")
  const duration = typeof fields.get("durationMs") === "number" ? ` in ${fields.get("durationMs")} ms` : ""
  const requestId = fields.get("requestId")
  const id = requestId === undefined ? " (no request id)" : ` (request id ${text(requestId)})`
  if (ok) return `${action} attempt ${attempt} ok${duration}${id}`
  const code = fields.get("code")
  const error = `${text(fields.get("error") ?? "error")}${code === undefined ? "" : ` ${text(code)}`}`
  return `${action} attempt ${attempt} failed${duration}: ${error}${id}`
}

/**
 * @param verbose show debug lines (each attempt) and not only warnings
 * @param write where finished lines go (stderr)
 */
export const makeCliLogger = (verbose: boolean, write: (line: string) => void): CliLogger => {
  const stats: CallStats = { calls: 0, attempts: 0, failedAttempts: 0 }
  const logger = Logger.make(({ logLevel, message, annotations }) => {
    const body = Array.isArray(message) ? message.map(text).join(" ") : text(message)
    const fields = new Map<string, unknown>(HashMap.toEntries(annotations))
    if (body === "attempt succeeded" || body === "attempt failed") {
      const ok = body === "attempt succeeded"
      stats.attempts++
      if (fields.get("attempt") === 1) stats.calls++
      if (!ok) stats.failedAttempts++
      if (verbose) write(`ota: ${sanitize(attemptLine(ok, fields))}\n`)
      return
    }
    const level = logLevel._tag === "Warning" ? "warning" : logLevel.label.toLowerCase()
    let details = ""
    for (const [key, value] of fields) details += ` ${key}=${text(value)}`
    write(`ota: ${level}: ${sanitize(body + details)}\n`)
  })
  return {
    stats,
    // The only logger while it is in use, whatever was installed before.
    layer: Layer.merge(
      Layer.scopedDiscard(Effect.locallyScoped(FiberRef.currentLoggers, HashSet.make(logger))),
      Logger.minimumLogLevel(verbose ? LogLevel.Debug : LogLevel.Warning)
    ),
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
