/** ListOTAFirmware: the account's update packages, paged (both required, PageSize ≤ 100), by product and version. */
import { Buffer } from "node:buffer"
import { World } from "../dataset.js"
import { productNotFound } from "../errors.js"
import { optional, page, pageNumbers } from "../params.js"
import { answer, defineAction, failed, IOT } from "../registry.js"
import { pageBody, recordJson } from "../serialize.js"

export const listOTAFirmware = defineAction({
  action: "ListOTAFirmware",
  family: IOT,
  handle: ({ params, world, casing, requestId }) => {
    const paging = page(params, { maxPageSize: 100, required: true })
    if (!paging.ok) return paging
    const productKey = optional(params, "ProductKey")
    if (productKey !== undefined && world.product(productKey) === undefined) {
      return failed(productNotFound(productKey))
    }
    const all = world.firmwareList(productKey, optional(params, "DestVersion"))
    const numbers = pageNumbers(all.length, paging.value)
    const items = all
      .slice(numbers.start, numbers.end)
      .map((def) => recordJson(World.firmwareSummary(def), casing))
      .join(",")
    return answer(
      pageBody(casing, requestId, numbers, "FirmwareInfo", "SimpleFirmwareInfo", Buffer.from(items))
    )
  }
})
