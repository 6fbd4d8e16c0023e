/**
 * `ota devices tasks PK/NAME`: a device's upgrade tasks that have not
 * finished yet, over every job (`ListOTAUnfinishedTaskByDevice`): where to
 * look when one device is stuck.
 *
 * @since 0.1.0
 */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import type { OtaError } from "@iot-ota/core/IotError"
import { OtaClient } from "@iot-ota/core/OtaClient"
import {
  type ListOTAUnfinishedTaskByDeviceInput,
  type OtaUnfinishedTask,
  UnfinishedTaskStatus
} from "@iot-ota/core/operations/ListOTAUnfinishedTaskByDevice"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { withClient } from "../internal/client.js"
import type { Column } from "../internal/columns.js"
import * as Flags from "../internal/flags.js"
import * as Listing from "../internal/listing.js"
import {
  clientOptions,
  columnsOptionFor,
  type DeviceRef,
  deviceArgument,
  outputOption
} from "../internal/options.js"
import type * as Output from "../internal/output.js"
import { DEVICE_TASKS } from "../internal/recordColumns.js"
import { type TerminalInfo, terminalInfo } from "../internal/terminal.js"

/**
 * The statuses of a task that has not finished, as `--status` takes them.
 *
 * @since 0.1.0
 * @category models
 */
export const UNFINISHED_STATUSES = UnfinishedTaskStatus.literals

/**
 * @since 0.1.0
 * @category models
 */
export type UnfinishedStatus = (typeof UNFINISHED_STATUSES)[number]

/**
 * What `ota devices tasks` lists and how it prints it.
 *
 * @since 0.1.0
 * @category models
 */
export interface DeviceTasksParams {
  readonly device: DeviceRef
  /** Only tasks in these statuses (none: every unfinished status). */
  readonly statuses: ReadonlyArray<UnfinishedStatus>
  /** Only tasks of this OTA module. */
  readonly moduleName?: string | undefined
  readonly output: Listing.OutputFormat
  readonly columns?: ReadonlyArray<Column<OtaUnfinishedTask>> | undefined
  readonly terminal: TerminalInfo
}

const DEVICE_TASK_LISTING: Listing.Listing<OtaUnfinishedTask> = {
  noun: { one: "unfinished task", many: "unfinished tasks" },
  set: DEVICE_TASKS,
  statusColumn: "taskStatus"
}

const inputOf = (params: DeviceTasksParams): ListOTAUnfinishedTaskByDeviceInput => {
  const statuses = [...new Set(params.statuses)]
  return {
    ...params.device,
    ...(params.moduleName === undefined ? {} : { moduleName: params.moduleName }),
    ...(statuses.length === 1
      ? { taskStatus: statuses[0]! }
      : statuses.length > 1
        ? { taskStatusList: statuses }
        : {})
  }
}

/**
 * Lists a device's unfinished tasks (the API answers them all at once).
 *
 * @since 0.1.0
 * @category commands
 */
export const runDeviceTasks = (
  params: DeviceTasksParams
): Effect.Effect<void, OtaError | Output.BrokenPipe, OtaClient> =>
  Effect.gen(function* () {
    const client = yield* OtaClient
    const { tasks } = yield* client.listOTAUnfinishedTaskByDevice(inputOf(params))
    const { productKey, deviceName } = params.device
    yield* Listing.printRecords(
      DEVICE_TASK_LISTING,
      { output: params.output, columns: params.columns, terminal: params.terminal },
      tasks,
      `${Listing.counted(DEVICE_TASK_LISTING, tasks.length)} of device ${productKey}/${deviceName}.`
    )
  })

/**
 * @since 0.1.0
 * @category commands
 */
export const deviceTasks = Command.make(
  "tasks",
  {
    ...clientOptions,
    status: Flags.choices({
      name: "status",
      alias: "s",
      pseudo: "status",
      values: UNFINISHED_STATUSES,
      what: "an unfinished task status",
      description: "Only tasks in this status; repeat for several (default: every unfinished status)."
    }),
    module: Flags.text({
      name: "module",
      alias: "m",
      pseudo: "name",
      description: "Only tasks of this OTA module (ModuleName; packages without one update `default`)."
    }).pipe(Options.optional),
    output: outputOption("one array"),
    columns: columnsOptionFor(
      DEVICE_TASKS,
      "table taskId,jobId,taskStatus,moduleName,version,utcModified; csv and json every field the listing answers"
    ),
    device: deviceArgument("The device, as ProductKey/DeviceName (e.g. a1GUfrM3kLp/lamp-0001)")
  },
  (flags) =>
    withClient(
      flags,
      runDeviceTasks({
        device: flags.device,
        statuses: flags.status,
        moduleName: Option.getOrUndefined(flags.module),
        output: flags.output,
        columns: Option.getOrUndefined(flags.columns),
        terminal: terminalInfo()
      })
    )
).pipe(
  Command.withDescription(
    "List a device's upgrade tasks that have not finished (CONFIRM, QUEUED, NOTIFIED, IN_PROGRESS), over every job: which job, which module, which versions."
  )
)
