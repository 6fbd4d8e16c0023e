/**
 * ListOTAUnfinishedTaskByDevice: one device's tasks in CONFIRM, QUEUED, NOTIFIED or IN_PROGRESS over every batch,
 * not paged. The device is `IotId` (preferred) or `ProductKey` + `DeviceName`; `TaskStatus` and
 * `TaskStatusList.N` (≤ 4) narrow the statuses (both given: their union; neither: all four).
 */

import type { DeviceRef, World } from "../dataset.js"
import { deviceNotFound, emptyDeviceInfo, invalidTaskStatus, productNotFound } from "../errors.js"
import { UNFINISHED_STATUSES } from "../model.js"
import { fail, ok, optional, type Params, type Parsed, repeatList } from "../params.js"
import { answer, defineAction, failed, IOT } from "../registry.js"
import { recordJson, resultBody } from "../serialize.js"

const UNFINISHED: ReadonlySet<string> = new Set(UNFINISHED_STATUSES)

const statuses = (params: Params): Parsed<ReadonlySet<string>> => {
  const list = repeatList(params, "TaskStatusList", 4, "statuses")
  if (!list.ok) return list
  const single = optional(params, "TaskStatus")
  const wanted = [...list.value, ...(single === undefined ? [] : [single])]
  for (const status of wanted) {
    if (!UNFINISHED.has(status)) {
      return fail(invalidTaskStatus(`"${status}" is not one of ${UNFINISHED_STATUSES.join(", ")}.`))
    }
  }
  return ok(wanted.length === 0 ? UNFINISHED : new Set(wanted))
}

const device = (params: Params, world: World): Parsed<DeviceRef> => {
  const iotId = optional(params, "IotId")
  if (iotId !== undefined) {
    const found = world.deviceByIotId(iotId)
    return found === undefined ? fail(deviceNotFound(`IotId "${iotId}"`)) : ok(found)
  }
  const productKey = optional(params, "ProductKey")
  const deviceName = optional(params, "DeviceName")
  if (productKey === undefined || deviceName === undefined) return fail(emptyDeviceInfo())
  if (world.product(productKey) === undefined) return fail(productNotFound(productKey))
  const found = world.device(productKey, deviceName)
  return found === undefined
    ? fail(deviceNotFound(`ProductKey "${productKey}", DeviceName "${deviceName}"`))
    : ok(found)
}

export const listOTAUnfinishedTaskByDevice = defineAction({
  action: "ListOTAUnfinishedTaskByDevice",
  family: IOT,
  handle: ({ params, world, casing, requestId, now }) => {
    const wanted = statuses(params)
    if (!wanted.ok) return wanted
    const target = device(params, world)
    if (!target.ok) return failed(target.failure)
    const tasks = world.unfinishedTasks(target.value, wanted.value, optional(params, "ModuleName"), now)
    const items = tasks.map((task) => recordJson(task, casing)).join(",")
    const key = casing === "alibaba" ? "SimpleOTATaskInfo" : "simpleOTATaskInfo"
    return answer(resultBody(casing, requestId, "Data", `{"${key}":[${items}]}`))
  }
})
