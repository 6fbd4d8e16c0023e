/**
 * `ListOTAJobByFirmware`: the update batches (jobs) made from one update
 * package (firmware), verification and upgrade batches alike, one page at a
 * time. Reference: docs/api/ListOTAJobByFirmware.md.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import * as Operation from "../Operation.js"
import * as Wire from "../Wire.js"
import { OtaJob } from "./QueryOTAJob.js"

/**
 * An update batch as listings return it (`ListOTAJobByFirmware`,
 * `ListOTAJobByDevice`): `OtaJob`'s status, type, target selection, times
 * and tags (`queryOTAJob` has the rest).
 *
 * @since 0.1.0
 * @category schemas
 * @example
 * ```ts
 * import type { OtaJobSummary } from "@iot-ota/core/operations/ListOTAJobByFirmware"
 *
 * const isRunning = (job: OtaJobSummary) => job.jobStatus === "IN_PROGRESS"
 * ```
 */
export const OtaJobSummary = OtaJob.pick(
  "jobId",
  "firmwareId",
  "productKey",
  "jobStatus",
  "jobType",
  "selectionType",
  "targetSelection",
  "utcCreate",
  "utcModified",
  "utcStartTime",
  "utcEndTime",
  "tags"
)

/**
 * An update batch as listings return it.
 *
 * @since 0.1.0
 * @category models
 */
export interface OtaJobSummary extends Schema.Schema.Type<typeof OtaJobSummary> {}

/**
 * One page of update batches, with the server's total over all pages.
 *
 * @since 0.1.0
 * @category schemas
 * @example
 * ```ts
 * import type { OtaJobPage } from "@iot-ota/core/operations/ListOTAJobByFirmware"
 *
 * const running = (page: OtaJobPage) => page.jobs.filter((job) => job.jobStatus === "IN_PROGRESS")
 * ```
 */
export const OtaJobPage = Schema.Struct({
  requestId: Wire.optional(Schema.String),
  total: Wire.Count,
  pageSize: Wire.Count,
  currentPage: Wire.Count,
  pageCount: Wire.Count,
  jobs: Schema.optionalWith(Schema.Array(OtaJobSummary), { default: () => [] }).pipe(
    Wire.from("Data.SimpleOTAJobInfo")
  )
})

/**
 * One page of update batches.
 *
 * @since 0.1.0
 * @category models
 */
export interface OtaJobPage extends Schema.Schema.Type<typeof OtaJobPage> {}

/**
 * The operation. `pageSize` defaults to 10 (at most 200) and `currentPage`
 * to 1. The offset cap is not documented for this listing; the 100,000 of
 * `ListOTATaskByJob` is assumed.
 *
 * @since 0.1.0
 * @category operations
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { OtaClient } from "@iot-ota/core/OtaClient"
 *
 * // Which batches are rolling out this package?
 * const running = Effect.flatMap(OtaClient, (client) =>
 *   client.streamOTAJobByFirmware({ firmwareId: "fw-1" }).pipe(
 *     Stream.filter((job) => job.jobStatus === "IN_PROGRESS"),
 *     Stream.runCollect
 *   )
 * )
 * ```
 */
export const ListOTAJobByFirmware = Operation.paged({
  action: "ListOTAJobByFirmware",
  input: Schema.Struct({
    firmwareId: Wire.NonBlank.pipe(Wire.param("FirmwareId")),
    pageSize: Schema.optionalWith(Wire.PageSize(200), { default: () => 10 }).pipe(Wire.param("PageSize")),
    currentPage: Schema.optionalWith(Wire.PageNumber, { default: () => 1 }).pipe(Wire.param("CurrentPage")),
    iotInstanceId: Schema.optional(Wire.NonBlank).pipe(Wire.param("IotInstanceId"))
  }),
  output: OtaJobPage,
  paging: {
    items: "jobs",
    total: "total",
    page: "currentPage",
    pageSize: "pageSize",
    pageCount: "pageCount",
    maxPageSize: 200,
    maxOffset: 100_000,
    itemKey: "jobId"
  }
})

/**
 * What `listOTAJobByFirmware` takes.
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import type { ListOTAJobByFirmwareInput } from "@iot-ota/core/operations/ListOTAJobByFirmware"
 *
 * const input: ListOTAJobByFirmwareInput = { firmwareId: "fw-1", pageSize: 200 }
 * ```
 */
export type ListOTAJobByFirmwareInput = Operation.Operation.Input<typeof ListOTAJobByFirmware>
