/**
 * The action registry: every served action is routed under each version of its API family and nowhere else,
 * a second handler for the same action and version is refused, and the server answers InvalidApi.NotFound for
 * anything the registry does not hold.
 */
import { Buffer } from "node:buffer"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type Emulator, SUPPORTED_ACTIONS, startEmulator } from "../src/index.js"
import { REGISTRY } from "../src/internal/actions/index.js"
import { ActionRegistry, answer, defineAction, IOT } from "../src/internal/registry.js"
import { callV2, callV3 } from "./helpers/client.js"

describe("ActionRegistry", () => {
  it("routes each action under every version of its family, and SUPPORTED_ACTIONS lists them", () => {
    expect(SUPPORTED_ACTIONS).toEqual(REGISTRY.actions)
    for (const action of SUPPORTED_ACTIONS) {
      for (const version of IOT.versions) expect(REGISTRY.lookup(action, version)?.action).toBe(action)
      expect(REGISTRY.lookup(action, "2015-04-01")).toBeUndefined()
    }
    expect(REGISTRY.lookup("AssumeRole", "2015-04-01")).toBeUndefined()
  })

  it("a family of its own adds an action under its versions only; two handlers for one action are refused", () => {
    const sts = { product: "Sts", versions: ["2015-04-01"] }
    const assumeRole = defineAction({
      action: "AssumeRole",
      family: sts,
      handle: () => answer(Buffer.from("{}"))
    })
    const registry = new ActionRegistry([
      ...REGISTRY.actions.map((a) => REGISTRY.lookup(a, "2018-01-20")!),
      assumeRole
    ])
    expect(registry.lookup("AssumeRole", "2015-04-01")).toBe(assumeRole)
    expect(registry.lookup("AssumeRole", "2018-01-20")).toBeUndefined()
    expect(registry.actions).toContain("AssumeRole")
    expect(() => new ActionRegistry([assumeRole, assumeRole])).toThrow(/two handlers for AssumeRole/)
  })
})

describe("the server and the registry", () => {
  let emu: Emulator
  beforeAll(async () => {
    emu = await startEmulator({ qps: 0, jobs: [{ jobId: "r-job", tasks: 2 }] })
  })
  afterAll(() => emu.close())

  it.each(SUPPORTED_ACTIONS)("%s is routed (V2 and V3): no InvalidApi.NotFound", async (action) => {
    for (const result of [await callV2(emu, {}, { action }), await callV3(emu, {}, { action })]) {
      expect(result.json.Code).not.toBe("InvalidApi.NotFound")
    }
  })

  it("an action it does not serve, or a served one under another product's version: 404 InvalidApi.NotFound", async () => {
    emu.resetStats()
    expect((await callV2(emu, {}, { action: "CreateOTAFirmware" })).status).toBe(404)
    expect((await callV3(emu, {}, { action: "AssumeRole" })).json.Code).toBe("InvalidApi.NotFound")
    const wrongVersion = await callV2(
      emu,
      { JobId: "r-job" },
      { editCommon: (p) => (p.Version = "2015-04-01") }
    )
    expect({ status: wrongVersion.status, code: wrongVersion.json.Code }).toEqual({
      status: 404,
      code: "InvalidApi.NotFound"
    })
    expect(emu.stats().byAction).toEqual({})
  })
})
