/**
 * `ListOTATaskByJob`: the device upgrade tasks of one OTA upgrade batch (job),
 * one page at a time, optionally filtered by status or device names.
 *
 * @since 0.1.0
 */
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { normalizeKeys, toId, toOptionalDate, toOptionalNumber } from "../internal/normalize.js"
import type { PaginatedOperation } from "../Operation.js"

/** A refinement's failure message names the rule; the client adds the field and the value. */
const rule = (text: string) => ({ message: () => ({ message: text, override: true }) })

/**
 * The documented task statuses.
 *
 * @since 0.1.0
 * @category schemas
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
 * @since 0.1.0
 * @category models
 */
export type TaskStatus = typeof TaskStatus.Type

/**
 * Every documented status, in rollout order.
 *
 * @since 0.1.0
 * @category models
 */
export const TASK_STATUSES: ReadonlyArray<TaskStatus> = TaskStatus.literals

/**
 * Statuses a task never leaves.
 *
 * @since 0.1.0
 * @category models
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
 * @since 0.1.0
 * @category models
 */
export interface OtaTask extends Schema.Schema.Type<typeof OtaTask> {}

/**
 * One page of tasks.
 *
 * @since 0.1.0
 * @category schemas
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
 * @since 0.1.0
 * @category models
 */
export interface OtaTaskPage extends Schema.Schema.Type<typeof OtaTaskPage> {}

const Scalar = Schema.Union(Schema.String, Schema.Number, Schema.Null)
const OptionalScalar = Schema.optional(Scalar)
const OptionalText = Schema.optional(Schema.NullOr(Schema.String))

/** A task as sent, keys normalised to camelCase. Anything not needed is optional. */
const WireTask = Schema.Struct({
  taskId: Schema.Union(Schema.String, Schema.Number),
  jobId: OptionalScalar,
  iotId: OptionalScalar,
  deviceName: Schema.String,
  productKey: OptionalText,
  productName: OptionalText,
  firmwareId: OptionalScalar,
  srcVersion: OptionalText,
  destVersion: OptionalText,
  taskStatus: Schema.String,
  progress: OptionalScalar,
  taskDesc: OptionalText,
  timeout: OptionalScalar,
  utcCreate: OptionalScalar,
  utcModified: OptionalScalar
})

/** An XML-to-JSON gateway may turn a one-element list into an object. */
const TaskList = Schema.Union(Schema.Array(WireTask), WireTask)

const WireCount = Schema.Union(Schema.Number, Schema.String)

/** The success envelope, keys normalised to camelCase. */
const WireEnvelope = Schema.Struct({
  requestId: Schema.optional(Schema.String),
  total: WireCount,
  pageSize: Schema.optional(WireCount),
  currentPage: Schema.optional(WireCount),
  pageCount: Schema.optional(WireCount),
  data: Schema.optional(
    Schema.NullOr(
      Schema.Union(
        Schema.Struct({ simpleOTATaskInfo: Schema.optional(Schema.NullOr(TaskList)) }),
        Schema.Array(WireTask)
      )
    )
  )
})

const NormalizedBody = Schema.transform(Schema.Unknown, Schema.Unknown, {
  strict: true,
  decode: normalizeKeys,
  encode: (body) => body
})

const isList = <A>(value: ReadonlyArray<A> | object): value is ReadonlyArray<A> => Array.isArray(value)

type Problem = { readonly path: string; readonly value: unknown; readonly expected: string }

const toTask = (wire: typeof WireTask.Type, problems: Array<Problem>, index: number): OtaTask => {
  const task: {
    -readonly [K in keyof OtaTask]: OtaTask[K]
  } = {
    taskId: toId(wire.taskId),
    jobId: toId(wire.jobId),
    iotId: toId(wire.iotId),
    deviceName: wire.deviceName,
    productKey: wire.productKey ?? "",
    firmwareId: toId(wire.firmwareId),
    destVersion: wire.destVersion ?? "",
    taskStatus: wire.taskStatus
  }
  if (typeof wire.productName === "string") task.productName = wire.productName
  if (typeof wire.srcVersion === "string") task.srcVersion = wire.srcVersion
  if (typeof wire.taskDesc === "string" && wire.taskDesc !== "") task.taskDesc = wire.taskDesc
  const progress = toOptionalNumber(wire.progress)
  if (progress === "invalid")
    problems.push({ path: `tasks[${index}].progress`, value: wire.progress, expected: "a number" })
  else if (progress !== undefined) task.progress = progress
  const timeout = toOptionalNumber(wire.timeout)
  if (timeout === "invalid")
    problems.push({ path: `tasks[${index}].timeout`, value: wire.timeout, expected: "a number" })
  else if (timeout !== undefined) task.timeout = timeout
  const created = toOptionalDate(wire.utcCreate)
  if (created === "invalid")
    problems.push({ path: `tasks[${index}].utcCreate`, value: wire.utcCreate, expected: "a timestamp" })
  else if (created !== undefined) task.utcCreate = created
  const modified = toOptionalDate(wire.utcModified)
  if (modified === "invalid")
    problems.push({ path: `tasks[${index}].utcModified`, value: wire.utcModified, expected: "a timestamp" })
  else if (modified !== undefined) task.utcModified = modified
  return task
}

const toCount = (value: string | number | undefined, fallback: number): number | "invalid" => {
  const n = toOptionalNumber(value)
  return n === undefined ? fallback : n === "invalid" || !Number.isInteger(n) || n < 0 ? "invalid" : n
}

/**
 * The success body (either casing) to an {@link OtaTaskPage}. `PageCount`
 * is computed when the server leaves it out.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ListOTATaskByJobResponse = Schema.transformOrFail(
  Schema.compose(NormalizedBody, WireEnvelope),
  OtaTaskPage,
  {
    strict: true,
    decode: (envelope, _, ast) => {
      const problems: Array<Problem> = []
      const data = envelope.data
      const list = data === undefined || data === null ? [] : isList(data) ? data : data.simpleOTATaskInfo
      const wireTasks = list === undefined || list === null ? [] : isList(list) ? list : [list]
      const tasks = wireTasks.map((wire, i) => toTask(wire, problems, i))
      const total = toCount(envelope.total, 0)
      const pageSize = toCount(envelope.pageSize, Math.max(tasks.length, 1))
      const currentPage = toCount(envelope.currentPage, 1)
      for (const [path, value] of [
        ["total", total],
        ["pageSize", pageSize],
        ["currentPage", currentPage]
      ] as const) {
        if (value === "invalid")
          problems.push({ path, value: envelope[path], expected: "a non-negative integer" })
      }
      if (problems.length > 0 || total === "invalid" || pageSize === "invalid" || currentPage === "invalid") {
        const first = problems[0]!
        return ParseResult.fail(
          new ParseResult.Type(
            ast,
            envelope,
            `${first.path}: expected ${first.expected}, got ${JSON.stringify(first.value)}`
          )
        )
      }
      const computedPageCount = pageSize === 0 ? 0 : Math.ceil(total / pageSize)
      const pageCount = toCount(envelope.pageCount, computedPageCount)
      const page: {
        -readonly [K in keyof OtaTaskPage]: OtaTaskPage[K]
      } = {
        tasks,
        total,
        pageSize,
        currentPage,
        pageCount: pageCount === "invalid" ? computedPageCount : pageCount
      }
      if (envelope.requestId !== undefined) page.requestId = envelope.requestId
      return ParseResult.succeed(page)
    },
    encode: (page, _, ast) =>
      ParseResult.fail(new ParseResult.Forbidden(ast, page, "responses are decode-only"))
  }
)

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
