import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type Emulator, type FaultKind, startEmulator } from "../src/index.js"
import { callV2, GATEWAY_ERROR_KEYS, type HttpResult } from "./helpers/client.js"

const JOB = "job-faults"
let emu: Emulator

beforeAll(async () => {
  emu = await startEmulator({ qps: 0, jobs: [{ jobId: JOB, tasks: 120 }] })
})
afterAll(() => emu.close())

const call = (target: Emulator = emu): Promise<HttpResult> => callV2(target, { JobId: JOB, PageSize: "100" })

const outcome = (attempt: Promise<HttpResult>): Promise<string> =>
  attempt.then(
    (result) => `${result.status} ${result.json?.Code ?? (result.json === undefined ? "not-json" : "OK")}`,
    () => "transport-error"
  )

describe("each fault kind", () => {
  it("ServiceUnavailable: 503 with a gateway error body", async () => {
    emu.setFaults({ sequence: ["ServiceUnavailable"] })
    const result = await call()
    expect(result.status).toBe(503)
    expect(result.json.Code).toBe("ServiceUnavailable")
    expect(Object.keys(result.json)).toEqual(GATEWAY_ERROR_KEYS)
  })

  it("InternalError: 500", async () => {
    emu.setFaults({ sequence: ["InternalError"] })
    const result = await call()
    expect([result.status, result.json.Code]).toEqual([500, "InternalError"])
  })

  it("Throttling: 400 Throttling.User", async () => {
    emu.setFaults({ sequence: ["Throttling"] })
    const result = await call()
    expect([result.status, result.json.Code]).toEqual([400, "Throttling.User"])
  })

  it("SystemException: HTTP 200 with Success false and iot.system.SystemException", async () => {
    emu.setFaults({ sequence: ["SystemException"] })
    const result = await call()
    expect(result.status).toBe(200)
    expect(result.json).toMatchObject({ Success: false, Code: "iot.system.SystemException" })
  })

  it("HtmlError: a proxy's 502 HTML page", async () => {
    emu.setFaults({ sequence: ["HtmlError"] })
    const result = await call()
    expect(result.status).toBe(502)
    expect(result.headers["content-type"]).toBe("text/html")
    expect(result.text).toContain("<h1>502 Bad Gateway</h1>")
    expect(result.json).toBeUndefined()
  })

  it("TruncatedJson: a complete 200 response whose JSON stops half-way", async () => {
    emu.setFaults({ sequence: ["TruncatedJson"] })
    const result = await call()
    expect(result.status).toBe(200)
    expect(result.headers["content-type"]).toBe("application/json;charset=utf-8")
    expect(result.text.startsWith('{"RequestId":')).toBe(true)
    expect(() => JSON.parse(result.text)).toThrow()
  })

  it("ConnectionReset: headers and part of the body, then the connection drops", async () => {
    emu.setFaults({ sequence: ["ConnectionReset"] })
    await expect(call()).rejects.toThrow()
    // The server keeps serving.
    expect((await call()).status).toBe(200)
  })

  it("Delay: waits, then answers normally", async () => {
    emu.setFaults({ sequence: ["Delay"], delayMs: 50 })
    const result = await call()
    expect(result.status).toBe(200)
    expect(result.json.Data.SimpleOTATaskInfo).toHaveLength(100)
  })

  it("counts faults in stats().byCode", async () => {
    emu.resetStats()
    emu.setFaults({ sequence: ["ServiceUnavailable", "Delay", null], delayMs: 50 })
    await call()
    await call()
    await call()
    expect(emu.stats()).toMatchObject({
      requests: 3,
      byCode: { "fault:ServiceUnavailable": 1, "fault:Delay": 1, OK: 2 }
    })
  })
})

describe("scripted sequences", () => {
  it("the n-th authenticated request gets sequence[n]; null answers normally; then no faults", async () => {
    const sequence: Array<FaultKind | null> = ["ServiceUnavailable", null, "HtmlError", "Throttling", null]
    emu.setFaults({ sequence })
    const seen: Array<string> = []
    for (let i = 0; i < 7; i++) seen.push(await outcome(call()))
    expect(seen).toEqual([
      "503 ServiceUnavailable",
      "200 OK",
      "502 not-json",
      "400 Throttling.User",
      "200 OK",
      "200 OK",
      "200 OK"
    ])
  })

  it("a rejected request (bad signature) does not consume a scripted fault", async () => {
    emu.setFaults({ sequence: ["InternalError"] })
    const bad = await callV2(emu, { JobId: JOB }, { secret: "wrong" })
    expect(bad.json.Code).toBe("SignatureDoesNotMatch")
    expect(await outcome(call())).toBe("500 InternalError")
  })

  it("setFaults(undefined) turns faults off", async () => {
    emu.setFaults({ rate: 1 })
    expect(await outcome(call())).not.toBe("200 OK")
    emu.setFaults(undefined)
    expect(await outcome(call())).toBe("200 OK")
  })
})

describe("seeded fault rate", () => {
  const run = async (seed: number): Promise<Array<string>> => {
    const target = await startEmulator({
      qps: 0,
      seed,
      jobs: [{ jobId: JOB, tasks: 10 }],
      faults: { rate: 0.5, kinds: ["ServiceUnavailable", "InternalError", "SystemException"] }
    })
    try {
      const seen: Array<string> = []
      for (let i = 0; i < 24; i++) seen.push(await outcome(call(target)))
      return seen
    } finally {
      await target.close()
    }
  }

  it("the same seed gives the same faults; only the chosen kinds occur", async () => {
    const first = await run(11)
    expect(await run(11)).toEqual(first)
    expect(new Set(first)).toEqual(
      new Set(["200 OK", "503 ServiceUnavailable", "500 InternalError", "200 iot.system.SystemException"])
    )
    expect(await run(12)).not.toEqual(first)
  })

  it("rejects unknown fault kinds and rates outside 0..1", async () => {
    await expect(startEmulator({ faults: { rate: 2 } })).rejects.toThrow(/rate/)
    await expect(startEmulator({ faults: { kinds: ["Meteor" as FaultKind] } })).rejects.toThrow(/Meteor/)
  })
})

describe("close()", () => {
  it("resolves with a delayed answer pending", async () => {
    const target = await startEmulator({
      qps: 0,
      jobs: [{ jobId: JOB, tasks: 1 }],
      faults: { sequence: ["Delay"], delayMs: 60_000 }
    })
    const pending = outcome(call(target))
    await new Promise((resolve) => setTimeout(resolve, 50))
    await target.close()
    expect(await pending).toBe("transport-error")
  })
})
