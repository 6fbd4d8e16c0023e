/**
 * The six OTA read operations besides ListOTATaskByJob, through hand-signed V2 GETs: parameters, validation,
 * paging limits, not-found answers, both casings, and one dataset that every answer agrees with.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  type Emulator,
  type FirmwareRecord,
  IOT_ACTIONS,
  type JobRecord,
  SUPPORTED_ACTIONS,
  startEmulator,
  type TaskRecord
} from "../src/index.js"
import { API_ERROR_KEYS, callV2, type HttpResult, UUID } from "./helpers/client.js"

const LAMP = "a1LampPro01"
const UNFINISHED = ["CONFIRM", "QUEUED", "NOTIFIED", "IN_PROGRESS"]

let emu: Emulator

beforeAll(async () => {
  emu = await startEmulator({
    qps: 0,
    seed: 5,
    products: [{ productKey: LAMP, productName: "Lamp Pro" }],
    firmware: [
      { firmwareId: "fw-lamp-1", productKey: LAMP, destVersion: "1.1.0", name: "lamp-1.1.0" },
      {
        firmwareId: "fw-lamp-2",
        productKey: LAMP,
        srcVersion: "1.1.0",
        destVersion: "1.2.0",
        moduleName: "mcu"
      },
      { firmwareId: "fw-idle" }
    ],
    jobs: [
      { jobId: "lamp-wave-1", tasks: 40, firmwareId: "fw-lamp-1", statusMix: { SUCCEEDED: 9, FAILED: 1 } },
      { jobId: "lamp-wave-2", tasks: 300, firmwareId: "fw-lamp-1" },
      { jobId: "lamp-diff", tasks: 120, firmwareId: "fw-lamp-2" },
      { jobId: "solo", tasks: 25 },
      {
        jobId: "explicit",
        firmwareId: "fw-lamp-2",
        tasks: [{ DeviceName: "custom-lamp", TaskStatus: "QUEUED" }, { TaskStatus: "IN_PROGRESS" }]
      }
    ]
  })
})
afterAll(() => emu.close())

const call = async (action: string, params: Record<string, string>, target: Emulator = emu) => {
  const result = await callV2(target, params, { action })
  return result
}

const ok = async (action: string, params: Record<string, string>, target: Emulator = emu) => {
  const result = await call(action, params, target)
  expect(result.status, result.text).toBe(200)
  expect(result.json.Success ?? result.json.success).toBe(true)
  return result.json
}

const expectApiError = (result: HttpResult, status: number, code: string): void => {
  expect({ status: result.status, code: result.json?.Code }).toEqual({ status, code })
  expect(Object.keys(result.json)).toEqual(API_ERROR_KEYS)
  expect(result.json.Success).toBe(false)
  expect(result.json.RequestId).toMatch(UUID)
}

/** Every item of a paged listing, page by page. */
// biome-ignore lint/suspicious/noExplicitAny: response bodies are inspected dynamically in assertions
const listAll = async <A = any>(
  action: string,
  params: Record<string, string>,
  pageSize: number,
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are inspected dynamically in assertions
  items: (json: any) => ReadonlyArray<A>
): Promise<Array<A>> => {
  const all: Array<A> = []
  for (let page = 1; ; page++) {
    const json = await ok(action, { ...params, PageSize: String(pageSize), CurrentPage: String(page) })
    const found = items(json)
    all.push(...found)
    if (found.length < pageSize) {
      expect(all.length).toBe(json.Total)
      return all
    }
  }
}

const firmwareOf = (id: string): FirmwareRecord => {
  const found = emu.firmware.find((firmware) => firmware.FirmwareId === id)
  if (found === undefined) throw new Error(`no firmware ${id}`)
  return found
}

const deviceOf = (jobId: string, index: number): TaskRecord => {
  const task = emu.tasks(jobId)[index]
  if (task === undefined) throw new Error(`no task ${index} in ${jobId}`)
  return task
}

it("the registry serves the seven OTA read operations, and STS", () => {
  expect([...SUPPORTED_ACTIONS].sort()).toEqual([...IOT_ACTIONS, "AssumeRole", "AssumeRoleWithOIDC"].sort())
  expect([...IOT_ACTIONS].sort()).toEqual(
    [
      "ListOTAFirmware",
      "ListOTAJobByDevice",
      "ListOTAJobByFirmware",
      "ListOTATaskByJob",
      "ListOTAUnfinishedTaskByDevice",
      "QueryOTAFirmware",
      "QueryOTAJob"
    ].sort()
  )
})

describe("ListOTAFirmware", () => {
  it("pages through every firmware in catalog order; the list sits at FirmwareInfo.SimpleFirmwareInfo", async () => {
    const listed = await listAll("ListOTAFirmware", {}, 2, (json) => json.FirmwareInfo.SimpleFirmwareInfo)
    expect(listed.map((item: FirmwareRecord) => item.FirmwareId)).toEqual(
      emu.firmware.map((f) => f.FirmwareId)
    )
    // The summary leaves out the download details QueryOTAFirmware gives.
    for (const item of listed as Array<Record<string, unknown>>) {
      const { FirmwareUrl: _url, VerifyProgress: _progress, ...summary } = firmwareOf(String(item.FirmwareId))
      expect(item).toEqual(summary)
    }
  })

  it("filters by ProductKey and DestVersion", async () => {
    const lamp = await ok("ListOTAFirmware", { ProductKey: LAMP, PageSize: "100", CurrentPage: "1" })
    expect(lamp.FirmwareInfo.SimpleFirmwareInfo.map((f: FirmwareRecord) => f.FirmwareId)).toEqual([
      "fw-lamp-1",
      "fw-lamp-2"
    ])
    const version = await ok("ListOTAFirmware", { DestVersion: "1.2.0", PageSize: "10", CurrentPage: "1" })
    expect(version).toMatchObject({
      Total: 1,
      PageCount: 1,
      FirmwareInfo: { SimpleFirmwareInfo: [{ FirmwareId: "fw-lamp-2" }] }
    })
    const none = await ok("ListOTAFirmware", { DestVersion: "9.9.9", PageSize: "10", CurrentPage: "1" })
    expect(none).toMatchObject({ Total: 0, PageCount: 0, FirmwareInfo: { SimpleFirmwareInfo: [] } })
  })

  it.each([
    [{ CurrentPage: "1" }, 400, "MissingPageSize"],
    [{ PageSize: "10" }, 400, "MissingCurrentPage"],
    [{ PageSize: "101", CurrentPage: "1" }, 400, "iot.common.InvalidPageParams"],
    [{ PageSize: "10", CurrentPage: "0" }, 400, "iot.common.InvalidPageParams"],
    [{ PageSize: "10", CurrentPage: "1", ProductKey: "a1Nobody0000" }, 200, "iot.prod.NotExistedProduct"]
  ])("%j: %d %s", async (params, status, code) => {
    expectApiError(await call("ListOTAFirmware", params), status, code)
  })
})

describe("QueryOTAFirmware", () => {
  it("answers the firmware in full under FirmwareInfo", async () => {
    const json = await ok("QueryOTAFirmware", { FirmwareId: "fw-lamp-2" })
    expect(json.FirmwareInfo).toEqual(firmwareOf("fw-lamp-2"))
    expect(json.FirmwareInfo).toMatchObject({
      ProductKey: LAMP,
      ProductName: "Lamp Pro",
      Type: 1,
      SrcVersion: "1.1.0",
      DestVersion: "1.2.0",
      ModuleName: "mcu",
      Status: 1,
      VerifyProgress: 100
    })
    expect(json.FirmwareInfo.FirmwareUrl).toMatch(/^https:\/\//)
  })

  it("a full package has no SrcVersion; a firmware without a job is not verified yet", async () => {
    expect((await ok("QueryOTAFirmware", { FirmwareId: "fw-lamp-1" })).FirmwareInfo).toMatchObject({
      Type: 0
    })
    expect(
      (await ok("QueryOTAFirmware", { FirmwareId: "fw-lamp-1" })).FirmwareInfo.SrcVersion
    ).toBeUndefined()
    expect((await ok("QueryOTAFirmware", { FirmwareId: "fw-idle" })).FirmwareInfo).toMatchObject({
      Status: 0,
      VerifyProgress: 0
    })
  })

  it("an unknown FirmwareId: 200, iot.ota.FirmwareNotFound; none: 400 MissingFirmwareId", async () => {
    const unknown = await call("QueryOTAFirmware", { FirmwareId: "fw-nope" })
    expectApiError(unknown, 200, "iot.ota.FirmwareNotFound")
    expect(unknown.json.ErrorMessage).toContain("fw-nope")
    expectApiError(await call("QueryOTAFirmware", {}), 400, "MissingFirmwareId")
  })
})

describe("ListOTAJobByFirmware", () => {
  it("lists the firmware's batches in order, with their status", async () => {
    const jobs = await listAll(
      "ListOTAJobByFirmware",
      { FirmwareId: "fw-lamp-1" },
      1,
      (json) => json.Data.SimpleOTAJobInfo
    )
    expect(jobs.map((job: JobRecord) => job.JobId)).toEqual(["lamp-wave-1", "lamp-wave-2"])
    expect(jobs.map((job: JobRecord) => job.JobStatus)).toEqual(["COMPLETED", "IN_PROGRESS"])
    for (const job of jobs as Array<JobRecord>) {
      const full = emu.job(job.JobId)
      expect(job).toEqual({
        JobId: full.JobId,
        FirmwareId: "fw-lamp-1",
        ProductKey: LAMP,
        JobStatus: full.JobStatus,
        JobType: "UPGRADE_FIRMWARE",
        SelectionType: "STATIC",
        TargetSelection: full.TargetSelection,
        UtcCreate: full.UtcCreate,
        UtcModified: full.UtcModified,
        UtcStartTime: full.UtcStartTime,
        ...(full.UtcEndTime === undefined ? {} : { UtcEndTime: full.UtcEndTime }),
        Tags: full.Tags
      })
    }
  })

  it("PageSize up to 200; a firmware without a job has none", async () => {
    expect(
      await ok("ListOTAJobByFirmware", { FirmwareId: "fw-lamp-1", PageSize: "200", CurrentPage: "1" })
    ).toMatchObject({
      Total: 2,
      PageSize: 200,
      PageCount: 1
    })
    expect(
      await ok("ListOTAJobByFirmware", { FirmwareId: "fw-idle", PageSize: "10", CurrentPage: "1" })
    ).toMatchObject({
      Total: 0,
      Data: { SimpleOTAJobInfo: [] }
    })
  })

  it.each([
    [{ PageSize: "10", CurrentPage: "1" }, 400, "MissingFirmwareId"],
    [{ FirmwareId: "fw-lamp-1", CurrentPage: "1" }, 400, "MissingPageSize"],
    [{ FirmwareId: "fw-lamp-1", PageSize: "201", CurrentPage: "1" }, 400, "iot.common.InvalidPageParams"],
    [{ FirmwareId: "fw-nope", PageSize: "10", CurrentPage: "1" }, 200, "iot.ota.FirmwareNotFound"]
  ])("%j: %d %s", async (params, status, code) => {
    expectApiError(await call("ListOTAJobByFirmware", params), status, code)
  })
})

describe("QueryOTAJob", () => {
  it("answers the batch under Data, consistent with its firmware and its tasks", async () => {
    for (const jobId of ["lamp-wave-1", "lamp-wave-2", "lamp-diff", "solo", "explicit"]) {
      const job: JobRecord = (await ok("QueryOTAJob", { JobId: jobId })).Data
      expect(job).toEqual(emu.job(jobId))
      const firmware = firmwareOf(job.FirmwareId)
      const tasks = emu.tasks(jobId)
      expect(job.ProductKey).toBe(firmware.ProductKey)
      expect(job.DestVersion).toBe(firmware.DestVersion)
      for (const task of tasks) {
        expect(task).toMatchObject({
          JobId: jobId,
          FirmwareId: firmware.FirmwareId,
          ProductKey: firmware.ProductKey
        })
        expect(task.DestVersion).toBe(job.DestVersion)
        expect(job.SrcVersions.SrcVersion).toContain(task.SrcVersion)
        expect(task.Timeout).toBe(
          job.TimeoutInMinutes === undefined ? undefined : String(job.TimeoutInMinutes)
        )
      }
      const done = tasks.every((task) => ["SUCCEEDED", "FAILED", "CANCELED"].includes(task.TaskStatus))
      expect(job.JobStatus).toBe(done ? "COMPLETED" : "IN_PROGRESS")
      expect(job.UtcEndTime !== undefined).toBe(done)
      if (job.TargetSelection === "GRAY") expect(job.GrayPercent).toMatch(/^\d+\.00$/)
      else expect(job.GrayPercent).toBeUndefined()
    }
  })

  it("an unknown JobId: 200 iot.ota.NotExistedJob (as ListOTATaskByJob); none: 400 MissingJobId", async () => {
    expectApiError(await call("QueryOTAJob", { JobId: "no-such-job" }), 200, "iot.ota.NotExistedJob")
    expectApiError(await call("QueryOTAJob", {}), 400, "MissingJobId")
  })
})

describe("ListOTAJobByDevice", () => {
  const params = (firmwareId: string, task: TaskRecord) => ({
    FirmwareId: firmwareId,
    ProductKey: task.ProductKey,
    DeviceName: task.DeviceName,
    PageSize: "100",
    CurrentPage: "1"
  })

  it("lists the firmware's batches that include the device (the same device is in several batches)", async () => {
    const early = deviceOf("lamp-wave-1", 5)
    const late = deviceOf("lamp-wave-2", 200)
    const jobsOf = async (firmwareId: string, task: TaskRecord) =>
      (await ok("ListOTAJobByDevice", params(firmwareId, task))).Data.SimpleOTAJobInfo.map(
        (job: JobRecord) => job.JobId
      )
    // Device 5 of the product is in both waves of fw-lamp-1 and in the differential batch of fw-lamp-2.
    expect(deviceOf("lamp-wave-2", 5).DeviceName).toBe(early.DeviceName)
    expect(await jobsOf("fw-lamp-1", early)).toEqual(["lamp-wave-1", "lamp-wave-2"])
    expect(await jobsOf("fw-lamp-2", early)).toEqual(["lamp-diff"])
    expect(await jobsOf("fw-lamp-1", late)).toEqual(["lamp-wave-2"])
    expect(await jobsOf("fw-lamp-2", late)).toEqual([])
    // Every listed batch has a task for the device.
    for (const jobId of await jobsOf("fw-lamp-1", early)) {
      expect(emu.tasks(jobId).some((task) => task.DeviceName === early.DeviceName)).toBe(true)
    }
  })

  it("a device named by an explicit task is found too", async () => {
    const custom = deviceOf("explicit", 0)
    expect(custom.DeviceName).toBe("custom-lamp")
    const json = await ok("ListOTAJobByDevice", params("fw-lamp-2", custom))
    expect(json.Data.SimpleOTAJobInfo.map((job: JobRecord) => job.JobId)).toEqual(["explicit"])
  })

  it.each([
    ["FirmwareId", 400, "MissingFirmwareId"],
    ["ProductKey", 400, "MissingProductKey"],
    ["DeviceName", 400, "MissingDeviceName"],
    ["PageSize", 400, "MissingPageSize"],
    ["CurrentPage", 400, "MissingCurrentPage"]
  ])("without %s: %d %s", async (name, status, code) => {
    const all: Record<string, string> = params("fw-lamp-1", deviceOf("lamp-wave-1", 1))
    delete all[name]
    expectApiError(await call("ListOTAJobByDevice", all), status, code)
  })

  it.each([
    [{ PageSize: "101" }, 400, "iot.common.InvalidPageParams"],
    [{ FirmwareId: "fw-nope" }, 200, "iot.ota.FirmwareNotFound"],
    [{ ProductKey: "a1Nobody0000" }, 200, "iot.prod.NotExistedProduct"],
    [{ DeviceName: "nobody-00001" }, 200, "iot.device.NotExistedDevice"]
  ])("%j: %d %s", async (change, status, code) => {
    expectApiError(
      await call("ListOTAJobByDevice", { ...params("fw-lamp-1", deviceOf("lamp-wave-1", 1)), ...change }),
      status,
      code
    )
  })
})

describe("ListOTAUnfinishedTaskByDevice", () => {
  /** The device's unfinished tasks over every batch, from the ground truth. */
  const expected = (deviceName: string, statuses = UNFINISHED, module?: string) =>
    emu.jobs
      .flatMap((job) => emu.tasks(job.jobId))
      .filter(
        (task) =>
          task.DeviceName === deviceName && task.ProductKey === LAMP && statuses.includes(task.TaskStatus)
      )
      .filter((task) => module === undefined || firmwareOf(task.FirmwareId).ModuleName === module)
      .map((task) => ({
        TaskId: task.TaskId,
        JobId: task.JobId,
        FirmwareId: task.FirmwareId,
        ProductKey: task.ProductKey,
        ProductName: task.ProductName,
        DeviceName: task.DeviceName,
        IotId: task.IotId,
        ModuleName: firmwareOf(task.FirmwareId).ModuleName,
        SrcVersion: task.SrcVersion,
        DestVersion: task.DestVersion,
        TaskStatus: task.TaskStatus,
        UtcCreate: task.UtcCreate,
        UtcModified: task.UtcModified
      }))

  /** A device with unfinished tasks in at least two batches. */
  const busyDevice = (): TaskRecord => {
    const wave = emu.tasks("lamp-wave-2")
    const diff = emu.tasks("lamp-diff")
    const index = diff.findIndex(
      (task, i) => UNFINISHED.includes(task.TaskStatus) && UNFINISHED.includes(wave[i]?.TaskStatus ?? "")
    )
    expect(index).toBeGreaterThanOrEqual(0)
    return diff[index] as TaskRecord
  }

  it("by ProductKey + DeviceName and by IotId: the device's tasks in the four unfinished statuses, every batch", async () => {
    const device = busyDevice()
    const byName = await ok("ListOTAUnfinishedTaskByDevice", {
      ProductKey: LAMP,
      DeviceName: device.DeviceName
    })
    const want = expected(device.DeviceName)
    expect(want.length).toBeGreaterThanOrEqual(2)
    expect(byName.Data.SimpleOTATaskInfo).toEqual(want)
    const byIotId = await ok("ListOTAUnfinishedTaskByDevice", { IotId: device.IotId })
    expect(byIotId.Data.SimpleOTATaskInfo).toEqual(want)
    expect(byIotId.Total).toBeUndefined()
  })

  it("TaskStatus, TaskStatusList.N and ModuleName narrow it", async () => {
    const device = busyDevice()
    const status = expected(device.DeviceName)[0]?.TaskStatus ?? "QUEUED"
    const single = await ok("ListOTAUnfinishedTaskByDevice", { IotId: device.IotId, TaskStatus: status })
    expect(single.Data.SimpleOTATaskInfo).toEqual(expected(device.DeviceName, [status]))
    const list = await ok("ListOTAUnfinishedTaskByDevice", {
      IotId: device.IotId,
      "TaskStatusList.1": "QUEUED",
      "TaskStatusList.2": "IN_PROGRESS"
    })
    expect(list.Data.SimpleOTATaskInfo).toEqual(expected(device.DeviceName, ["QUEUED", "IN_PROGRESS"]))
    const mcu = await ok("ListOTAUnfinishedTaskByDevice", { IotId: device.IotId, ModuleName: "mcu" })
    expect(mcu.Data.SimpleOTATaskInfo).toEqual(expected(device.DeviceName, UNFINISHED, "mcu"))
  })

  it("the device of an explicit task, by name and by IotId", async () => {
    const custom = deviceOf("explicit", 0)
    const json = await ok("ListOTAUnfinishedTaskByDevice", { IotId: custom.IotId })
    expect(json.Data.SimpleOTATaskInfo).toEqual(expected("custom-lamp"))
    expect(json.Data.SimpleOTATaskInfo).toHaveLength(1)
  })

  it.each([
    [{ TaskStatus: "SUCCEEDED" }, 400, "iot.firmware.InvalidTaskStatus"],
    [{ "TaskStatusList.1": "QUEUED", "TaskStatusList.2": "DONE" }, 400, "iot.firmware.InvalidTaskStatus"],
    [
      Object.fromEntries(
        ["CONFIRM", "QUEUED", "NOTIFIED", "IN_PROGRESS", "QUEUED"].map((s, i) => [
          `TaskStatusList.${i + 1}`,
          s
        ])
      ),
      400,
      "InvalidParameter"
    ],
    [{ IotId: "nadRdeffljdEndlfadgadfse00a1" }, 200, "iot.device.NotExistedDevice"],
    [{ ProductKey: LAMP, DeviceName: "nobody" }, 200, "iot.device.NotExistedDevice"],
    [{ ProductKey: "a1Nobody0000", DeviceName: "x" }, 200, "iot.prod.NotExistedProduct"],
    [{ ProductKey: LAMP }, 400, "iot.ota.EmptyDeviceInfoParams"],
    [{}, 400, "iot.ota.EmptyDeviceInfoParams"]
  ])("%j: %d %s", async (params, status, code) => {
    const device = deviceOf("lamp-wave-2", 3)
    const withDevice =
      "IotId" in params || "ProductKey" in params || Object.keys(params).length === 0
        ? params
        : { IotId: device.IotId, ...params }
    const result = await call("ListOTAUnfinishedTaskByDevice", withDevice)
    if (code === "InvalidParameter") {
      expect({ status: result.status, code: result.json?.Code }).toEqual({ status, code })
    } else {
      expectApiError(result, status, code)
    }
  })
})

describe("one dataset, consistent across operations", () => {
  it("every task's firmware, job and device exist in their answers, and the counts agree", async () => {
    const firmware = await listAll("ListOTAFirmware", {}, 100, (json) => json.FirmwareInfo.SimpleFirmwareInfo)
    const firmwareIds = new Set(firmware.map((item: FirmwareRecord) => item.FirmwareId))
    let jobsSeen = 0
    for (const fw of firmware as Array<FirmwareRecord>) {
      const jobs = await listAll(
        "ListOTAJobByFirmware",
        { FirmwareId: fw.FirmwareId },
        200,
        (json) => json.Data.SimpleOTAJobInfo
      )
      jobsSeen += jobs.length
      for (const job of jobs as Array<JobRecord>) {
        const tasks = await listAll(
          "ListOTATaskByJob",
          { JobId: job.JobId },
          100,
          (json) => json.Data.SimpleOTATaskInfo
        )
        expect(tasks.length).toBe(emu.jobs.find((j) => j.jobId === job.JobId)?.total)
        // The status totals add up to the job's total.
        let byStatus = 0
        for (const status of [
          "CONFIRM",
          "QUEUED",
          "NOTIFIED",
          "IN_PROGRESS",
          "SUCCEEDED",
          "FAILED",
          "CANCELED"
        ]) {
          byStatus += (await ok("ListOTATaskByJob", { JobId: job.JobId, TaskStatus: status, PageSize: "1" }))
            .Total
        }
        expect(byStatus).toBe(tasks.length)
        for (const task of tasks.slice(0, 20) as Array<TaskRecord>) {
          expect(firmwareIds.has(task.FirmwareId)).toBe(true)
          expect(task.FirmwareId).toBe(fw.FirmwareId)
          const byDevice = await ok("ListOTAJobByDevice", {
            FirmwareId: task.FirmwareId,
            ProductKey: task.ProductKey,
            DeviceName: task.DeviceName,
            PageSize: "100",
            CurrentPage: "1"
          })
          expect(byDevice.Data.SimpleOTAJobInfo.map((j: JobRecord) => j.JobId)).toContain(task.JobId)
        }
      }
    }
    expect(jobsSeen).toBe(emu.jobs.length)
  })
})

describe("tuya casing", () => {
  it('every operation answers camelCase keys, with code "" on success', async () => {
    const tuya = await startEmulator({
      qps: 0,
      seed: 5,
      casing: "tuya",
      jobs: [{ jobId: "t-job", tasks: 30 }]
    })
    try {
      const [job] = tuya.jobs
      const task = tuya.tasks("t-job")[0] as TaskRecord
      const firmwareId = job?.firmwareId ?? ""
      const page = { PageSize: "10", CurrentPage: "1" }
      const answers = {
        ListOTAFirmware: await ok("ListOTAFirmware", page, tuya),
        QueryOTAFirmware: await ok("QueryOTAFirmware", { FirmwareId: firmwareId }, tuya),
        ListOTAJobByFirmware: await ok("ListOTAJobByFirmware", { FirmwareId: firmwareId, ...page }, tuya),
        QueryOTAJob: await ok("QueryOTAJob", { JobId: "t-job" }, tuya),
        ListOTAJobByDevice: await ok(
          "ListOTAJobByDevice",
          { FirmwareId: firmwareId, ProductKey: task.ProductKey, DeviceName: task.DeviceName, ...page },
          tuya
        ),
        ListOTAUnfinishedTaskByDevice: await ok("ListOTAUnfinishedTaskByDevice", { IotId: task.IotId }, tuya)
      }
      const keysOf = (value: unknown): Array<string> =>
        Array.isArray(value)
          ? value.flatMap(keysOf)
          : value !== null && typeof value === "object"
            ? Object.entries(value).flatMap(([key, inner]) => [key, ...keysOf(inner)])
            : []
      for (const [action, json] of Object.entries(answers)) {
        expect(json.code, action).toBe("")
        expect(json.requestId, action).toMatch(UUID)
        for (const key of keysOf(json))
          expect(key.charAt(0), `${action}: ${key}`).toBe(key.charAt(0).toLowerCase())
      }
      expect(answers.ListOTAFirmware.firmwareInfo.simpleFirmwareInfo[0].firmwareId).toBe(firmwareId)
      expect(answers.QueryOTAFirmware.firmwareInfo.firmwareId).toBe(firmwareId)
      expect(answers.ListOTAJobByFirmware.data.simpleOTAJobInfo[0].jobId).toBe("t-job")
      expect(answers.QueryOTAJob.data.srcVersions.srcVersion).toEqual(expect.any(Array))
      expect(answers.ListOTAJobByDevice.data.simpleOTAJobInfo[0].jobId).toBe("t-job")
      expect(answers.ListOTAUnfinishedTaskByDevice.data.simpleOTATaskInfo).toEqual(expect.any(Array))
      const errors = await call("QueryOTAJob", { JobId: "nope" }, tuya)
      expect(errors.json).toMatchObject({ code: "iot.ota.NotExistedJob", success: false })
    } finally {
      await tuya.close()
    }
  })
})

describe("the gateway applies to every action", () => {
  it("faults: a scripted 503 hits the next admitted call, whatever its action", async () => {
    const faulty = await startEmulator({ qps: 0, jobs: [{ jobId: "f-job", tasks: 3 }] })
    try {
      faulty.setFaults({ sequence: ["ServiceUnavailable", null] })
      expect((await call("QueryOTAJob", { JobId: "f-job" }, faulty)).status).toBe(503)
      expect((await call("QueryOTAJob", { JobId: "f-job" }, faulty)).status).toBe(200)
      expect(faulty.stats().byCode["fault:ServiceUnavailable"]).toBe(1)
      expect(faulty.stats().byAction).toEqual({ QueryOTAJob: 2 })
    } finally {
      await faulty.close()
    }
  })

  it("a wrong signature is refused before any handler runs", async () => {
    const result = await callV2(
      emu,
      { FirmwareId: "fw-lamp-1" },
      { action: "QueryOTAFirmware", secret: "wrong" }
    )
    expect({ status: result.status, code: result.json.Code }).toEqual({
      status: 400,
      code: "SignatureDoesNotMatch"
    })
  })
})
