/**
 * The official Alibaba Cloud SDK (`@alicloud/iot20180120` 3.0.11 on `@alicloud/openapi-client` 0.4.15) talks to
 * the emulator through its typed method of each read operation: V3 (ACS3-HMAC-SHA256, its default) and V2
 * (`signatureAlgorithm: "v2"`).
 */
import { createRequire } from "node:module"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { DEFAULT_CREDENTIALS, type Emulator, startEmulator } from "../src/index.js"

// CommonJS packages: load them with require so their `default` exports are the classes their typings declare.
const require = createRequire(import.meta.url)
const IotSdk = require("@alicloud/iot20180120") as typeof import("@alicloud/iot20180120")
const OpenApi = require("@alicloud/openapi-client") as typeof import("@alicloud/openapi-client")
// tea-util is the SDK's own dependency (not ours): resolve it from the SDK's location.
const TeaUtil = createRequire(require.resolve("@alicloud/iot20180120"))("@alicloud/tea-util") as {
  RuntimeOptions: new (
    map: Record<string, unknown>
  ) => Parameters<InstanceType<typeof IotSdk.default>["listOTATaskByJobWithOptions"]>[1]
}

const JOB = "job-sdk"
const FIRMWARE = "fw-sdk"
// querystring.stringify leaves *~()! raw and sends ' as %27: the emulator must re-encode before verifying.
const ODD_JOB = "job*~()!'é x"

let emu: Emulator
let requestLog: Array<string>

beforeAll(async () => {
  requestLog = []
  emu = await startEmulator({
    seed: 21,
    qps: 0,
    jobs: [
      { jobId: JOB, tasks: 130, firmwareId: FIRMWARE },
      { jobId: ODD_JOB, tasks: 3 },
      { jobId: "job-sdk-done", tasks: 20, firmwareId: FIRMWARE, statusMix: { SUCCEEDED: 1 } }
    ],
    logger: (line) => requestLog.push(line)
  })
})
afterAll(() => emu.close())

const client = (signatureAlgorithm: "v2" | undefined, secret = DEFAULT_CREDENTIALS.accessKeySecret) =>
  new IotSdk.default(
    new OpenApi.Config({
      accessKeyId: DEFAULT_CREDENTIALS.accessKeyId,
      accessKeySecret: secret,
      endpoint: `${emu.host}:${emu.port}`,
      protocol: "http",
      ...(signatureAlgorithm === undefined ? {} : { signatureAlgorithm })
    })
  )

describe.each([
  ["V3 (default configuration)", undefined],
  ["V2 (signatureAlgorithm: v2)", "v2" as const]
])("official SDK, %s", (_, algorithm) => {
  it("listOTATaskByJob pages through the emulator's tasks", async () => {
    const sdk = client(algorithm)
    const first = await sdk.listOTATaskByJob(
      new IotSdk.ListOTATaskByJobRequest({ jobId: JOB, pageSize: 100, currentPage: 1 })
    )
    const second = await sdk.listOTATaskByJob(
      new IotSdk.ListOTATaskByJobRequest({ jobId: JOB, pageSize: 100, currentPage: 2 })
    )
    expect(first.statusCode).toBe(200)
    expect(first.body?.total).toBe(130)
    expect(first.body?.pageCount).toBe(2)
    const listed = [
      ...(first.body?.data?.simpleOTATaskInfo ?? []),
      ...(second.body?.data?.simpleOTATaskInfo ?? [])
    ]
    expect(listed.map((task) => task.taskId)).toEqual(emu.tasks(JOB).map((task) => task.TaskId))
    const truth = emu.tasks(JOB)[0]
    expect(listed[0]).toMatchObject({
      deviceName: truth?.DeviceName,
      productKey: truth?.ProductKey,
      taskStatus: truth?.TaskStatus,
      progress: truth?.Progress,
      utcCreate: truth?.UtcCreate
    })
  })

  it("listOTATaskByJobWithOptions with DeviceNames and TaskStatus, and an id that needs encoding", async () => {
    const sdk = client(algorithm)
    const succeeded = emu.tasks(JOB).filter((task) => task.TaskStatus === "SUCCEEDED")
    const names = succeeded.slice(0, 3).map((task) => task.DeviceName)
    const filtered = await sdk.listOTATaskByJobWithOptions(
      new IotSdk.ListOTATaskByJobRequest({ jobId: JOB, deviceNames: names, taskStatus: "SUCCEEDED" }),
      new TeaUtil.RuntimeOptions({ autoretry: false })
    )
    expect(filtered.body?.data?.simpleOTATaskInfo?.map((task) => task.deviceName)).toEqual(names)

    const odd = await sdk.listOTATaskByJob(new IotSdk.ListOTATaskByJobRequest({ jobId: ODD_JOB }))
    expect(odd.body?.total).toBe(3)
  })

  it("surfaces the emulator's errors: a wrong secret throws SignatureDoesNotMatch (400)", async () => {
    const sdk = client(algorithm, "wrong-secret")
    await expect(
      sdk.listOTATaskByJob(new IotSdk.ListOTATaskByJobRequest({ jobId: JOB }))
    ).rejects.toMatchObject({ code: "SignatureDoesNotMatch", data: { statusCode: 400 } })
  })

  it("an unknown job comes back as Success false on HTTP 200 (the SDK does not throw)", async () => {
    const result = await client(algorithm).listOTATaskByJob(
      new IotSdk.ListOTATaskByJobRequest({ jobId: "nope" })
    )
    expect(result.statusCode).toBe(200)
    expect(result.body).toMatchObject({ success: false, code: "iot.ota.NotExistedJob" })
  })
})

describe.each([
  ["V3 (default configuration)", undefined],
  ["V2 (signatureAlgorithm: v2)", "v2" as const]
])("official SDK typed methods of the other read operations, %s", (_, algorithm) => {
  it("listOTAFirmware and queryOTAFirmware", async () => {
    const sdk = client(algorithm)
    const list = await sdk.listOTAFirmware(
      new IotSdk.ListOTAFirmwareRequest({ pageSize: 10, currentPage: 1 })
    )
    expect(list.statusCode).toBe(200)
    expect(list.body?.total).toBe(emu.firmware.length)
    expect(list.body?.firmwareInfo?.simpleFirmwareInfo?.map((f) => f.firmwareId)).toEqual(
      emu.firmware.map((f) => f.FirmwareId)
    )
    const truth = emu.firmware.find((f) => f.FirmwareId === FIRMWARE)
    const one = await sdk.queryOTAFirmware(new IotSdk.QueryOTAFirmwareRequest({ firmwareId: FIRMWARE }))
    expect(one.body?.success).toBe(true)
    expect(one.body?.firmwareInfo).toMatchObject({
      firmwareId: FIRMWARE,
      productKey: truth?.ProductKey,
      destVersion: truth?.DestVersion,
      firmwareSize: truth?.FirmwareSize,
      status: 1,
      type: truth?.Type,
      utcCreate: truth?.UtcCreate
    })
  })

  it("listOTAJobByFirmware and queryOTAJob", async () => {
    const sdk = client(algorithm)
    const jobs = await sdk.listOTAJobByFirmware(
      new IotSdk.ListOTAJobByFirmwareRequest({ firmwareId: FIRMWARE, pageSize: 200, currentPage: 1 })
    )
    expect(jobs.body?.total).toBe(2)
    expect(jobs.body?.data?.simpleOTAJobInfo?.map((job) => [job.jobId, job.jobStatus])).toEqual([
      [JOB, "IN_PROGRESS"],
      ["job-sdk-done", "COMPLETED"]
    ])
    const job = await sdk.queryOTAJob(new IotSdk.QueryOTAJobRequest({ jobId: JOB }))
    const truth = emu.job(JOB)
    expect(job.body?.data).toMatchObject({
      jobId: JOB,
      firmwareId: FIRMWARE,
      jobStatus: "IN_PROGRESS",
      destVersion: truth.DestVersion,
      maximumPerMinute: truth.MaximumPerMinute,
      srcVersions: { srcVersion: truth.SrcVersions.SrcVersion },
      tags: { otaTagDTO: [{ key: "wave", value: "1" }] }
    })
  })

  it("listOTAJobByDevice and listOTAUnfinishedTaskByDevice", async () => {
    const sdk = client(algorithm)
    const tasks = emu.tasks(JOB)
    const task = tasks.find((t) => ["QUEUED", "NOTIFIED", "IN_PROGRESS", "CONFIRM"].includes(t.TaskStatus))
    if (task === undefined) throw new Error("no unfinished task")
    const jobs = await sdk.listOTAJobByDevice(
      new IotSdk.ListOTAJobByDeviceRequest({
        firmwareId: FIRMWARE,
        productKey: task.ProductKey,
        deviceName: task.DeviceName,
        pageSize: 10,
        currentPage: 1
      })
    )
    expect(jobs.body?.data?.simpleOTAJobInfo?.map((job) => job.jobId)).toContain(JOB)
    const unfinished = await sdk.listOTAUnfinishedTaskByDevice(
      new IotSdk.ListOTAUnfinishedTaskByDeviceRequest({
        productKey: task.ProductKey,
        deviceName: task.DeviceName
      })
    )
    expect(unfinished.body?.data?.simpleOTATaskInfo?.map((t) => t.taskId)).toContain(task.TaskId)
    const byIotId = await sdk.listOTAUnfinishedTaskByDevice(
      new IotSdk.ListOTAUnfinishedTaskByDeviceRequest({ iotId: task.IotId, taskStatus: task.TaskStatus })
    )
    expect(byIotId.body?.data?.simpleOTATaskInfo).toEqual([
      expect.objectContaining({ taskId: task.TaskId, taskStatus: task.TaskStatus, moduleName: "default" })
    ])
  })

  it("an unknown firmware comes back as Success false on HTTP 200", async () => {
    const result = await client(algorithm).queryOTAFirmware(
      new IotSdk.QueryOTAFirmwareRequest({ firmwareId: "nope" })
    )
    expect(result.body).toMatchObject({ success: false, code: "iot.ota.FirmwareNotFound" })
  })
})

it("both algorithms reached the emulator as POST requests", () => {
  expect(requestLog.filter((line) => line.startsWith("POST 200 OK")).length).toBeGreaterThanOrEqual(20)
})
