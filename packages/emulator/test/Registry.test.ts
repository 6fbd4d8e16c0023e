/**
 * The action registry: every served action is routed under each version of its API family and nowhere else,
 * a second handler for the same action and version is refused, and the server answers InvalidApi.NotFound for
 * anything the registry does not hold.
 */
import { Buffer } from "node:buffer"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type Emulator, IOT_ACTIONS, STS_ACTIONS, SUPPORTED_ACTIONS, startEmulator } from "../src/index.js"
import { REGISTRY } from "../src/internal/actions/index.js"
import { ActionRegistry, answer, defineAction, IOT, STS } from "../src/internal/registry.js"
import { callV2, callV3 } from "./helpers/client.js"

describe("ActionRegistry", () => {
  it("routes each action under every version of its family only; the lists split by product", () => {
    expect(SUPPORTED_ACTIONS).toEqual(REGISTRY.actions)
    expect([...IOT_ACTIONS, ...STS_ACTIONS]).toEqual(SUPPORTED_ACTIONS)
    expect(STS_ACTIONS).toEqual(["AssumeRole", "AssumeRoleWithOIDC"])
    for (const action of IOT_ACTIONS) {
      for (const version of IOT.versions) expect(REGISTRY.lookup(action, version)?.action).toBe(action)
      for (const version of STS.versions) expect(REGISTRY.lookup(action, version)).toBeUndefined()
    }
    for (const action of STS_ACTIONS) {
      for (const version of STS.versions) expect(REGISTRY.lookup(action, version)?.action).toBe(action)
      for (const version of IOT.versions) expect(REGISTRY.lookup(action, version)).toBeUndefined()
    }
  })

  it("a family of its own adds an action under its versions only; two handlers for one action are refused", () => {
    const other = { product: "Other", versions: ["2099-01-01"] }
    const ping = defineAction({ action: "Ping", family: other, handle: () => answer(Buffer.from("{}")) })
    const registry = new ActionRegistry([...IOT_ACTIONS.map((a) => REGISTRY.lookup(a, "2018-01-20")!), ping])
    expect(registry.lookup("Ping", "2099-01-01")).toBe(ping)
    expect(registry.lookup("Ping", "2018-01-20")).toBeUndefined()
    expect(registry.byProduct).toEqual({ Iot: IOT_ACTIONS, Other: ["Ping"] })
    expect(() => new ActionRegistry([ping, ping])).toThrow(/two handlers for Ping/)
  })
})

describe("the server and the registry", () => {
  let emu: Emulator
  beforeAll(async () => {
    emu = await startEmulator({ qps: 0, jobs: [{ jobId: "r-job", tasks: 2 }] })
  })
  afterAll(() => emu.close())

  it.each(IOT_ACTIONS)("%s is routed (V2 and V3): no InvalidApi.NotFound", async (action) => {
    for (const result of [await callV2(emu, {}, { action }), await callV3(emu, {}, { action })]) {
      expect(result.json.Code).not.toBe("InvalidApi.NotFound")
    }
  })

  it.each(STS_ACTIONS)(
    "%s is routed under 2015-04-01 (V2 and V3): no InvalidApi.NotFound",
    async (action) => {
      for (const result of [
        await callV2(emu, {}, { action, editCommon: (p) => (p.Version = "2015-04-01") }),
        await callV3(emu, {}, { action, version: "2015-04-01" })
      ]) {
        expect(result.json.Code).toMatch(/^Missing(RoleArn|OIDCProviderArn)$/)
      }
    }
  )

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
