/**
 * `QueryOTAJob`: one OTA upgrade batch (job) in full: its firmware and
 * versions, how devices are selected, its schedule and its status.
 * Reference: docs/api/QueryOTAJob.md.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import * as Operation from "../Operation.js"
import * as Wire from "../Wire.js"

/**
 * A tag attached to a job.
 *
 * @since 0.1.0
 * @category schemas
 * @example
 * ```ts
 * import type { OtaJob, OtaJobTag } from "@iot-ota/core/operations/QueryOTAJob"
 *
 * const label = (tag: typeof OtaJobTag.Type) => `${tag.key}=${tag.value}`
 * const labels = (job: OtaJob) => (job.tags ?? []).map(label).join(", ")
 * ```
 */
export const OtaJobTag = Schema.Struct({ key: Schema.String, value: Wire.OrEmpty })

/**
 * One upgrade batch. `jobStatus` is `PLANNED`, `IN_PROGRESS`, `COMPLETED` or
 * `CANCELED`, `jobType` `VERIFY_FIRMWARE` or `UPGRADE_FIRMWARE` (both kept as
 * sent: older pages spell them `COMPLETE`, `VERFIY_FIRMWARE`).
 *
 * @since 0.1.0
 * @category schemas
 * @example
 * ```ts
 * import type { OtaJob } from "@iot-ota/core/operations/QueryOTAJob"
 *
 * // A gray (canary) release still rolling out.
 * const isRunningCanary = (job: OtaJob) => job.targetSelection === "GRAY" && job.jobStatus === "IN_PROGRESS"
 * ```
 */
export const OtaJob = Schema.Struct({
  jobId: Schema.String,
  name: Wire.optional(Schema.String),
  jobDesc: Wire.optional(Schema.String),
  jobStatus: Schema.String,
  jobType: Wire.optional(Schema.String),
  firmwareId: Wire.OrEmpty,
  productKey: Wire.OrEmpty,
  srcVersions: Wire.optional(Schema.Array(Schema.String)),
  destVersion: Wire.optional(Schema.String),
  /** `ALL`, `SPECIFIC`, `GRAY` or `GROUP`. */
  targetSelection: Wire.optional(Schema.String),
  /** `STATIC` or `DYNAMIC` (devices join as they come online). */
  selectionType: Wire.optional(Schema.String),
  /** Percent of devices in a gray (canary) release, as the service sends it (`"50.00"`). */
  grayPercent: Wire.optional(Schema.String),
  groupId: Wire.optional(Schema.String),
  groupName: Wire.optional(Schema.String),
  /** Per device, in minutes. */
  timeoutInMinutes: Wire.optional(Schema.Number),
  maximumPerMinute: Wire.optional(Schema.Number),
  retryInterval: Wire.optional(Schema.Number),
  retryCount: Wire.optional(Schema.Number),
  overwriteMode: Wire.optional(Schema.Number),
  dynamicMode: Wire.optional(Schema.Number),
  needPush: Wire.optional(Schema.Boolean),
  needConfirm: Wire.optional(Schema.Boolean),
  multiModuleMode: Wire.optional(Schema.Boolean),
  downloadProtocol: Wire.optional(Schema.String),
  tags: Wire.optional(Schema.Array(OtaJobTag)),
  utcCreate: Wire.optional(Schema.DateFromSelf),
  utcModified: Wire.optional(Schema.DateFromSelf),
  utcStartTime: Wire.optional(Schema.DateFromSelf),
  utcEndTime: Wire.optional(Schema.DateFromSelf),
  utcScheduleTime: Wire.optional(Schema.DateFromSelf),
  utcScheduleFinishTime: Wire.optional(Schema.DateFromSelf)
})

/**
 * One upgrade batch.
 *
 * @since 0.1.0
 * @category models
 */
export interface OtaJob extends Schema.Schema.Type<typeof OtaJob> {}

/**
 * The operation: `{ jobId, iotInstanceId? }` → `{ job, requestId? }`.
 *
 * @since 0.1.0
 * @category operations
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { OtaClient } from "@iot-ota/core/OtaClient"
 * import { QueryOTAJob } from "@iot-ota/core/operations/QueryOTAJob"
 *
 * const status = Effect.flatMap(OtaClient, (client) => client.call(QueryOTAJob, { jobId: "job-1" })).pipe(
 *   Effect.map(({ job }) => `${job.name ?? job.jobId}: ${job.jobStatus}`)
 * )
 * ```
 */
export const QueryOTAJob = Operation.make({
  action: "QueryOTAJob",
  input: Schema.Struct({
    jobId: Wire.NonBlank.pipe(Wire.param("JobId")),
    iotInstanceId: Schema.optional(Wire.NonBlank).pipe(Wire.param("IotInstanceId"))
  }),
  output: Schema.Struct({
    requestId: Wire.optional(Schema.String),
    job: OtaJob.pipe(Wire.from("Data"))
  })
})
