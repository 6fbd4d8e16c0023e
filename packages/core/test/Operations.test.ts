/**
 * The declared read operations of the OTA path (firmware → jobs → tasks): each one's documented example
 * response decodes in both casings, its request encodes to exactly the documented wire parameters, bad input
 * is refused naming the field, its decoder never throws, and the clients' generated methods reach it.
 */
import { readFileSync } from "node:fs"
import { describe, expect, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as fc from "fast-check"
import * as Operation from "../src/Operation.js"
import { Operations } from "../src/Operations.js"
import { OtaClient, type OtaClientService } from "../src/OtaClient.js"
import { ListOTAFirmware } from "../src/operations/ListOTAFirmware.js"
import { ListOTAJobByDevice } from "../src/operations/ListOTAJobByDevice.js"
import { ListOTAJobByFirmware } from "../src/operations/ListOTAJobByFirmware.js"
import { ListOTAUnfinishedTaskByDevice } from "../src/operations/ListOTAUnfinishedTaskByDevice.js"
import { QueryOTAFirmware } from "../src/operations/QueryOTAFirmware.js"
import { PromiseClient, type PromiseMethods, withOperations } from "../src/PromiseClient.js"
import { clientLayer, fakeHttp } from "./helpers.js"

const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`fixtures/${name}`, import.meta.url), "utf8"))

/** The same JSON with every key's first letter lower-cased, as Tuya's examples send it. */
const camelCased = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(camelCased)
  if (value === null || typeof value !== "object") return value
  return Object.fromEntries(
    Object.entries(value).map(([key, v]) => [key.charAt(0).toLowerCase() + key.slice(1), camelCased(v)])
  )
}

const request = <Op extends Operation.Operation>(operation: Op, input: Operation.Operation.Input<Op>) =>
  Either.getOrThrow(Operation.check(operation, input))

const wire = <Op extends Operation.Operation>(operation: Op, input: Operation.Operation.Input<Op>) =>
  Operation.encode(operation, request(operation, input))

/** The ValidationError of refused input (or a failing expectation if it was accepted). */
const refusal = (operation: Operation.Operation, input: unknown) => {
  const result = Operation.check(operation, input)
  expect(Either.isLeft(result)).toBe(true)
  return Either.isLeft(result) ? result.left : undefined
}

const expectDecodes = (operation: Operation.Operation, body: unknown, expected: unknown) => {
  expect(Operation.decode(operation, body)).toStrictEqual({ ok: true, value: expected })
  expect(Operation.decode(operation, camelCased(body))).toStrictEqual({ ok: true, value: expected })
}

const LAMP = { productKey: "a1GUfrM3kLp", productName: "SmartLamp" }

const firmwarePage = {
  requestId: "A01829CE-75A1-4920-B775-921146A1AB79",
  total: 2,
  pageSize: 10,
  pageCount: 1,
  currentPage: 1,
  firmware: [
    {
      firmwareId: "UfuxnwygsuSkVE0VCNmx0100",
      firmwareName: "lamp-fw-1.0.1",
      firmwareDesc: "fixes dimming flicker",
      ...LAMP,
      moduleName: "default",
      destVersion: "1.0.1",
      type: 0,
      status: 1,
      firmwareSize: 924,
      firmwareSign: "3d04ab6462633508606e5f3daac8a1f0",
      signMethod: "MD5",
      utcCreate: new Date("2024-09-17T02:42:22.000Z"),
      utcModified: new Date("2024-09-17T03:10:05.000Z")
    },
    {
      firmwareId: "q3j9OYBjUAZMv1hlMgdo030100",
      firmwareName: "lamp-fw-1.0.2-diff",
      firmwareDesc: "delta from 1.0.1",
      ...LAMP,
      moduleName: "default",
      srcVersion: "1.0.1",
      destVersion: "1.0.2",
      type: 1,
      status: 0,
      firmwareSize: 312,
      firmwareSign: "93230c3bde425a9d7984a594ac56b7e2",
      signMethod: "MD5",
      utcCreate: new Date("2024-10-02T08:00:00.000Z"),
      utcModified: new Date("2024-10-02T08:00:00.000Z")
    }
  ]
}

const oneFileFirmware = {
  requestId: "A01829CE-75A1-4920-B775-921146A1AB79",
  firmware: {
    firmwareId: "UfuxnwygsuSkVE0VCNmx0100",
    firmwareName: "lamp-fw-1.0.1",
    firmwareDesc: "fixes dimming flicker",
    ...LAMP,
    moduleName: "default",
    destVersion: "1.0.1",
    type: 0,
    status: 1,
    verifyProgress: 100,
    firmwareUrl:
      "https://iotx-ota.oss-cn-shanghai.aliyuncs.com/ota/572ef2fd12ca4791a5b21a9eb9480c11/5E962CF83DB1495E8337E9C8A4D1A0B2.bin?Expires=1726634560&OSSAccessKeyId=EXAMPLEKEYID&Signature=EXAMPLESIGNATURE",
    firmwareSize: 924,
    firmwareSign: "3d04ab6462633508606e5f3daac8a1f0",
    signMethod: "MD5",
    udi: '{"ota_notice":"fixes dimming flicker"}',
    utcCreate: new Date("2024-09-17T02:42:22.000Z"),
    utcModified: new Date("2024-09-17T03:10:05.000Z")
  }
}

const multiFileFirmware = {
  requestId: "B72E1D0C-3F4A-4C51-9B0E-2A6C7D8E9F01",
  firmware: {
    firmwareId: "kF8sPq2LmN4rT6vX9zB1cD0100",
    firmwareName: "lamp-bundle-2.0.0",
    firmwareDesc: "app + bootloader",
    ...LAMP,
    moduleName: "default",
    destVersion: "2.0.0",
    type: 0,
    status: -1,
    verifyProgress: 0,
    signMethod: "MD5",
    utcCreate: new Date("2024-11-04T03:38:22.000Z"),
    utcModified: new Date("2024-11-04T03:38:22.000Z"),
    multiFiles: [
      {
        name: "app.bin",
        url: "https://iotx-ota.oss-cn-shanghai.aliyuncs.com/ota/8a1b/app.bin?Expires=1730864302&OSSAccessKeyId=EXAMPLEKEYID&Signature=EXAMPLESIGNATURE",
        size: 20480,
        fileMd5: "5d41402abc4b2a76b9719d911017c592",
        signValue: "5d41402abc4b2a76b9719d911017c592"
      },
      {
        name: "boot.bin",
        url: "https://iotx-ota.oss-cn-shanghai.aliyuncs.com/ota/8a1b/boot.bin?Expires=1730864302&OSSAccessKeyId=EXAMPLEKEYID&Signature=EXAMPLESIGNATURE",
        size: 4096,
        fileMd5: "7d793037a0760186574b0282f2f435e7",
        signValue: "7d793037a0760186574b0282f2f435e7"
      }
    ]
  }
}

const WAVE_1 = [{ key: "rollout", value: "wave-1" }]

const jobsByFirmware = {
  requestId: "5D58AC86-D5BF-4B39-834E-913E7F2C985D",
  total: 2,
  pageSize: 10,
  pageCount: 1,
  currentPage: 1,
  jobs: [
    {
      jobId: "HvKuBpuk3rdk6E92CPa10200",
      firmwareId: "UfuxnwygsuSkVE0VCNmx0100",
      productKey: "a1GUfrM3kLp",
      jobStatus: "IN_PROGRESS",
      jobType: "UPGRADE_FIRMWARE",
      selectionType: "STATIC",
      targetSelection: "SPECIFIC",
      utcCreate: new Date("2024-09-18T09:45:30.000Z"),
      utcModified: new Date("2024-09-18T09:45:30.000Z"),
      utcStartTime: new Date("2024-09-18T09:45:31.000Z"),
      tags: WAVE_1
    },
    {
      jobId: "wahVIzGkCMuAUE2gDERM020200",
      firmwareId: "UfuxnwygsuSkVE0VCNmx0100",
      productKey: "a1GUfrM3kLp",
      jobStatus: "COMPLETED",
      jobType: "VERIFY_FIRMWARE",
      selectionType: "STATIC",
      targetSelection: "SPECIFIC",
      utcCreate: new Date("2024-09-17T03:00:00.000Z"),
      utcModified: new Date("2024-09-17T03:10:05.000Z"),
      utcStartTime: new Date("2024-09-17T03:00:01.000Z"),
      utcEndTime: new Date("2024-09-17T03:10:05.000Z")
    }
  ]
}

const jobsByDevice = {
  requestId: "A01829CE-75A1-4920-B775-921146A1AB79",
  total: 1,
  pageSize: 10,
  pageCount: 1,
  currentPage: 1,
  jobs: [
    {
      jobId: "HvKuBpuk3rdk6E92CPa10200",
      firmwareId: "UfuxnwygsuSkVE0VCNmx0100",
      productKey: "a1GUfrM3kLp",
      jobStatus: "COMPLETED",
      jobType: "UPGRADE_FIRMWARE",
      selectionType: "STATIC",
      targetSelection: "ALL",
      utcCreate: new Date("2024-09-18T09:45:30.000Z"),
      utcModified: new Date("2024-09-19T09:45:30.000Z"),
      utcStartTime: new Date("2024-09-18T09:45:31.000Z"),
      utcEndTime: new Date("2024-09-19T09:45:30.000Z"),
      tags: WAVE_1
    }
  ]
}

const unfinishedTasks = {
  requestId: "A59D3BE1-E9A3-43F3-9B50-B7C8DE165D9B",
  tasks: [
    {
      taskId: "Pq7rStUvWxYz0a1B2c3D01c9",
      jobId: "JkLmNoPqRsTuVwXyZa1B2c0200",
      firmwareId: "q3j9OYBjUAZMv1hlMgdo030100",
      ...LAMP,
      deviceName: "lamp-0002",
      iotId: "nadRdeffljdEndlfadgadfse00a1",
      moduleName: "default",
      srcVersion: "1.0.1",
      destVersion: "1.0.2",
      taskStatus: "QUEUED",
      utcCreate: new Date("2024-10-02T08:05:00.000Z"),
      utcModified: new Date("2024-10-02T08:05:00.000Z")
    }
  ]
}

describe("ListOTAFirmware", () => {
  it("decodes the documented example in both casings", () => {
    expectDecodes(ListOTAFirmware, fixture("list-ota-firmware-response.json"), firmwarePage)
  })

  it("reads Tuya's spellings: FirmwareID, decimal ids as numbers, numbers as strings, and any empty page", () => {
    const result = Operation.decode(ListOTAFirmware, {
      total: "1",
      pageSize: "10",
      currentPage: "1",
      firmwareInfo: {
        simpleFirmwareInfo: [
          { FirmwareID: 145, DestVersion: "1.0.0", ModuleName: "Ble", Type: "0", FirmwareSize: "2048" }
        ]
      }
    })
    expect(result.ok && result.value.firmware).toStrictEqual([
      {
        firmwareId: "145",
        productKey: "",
        destVersion: "1.0.0",
        moduleName: "Ble",
        type: 0,
        firmwareSize: 2048
      }
    ])
    for (const empty of [undefined, {}, { SimpleFirmwareInfo: [] }, { SimpleFirmwareInfo: null }]) {
      const page = Operation.decode(ListOTAFirmware, {
        Total: 0,
        PageSize: 10,
        CurrentPage: 1,
        FirmwareInfo: empty
      })
      expect(page.ok && page.value.firmware).toStrictEqual([])
    }
  })

  it("sends the page, the page size and the optional filters", () => {
    expect(wire(ListOTAFirmware, {})).toStrictEqual({ PageSize: "10", CurrentPage: "1" })
    expect(
      wire(ListOTAFirmware, {
        productKey: "a1GUfrM3kLp",
        destVersion: "1.0.1",
        pageSize: 100,
        currentPage: 3,
        iotInstanceId: "iot-cn-0pp1n8t"
      })
    ).toStrictEqual({
      PageSize: "100",
      CurrentPage: "3",
      ProductKey: "a1GUfrM3kLp",
      DestVersion: "1.0.1",
      IotInstanceId: "iot-cn-0pp1n8t"
    })
  })

  it("refuses out-of-range input, naming the field", () => {
    expect(refusal(ListOTAFirmware, { pageSize: 101 })).toMatchObject({
      field: "pageSize",
      rule: "an integer from 1 to 100"
    })
    expect(refusal(ListOTAFirmware, { currentPage: 0 })).toMatchObject({ field: "currentPage" })
    expect(refusal(ListOTAFirmware, { productKey: " " })).toMatchObject({ field: "productKey" })
    expect(refusal(ListOTAFirmware, { destVersion: "" })).toMatchObject({ field: "destVersion" })
    expect(refusal(ListOTAFirmware, { currentPage: 1001, pageSize: 100 })).toMatchObject({
      field: "currentPage"
    })
    expect(refusal(ListOTAFirmware, { firmwareId: "fw-1" })).toMatchObject({
      field: "firmwareId",
      rule: "a known field"
    })
  })
})

describe("QueryOTAFirmware", () => {
  it("decodes the documented examples in both casings: one file, and several files as a bare list", () => {
    expectDecodes(QueryOTAFirmware, fixture("query-ota-firmware-response.json"), oneFileFirmware)
    expectDecodes(QueryOTAFirmware, fixture("query-ota-firmware-multi-file-response.json"), multiFileFirmware)
  })

  it("sends FirmwareId and the optional IotInstanceId", () => {
    expect(wire(QueryOTAFirmware, { firmwareId: "fw-1" })).toStrictEqual({ FirmwareId: "fw-1" })
    expect(wire(QueryOTAFirmware, { firmwareId: "fw-1", iotInstanceId: "iot-1" })).toStrictEqual({
      FirmwareId: "fw-1",
      IotInstanceId: "iot-1"
    })
  })

  it("refuses a missing or blank firmwareId", () => {
    expect(refusal(QueryOTAFirmware, {})).toMatchObject({ field: "firmwareId", rule: "required" })
    expect(refusal(QueryOTAFirmware, { firmwareId: " " })).toMatchObject({ field: "firmwareId" })
    expect(refusal(QueryOTAFirmware, { firmwareId: "fw-1", iotInstanceId: "" })).toMatchObject({
      field: "iotInstanceId"
    })
  })
})

describe("ListOTAJobByFirmware", () => {
  it("decodes the documented example in both casings", () => {
    expectDecodes(ListOTAJobByFirmware, fixture("list-ota-job-by-firmware-response.json"), jobsByFirmware)
  })

  it("sends FirmwareId, the page and the page size, up to 200", () => {
    expect(wire(ListOTAJobByFirmware, { firmwareId: "fw-1" })).toStrictEqual({
      FirmwareId: "fw-1",
      PageSize: "10",
      CurrentPage: "1"
    })
    expect(wire(ListOTAJobByFirmware, { firmwareId: "fw-1", pageSize: 200, currentPage: 2 })).toStrictEqual({
      FirmwareId: "fw-1",
      PageSize: "200",
      CurrentPage: "2"
    })
  })

  it("refuses out-of-range input, naming the field", () => {
    expect(refusal(ListOTAJobByFirmware, { firmwareId: "fw-1", pageSize: 201 })).toMatchObject({
      field: "pageSize",
      rule: "an integer from 1 to 200"
    })
    expect(refusal(ListOTAJobByFirmware, { firmwareId: "fw-1", pageSize: 2.5 })).toMatchObject({
      field: "pageSize"
    })
    expect(refusal(ListOTAJobByFirmware, {})).toMatchObject({ field: "firmwareId", rule: "required" })
    expect(
      refusal(ListOTAJobByFirmware, { firmwareId: "fw-1", currentPage: 501, pageSize: 200 })
    ).toMatchObject({ field: "currentPage" })
  })
})

describe("ListOTAJobByDevice", () => {
  const device = { productKey: "a1GUfrM3kLp", deviceName: "lamp-0001", firmwareId: "fw-1" }

  it("decodes the documented example in both casings, into the same job summaries as ListOTAJobByFirmware", () => {
    expectDecodes(ListOTAJobByDevice, fixture("list-ota-job-by-device-response.json"), jobsByDevice)
    expect(ListOTAJobByDevice.output).toBe(ListOTAJobByFirmware.output)
  })

  it("sends the device, the firmware, the page and the page size", () => {
    expect(wire(ListOTAJobByDevice, { ...device, currentPage: 2, iotInstanceId: "iot-1" })).toStrictEqual({
      ProductKey: "a1GUfrM3kLp",
      DeviceName: "lamp-0001",
      FirmwareId: "fw-1",
      PageSize: "10",
      CurrentPage: "2",
      IotInstanceId: "iot-1"
    })
  })

  it("refuses out-of-range input, naming the field", () => {
    expect(refusal(ListOTAJobByDevice, { ...device, pageSize: 101 })).toMatchObject({
      field: "pageSize",
      rule: "an integer from 1 to 100"
    })
    expect(refusal(ListOTAJobByDevice, { productKey: "pk", firmwareId: "fw-1" })).toMatchObject({
      field: "deviceName",
      rule: "required"
    })
    expect(refusal(ListOTAJobByDevice, { ...device, firmwareId: "" })).toMatchObject({ field: "firmwareId" })
  })
})

describe("ListOTAUnfinishedTaskByDevice", () => {
  const device = { productKey: "a1GUfrM3kLp", deviceName: "lamp-0002" }

  it("decodes the documented example in both casings", () => {
    expectDecodes(
      ListOTAUnfinishedTaskByDevice,
      fixture("list-ota-unfinished-task-by-device-response.json"),
      unfinishedTasks
    )
    const empty = Operation.decode(ListOTAUnfinishedTaskByDevice, { RequestId: "r", Data: {} })
    expect(empty).toStrictEqual({ ok: true, value: { requestId: "r", tasks: [] } })
  })

  it("sends the device, the module, and one status or a repeat list of statuses", () => {
    expect(wire(ListOTAUnfinishedTaskByDevice, device)).toStrictEqual({
      ProductKey: "a1GUfrM3kLp",
      DeviceName: "lamp-0002"
    })
    expect(wire(ListOTAUnfinishedTaskByDevice, { ...device, taskStatus: "IN_PROGRESS" })).toStrictEqual({
      ProductKey: "a1GUfrM3kLp",
      DeviceName: "lamp-0002",
      TaskStatus: "IN_PROGRESS"
    })
    expect(
      wire(ListOTAUnfinishedTaskByDevice, {
        ...device,
        moduleName: "wifi",
        taskStatusList: ["CONFIRM", "QUEUED", "NOTIFIED", "IN_PROGRESS"],
        iotInstanceId: "iot-1"
      })
    ).toStrictEqual({
      ProductKey: "a1GUfrM3kLp",
      DeviceName: "lamp-0002",
      ModuleName: "wifi",
      "TaskStatusList.1": "CONFIRM",
      "TaskStatusList.2": "QUEUED",
      "TaskStatusList.3": "NOTIFIED",
      "TaskStatusList.4": "IN_PROGRESS",
      IotInstanceId: "iot-1"
    })
  })

  it("refuses finished statuses, more than 4 of them, and a missing device, naming the field", () => {
    expect(refusal(ListOTAUnfinishedTaskByDevice, { ...device, taskStatus: "SUCCEEDED" })).toMatchObject({
      field: "taskStatus",
      rule: "one of CONFIRM, QUEUED, NOTIFIED, IN_PROGRESS"
    })
    expect(
      refusal(ListOTAUnfinishedTaskByDevice, {
        ...device,
        taskStatusList: ["CONFIRM", "QUEUED", "NOTIFIED", "IN_PROGRESS", "QUEUED"]
      })
    ).toMatchObject({ field: "taskStatusList", rule: "a list of 1 to 4 unfinished task statuses" })
    expect(refusal(ListOTAUnfinishedTaskByDevice, { ...device, taskStatusList: [] })).toMatchObject({
      field: "taskStatusList"
    })
    expect(
      refusal(ListOTAUnfinishedTaskByDevice, { ...device, taskStatusList: ["QUEUED", "FAILED"] })
    ).toMatchObject({ field: "taskStatusList[1]" })
    expect(refusal(ListOTAUnfinishedTaskByDevice, { deviceName: "lamp-0002" })).toMatchObject({
      field: "productKey",
      rule: "required"
    })
    expect(refusal(ListOTAUnfinishedTaskByDevice, { ...device, moduleName: "" })).toMatchObject({
      field: "moduleName"
    })
  })
})

const READ_PATH = [
  { operation: ListOTAFirmware, fixture: "list-ota-firmware-response.json" },
  { operation: QueryOTAFirmware, fixture: "query-ota-firmware-response.json" },
  { operation: QueryOTAFirmware, fixture: "query-ota-firmware-multi-file-response.json" },
  { operation: ListOTAJobByFirmware, fixture: "list-ota-job-by-firmware-response.json" },
  { operation: ListOTAJobByDevice, fixture: "list-ota-job-by-device-response.json" },
  { operation: ListOTAUnfinishedTaskByDevice, fixture: "list-ota-unfinished-task-by-device-response.json" }
] as const

/** A decode that ends in a value holds a value of the result type: the decoder's output is valid by construction. */
const decodesSafely = (operation: Operation.Operation, body: unknown) => {
  const result = Operation.decode(operation, body)
  if (result.ok) expect(Schema.is(Schema.typeSchema(operation.output))(result.value)).toBe(true)
  else expect(result.problem.length).toBeGreaterThan(0)
}

/** Every path to a value inside `value`. */
const pathsOf = (
  value: unknown,
  prefix: ReadonlyArray<string | number> = []
): Array<Array<string | number>> => {
  if (value === null || typeof value !== "object") return [[...prefix]]
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value)
  return [[...prefix], ...entries.flatMap(([key, v]) => pathsOf(v, [...prefix, key]))]
}

/** `value` with the subtree at `path` replaced (a deep copy). */
const replaced = (value: unknown, path: ReadonlyArray<string | number>, by: unknown): unknown => {
  if (path.length === 0) return by
  const copy = structuredClone(value) as Record<string | number, unknown>
  let parent = copy
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>
  parent[path[path.length - 1]!] = by
  return copy
}

describe("the read path's decoders", () => {
  const keys = fc.constantFrom(
    "RequestId",
    "Total",
    "PageSize",
    "CurrentPage",
    "Data",
    "FirmwareInfo",
    "SimpleFirmwareInfo",
    "SimpleOTAJobInfo",
    "SimpleOTATaskInfo",
    "FirmwareId",
    "JobId",
    "TaskId",
    "DeviceName",
    "jobStatus",
    "Type",
    "MultiFiles",
    "Name",
    "Url",
    "Size",
    "Tags",
    "OtaTagDTO",
    "Key",
    "UtcCreate"
  )
  const scalars = fc.oneof(
    fc.jsonValue({ maxDepth: 0 }),
    fc.constantFrom("12", " 3 ", "-1", "2024-09-18T09:45:30.000Z", "2024-11-11 T11:11:11.000Z", "", "true")
  )
  const json: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: "small" },
      scalars,
      fc.dictionary(keys, tie("value"), { maxKeys: 5 }),
      fc.array(tie("value"), { maxLength: 3 })
    )
  })).value

  it("never throw on arbitrary JSON, and a value they return has the result's type", () => {
    fc.assert(
      fc.property(json, (body) => {
        for (const { operation } of READ_PATH) decodesSafely(operation, body)
      }),
      { numRuns: 2000 }
    )
  })

  it("never throw on a documented example with any part replaced, in either casing", () => {
    const cases = READ_PATH.map(({ operation, fixture: name }) => {
      const body = fixture(name)
      return { operation, bodies: [body, camelCased(body)], paths: pathsOf(body) }
    })
    fc.assert(
      fc.property(fc.nat(), fc.nat(), fc.boolean(), json, (which, where, camel, by) => {
        const { operation, bodies, paths } = cases[which % cases.length]!
        const path = paths[where % paths.length]!
        const body = camel ? bodies[1] : bodies[0]
        const camelPath = camel
          ? path.map((key) => (typeof key === "string" ? key.charAt(0).toLowerCase() + key.slice(1) : key))
          : path
        decodesSafely(operation, replaced(body, camelPath, by))
      }),
      { numRuns: 3000 }
    )
  })
})

/** The method names each runtime generates, written out. */
const METHODS = {
  ListOTATaskByJob: {
    promise: ["listOTATaskByJob", "paginateOTATaskByJob", "paginateOTATaskByJobPages"],
    effect: ["listOTATaskByJob", "listOTATaskByJobPages", "streamOTATaskByJob"]
  },
  QueryOTAJob: { promise: ["queryOTAJob"], effect: ["queryOTAJob"] },
  ListOTAFirmware: {
    promise: ["listOTAFirmware", "paginateOTAFirmware", "paginateOTAFirmwarePages"],
    effect: ["listOTAFirmware", "listOTAFirmwarePages", "streamOTAFirmware"]
  },
  QueryOTAFirmware: { promise: ["queryOTAFirmware"], effect: ["queryOTAFirmware"] },
  ListOTAJobByFirmware: {
    promise: ["listOTAJobByFirmware", "paginateOTAJobByFirmware", "paginateOTAJobByFirmwarePages"],
    effect: ["listOTAJobByFirmware", "listOTAJobByFirmwarePages", "streamOTAJobByFirmware"]
  },
  ListOTAJobByDevice: {
    promise: ["listOTAJobByDevice", "paginateOTAJobByDevice", "paginateOTAJobByDevicePages"],
    effect: ["listOTAJobByDevice", "listOTAJobByDevicePages", "streamOTAJobByDevice"]
  },
  ListOTAUnfinishedTaskByDevice: {
    promise: ["listOTAUnfinishedTaskByDevice"],
    effect: ["listOTAUnfinishedTaskByDevice"]
  }
} as const

// The generated types carry every name (a missing one fails `pnpm typecheck`).
type Promised = keyof PromiseMethods<typeof Operations>
type Effected = keyof OtaClientService
const promiseNames: ReadonlyArray<Promised> = Object.values(METHODS).flatMap((names) => names.promise)
const effectNames: ReadonlyArray<Effected> = Object.values(METHODS).flatMap((names) => names.effect)

describe("the operations table", () => {
  it("keys each operation by its action, and holds the seven read operations", () => {
    for (const [key, operation] of Object.entries(Operations)) expect(key).toBe(operation.action)
    expect(Object.keys(Operations).sort()).toStrictEqual(Object.keys(METHODS).sort())
  })

  it("gives the Promise clients exactly these methods", () => {
    const Client = withOperations(PromiseClient, Operations)
    expect(
      Object.getOwnPropertyNames(Client.prototype)
        .filter((name) => name !== "constructor")
        .sort()
    ).toStrictEqual([...promiseNames].sort())
  })

  it.effect("gives the Effect client these methods, each reaching its operation", () => {
    const http = fakeHttp((request) =>
      Effect.succeed({ body: { RequestId: request.params.Action, Total: 0, Data: {}, FirmwareInfo: {} } })
    )
    return Effect.gen(function* () {
      const client = yield* OtaClient
      for (const name of effectNames) expect(typeof client[name]).toBe("function")
      for (const [action, operation] of Object.entries(Operations)) {
        if (Operation.isPaged(operation)) continue
        const name = Operation.names(action)
        expect([name.stream, `${name.method}Pages`].filter((method) => method in client)).toStrictEqual([])
      }
      // The non-paged listing is one call.
      const { tasks } = yield* client.listOTAUnfinishedTaskByDevice({ productKey: "pk", deviceName: "d" })
      expect(tasks).toStrictEqual([])
      expect(http.requests.map((r) => r.params.Action)).toStrictEqual(["ListOTAUnfinishedTaskByDevice"])
    }).pipe(Effect.provide(clientLayer(http.layer)))
  })
})

/** What a request carries besides the common and signature parameters. */
const COMMON = new Set([
  "Format",
  "Version",
  "AccessKeyId",
  "SignatureMethod",
  "Timestamp",
  "SignatureVersion",
  "SignatureNonce",
  "Signature",
  "RegionId"
])
const ownParams = (params: Record<string, string>) =>
  Object.fromEntries(Object.entries(params).filter(([key]) => !COMMON.has(key)))

describe("the generated Effect methods over the client", () => {
  it.effect("send each operation's documented parameters and return the decoded example", () => {
    const bodies: Record<string, Record<string, unknown>> = {
      ListOTAFirmware: fixture("list-ota-firmware-response.json"),
      QueryOTAFirmware: fixture("query-ota-firmware-multi-file-response.json"),
      ListOTAJobByFirmware: fixture("list-ota-job-by-firmware-response.json"),
      ListOTAJobByDevice: fixture("list-ota-job-by-device-response.json"),
      ListOTAUnfinishedTaskByDevice: fixture("list-ota-unfinished-task-by-device-response.json")
    }
    const http = fakeHttp((request) => Effect.succeed({ body: bodies[request.params.Action!]! }))
    return Effect.gen(function* () {
      const client = yield* OtaClient
      expect(yield* client.listOTAFirmware({ productKey: "a1GUfrM3kLp" })).toStrictEqual(firmwarePage)
      expect(yield* client.queryOTAFirmware({ firmwareId: "kF8sPq2LmN4rT6vX9zB1cD0100" })).toStrictEqual(
        multiFileFirmware
      )
      expect(yield* client.listOTAJobByFirmware({ firmwareId: "UfuxnwygsuSkVE0VCNmx0100" })).toStrictEqual(
        jobsByFirmware
      )
      expect(
        yield* client.listOTAJobByDevice({
          productKey: "a1GUfrM3kLp",
          deviceName: "lamp-0001",
          firmwareId: "UfuxnwygsuSkVE0VCNmx0100",
          pageSize: 100
        })
      ).toStrictEqual(jobsByDevice)
      expect(
        yield* client.listOTAUnfinishedTaskByDevice({
          productKey: "a1GUfrM3kLp",
          deviceName: "lamp-0002",
          taskStatusList: ["QUEUED", "CONFIRM"]
        })
      ).toStrictEqual(unfinishedTasks)
      expect(http.requests.map((r) => ownParams(r.params))).toStrictEqual([
        { Action: "ListOTAFirmware", PageSize: "10", CurrentPage: "1", ProductKey: "a1GUfrM3kLp" },
        { Action: "QueryOTAFirmware", FirmwareId: "kF8sPq2LmN4rT6vX9zB1cD0100" },
        {
          Action: "ListOTAJobByFirmware",
          FirmwareId: "UfuxnwygsuSkVE0VCNmx0100",
          PageSize: "10",
          CurrentPage: "1"
        },
        {
          Action: "ListOTAJobByDevice",
          ProductKey: "a1GUfrM3kLp",
          DeviceName: "lamp-0001",
          FirmwareId: "UfuxnwygsuSkVE0VCNmx0100",
          PageSize: "100",
          CurrentPage: "1"
        },
        {
          Action: "ListOTAUnfinishedTaskByDevice",
          ProductKey: "a1GUfrM3kLp",
          DeviceName: "lamp-0002",
          "TaskStatusList.1": "QUEUED",
          "TaskStatusList.2": "CONFIRM"
        }
      ])
    }).pipe(Effect.provide(clientLayer(http.layer)))
  })

  it.effect(
    "stream every item of each listing once, page after page, at the largest page size by default",
    () => {
      // The documented examples' items, served with real paging arithmetic at the page size asked for.
      const jobs = fixture("list-ota-job-by-firmware-response.json").Data as Record<string, unknown>
      const firmware = fixture("list-ota-firmware-response.json").FirmwareInfo as Record<string, unknown>
      const listings: Record<string, readonly [string, string, ReadonlyArray<unknown>]> = {
        ListOTAFirmware: [
          "FirmwareInfo",
          "SimpleFirmwareInfo",
          firmware.SimpleFirmwareInfo as Array<unknown>
        ],
        ListOTAJobByFirmware: ["Data", "SimpleOTAJobInfo", jobs.SimpleOTAJobInfo as Array<unknown>],
        ListOTAJobByDevice: ["Data", "SimpleOTAJobInfo", jobs.SimpleOTAJobInfo as Array<unknown>]
      }
      const http = fakeHttp(({ params }) => {
        const [outer, inner, all] = listings[params.Action!]!
        const page = Number(params.CurrentPage)
        const size = Number(params.PageSize)
        return Effect.succeed({
          body: {
            RequestId: `r-${page}`,
            Total: all.length,
            PageSize: size,
            CurrentPage: page,
            PageCount: Math.ceil(all.length / size),
            [outer]: { [inner]: all.slice((page - 1) * size, page * size) }
          }
        })
      })
      const collect = <A>(stream: Stream.Stream<A, unknown>) =>
        Effect.map(Stream.runCollect(stream), Chunk.toReadonlyArray)
      return Effect.gen(function* () {
        const client = yield* OtaClient
        const device = { productKey: "a1GUfrM3kLp", deviceName: "lamp-0001", firmwareId: "fw-1" }
        for (const pageSize of [1, undefined]) {
          expect(yield* collect(client.streamOTAFirmware({ pageSize }))).toStrictEqual(firmwarePage.firmware)
          expect(
            yield* collect(client.streamOTAJobByFirmware({ firmwareId: "fw-1", pageSize }))
          ).toStrictEqual(jobsByFirmware.jobs)
          expect(yield* collect(client.streamOTAJobByDevice({ ...device, pageSize }))).toStrictEqual(
            jobsByFirmware.jobs
          )
        }
        const pages = yield* collect(client.listOTAJobByFirmwarePages({ firmwareId: "fw-1", pageSize: 1 }))
        expect(pages.map((page) => [page.currentPage, page.jobs.length])).toStrictEqual([
          [1, 1],
          [2, 1]
        ])
        expect(
          http.requests.map(({ params }) => [params.Action, params.PageSize, params.CurrentPage])
        ).toStrictEqual([
          ["ListOTAFirmware", "1", "1"],
          ["ListOTAFirmware", "1", "2"],
          ["ListOTAJobByFirmware", "1", "1"],
          ["ListOTAJobByFirmware", "1", "2"],
          ["ListOTAJobByDevice", "1", "1"],
          ["ListOTAJobByDevice", "1", "2"],
          ["ListOTAFirmware", "100", "1"],
          ["ListOTAJobByFirmware", "200", "1"],
          ["ListOTAJobByDevice", "100", "1"],
          ["ListOTAJobByFirmware", "1", "1"],
          ["ListOTAJobByFirmware", "1", "2"]
        ])
      }).pipe(Effect.provide(clientLayer(http.layer)))
    }
  )
})
