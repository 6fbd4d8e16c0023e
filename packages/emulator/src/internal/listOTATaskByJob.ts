/**
 * The API semantics of ListOTATaskByJob: parameter validation (PROTOCOL §0/§3), filters and paging arithmetic,
 * and the page envelope in both casings.
 */
import { Buffer } from "node:buffer"
import type { Casing } from "../Emulator.js"
import type { JobStore, Selection } from "./dataset.js"
import { type Failure, invalidPageParams, invalidParameter, jobNotFound, missingParameter } from "./errors.js"
import { TASK_STATUSES } from "./model.js"

export const DEFAULT_PAGE_SIZE = 10
export const MAX_PAGE_SIZE = 100
export const MAX_RESULT_WINDOW = 100_000
export const MAX_DEVICE_NAMES = 50

export interface ListQuery {
  readonly jobId: string
  readonly pageSize: number
  readonly currentPage: number
  readonly taskStatus: string | undefined
  readonly deviceNames: ReadonlyArray<string>
}

export type Parsed<A> =
  | { readonly ok: true; readonly value: A }
  | { readonly ok: false; readonly failure: Failure }

const fail = <A>(failure: Failure): Parsed<A> => ({ ok: false, failure })

const INTEGER = /^\d{1,9}$/
const DEVICE_NAME_KEY = /^DeviceNames\.([1-9]\d{0,8})$/
const STATUSES: ReadonlySet<string> = new Set(TASK_STATUSES)

const integerParam = (params: Readonly<Record<string, string>>, name: string, fallback: number): number => {
  const text = params[name]
  if (text === undefined || text === "") return fallback
  return INTEGER.test(text) ? Number(text) : Number.NaN
}

export const parseListQuery = (params: Readonly<Record<string, string>>): Parsed<ListQuery> => {
  const jobId = params.JobId
  if (jobId === undefined || jobId === "") return fail(missingParameter("JobId"))
  const pageSize = integerParam(params, "PageSize", DEFAULT_PAGE_SIZE)
  const currentPage = integerParam(params, "CurrentPage", 1)
  if (Number.isNaN(pageSize))
    return fail(invalidPageParams(`PageSize "${params.PageSize}" is not an integer.`))
  if (Number.isNaN(currentPage)) {
    return fail(invalidPageParams(`CurrentPage "${params.CurrentPage}" is not an integer.`))
  }
  if (pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
    return fail(invalidPageParams(`PageSize must be within 1..${MAX_PAGE_SIZE}, got ${pageSize}.`))
  }
  if (currentPage < 1) return fail(invalidPageParams(`CurrentPage must be >= 1, got ${currentPage}.`))
  if (currentPage * pageSize > MAX_RESULT_WINDOW) {
    return fail(
      invalidPageParams(
        `CurrentPage x PageSize must be <= ${MAX_RESULT_WINDOW}, got ${currentPage} x ${pageSize}.`
      )
    )
  }
  const status = params.TaskStatus
  if (status !== undefined && status !== "" && !STATUSES.has(status)) {
    return fail(invalidParameter("TaskStatus", `expected one of ${TASK_STATUSES.join(", ")}.`))
  }
  const deviceNames: Array<string> = []
  for (const key in params) {
    if (!key.startsWith("DeviceNames")) continue
    if (!DEVICE_NAME_KEY.test(key)) {
      return fail(invalidParameter(key, "device names are sent as DeviceNames.1, DeviceNames.2, …"))
    }
    deviceNames.push(params[key] ?? "")
  }
  if (deviceNames.length > MAX_DEVICE_NAMES) {
    return fail(
      invalidParameter(
        "DeviceNames.N",
        `at most ${MAX_DEVICE_NAMES} device names, got ${deviceNames.length}.`
      )
    )
  }
  return {
    ok: true,
    value: { jobId, pageSize, currentPage, taskStatus: status === "" ? undefined : status, deviceNames }
  }
}

interface PageNumbers {
  readonly total: number
  readonly pageSize: number
  readonly pageCount: number
  readonly currentPage: number
}

const envelope = (casing: Casing, requestId: string, page: PageNumbers): readonly [string, string] =>
  casing === "alibaba"
    ? [
        `{"RequestId":"${requestId}","Success":true,"Total":${page.total},"PageSize":${page.pageSize},"PageCount":${page.pageCount},"CurrentPage":${page.currentPage},"Data":{"SimpleOTATaskInfo":[`,
        "]}}"
      ]
    : [
        `{"code":"","currentPage":${page.currentPage},"data":{"simpleOTATaskInfo":[`,
        `]},"pageCount":${page.pageCount},"pageSize":${page.pageSize},"requestId":"${requestId}","success":true,"total":${page.total}}`
      ]

/**
 * The 200 body for `query`, or the job-not-found failure. With `DeviceNames.N` the names win over paging
 * (PROTOCOL §3): one page holding every matching task, reported as CurrentPage 1 with a PageSize that covers
 * them (at least 50), so a paginating client stops after it.
 */
export const listPage = (
  jobs: ReadonlyMap<string, JobStore>,
  query: ListQuery,
  casing: Casing,
  requestId: string,
  nowMono: number
): Parsed<Buffer> => {
  const store = jobs.get(query.jobId)
  if (store === undefined) return fail(jobNotFound(query.jobId))
  let selection: Selection
  let numbers: PageNumbers
  let items: Buffer
  if (query.deviceNames.length > 0) {
    selection = store.selectDevices(query.deviceNames, query.taskStatus, nowMono)
    const total = selection.total
    numbers = {
      total,
      pageSize: Math.max(MAX_DEVICE_NAMES, total),
      pageCount: total > 0 ? 1 : 0,
      currentPage: 1
    }
    items = selection.slice(0, total)
  } else {
    selection = store.select(query.taskStatus, nowMono)
    const total = selection.total
    const start = (query.currentPage - 1) * query.pageSize
    numbers = {
      total,
      pageSize: query.pageSize,
      pageCount: Math.ceil(total / query.pageSize),
      currentPage: query.currentPage
    }
    items = selection.slice(start, start + query.pageSize)
  }
  const [head, tail] = envelope(casing, requestId, numbers)
  const headBytes = Buffer.from(head)
  const tailBytes = Buffer.from(tail)
  return {
    ok: true,
    value: Buffer.concat([headBytes, items, tailBytes], headBytes.length + items.length + tailBytes.length)
  }
}
