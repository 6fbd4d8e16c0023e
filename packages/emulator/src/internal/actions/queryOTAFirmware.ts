/** QueryOTAFirmware: one update package in full, under `FirmwareInfo`. */
import { firmwareNotFound } from "../errors.js"
import { required } from "../params.js"
import { answer, defineAction, failed, IOT } from "../registry.js"
import { recordJson, resultBody } from "../serialize.js"

export const queryOTAFirmware = defineAction({
  action: "QueryOTAFirmware",
  family: IOT,
  handle: ({ params, world, casing, requestId }) => {
    const firmwareId = required(params, "FirmwareId")
    if (!firmwareId.ok) return firmwareId
    const firmware = world.firmware(firmwareId.value)
    if (firmware === undefined) return failed(firmwareNotFound(firmwareId.value))
    return answer(resultBody(casing, requestId, "FirmwareInfo", recordJson(firmware.record, casing)))
  }
})
