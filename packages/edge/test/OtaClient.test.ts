import { inspect } from "node:util"
import { OtaClient as CoreOtaClient } from "@iot-ota/core/OtaClient"
import { DEFAULT_CREDENTIALS, type Emulator, startEmulator } from "@iot-ota/emulator"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Redacted from "effect/Redacted"
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest"
import { layer } from "../src/effect.js"
import {
  ApiError,
  OtaClient,
  type OtaClientExplicitOptions,
  type OtaClientOptions,
  resolveOptions,
  ValidationError
} from "../src/index.js"

/** Resolves options with the credential itself (not its provider), for assertions. */
const resolved = (options: Parameters<typeof resolveOptions>[0]) => {
  const { config, credentials } = resolveOptions(options)
  return { config, credentials: Effect.runSync(Effect.orDie(credentials.get)) }
}

const SECRET = "edge-unit-test-secret-c2VjcmV0"
const ENDPOINT = "https://iot.cn-shanghai.aliyuncs.com"
const explicit = { endpoint: ENDPOINT, accessKeyId: "LTAI-edge", accessKeySecret: SECRET } as const

/** The ValidationError a constructor threw (the error itself, not a wrapper). */
const validationErrorOf = (options: unknown): ValidationError => {
  try {
    new OtaClient(options as OtaClientOptions)
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError)
    return error as ValidationError
  }
  throw new Error("expected the constructor to throw")
}

afterEach(() => {
  vi.unstubAllEnvs()
  vi.unstubAllGlobals()
  vi.restoreAllMocks()
})

describe("options", () => {
  it("takes everything explicitly, with the core's defaults", () => {
    const { config, credentials } = resolved(explicit)
    expect(config).toMatchObject({
      apiVersion: "2018-01-20",
      format: "JSON",
      signatureAlgorithm: "HMAC-SHA1",
      qps: 10,
      maxAttempts: 3,
      timeoutMs: 10_000
    })
    expect(config.endpoint.href).toBe(`${ENDPOINT}/`)
    expect(credentials.accessKeyId).toBe("LTAI-edge")
    expect(Redacted.isRedacted(credentials.accessKeySecret)).toBe(true)
    expect(Redacted.value(credentials.accessKeySecret)).toBe(SECRET)
  })

  it("reads a Worker-style env, ignoring bindings that are not strings", () => {
    const env = {
      OTA_ENDPOINT: "iot.cn-beijing.aliyuncs.com",
      OTA_ACCESS_KEY_ID: "LTAI-env",
      OTA_ACCESS_KEY_SECRET: SECRET,
      OTA_SIGNATURE_ALGORITHM: "ACS3-HMAC-SHA256",
      OTA_IOT_INSTANCE_ID: "iot-instance-1",
      TASKS_KV: { get: () => null },
      RATE: 3
    }
    const { config, credentials } = resolved({ env })
    expect(config.endpoint.href).toBe("https://iot.cn-beijing.aliyuncs.com/")
    expect(config.signatureAlgorithm).toBe("ACS3-HMAC-SHA256")
    expect(config.iotInstanceId).toBe("iot-instance-1")
    expect(credentials.accessKeyId).toBe("LTAI-env")
  })

  it("falls back to ALIBABA_CLOUD_* keys and to the regional endpoint", () => {
    const { config, credentials } = resolved({
      env: {
        ALIBABA_CLOUD_REGION_ID: "ap-southeast-1",
        ALIBABA_CLOUD_ACCESS_KEY_ID: "LTAI-alibaba",
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: SECRET
      }
    })
    expect(config.endpoint.href).toBe("https://iot.ap-southeast-1.aliyuncs.com/")
    expect(config.regionId).toBe("ap-southeast-1")
    expect(credentials.accessKeyId).toBe("LTAI-alibaba")
  })

  it("lets explicit options win over the env, and takes the key pair whole from one place", () => {
    const env = {
      OTA_ENDPOINT: "https://elsewhere.example",
      OTA_ACCESS_KEY_ID: "LTAI-env",
      OTA_ACCESS_KEY_SECRET: "env"
    }
    const resolved = resolveOptions({ ...explicit, env, qps: 0 })
    expect(resolved.config.endpoint.href).toBe(`${ENDPOINT}/`)
    expect(resolved.config.qps).toBe(0)
    expect(Effect.runSync(Effect.orDie(resolved.credentials.get)).accessKeyId).toBe("LTAI-edge")
    // An id given without its secret is an error, never completed from the env.
    const error = validationErrorOf({ env, accessKeyId: "LTAI-explicit" })
    expect(error).toMatchObject({ _tag: "ValidationError", field: "accessKeySecret" })
  })

  it("throws the ValidationError itself when the endpoint is missing", () => {
    const error = validationErrorOf({ accessKeyId: "LTAI-edge", accessKeySecret: SECRET, env: {} })
    expect(error).toMatchObject({ field: "endpoint", rule: "required" })
    expect(error.message).toBe(
      "endpoint is missing: pass it explicitly or set OTA_ENDPOINT (or OTA_REGION_ID)"
    )
  })

  it("never reads the host's environment variables", () => {
    vi.stubEnv("OTA_ENDPOINT", ENDPOINT)
    vi.stubEnv("OTA_ACCESS_KEY_ID", "LTAI-host")
    vi.stubEnv("OTA_ACCESS_KEY_SECRET", SECRET)
    expect(validationErrorOf({ env: {} }).field).toBe("endpoint")
    expect(validationErrorOf({ endpoint: ENDPOINT, env: {} }).field).toBe("accessKeyId")
  })

  it.each([
    ["options that are not an object", null, "options"],
    ["a fetch that is not a function", { ...explicit, fetch: "https://proxy" }, "fetch"],
    ["an env that is not an object", { endpoint: ENDPOINT, env: "OTA_ENDPOINT=x" }, "env"],
    ["plain http to a remote host", { ...explicit, endpoint: "http://iot.example.com" }, "endpoint"],
    ["an unknown signature algorithm", { ...explicit, signatureAlgorithm: "HMAC-MD5" }, "signatureAlgorithm"],
    ["a zero timeout", { ...explicit, timeoutMs: 0 }, "timeoutMs"]
  ])("refuses %s", (_, options, field) => {
    const error = validationErrorOf(options)
    expect(error.field).toBe(field)
    expect(error.message).not.toContain(SECRET)
  })

  it("allows plain http to a remote host only when asked to", () => {
    expect(
      resolveOptions({ ...explicit, endpoint: "http://iot.example.com", allowInsecureHttp: true }).config
        .endpoint.protocol
    ).toBe("http:")
  })

  it("names the runtime in the User-Agent, Vercel's edge runtime included", () => {
    expect(resolveOptions({ ...explicit, userAgent: "dashboard/2.1" }).config.userAgent).toMatch(
      /^iot-ota\/\S+ \([^)]+\) dashboard\/2\.1$/
    )
    vi.stubGlobal("EdgeRuntime", "edge-runtime")
    expect(resolveOptions(explicit).config.userAgent).toMatch(/^iot-ota\/\S+ \(edge-runtime\)$/)
  })

  it("keeps the secret out of everything the client exposes", async () => {
    const client = new OtaClient(explicit)
    try {
      for (const text of [
        inspect(client, { depth: 10 }),
        JSON.stringify(client),
        String(client.config.endpoint)
      ])
        expect(text).not.toContain(SECRET)
      expect(client.credentialsSource).toBe("the client options")
    } finally {
      await client.close()
    }
  })
})

describe("against the emulator over HTTP", () => {
  const JOB_ID = "edge-unit-job"
  const TASKS = 130
  let emu: Emulator
  const options = (extra: Partial<OtaClientExplicitOptions> = {}): OtaClientExplicitOptions => ({
    endpoint: emu.url,
    accessKeyId: DEFAULT_CREDENTIALS.accessKeyId,
    accessKeySecret: DEFAULT_CREDENTIALS.accessKeySecret,
    ...extra
  })

  beforeAll(async () => {
    emu = await startEmulator({ qps: 0, seed: 5, jobs: [{ jobId: JOB_ID, tasks: TASKS }] })
  })
  afterAll(() => emu.close())

  it("sends every request through the injected fetch", async () => {
    const urls: Array<string> = []
    const counting: typeof fetch = (input, init) => {
      urls.push(input instanceof Request ? input.url : String(input))
      return fetch(input, init)
    }
    emu.resetStats()
    const client = new OtaClient(options({ fetch: counting, signatureAlgorithm: "ACS3-HMAC-SHA256" }))
    try {
      const ids: Array<string> = []
      for await (const task of client.paginateOTATaskByJob({ jobId: JOB_ID })) ids.push(task.taskId)
      expect(ids.sort()).toEqual(
        emu
          .tasks(JOB_ID)
          .map((task) => task.TaskId)
          .sort()
      )
    } finally {
      await client.close()
    }
    expect(urls).toHaveLength(2)
    expect(emu.stats().requests).toBe(2)
    expect(urls.every((url) => url.startsWith(emu.url))).toBe(true)
  })

  it("rejects with the ApiError class for a wrong secret", async () => {
    const client = new OtaClient(options({ accessKeySecret: SECRET }))
    try {
      const error = await client.listOTATaskByJob({ jobId: JOB_ID }).then(
        () => undefined,
        (e: unknown) => e
      )
      expect(error).toBeInstanceOf(ApiError)
      expect(error).toMatchObject({
        _tag: "ApiError",
        code: "SignatureDoesNotMatch",
        httpStatus: 400,
        retryable: false
      })
      expect(String((error as ApiError).message)).not.toContain(SECRET)
    } finally {
      await client.close()
    }
  })

  it("logs one console.debug line per attempt at logLevel debug, without the signature", async () => {
    const debug = vi.spyOn(console, "debug").mockImplementation(() => {})
    const client = new OtaClient(options({ logLevel: "debug" }))
    try {
      await client.listOTATaskByJob({ jobId: JOB_ID, pageSize: 5 })
    } finally {
      await client.close()
    }
    const lines = debug.mock.calls.map((call) => String(call[0]))
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/^iot-ota debug: attempt succeeded /)
    expect(lines[0]).toContain(" action=ListOTATaskByJob")
    expect(lines[0]).toContain(" attempt=1")
    expect(lines[0]).toMatch(/ requestId=[0-9A-F-]{36}\b/)
    expect(lines[0]).not.toMatch(/Signature|AccessKey|emulator-access-key-secret/)
  })

  it("is silent at the default log level", async () => {
    const debug = vi.spyOn(console, "debug").mockImplementation(() => {})
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {})
    const client = new OtaClient(options())
    try {
      await client.listOTATaskByJob({ jobId: JOB_ID })
    } finally {
      await client.close()
    }
    expect(debug).not.toHaveBeenCalled()
    expect(warn).not.toHaveBeenCalled()
  })

  it("provides the core OtaClient service through layer(options)", async () => {
    const page = await Effect.runPromise(
      Effect.provide(
        Effect.flatMap(CoreOtaClient, (client) =>
          client.listOTATaskByJob({ jobId: JOB_ID, pageSize: 7, currentPage: 2 })
        ),
        layer(options())
      )
    )
    expect(page).toMatchObject({ total: TASKS, pageSize: 7, currentPage: 2 })
    expect(page.tasks.map((task) => task.taskId)).toEqual(
      emu
        .tasks(JOB_ID)
        .slice(7, 14)
        .map((task) => task.TaskId)
    )
  })

  it("fails layer(options) with the ValidationError, not a defect", async () => {
    const exit = await Effect.runPromiseExit(
      Effect.provide(
        Effect.flatMap(CoreOtaClient, (client) => client.listOTATaskByJob({ jobId: JOB_ID })),
        layer({ env: {} })
      )
    )
    expect(Exit.isFailure(exit)).toBe(true)
    if (Exit.isFailure(exit)) {
      expect(exit.cause._tag).toBe("Fail")
      if (exit.cause._tag === "Fail") expect(exit.cause.error).toBeInstanceOf(ValidationError)
    }
  })
})
