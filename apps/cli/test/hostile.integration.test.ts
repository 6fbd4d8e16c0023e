/**
 * Server text that reaches the terminal: a hostile server (node:http on
 * 127.0.0.1) answers escape sequences, carriage returns and a 12 MB error
 * message. `ota` prints every server string without control characters and
 * cut to a bounded length: error messages, request ids and task fields.
 */
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type CliResult, expectExit, makeHome, runCli } from "./helpers/cli.js"

const CLEAR = "\u001b[2J"
const TITLE = "\u001b]0;pwned\u0007"
const HOSTILE = `${CLEAR}${TITLE}\u001b[31mred\r\nnext line\u009b1;1H`

/** What the server answers next. */
let answer: () => { status: number; body: string } = () => ({ status: 500, body: "" })
let server: Server
let url = ""
const home = makeHome()

beforeAll(async () => {
  server = createServer((request, response) => {
    request.resume()
    const { status, body } = answer()
    response.writeHead(status, { "content-type": "application/json" })
    response.end(body)
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
  home.cleanup()
})

const ota = (...args: Array<string>): Promise<CliResult> =>
  runCli(home.dir, ["tasks", ...args, "--retries", "0", "--qps", "0"], {
    env: { OTA_ENDPOINT: url, OTA_ACCESS_KEY_ID: "hostile-id", OTA_ACCESS_KEY_SECRET: "hostile-secret" },
    timeoutMs: 60_000
  })

/** No escape character, no CR, no other C0/C1 control but the line breaks `ota` writes itself. */
const expectClean = (text: string): void => {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/)
}

describe("a hostile server's text", () => {
  it("error code, message and request id: escape sequences removed, control characters blanked", async () => {
    answer = () => ({
      status: 200,
      body: JSON.stringify({
        RequestId: `REQ${HOSTILE}`,
        Success: false,
        Code: "iot.ota.Hostile",
        ErrorMessage: HOSTILE
      })
    })
    const result = await ota("list", "--job", "job-1")
    expectExit(result, 4)
    expectClean(result.stderr)
    expect(result.stderr).toBe("ota: iot.ota.Hostile: red next line (request id REQred next line)\n")
  })

  it("a 12 MB error message is cut to a few hundred characters with an ellipsis", async () => {
    const message = `${CLEAR}${"A".repeat(12 * 1024 * 1024)}`
    const body = JSON.stringify({
      RequestId: "REQ-1",
      Success: false,
      Code: "iot.ota.Hostile",
      ErrorMessage: message
    })
    answer = () => ({ status: 200, body })
    const result = await ota("summary", "--job", "job-1")
    expectClean(result.stderr)
    expect(result.stderr.length).toBeLessThan(1000)
    // An API error (4) when the body is read, a typed failure (5) if the client refuses a body this large.
    expect([4, 5]).toContain(result.code)
    if (result.code === 4)
      expect(result.stderr).toBe(`ota: iot.ota.Hostile: ${"A".repeat(500)}… (request id REQ-1)\n`)
  })

  it("task fields in a table: cleaned and capped; the data formats keep them exact", async () => {
    const desc = `${HOSTILE}${"d".repeat(5000)}`
    const task = {
      TaskId: "T1",
      JobId: "job-1",
      IotId: "iot-1",
      DeviceName: `dev${CLEAR}ice`,
      ProductKey: "pk",
      ProductName: "product",
      FirmwareId: "fw",
      SrcVersion: "1.0",
      DestVersion: "2.0",
      TaskStatus: "FAILED",
      TaskDesc: desc,
      Progress: "10.00",
      UtcCreate: "2024-05-01T10:00:00.000Z",
      UtcModified: "2024-05-01T10:03:12.000Z"
    }
    answer = () => ({
      status: 200,
      body: JSON.stringify({
        RequestId: "REQ-2",
        Success: true,
        Total: 1,
        PageSize: 10,
        PageCount: 1,
        CurrentPage: 1,
        Data: { SimpleOTATaskInfo: [task] }
      })
    })
    const table = await ota("list", "--job", "job-1")
    expectExit(table, 0)
    expectClean(table.stdout)
    const row = table.stdout.split("\n")[1]!
    expect(row).toMatch(/^device +FAILED +10% +1\.0 → 2\.0 +2024-05-01 10:03:12 +red next lined+…$/)
    expect(row.length).toBeLessThan(600)
    const json = await ota("list", "--job", "job-1", "-o", "json")
    expectExit(json, 0)
    expect(JSON.parse(json.stdout)[0]).toMatchObject({ deviceName: task.DeviceName, taskDesc: desc })
  })
})
