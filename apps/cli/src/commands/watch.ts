/**
 * `ota tasks watch`: a live summary and progress bar, refreshed every
 * `--interval`, until every task is SUCCEEDED, FAILED or CANCELED, under a
 * header naming the job, its status, firmware and versions. Devices that
 * newly failed are listed with their TaskDesc as they appear.
 *
 * @since 0.1.0
 */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import { isRetryable, type OtaError } from "@iot-ota/core/IotError"
import { OtaClient } from "@iot-ota/core/OtaClient"
import type { OtaTask } from "@iot-ota/core/operations/ListOTATaskByJob"
import { TASK_STATUSES } from "@iot-ota/core/operations/ListOTATaskByJob"
import type { OtaJob } from "@iot-ota/core/operations/QueryOTAJob"
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import { meter, percent } from "../internal/bar.js"
import { withClient } from "../internal/client.js"
import { formatDuration } from "../internal/duration.js"
import { describeError, NotFinished } from "../internal/exitCode.js"
import * as Flags from "../internal/flags.js"
import { clientOptions, jobOption } from "../internal/options.js"
import * as Output from "../internal/output.js"
import { jobVersions } from "../internal/recordColumns.js"
import { doneLine, fetchSummary, isFinished, type JobSummary, progressLine } from "../internal/summary.js"
import { ansi, paint, paintStatus, type TerminalInfo, terminalInfo } from "../internal/terminal.js"
import { displayWidth, serverText, wrapItems, wrapWords } from "../internal/text.js"

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

/**
 * What one refresh shows.
 *
 * @since 0.1.0
 * @category models
 */
export interface WatchFrame {
  readonly jobId: string
  readonly summary: JobSummary
  /** When the counts were taken (epoch ms). */
  readonly now: number
  readonly intervalMs: number
  /** Every task is in a terminal status. */
  readonly finished: boolean
  /** A refresh that failed and will be tried again, said in one sentence. */
  readonly problem?: string | undefined
  /** The job as `QueryOTAJob` last answered it; absent until it has (or when it cannot). */
  readonly job?: OtaJob | undefined
}

/**
 * The job's header items: name, status, firmware and versions
 * (`thermo-fw-2.9.3`, `IN_PROGRESS`, `firmware hbFn…`, `2.9.2, 2.8.1 → 2.9.3`).
 *
 * @since 0.1.0
 * @category rendering
 */
export const jobItems = (job: OtaJob, color: boolean): Array<string> => {
  const versions = jobVersions(job)
  return [
    ...(job.name === undefined || job.name === "" ? [] : [serverText(job.name, 100)]),
    paintStatus(color, job.jobStatus, serverText(job.jobStatus, 40)),
    ...(job.firmwareId === "" ? [] : [`firmware ${serverText(job.firmwareId, 100)}`]),
    ...(versions === undefined ? [] : [serverText(versions, 200)])
  ]
}

/**
 * The job's header as one line, for a log: `Job job-1: thermo-fw-2.9.3 ·
 * IN_PROGRESS · firmware hbFn… · 2.9.2, 2.8.1 → 2.9.3`.
 *
 * @since 0.1.0
 * @category rendering
 */
export const jobLine = (job: OtaJob, color: boolean): string =>
  `Job ${serverText(job.jobId, 100)}: ${jobItems(job, color).join(" · ")}`

/** `SUCCEEDED 100`, `FAILED 8`, ... (statuses with no task left out). */
const countItems = (summary: JobSummary, color: boolean, separator: string): Array<string> => {
  const items = TASK_STATUSES.filter((status) => (summary.counts[status] ?? 0) > 0).map((status) =>
    paintStatus(color, status, `${status}${separator}${summary.counts[status]}`)
  )
  if (summary.other > 0) items.push(`OTHER${separator}${summary.other}`)
  return items.length === 0 ? ["no tasks"] : items
}

/**
 * The live block of a watch on a terminal `width` cells wide: a header, the
 * progress bar and the count of every status. Lines are wrapped between
 * their items to stay narrower than the terminal (whose last column would
 * wrap them), never cut: every status, every count and the hint to stop are
 * always on screen.
 *
 * @since 0.1.0
 * @category rendering
 */
export const liveLines = (frame: WatchFrame, width: number, color: boolean): Array<string> => {
  const fit = Math.max(10, width - 1)
  const { summary } = frame
  const header = [
    `Job ${frame.jobId}: ${summary.total} tasks`,
    `updated ${clock(frame.now)} UTC`,
    ...(frame.finished ? [] : [`every ${formatDuration(frame.intervalMs)}`, "Ctrl-C to stop"])
  ]
  const share = `${percent(summary.doneShare)} done (${summary.done}/${summary.total})`
  const barWidth = Math.max(10, Math.min(40, fit - 3 - displayWidth(share)))
  return [
    ...(frame.job === undefined ? [] : wrapItems(jobItems(frame.job, color), fit, " · ")),
    ...wrapItems(header, fit, ", ").map((line) => paint(color, "dim", line)),
    ...wrapItems([`[${meter(summary.doneShare, barWidth, true)}]`, share], fit, " "),
    ...wrapItems(countItems(summary, color, " "), fit, "  "),
    ...(frame.problem === undefined
      ? []
      : wrapWords(frame.problem, fit).map((line) => paint(color, "yellow", line)))
  ]
}

/**
 * One line per refresh, for a log or a pipe (no width to fit):
 * `2024-05-01T10:00:00.000Z [####......] 45.0% done (108/240) SUCCEEDED=100 FAILED=8`.
 *
 * @since 0.1.0
 * @category rendering
 */
export const logLine = (frame: WatchFrame, color: boolean): string =>
  `${new Date(frame.now).toISOString()} ${progressLine(frame.summary, 20, false)} ${countItems(frame.summary, color, "=").join(" ")}`

const failureLine = (task: OtaTask, color: boolean): string =>
  `${paintStatus(color, "FAILED")}  ${serverText(task.deviceName)}: ${serverText(task.taskDesc ?? "(no TaskDesc)")}`

/**
 * The screen: on a terminal, a block of lines redrawn in place below the
 * list of failures; elsewhere, one line per refresh.
 */
const makeScreen = (terminal: TerminalInfo) => {
  let liveRows = 0
  // Read at each redraw: the terminal may have been resized.
  const width = () => process.stdout.columns || terminal.columns || 80
  return {
    /** Appends permanent lines (failures) and replaces the live block. */
    draw: (permanent: ReadonlyArray<string>, frame: WatchFrame): string => {
      if (!terminal.stdoutIsTTY) {
        return [...permanent, ...(frame.problem === undefined ? [logLine(frame, terminal.color)] : [])]
          .map((line) => `${line}\n`)
          .join("")
      }
      const columns = width()
      const block = liveLines(frame, columns, terminal.color)
      const text =
        (liveRows > 0 ? ansi.up(liveRows) + ansi.clearDown : "") +
        [...permanent, ...block].map((line) => `${line}\n`).join("")
      // Rows, not lines: the redraw must move up over whatever the terminal wrapped.
      liveRows = block.reduce((rows, line) => rows + Math.max(1, Math.ceil(displayWidth(line) / columns)), 0)
      return text
    }
  }
}

/**
 * Runs `step` now and then again `intervalMs` after the start of each run
 * (a run that takes longer is followed at once, and missed refreshes do not
 * pile up), until `done` holds for its result, which it returns.
 *
 * @since 0.1.0
 * @category combinators
 */
export const repeatEvery = <A, E, R>(
  step: Effect.Effect<A, E, R>,
  intervalMs: number,
  done: (a: A) => boolean
): Effect.Effect<A, E, R> => {
  const interval = Duration.millis(intervalMs)
  const cadence = Schedule.identity<[Duration.Duration, A]>().pipe(
    Schedule.addDelay(([took]) =>
      Duration.max(Duration.zero, Duration.subtract(interval, Duration.min(took, interval)))
    ),
    Schedule.whileInput(([, a]) => !done(a))
  )
  return Effect.map(Effect.repeat(Effect.timed(step), cadence), ([, a]) => a)
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
    let last: JobSummary | undefined
    const started = yield* Clock.currentTimeMillis
    /** The counts, and the failed devices not listed yet. */
    const fetch = Effect.gen(function* () {
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
    // The job's name, status, firmware and versions: one QueryOTAJob per
    // refresh, after the counts (so that a finished rollout shows its job's
    // final status). Its failure never ends the watch: it is said once, the
    // last answer (if any) stays on screen, and after a failure that would
    // not pass (a RAM policy without QueryOTAJob) it is not asked again.
    let job: OtaJob | undefined
    let askJob = true
    let jobWarned = false
    let jobShown: string | undefined
    const fetchJob = Effect.gen(function* () {
      if (!askJob) return undefined
      const answer = yield* Effect.either(client.queryOTAJob({ jobId: params.jobId }))
      if (Either.isRight(answer)) {
        job = answer.right.job
        return undefined
      }
      if (!isRetryable(answer.left)) askJob = false
      if (jobWarned) return undefined
      jobWarned = true
      return `cannot read the job's name, status and firmware (QueryOTAJob: ${describeError(answer.left)}); watching its tasks without them`
    })
    /** One refresh, drawn; the summary once every task is finished. */
    const refresh = Effect.gen(function* () {
      const outcome = yield* Effect.either(fetch)
      const now = yield* Clock.currentTimeMillis
      // A watch stays open for a whole rollout: once it has shown the job, a
      // transient failure (network, throttling after retries) is reported and
      // the next refresh tries again. Anything else ends it.
      if (outcome._tag === "Left" && (last === undefined || !isRetryable(outcome.left))) {
        return yield* Effect.fail(outcome.left)
      }
      const summary = outcome._tag === "Right" ? outcome.right.summary : last!
      last = summary
      const jobWarning = outcome._tag === "Right" ? yield* fetchJob : undefined
      const frame: WatchFrame = {
        jobId: params.jobId,
        summary,
        now,
        intervalMs: params.intervalMs,
        finished: outcome._tag === "Right" && isFinished(summary),
        problem:
          outcome._tag === "Left"
            ? `refresh failed at ${clock(now)} UTC (${describeError(outcome.left)}); retrying in ${formatDuration(params.intervalMs)}`
            : undefined,
        job
      }
      const permanent =
        outcome._tag === "Right" ? outcome.right.fresh.map((task) => failureLine(task, terminal.color)) : []
      if (jobWarning !== undefined) {
        // On a terminal the warning stays above the live block; in a log it goes to stderr.
        if (terminal.stdoutIsTTY) permanent.unshift(paint(terminal.color, "yellow", `warning: ${jobWarning}`))
        else yield* Output.stderr(`ota: warning: ${jobWarning}\n`)
      }
      if (!terminal.stdoutIsTTY && job !== undefined) {
        // A log gets the job's line when it is first known and whenever it changes.
        const line = jobLine(job, terminal.color)
        if (line !== jobShown) permanent.unshift(line)
        jobShown = line
      }
      yield* Output.stdout(screen.draw(permanent, frame))
      if (frame.problem !== undefined && !terminal.stdoutIsTTY)
        yield* Output.stderr(`ota: warning: ${frame.problem}\n`)
      if (frame.finished) {
        yield* Output.stdout(
          `${paint(terminal.color, "bold", summary.total === 0 ? "The job has no tasks." : "Every task is finished.")} ${doneLine(summary, terminal.color)}\n`
        )
        return Option.some(summary)
      }
      const elapsed = now - started
      if (params.maxDurationMs !== undefined && elapsed + params.intervalMs > params.maxDurationMs) {
        return yield* Effect.fail(
          new NotFinished({
            message: `stopped watching after ${formatDuration(elapsed)} (--max-duration): ${summary.total - summary.done} of ${summary.total} tasks not finished yet`
          })
        )
      }
      return Option.none<JobSummary>()
    })
    const result = yield* repeatEvery(refresh, params.intervalMs, Option.isSome)
    return Option.getOrThrow(result)
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
    interval: Flags.duration({
      name: "interval",
      minMs: 200,
      maxMs: 3_600_000,
      description:
        "Time between the starts of two refreshes, 200ms to 1h (default 5s; each refresh makes 9+ calls)."
    }).pipe(Options.withDefault(5000)),
    maxDuration: Flags.duration({
      name: "max-duration",
      minMs: 1,
      maxMs: 7 * 24 * 3_600_000,
      description: "Stop after this long with exit code 124 if tasks are still running."
    }).pipe(Options.optional)
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
    "Follow a rollout live: the job's name, status, firmware and versions, per-status counts and a progress bar, refreshed every --interval until every task is SUCCEEDED, FAILED or CANCELED (exit 0) or Ctrl-C (exit 130). Newly failed devices are listed with their TaskDesc."
  )
)
