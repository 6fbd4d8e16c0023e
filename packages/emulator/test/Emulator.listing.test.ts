import { readFileSync } from "node:fs"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  DEFAULT_JOB_ID,
  DEFAULT_TASK_COUNT,
  type Emulator,
  startEmulator,
  TASK_STATUSES,
  type TaskRecord
} from "../src/index.js"
import { API_ERROR_KEYS, callV2, type HttpResult, UUID } from "./helpers/client.js"

const JOB = "job-paging"
const TOTAL = 237
const EXPLICIT = "job-explicit"

let emu: Emulator

beforeAll(async () => {
  emu = await startEmulator({
    qps: 0,
    seed: 42,
    jobs: [
      { jobId: JOB, tasks: TOTAL },
      {
        jobId: EXPLICIT,
        tasks: [
          {
            DeviceName: "alpha",
            TaskStatus: "FAILED",
            TaskDesc: "brown-out during flash",
            Progress: "63.00"
          },
          { DeviceName: "beta", TaskStatus: "SUCCEEDED" },
          { DeviceName: "gamma", TaskStatus: "UPGRADING_SOMETHING_NEW" }
        ]
      }
    ]
  })
})
afterAll(() => emu.close())

type Page = { tasks: Array<TaskRecord>; json: Record<string, unknown> }

const page = async (api: Record<string, string>, target: Emulator = emu): Promise<Page> => {
  const result = await callV2(target, api)
  expect(result.status, result.text).toBe(200)
  return { tasks: result.json.Data.SimpleOTATaskInfo, json: result.json }
}

const expectApiError = (result: HttpResult, status: number, code: string): void => {
  expect({ status: result.status, code: result.json?.Code }).toEqual({ status, code })
  expect(Object.keys(result.json)).toEqual(API_ERROR_KEYS)
  expect(result.json.Success).toBe(false)
  expect(result.json.RequestId).toMatch(UUID)
}

describe("paging arithmetic", () => {
  it("defaults to PageSize 10, CurrentPage 1, with Total and PageCount", async () => {
    const { tasks, json } = await page({ JobId: JOB })
    expect(json).toMatchObject({ Success: true, Total: TOTAL, PageSize: 10, PageCount: 24, CurrentPage: 1 })
    expect(json.RequestId).toMatch(UUID)
    expect(tasks).toHaveLength(10)
  })

  it("the pages of 100 cover every task once, in order; the last page is partial", async () => {
    const pages = await Promise.all(
      [1, 2, 3].map((n) => page({ JobId: JOB, PageSize: "100", CurrentPage: String(n) }))
    )
    expect(pages.map((p) => p.tasks.length)).toEqual([100, 100, 37])
    expect(pages.map((p) => p.json.PageCount)).toEqual([3, 3, 3])
    const listed = pages.flatMap((p) => p.tasks.map((t) => t.TaskId))
    expect(listed).toEqual(emu.tasks(JOB).map((t) => t.TaskId))
    expect(new Set(listed).size).toBe(TOTAL)
  })

  it("a page past the end is an empty list with the right Total", async () => {
    const { tasks, json } = await page({ JobId: JOB, PageSize: "100", CurrentPage: "4" })
    expect(tasks).toEqual([])
    expect(json).toMatchObject({ Total: TOTAL, PageCount: 3, CurrentPage: 4, PageSize: 100 })
  })

  it("CurrentPage x PageSize = 100000 is allowed", async () => {
    const { tasks, json } = await page({ JobId: JOB, PageSize: "100", CurrentPage: "1000" })
    expect(tasks).toEqual([])
    expect(json.Total).toBe(TOTAL)
  })

  it.each([
    ["PageSize 0", { PageSize: "0" }],
    ["PageSize 101", { PageSize: "101" }],
    ["PageSize not a number", { PageSize: "ten" }],
    ["PageSize negative", { PageSize: "-5" }],
    ["CurrentPage 0", { CurrentPage: "0" }],
    ["CurrentPage x PageSize > 100000", { CurrentPage: "1001", PageSize: "100" }]
  ])("%s: 400 iot.common.InvalidPageParams", async (_, params) => {
    expectApiError(await callV2(emu, { JobId: JOB, ...params }), 400, "iot.common.InvalidPageParams")
  })

  it("an unknown JobId: HTTP 200 with Success false and iot.ota.NotExistedJob", async () => {
    const result = await callV2(emu, { JobId: "no-such-job" })
    expectApiError(result, 200, "iot.ota.NotExistedJob")
    expect(result.json.ErrorMessage).toContain("no-such-job")
  })
})

describe("filters", () => {
  it.each(TASK_STATUSES)("TaskStatus=%s returns exactly the tasks in that status", async (status) => {
    const expected = emu.tasks(JOB).filter((t) => t.TaskStatus === status)
    const { tasks, json } = await page({ JobId: JOB, TaskStatus: status, PageSize: "100" })
    expect(json.Total).toBe(expected.length)
    expect(tasks.map((t) => t.TaskId)).toEqual(expected.slice(0, 100).map((t) => t.TaskId))
  })

  it("an unknown TaskStatus: 400 InvalidParameter", async () => {
    const result = await callV2(emu, { JobId: JOB, TaskStatus: "DONE" })
    expect(result.status).toBe(400)
    expect(result.json.Code).toBe("InvalidParameter")
    expect(result.json.Message).toContain("TaskStatus")
  })

  it("DeviceNames.N returns those devices' tasks in job order and wins over paging", async () => {
    const all = emu.tasks(JOB)
    const wanted = [all[200], all[3], all[150]].map((t) => t?.DeviceName ?? "")
    const { tasks, json } = await page({
      JobId: JOB,
      "DeviceNames.1": wanted[0] ?? "",
      "DeviceNames.2": wanted[1] ?? "",
      "DeviceNames.3": wanted[2] ?? "",
      "DeviceNames.4": "not-a-device",
      CurrentPage: "7",
      PageSize: "2"
    })
    expect(tasks.map((t) => t.DeviceName)).toEqual([all[3], all[150], all[200]].map((t) => t?.DeviceName))
    expect(json).toMatchObject({ Total: 3, CurrentPage: 1, PageCount: 1 })
    expect(json.PageSize).toBeGreaterThanOrEqual(3)
  })

  it("DeviceNames.N combines with TaskStatus", async () => {
    const all = emu.tasks(JOB)
    const failed = all.find((t) => t.TaskStatus === "FAILED")
    const succeeded = all.find((t) => t.TaskStatus === "SUCCEEDED")
    const { tasks } = await page({
      JobId: JOB,
      TaskStatus: "FAILED",
      "DeviceNames.1": failed?.DeviceName ?? "",
      "DeviceNames.2": succeeded?.DeviceName ?? ""
    })
    expect(tasks.map((t) => t.DeviceName)).toEqual([failed?.DeviceName])
  })

  it("device names with characters that need encoding (@ : .) are found", async () => {
    const odd = emu.tasks(JOB).filter((t) => /[@:]/.test(t.DeviceName))
    expect(odd.length).toBeGreaterThan(0)
    const { tasks } = await page({ JobId: JOB, "DeviceNames.1": odd[0]?.DeviceName ?? "" })
    expect(tasks.map((t) => t.TaskId)).toEqual([odd[0]?.TaskId])
  })

  it("51 device names: 400 InvalidParameter; 50 are fine", async () => {
    const names = (n: number) =>
      Object.fromEntries(Array.from({ length: n }, (_, i) => [`DeviceNames.${i + 1}`, `d${i}`]))
    const tooMany = await callV2(emu, { JobId: JOB, ...names(51) })
    expect(tooMany.status).toBe(400)
    expect(tooMany.json.Code).toBe("InvalidParameter")
    expect(tooMany.json.Message).toContain("50")
    expect((await callV2(emu, { JobId: JOB, ...names(50) })).json.Total).toBe(0)
  })

  it("a malformed DeviceNames key: 400 InvalidParameter", async () => {
    const result = await callV2(emu, { JobId: JOB, DeviceNames: "a,b" })
    expect(result.status).toBe(400)
    expect(result.json.Code).toBe("InvalidParameter")
  })
})

describe("casings", () => {
  const example = JSON.parse(
    readFileSync(new URL("./fixtures/ListOTATaskByJob.tuya-example.json", import.meta.url), "utf8")
  )
  const exampleTask = example.data.simpleOTATaskInfo[0]
  const typeOf = (value: unknown) => (Array.isArray(value) ? "array" : typeof value)

  it("alibaba: the documented PascalCase envelope and task fields", async () => {
    const { json, tasks } = await page({ JobId: JOB, PageSize: "100" })
    expect(Object.keys(json)).toEqual([
      "RequestId",
      "Success",
      "Total",
      "PageSize",
      "PageCount",
      "CurrentPage",
      "Data"
    ])
    for (const task of tasks) {
      for (const key of [
        "TaskId",
        "JobId",
        "FirmwareId",
        "ProductKey",
        "ProductName",
        "DeviceName",
        "IotId"
      ]) {
        expect(typeof task[key as keyof TaskRecord]).toBe("string")
      }
      expect(task.Progress).toMatch(/^\d{1,3}\.00$/)
      expect(task.UtcCreate).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/)
    }
  })

  it("tuya: the spec example's camelCase shape, key for key", async () => {
    const tuya = await startEmulator({ qps: 0, casing: "tuya", jobs: [{ jobId: JOB, tasks: 100 }] })
    try {
      const result = await callV2(tuya, { JobId: JOB, TaskStatus: "FAILED" })
      const json = result.json
      expect(Object.keys(json).sort()).toEqual(Object.keys(example).sort())
      for (const key of Object.keys(example)) expect(typeOf(json[key]), key).toBe(typeOf(example[key]))
      expect(json.code).toBe("")
      expect(json.success).toBe(true)
      const task = json.data.simpleOTATaskInfo[0]
      for (const key of Object.keys(exampleTask)) {
        if (key === "timeout" && task.timeout === undefined) continue
        expect(typeOf(task[key]), key).toBe(typeOf(exampleTask[key]))
      }
      const extra = Object.keys(task).filter((key) => !(key in exampleTask))
      expect(extra.sort()).toEqual(["productName", "progress"])
      expect(task.taskStatus).toBe("FAILED")
      expect(task.taskDesc).toEqual(expect.any(String))
    } finally {
      await tuya.close()
    }
  })
})

describe("GET and POST", () => {
  it("list the same page", async () => {
    const get = await callV2(emu, { JobId: JOB, CurrentPage: "3" })
    const post = await callV2(emu, { JobId: JOB, CurrentPage: "3" }, { method: "POST" })
    expect(post.json.Data).toEqual(get.json.Data)
  })
})

describe("generated data", () => {
  it("is identical for the same seed and options, and differs for another seed", async () => {
    const twin = await startEmulator({ qps: 0, seed: 42, jobs: [{ jobId: JOB, tasks: TOTAL }] })
    const other = await startEmulator({ qps: 0, seed: 43, jobs: [{ jobId: JOB, tasks: TOTAL }] })
    try {
      expect(twin.tasks(JOB)).toEqual(emu.tasks(JOB))
      expect((await page({ JobId: JOB, CurrentPage: "5" }, twin)).tasks).toEqual(
        (await page({ JobId: JOB, CurrentPage: "5" })).tasks
      )
      expect(other.tasks(JOB).map((t) => t.TaskId)).not.toEqual(emu.tasks(JOB).map((t) => t.TaskId))
    } finally {
      await Promise.all([twin.close(), other.close()])
    }
  })

  it("looks like a real rollout: a status mix, meaningful Progress, TaskDesc on failures", async () => {
    const big = await startEmulator({ qps: 0, seed: 5, jobs: [{ jobId: "big", tasks: 3000 }] })
    try {
      const tasks = big.tasks("big")
      const count = (status: string) => tasks.filter((t) => t.TaskStatus === status).length
      for (const status of TASK_STATUSES) expect(count(status), status).toBeGreaterThan(0)
      expect(count("SUCCEEDED")).toBeGreaterThan(tasks.length / 2)
      for (const task of tasks) {
        const progress = Number(task.Progress)
        if (task.TaskStatus === "IN_PROGRESS") expect(progress).toBeGreaterThan(0)
        if (task.TaskStatus === "IN_PROGRESS") expect(progress).toBeLessThan(100)
        if (task.TaskStatus === "SUCCEEDED") expect(task.Progress).toBe("100.00")
        if (task.TaskStatus === "FAILED" || task.TaskStatus === "CANCELED") expect(task.TaskDesc).toBeTruthy()
        if (task.TaskStatus === "SUCCEEDED") expect(task.TaskDesc).toBeUndefined()
        expect(Date.parse(task.UtcModified)).toBeGreaterThanOrEqual(Date.parse(task.UtcCreate))
        expect(task.JobId).toBe("big")
      }
      expect(new Set(tasks.map((t) => t.DeviceName)).size).toBe(tasks.length)
      expect(new Set(tasks.map((t) => t.TaskId)).size).toBe(tasks.length)
      expect(
        tasks.some((t) => t.TaskDesc === "Device upgrade timeout") || tasks[0]?.Timeout === undefined
      ).toBe(true)
    } finally {
      await big.close()
    }
  })

  it("explicit tasks keep the given fields, the rest is generated", async () => {
    const tasks = emu.tasks(EXPLICIT)
    expect(tasks.map((t) => [t.DeviceName, t.TaskStatus])).toEqual([
      ["alpha", "FAILED"],
      ["beta", "SUCCEEDED"],
      ["gamma", "UPGRADING_SOMETHING_NEW"]
    ])
    expect(tasks[0]).toMatchObject({ TaskDesc: "brown-out during flash", Progress: "63.00", JobId: EXPLICIT })
    expect(tasks[1]?.Progress).toBe("100.00")
    expect(tasks[1]?.TaskDesc).toBeUndefined()
    const { tasks: listed } = await page({ JobId: EXPLICIT })
    expect(listed).toEqual(tasks)
  })

  it("with no jobs option serves the documented default job", async () => {
    const plain = await startEmulator({ qps: 0 })
    try {
      expect(plain.jobs).toEqual([
        {
          jobId: DEFAULT_JOB_ID,
          total: DEFAULT_TASK_COUNT,
          firmwareId: plain.firmware[0]?.FirmwareId,
          productKey: plain.products[0]?.productKey
        }
      ])
      expect((await page({ JobId: DEFAULT_JOB_ID }, plain)).json.Total).toBe(DEFAULT_TASK_COUNT)
    } finally {
      await plain.close()
    }
  })
})
