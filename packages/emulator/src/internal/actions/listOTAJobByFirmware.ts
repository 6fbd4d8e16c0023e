/** ListOTAJobByFirmware: the batches of one update package, paged (all required, PageSize ≤ 200). */
import { Buffer } from "node:buffer"
import { firmwareNotFound } from "../errors.js"
import { page, pageNumbers, required } from "../params.js"
import { answer, defineAction, failed, IOT } from "../registry.js"
import { pageBody, recordJson } from "../serialize.js"

export const listOTAJobByFirmware = defineAction({
  action: "ListOTAJobByFirmware",
  family: IOT,
  handle: ({ params, world, casing, requestId, now }) => {
    const firmwareId = required(params, "FirmwareId")
    if (!firmwareId.ok) return firmwareId
    const paging = page(params, { maxPageSize: 200, required: true })
    if (!paging.ok) return paging
    const firmware = world.firmware(firmwareId.value)
    if (firmware === undefined) return failed(firmwareNotFound(firmwareId.value))
    const numbers = pageNumbers(firmware.jobs.length, paging.value)
    const items = firmware.jobs
      .slice(numbers.start, numbers.end)
      .map((job) => recordJson(world.jobSummary(job, now), casing))
      .join(",")
    return answer(pageBody(casing, requestId, numbers, "Data", "SimpleOTAJobInfo", Buffer.from(items)))
  }
})
