/**
 * `ota tasks list`: one page of a job's tasks, or every task with `--all`,
 * as a table, JSON, NDJSON or CSV.
 *
 * @since 0.1.0
 */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import type { OtaError } from "@iot-ota/core/IotError"
import { OtaClient } from "@iot-ota/core/OtaClient"
import {
  type ListOTATaskByJobInput,
  type OtaTask,
  TASK_STATUSES,
  type TaskStatus
} from "@iot-ota/core/operations/ListOTATaskByJob"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { withClient } from "../internal/client.js"
import {
  ALL_FIELDS,
  type Column,
  columnsNamed,
  DEFAULT_TABLE_COLUMNS,
  projectTask
} from "../internal/columns.js"
import { csvRecord } from "../internal/csv.js"
import * as Flags from "../internal/flags.js"
import { clientOptions, columnsOption, jobOption } from "../internal/options.js"
import * as Output from "../internal/output.js"
import { makeProgressLine } from "../internal/progress.js"
import { renderTable } from "../internal/table.js"
import { paint, paintStatus, type TerminalInfo, terminalInfo } from "../internal/terminal.js"

/**
 * Output formats of `ota tasks list`.
 *
 * @since 0.1.0
 * @category models
 */
export const OUTPUT_FORMATS = ["table", "json", "ndjson", "csv"] as const

/**
 * @since 0.1.0
 * @category models
 */
export type OutputFormat = (typeof OUTPUT_FORMATS)[number]

/**
 * What to list and how to print it.
 *
 * @since 0.1.0
 * @category models
 */
export interface ListParams {
  readonly jobId: string
  readonly status?: TaskStatus | undefined
  readonly devices?: ReadonlyArray<string> | undefined
  /** The page to print, or with `all` the page to start from. */
  readonly page?: number | undefined
  readonly pageSize?: number | undefined
  /** Every page from `page` on, streamed. */
  readonly all: boolean
  readonly output: OutputFormat
  /** Columns chosen with `--columns`; each format has its default. */
  readonly columns?: ReadonlyArray<Column> | undefined
  readonly terminal: TerminalInfo
}

/** How a batch of tasks is written, for a streaming format. */
interface Writer {
  readonly begin: string
  readonly chunk: (tasks: ReadonlyArray<OtaTask>, first: boolean) => string
  readonly end: (any: boolean) => string
}

/** Whole tasks keep the field order of `OtaTask` (the decoder's key order varies with the response). */
const jsonOf = (task: OtaTask, columns: ReadonlyArray<Column> | undefined): string =>
  JSON.stringify(projectTask(task, columns ?? columnsNamed(ALL_FIELDS)))

const streamWriter = (params: ListParams): Writer => {
  switch (params.output) {
    case "json":
      // One array, one task per line: valid JSON that can be written as pages arrive.
      return {
        begin: "",
        chunk: (tasks, first) =>
          (first ? "[\n" : ",\n") + tasks.map((task) => jsonOf(task, params.columns)).join(",\n"),
        end: (any) => (any ? "\n]\n" : "[]\n")
      }
    case "ndjson":
      return {
        begin: "",
        chunk: (tasks) => tasks.map((task) => jsonOf(task, params.columns) + "\n").join(""),
        end: () => ""
      }
    default: {
      const columns = params.columns ?? columnsNamed(ALL_FIELDS)
      return {
        begin: csvRecord(columns.map((column) => column.name)),
        chunk: (tasks) => tasks.map((task) => csvRecord(columns.map((column) => column.csv(task)))).join(""),
        end: () => ""
      }
    }
  }
}

/**
 * The table lines for some tasks (header first), fitted to the terminal
 * width, statuses coloured when colour is on.
 *
 * @since 0.1.0
 * @category rendering
 */
export const tableLines = (
  tasks: ReadonlyArray<OtaTask>,
  columns: ReadonlyArray<Column>,
  terminal: TerminalInfo
): Array<string> => {
  const statusColumn = columns.findIndex((column) => column.name === "taskStatus")
  return renderTable(
    columns,
    tasks.map((task) => columns.map((column) => column.text(task))),
    {
      width: terminal.columns,
      style: ({ row, column }, text) =>
        column === statusColumn ? paintStatus(terminal.color, tasks[row]!.taskStatus, text) : text,
      styleHeader: (line) => paint(terminal.color, "bold", line)
    }
  )
}

const inputOf = (params: ListParams): ListOTATaskByJobInput => ({
  jobId: params.jobId,
  ...(params.status === undefined ? {} : { taskStatus: params.status }),
  ...(params.devices === undefined || params.devices.length === 0 ? {} : { deviceNames: params.devices }),
  ...(params.pageSize === undefined ? {} : { pageSize: params.pageSize }),
  ...(params.page === undefined ? {} : { currentPage: params.page })
})

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : "s"}`

/**
 * The `--device` names that no listed task has, said on stderr (the data on
 * stdout stays data): the API filters by them silently.
 */
const reportUnmatched = (params: ListParams, found: ReadonlySet<string>) => {
  const missing = (params.devices ?? []).filter((name, i, all) => !found.has(name) && all.indexOf(name) === i)
  if (missing.length === 0) return Effect.void
  const filter = params.status === undefined ? "" : ` in status ${params.status}`
  return Output.stderr(
    `ota: no task${filter} for --device ${missing.map(Flags.shown).join(", ")} in job ${Flags.shown(params.jobId)}\n`
  )
}

/** Every device name among the tasks of the filter, when the page shown is not all of them. */
const devicesOfListing = (params: ListParams) =>
  Effect.flatMap(OtaClient, (client) => {
    const { currentPage: _, pageSize: __, ...filter } = inputOf(params)
    return Stream.runFold(
      client.streamOTATaskByJob({ ...filter, pageSize: 100 }),
      new Set<string>(),
      (names, task) => names.add(task.deviceName)
    )
  })

/** One page, in any format. */
const listPage = (params: ListParams) =>
  Effect.gen(function* () {
    const client = yield* OtaClient
    const page = yield* client.listOTATaskByJob(inputOf(params))
    const checkDevices =
      params.devices === undefined || params.devices.length === 0
        ? Effect.void
        : Effect.flatMap(
            page.currentPage === 1 && page.tasks.length >= page.total
              ? Effect.succeed(new Set(page.tasks.map((task) => task.deviceName)))
              : devicesOfListing(params),
            (found) => reportUnmatched(params, found)
          )
    if (params.output === "table") {
      const lines =
        page.tasks.length === 0
          ? [page.total === 0 ? "No tasks." : `No tasks on page ${page.currentPage}.`]
          : tableLines(page.tasks, params.columns ?? columnsNamed(DEFAULT_TABLE_COLUMNS), params.terminal)
      const first = (page.currentPage - 1) * page.pageSize + 1
      const footer =
        page.tasks.length === 0
          ? `${plural(page.total, "task")} in all.`
          : `Page ${page.currentPage} of ${page.pageCount}: tasks ${first}-${first + page.tasks.length - 1} of ${page.total}.` +
            (page.currentPage < page.pageCount
              ? ` Next: --page ${page.currentPage + 1}; every task: --all.`
              : "")
      yield* Output.stdout(`${lines.join("\n")}\n\n${paint(params.terminal.color, "dim", footer)}\n`)
      return yield* checkDevices
    }
    const writer = streamWriter(params)
    const body = page.tasks.length === 0 ? "" : writer.chunk(page.tasks, true)
    yield* Output.stdout(writer.begin + body + writer.end(page.tasks.length > 0))
    yield* checkDevices
    if (page.currentPage < page.pageCount && params.terminal.stderrIsTTY) {
      yield* Output.stderr(
        `ota: page ${page.currentPage} of ${page.pageCount} (${plural(page.total, "task")}); --page ${page.currentPage + 1} for the next, --all for every task\n`
      )
    }
  })

/** Every task from `page` on, each once, written as pages arrive (tables are laid out at the end). */
const listAll = (params: ListParams) =>
  Effect.gen(function* () {
    const client = yield* OtaClient
    const tasks = client.streamOTATaskByJob(inputOf(params))
    const progress = makeProgressLine(params.terminal.stderrIsTTY, "Fetching tasks", params.terminal.columns)
    // The bar's total comes from one extra one-item call, made only when the
    // bar is shown; the listing itself does not depend on it.
    let expected: number | undefined
    if (params.terminal.stderrIsTTY) {
      const { pageSize: _, currentPage: __, ...filter } = inputOf(params)
      const skipped = ((params.page ?? 1) - 1) * (params.pageSize ?? 100)
      yield* client.listOTATaskByJob({ ...filter, pageSize: 1 }).pipe(
        Effect.tap((page) => Effect.sync(() => (expected = Math.max(0, page.total - skipped)))),
        Effect.ignore,
        Effect.forkScoped
      )
    }
    let count = 0
    const devices = params.devices !== undefined && params.devices.length > 0
    const found = new Set<string>()
    const advance = (chunk: Chunk.Chunk<OtaTask>) =>
      Effect.sync(() => {
        const n = chunk.length
        if (devices) for (const task of chunk) found.add(task.deviceName)
        count += n
        progress.update(count, expected === undefined ? undefined : Math.max(expected, count))
      })
    const run = Effect.gen(function* () {
      if (params.output === "table") {
        const collected: Array<OtaTask> = []
        yield* Stream.runForEachChunk(tasks, (chunk) => {
          for (const task of chunk) collected.push(task)
          return advance(chunk)
        })
        progress.clear()
        const lines =
          collected.length === 0
            ? ["No tasks."]
            : tableLines(collected, params.columns ?? columnsNamed(DEFAULT_TABLE_COLUMNS), params.terminal)
        return yield* Output.stdout(
          `${lines.join("\n")}\n\n${paint(params.terminal.color, "dim", `${plural(collected.length, "task")}.`)}\n`
        )
      }
      const writer = streamWriter(params)
      // The header (or "[") goes out with the first tasks, so that a listing
      // that fails at its first request leaves stdout empty.
      let any = false
      yield* Stream.runForEachChunk(tasks, (chunk) =>
        Chunk.isEmpty(chunk)
          ? Effect.void
          : Effect.zipRight(
              Effect.suspend(() => {
                const text = (any ? "" : writer.begin) + writer.chunk(Chunk.toReadonlyArray(chunk), !any)
                any = true
                // On a shared terminal, data must not be written over the progress line.
                if (params.terminal.stdoutIsTTY) progress.clear()
                return Output.stdout(text)
              }),
              advance(chunk)
            )
      )
      progress.clear()
      yield* Output.stdout((any ? "" : writer.begin) + writer.end(any))
    })
    yield* Effect.ensuring(
      run,
      Effect.sync(() => progress.clear())
    )
    if (devices) {
      // Starting past page 1, the listing did not see every task of the filter.
      yield* reportUnmatched(params, (params.page ?? 1) > 1 ? yield* devicesOfListing(params) : found)
    }
  }).pipe(Effect.scoped)

/**
 * Lists tasks as the flags say: one page, or every page with `all`.
 *
 * @since 0.1.0
 * @category commands
 */
export const runList = (params: ListParams): Effect.Effect<void, OtaError | Output.BrokenPipe, OtaClient> =>
  params.all ? listAll(params) : listPage(params)

/**
 * @since 0.1.0
 * @category commands
 */
export const list = Command.make(
  "list",
  {
    ...clientOptions,
    job: jobOption,
    status: Flags.choice({
      name: "status",
      alias: "s",
      pseudo: "status",
      values: TASK_STATUSES,
      what: "a task status",
      description: "Only tasks in this status."
    }).pipe(Options.optional),
    device: Flags.repeatable(
      Flags.text({
        name: "device",
        alias: "d",
        pseudo: "name",
        description:
          "Only this device; repeat for up to 50 devices. Names that match no task are listed on stderr."
      })
    ),
    page: Flags.integer({
      name: "page",
      min: 1,
      max: 100_000,
      description: "Page to print (default 1); with --all, the page to start from"
    }).pipe(Options.optional),
    pageSize: Flags.integer({
      name: "page-size",
      min: 1,
      max: 100,
      description: "Tasks per page, 1 to 100 (default 10; with --all, 100, the fewest requests)"
    }).pipe(Options.optional),
    all: Flags.boolean({
      name: "all",
      alias: "a",
      description:
        "Every task of the job (or filter), each once, streamed page by page; a progress bar on stderr when it is a terminal"
    }),
    output: Flags.choice({
      name: "output",
      alias: "o",
      pseudo: "format",
      values: OUTPUT_FORMATS,
      what: "an output format",
      description:
        "table (aligned, for terminals; the default), json (one array), ndjson (one task per line, streamed), csv (RFC 4180, header row, CRLF)."
    }).pipe(Options.withDefault("table" as OutputFormat)),
    columns: columnsOption
  },
  (flags) =>
    withClient(
      flags,
      runList({
        jobId: flags.job,
        status: Option.getOrUndefined(flags.status),
        devices: flags.device,
        page: Option.getOrUndefined(flags.page),
        pageSize: Option.getOrUndefined(flags.pageSize),
        all: flags.all,
        output: flags.output,
        columns: Option.getOrUndefined(flags.columns),
        terminal: terminalInfo()
      })
    )
).pipe(
  Command.withDescription(
    "List the upgrade tasks of a job: one page (--page, --page-size), or every task with --all. Filter by --status or --device."
  )
)
