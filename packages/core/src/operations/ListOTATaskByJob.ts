/**
 * `ListOTATaskByJob`: the device upgrade tasks of one OTA upgrade batch (job),
 * one page at a time, optionally filtered by status or device names.
 *
 * @since 0.1.0
 */
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { canonicalKey, toOptionalDate, toOptionalNumber } from "../internal/normalize.js"
import type { PaginatedOperation } from "../Operation.js"

/** A refinement's failure message names the rule; the client adds the field and the value. */
const rule = (text: string) => ({ message: () => ({ message: text, override: true }) })

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
 * const isDocumented = Schema.is(TaskStatus)
 * isDocumented("IN_PROGRESS") // true
 * isDocumented("PAUSED") // false: a status this SDK does not know (tasks keep it as a string)
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
).annotations(rule("one of CONFIRM, QUEUED, NOTIFIED, IN_PROGRESS, SUCCEEDED, FAILED, CANCELED"))

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
 * import { Effect } from "effect"
 * import { TASK_STATUSES } from "@iot-ota/core/operations/ListOTATaskByJob"
 * import { OtaClient } from "@iot-ota/core/OtaClient"
 *
 * // A job's progress: one `pageSize: 1` call per status, whose `total` is the count.
 * const countsByStatus = (jobId: string) =>
 *   Effect.flatMap(OtaClient, (client) =>
 *     Effect.forEach(TASK_STATUSES, (taskStatus) =>
 *       Effect.map(
 *         client.listOTATaskByJob({ jobId, taskStatus, pageSize: 1 }),
 *         (page) => [taskStatus, page.total] as const
 *       )
 *     )
 *   )
 * ```
 */
export const TASK_STATUSES: ReadonlyArray<TaskStatus> = TaskStatus.literals

/**
 * Statuses a task never leaves. A `ReadonlySet<string>` so that any task's
 * `taskStatus` (possibly a status newer than this SDK) can be tested.
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

/** The server caps `CurrentPage × PageSize` at this offset. */
const MAX_OFFSET = 100_000
const MAX_PAGE_SIZE = 100
const MAX_DEVICE_NAMES = 50

const NonBlankString = Schema.String.pipe(Schema.filter((s) => s.trim().length > 0)).annotations(
  rule("a non-empty string")
)

const PageSize = Schema.Number.pipe(Schema.int(), Schema.between(1, MAX_PAGE_SIZE)).annotations(
  rule(`an integer from 1 to ${MAX_PAGE_SIZE}`)
)

const CurrentPage = Schema.Number.pipe(Schema.int(), Schema.greaterThanOrEqualTo(1)).annotations(
  rule("an integer of at least 1")
)

// The length rule's message applies only when the length is wrong, so an
// invalid element is still reported at its own index.
const DeviceNames = Schema.Array(NonBlankString).pipe(
  Schema.filter((names) => names.length >= 1 && names.length <= MAX_DEVICE_NAMES, {
    message: () => `a list of 1 to ${MAX_DEVICE_NAMES} non-empty device names`
  })
)

/**
 * The caller's input. `pageSize` defaults to 10 and `currentPage` to 1, as on
 * the server; `currentPage × pageSize` may not exceed 100,000.
 *
 * @since 0.1.0
 * @category schemas
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { ListOTATaskByJobInput } from "@iot-ota/core/operations/ListOTATaskByJob"
 * const request = Schema.decodeUnknownSync(ListOTATaskByJobInput)({ jobId: "job-1", taskStatus: "FAILED" })
 * // { jobId: "job-1", taskStatus: "FAILED", pageSize: 10, currentPage: 1 }
 * ```
 */
export const ListOTATaskByJobInput = Schema.Struct({
  jobId: NonBlankString,
  pageSize: Schema.optionalWith(PageSize, { default: () => 10 }),
  currentPage: Schema.optionalWith(CurrentPage, { default: () => 1 }),
  taskStatus: Schema.optional(TaskStatus),
  deviceNames: Schema.optional(DeviceNames),
  iotInstanceId: Schema.optional(NonBlankString)
}).pipe(
  Schema.filter((request) =>
    request.currentPage * request.pageSize <= MAX_OFFSET
      ? undefined
      : {
          path: ["currentPage"],
          message: `such that currentPage × pageSize is at most ${MAX_OFFSET} (the server's paging limit)`
        }
  )
)

/**
 * What callers pass (optional fields may be omitted).
 *
 * @since 0.1.0
 * @category models
 */
export type ListOTATaskByJobInput = typeof ListOTATaskByJobInput.Encoded

/**
 * A checked request, defaults applied.
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { ListOTATaskByJobInput, type ListOTATaskByJobRequest } from "@iot-ota/core/operations/ListOTATaskByJob"
 *
 * const request: ListOTATaskByJobRequest = Schema.decodeUnknownSync(ListOTATaskByJobInput)({ jobId: "job-1" })
 * request.pageSize // 10
 * ```
 */
export type ListOTATaskByJobRequest = typeof ListOTATaskByJobInput.Type

const WireParams = Schema.Record({ key: Schema.String, value: Schema.String })
const RequestType = Schema.typeSchema(ListOTATaskByJobInput)
const DEVICE_NAME = /^DeviceNames\.([1-9]\d*)$/
const POSITIVE_INT = /^[1-9]\d*$/

const wireInt = (params: Readonly<Record<string, string>>, name: string, fallback: number) => {
  const raw = params[name]
  return raw === undefined ? fallback : POSITIVE_INT.test(raw) ? Number(raw) : Number.NaN
}

/**
 * The checked request as flat wire parameters: `JobId`, `PageSize`,
 * `CurrentPage`, `TaskStatus`, `DeviceNames.1` … `DeviceNames.N`,
 * `IotInstanceId`. Absent fields are not sent. Decoding goes the other way
 * (used by tests and by anyone parsing a recorded request).
 *
 * @since 0.1.0
 * @category schemas
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { ListOTATaskByJobParams } from "@iot-ota/core/operations/ListOTATaskByJob"
 *
 * const encode = Schema.encodeSync(ListOTATaskByJobParams)
 * encode({ jobId: "job-1", pageSize: 10, currentPage: 1, deviceNames: ["a", "b"] })
 * // { JobId: "job-1", PageSize: "10", CurrentPage: "1", "DeviceNames.1": "a", "DeviceNames.2": "b" }
 * Schema.decodeUnknownSync(ListOTATaskByJobParams)({ JobId: "job-1", PageSize: "50" })
 * // { jobId: "job-1", pageSize: 50, currentPage: 1 }
 * ```
 */
export const ListOTATaskByJobParams = Schema.transformOrFail(WireParams, RequestType, {
  strict: true,
  encode: (request) => {
    const params: Record<string, string> = {
      JobId: request.jobId,
      PageSize: String(request.pageSize),
      CurrentPage: String(request.currentPage)
    }
    if (request.taskStatus !== undefined) params.TaskStatus = request.taskStatus
    if (request.iotInstanceId !== undefined) params.IotInstanceId = request.iotInstanceId
    if (request.deviceNames !== undefined) {
      for (let i = 0; i < request.deviceNames.length; i++)
        params[`DeviceNames.${i + 1}`] = request.deviceNames[i]!
    }
    return ParseResult.succeed(params)
  },
  decode: (params, _, ast) => {
    const devices: Array<[number, string]> = []
    for (const name of Object.keys(params)) {
      const match = DEVICE_NAME.exec(name)
      if (match !== null) devices.push([Number(match[1]), params[name]!])
      else if (!["JobId", "PageSize", "CurrentPage", "TaskStatus", "IotInstanceId"].includes(name)) {
        return ParseResult.fail(new ParseResult.Type(ast, params, `unknown parameter ${name}`))
      }
    }
    devices.sort((a, b) => a[0] - b[0])
    if (devices.some(([n], i) => n !== i + 1)) {
      return ParseResult.fail(new ParseResult.Type(ast, params, "DeviceNames.N must be numbered 1..N"))
    }
    const request: Record<string, unknown> = {
      jobId: params.JobId,
      pageSize: wireInt(params, "PageSize", 10),
      currentPage: wireInt(params, "CurrentPage", 1)
    }
    if (params.TaskStatus !== undefined) request.taskStatus = params.TaskStatus
    if (params.IotInstanceId !== undefined) request.iotInstanceId = params.IotInstanceId
    if (devices.length > 0) request.deviceNames = devices.map(([, name]) => name)
    return ParseResult.decodeUnknown(RequestType)(request)
  }
})

/**
 * One device's upgrade task, as the client returns it.
 *
 * @since 0.1.0
 * @category schemas
 * @example
 * ```ts
 * import { OtaTask } from "@iot-ota/core/operations/ListOTATaskByJob"
 *
 * // A task for a test double, checked against the schema.
 * const task = OtaTask.make({
 *   taskId: "task-1", jobId: "job-1", iotId: "iot-1", deviceName: "pump-7", productKey: "a1Bc",
 *   firmwareId: "fw-1", destVersion: "2.0.0", taskStatus: "IN_PROGRESS", progress: 40
 * })
 * ```
 */
export const OtaTask = Schema.Struct({
  taskId: Schema.String,
  jobId: Schema.String,
  iotId: Schema.String,
  deviceName: Schema.String,
  productKey: Schema.String,
  productName: Schema.optionalWith(Schema.String, { exact: true }),
  firmwareId: Schema.String,
  srcVersion: Schema.optionalWith(Schema.String, { exact: true }),
  destVersion: Schema.String,
  /** A documented status, or a newer one the server introduced (kept as is). */
  taskStatus: Schema.String,
  /** Upgrade progress in percent (0..100). */
  progress: Schema.optionalWith(Schema.Number, { exact: true }),
  taskDesc: Schema.optionalWith(Schema.String, { exact: true }),
  /** Upgrade timeout in minutes. */
  timeout: Schema.optionalWith(Schema.Number, { exact: true }),
  utcCreate: Schema.optionalWith(Schema.DateFromSelf, { exact: true }),
  utcModified: Schema.optionalWith(Schema.DateFromSelf, { exact: true })
})

/**
 * One device's upgrade task. Optional fields are absent when the server
 * left them out.
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import type { OtaTask } from "@iot-ota/core/operations/ListOTATaskByJob"
 *
 * const line = (task: OtaTask) =>
 *   `${task.deviceName}: ${task.srcVersion ?? "?"} -> ${task.destVersion}, ${task.taskStatus} ${task.progress ?? 0}%`
 * ```
 */
export interface OtaTask extends Schema.Schema.Type<typeof OtaTask> {}

/**
 * One page of tasks.
 *
 * @since 0.1.0
 * @category schemas
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { OtaTaskPage } from "@iot-ota/core/operations/ListOTATaskByJob"
 *
 * const isPage = Schema.is(OtaTaskPage)
 * isPage({ tasks: [], total: 0, pageSize: 10, currentPage: 1, pageCount: 0 }) // true
 * ```
 */
export const OtaTaskPage = Schema.Struct({
  tasks: Schema.Array(OtaTask),
  total: Schema.Number,
  pageSize: Schema.Number,
  currentPage: Schema.Number,
  pageCount: Schema.Number,
  requestId: Schema.optionalWith(Schema.String, { exact: true })
})

/**
 * One page of tasks, with the server's `total` over all pages.
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import type { OtaTaskPage } from "@iot-ota/core/operations/ListOTATaskByJob"
 *
 * const progress = (page: OtaTaskPage) =>
 *   `page ${page.currentPage} of ${page.pageCount}: ${page.tasks.length} of ${page.total} tasks`
 * ```
 */
export interface OtaTaskPage extends Schema.Schema.Type<typeof OtaTaskPage> {}

type Mutable<A> = { -readonly [K in keyof A]: A[K] }

/** Collects the first problem of a body with its path, for one precise error message. */
class Problems {
  first: string | undefined
  /** `index` is a task's position, or -1 for a page-level field; the path is only built on failure. */
  add(path: string, expected: string, value: unknown, index = -1): void {
    const where = index < 0 ? path : `tasks[${index}].${path}`
    this.first ??= `${where}: expected ${expected}, got ${describeValue(value)}`
  }
}

/** A short description of a JSON value that never recurses: bodies can nest deeper than the stack. */
const describeValue = (value: unknown): string => {
  if (value === undefined) return "nothing"
  if (typeof value === "string") return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value)
  if (value === null || typeof value !== "object") return String(value)
  return Array.isArray(value) ? `a list of ${value.length}` : "an object"
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === "object" && !Array.isArray(value)

const readId = (value: unknown, path: string, problems: Problems, index = -1): string => {
  if (typeof value === "string") return value
  if (typeof value === "number") return String(value)
  if (value !== null && value !== undefined) problems.add(path, "a string or number", value, index)
  return ""
}

const readText = (value: unknown, path: string, problems: Problems, index = -1): string | undefined => {
  if (typeof value === "string") return value
  if (value !== null && value !== undefined) problems.add(path, "a string", value, index)
  return undefined
}

const readNumber = (value: unknown, path: string, problems: Problems, index = -1): number | undefined => {
  if (value === null || value === undefined) return undefined
  const n = typeof value === "string" || typeof value === "number" ? toOptionalNumber(value) : "invalid"
  if (n === "invalid") problems.add(path, "a number", value, index)
  return n === "invalid" ? undefined : n
}

const readCount = (value: unknown, path: string, problems: Problems): number | undefined => {
  if (value === null || value === undefined) return undefined
  const n = typeof value === "string" || typeof value === "number" ? toOptionalNumber(value) : "invalid"
  if (n === "invalid" || (n !== undefined && (!Number.isInteger(n) || n < 0))) {
    problems.add(path, "a non-negative integer", value)
    return undefined
  }
  return n
}

// Other ISO spellings with a `Z` (a longer fraction, hour 24) still parse
// with `new Date`; only the rest goes through the tolerant reader.
const isPlainIso = (s: string): boolean =>
  s.length >= 20 &&
  s.charCodeAt(4) === 45 &&
  s.charCodeAt(7) === 45 &&
  s.charCodeAt(10) === 84 &&
  s.charCodeAt(13) === 58 &&
  s.charCodeAt(s.length - 1) === 90

/** Two ASCII digits at `at` as a number, or -1. */
const twoDigits = (s: string, at: number): number => {
  const tens = s.charCodeAt(at) - 48
  const ones = s.charCodeAt(at + 1) - 48
  return tens >= 0 && tens <= 9 && ones >= 0 && ones <= 9 ? tens * 10 + ones : -1
}

/**
 * Epoch milliseconds of the timestamps the API sends, `YYYY-MM-DDThh:mm:ssZ`
 * or `YYYY-MM-DDThh:mm:ss.sssZ`, read digit by digit: `new Date(string)`
 * measured ~145 ns a call, this ~60 ns, and a page holds 200 timestamps.
 * `NaN` for anything else (other spellings, out-of-range fields), which then
 * goes through the general parsers. Accepted values give exactly what
 * `new Date(string)` gives (days 29-31 roll over into the next month there too).
 */
const plainIsoMillis = (s: string): number => {
  const length = s.length
  if (
    (length !== 20 && length !== 24) ||
    s.charCodeAt(4) !== 45 /* - */ ||
    s.charCodeAt(7) !== 45 ||
    s.charCodeAt(10) !== 84 /* T */ ||
    s.charCodeAt(13) !== 58 /* : */ ||
    s.charCodeAt(16) !== 58 ||
    s.charCodeAt(length - 1) !== 90 /* Z */ ||
    (length === 24 && s.charCodeAt(19) !== 46) /* . */
  )
    return Number.NaN
  const century = twoDigits(s, 0)
  const yearOfCentury = twoDigits(s, 2)
  const month = twoDigits(s, 5)
  const day = twoDigits(s, 8)
  const hour = twoDigits(s, 11)
  const minute = twoDigits(s, 14)
  const second = twoDigits(s, 17)
  const millis = length === 24 ? twoDigits(s, 20) * 10 + s.charCodeAt(22) - 48 : 0
  if (
    century < 0 ||
    yearOfCentury < 0 ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > 31 ||
    hour < 0 ||
    hour > 23 ||
    minute < 0 ||
    minute > 59 ||
    second < 0 ||
    second > 59 ||
    millis < 0 ||
    millis > 999 ||
    (length === 24 && (s.charCodeAt(22) < 48 || s.charCodeAt(22) > 57))
  )
    return Number.NaN
  // Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
  const year = century * 100 + yearOfCentury - (month <= 2 ? 1 : 0)
  const era = Math.floor(year / 400)
  const yearOfEra = year - era * 400
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear
  const days = era * 146_097 + dayOfEra - 719_468
  return days * 86_400_000 + hour * 3_600_000 + minute * 60_000 + second * 1000 + millis
}

/**
 * The last timestamp a field read, and its value: the tasks of a batch
 * mostly share their creation time (3 distinct `UtcCreate` values in a
 * 100-task emulator page), so most reads skip the parse.
 */
class LastTimestamp {
  text = ""
  millis = Number.NaN
}
const lastUtcCreate = new LastTimestamp()
const lastUtcModified = new LastTimestamp()

const readDate = (
  value: unknown,
  path: string,
  problems: Problems,
  index: number,
  last: LastTimestamp
): Date | undefined => {
  if (value === null || value === undefined) return undefined
  if (typeof value === "string") {
    if (value === last.text) return new Date(last.millis)
    const millis = plainIsoMillis(value)
    if (!Number.isNaN(millis)) {
      last.text = value
      last.millis = millis
      return new Date(millis)
    }
    if (isPlainIso(value)) {
      const date = new Date(value)
      if (!Number.isNaN(date.getTime())) return date
    }
  }
  const date = typeof value === "string" || typeof value === "number" ? toOptionalDate(value) : "invalid"
  if (date === "invalid") problems.add(path, "a timestamp", value, index)
  return date === "invalid" ? undefined : date
}

// Field bits, to keep "first spelling wins" without allocating a set per task.
const F_TASK_ID = 1
const F_JOB_ID = 2
const F_IOT_ID = 4
const F_FIRMWARE_ID = 8
const F_DEVICE_NAME = 16
const F_STATUS = 32
const F_PRODUCT_KEY = 64
const F_DEST_VERSION = 128
const F_PRODUCT_NAME = 256
const F_SRC_VERSION = 512
const F_TASK_DESC = 1024
const F_PROGRESS = 2048
const F_TIMEOUT = 4096
const F_UTC_CREATE = 8192
const F_UTC_MODIFIED = 16384

/** The spellings the API is known to send resolve without a lookup; others go through `canonicalKey`. */
const fieldOf = (key: string): number => {
  switch (key) {
    case "TaskId":
    case "taskId":
    case "TaskID":
      return F_TASK_ID
    case "JobId":
    case "jobId":
    case "JobID":
      return F_JOB_ID
    case "IotId":
    case "iotId":
    case "IotID":
      return F_IOT_ID
    case "FirmwareId":
    case "firmwareId":
    case "FirmwareID":
      return F_FIRMWARE_ID
    case "DeviceName":
    case "deviceName":
      return F_DEVICE_NAME
    case "TaskStatus":
    case "taskStatus":
      return F_STATUS
    case "ProductKey":
    case "productKey":
      return F_PRODUCT_KEY
    case "DestVersion":
    case "destVersion":
      return F_DEST_VERSION
    case "ProductName":
    case "productName":
      return F_PRODUCT_NAME
    case "SrcVersion":
    case "srcVersion":
      return F_SRC_VERSION
    case "TaskDesc":
    case "taskDesc":
      return F_TASK_DESC
    case "Progress":
    case "progress":
      return F_PROGRESS
    case "Timeout":
    case "timeout":
      return F_TIMEOUT
    case "UtcCreate":
    case "utcCreate":
      return F_UTC_CREATE
    case "UtcModified":
    case "utcModified":
      return F_UTC_MODIFIED
    default:
      return FIELD_BY_CANONICAL_NAME[canonicalKey(key)] ?? 0
  }
}

const FIELD_BY_CANONICAL_NAME: Readonly<Record<string, number>> = {
  taskId: F_TASK_ID,
  jobId: F_JOB_ID,
  iotId: F_IOT_ID,
  firmwareId: F_FIRMWARE_ID,
  deviceName: F_DEVICE_NAME,
  taskStatus: F_STATUS,
  productKey: F_PRODUCT_KEY,
  destVersion: F_DEST_VERSION,
  productName: F_PRODUCT_NAME,
  srcVersion: F_SRC_VERSION,
  taskDesc: F_TASK_DESC,
  progress: F_PROGRESS,
  timeout: F_TIMEOUT,
  utcCreate: F_UTC_CREATE,
  utcModified: F_UTC_MODIFIED
}

/** One task, keys in either casing, in one pass over its own keys. */
const readTask = (raw: unknown, index: number, problems: Problems): OtaTask | undefined => {
  if (!isRecord(raw)) {
    problems.add(`tasks[${index}]`, "an object", raw)
    return undefined
  }
  const task: Mutable<OtaTask> = {
    taskId: "",
    jobId: "",
    iotId: "",
    deviceName: "",
    productKey: "",
    firmwareId: "",
    destVersion: "",
    taskStatus: ""
  }
  let seen = 0
  for (const key in raw) {
    const field = fieldOf(key)
    // Unknown fields (added by future API versions) are ignored; the first spelling of a key wins.
    if (field === 0 || (seen & field) !== 0) continue
    seen |= field
    const value = raw[key]
    switch (field) {
      case F_TASK_ID:
        if (typeof value === "string" || typeof value === "number") task.taskId = String(value)
        else problems.add("taskId", "a string or number", value, index)
        break
      case F_JOB_ID:
        task.jobId = readId(value, "jobId", problems, index)
        break
      case F_IOT_ID:
        task.iotId = readId(value, "iotId", problems, index)
        break
      case F_FIRMWARE_ID:
        task.firmwareId = readId(value, "firmwareId", problems, index)
        break
      case F_DEVICE_NAME:
        if (typeof value === "string") task.deviceName = value
        else problems.add("deviceName", "a string", value, index)
        break
      case F_STATUS:
        if (typeof value === "string") task.taskStatus = value
        else problems.add("taskStatus", "a string", value, index)
        break
      case F_PRODUCT_KEY:
        task.productKey = readText(value, "productKey", problems, index) ?? ""
        break
      case F_DEST_VERSION:
        task.destVersion = readText(value, "destVersion", problems, index) ?? ""
        break
      case F_PRODUCT_NAME: {
        const text = readText(value, "productName", problems, index)
        if (text !== undefined) task.productName = text
        break
      }
      case F_SRC_VERSION: {
        const text = readText(value, "srcVersion", problems, index)
        if (text !== undefined) task.srcVersion = text
        break
      }
      case F_TASK_DESC: {
        const text = readText(value, "taskDesc", problems, index)
        if (text !== undefined && text !== "") task.taskDesc = text
        break
      }
      case F_PROGRESS: {
        const n = readNumber(value, "progress", problems, index)
        if (n !== undefined) task.progress = n
        break
      }
      case F_TIMEOUT: {
        const n = readNumber(value, "timeout", problems, index)
        if (n !== undefined) task.timeout = n
        break
      }
      case F_UTC_CREATE: {
        const date = readDate(value, "utcCreate", problems, index, lastUtcCreate)
        if (date !== undefined) task.utcCreate = date
        break
      }
      case F_UTC_MODIFIED: {
        const date = readDate(value, "utcModified", problems, index, lastUtcModified)
        if (date !== undefined) task.utcModified = date
        break
      }
    }
  }
  if ((seen & F_TASK_ID) === 0) problems.add("taskId", "a string or number", undefined, index)
  if ((seen & F_DEVICE_NAME) === 0) problems.add("deviceName", "a string", undefined, index)
  if ((seen & F_STATUS) === 0) problems.add("taskStatus", "a string", undefined, index)
  return task
}

/** The task list: `Data.SimpleOTATaskInfo` (either casing), a bare `Data` list, or one task as an object. */
const readTaskList = (data: unknown, problems: Problems): ReadonlyArray<unknown> => {
  if (data === null || data === undefined) return []
  if (Array.isArray(data)) return data
  if (!isRecord(data)) {
    problems.add("data", "an object", data)
    return []
  }
  for (const key in data) {
    if (canonicalKey(key) !== "simpleOTATaskInfo") continue
    const list = data[key]
    if (list === null || list === undefined) return []
    // An XML-to-JSON gateway may turn a one-element list into an object.
    return Array.isArray(list) ? list : [list]
  }
  return []
}

/** The success body, either casing, to a page; `undefined` with `problems` set when it is not the documented shape. */
const readPage = (body: unknown, problems: Problems): OtaTaskPage | undefined => {
  if (!isRecord(body)) {
    problems.add("body", "an object", body)
    return undefined
  }
  let requestId: string | undefined
  let total: unknown
  let pageSize: unknown
  let currentPage: unknown
  let pageCount: unknown
  let data: unknown
  for (const key in body) {
    const value = body[key]
    switch (canonicalKey(key)) {
      case "requestId":
        requestId ??= typeof value === "string" ? value : undefined
        break
      case "total":
        total ??= value
        break
      case "pageSize":
        pageSize ??= value
        break
      case "currentPage":
        currentPage ??= value
        break
      case "pageCount":
        pageCount ??= value
        break
      case "data":
        data ??= value
        break
    }
  }
  const rawTasks = readTaskList(data, problems)
  const tasks: Array<OtaTask> = new Array(rawTasks.length)
  for (let i = 0; i < rawTasks.length; i++) tasks[i] = readTask(rawTasks[i], i, problems)!
  if (total === undefined) problems.add("total", "a non-negative integer", undefined)
  const totalCount = readCount(total, "total", problems) ?? 0
  const size = readCount(pageSize, "pageSize", problems) ?? Math.max(tasks.length, 1)
  const current = readCount(currentPage, "currentPage", problems) ?? 1
  const computedPageCount = size === 0 ? 0 : Math.ceil(totalCount / size)
  const count = readCount(pageCount, "pageCount", new Problems()) ?? computedPageCount
  if (problems.first !== undefined) return undefined
  const page: Mutable<OtaTaskPage> = {
    tasks,
    total: totalCount,
    pageSize: size,
    currentPage: current,
    pageCount: count
  }
  if (requestId !== undefined) page.requestId = requestId
  return page
}

/** The decoder checks every field as it converts, so its output is not validated a second time. */
const DecodedOtaTaskPage = Schema.declare(
  (u: unknown): u is OtaTaskPage => isRecord(u) && Array.isArray(u.tasks),
  { identifier: "OtaTaskPage" }
)

/**
 * The success body (either casing) to an {@link OtaTaskPage}, in one pass:
 * keys are matched case-insensitively on their first letter and `ID`/`Id`,
 * numbers may come as strings, timestamps in the spellings seen in the wild,
 * unknown fields are ignored and unknown statuses kept. `PageCount` is
 * computed when absent. A wrong shape fails with the path of the first
 * problem, e.g. `tasks[3].progress: expected a number, got "half"`.
 *
 * @since 0.1.0
 * @category schemas
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { ListOTATaskByJobResponse } from "@iot-ota/core/operations/ListOTATaskByJob"
 *
 * // A recorded response body, as the API sends it.
 * const page = Schema.decodeUnknownSync(ListOTATaskByJobResponse)({
 *   RequestId: "E4E0A8C5-0B8B-4C4A-9E4B-2F4D5E1C7A11",
 *   Success: true,
 *   Total: 1,
 *   PageSize: 10,
 *   CurrentPage: 1,
 *   Data: {
 *     SimpleOTATaskInfo: [
 *       { TaskId: "t-1", JobId: "job-1", IotId: "iot-1", DeviceName: "pump-7", ProductKey: "a1Bc",
 *         FirmwareId: "fw-1", DestVersion: "2.0.0", TaskStatus: "SUCCEEDED", UtcCreate: "2024-05-01T08:00:00.000Z" }
 *     ]
 *   }
 * })
 * page.pageCount // 1: computed, the body has none
 * page.tasks[0]?.utcCreate // a Date
 * ```
 */
export const ListOTATaskByJobResponse = Schema.transformOrFail(Schema.Unknown, DecodedOtaTaskPage, {
  strict: true,
  decode: (body, _, ast) => {
    const problems = new Problems()
    const page = readPage(body, problems)
    return page === undefined
      ? ParseResult.fail(new ParseResult.Type(ast, body, problems.first ?? "not a ListOTATaskByJob response"))
      : ParseResult.succeed(page)
  },
  encode: (page, _, ast) =>
    ParseResult.fail(new ParseResult.Forbidden(ast, page, "responses are decode-only"))
})

/**
 * The operation descriptor used by the client.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { OtaClient } from "@iot-ota/core/OtaClient"
 * import { ListOTATaskByJob } from "@iot-ota/core/operations/ListOTATaskByJob"
 * const page = Effect.flatMap(OtaClient, (client) => client.execute(ListOTATaskByJob, { jobId: "job-1" }))
 * ```
 */
export const ListOTATaskByJob: PaginatedOperation<
  ListOTATaskByJobInput,
  ListOTATaskByJobRequest,
  OtaTaskPage,
  OtaTask
> = {
  action: "ListOTATaskByJob",
  acceptsIotInstanceId: true,
  input: ListOTATaskByJobInput,
  params: ListOTATaskByJobParams,
  response: ListOTATaskByJobResponse,
  spanAttributes: (request) => ({
    "ota.jobId": request.jobId,
    "ota.page": request.currentPage,
    "ota.pageSize": request.pageSize,
    ...(request.taskStatus === undefined ? {} : { "ota.taskStatus": request.taskStatus })
  }),
  pagination: {
    items: (page) => page.tasks,
    total: (page) => page.total,
    page: (request) => request.currentPage,
    pageSize: (request) => request.pageSize,
    withPage: (request, currentPage, pageSize) => ({ ...request, currentPage, pageSize }),
    maxPageSize: MAX_PAGE_SIZE,
    maxOffset: MAX_OFFSET,
    itemKey: (task) => task.taskId
  }
}
