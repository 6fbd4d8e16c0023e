import { readFileSync } from "node:fs"
import { describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import * as fc from "fast-check"
import { compile, decodeWith } from "../src/internal/decoder.js"
import * as Operation from "../src/Operation.js"
import { Operations } from "../src/Operations.js"
import { ListOTATaskByJob } from "../src/operations/ListOTATaskByJob.js"
import { QueryOTAJob } from "../src/operations/QueryOTAJob.js"
import * as Wire from "../src/Wire.js"

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`fixtures/${name}`, import.meta.url), "utf8"))

/** The same JSON with every key's first letter lower-cased, as Tuya's examples send it. */
const camelCased = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(camelCased)
  if (value === null || typeof value !== "object") return value
  return Object.fromEntries(
    Object.entries(value).map(([key, v]) => [key.charAt(0).toLowerCase() + key.slice(1), camelCased(v)])
  )
}

/** A made-up operation exercising every kind of field the decoder compiles. */
const Probe = Operation.make({
  action: "Probe",
  input: Schema.Struct({
    id: Wire.NonBlank.pipe(Wire.param("Id")),
    size: Schema.optionalWith(Wire.PageSize(20), { default: () => 5 }).pipe(Wire.param("Size")),
    names: Schema.optional(Wire.List(Wire.NonBlank, 3, "names")).pipe(Wire.param("Name")),
    flag: Schema.optional(Schema.Boolean).pipe(Wire.param("Flag"))
  }),
  output: Schema.Struct({
    requestId: Wire.optional(Schema.String),
    count: Wire.Count,
    label: Wire.OrEmpty,
    enabled: Wire.optional(Schema.Boolean),
    kind: Wire.optional(Schema.Literal("A", "B")),
    at: Wire.optional(Schema.DateFromSelf),
    items: Schema.optionalWith(
      Schema.Array(Schema.Struct({ itemId: Schema.String, weight: Schema.Number })),
      {
        default: () => []
      }
    ).pipe(Wire.from("Data.Items.Item")),
    tags: Wire.optional(Schema.Array(Schema.String))
  })
})

const decode = (body: unknown) => Operation.decode(Probe, body)

describe("the request side of a declaration", () => {
  it("encodes each field to its declared wire name, lists as repeat lists, absent fields not at all", () => {
    const request = Either.getOrThrow(Operation.check(Probe, { id: "x", names: ["a", "b"], flag: true }))
    expect(Operation.encode(Probe, request)).toEqual({
      Id: "x",
      Size: "5",
      "Name.1": "a",
      "Name.2": "b",
      Flag: "true"
    })
  })

  it("checks the input with its Schema and names the field", () => {
    const result = Operation.check(Probe, { id: "x", names: ["a", "b", "c", "d"] })
    expect(Either.isLeft(result) && result.left).toMatchObject({ _tag: "ValidationError", field: "names" })
    const unknown = Operation.check(Probe, { id: "x", sise: 3 })
    expect(Either.isLeft(unknown) && unknown.left.message).toBe("sise is not a known field of Probe")
  })

  it("derives span attributes and the iotInstanceId question from the declaration", () => {
    expect(Operation.spanAttributes(Probe, { id: "x", size: 5, names: ["a"] })).toEqual({
      "ota.id": "x",
      "ota.size": 5,
      "ota.names.count": 1
    })
    expect(Operation.iotInstanceIdField(Probe)).toBeUndefined()
    expect(Operation.iotInstanceIdField(QueryOTAJob)).toBe("iotInstanceId")
  })

  it("refuses a declaration whose field has no wire name", () => {
    const Broken = Operation.make({
      action: "Broken",
      input: Schema.Struct({ id: Schema.String }),
      output: Schema.Struct({})
    })
    expect(() => Operation.check(Broken, { id: "x" })).toThrow(/declares no wire name/)
  })
})

describe("the tolerant decoder compiled from a response Schema", () => {
  it("reads PascalCase, camelCase and ID suffixes alike", () => {
    const body = {
      RequestId: "r",
      Count: 2,
      Label: "l",
      Data: { Items: { Item: [{ ItemID: "a", Weight: 1 }] } }
    }
    const expected = {
      requestId: "r",
      count: 2,
      label: "l",
      items: [{ itemId: "a", weight: 1 }]
    }
    expect(decode(body)).toEqual({ ok: true, value: expected })
    expect(decode(camelCased(body))).toEqual({ ok: true, value: expected })
  })

  it("reads numbers and booleans sent as strings, ids sent as numbers, and timestamps in their spellings", () => {
    const result = decode({
      count: "3",
      enabled: "true",
      at: "2024-11-11 T11:11:11.000Z",
      data: { items: { item: [{ itemId: 7, weight: " 2.5 " }] } }
    })
    expect(result).toEqual({
      ok: true,
      value: {
        count: 3,
        label: "",
        enabled: true,
        at: new Date("2024-11-11T11:11:11.000Z"),
        items: [{ itemId: "7", weight: 2.5 }]
      }
    })
  })

  it("unwraps lists: a bare list, a one-key wrapper, a single object, null and an empty wrapper", () => {
    const items = (data: unknown) => {
      const result = decode({ count: 0, data })
      return result.ok ? result.value.items : result.problem
    }
    expect(items([{ itemId: "a", weight: 1 }])).toEqual([{ itemId: "a", weight: 1 }])
    expect(items({ Items: [{ itemId: "a", weight: 1 }] })).toEqual([{ itemId: "a", weight: 1 }])
    expect(items({ Items: { Item: { itemId: "a", weight: 1 } } })).toEqual([{ itemId: "a", weight: 1 }])
    expect(items(null)).toEqual([])
    expect(items({})).toEqual([])
    const tags = decode({ count: 0, tags: { Tag: ["x", "y"] } })
    expect(tags.ok && tags.value.tags).toEqual(["x", "y"])
  })

  it("treats null and empty strings of optional fields as absent, ignores unknown keys, and the first spelling wins", () => {
    expect(decode({ Count: 1, count: 2, Kind: null, at: "", Extra: { deep: [1] } })).toEqual({
      ok: true,
      value: { count: 1, label: "", items: [] }
    })
  })

  it("fails at the first problem, naming its path and the value", () => {
    const problem = (body: unknown) => {
      const result = decode(body)
      return result.ok ? "ok" : result.problem
    }
    expect(problem({ count: -1 })).toBe("count: expected a non-negative integer, got -1")
    expect(problem({ count: null })).toBe("count: expected a non-negative integer, got null")
    expect(problem({})).toBe("count: expected a non-negative integer, got nothing")
    expect(problem({ count: 1, kind: "C" })).toBe('kind: expected "A" or "B", got "C"')
    expect(
      problem({
        count: 1,
        data: {
          items: [
            { itemId: "a", weight: 1 },
            { itemId: "b", weight: "x" }
          ]
        }
      })
    ).toBe('items[1].weight: expected a number, got "x"')
    expect(problem({ count: 1, data: { items: [{ weight: 1 }] } })).toBe(
      "items[0].itemId: expected a string, got nothing"
    )
    expect(problem([1])).toBe("expected an object, got a list of 1")
  })

  it("never throws, whatever the JSON", () => {
    const keys = fc.constantFrom(
      "Count",
      "count",
      "Label",
      "Data",
      "Items",
      "Item",
      "ItemId",
      "Weight",
      "Tags",
      "x"
    )
    const json: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: "small" },
        fc.jsonValue({ maxDepth: 1 }),
        fc.dictionary(keys, tie("value"), { maxKeys: 5 }),
        fc.array(tie("value"), { maxLength: 3 })
      )
    })).value
    fc.assert(
      fc.property(json, (body) => {
        const result = decode(body)
        expect(typeof result.ok).toBe("boolean")
        if (!result.ok) expect(result.problem.length).toBeGreaterThan(0)
        for (const operation of Object.values(Operations)) Operation.decode(operation, body)
      }),
      { numRuns: 3000 }
    )
  })
})

describe("QueryOTAJob", () => {
  const expected = {
    requestId: "30F1BB8D-EDBF-44FD-BBC0-BE97DEA73991",
    job: {
      jobId: "HvKuBpuk3rdk6E92CPa10200",
      firmwareId: "UfuxnwygsuSkVE0VCNmx0100",
      productKey: "a1GUfrM3kLp",
      name: "lamp-fw-1.0.1",
      jobDesc: "wave 1: office lamps",
      jobStatus: "IN_PROGRESS",
      jobType: "UPGRADE_FIRMWARE",
      selectionType: "STATIC",
      targetSelection: "GRAY",
      destVersion: "1.0.1",
      srcVersions: ["1.0.0"],
      grayPercent: "50.00",
      overwriteMode: 1,
      multiModuleMode: false,
      needPush: true,
      needConfirm: false,
      downloadProtocol: "HTTPS",
      maximumPerMinute: 1000,
      timeoutInMinutes: 1440,
      retryInterval: 60,
      retryCount: 1,
      utcCreate: new Date("2024-09-18T09:45:30.000Z"),
      utcModified: new Date("2024-09-18T09:45:30.000Z"),
      utcStartTime: new Date("2024-09-18T09:45:31.000Z"),
      tags: [{ key: "rollout", value: "wave-1" }]
    }
  }

  it("decodes the documented example in both casings", () => {
    const body = fixture("query-ota-job-response.json")
    expect(Operation.decode(QueryOTAJob, body)).toEqual({ ok: true, value: expected })
    expect(Operation.decode(QueryOTAJob, camelCased(body))).toEqual({ ok: true, value: expected })
  })

  it("sends JobId and the optional IotInstanceId", () => {
    expect(Operation.encode(QueryOTAJob, { jobId: "j", iotInstanceId: "iot-1" })).toEqual({
      JobId: "j",
      IotInstanceId: "iot-1"
    })
  })
})

describe("the operations table", () => {
  it("keys every operation by its action, and generates its method names", () => {
    for (const [key, operation] of Object.entries(Operations)) expect(key).toBe(operation.action)
    expect(Operation.names("ListOTATaskByJob")).toEqual({
      method: "listOTATaskByJob",
      paginate: "paginateOTATaskByJob",
      stream: "streamOTATaskByJob"
    })
    expect(Operation.names("QueryOTAJob").method).toBe("queryOTAJob")
  })

  it("fills a listing's page echoes from the request when the server leaves them out", () => {
    const result = Operation.decode(
      ListOTATaskByJob,
      { Total: 25, Data: { SimpleOTATaskInfo: [] } },
      {
        jobId: "j",
        pageSize: 10,
        currentPage: 3
      }
    )
    expect(result.ok && result.value).toMatchObject({ total: 25, pageSize: 10, currentPage: 3, pageCount: 3 })
  })
})

describe("the generated readers and the generic ones (for runtimes that refuse code from strings)", () => {
  it("decode every body to the same result, or fail with the same problem", () => {
    const page = (body: unknown) => ({
      Total: 3,
      PageSize: 10,
      CurrentPage: 1,
      Data: { SimpleOTATaskInfo: body }
    })
    const taskLike = fc.dictionary(
      fc.constantFrom(
        "TaskId",
        "taskId",
        "TaskID",
        "taskid",
        "TASKID",
        "DeviceName",
        "TaskStatus",
        "taskStatus",
        "Progress",
        "UtcCreate",
        "utcModified",
        "Timeout",
        "JobId",
        "TaskDesc",
        "x"
      ),
      fc.oneof(
        fc.string({ maxLength: 6 }),
        fc.integer(),
        fc.constant(null),
        fc.constant(""),
        fc.constantFrom("2024-11-11T11:11:11.000Z", "2024-11-11 11:11:11", "0.50", "abc"),
        fc.jsonValue({ maxDepth: 1 })
      ),
      { maxKeys: 10 }
    )
    const generated = compile(ListOTATaskByJob.output.ast, true)
    const generic = compile(ListOTATaskByJob.output.ast, false)
    expect(generated).not.toBe(generic)
    fc.assert(
      fc.property(
        fc.oneof(fc.array(taskLike, { maxLength: 4 }), taskLike, fc.jsonValue({ maxDepth: 2 })),
        (tasks) => {
          const body = page(tasks)
          expect(decodeWith(generated, body)).toEqual(decodeWith(generic, body))
        }
      ),
      { numRuns: 2000 }
    )
  })
})
