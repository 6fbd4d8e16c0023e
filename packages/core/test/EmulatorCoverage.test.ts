/**
 * The emulator serves every IoT action of the core's operations table, so every operation can be tested end to
 * end. Only IoT actions are compared: the emulator also serves STS, which is no operation of this client.
 */
import { IOT_ACTIONS, STS_ACTIONS } from "@iot-ota/emulator"
import { describe, expect, it } from "vitest"
import { Operations } from "../src/Operations.js"

describe("the emulator and the operations table", () => {
  it("every operation's action is one of the emulator's IoT actions", () => {
    const missing = Object.values(Operations)
      .map((operation) => operation.action)
      .filter((action) => !IOT_ACTIONS.includes(action))
    expect(missing).toEqual([])
  })

  it("no STS action is taken for an IoT one", () => {
    expect(STS_ACTIONS.filter((action) => IOT_ACTIONS.includes(action))).toEqual([])
  })
})
