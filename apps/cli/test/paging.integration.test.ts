/**
 * `ota tasks list --all` against servers that break the paging contract or
 * send too much (node:http on 127.0.0.1): the command never exits 0 with
 * tasks missing or repeated. It prints the tasks delivered, then fails with
 * the typed error saying what the server did (exit 4).
 */
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type CliResult, expectExit, makeHome, runCli } from "./helpers/cli.js"

const TOTAL = 500

const task = (i: number) => ({
  TaskId: `task-${String(i).padStart(4, "0")}`,
  JobId: "job-h",
  IotId: `iot-${i}`,
  DeviceName: `dev-${i}`,
  ProductKey: "pk",
  FirmwareId: "fw",
  DestVersion: "2.0.0",
  TaskStatus: "SUCCEEDED"
})

const page = (current: number, size: number) => ({
  RequestId: `req-${current}`,
  Success: true,
  Total: TOTAL,
  PageSize: size,
  CurrentPage: current,
  Data: {
    SimpleOTATaskInfo: Array.from(
      { length: Math.max(0, Math.min(size, TOTAL - (current - 1) * size)) },
      (_, i) => task((current - 1) * size + i)
    )
  }
})

/** How the server answers page `current` of `size`. */
let serve: (current: number, size: number) => unknown = page
let server: Server
let url = ""
const home = makeHome()

beforeAll(async () => {
  server = createServer((request, response) => {
    request.resume()
    const query = new URL(request.url ?? "/", "http://127.0.0.1").searchParams
    const body = serve(Number(query.get("CurrentPage")), Number(query.get("PageSize")))
    response.writeHead(200, { "content-type": "application/json" })
    if (typeof body === "string") response.end(body)
    else response.end(JSON.stringify(body))
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
  home.cleanup()
})

const listAll = (): Promise<CliResult> =>
  runCli(
    home.dir,
    ["tasks", "list", "--job", "job-h", "--all", "-o", "ndjson", "--retries", "0", "--qps", "0"],
    {
      env: { OTA_ENDPOINT: url, OTA_ACCESS_KEY_ID: "hostile-id", OTA_ACCESS_KEY_SECRET: "hostile-secret" },
      timeoutMs: 60_000
    }
  )

const ids = (result: CliResult): Array<string> =>
  result.stdout
    .trim()
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => (JSON.parse(line) as { taskId: string }).taskId)

describe("ota tasks list --all against a server that breaks the paging contract", () => {
  it("a server that caps the page size at 50: every task once, exit 0", async () => {
    serve = (current, size) => page(current, Math.min(size, 50))
    const result = await listAll()
    expectExit(result, 0)
    const got = ids(result)
    expect(got).toHaveLength(TOTAL)
    expect(new Set(got).size).toBe(TOTAL)
  })

  it("an empty page 3: the first 200 tasks, then exit 4 naming a short page", async () => {
    serve = (current, size) =>
      current === 3 ? { ...page(current, size), Data: { SimpleOTATaskInfo: [] } } : page(current, size)
    const result = await listAll()
    expectExit(result, 4)
    expect(ids(result)).toHaveLength(200)
    expect(result.stderr).toMatch(/PaginationError/)
    expect(result.stderr).toMatch(/page 3 held 0 of 100 items/)
    expect(result.stderr).toMatch(/200 of 500 items delivered/)
  })

  it("every page answered as page 1: exit 4 naming the page mismatch, no task twice", async () => {
    serve = (_current, size) => ({ ...page(1, size), Total: 2000 })
    const result = await listAll()
    expectExit(result, 4)
    const got = ids(result)
    expect(new Set(got).size).toBe(got.length)
    expect(result.stderr).toMatch(/page 2 was asked, page 1 came/)
  })

  it("a body larger than the response limit: the transfer is stopped, exit 4, no string of it printed", async () => {
    serve = () => `{"Total":${TOTAL},"Data":"${"x".repeat(17 * 1024 * 1024)}"}`
    const result = await listAll()
    expectExit(result, 4)
    expect(result.stderr).toMatch(/exceeded 16777216 bytes/)
    expect(result.stderr.length).toBeLessThan(2_000)
  })
})
