/**
 * `ListOTAUnfinishedTaskByDevice`: one device's update tasks that have not
 * finished yet, across all batches, optionally of one OTA module or status.
 * Not paged: the server answers every such task at once.
 * Reference: docs/api/ListOTAUnfinishedTaskByDevice.md.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import * as Operation from "../Operation.js"
import * as Wire from "../Wire.js"
import { OtaTask, TaskStatus } from "./ListOTATaskByJob.js"

/**
 * The statuses of a task that has not finished, as the filters accept them.
 *
 * @since 0.1.0
 * @category schemas
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { UnfinishedTaskStatus } from "@iot-ota/core/operations/ListOTAUnfinishedTaskByDevice"
 *
 * Schema.is(UnfinishedTaskStatus)("QUEUED") // true
 * Schema.is(UnfinishedTaskStatus)("FAILED") // false: a finished task
 * ```
 */
export const UnfinishedTaskStatus = TaskStatus.pipe(
  Schema.pickLiteral("CONFIRM", "QUEUED", "NOTIFIED", "IN_PROGRESS")
).annotations({
  message: () => ({ message: "one of CONFIRM, QUEUED, NOTIFIED, IN_PROGRESS", override: true })
})

/**
 * A status of a task that has not finished.
 *
 * @since 0.1.0
 * @category models
 */
export type UnfinishedTaskStatus = typeof UnfinishedTaskStatus.Type

/**
 * A device's unfinished task: an `OtaTask` with the OTA module it updates.
 * This listing does not send `progress`, `taskDesc` or `timeout`.
 *
 * @since 0.1.0
 * @category schemas
 * @example
 * ```ts
 * import type { OtaTask } from "@iot-ota/core/operations/ListOTATaskByJob"
 * import type { OtaUnfinishedTask } from "@iot-ota/core/operations/ListOTAUnfinishedTaskByDevice"
 *
 * const label = (task: OtaTask) => `${task.deviceName} → ${task.destVersion}`
 * const withModule = (task: OtaUnfinishedTask) => `${label(task)} (${task.moduleName ?? "default"})`
 * ```
 */
export const OtaUnfinishedTask = Schema.Struct({
  ...OtaTask.fields,
  /** The OTA module the task updates, `default` unless the package names another. */
  moduleName: Wire.optional(Schema.String)
})

/**
 * A device's unfinished task.
 *
 * @since 0.1.0
 * @category models
 */
export interface OtaUnfinishedTask extends Schema.Schema.Type<typeof OtaUnfinishedTask> {}

/**
 * The operation: `{ productKey, deviceName, … }` → `{ tasks, requestId? }`.
 * `taskStatus` (one status) or `taskStatusList` (up to 4) narrow the
 * answer; the docs disagree on whether one of them is required, so neither is.
 *
 * @since 0.1.0
 * @category operations
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { OtaClient } from "@iot-ota/core/OtaClient"
 *
 * // Why is lamp-0002 stuck? Its tasks waiting to be pushed or confirmed.
 * const waiting = Effect.flatMap(OtaClient, (client) =>
 *   client.listOTAUnfinishedTaskByDevice({
 *     productKey: "a1GUfrM3kLp",
 *     deviceName: "lamp-0002",
 *     taskStatusList: ["QUEUED", "CONFIRM"]
 *   })
 * ).pipe(Effect.map(({ tasks }) => tasks.map((task) => `${task.jobId}: ${task.taskStatus}`)))
 * ```
 */
export const ListOTAUnfinishedTaskByDevice = Operation.make({
  action: "ListOTAUnfinishedTaskByDevice",
  input: Schema.Struct({
    productKey: Wire.NonBlank.pipe(Wire.param("ProductKey")),
    deviceName: Wire.NonBlank.pipe(Wire.param("DeviceName")),
    moduleName: Schema.optional(Wire.NonBlank).pipe(Wire.param("ModuleName")),
    taskStatus: Schema.optional(UnfinishedTaskStatus).pipe(Wire.param("TaskStatus")),
    taskStatusList: Schema.optional(Wire.List(UnfinishedTaskStatus, 4, "unfinished task statuses")).pipe(
      Wire.param("TaskStatusList")
    ),
    iotInstanceId: Schema.optional(Wire.NonBlank).pipe(Wire.param("IotInstanceId"))
  }),
  output: Schema.Struct({
    requestId: Wire.optional(Schema.String),
    tasks: Schema.optionalWith(Schema.Array(OtaUnfinishedTask), { default: () => [] }).pipe(
      Wire.from("Data.SimpleOTATaskInfo")
    )
  })
})

/**
 * What `listOTAUnfinishedTaskByDevice` takes.
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import type { ListOTAUnfinishedTaskByDeviceInput } from "@iot-ota/core/operations/ListOTAUnfinishedTaskByDevice"
 *
 * const input: ListOTAUnfinishedTaskByDeviceInput = { productKey: "a1GUfrM3kLp", deviceName: "lamp-0002" }
 * ```
 */
export type ListOTAUnfinishedTaskByDeviceInput = Operation.Operation.Input<
  typeof ListOTAUnfinishedTaskByDevice
>
