/**
 * ListOTAJobByDevice: the batches of one update package that include one device, paged (all five parameters
 * required, PageSize ≤ 100).
 */
import { Buffer } from "node:buffer"
import { deviceNotFound, firmwareNotFound, productNotFound } from "../errors.js"
import { page, pageNumbers, required } from "../params.js"
import { answer, defineAction, failed, IOT } from "../registry.js"
import { pageBody, recordJson } from "../serialize.js"

export const listOTAJobByDevice = defineAction({
  action: "ListOTAJobByDevice",
  family: IOT,
  handle: ({ params, world, casing, requestId, now }) => {
    const firmwareId = required(params, "FirmwareId")
    if (!firmwareId.ok) return firmwareId
    const productKey = required(params, "ProductKey")
    if (!productKey.ok) return productKey
    const deviceName = required(params, "DeviceName")
    if (!deviceName.ok) return deviceName
    const paging = page(params, { maxPageSize: 100, required: true })
    if (!paging.ok) return paging
    const firmware = world.firmware(firmwareId.value)
    if (firmware === undefined) return failed(firmwareNotFound(firmwareId.value))
    if (world.product(productKey.value) === undefined) return failed(productNotFound(productKey.value))
    const device = world.device(productKey.value, deviceName.value)
    if (device === undefined) {
      return failed(deviceNotFound(`ProductKey "${productKey.value}", DeviceName "${deviceName.value}"`))
    }
    const jobs = world.jobsOfDevice(firmware, device)
    const numbers = pageNumbers(jobs.length, paging.value)
    const items = jobs
      .slice(numbers.start, numbers.end)
      .map((job) => recordJson(world.jobSummary(job, now), casing))
      .join(",")
    return answer(pageBody(casing, requestId, numbers, "Data", "SimpleOTAJobInfo", Buffer.from(items)))
  }
})
