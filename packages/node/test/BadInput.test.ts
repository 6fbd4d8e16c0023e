/**
 * Bad client input through the public `@iot-ota/node` surface: every case is refused with a
 * `ValidationError` that names the field, before a single request reaches the server.
 *
 * JavaScript callers (and JSON from elsewhere) are not held back by the types, so several cases pass values
 * the types forbid, through `untyped`.
 */
import { type Emulator, startEmulator } from "@iot-ota/emulator"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import {
  type ListOTATaskByJobInput,
  OtaClient,
  type OtaClientOptions,
  type PaginateOptions,
  type PaginateOTATaskByJobInput,
  ValidationError
} from "../src/index.js"
import { rejection, thrown } from "./helpers.js"

const JOB = "job-bad-input"
const credentials = { accessKeyId: "bad-input-key", accessKeySecret: "bad-input-secret" }

let emu: Emulator
let client: OtaClient

beforeAll(async () => {
  emu = await startEmulator({ qps: 0, credentials: [credentials], jobs: [{ jobId: JOB, tasks: 30 }] })
  client = new OtaClient(options())
})
afterAll(async () => {
  await client.close()
  await emu.close()
})
beforeEach(() => emu.resetStats())

/** Options that never look at the machine's environment or profile file. */
function options(overrides: OtaClientOptions = {}): OtaClientOptions {
  return {
    endpoint: emu.url,
    ...credentials,
    qps: 0,
    logLevel: "none",
    env: {},
    profileFile: "/nonexistent",
    ...overrides
  }
}

/** A value the types would refuse, as a JavaScript caller may pass it. */
const untyped = <A>(value: unknown): A => value as A

const expectValidationError = (error: unknown, field: string) => {
  expect(error).toBeInstanceOf(ValidationError)
  expect(error).toMatchObject({ _tag: "ValidationError", field })
  // The message names the field too (the top-level name for nested ones, e.g. deviceNames[0]).
  expect((error as ValidationError).message).toContain(field.replace(/\[\d+\]$/, ""))
}

describe("listOTATaskByJob input", () => {
  it.each<[string, unknown, string]>([
    ["missing jobId", {}, "jobId"],
    ["empty jobId", { jobId: "" }, "jobId"],
    ["blank jobId", { jobId: "   " }, "jobId"],
    ["jobId that is not a string", { jobId: 42 }, "jobId"],
    ["pageSize 0", { jobId: JOB, pageSize: 0 }, "pageSize"],
    ["pageSize 101", { jobId: JOB, pageSize: 101 }, "pageSize"],
    ["pageSize 2.5", { jobId: JOB, pageSize: 2.5 }, "pageSize"],
    ["pageSize NaN", { jobId: JOB, pageSize: Number.NaN }, "pageSize"],
    ["pageSize Infinity", { jobId: JOB, pageSize: Number.POSITIVE_INFINITY }, "pageSize"],
    ['pageSize "10" (a string)', { jobId: JOB, pageSize: "10" }, "pageSize"],
    ["currentPage 0", { jobId: JOB, currentPage: 0 }, "currentPage"],
    ["currentPage -1", { jobId: JOB, currentPage: -1 }, "currentPage"],
    ["currentPage x pageSize > 100000", { jobId: JOB, currentPage: 1001, pageSize: 100 }, "currentPage"],
    ["currentPage x default pageSize > 100000", { jobId: JOB, currentPage: 10_001 }, "currentPage"],
    ["unknown taskStatus", { jobId: JOB, taskStatus: "DONE" }, "taskStatus"],
    ["lower-case taskStatus", { jobId: JOB, taskStatus: "failed" }, "taskStatus"],
    ["empty device name", { jobId: JOB, deviceNames: [""] }, "deviceNames[0]"],
    ["blank device name after a good one", { jobId: JOB, deviceNames: ["ok", " "] }, "deviceNames[1]"],
    ["empty deviceNames list", { jobId: JOB, deviceNames: [] }, "deviceNames"],
    [
      "51 device names",
      { jobId: JOB, deviceNames: Array.from({ length: 51 }, (_, i) => `d${i}`) },
      "deviceNames"
    ],
    ["deviceNames that is a string", { jobId: JOB, deviceNames: "d1" }, "deviceNames"],
    ["empty iotInstanceId", { jobId: JOB, iotInstanceId: "" }, "iotInstanceId"],
    ["a misspelt field", { jobId: JOB, pagesize: 10 }, "pagesize"],
    ["input that is not an object", null, "ListOTATaskByJob"]
  ])("%s", async (_, input, field) => {
    expectValidationError(
      await rejection(client.listOTATaskByJob(untyped<ListOTATaskByJobInput>(input))),
      field
    )
    expect(emu.stats().requests).toBe(0)
  })

  it("a valid call still goes through afterwards (the rejections cost nothing)", async () => {
    const page = await client.listOTATaskByJob({ jobId: JOB, pageSize: 100 })
    expect(page.total).toBe(30)
    expect(emu.stats().requests).toBe(1)
  })
})

describe("paginateOTATaskByJob input and options", () => {
  const firstOf = (input: unknown, paginate: PaginateOptions = {}) =>
    rejection(client.paginateOTATaskByJob(untyped<PaginateOTATaskByJobInput>(input), paginate).next())

  it.each<[string, unknown, PaginateOptions, string]>([
    ["missing jobId", {}, {}, "jobId"],
    ["pageSize 0", { jobId: JOB, pageSize: 0 }, {}, "pageSize"],
    ["unknown taskStatus", { jobId: JOB, taskStatus: "DONE" }, {}, "taskStatus"],
    ["empty device name", { jobId: JOB, deviceNames: [""] }, {}, "deviceNames[0]"],
    ["concurrency 0", { jobId: JOB }, { concurrency: 0 }, "concurrency"],
    ["concurrency 2.5", { jobId: JOB }, { concurrency: 2.5 }, "concurrency"],
    ["concurrency 65", { jobId: JOB }, { concurrency: 65 }, "concurrency"],
    ["concurrency NaN", { jobId: JOB }, { concurrency: Number.NaN }, "concurrency"]
  ])("%s", async (_, input, paginate, field) => {
    expectValidationError(await firstOf(input, paginate), field)
    expect(emu.stats().requests).toBe(0)
  })

  it("the pages iterator checks the same way", async () => {
    const error = await rejection(client.paginateOTATaskByJobPages({ jobId: JOB }, { concurrency: 0 }).next())
    expectValidationError(error, "concurrency")
    expect(emu.stats().requests).toBe(0)
  })
})

describe("client options", () => {
  it.each<[string, OtaClientOptions, string]>([
    ["an endpoint that is not a URL", { endpoint: "http://exa mple.com" }, "endpoint"],
    ["an endpoint that is only punctuation", { endpoint: "::::" }, "endpoint"],
    ["an endpoint with another scheme", { endpoint: "ftp://iot.example.com" }, "endpoint"],
    ["an endpoint with user info", { endpoint: "https://user:pass@iot.example.com" }, "endpoint"],
    ["an endpoint with a query", { endpoint: "https://iot.example.com/?a=1" }, "endpoint"],
    ["http:// to a non-loopback host without the opt-in", { endpoint: "http://iot.example.com" }, "endpoint"],
    ["http:// to a private address without the opt-in", { endpoint: "http://10.0.0.7:8080" }, "endpoint"],
    ["timeoutMs 0", { timeoutMs: 0 }, "timeoutMs"],
    ["timeoutMs NaN", { timeoutMs: Number.NaN }, "timeoutMs"],
    ["maxAttempts 0", { maxAttempts: 0 }, "maxAttempts"],
    ["maxAttempts 11", { maxAttempts: 11 }, "maxAttempts"],
    ["qps -1", { qps: -1 }, "qps"],
    ["an unknown signature algorithm", { signatureAlgorithm: untyped("HMAC-MD5") }, "signatureAlgorithm"],
    ["an apiVersion that is not a date", { apiVersion: "v1" }, "apiVersion"],
    ["a blank regionId", { regionId: " " }, "regionId"]
  ])("%s", (_, overrides, field) => {
    expectValidationError(
      thrown(() => new OtaClient(options(overrides))),
      field
    )
    expect(emu.stats().requests).toBe(0)
  })

  it("http:// to a non-loopback host is accepted with allowInsecureHttp (and loopback without it)", () => {
    expect(
      new OtaClient(options({ endpoint: "http://iot.example.com", allowInsecureHttp: true })).config.endpoint
        .href
    ).toBe("http://iot.example.com/")
    expect(new OtaClient(options({ endpoint: "http://localhost:1" })).config.endpoint.protocol).toBe("http:")
  })

  it("no endpoint anywhere (options, env, profile)", () => {
    expectValidationError(
      thrown(() => new OtaClient(options({ endpoint: undefined }))),
      "endpoint"
    )
  })

  it.each<[string, OtaClientOptions, string]>([
    ["a missing secret", { accessKeySecret: undefined }, "accessKeySecret"],
    ["an empty secret", { accessKeySecret: "" }, "accessKeySecret"],
    ["a missing id", { accessKeyId: undefined }, "accessKeyId"],
    ["a blank id", { accessKeyId: "  " }, "accessKeyId"]
  ])("%s", (_, overrides, field) => {
    expectValidationError(
      thrown(() => new OtaClient(options(overrides))),
      field
    )
    expect(emu.stats().requests).toBe(0)
  })

  it("no key anywhere: the standard chain is asked on the first call, and its error names every source", async () => {
    const client = new OtaClient(
      options({
        accessKeyId: undefined,
        accessKeySecret: undefined,
        env: { HOME: "/nonexistent", ALIBABA_CLOUD_ECS_METADATA_DISABLED: "true" }
      })
    )
    try {
      const error = await client.listOTATaskByJob({ jobId: "job-1" }).then(
        () => undefined,
        (e: unknown) => e
      )
      expect(error).toMatchObject({ _tag: "CredentialsError", reason: "NotConfigured", retryable: false })
      expect((error as Error).message).toMatch(/env.*profile.*aliyun.*ecs-metadata/s)
      expect(emu.stats().requests).toBe(0)
    } finally {
      await client.close()
    }
  })

  it("half a pair in the environment is still missing credentials", () => {
    expectValidationError(
      thrown(
        () =>
          new OtaClient(
            options({
              accessKeyId: undefined,
              accessKeySecret: undefined,
              env: { OTA_ACCESS_KEY_ID: "only-the-id" }
            })
          )
      ),
      "accessKeySecret"
    )
  })
})
