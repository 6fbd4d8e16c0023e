import { readFileSync } from "node:fs"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import * as fc from "fast-check"
import * as Operation from "../src/Operation.js"
import { ListOTATaskByJob, TASK_STATUSES } from "../src/operations/ListOTATaskByJob.js"

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`fixtures/${name}`, import.meta.url), "utf8"))
const run = (input: unknown) => Effect.runSync(Effect.either(Operation.check(ListOTATaskByJob, input)))
const ListOTATaskByJobResponse = Operation.responseSchema(ListOTATaskByJob)

describe("ListOTATaskByJob input", () => {
  it("applies the server's defaults", () => {
    expect(run({ jobId: "job-1" })).toEqual(Either.right({ jobId: "job-1", pageSize: 10, currentPage: 1 }))
  })

  it.each([
    { jobId: "j", pageSize: 1 },
    { jobId: "j", pageSize: 100 },
    { jobId: "j", currentPage: 1000, pageSize: 100 },
    { jobId: "j", currentPage: 10000, pageSize: 10 },
    { jobId: "j", taskStatus: "CONFIRM" },
    { jobId: "j", deviceNames: ["a"] },
    { jobId: "j", deviceNames: Array.from({ length: 50 }, (_, i) => `d${i}`) },
    { jobId: "j", iotInstanceId: "iot-cn-123" },
    { jobId: "j", taskStatus: undefined, deviceNames: undefined }
  ])("accepts the documented boundary %j", (input) => {
    expect(Either.isRight(run(input))).toBe(true)
  })

  it.each([
    [{ jobId: "j", pageSize: 0 }, "pageSize", "pageSize must be an integer from 1 to 100, got 0"],
    [{ jobId: "j", pageSize: 101 }, "pageSize", "pageSize must be an integer from 1 to 100, got 101"],
    [{ jobId: "j", pageSize: 2.5 }, "pageSize", "pageSize must be an integer from 1 to 100, got 2.5"],
    [{ jobId: "j", pageSize: Number.NaN }, "pageSize", "got NaN"],
    [{ jobId: "j", pageSize: "10" }, "pageSize", 'got "10"'],
    [{ jobId: "j", currentPage: 0 }, "currentPage", "currentPage must be an integer of at least 1, got 0"],
    [{ jobId: "j", currentPage: 1001, pageSize: 100 }, "currentPage", "at most 100000"],
    [{ jobId: "j", currentPage: 100001 }, "currentPage", "at most 100000"],
    [{ jobId: "j", taskStatus: "DONE" }, "taskStatus", "one of CONFIRM, QUEUED"],
    [{ jobId: "" }, "jobId", "jobId must be a non-empty string"],
    [{ jobId: "   " }, "jobId", "jobId must be a non-empty string"],
    [{}, "jobId", "jobId is required"],
    [{ jobId: 42 }, "jobId", "got 42"],
    [{ jobId: "j", deviceNames: [] }, "deviceNames", "a list of 1 to 50"],
    [{ jobId: "j", deviceNames: ["ok", ""] }, "deviceNames[1]", "deviceNames[1] must be a non-empty string"],
    [
      { jobId: "j", deviceNames: Array.from({ length: 51 }, (_, i) => `d${i}`) },
      "deviceNames",
      "a list of 1 to 50"
    ],
    [{ jobId: "j", pagesize: 10 }, "pagesize", "pagesize is not a known field of ListOTATaskByJob"]
  ])("rejects %j with a ValidationError naming %s", (input, field, message) => {
    const result = run(input)
    expect(Either.isLeft(result)).toBe(true)
    if (Either.isLeft(result)) {
      expect(result.left._tag).toBe("ValidationError")
      expect(result.left.field).toBe(field)
      expect(result.left.message).toContain(message)
    }
  })

  it("rejects input that is not an object", () => {
    const result = run("job-1")
    expect(Either.isLeft(result) && result.left.message).toBe("ListOTATaskByJob must be an object")
  })
})

describe("ListOTATaskByJob wire parameters", () => {
  const encode = (request: Operation.Operation.Request<typeof ListOTATaskByJob>) =>
    Operation.encode(ListOTATaskByJob, request)

  it("flattens to JobId, PageSize, CurrentPage, TaskStatus, DeviceNames.N and IotInstanceId", () => {
    expect(
      encode({
        jobId: "job-1",
        pageSize: 20,
        currentPage: 3,
        taskStatus: "FAILED",
        deviceNames: ["a", "b"],
        iotInstanceId: "iot-1"
      })
    ).toEqual({
      JobId: "job-1",
      PageSize: "20",
      CurrentPage: "3",
      TaskStatus: "FAILED",
      "DeviceNames.1": "a",
      "DeviceNames.2": "b",
      IotInstanceId: "iot-1"
    })
  })

  it("never sends absent fields", () => {
    expect(encode({ jobId: "job-1", pageSize: 10, currentPage: 1 })).toEqual({
      JobId: "job-1",
      PageSize: "10",
      CurrentPage: "1"
    })
  })

  const validRequest = fc
    .record(
      {
        jobId: fc.string({ unit: "grapheme", minLength: 1, maxLength: 30 }).filter((s) => s.trim() !== ""),
        pageSize: fc.integer({ min: 1, max: 100 }),
        currentPage: fc.integer({ min: 1, max: 1000 }),
        taskStatus: fc.constantFrom(...TASK_STATUSES),
        deviceNames: fc.array(
          fc.string({ unit: "grapheme", minLength: 1, maxLength: 20 }).filter((s) => s.trim() !== ""),
          { minLength: 1, maxLength: 50 }
        ),
        iotInstanceId: fc.string({ minLength: 1, maxLength: 20 }).filter((s) => s.trim() !== "")
      },
      { requiredKeys: ["jobId", "pageSize", "currentPage"] }
    )
    .filter((r) => r.currentPage * r.pageSize <= 100_000)

  it("sends exactly the documented parameters for any checked request", () => {
    // The reference: docs/api/ListOTATaskByJob.md, written out by hand.
    const expected = (request: typeof validRequest extends fc.Arbitrary<infer R> ? R : never) => {
      const wire: Record<string, string> = {
        JobId: request.jobId,
        PageSize: String(request.pageSize),
        CurrentPage: String(request.currentPage)
      }
      if (request.taskStatus !== undefined) wire.TaskStatus = request.taskStatus
      if (request.iotInstanceId !== undefined) wire.IotInstanceId = request.iotInstanceId
      request.deviceNames?.forEach((name, i) => {
        wire[`DeviceNames.${i + 1}`] = name
      })
      return wire
    }
    fc.assert(
      fc.property(validRequest, (request) => {
        expect(Either.getOrThrow(Operation.check(ListOTATaskByJob, request))).toEqual(request)
        expect(encode(request)).toEqual(expected(request))
      }),
      { numRuns: 500 }
    )
  })
})

describe("ListOTATaskByJob response decoding", () => {
  const decode = Schema.decodeUnknownSync(ListOTATaskByJobResponse)

  it("decodes the API reference's camelCase example", () => {
    const page = decode(fixture("spec-example-response.json"))
    expect(page).toEqual({
      total: 1,
      pageSize: 10,
      currentPage: 1,
      pageCount: 1,
      requestId: "fe273c87-abc9-483f-bd63-e9876d594cd3",
      tasks: [
        {
          taskId: "18363407798669****",
          jobId: "183634077921266****",
          iotId: "OZs5tjTkzRRTZSCekmbRk1****",
          deviceName: "device_actived",
          productKey: "k1h9drZ****",
          firmwareId: "136",
          srcVersion: "0.0.0",
          destVersion: "1.2.3",
          taskStatus: "FAILED",
          taskDesc: "fix device ota module",
          timeout: 5,
          utcCreate: new Date("2024-09-18T09:45:34.139Z"),
          utcModified: new Date("2024-09-18T09:45:34.148Z")
        }
      ]
    })
  })

  it("decodes Alibaba PascalCase, ID suffixes, numbers as strings and spaced timestamps", () => {
    const page = decode(fixture("alibaba-response.json"))
    expect(page.total).toBe(2)
    expect(page.requestId).toBe("A59D3BE1-E9A3-43F3-9B50-B7C8DE165D9B")
    expect(page.tasks[0]).toMatchObject({
      taskId: "y3tOmCDNgpR8F9jnVEzC01****",
      productName: "MyProduct",
      progress: 0,
      timeout: 1440,
      taskDesc: "report version is not conform"
    })
    expect(page.tasks[1]).toEqual({
      taskId: "y3tOmCDNgpR8F9jnVEzC02****",
      jobId: "7glPHmaDYLAYMD1HHutT02****",
      iotId: "SR8FiTu1R9tlUR2V1bmi00106****",
      deviceName: "testDevice2",
      productKey: "a1GUfrM****",
      firmwareId: "167",
      destVersion: "1.0.1",
      taskStatus: "IN_PROGRESS",
      progress: 50,
      utcCreate: new Date("2024-11-11T11:11:11.000Z"),
      utcModified: new Date("2024-11-11T11:12:13.000Z")
    })
  })

  it("keeps an unknown future status as a string and tolerates missing optional fields", () => {
    const page = decode({
      Total: "1",
      PageSize: "10",
      CurrentPage: "1",
      Data: { SimpleOTATaskInfo: { TaskId: 7, DeviceName: "d", TaskStatus: "PAUSED" } }
    })
    expect(page.pageCount).toBe(1)
    expect(page.requestId).toBeUndefined()
    expect(page.tasks).toEqual([
      {
        taskId: "7",
        jobId: "",
        iotId: "",
        deviceName: "d",
        productKey: "",
        firmwareId: "",
        destVersion: "",
        taskStatus: "PAUSED"
      }
    ])
  })

  it("reads an empty page with or without Data", () => {
    expect(decode({ Total: 5, PageSize: 10, CurrentPage: 2, PageCount: 1, Data: {} }).tasks).toEqual([])
    expect(decode({ Total: 5, PageSize: 10, CurrentPage: 2 }).tasks).toEqual([])
    expect(
      decode({ total: 0, pageSize: 10, currentPage: 1, data: { simpleOTATaskInfo: [] } }).pageCount
    ).toBe(0)
  })

  it.each([
    ["2019-11-04T03:38:15.000Z", "2019-11-04T03:38:15.000Z"],
    ["2024-11-11 T11:11:11.000Z", "2024-11-11T11:11:11.000Z"],
    ["2024-11-11 11:11:11", "2024-11-11T11:11:11.000Z"],
    ["2024-11-11T19:11:11+08:00", "2024-11-11T11:11:11.000Z"],
    ["2024-11-11T19:11:11.123456+0800", "2024-11-11T11:11:11.123Z"],
    [1731323471000, "2024-11-11T11:11:11.000Z"],
    ["1731323471000", "2024-11-11T11:11:11.000Z"]
  ])("reads the timestamp %j", (raw, iso) => {
    const page = decode({
      Total: 1,
      Data: { SimpleOTATaskInfo: [{ TaskId: "t", DeviceName: "d", TaskStatus: "QUEUED", UtcCreate: raw }] }
    })
    expect(page.tasks[0]?.utcCreate?.toISOString()).toBe(iso)
  })

  it("reads the API's own timestamp spellings exactly as Date does, for any instant", () => {
    const taskAt = (utcCreate: string) =>
      decode({
        Total: 1,
        Data: {
          SimpleOTATaskInfo: [{ TaskId: "t", DeviceName: "d", TaskStatus: "QUEUED", UtcCreate: utcCreate }]
        }
      }).tasks[0]?.utcCreate?.getTime()
    fc.assert(
      fc.property(
        fc.date({
          min: new Date(Date.UTC(1, 0, 1)),
          max: new Date(Date.UTC(9999, 11, 31)),
          noInvalidDate: true
        }),
        (date) => {
          const iso = date.toISOString()
          expect(taskAt(iso)).toBe(date.getTime())
          expect(taskAt(iso.slice(0, 19) + "Z")).toBe(Math.floor(date.getTime() / 1000) * 1000)
        }
      ),
      { numRuns: 2000 }
    )
    // Field values Date rolls over (the 31st of a 30-day month) or refuses (hour 24, month 13) agree too.
    const digits = (n: number, width: number) => String(n).padStart(width, "0")
    fc.assert(
      fc.property(
        fc.tuple(
          fc.integer({ min: 0, max: 9999 }),
          fc.integer({ min: 0, max: 13 }),
          fc.integer({ min: 0, max: 32 }),
          fc.integer({ min: 0, max: 25 }),
          fc.integer({ min: 0, max: 60 }),
          fc.integer({ min: 0, max: 60 })
        ),
        ([y, mo, d, h, mi, se]) => {
          const text = `${digits(y, 4)}-${digits(mo, 2)}-${digits(d, 2)}T${digits(h, 2)}:${digits(mi, 2)}:${digits(se, 2)}.123Z`
          const expected = new Date(text).getTime()
          if (Number.isNaN(expected)) expect(() => taskAt(text)).toThrow()
          else expect(taskAt(text)).toBe(expected)
        }
      ),
      { numRuns: 2000 }
    )
  })

  it("rejects a body that is not the documented shape, naming the field", () => {
    expect(() => decode({ Total: "many" })).toThrow(/total: expected a non-negative integer, got "many"/)
    expect(() =>
      decode({
        Total: 1,
        Data: {
          SimpleOTATaskInfo: [{ TaskId: "t", DeviceName: "d", TaskStatus: "QUEUED", Progress: "half" }]
        }
      })
    ).toThrow(/tasks\[0\]\.progress: expected a number/)
    expect(() => decode({ Total: 1, Data: { SimpleOTATaskInfo: [{ DeviceName: "d" }] } })).toThrow()
    expect(() => decode([1, 2])).toThrow()
  })

  it("never throws anything but a ParseError on arbitrary JSON", () => {
    const decodeEither = Schema.decodeUnknownEither(ListOTATaskByJobResponse)
    const taskLike = fc.dictionary(
      fc.constantFrom(
        "TaskId",
        "taskId",
        "TaskID",
        "DeviceName",
        "TaskStatus",
        "Progress",
        "UtcCreate",
        "Timeout",
        "x"
      ),
      fc.jsonValue({ maxDepth: 2 })
    )
    const bodyLike = fc.oneof(
      fc.jsonValue(),
      fc.record(
        {
          Total: fc.oneof(fc.integer(), fc.string(), fc.jsonValue({ maxDepth: 1 })),
          PageSize: fc.jsonValue({ maxDepth: 1 }),
          Data: fc.oneof(
            fc.jsonValue({ maxDepth: 2 }),
            fc.record({ SimpleOTATaskInfo: fc.oneof(fc.array(taskLike), taskLike) })
          )
        },
        { requiredKeys: [] }
      )
    )
    fc.assert(
      fc.property(bodyLike, (body) => {
        const result = decodeEither(body)
        if (Either.isLeft(result)) expect(result.left._tag).toBe("ParseError")
        else expect(Array.isArray(result.right.tasks)).toBe(true)
      }),
      { numRuns: 3000 }
    )
  })
})
