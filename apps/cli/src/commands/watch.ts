/**
 * `ota tasks watch`: a live summary and progress bar, refreshed every
 * `--interval`, until every task is SUCCEEDED, FAILED or CANCELED. Devices
 * that newly failed are listed with their TaskDesc as they appear.
 *
 * @since 0.1.0
 */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import { isRetryable, type OtaError } from "@iot-ota/core/IotError"
import { OtaClient } from "@iot-ota/core/OtaClient"
import type { OtaTask } from "@iot-ota/core/operations/ListOTATaskByJob"
import { TASK_STATUSES } from "@iot-ota/core/operations/ListOTATaskByJob"
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { withClient } from "../internal/client.js"
import { formatDuration } from "../internal/duration.js"
import { describeError, NotFinished } from "../internal/exitCode.js"
import { clientOptions, durationOption, jobOption } from "../internal/options.js"
import * as Output from "../internal/output.js"
import { doneLine, fetchSummary, isFinished, type JobSummary, progressLine } from "../internal/summary.js"
import { ansi, paint, paintStatus, type TerminalInfo, terminalInfo } from "../internal/terminal.js"
import { sanitize, truncateStyled } from "../internal/text.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface WatchParams {
  readonly jobId: string
  /** Time between refreshes. */
  readonly intervalMs: number
  /** Give up after this long with `NotFinished` (exit 124). */
  readonly maxDurationMs?: number | undefined
  readonly terminal: TerminalInfo
}

const clock = (millis: number): string => new Date(millis).toISOString().slice(11, 19)

/** `SUCCEEDED 100  FAILED 8  IN_PROGRESS 60` (statuses with no task left out). */
const countsLine = (summary: JobSummary, color: boolean, separator: string): string => {
  const parts = TASK_STATUSES.filter((status) => (summary.counts[status] ?? 0) > 0).map((status) =>
    paintStatus(color, status, `${status}${separator}${summary.counts[status]}`)
  )
  if (summary.other > 0) parts.push(`OTHER${separator}${summary.other}`)
  return parts.length === 0 ? "no tasks" : parts.join(separator === "=" ? " " : "  ")
}

const failureLine = (task: OtaTask, color: boolean): string =>
  `${paintStatus(color, "FAILED")}  ${sanitize(task.deviceName)}: ${sanitize(task.taskDesc ?? "(no TaskDesc)")}`

/**
 * The screen: on a terminal, a block of lines redrawn in place below the
 * list of failures; elsewhere, one line per refresh.
 */
const makeScreen = (terminal: TerminalInfo) => {
  let liveLines = 0
  // Read at each redraw: the terminal may have been resized.
  const width = () => process.stdout.columns || terminal.columns || 80
  return {
    /** Appends permanent lines (failures) and replaces the live block. */
    draw: (permanent: ReadonlyArray<string>, live: ReadonlyArray<string>): string => {
      if (!terminal.stdoutIsTTY) return [...permanent, ...live].map((line) => `${line}\n`).join("")
      // Live lines are cut to the width so that none wraps: the redraw counts lines.
      const block = live.map((line) => truncateStyled(line, width() - 1))
      const text =
        (liveLines > 0 ? ansi.up(liveLines) + ansi.clearDown : "") +
        [...permanent, ...block].map((line) => `${line}\n`).join("")
      liveLines = block.length
      return text
    }
  }
}

/**
 * Refreshes until every task is terminal; fails with `NotFinished` when
 * `maxDurationMs` passes first.
 *
 * @since 0.1.0
 * @category commands
 */
export const runWatch = (
  params: WatchParams
): Effect.Effect<JobSummary, OtaError | Output.BrokenPipe | NotFinished, OtaClient> =>
  Effect.gen(function* () {
    const client = yield* OtaClient
    const { terminal } = params
    const screen = makeScreen(terminal)
    const seen = new Set<string>()
    let listedFailed = 0
    const started = yield* Clock.currentTimeMillis
    const barWidth = Math.max(10, Math.min(40, (terminal.columns ?? 80) - 36))
    /** One refresh: the counts, and the failed devices not listed yet. */
    const refresh = Effect.gen(function* () {
      const summary = yield* fetchSummary(client, params.jobId)
      const failed = summary.counts.FAILED ?? 0
      const fresh: Array<OtaTask> = []
      if (failed !== listedFailed) {
        const tasks = yield* Stream.runCollect(
          client.streamOTATaskByJob({ jobId: params.jobId, taskStatus: "FAILED" })
        )
        for (const task of Chunk.toReadonlyArray(tasks)) {
          if (!seen.has(task.taskId)) {
            seen.add(task.taskId)
            fresh.push(task)
          }
        }
        listedFailed = failed
      }
      return { summary, fresh }
    })
    let last: JobSummary | undefined
    for (;;) {
      const outcome = yield* Effect.either(refresh)
      const now = yield* Clock.currentTimeMillis
      // A watch stays open for a whole rollout: once it has shown the job, a
      // transient failure (network, throttling after retries) is reported and
      // the next refresh tries again. Anything else ends it.
      if (outcome._tag === "Left" && (last === undefined || !isRetryable(outcome.left))) {
        return yield* Effect.fail(outcome.left)
      }
      const summary = outcome._tag === "Right" ? outcome.right.summary : last!
      last = summary
      const problem =
        outcome._tag === "Left"
          ? `refresh failed at ${clock(now)} UTC (${describeError(outcome.left)}); retrying in ${formatDuration(params.intervalMs)}`
          : undefined
      const finished = outcome._tag === "Right" && isFinished(summary)
      const permanent =
        outcome._tag === "Right" ? outcome.right.fresh.map((task) => failureLine(task, terminal.color)) : []
      const live = terminal.stdoutIsTTY
        ? [
            paint(
              terminal.color,
              "dim",
              `Job ${params.jobId}: ${summary.total} tasks, updated ${clock(now)} UTC` +
                (finished ? "" : `, every ${formatDuration(params.intervalMs)} (Ctrl-C to stop)`)
            ),
            progressLine(summary, barWidth, true),
            countsLine(summary, terminal.color, " "),
            ...(problem === undefined ? [] : [paint(terminal.color, "yellow", problem)])
          ]
        : problem === undefined
          ? [
              `${new Date(now).toISOString()} ${progressLine(summary, 20, false)} ${countsLine(summary, terminal.color, "=")}`
            ]
          : []
      yield* Output.stdout(screen.draw(permanent, live))
      if (problem !== undefined && !terminal.stdoutIsTTY) yield* Output.stderr(`ota: warning: ${problem}\n`)
      if (finished) {
        yield* Output.stdout(
          `${paint(terminal.color, "bold", summary.total === 0 ? "The job has no tasks." : "Every task is finished.")} ${doneLine(summary, terminal.color)}\n`
        )
        return summary
      }
      const elapsed = now - started
      if (params.maxDurationMs !== undefined && elapsed + params.intervalMs > params.maxDurationMs) {
        return yield* Effect.fail(
          new NotFinished({
            message: `stopped watching after ${formatDuration(elapsed)} (--max-duration): ${summary.total - summary.done} of ${summary.total} tasks not finished yet`
          })
        )
      }
      yield* Effect.sleep(Duration.millis(params.intervalMs))
    }
  }).pipe(
    // The cursor is hidden while the block redraws, and shown again however the watch ends.
    (watch) =>
      params.terminal.stdoutIsTTY
        ? Effect.acquireUseRelease(
            Effect.sync(() => process.stdout.write(ansi.hideCursor)),
            () => watch,
            () => Effect.sync(() => process.stdout.write(ansi.showCursor))
          )
        : watch
  )

/**
 * @since 0.1.0
 * @category commands
 */
export const watch = Command.make(
  "watch",
  {
    ...clientOptions,
    job: jobOption,
    interval: durationOption("interval", 200, 3_600_000).pipe(
      Options.withDescription(
        "Time between refreshes, e.g. 2s or 1m (default 5s; each refresh makes 8+ calls)"
      ),
      Options.withDefault(5000)
    ),
    maxDuration: durationOption("max-duration", 1, 7 * 24 * 3_600_000).pipe(
      Options.withDescription("Stop after this long with exit code 124 if tasks are still running"),
      Options.optional
    )
  },
  (flags) =>
    withClient(
      flags,
      Effect.asVoid(
        runWatch({
          jobId: flags.job,
          intervalMs: flags.interval,
          maxDurationMs: Option.getOrUndefined(flags.maxDuration),
          terminal: terminalInfo()
        })
      )
    )
).pipe(
  Command.withDescription(
    "Follow a rollout live: per-status counts and a progress bar, refreshed every --interval until every task is SUCCEEDED, FAILED or CANCELED (exit 0) or Ctrl-C (exit 130). Newly failed devices are listed with their TaskDesc."
  )
)
