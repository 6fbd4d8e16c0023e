/**
 * ListOTATaskByJob: the tasks of one batch, paged (PageSize ≤ 100, CurrentPage × PageSize ≤ 100000), filtered by
 * `TaskStatus` and `DeviceNames.N` (≤ 50 names).
 */
import { invalidParameter, jobNotFound } from "../errors.js"
import { TASK_STATUSES } from "../model.js"
import { optional, page, pageNumbers, repeatList, required } from "../params.js"
import { answer, defineAction, failed, IOT } from "../registry.js"
import { pageBody } from "../serialize.js"

export const MAX_DEVICE_NAMES = 50
const STATUSES: ReadonlySet<string> = new Set(TASK_STATUSES)

export const listOTATaskByJob = defineAction({
  action: "ListOTATaskByJob",
  family: IOT,
  handle: ({ params, world, casing, requestId, now }) => {
    const jobId = required(params, "JobId")
    if (!jobId.ok) return jobId
    const paging = page(params, { maxPageSize: 100, required: false, maxResultWindow: 100_000 })
    if (!paging.ok) return paging
    const status = optional(params, "TaskStatus")
    if (status !== undefined && !STATUSES.has(status)) {
      return failed(invalidParameter("TaskStatus", `expected one of ${TASK_STATUSES.join(", ")}.`))
    }
    const deviceNames = repeatList(params, "DeviceNames", MAX_DEVICE_NAMES, "device names")
    if (!deviceNames.ok) return deviceNames
    const source = world.source(jobId.value)
    if (source === undefined) return failed(jobNotFound(jobId.value))

    if (deviceNames.value.length > 0) {
      // The names win over paging (docs/protocol.md#device-names-win-over-paging): one page holding every
      // matching task, reported as page 1 with a PageSize that covers them (at least 50), so a paginating
      // client stops after it.
      const found = new Set<number>()
      for (const name of deviceNames.value) for (const i of source.ofDevice(name)) found.add(i)
      const indices = [...found]
        .sort((a, b) => a - b)
        .filter((i) => status === undefined || source.status(i, now) === status)
      const numbers = {
        total: indices.length,
        pageSize: Math.max(MAX_DEVICE_NAMES, indices.length),
        pageCount: indices.length > 0 ? 1 : 0,
        currentPage: 1
      }
      const items = source.pick(indices, 0, indices.length, now)
      return answer(pageBody(casing, requestId, numbers, "Data", "SimpleOTATaskInfo", items))
    }
    const numbers = pageNumbers(source.count(status, now), paging.value)
    const items = source.page(status, numbers.start, numbers.end, now)
    return answer(pageBody(casing, requestId, numbers, "Data", "SimpleOTATaskInfo", items))
  }
})
