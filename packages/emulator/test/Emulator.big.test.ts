/**
 * A job of 250,000 tasks: it starts without generating its tasks, and is listed completely page by page, status
 * by status (each status stays under the documented 100,000 paging cap), every task once, with the heap
 * bounded by the emulator's page cache rather than the job's size. No timing assertions.
 */
import * as http from "node:http"
import { setFlagsFromString } from "node:v8"
import { runInNewContext } from "node:vm"
import { afterAll, beforeAll, expect, it } from "vitest"
import { type Emulator, startEmulator, TASK_STATUSES, type TaskStatus } from "../src/index.js"
import { callV2, commonV2 } from "./helpers/client.js"
import { sdkEncode, v2Sign } from "./helpers/signers.js"

setFlagsFromString("--expose-gc")
const gc = runInNewContext("gc") as () => void
const heap = (): number => {
  gc()
  gc()
  return process.memoryUsage().heapUsed
}

const JOB = "huge-job"
const TOTAL = 250_000
const EVEN = Object.fromEntries(TASK_STATUSES.map((status) => [status, 1])) as Record<TaskStatus, number>

let emu: Emulator
let heapBeforeStart: number
let heapAfterStart: number
const agent = new http.Agent({ keepAlive: true, maxSockets: 8 })

beforeAll(async () => {
  heapBeforeStart = heap()
  emu = await startEmulator({ qps: 0, jobs: [{ jobId: JOB, tasks: TOTAL, statusMix: EVEN }] })
  heapAfterStart = heap()
})
afterAll(async () => {
  agent.destroy()
  await emu.close()
})

/** A signed GET for one page over a keep-alive connection; resolves with the page's task ids and Total. */
const page = (status: string, currentPage: number): Promise<{ ids: Array<string>; total: number }> => {
  const params: Record<string, string> = {
    ...commonV2(),
    JobId: JOB,
    TaskStatus: status,
    PageSize: "100",
    CurrentPage: String(currentPage)
  }
  params.Signature = v2Sign("GET", params, "emulator-access-key-secret")
  const query = Object.entries(params)
    .map(([name, value]) => `${sdkEncode(name)}=${sdkEncode(value)}`)
    .join("&")
  return new Promise((resolve, reject) => {
    http
      .get({ host: emu.host, port: emu.port, path: `/?${query}`, agent }, (res) => {
        const chunks: Array<Buffer> = []
        res.on("data", (chunk: Buffer) => chunks.push(chunk))
        res.on("end", () => {
          const json = JSON.parse(Buffer.concat(chunks).toString("utf8"))
          if (res.statusCode !== 200) return reject(new Error(`${res.statusCode} ${json.Code}`))
          resolve({
            ids: json.Data.SimpleOTATaskInfo.map((task: { TaskId: string }) => task.TaskId),
            total: json.Total
          })
        })
        res.on("error", reject)
      })
      .on("error", reject)
  })
}

it("starts without generating its tasks", () => {
  expect(emu.jobs[0]?.total).toBe(TOTAL)
  expect(heapAfterStart - heapBeforeStart).toBeLessThan(16 * 1024 * 1024)
})

// 2,500 signed requests and 250,000 generated tasks: a few seconds of CPU, so a loaded machine needs the margin.
it("is listed completely through paging by status, each task exactly once", {
  timeout: 300_000
}, async () => {
  const seen = new Set<string>()
  let sum = 0
  for (const status of TASK_STATUSES) {
    const first = await page(status, 1)
    expect(first.total).toBeLessThanOrEqual(100_000)
    sum += first.total
    for (const id of first.ids) seen.add(id)
    const pages = Math.ceil(first.total / 100)
    for (let from = 2; from <= pages; from += 8) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(8, pages - from + 1) }, (_, k) => page(status, from + k))
      )
      for (const { ids, total } of batch) {
        expect(total).toBe(first.total)
        for (const id of ids) seen.add(id)
      }
    }
  }
  expect(sum).toBe(TOTAL)
  expect(seen.size).toBe(TOTAL)
  // The emulator keeps a bounded page cache; the ids collected above are most of this.
  expect(heap() - heapAfterStart).toBeLessThan(128 * 1024 * 1024)
})

it("plain paging stops at the documented cap: CurrentPage x PageSize over 100000 is refused", async () => {
  const last = await callV2(emu, { JobId: JOB, PageSize: "100", CurrentPage: "1000" })
  expect(last.json.Data.SimpleOTATaskInfo).toHaveLength(100)
  const past = await callV2(emu, { JobId: JOB, PageSize: "100", CurrentPage: "1001" })
  expect(past.json.Code).toBe("iot.common.InvalidPageParams")
})
