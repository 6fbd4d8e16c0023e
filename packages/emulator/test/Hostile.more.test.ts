/**
 * Hostile requests beyond Emulator.hostile.test.ts: duplicates spelled differently on the wire, every kind of
 * invalid UTF-8, thousands of parameters or headers, bodies that lie about their framing, many slow clients at
 * once, and a flood of all of it mixed with valid calls. Each bad request gets a JSON error with a proper
 * status; valid calls made at the same time are answered correctly.
 */
import * as net from "node:net"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type Emulator, startEmulator } from "../src/index.js"
import { callV2, type HttpResult, rawExchange, request } from "./helpers/client.js"

const JOB = "job-hostile-more"
const TOTAL = 7
let emu: Emulator

beforeAll(async () => {
  emu = await startEmulator({ qps: 0, jobs: [{ jobId: JOB, tasks: TOTAL }], headersTimeoutMs: 300 })
})
afterAll(() => emu.close())

const valid = () => callV2(emu, { JobId: JOB, PageSize: "100" })

const expectValid = (result: HttpResult) => {
  expect(result.status).toBe(200)
  expect(result.json.Total).toBe(TOTAL)
  expect(result.json.Data.SimpleOTATaskInfo).toHaveLength(TOTAL)
}

const expectStillServing = async () => expectValid(await valid())

const statusLine = (raw: string): string => raw.split("\r\n")[0] ?? ""
const rawJson = (raw: string): { Code?: string; RequestId?: string } =>
  JSON.parse(raw.slice(raw.indexOf("\r\n\r\n") + 4))

/** A JSON error body of the gateway shape, with the given status and code. */
const expectError = (result: HttpResult, status: number, code: string) => {
  expect(result.status).toBe(status)
  expect(result.headers["content-type"]).toMatch(/^application\/json/)
  expect(result.json).toMatchObject({ Code: code })
  expect(typeof result.json.RequestId).toBe("string")
}

describe("duplicate parameters, however they are spelled", () => {
  it.each([
    ["a percent-encoded letter in the name", "/?JobId=a&Job%49d=b", "JobId"],
    ["the name fully percent-encoded", "/?%4A%6F%62%49%64=a&JobId=b", "JobId"],
    ["the same value twice", `/?JobId=${JOB}&JobId=${JOB}`, "JobId"],
    ["an empty second value", "/?PageSize=1&PageSize=", "PageSize"],
    ["a name-only second occurrence", "/?PageSize=1&PageSize", "PageSize"],
    ["+ and %20 for the same space", "/?Device+Names.1=a&Device%20Names.1=b", "Device Names.1"],
    ["DeviceNames.1 twice", "/?DeviceNames.1=a&DeviceNames%2E1=b", "DeviceNames.1"]
  ])("%s: 400 InvalidParameter naming it", async (_, path, name) => {
    const result = await request(emu, { path })
    expectError(result, 400, "InvalidParameter")
    expect(result.json.Message).toContain(JSON.stringify(name))
    await expectStillServing()
  })

  it("twice within one form body: 400", async () => {
    const result = await request(emu, {
      method: "POST",
      path: "/",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `JobId=${JOB}&PageSize=1&PageSize=2`
    })
    expectError(result, 400, "InvalidParameter")
    expect(result.json.Message).toContain('"PageSize"')
  })

  it("with a V3 Authorization header: refused as a duplicate before the signature is looked at", async () => {
    const result = await request(emu, {
      method: "POST",
      path: `/?JobId=${JOB}&JobId=other`,
      headers: {
        authorization: "ACS3-HMAC-SHA256 Credential=emulator-access-key-id,SignedHeaders=host,Signature=00",
        "x-acs-action": "ListOTATaskByJob",
        "x-acs-version": "2018-01-20"
      }
    })
    expectError(result, 400, "InvalidParameter")
    expect(result.json.Message).toContain('"JobId"')
  })
})

describe("invalid UTF-8 anywhere in the parameters", () => {
  it.each([
    ["an overlong '/' in a value", "/?JobId=%C0%AF"],
    ["an overlong NUL in a name", "/?Job%C0%80Id=x"],
    ["a 5-byte sequence in a name", "/?Job%F8%88%80%80%80Id=x"],
    ["a byte that never occurs in UTF-8", "/?JobId=%FF"],
    ["a lone continuation byte", "/?JobId=a%80b"],
    ["a sequence cut off at the end", "/?JobId=%E4%B8"],
    ["a sequence cut off before the next parameter", "/?JobId=%E4%B8&PageSize=1"],
    ["a surrogate pair encoded as two 3-byte sequences (CESU-8)", "/?JobId=%ED%A0%BD%ED%B8%80"],
    ["a code point above U+10FFFF", "/?JobId=%F4%90%80%80"]
  ])("%s: 400 InvalidParameter", async (_, path) => {
    expectError(await request(emu, { path }), 400, "InvalidParameter")
    await expectStillServing()
  })

  it("percent-encoded invalid UTF-8 inside a form body: 400", async () => {
    const result = await request(emu, {
      method: "POST",
      path: "/",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "JobId=%C3%28"
    })
    expectError(result, 400, "InvalidParameter")
  })

  it("raw bytes that are not UTF-8 in a header value: a JSON error, not a crash", async () => {
    const raw = await rawExchange(
      emu,
      Buffer.concat([
        Buffer.from(`GET /?JobId=${JOB} HTTP/1.1\r\nHost: x\r\nx-acs-action: `),
        Buffer.from([0xff, 0xfe, 0xc3]),
        Buffer.from("\r\nConnection: close\r\n\r\n")
      ])
    )
    expect(statusLine(raw)).toMatch(/^HTTP\/1\.1 4\d\d /)
    expect(rawJson(raw).Code).toBeTruthy()
    await expectStillServing()
  })
})

describe("huge numbers of parameters and headers", () => {
  it("2,000 parameters (within the URI limit): a JSON error, and the server keeps up", async () => {
    const path = `/?${Array.from({ length: 2000 }, (_, i) => `p${i}=`).join("&")}`
    expect(path.length).toBeLessThan(16 * 1024)
    const result = await request(emu, { path })
    expect(result.status).toBe(400)
    expect(result.json.Code).toBe("MissingParameter")
    await expectStillServing()
  })

  it("a signed request with 60 device names (the API allows 50): 400 InvalidParameter", async () => {
    const devices = Object.fromEntries(
      Array.from({ length: 60 }, (_, i) => [`DeviceNames.${i + 1}`, `d${i}`])
    )
    const result = await callV2(emu, { JobId: JOB, ...devices })
    expectError(result, 400, "InvalidParameter")
    expect(result.json.Message).toContain("at most 50 device names")
  })

  it("a signed 60 KiB form body (under the 64 KiB limit) is processed normally", async () => {
    const result = await callV2(emu, { JobId: "x".repeat(60 * 1024) }, { method: "POST" })
    expect(result.status).toBe(200)
    expect(result.json.Code).toBe("iot.ota.NotExistedJob")
  })

  it("2,500 headers: a JSON error, and the server keeps up", async () => {
    const headers = Array.from({ length: 2500 }, (_, i) => `x-h${i}: v`).join("\r\n")
    const raw = await rawExchange(
      emu,
      `GET /?JobId=${JOB} HTTP/1.1\r\nHost: x\r\n${headers}\r\nConnection: close\r\n\r\n`
    )
    expect(statusLine(raw)).toMatch(/^HTTP\/1\.1 400 /)
    expect(rawJson(raw).Code).toBe("MissingParameter")
    await expectStillServing()
  })

  it("one 60 KiB header (under the 64 KiB limit): processed, a JSON error for the unsigned call", async () => {
    const result = await request(emu, {
      path: `/?JobId=${JOB}`,
      headers: { "x-padding": "p".repeat(60 * 1024) }
    })
    expectError(result, 400, "MissingParameter")
    await expectStillServing()
  })
})

describe("bodies that break the framing", () => {
  it.each([
    ["a Content-Length that is not a number", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n"],
    ["a negative Content-Length", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n"],
    [
      "two different Content-Lengths",
      "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello"
    ],
    [
      "Content-Length and Transfer-Encoding together (request smuggling)",
      "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
    ],
    [
      "a chunk size that is not hex",
      "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nJobId\r\n0\r\n\r\n"
    ]
  ])("%s: 400 BadRequest with a JSON body, connection closed", async (_, payload) => {
    const raw = await rawExchange(emu, payload)
    expect(statusLine(raw)).toBe("HTTP/1.1 400 Bad Request")
    expect(rawJson(raw).Code).toBe("BadRequest")
    await expectStillServing()
  })

  it("a body shorter than its Content-Length, then the client hangs up: 400, and the server keeps up", async () => {
    const socket = net.connect(emu.port, emu.host)
    const received: Array<Buffer> = []
    socket.on("data", (chunk) => received.push(chunk))
    const closed = new Promise<void>((resolve) => socket.on("close", () => resolve()))
    // `end` half-closes: the server sees the end of the stream 993 bytes early.
    socket.end(
      `POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nJobId=${JOB}`
    )
    await closed
    const raw = Buffer.concat(received).toString("latin1")
    expect(statusLine(raw)).toBe("HTTP/1.1 400 Bad Request")
    expect(rawJson(raw).Code).toBe("BadRequest")
    await expectStillServing()
  })
})

/** A TCP client that sends `prefix` and then nothing; resolves with what the server sent when it closes. */
const stall = (target: Emulator, prefix: string) => {
  const socket = net.connect(target.port, target.host)
  const received: Array<Buffer> = []
  socket.on("data", (chunk) => received.push(chunk))
  socket.on("error", () => undefined)
  const closed = new Promise<string>((resolve) =>
    socket.on("close", () => resolve(Buffer.concat(received).toString("latin1")))
  )
  const connected = new Promise<void>((resolve) =>
    socket.on("connect", () => {
      if (prefix !== "") socket.write(prefix)
      resolve()
    })
  )
  return { socket, closed, connected }
}

const STALL_PREFIXES = ["", "GET /?JobId=", `GET /?JobId=${JOB} HTTP/1.1\r\nHost: x\r\nX-Slow: `]

describe("slow clients", () => {
  // Each assertion waits for the event it is about: the valid calls are served by an emulator whose headers
  // timeout cannot expire during the test, so "still connected" never depends on how busy the machine is.
  it("30 clients stalled at once (silent, mid request line, mid headers) never delay the valid calls", async () => {
    const patient = await startEmulator({
      qps: 0,
      jobs: [{ jobId: JOB, tasks: TOTAL }],
      headersTimeoutMs: 600_000
    })
    try {
      const stalled = Array.from({ length: 30 }, (_, i) =>
        stall(patient, STALL_PREFIXES[i % STALL_PREFIXES.length] ?? "")
      )
      await Promise.all(stalled.map((s) => s.connected))
      const results = await Promise.all(
        Array.from({ length: 40 }, () => callV2(patient, { JobId: JOB, PageSize: "100" }))
      )
      for (const result of results) expectValid(result)
      expect(stalled.every((s) => !s.socket.destroyed)).toBe(true)
      for (const s of stalled) s.socket.destroy()
      await Promise.all(stalled.map((s) => s.closed))
    } finally {
      await patient.close()
    }
  })

  it("each of 30 stalled clients then gets a 408 JSON error and is disconnected; the server keeps serving", async () => {
    const stalled = Array.from({ length: 30 }, (_, i) =>
      stall(emu, STALL_PREFIXES[i % STALL_PREFIXES.length] ?? "")
    )
    const answers = await Promise.all(stalled.map((s) => s.closed))
    for (const raw of answers) {
      expect(statusLine(raw)).toBe("HTTP/1.1 408 Request Timeout")
      expect(rawJson(raw).Code).toBe("RequestTimeout")
    }
    await expectStillServing()
  })

  it("a client stalled in the middle of its body does not delay others", async () => {
    const slow = stall(
      emu,
      "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nJobId="
    )
    await slow.connected
    const results = await Promise.all(Array.from({ length: 10 }, valid))
    for (const result of results) expectValid(result)
    expect(slow.socket.destroyed).toBe(false)
    slow.socket.destroy()
    await slow.closed
    await expectStillServing()
  })
})

describe("a flood of hostile requests mixed with valid ones", () => {
  it("every valid call is answered correctly; every hostile one gets a 4xx JSON error", async () => {
    emu.resetStats()
    const hostile: Array<() => Promise<number>> = [
      () => request(emu, { path: "/?%" }).then((r) => r.status),
      () => request(emu, { path: "/?JobId=%C0%AF" }).then((r) => r.status),
      () => request(emu, { path: "/?JobId=a&JobId=b" }).then((r) => r.status),
      () => request(emu, { path: `/?JobId=${"x".repeat(20 * 1024)}` }).then((r) => r.status),
      () => request(emu, { method: "DELETE", path: "/" }).then((r) => r.status),
      () =>
        request(emu, {
          method: "POST",
          path: "/",
          headers: { "content-type": "application/x-www-form-urlencoded", "content-length": 70 * 1024 },
          body: "J".repeat(70 * 1024)
        }).then(
          (r) => r.status,
          // The server may close before the client finished sending: it refused the body either way.
          () => 413
        ),
      () => rawExchange(emu, "HELLO\r\n\r\n").then((raw) => Number(statusLine(raw).split(" ")[1])),
      () => callV2(emu, { JobId: JOB }, { secret: "wrong" }).then((r) => r.status),
      () => callV2(emu, { JobId: JOB, PageSize: "0" }).then((r) => r.status)
    ]
    const hostileRuns = Array.from({ length: 54 }, (_, i) => hostile[i % hostile.length]!())
    const validRuns = Array.from({ length: 50 }, valid)
    const [hostileStatuses, validResults] = await Promise.all([
      Promise.all(hostileRuns),
      Promise.all(validRuns)
    ])
    for (const result of validResults) expectValid(result)
    for (const status of hostileStatuses) {
      expect(status).toBeGreaterThanOrEqual(400)
      expect(status).toBeLessThan(500)
    }
    const { byCode } = emu.stats()
    expect(byCode.OK).toBe(50)
    expect(byCode.SignatureDoesNotMatch).toBe(6)
    expect(byCode["iot.common.InvalidPageParams"]).toBe(6)
    await expectStillServing()
  })
})
