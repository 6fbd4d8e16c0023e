/**
 * `ota jobs list|show`: the update batches (jobs) of a firmware or of a
 * device, and one batch in full.
 *
 * @since 0.1.0
 */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import type * as CliValidation from "@effect/cli/ValidationError"
import type { OtaError } from "@iot-ota/core/IotError"
import { OtaClient } from "@iot-ota/core/OtaClient"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { withClient } from "../internal/client.js"
import type { Column } from "../internal/columns.js"
import * as Flags from "../internal/flags.js"
import * as Listing from "../internal/listing.js"
import {
  clientOptions,
  columnsOptionFor,
  type DeviceRef,
  deviceOption,
  idArgument,
  outputOption,
  pagingOptions
} from "../internal/options.js"
import type * as Output from "../internal/output.js"
import {
  JOB_DETAIL,
  JOBS,
  JOBS_ACROSS_FIRMWARE,
  JOBS_DETAILED,
  JOBS_DETAILED_ACROSS_FIRMWARE,
  type JobRecord
} from "../internal/recordColumns.js"
import { type TerminalInfo, terminalInfo } from "../internal/terminal.js"

/**
 * Pages of `ListOTAJobByFirmware` hold up to 200 jobs, those of
 * `ListOTAJobByDevice` up to 100.
 *
 * @since 0.1.0
 * @category models
 */
export const MAX_PAGE_SIZE = { byFirmware: 200, byDevice: 100 } as const

/**
 * What `ota jobs list` lists and how it prints it: the jobs of `firmwareId`,
 * of `device` (with `firmwareId`: that firmware's jobs that include the
 * device; without: over every firmware of the device's product).
 *
 * @since 0.1.0
 * @category models
 */
export interface JobsListParams {
  readonly firmwareId?: string | undefined
  readonly device?: DeviceRef | undefined
  /** The page to print, or with `all` the page to start from (a firmware's listing only). */
  readonly page?: number | undefined
  readonly pageSize?: number | undefined
  /** Every page from `page` on, streamed. */
  readonly all: boolean
  /** Each job in full: one `QueryOTAJob` per job listed (its name, description, versions, policy). */
  readonly details?: boolean | undefined
  readonly output: Listing.OutputFormat
  readonly columns?: ReadonlyArray<Column<JobRecord>> | undefined
  readonly terminal: TerminalInfo
}

/** Jobs asked for in full at once with `--details` (each call still waits for the client's rate limit). */
const DETAILS_CONCURRENCY = 4

const NOUN = { one: "job", many: "jobs" } as const

const JOB_LISTING: Listing.Listing<JobRecord> = { noun: NOUN, set: JOBS, statusColumn: "jobStatus" }

const deviceText = (device: DeviceRef): string => `${device.productKey}/${device.deviceName}`

/** The usage problem of a combination of flags, found before any request. */
export const jobsListProblem = (params: JobsListParams): string | undefined => {
  if (params.firmwareId === undefined && params.device === undefined) {
    return "missing --firmware id or --device pk/name: ota jobs list lists the jobs of a firmware, or of a device (both: that firmware's jobs that include the device)"
  }
  if (params.firmwareId === undefined) {
    const paged =
      params.page !== undefined ? "--page" : params.pageSize !== undefined ? "--page-size" : undefined
    if (paged !== undefined) {
      return `${paged} needs --firmware when listing by --device: without it every firmware of the device's product is searched and every job listed`
    }
  }
  if (
    params.device !== undefined &&
    params.pageSize !== undefined &&
    params.pageSize > MAX_PAGE_SIZE.byDevice
  ) {
    return `--page-size ${params.pageSize}: out of range with --device; expected 1 to ${MAX_PAGE_SIZE.byDevice}`
  }
  return undefined
}

/**
 * Lists jobs as the flags say. With `device` and no `firmwareId` the API
 * (whose `ListOTAJobByDevice` needs a FirmwareId) is asked once per firmware
 * of the device's product, and every job is listed.
 *
 * @since 0.1.0
 * @category commands
 */
export const runJobsList = (
  params: JobsListParams
): Effect.Effect<void, OtaError | Output.BrokenPipe | CliValidation.ValidationError, OtaClient> =>
  Effect.gen(function* () {
    const problem = jobsListProblem(params)
    if (problem !== undefined) return yield* Flags.invalidValue(problem)
    const client = yield* OtaClient
    const options = { output: params.output, columns: params.columns, terminal: params.terminal }
    // The listings answer a summary of each job; --details completes each one with QueryOTAJob, in order.
    const detailed = (job: JobRecord) =>
      Effect.map(client.queryOTAJob({ jobId: job.jobId }), (answer): JobRecord => ({ ...job, ...answer.job }))
    const completeAll = <E, R>(jobs: Stream.Stream<JobRecord, E, R>) =>
      params.details === true ? Stream.mapEffect(jobs, detailed, { concurrency: DETAILS_CONCURRENCY }) : jobs
    const completePage = (page: { readonly jobs: ReadonlyArray<JobRecord> }) =>
      params.details === true
        ? Effect.forEach(page.jobs, detailed, { concurrency: DETAILS_CONCURRENCY })
        : Effect.succeed(page.jobs)
    const listing = params.details === true ? { ...JOB_LISTING, set: JOBS_DETAILED } : JOB_LISTING
    const paging = {
      ...(params.pageSize === undefined ? {} : { pageSize: params.pageSize }),
      ...(params.page === undefined ? {} : { currentPage: params.page })
    }
    const skipped = ((params.page ?? 1) - 1) * (params.pageSize ?? 100)
    const { device, firmwareId } = params
    if (device !== undefined && firmwareId === undefined) {
      let searched = 0
      const jobs = client.streamOTAFirmware({ productKey: device.productKey }).pipe(
        Stream.tap(() => Effect.sync(() => searched++)),
        Stream.flatMap((firmware) =>
          client.streamOTAJobByDevice({ ...device, firmwareId: firmware.firmwareId })
        )
      )
      return yield* Listing.printStream(
        {
          ...JOB_LISTING,
          set: params.details === true ? JOBS_DETAILED_ACROSS_FIRMWARE : JOBS_ACROSS_FIRMWARE
        },
        options,
        completeAll(jobs),
        undefined,
        (count) =>
          `${Listing.counted(JOB_LISTING, count)} of device ${deviceText(device)}, over ${searched} firmware of its product.`
      )
    }
    if (device !== undefined && firmwareId !== undefined) {
      const input = { ...device, firmwareId }
      if (!params.all) {
        const page = yield* client.listOTAJobByDevice({ ...input, ...paging })
        return yield* Listing.printPage(listing, options, { ...page, items: yield* completePage(page) })
      }
      return yield* Listing.printStream(
        listing,
        options,
        completeAll(client.streamOTAJobByDevice({ ...input, ...paging })),
        Effect.map(client.listOTAJobByDevice({ ...input, pageSize: 1 }), (page) =>
          Math.max(0, page.total - skipped)
        )
      )
    }
    const input = { firmwareId: firmwareId! }
    if (!params.all) {
      const page = yield* client.listOTAJobByFirmware({ ...input, ...paging })
      return yield* Listing.printPage(listing, options, { ...page, items: yield* completePage(page) })
    }
    yield* Listing.printStream(
      listing,
      options,
      completeAll(client.streamOTAJobByFirmware({ ...input, ...paging })),
      Effect.map(client.listOTAJobByFirmware({ ...input, pageSize: 1 }), (page) =>
        Math.max(0, page.total - skipped)
      )
    )
  })

/**
 * @since 0.1.0
 * @category commands
 */
export const jobsList = Command.make(
  "list",
  {
    ...clientOptions,
    firmware: Flags.text({
      name: "firmware",
      alias: "f",
      pseudo: "id",
      description:
        "The jobs of this firmware (FirmwareId). With --device: only those that include the device."
    }).pipe(Options.optional),
    device: deviceOption(
      "The jobs that include this device, named ProductKey/DeviceName. Without --firmware, every firmware of its product is searched (one listing each) and every job is listed."
    ).pipe(Options.optional),
    ...pagingOptions({ one: "job", many: "jobs", maxPageSize: MAX_PAGE_SIZE.byFirmware }),
    details: Flags.boolean({
      name: "details",
      description:
        "Each job in full, with its name, description, versions and policy: one QueryOTAJob per job listed (4 at a time, within --qps), since the job listings carry none of these."
    }),
    output: outputOption("one array"),
    columns: columnsOptionFor(
      JOBS,
      "table jobId,jobStatus,jobType,target,tags,utcCreate,utcStartTime, with --details jobId,name,jobStatus,version,target,utcCreate,utcStartTime (and firmwareId with --device alone); csv and json every field answered"
    )
  },
  (flags) =>
    withClient(
      flags,
      runJobsList({
        firmwareId: Option.getOrUndefined(flags.firmware),
        device: Option.getOrUndefined(flags.device),
        page: Option.getOrUndefined(flags.page),
        pageSize: Option.getOrUndefined(flags.pageSize),
        all: flags.all,
        details: flags.details,
        output: flags.output,
        columns: Option.getOrUndefined(flags.columns),
        terminal: terminalInfo()
      })
    )
).pipe(
  Command.withDescription(
    "List the upgrade batches (jobs) of a firmware (--firmware) or of a device (--device PK/NAME), with status, type, target and times: one page, or every job with --all. The API's job listings carry no job name: --details asks for each job in full, `ota jobs show` for one."
  )
)

/**
 * What `ota jobs show` prints.
 *
 * @since 0.1.0
 * @category models
 */
export interface JobShowParams {
  readonly jobId: string
  readonly output: Listing.OutputFormat
  readonly terminal: TerminalInfo
}

/**
 * Prints one job in full.
 *
 * @since 0.1.0
 * @category commands
 */
export const runJobShow = (
  params: JobShowParams
): Effect.Effect<void, OtaError | Output.BrokenPipe, OtaClient> =>
  Effect.gen(function* () {
    const client = yield* OtaClient
    const { job } = yield* client.queryOTAJob({ jobId: params.jobId })
    yield* Listing.printRecord(
      { noun: NOUN, set: JOB_DETAIL, statusColumn: "jobStatus" },
      { output: params.output, terminal: params.terminal },
      job
    )
  })

/**
 * @since 0.1.0
 * @category commands
 */
export const jobsShow = Command.make(
  "show",
  {
    ...clientOptions,
    output: outputOption("one object"),
    jobId: idArgument({ name: "job-id", what: "a JobId", description: "The job (JobId)" })
  },
  (flags) =>
    withClient(flags, runJobShow({ jobId: flags.jobId, output: flags.output, terminal: terminalInfo() }))
).pipe(
  Command.withDescription(
    "Show one upgrade batch (job) in full: name, status, firmware and versions, target, schedule, retry and timeout policy, tags. Its tasks: `ota tasks list --job ID`."
  )
)
