/**
 * Jobs past the paging cap (`CurrentPage × PageSize` may not exceed 100,000)
 * through the built `ota`: `tasks list --all -o ndjson` streams a
 * 250,000-task job status by status, each task once; a job where one status
 * alone is past the cap fails with exit code 4 and a message naming it; and
 * `tasks summary` still costs its fixed number of calls on such a job. The
 * emulator's quota and the client's are off: these tests are about
 * completeness, not the quota.
 */
import { spawn } from "node:child_process"
import { createInterface } from "node:readline"
import { type Emulator, startEmulator, TASK_STATUSES } from "@iot-ota/emulator"
import { afterAll, beforeAll, expect, it } from "vitest"
import {
  baseEnv,
  expectExit,
  expectNoSecret,
  makeHome,
  otaBin,
  registerSecret,
  runCli
} from "./helpers/cli.js"

const KEY = { accessKeyId: "large-job-key", accessKeySecret: "large-job-Secret-5a4b3c" }
registerSecret(KEY.accessKeySecret)

const EVEN = "LargeJobEven00000000000001"
const LOPSIDED = "LargeJobLopsided0000000002"
const TOTAL = 250_000

let emu: Emulator
const home = makeHome()
const env = () => ({
  OTA_ENDPOINT: emu.url,
  OTA_ACCESS_KEY_ID: KEY.accessKeyId,
  OTA_ACCESS_KEY_SECRET: KEY.accessKeySecret
})

beforeAll(async () => {
  emu = await startEmulator({
    qps: 0,
    credentials: [KEY],
    jobs: [
      // No status past the cap: ~35,700 tasks each.
      {
        jobId: EVEN,
        tasks: TOTAL,
        statusMix: Object.fromEntries(TASK_STATUSES.map((status) => [status, 1]))
      },
      // The default mix: ~60% SUCCEEDED, ~150,000 tasks.
      { jobId: LOPSIDED, tasks: TOTAL }
    ]
  })
})

afterAll(async () => {
  await emu?.close()
  home.cleanup()
})

/** `ota tasks summary --output json` of a job: its counts per status. */
const summaryOf = async (jobId: string) => {
  const result = await runCli(
    home.dir,
    ["tasks", "summary", "--job", jobId, "--output", "json", "--qps", "0"],
    {
      env: env()
    }
  )
  expectExit(result, 0)
  return JSON.parse(result.stdout) as { total: number; counts: Record<string, number>; other: number }
}

it("tasks summary costs one call per status and one for the total, even past the cap", async () => {
  for (const jobId of [EVEN, LOPSIDED]) {
    emu.resetStats()
    const summary = await summaryOf(jobId)
    expect(summary.total).toBe(TOTAL)
    expect(summary.other).toBe(0)
    expect(Object.values(summary.counts).reduce((a, b) => a + b, 0)).toBe(TOTAL)
    // `other` (tasks in a status newer than the client) is the total less the known counts: hence the 8th call.
    expect(emu.stats()).toMatchObject({ requests: 8, byAction: { ListOTATaskByJob: 8 } })
  }
})

it("tasks list --all -o ndjson streams a 250,000-task job status by status, each task once", {
  timeout: 300_000
}, async () => {
  const { counts } = await summaryOf(EVEN)
  expect(Math.max(...Object.values(counts))).toBeLessThanOrEqual(100_000)

  // Read as it comes, keeping the ids only: the output is ~100 MB of JSON.
  const child = spawn(
    process.execPath,
    [otaBin, "tasks", "list", "--job", EVEN, "--all", "-o", "ndjson", "--qps", "0"],
    {
      env: { ...baseEnv(home.dir), ...env() },
      stdio: ["ignore", "pipe", "pipe"]
    }
  )
  let stderr = ""
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
  const closed = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)))
  const ids = new Set<string>()
  const delivered: Record<string, number> = {}
  const order: Array<string> = []
  let lines = 0
  for await (const line of createInterface({ input: child.stdout, crlfDelay: Number.POSITIVE_INFINITY })) {
    lines++
    const task = JSON.parse(line) as { taskId: string; jobId: string; taskStatus: string }
    if (task.jobId !== EVEN) throw new Error(`a task of job ${task.jobId} was listed`)
    ids.add(task.taskId)
    delivered[task.taskStatus] = (delivered[task.taskStatus] ?? 0) + 1
    if (order.at(-1) !== task.taskStatus) order.push(task.taskStatus)
  }
  const code = await closed
  expectNoSecret({ code, signal: null, stdout: "", stderr })
  expect({ code, stderr }).toEqual({ code: 0, stderr: "" })
  expect(lines).toBe(TOTAL)
  expect(ids.size).toBe(TOTAL)
  expect(delivered).toEqual(counts)
  expect(order).toEqual(TASK_STATUSES.filter((status) => counts[status]! > 0))
})

it("tasks list --all fails with exit code 4 when one status alone is past the cap, naming it, and prints no task", async () => {
  const { counts } = await summaryOf(LOPSIDED)
  expect(counts.SUCCEEDED).toBeGreaterThan(100_000)
  emu.resetStats()
  const result = await runCli(
    home.dir,
    ["tasks", "list", "--job", LOPSIDED, "--all", "-o", "ndjson", "--qps", "0"],
    {
      env: env()
    }
  )
  expectExit(result, 4)
  expect(result.stdout).toBe("")
  expect(result.stderr).toContain(
    `ota: PaginationError: ListOTATaskByJob: this listing has ${TOTAL} items, ${counts.SUCCEEDED} of them with --status SUCCEEDED: more than the 100000 the server pages through in one listing; 0 of ${TOTAL} items delivered`
  )
  // The unfiltered first page and each status's total; nothing listed.
  expect(emu.stats().byAction).toEqual({ ListOTATaskByJob: 1 + TASK_STATUSES.length })
})
