/**
 * JSON in both casings. `alibaba` writes records as built (the API tables' PascalCase, documented field order);
 * `tuya` lower-cases the first letter of every key and sorts keys alphabetically, as the Tuya example response
 * does (`data.simpleOTATaskInfo`, `code: ""`). Task items, the hot path, have hand-written serialisers.
 */
import { Buffer } from "node:buffer"
import type { Casing, TaskRecord } from "../Emulator.js"

/** Alibaba field order, as in the documented sample (docs/api/ListOTATaskByJob.md, "Example response"). */
const alibabaTaskJson = (task: TaskRecord): string =>
  JSON.stringify({
    TaskId: task.TaskId,
    JobId: task.JobId,
    FirmwareId: task.FirmwareId,
    ProductKey: task.ProductKey,
    ProductName: task.ProductName,
    DeviceName: task.DeviceName,
    IotId: task.IotId,
    SrcVersion: task.SrcVersion,
    DestVersion: task.DestVersion,
    TaskStatus: task.TaskStatus,
    TaskDesc: task.TaskDesc,
    Progress: task.Progress,
    Timeout: task.Timeout,
    UtcCreate: task.UtcCreate,
    UtcModified: task.UtcModified
  })

/** Tuya's camelCase keys in the alphabetical order of the spec's example response. */
const tuyaTaskJson = (task: TaskRecord): string =>
  JSON.stringify({
    destVersion: task.DestVersion,
    deviceName: task.DeviceName,
    firmwareId: task.FirmwareId,
    iotId: task.IotId,
    jobId: task.JobId,
    productKey: task.ProductKey,
    productName: task.ProductName,
    progress: task.Progress,
    srcVersion: task.SrcVersion,
    taskDesc: task.TaskDesc,
    taskId: task.TaskId,
    taskStatus: task.TaskStatus,
    timeout: task.Timeout,
    utcCreate: task.UtcCreate,
    utcModified: task.UtcModified
  })

export const taskJson = (task: TaskRecord, casing: Casing): string =>
  casing === "alibaba" ? alibabaTaskJson(task) : tuyaTaskJson(task)

export const camelKey = (key: string): string => key.charAt(0).toLowerCase() + key.slice(1)

/** A PascalCase value (record, list, scalar) in Tuya's casing: camelCase keys, sorted; undefined dropped. */
const toTuya = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(toTuya)
  if (value === null || typeof value !== "object") return value
  const entries = Object.entries(value)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => [camelKey(k), toTuya(v)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return Object.fromEntries(entries)
}

/** Any record built with PascalCase keys, in the emulator's casing. */
export const recordJson = (record: object, casing: Casing): string =>
  JSON.stringify(casing === "alibaba" ? record : toTuya(record))

export interface PageNumbers {
  readonly total: number
  readonly pageSize: number
  readonly pageCount: number
  readonly currentPage: number
}

const sortedKeys = (entries: ReadonlyArray<readonly [string, string]>): Array<readonly [string, string]> =>
  [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))

/**
 * The bytes before and after the items of a page whose list sits at `Outer.Inner` (`Data.SimpleOTATaskInfo`,
 * `FirmwareInfo.SimpleFirmwareInfo`). Paging fields are top-level integers.
 */
export const pageEnvelope = (
  casing: Casing,
  requestId: string,
  page: PageNumbers,
  outer: string,
  inner: string
): readonly [string, string] => {
  if (casing === "alibaba") {
    return [
      `{"RequestId":"${requestId}","Success":true,"Total":${page.total},"PageSize":${page.pageSize},"PageCount":${page.pageCount},"CurrentPage":${page.currentPage},"${outer}":{"${inner}":[`,
      "]}}"
    ]
  }
  const list = camelKey(outer)
  const fields = sortedKeys([
    ["code", '""'],
    ["currentPage", String(page.currentPage)],
    [list, ""],
    ["pageCount", String(page.pageCount)],
    ["pageSize", String(page.pageSize)],
    ["requestId", `"${requestId}"`],
    ["success", "true"],
    ["total", String(page.total)]
  ])
  const at = fields.findIndex(([key]) => key === list)
  const json = (part: ReadonlyArray<readonly [string, string]>) =>
    part.map(([k, v]) => `"${k}":${v}`).join(",")
  const before = json(fields.slice(0, at))
  const after = json(fields.slice(at + 1))
  return [
    `{${before}${before === "" ? "" : ","}"${list}":{"${camelKey(inner)}":[`,
    `]}${after === "" ? "" : ","}${after}}`
  ]
}

/** A page body: the envelope around the comma-separated JSON items. */
export const pageBody = (
  casing: Casing,
  requestId: string,
  page: PageNumbers,
  outer: string,
  inner: string,
  items: Buffer
): Buffer => {
  const [head, tail] = pageEnvelope(casing, requestId, page, outer, inner)
  const headBytes = Buffer.from(head)
  const tailBytes = Buffer.from(tail)
  return Buffer.concat([headBytes, items, tailBytes], headBytes.length + items.length + tailBytes.length)
}

/** A success body holding one object (`Data`, `FirmwareInfo`) or one wrapped list, not paged. */
export const resultBody = (casing: Casing, requestId: string, key: string, json: string): Buffer =>
  Buffer.from(
    casing === "alibaba"
      ? `{"RequestId":"${requestId}","Success":true,"${key}":${json}}`
      : `{"code":"",${JSON.stringify(camelKey(key))}:${json},"requestId":"${requestId}","success":true}`
  )
