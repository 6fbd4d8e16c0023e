/**
 * Jobs past the paging cap (`CurrentPage × PageSize` may not exceed 100,000):
 * `paginateOTATaskByJob` lists a 250,000-task job status by status, every
 * task once, and fails before listing anything when one status alone is past
 * the cap, naming it. The emulator's quota is off: these tests are about
 * completeness, and list from a job whose tasks are generated as pages are
 * asked for.
 */
import { type Emulator, startEmulator } from "@iot-ota/emulator"
import { afterAll, beforeAll, expect, it } from "vitest"
import { OtaClient, PaginationError, TASK_STATUSES } from "../src/index.js"

const EVEN = "even-job"
const LOPSIDED = "lopsided-job"
const TOTAL = 250_000

let emu: Emulator
let client: OtaClient

beforeAll(async () => {
  emu = await startEmulator({
    qps: 0,
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
  client = new OtaClient({
    endpoint: emu.url,
    ...emu.credentials[0]!,
    qps: 0,
    env: {},
    profileFile: "/nonexistent"
  })
})
afterAll(async () => {
  await client.close()
  await emu.close()
})

/** Each status's count, from the `Total` of a one-item query filtered by it. */
const countsOf = async (jobId: string): Promise<Record<string, number>> =>
  Object.fromEntries(
    await Promise.all(
      TASK_STATUSES.map(
        async (taskStatus) =>
          [taskStatus, (await client.listOTATaskByJob({ jobId, taskStatus, pageSize: 1 })).total] as const
      )
    )
  )

it("a job of 250,000 tasks is listed completely, status by status in the documented order, each task once", {
  timeout: 300_000
}, async () => {
  const counts = await countsOf(EVEN)
  expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(TOTAL)
  expect(Math.max(...Object.values(counts))).toBeLessThanOrEqual(100_000)

  emu.resetStats()
  // Ids only (one string each): the tasks themselves are dropped as they come.
  const ids = new Set<string>()
  const delivered: Record<string, number> = {}
  const order: Array<string> = []
  let tasks = 0
  for await (const task of client.paginateOTATaskByJob({ jobId: EVEN })) {
    tasks++
    ids.add(task.taskId)
    if (task.jobId !== EVEN) throw new Error(`a task of job ${task.jobId} was listed`)
    delivered[task.taskStatus] = (delivered[task.taskStatus] ?? 0) + 1
    if (order.at(-1) !== task.taskStatus) order.push(task.taskStatus)
  }
  expect(tasks).toBe(TOTAL)
  expect(ids.size).toBe(TOTAL)
  expect(delivered).toEqual(counts)
  // One run per status, in TASK_STATUSES order.
  expect(order).toEqual(TASK_STATUSES.filter((status) => counts[status]! > 0))
  // The first page, each status's first page (its total), then the rest of each status's pages.
  const pages = Object.values(counts).reduce((sum, n) => sum + Math.max(1, Math.ceil(n / 100)), 0)
  expect(emu.stats().byAction).toEqual({ ListOTATaskByJob: 1 + pages })
})

it("a job where one status alone is past the cap fails with a PaginationError naming it, having listed nothing; the other statuses list with a filter", {
  timeout: 120_000
}, async () => {
  const counts = await countsOf(LOPSIDED)
  expect(counts.SUCCEEDED).toBeGreaterThan(100_000)

  emu.resetStats()
  const listed: Array<string> = []
  const error = await (async () => {
    try {
      for await (const task of client.paginateOTATaskByJob({ jobId: LOPSIDED })) listed.push(task.taskId)
    } catch (caught) {
      return caught
    }
    throw new Error("the listing ended without an error")
  })()
  expect(error).toBeInstanceOf(PaginationError)
  expect(error).toMatchObject({ _tag: "PaginationError", reason: "TooLarge", delivered: 0, total: TOTAL })
  expect((error as PaginationError).message).toContain(
    `${counts.SUCCEEDED} of them with taskStatus SUCCEEDED`
  )
  expect(listed).toEqual([])
  // The unfiltered first page and one first page per status: the totals, read before anything is delivered.
  expect(emu.stats().byAction).toEqual({ ListOTATaskByJob: 1 + TASK_STATUSES.length })

  const canceled = new Set<string>()
  for await (const task of client.paginateOTATaskByJob({ jobId: LOPSIDED, taskStatus: "CANCELED" }))
    canceled.add(task.taskId)
  expect(canceled.size).toBe(counts.CANCELED)
})
