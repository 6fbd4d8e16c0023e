/**
 * `ListOTATaskByJob`: the device upgrade tasks of one OTA upgrade batch (job),
 * one page at a time, optionally filtered by status or device names.
 * Reference: docs/api/ListOTATaskByJob.md.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import * as Operation from "../Operation.js"
import * as Wire from "../Wire.js"

/**
 * The documented task statuses.
 *
 * @since 0.1.0
 * @category schemas
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { TaskStatus } from "@iot-ota/core/operations/ListOTATaskByJob"
 *
 * Schema.is(TaskStatus)("IN_PROGRESS") // true
 * Schema.is(TaskStatus)("PAUSED") // false: a status this SDK does not know (tasks keep it as a string)
 * ```
 */
export const TaskStatus = Schema.Literal(
  "CONFIRM",
  "QUEUED",
  "NOTIFIED",
  "IN_PROGRESS",
  "SUCCEEDED",
  "FAILED",
  "CANCELED"
).annotations({
  message: () => ({
    message: "one of CONFIRM, QUEUED, NOTIFIED, IN_PROGRESS, SUCCEEDED, FAILED, CANCELED",
    override: true
  })
})

/**
 * A documented task status, as `taskStatus` filters accept it.
 *
 * @since 0.1.0
 * @category models
 */
export type TaskStatus = typeof TaskStatus.Type

/**
 * Every documented status, in rollout order.
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import { TASK_STATUSES } from "@iot-ota/core/operations/ListOTATaskByJob"
 *
 * TASK_STATUSES.includes("FAILED") // true
 * ```
 */
export const TASK_STATUSES: ReadonlyArray<TaskStatus> = TaskStatus.literals

/**
 * Statuses a task never leaves; a `ReadonlySet<string>` so that any task's
 * status (possibly one newer than this SDK) can be tested.
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import { type OtaTask, TERMINAL_STATUSES } from "@iot-ota/core/operations/ListOTATaskByJob"
 *
 * const isFinished = (task: OtaTask) => TERMINAL_STATUSES.has(task.taskStatus)
 * ```
 */
export const TERMINAL_STATUSES: ReadonlySet<string> = new Set(["SUCCEEDED", "FAILED", "CANCELED"])

/**
 * One device's upgrade task.
 *
 * @since 0.1.0
 * @category schemas
 * @example
 * ```ts
 * import type { OtaTask } from "@iot-ota/core/operations/ListOTATaskByJob"
 *
 * // One line per device for a rollout report; `progress` is absent until the device reports some.
 * const line = (task: OtaTask) => `${task.deviceName} ${task.srcVersion ?? "?"} → ${task.destVersion}: ${task.taskStatus} ${task.progress ?? 0}%`
 * ```
 */
export const OtaTask = Schema.Struct({
  taskId: Schema.String,
  jobId: Wire.OrEmpty,
  iotId: Wire.OrEmpty,
  deviceName: Schema.String,
  productKey: Wire.OrEmpty,
  productName: Wire.optional(Schema.String),
  firmwareId: Wire.OrEmpty,
  srcVersion: Wire.optional(Schema.String),
  destVersion: Wire.OrEmpty,
  /** A documented status, or a newer one the server introduced (kept as is). */
  taskStatus: Schema.String,
  /** Upgrade progress in percent (0..100). */
  progress: Wire.optional(Schema.Number),
  taskDesc: Wire.optional(Schema.String),
  /** Upgrade timeout in minutes. */
  timeout: Wire.optional(Schema.Number),
  utcCreate: Wire.optional(Schema.DateFromSelf),
  utcModified: Wire.optional(Schema.DateFromSelf)
})

/**
 * One device's upgrade task; optional fields are absent when the server left them out.
 *
 * @since 0.1.0
 * @category models
 */
export interface OtaTask extends Schema.Schema.Type<typeof OtaTask> {}

/**
 * One page of tasks, with the server's total over all pages.
 *
 * @since 0.1.0
 * @category schemas
 * @example
 * ```ts
 * import type { OtaTaskPage } from "@iot-ota/core/operations/ListOTATaskByJob"
 *
 * const isLastPage = (page: OtaTaskPage) => page.currentPage >= page.pageCount
 * const failed = (page: OtaTaskPage) => page.tasks.filter((task) => task.taskStatus === "FAILED")
 * ```
 */
export const OtaTaskPage = Schema.Struct({
  requestId: Wire.optional(Schema.String),
  total: Wire.Count,
  pageSize: Wire.Count,
  currentPage: Wire.Count,
  pageCount: Wire.Count,
  tasks: Schema.optionalWith(Schema.Array(OtaTask), { default: () => [] }).pipe(
    Wire.from("Data.SimpleOTATaskInfo")
  )
})

/**
 * One page of tasks.
 *
 * @since 0.1.0
 * @category models
 */
export interface OtaTaskPage extends Schema.Schema.Type<typeof OtaTaskPage> {}

/**
 * The caller's input: `pageSize` defaults to 10 and `currentPage` to 1, as on the server.
 *
 * @since 0.1.0
 * @category schemas
 * @example
 * ```ts
 * import type { ListOTATaskByJobInput } from "@iot-ota/core/operations/ListOTATaskByJob"
 *
 * // Where two devices stand in a job: at most 50 names per call.
 * const input: ListOTATaskByJobInput = { jobId: "job-1", deviceNames: ["sensor-01", "sensor-02"] }
 * ```
 */
export const ListOTATaskByJobInput = Schema.Struct({
  jobId: Wire.NonBlank.pipe(Wire.param("JobId")),
  pageSize: Schema.optionalWith(Wire.PageSize(100), { default: () => 10 }).pipe(Wire.param("PageSize")),
  currentPage: Schema.optionalWith(Wire.PageNumber, { default: () => 1 }).pipe(Wire.param("CurrentPage")),
  taskStatus: Schema.optional(TaskStatus).pipe(Wire.param("TaskStatus")),
  deviceNames: Schema.optional(Wire.List(Wire.NonBlank, 50, "non-empty device names")).pipe(
    Wire.param("DeviceNames")
  ),
  iotInstanceId: Schema.optional(Wire.NonBlank).pipe(Wire.param("IotInstanceId"))
})

/**
 * What callers pass (optional fields may be omitted).
 *
 * @since 0.1.0
 * @category models
 */
export type ListOTATaskByJobInput = typeof ListOTATaskByJobInput.Encoded

/**
 * The operation. Jobs of more than 100,000 tasks are listed status by status.
 *
 * @since 0.1.0
 * @category operations
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { OtaClient } from "@iot-ota/core/OtaClient"
 * import { ListOTATaskByJob } from "@iot-ota/core/operations/ListOTATaskByJob"
 *
 * const failed = Effect.flatMap(OtaClient, (client) =>
 *   client.call(ListOTATaskByJob, { jobId: "job-1", taskStatus: "FAILED" })
 * )
 * ```
 */
export const ListOTATaskByJob = Operation.paged({
  action: "ListOTATaskByJob",
  input: ListOTATaskByJobInput,
  output: OtaTaskPage,
  paging: {
    items: "tasks",
    total: "total",
    page: "currentPage",
    pageSize: "pageSize",
    pageCount: "pageCount",
    maxPageSize: 100,
    maxOffset: 100_000,
    itemKey: "taskId",
    partition: { field: "taskStatus", values: TASK_STATUSES }
  }
})
