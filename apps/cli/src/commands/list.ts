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
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { withClient } from "../internal/client.js"
import { type Column, TASKS } from "../internal/columns.js"
import * as Flags from "../internal/flags.js"
import * as Listing from "../internal/listing.js"
import { clientOptions, columnsOption, jobOption, pagingOptions } from "../internal/options.js"
import * as Output from "../internal/output.js"
import { type TerminalInfo, terminalInfo } from "../internal/terminal.js"

/**
 * Output formats of `ota tasks list`.
 *
 * @since 0.1.0
 * @category models
 */
export const OUTPUT_FORMATS = Listing.OUTPUT_FORMATS

/**
 * @since 0.1.0
 * @category models
 */
export type OutputFormat = Listing.OutputFormat

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

const TASK_LISTING: Listing.Listing<OtaTask> = {
  noun: { one: "task", many: "tasks" },
  set: TASKS,
  statusColumn: "taskStatus"
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
): Array<string> => Listing.tableLines(tasks, columns, terminal, "taskStatus")

const inputOf = (params: ListParams): ListOTATaskByJobInput => ({
  jobId: params.jobId,
  ...(params.status === undefined ? {} : { taskStatus: params.status }),
  ...(params.devices === undefined || params.devices.length === 0 ? {} : { deviceNames: params.devices }),
  ...(params.pageSize === undefined ? {} : { pageSize: params.pageSize }),
  ...(params.page === undefined ? {} : { currentPage: params.page })
})

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

const printOptions = (params: ListParams): Listing.PrintOptions<OtaTask> => ({
  output: params.output,
  columns: params.columns,
  terminal: params.terminal
})

/** One page, in any format. */
const listPage = (params: ListParams) =>
  Effect.gen(function* () {
    const client = yield* OtaClient
    const page = yield* client.listOTATaskByJob(inputOf(params))
    yield* Listing.printPage(TASK_LISTING, printOptions(params), { ...page, items: page.tasks })
    if (params.devices !== undefined && params.devices.length > 0) {
      const found =
        page.currentPage === 1 && page.tasks.length >= page.total
          ? new Set(page.tasks.map((task) => task.deviceName))
          : yield* devicesOfListing(params)
      yield* reportUnmatched(params, found)
    }
  })

/** Every task from `page` on, each once, written as pages arrive (tables are laid out at the end). */
const listAll = (params: ListParams) =>
  Effect.gen(function* () {
    const client = yield* OtaClient
    const devices = params.devices !== undefined && params.devices.length > 0
    const found = new Set<string>()
    const tasks = devices
      ? client
          .streamOTATaskByJob(inputOf(params))
          .pipe(Stream.tap((task) => Effect.sync(() => found.add(task.deviceName))))
      : client.streamOTATaskByJob(inputOf(params))
    // The bar's total comes from one extra one-item call, made only when the
    // bar is shown; the listing itself does not depend on it.
    const { pageSize: _, currentPage: __, ...filter } = inputOf(params)
    const skipped = ((params.page ?? 1) - 1) * (params.pageSize ?? 100)
    const expected = Effect.map(client.listOTATaskByJob({ ...filter, pageSize: 1 }), (page) =>
      Math.max(0, page.total - skipped)
    )
    yield* Listing.printStream(TASK_LISTING, printOptions(params), tasks, expected)
    if (devices) {
      // Starting past page 1, the listing did not see every task of the filter.
      yield* reportUnmatched(params, (params.page ?? 1) > 1 ? yield* devicesOfListing(params) : found)
    }
  })

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
    ...pagingOptions({ one: "task", many: "tasks", maxPageSize: 100, every: "task of the job (or filter)" }),
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
