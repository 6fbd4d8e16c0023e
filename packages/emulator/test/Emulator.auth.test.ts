import { randomUUID } from "node:crypto"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { DEFAULT_CREDENTIALS, type Emulator, startEmulator } from "../src/index.js"
import {
  API_ERROR_KEYS,
  callV2,
  callV3,
  commonV2,
  GATEWAY_ERROR_KEYS,
  type HttpResult,
  request,
  UUID
} from "./helpers/client.js"
import { sdkEncode, v2Sign, v2StringToSign } from "./helpers/signers.js"

const JOB = "job-auth"
// Names that need encoding: space (sent as "+" in forms), and the characters querystring leaves raw.
const SPACED_DEVICE = "dev one"
const ODD_JOB = "job*~()!'x"

let emu: Emulator

beforeAll(async () => {
  emu = await startEmulator({
    qps: 0,
    seed: 3,
    jobs: [
      {
        jobId: JOB,
        tasks: [{ DeviceName: SPACED_DEVICE }, { DeviceName: "dev-2" }, { DeviceName: "dev-3" }]
      },
      { jobId: ODD_JOB, tasks: 5 }
    ]
  })
})
afterAll(() => emu.close())

const expectGatewayError = (result: HttpResult, status: number, code: string): void => {
  expect({ status: result.status, code: result.json?.Code }).toEqual({ status, code })
  expect(Object.keys(result.json)).toEqual(GATEWAY_ERROR_KEYS)
  expect(result.json.RequestId).toMatch(UUID)
  expect(result.headers["x-acs-request-id"]).toBe(result.json.RequestId)
  expect(result.headers["content-type"]).toBe("application/json;charset=utf-8")
}

describe("V2 (HMAC-SHA1) requests that succeed", () => {
  it("GET with every parameter in the query", async () => {
    const result = await callV2(emu, { JobId: JOB })
    expect(result.status).toBe(200)
    expect(result.json).toMatchObject({ Success: true, Total: 3 })
    expect(result.json.RequestId).toMatch(UUID)
  })

  it("POST with every parameter in a form body, and GET, list the same tasks", async () => {
    const post = await callV2(emu, { JobId: JOB, PageSize: "2" }, { method: "POST" })
    const get = await callV2(emu, { JobId: JOB, PageSize: "2" })
    expect(post.status).toBe(200)
    expect(post.json.Data).toEqual(get.json.Data)
  })

  it("POST with common parameters in the query and API parameters in the body (signed over the union)", async () => {
    const result = await callV2(
      emu,
      { JobId: JOB, "DeviceNames.1": SPACED_DEVICE },
      { method: "POST", bodyParams: "api" }
    )
    expect(result.status).toBe(200)
    expect(result.json.Data.SimpleOTATaskInfo.map((t: { DeviceName: string }) => t.DeviceName)).toEqual([
      SPACED_DEVICE
    ])
  })

  it("a form body that encodes spaces as + (decoded before verifying)", async () => {
    const plusForSpace = (value: string) => sdkEncode(value).replace(/%20/g, "+")
    const result = await callV2(
      emu,
      { JobId: JOB, "DeviceNames.1": SPACED_DEVICE },
      { method: "POST", encode: plusForSpace }
    )
    expect(result.status).toBe(200)
    expect(result.json.Total).toBe(1)
  })

  it("a query that leaves *~()! unescaped, as Node's querystring does (re-encoded canonically)", async () => {
    const loose = (value: string) => encodeURIComponent(value)
    const result = await callV2(emu, { JobId: ODD_JOB }, { encode: loose })
    expect(result.status).toBe(200)
    expect(result.json.Total).toBe(5)
  })

  it("a timestamp 14 minutes off either way is inside the 15-minute window", async () => {
    for (const offset of [-14 * 60_000, 14 * 60_000]) {
      expect((await callV2(emu, { JobId: JOB }, { timestampOffsetMs: offset })).status).toBe(200)
    }
  })
})

describe("V2 gateway errors", () => {
  it("wrong secret: 400 SignatureDoesNotMatch whose message carries the server's string-to-sign", async () => {
    const nonce = randomUUID()
    let signedParams: Record<string, string> = {}
    const result = await callV2(
      emu,
      { JobId: JOB },
      {
        secret: "not-the-secret",
        nonce,
        editCommon: (params) => {
          signedParams = params
        }
      }
    )
    expectGatewayError(result, 400, "SignatureDoesNotMatch")
    const expected = v2StringToSign("GET", { ...signedParams, JobId: JOB })
    expect(result.json.Message).toContain(`server string to sign is:${expected}`)
    expect(result.json.Message).not.toContain(DEFAULT_CREDENTIALS.accessKeySecret)
  })

  it("the string-to-sign uses the real method: a GET signature sent as POST fails", async () => {
    const params: Record<string, string> = { ...commonV2(), JobId: JOB }
    params.Signature = v2Sign("GET", params, DEFAULT_CREDENTIALS.accessKeySecret)
    const body = Object.entries(params)
      .map(([k, v]) => `${sdkEncode(k)}=${sdkEncode(v)}`)
      .join("&")
    const mismatch = await request(emu, {
      method: "POST",
      path: "/",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body
    })
    expectGatewayError(mismatch, 400, "SignatureDoesNotMatch")
    expect(mismatch.json.Message).toContain("server string to sign is:POST&%2F&")
  })

  it("unknown AccessKeyId: 404 InvalidAccessKeyId.NotFound", async () => {
    expectGatewayError(
      await callV2(emu, { JobId: JOB }, { accessKeyId: "nobody" }),
      404,
      "InvalidAccessKeyId.NotFound"
    )
  })

  it.each([
    "Action",
    "Version",
    "AccessKeyId",
    "Signature",
    "SignatureMethod",
    "SignatureVersion",
    "SignatureNonce",
    "Timestamp"
  ])("missing %s: 400 MissingParameter naming it", async (name) => {
    const result =
      name === "Signature"
        ? await request(emu, {
            path: `/?${Object.entries({ ...commonV2(), JobId: JOB })
              .map(([k, v]) => `${k}=${sdkEncode(v)}`)
              .join("&")}`
          })
        : await callV2(emu, { JobId: JOB }, { editCommon: (params) => delete params[name] })
    expectGatewayError(result, 400, "MissingParameter")
    expect(result.json.Message).toContain(`"${name}"`)
  })

  it("missing JobId: 400 MissingJobId, an API error (the documented Missing{Name} shape)", async () => {
    const result = await callV2(emu, {})
    expect({ status: result.status, code: result.json?.Code }).toEqual({ status: 400, code: "MissingJobId" })
    expect(result.json).toMatchObject({ Success: false, ErrorMessage: "JobId is mandatory for this action." })
  })

  it.each([
    ["behind", -16 * 60_000],
    ["ahead", 16 * 60_000]
  ])("a timestamp 16 minutes %s: 400 InvalidTimeStamp.Expired", async (_, offset) => {
    expectGatewayError(
      await callV2(emu, { JobId: JOB }, { timestampOffsetMs: offset }),
      400,
      "InvalidTimeStamp.Expired"
    )
  })

  it("a malformed timestamp: 400 InvalidTimeStamp.Format", async () => {
    const result = await callV2(
      emu,
      { JobId: JOB },
      { editCommon: (params) => (params.Timestamp = "2024-13-01 10:00") }
    )
    expectGatewayError(result, 400, "InvalidTimeStamp.Format")
  })

  it("a reused SignatureNonce: 400 SignatureNonceUsed", async () => {
    const nonce = randomUUID()
    expect((await callV2(emu, { JobId: JOB }, { nonce })).status).toBe(200)
    expectGatewayError(await callV2(emu, { JobId: JOB }, { nonce }), 400, "SignatureNonceUsed")
    expect(emu.stats().nonces).toBeGreaterThan(0)
  })

  it("a wrongly signed request does not burn its nonce", async () => {
    const nonce = randomUUID()
    expectGatewayError(
      await callV2(emu, { JobId: JOB }, { nonce, secret: "bad" }),
      400,
      "SignatureDoesNotMatch"
    )
    expect((await callV2(emu, { JobId: JOB }, { nonce })).status).toBe(200)
  })

  it("unknown Action or Version: 404 InvalidApi.NotFound", async () => {
    expectGatewayError(
      await callV2(emu, { JobId: JOB }, { editCommon: (params) => (params.Action = "CreateOTAFirmware") }),
      404,
      "InvalidApi.NotFound"
    )
    expectGatewayError(
      await callV2(emu, { JobId: JOB }, { editCommon: (params) => (params.Version = "2017-04-20") }),
      404,
      "InvalidApi.NotFound"
    )
  })

  it("Tuya's 2022-01-01 version is accepted", async () => {
    const result = await callV2(
      emu,
      { JobId: JOB },
      { editCommon: (params) => (params.Version = "2022-01-01") }
    )
    expect(result.status).toBe(200)
  })

  it("an unsupported SignatureMethod: 400 IncompleteSignature", async () => {
    const result = await callV2(
      emu,
      { JobId: JOB },
      { editCommon: (params) => (params.SignatureMethod = "HMAC-SHA256") }
    )
    expectGatewayError(result, 400, "IncompleteSignature")
  })

  it("every response has a fresh RequestId", async () => {
    const ids = new Set<string>()
    for (let i = 0; i < 5; i++) ids.add((await callV2(emu, { JobId: JOB }, { secret: "bad" })).json.RequestId)
    for (let i = 0; i < 5; i++) ids.add((await callV2(emu, { JobId: JOB })).json.RequestId)
    expect(ids.size).toBe(10)
  })
})

describe("V3 (ACS3-HMAC-SHA256) requests", () => {
  it("POST with parameters in the query, as the official SDK sends it", async () => {
    const result = await callV3(emu, { JobId: JOB, PageSize: "2", CurrentPage: "2" })
    expect(result.status).toBe(200)
    expect(result.json).toMatchObject({ Total: 3, PageSize: 2, CurrentPage: 2 })
  })

  it("GET, and a form body covered by the payload hash", async () => {
    expect((await callV3(emu, { JobId: JOB }, { method: "GET" })).status).toBe(200)
    const form = await callV3(emu, { JobId: JOB, "DeviceNames.1": SPACED_DEVICE }, { formBody: true })
    expect(form.status).toBe(200)
    expect(form.json.Total).toBe(1)
  })

  it("signs exactly the SignedHeaders named, including extra x-acs-* headers", async () => {
    const result = await callV3(
      emu,
      { JobId: JOB },
      { extraHeaders: { "x-acs-credentials-provider": "static_ak" } }
    )
    expect(result.status).toBe(200)
  })

  it("wrong secret: 400 SignatureDoesNotMatch carrying the server's canonical request", async () => {
    const result = await callV3(emu, { JobId: ODD_JOB, "DeviceNames.1": "a b" }, { secret: "bad" })
    expectGatewayError(result, 400, "SignatureDoesNotMatch")
    expect(result.json.Message).toContain(`server canonical request is:${result.canonicalRequest}`)
  })

  it("a tampered signed header: 400 SignatureDoesNotMatch", async () => {
    const result = await callV3(
      emu,
      { JobId: JOB },
      { tamper: (h) => (h["x-acs-signature-nonce"] = "other") }
    )
    expectGatewayError(result, 400, "SignatureDoesNotMatch")
  })

  it("an x-acs-content-sha256 that is not the body's hash: 400 SignatureDoesNotMatch", async () => {
    const result = await callV3(
      emu,
      { JobId: JOB },
      { formBody: true, extraHeaders: { "x-acs-content-sha256": "0".repeat(64) } }
    )
    expectGatewayError(result, 400, "SignatureDoesNotMatch")
    expect(result.json.Message).toContain("x-acs-content-sha256")
  })

  it("unknown AccessKeyId: 404 InvalidAccessKeyId.NotFound", async () => {
    expectGatewayError(
      await callV3(emu, { JobId: JOB }, { accessKeyId: "nobody" }),
      404,
      "InvalidAccessKeyId.NotFound"
    )
  })

  it("x-acs-date 16 minutes off: 400 InvalidTimeStamp.Expired", async () => {
    expectGatewayError(
      await callV3(emu, { JobId: JOB }, { dateOffsetMs: -16 * 60_000 }),
      400,
      "InvalidTimeStamp.Expired"
    )
    expectGatewayError(
      await callV3(emu, { JobId: JOB }, { dateOffsetMs: 16 * 60_000 }),
      400,
      "InvalidTimeStamp.Expired"
    )
  })

  it("a reused x-acs-signature-nonce: 400 SignatureNonceUsed", async () => {
    const nonce = randomUUID().replace(/-/g, "")
    expect((await callV3(emu, { JobId: JOB }, { nonce })).status).toBe(200)
    expectGatewayError(await callV3(emu, { JobId: JOB }, { nonce }), 400, "SignatureNonceUsed")
  })

  it.each(["x-acs-action", "x-acs-version", "x-acs-date", "x-acs-signature-nonce", "x-acs-content-sha256"])(
    "missing %s: 400 MissingParameter",
    async (header) => {
      const result = await callV3(emu, { JobId: JOB }, { tamper: (h) => delete h[header] })
      expectGatewayError(result, 400, "MissingParameter")
      expect(result.json.Message).toContain(header)
    }
  )

  it("an unknown x-acs-action: 404 InvalidApi.NotFound", async () => {
    expectGatewayError(
      await callV3(emu, { JobId: JOB }, { action: "DeleteEverything" }),
      404,
      "InvalidApi.NotFound"
    )
  })

  it("a malformed Authorization header: 400 IncompleteSignature", async () => {
    for (const authorization of [
      "ACS3-HMAC-SHA256 Credential=x",
      "ACS3-HMAC-SM3 Credential=a,SignedHeaders=host,Signature=0"
    ]) {
      const result = await callV3(emu, { JobId: JOB }, { tamper: (h) => (h.authorization = authorization) })
      expectGatewayError(result, 400, "IncompleteSignature")
    }
  })
})

describe("clock skew", () => {
  let skewed: Emulator
  const skewMs = 30 * 60_000

  beforeAll(async () => {
    skewed = await startEmulator({ qps: 0, clockSkewMs: skewMs, jobs: [{ jobId: JOB, tasks: 1 }] })
  })
  afterAll(() => skewed.close())

  it("the Date header shows the server clock, and a client that follows it is accepted", async () => {
    const rejected = await callV2(skewed, { JobId: JOB })
    expectGatewayError(rejected, 400, "InvalidTimeStamp.Expired")
    const serverDate = Date.parse(String(rejected.headers.date))
    // The skew is 30 minutes; a generous tolerance keeps this free of timing assumptions.
    expect(Math.abs(serverDate - Date.now() - skewMs)).toBeLessThan(5 * 60_000)
    const corrected = await callV2(skewed, { JobId: JOB }, { timestampOffsetMs: serverDate - Date.now() })
    expect(corrected.status).toBe(200)
  })
})

describe("throttling (per-AccessKeyId token bucket)", () => {
  let limited: Emulator
  const other = { accessKeyId: "second-key", accessKeySecret: "second-secret" }

  beforeAll(async () => {
    limited = await startEmulator({
      qps: 2,
      credentials: [DEFAULT_CREDENTIALS, other],
      jobs: [{ jobId: JOB, tasks: 1 }]
    })
  })
  afterAll(() => limited.close())

  it("a burst over the limit gets 400 Throttling.User; another AccessKeyId is unaffected", async () => {
    const burst = await Promise.all(Array.from({ length: 8 }, () => callV2(limited, { JobId: JOB })))
    const throttled = burst.filter((r) => r.json?.Code === "Throttling.User")
    expect(throttled.length).toBeGreaterThan(0)
    for (const result of throttled) expectGatewayError(result, 400, "Throttling.User")
    expect(burst.filter((r) => r.status === 200).length + throttled.length).toBe(8)
    const fromOther = await callV2(
      limited,
      { JobId: JOB },
      { accessKeyId: other.accessKeyId, secret: other.accessKeySecret }
    )
    expect(fromOther.status).toBe(200)
  })

  it("a client spacing its calls at 1/qps is never throttled", async () => {
    await new Promise((resolve) => setTimeout(resolve, 1100))
    for (let i = 0; i < 5; i++) {
      const result = await callV2(limited, { JobId: JOB })
      expect(result.status).toBe(200)
      await new Promise((resolve) => setTimeout(resolve, 500))
    }
  })
})

describe("Tuya casing of errors", () => {
  let tuya: Emulator
  beforeAll(async () => {
    tuya = await startEmulator({ qps: 0, casing: "tuya", jobs: [{ jobId: JOB, tasks: 1 }] })
  })
  afterAll(() => tuya.close())

  it("gateway and API errors use camelCase keys", async () => {
    const gateway = await callV2(tuya, { JobId: JOB }, { secret: "bad" })
    expect(gateway.status).toBe(400)
    expect(Object.keys(gateway.json)).toEqual(["requestId", "hostId", "code", "message", "recommend"])
    const api = await callV2(tuya, { JobId: "missing-job" })
    expect(api.status).toBe(200)
    expect(api.json).toMatchObject({ success: false, code: "iot.ota.NotExistedJob" })
    expect(Object.keys(api.json).sort()).toEqual(
      API_ERROR_KEYS.map((k) => k[0]?.toLowerCase() + k.slice(1)).sort()
    )
  })
})
