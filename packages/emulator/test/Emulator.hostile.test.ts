import * as net from "node:net"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type Emulator, startEmulator } from "../src/index.js"
import { callV2, rawExchange, request } from "./helpers/client.js"
import { sdkEncode } from "./helpers/signers.js"

const JOB = "job-hostile"
let emu: Emulator
const logLines: Array<string> = []

beforeAll(async () => {
  emu = await startEmulator({
    qps: 0,
    jobs: [{ jobId: JOB, tasks: 5 }],
    headersTimeoutMs: 300,
    logger: (line) => logLines.push(line)
  })
})
afterAll(() => emu.close())

/** After every hostile request the emulator must still answer a valid one. */
const expectStillServing = async (): Promise<void> => {
  const result = await callV2(emu, { JobId: JOB })
  expect(result.status).toBe(200)
  expect(result.json.Total).toBe(5)
}

const statusLine = (raw: string): string => raw.split("\r\n")[0] ?? ""
const jsonBody = (raw: string): { Code?: string } => JSON.parse(raw.slice(raw.indexOf("\r\n\r\n") + 4))

describe("malformed parameters", () => {
  it.each([
    ["a malformed percent escape", "/?Action=%ZZ&JobId=1"],
    ["a truncated percent escape", "/?Action=ListOTATaskByJob&JobId=%4"],
    ["percent-encoded bytes that are not UTF-8", "/?Action=ListOTATaskByJob&JobId=%C3%28"],
    ["an encoded lone surrogate", "/?JobId=%ED%A0%80"],
    ["a parameter with an empty name", "/?=value&JobId=1"]
  ])("%s: 400 InvalidParameter", async (_, path) => {
    const result = await request(emu, { path })
    expect(result.status).toBe(400)
    expect(result.json.Code).toBe("InvalidParameter")
    await expectStillServing()
  })

  it("raw (not percent-encoded) non-ASCII bytes in the request line: 400", async () => {
    const raw = await rawExchange(
      emu,
      Buffer.concat([
        Buffer.from("GET /?JobId="),
        Buffer.from([0xc3, 0xa9, 0xff]),
        Buffer.from(" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
      ])
    )
    expect(statusLine(raw)).toMatch(/^HTTP\/1\.1 400 /)
    await expectStillServing()
  })

  it("a duplicated parameter: 400 InvalidParameter naming it", async () => {
    const result = await request(emu, { path: `/?JobId=${JOB}&PageSize=1&JobId=other` })
    expect(result.status).toBe(400)
    expect(result.json.Code).toBe("InvalidParameter")
    expect(result.json.Message).toContain('"JobId"')
  })

  it("a parameter both in the query and in the form body: 400 InvalidParameter", async () => {
    const result = await request(emu, {
      method: "POST",
      path: "/?PageSize=1",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "PageSize=2"
    })
    expect(result.status).toBe(400)
    expect(result.json.Message).toContain('"PageSize"')
    await expectStillServing()
  })

  it("a form body that is not UTF-8: 400", async () => {
    const result = await request(emu, {
      method: "POST",
      path: "/",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: Buffer.from([0x4a, 0x6f, 0x62, 0x49, 0x64, 0x3d, 0xff, 0xfe])
    })
    expect(result.status).toBe(400)
    expect(result.json.Code).toBe("InvalidParameter")
  })

  it("a huge but allowed parameter is processed normally (job not found)", async () => {
    const jobId = "j".repeat(8000)
    const result = await callV2(emu, { JobId: jobId })
    expect(result.status).toBe(200)
    expect(result.json.Code).toBe("iot.ota.NotExistedJob")
  })
})

describe("oversized requests", () => {
  it("a request URI over 16 KiB: 414 with a JSON error", async () => {
    const result = await request(emu, { path: `/?JobId=${"x".repeat(20 * 1024)}` })
    expect(result.status).toBe(414)
    expect(result.json.Code).toBe("RequestURITooLong")
    await expectStillServing()
  })

  it("a request line and headers over 64 KiB: 431 with a JSON error, then the connection closes", async () => {
    const raw = await rawExchange(emu, `GET /?JobId=${"x".repeat(100 * 1024)} HTTP/1.1\r\nHost: x\r\n\r\n`)
    expect(statusLine(raw)).toBe("HTTP/1.1 431 Request Header Fields Too Large")
    expect(jsonBody(raw).Code).toBe("RequestHeaderFieldsTooLarge")
    await expectStillServing()
  })

  it("a body over maxBodyBytes (declared length): 413 with a JSON error", async () => {
    const body = `JobId=${"y".repeat(70 * 1024)}`
    const result = await request(emu, {
      method: "POST",
      path: "/",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "content-length": Buffer.byteLength(body)
      },
      body
    })
    expect(result.status).toBe(413)
    expect(result.json.Code).toBe("RequestEntityTooLarge")
    expect(result.headers.connection).toBe("close")
    await expectStillServing()
  })

  it("a chunked body that grows past maxBodyBytes: 413", async () => {
    const chunk = `${(32 * 1024).toString(16)}\r\n${"z".repeat(32 * 1024)}\r\n`
    const raw = await rawExchange(
      emu,
      `POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n${chunk.repeat(3)}0\r\n\r\n`
    )
    expect(statusLine(raw)).toBe("HTTP/1.1 413 Payload Too Large")
    expect(jsonBody(raw).Code).toBe("RequestEntityTooLarge")
    await expectStillServing()
  })
})

describe("protocol abuse", () => {
  it("bytes that are not HTTP: 400 with a JSON error", async () => {
    const raw = await rawExchange(emu, "HELLO THERE\r\n\r\n")
    expect(statusLine(raw)).toMatch(/^HTTP\/1\.1 400 /)
    expect(jsonBody(raw).Code).toBe("BadRequest")
    await expectStillServing()
  })

  it("an unsupported method: 405; a path other than /: 404", async () => {
    const put = await request(emu, { method: "PUT", path: `/?JobId=${JOB}` })
    expect([put.status, put.json.Code]).toEqual([405, "UnsupportedHTTPMethod"])
    const other = await request(emu, { path: "/v1/ota?JobId=1" })
    expect([other.status, other.json.Code]).toEqual([404, "InvalidApi.NotFound"])
  })

  it("a client holding its headers open gets 408 without blocking other clients", async () => {
    const slow = net.connect(emu.port, emu.host)
    const received: Array<Buffer> = []
    slow.on("data", (chunk) => received.push(chunk))
    const closed = new Promise<void>((resolve) => slow.on("close", () => resolve()))
    await new Promise<void>((resolve) => slow.on("connect", () => resolve()))
    slow.write(`GET /?JobId=${JOB} HTTP/1.1\r\nHost: x\r\nX-Slow: `)

    // Served while the slow client is still holding its connection.
    await expectStillServing()
    expect(slow.destroyed).toBe(false)

    await closed
    const raw = Buffer.concat(received).toString("latin1")
    expect(statusLine(raw)).toBe("HTTP/1.1 408 Request Timeout")
    expect(jsonBody(raw).Code).toBe("RequestTimeout")
    await expectStillServing()
  })

  it("many hostile requests in a row never stop the server", async () => {
    const attacks = [
      request(emu, { path: "/?%" }),
      request(emu, { path: "/?a=%E0%A4%A" }),
      request(emu, { path: `/?${"&".repeat(5000)}` }),
      request(emu, { path: `/?${sdkEncode("DeviceNames.1")}=a&DeviceNames.1=b` }),
      rawExchange(emu, "GET / HTTP/9.9\r\n\r\n"),
      rawExchange(emu, "\r\n\r\n\r\n")
    ]
    await Promise.allSettled(attacks)
    await expectStillServing()
  })
})

describe("request log", () => {
  it("has one line per request and never the signature or the secret", () => {
    expect(logLines.length).toBeGreaterThan(10)
    for (const line of logLines) {
      expect(line).not.toContain("Signature=")
      expect(line).not.toContain("emulator-access-key-secret")
    }
  })
})
