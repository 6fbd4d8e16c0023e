/**
 * The access key secret never leaves `Redacted`: not in any error (message, stack, JSON, `String`,
 * `util.inspect`), not in a log line at any level, not in the client object or its config, not in the
 * validation errors of options that carry it. Every error class is produced for real against the emulator.
 *
 * CLI output (`ota ... --verbose`) is covered by the CLI's own tests (apps/cli).
 */
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { inspect } from "node:util"
import * as ClientConfig from "@iot-ota/core/ClientConfig"
import * as Credentials from "@iot-ota/core/Credentials"
import { percentEncode } from "@iot-ota/core/Signer"
import { type Emulator, startEmulator } from "@iot-ota/emulator"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest"
import { Profile } from "../src/effect.js"
import { type ListOTATaskByJobInput, OtaClient, type OtaClientOptions, resolveOptions } from "../src/index.js"
import { capturingStderr, faultsAndTags, rejection, thrown } from "./helpers.js"

/** The credential a resolved client would sign with. */
const credentialOf = (resolved: ReturnType<typeof resolveOptions>) =>
  Effect.runSync(Effect.orDie(resolved.credentials.get))

// Distinctive, and with characters that percent-encoding, JSON and base64 would each change.
const SECRET = "Zq7x-SECRET/4f9c+e1=&ü-never-leak"
const WRONG_SECRET = "Wr0ng-SECRET/8d2a+b7=&é-never-leak"
const KEY = "secrets-test-key"
const JOB = "job-secrets"

/** Every spelling a leaked secret could take. */
const spellings = (secret: string): ReadonlyArray<string> => [
  secret,
  percentEncode(secret),
  encodeURIComponent(secret),
  JSON.stringify(secret).slice(1, -1),
  Buffer.from(secret).toString("base64"),
  Buffer.from(`${secret}&`).toString("base64"),
  Buffer.from(secret).toString("hex")
]
const FORBIDDEN = [...spellings(SECRET), ...spellings(WRONG_SECRET)]

const expectNoSecretIn = (text: string, what: string) => {
  for (const needle of FORBIDDEN) {
    if (text.includes(needle)) throw new Error(`${what} contains the secret (as ${JSON.stringify(needle)})`)
  }
}

/** Every way an error may end up printed or serialised. */
const expectErrorClean = (error: unknown) => {
  expect(error).toBeInstanceOf(Error)
  const e = error as Error & { toJSON?: () => unknown }
  const renderings: Record<string, string> = {
    message: e.message,
    stack: e.stack ?? "",
    json: JSON.stringify(error),
    toJSON: JSON.stringify(e.toJSON?.() ?? null),
    string: String(error),
    inspect: inspect(error, { depth: 10 }),
    inspectHidden: inspect(error, { depth: 10, showHidden: true }),
    fields: JSON.stringify(Object.entries(e))
  }
  for (const [what, text] of Object.entries(renderings)) {
    expectNoSecretIn(text, `error ${what}`)
    // Nor the signed query: the signature is as good as a one-off credential.
    expect(text, `error ${what}`).not.toMatch(/[?&]Signature=/)
  }
}

let emu: Emulator
let skewed: Emulator
const clients: Array<OtaClient> = []
const stderr: Array<string> = []

beforeAll(async () => {
  const common = {
    qps: 0,
    credentials: [{ accessKeyId: KEY, accessKeySecret: SECRET }],
    jobs: [
      { jobId: JOB, tasks: 120 },
      { jobId: "small", tasks: 3 }
    ]
  }
  ;[emu, skewed] = await Promise.all([
    startEmulator(common),
    startEmulator({ ...common, clockSkewMs: 3 * 60 * 60 * 1000 })
  ])
})
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()))
  await Promise.all([emu.close(), skewed.close()])
})
afterEach(() => {
  emu.setFaults(undefined)
  vi.restoreAllMocks()
})

/** Captures what the client writes to stderr (its log sink) for the duration of `f`, and keeps it for the final check. */
const logged = <A>(f: () => Promise<A>) => capturingStderr(f, stderr)

const expectLogsClean = (lines: ReadonlyArray<string>) => {
  for (const line of lines) {
    expectNoSecretIn(line, "log line")
    expect(line).not.toMatch(/Signature=|Signature%3D|Credential=|authorization/i)
  }
}

const client = (options: OtaClientOptions = {}, server: Emulator = emu) => {
  const made = new OtaClient({
    endpoint: server.url,
    accessKeyId: KEY,
    accessKeySecret: SECRET,
    qps: 0,
    env: {},
    profileFile: "/nonexistent",
    logLevel: "debug",
    ...options
  })
  clients.push(made)
  return made
}

describe("the leak check itself", () => {
  it("catches the secret in each spelling, and passes clean text", () => {
    for (const needle of FORBIDDEN)
      expect(() => expectNoSecretIn(`x ${needle} y`, "sample")).toThrow("sample")
    expect(() => expectErrorClean(new Error(`bad: ${SECRET}`))).toThrow()
    expect(() => expectErrorClean(new Error("GET /?a=1&Signature=abc"))).toThrow()
    expect(() => expectLogsClean(["authorization: ACS3-HMAC-SHA256 Credential=x"])).toThrow()
    expect(() => expectErrorClean(new Error("fine"))).not.toThrow()
  })
})

describe("errors of every class never carry the secret", () => {
  for (const algorithm of ["HMAC-SHA1", "ACS3-HMAC-SHA256"] as const) {
    it(`ApiError SignatureDoesNotMatch: a wrong secret is not echoed either (${algorithm})`, async () => {
      const { value: error, lines } = await logged(() =>
        rejection(
          client({ accessKeySecret: WRONG_SECRET, signatureAlgorithm: algorithm }).listOTATaskByJob({
            jobId: JOB
          })
        )
      )
      expect(error).toMatchObject({ _tag: "ApiError", code: "SignatureDoesNotMatch" })
      expectErrorClean(error)
      expect(lines.some((line) => line.includes("attempt failed"))).toBe(true)
      expectLogsClean(lines)
    })

    it(`ApiError InvalidAccessKeyId.NotFound and iot.ota.NotExistedJob (${algorithm})`, async () => {
      const { value: errors, lines } = await logged(() =>
        Promise.all([
          rejection(
            client({ accessKeyId: "nobody", signatureAlgorithm: algorithm }).listOTATaskByJob({ jobId: JOB })
          ),
          rejection(client({ signatureAlgorithm: algorithm }).listOTATaskByJob({ jobId: "no-such-job" }))
        ])
      )
      expect(errors[0]).toMatchObject({ _tag: "ApiError", code: "InvalidAccessKeyId.NotFound" })
      expect(errors[1]).toMatchObject({ _tag: "ApiError", code: "iot.ota.NotExistedJob" })
      for (const error of errors) expectErrorClean(error)
      expectLogsClean(lines)
    })
  }

  for (const [kind, tag] of faultsAndTags()) {
    it(`${tag} from a ${kind} fault, after retries`, async () => {
      emu.setFaults({ sequence: [kind, kind], delayMs: 2000 })
      const { value: error, lines } = await logged(() =>
        rejection(client({ maxAttempts: 2, timeoutMs: 150 }).listOTATaskByJob({ jobId: "small" }))
      )
      expect(error).toMatchObject({ _tag: tag })
      expectErrorClean(error)
      expect(lines.filter((line) => line.includes("attempt failed"))).toHaveLength(2)
      expectLogsClean(lines)
    })
  }

  it("TransportError when nothing listens", async () => {
    const gone = await startEmulator({ credentials: [{ accessKeyId: KEY, accessKeySecret: SECRET }] })
    await gone.close()
    const { value: error, lines } = await logged(() =>
      rejection(client({ maxAttempts: 1 }, gone).listOTATaskByJob({ jobId: JOB }))
    )
    expect(error).toMatchObject({ _tag: "TransportError" })
    expectErrorClean(error)
    expectLogsClean(lines)
  })

  it("an error in the middle of a listing (page 3 fails for good)", async () => {
    emu.setFaults({ sequence: [null, null, "InternalError", "InternalError"] })
    const { value: error, lines } = await logged(async () => {
      const seen: Array<string> = []
      return rejection(
        (async () => {
          for await (const task of client({ maxAttempts: 2 }).paginateOTATaskByJob(
            { jobId: JOB, pageSize: 10 },
            { concurrency: 1 }
          ))
            seen.push(task.taskId)
        })()
      )
    })
    expect(error).toMatchObject({ _tag: "ApiError", code: "InternalError" })
    expectErrorClean(error)
    expectLogsClean(lines)
  })

  it("ValidationErrors of call input, including input that carries the secret", async () => {
    const c = client()
    const untyped = (input: unknown) => input as ListOTATaskByJobInput
    const errors = await Promise.all([
      rejection(c.listOTATaskByJob({ jobId: JOB, pageSize: 0 })),
      rejection(c.listOTATaskByJob(untyped({ jobId: JOB, accessKeySecret: SECRET }))),
      rejection(c.listOTATaskByJob(untyped({ jobId: JOB, secret: Redacted.make(SECRET) }))),
      rejection(c.paginateOTATaskByJob({ jobId: JOB }, { concurrency: 0 }).next())
    ])
    for (const error of errors) {
      expect(error).toMatchObject({ _tag: "ValidationError" })
      expectErrorClean(error)
    }
  })
})

describe("logs at every level", () => {
  it("debug lines describe each attempt without the secret, the signature or the signed URL", async () => {
    emu.setFaults({ sequence: ["ServiceUnavailable", null, "Throttling", null] })
    const { value: pages, lines } = await logged(async () => {
      const c = client({ logLevel: "debug" })
      return [
        await c.listOTATaskByJob({ jobId: JOB }),
        await c.listOTATaskByJob({ jobId: JOB, currentPage: 2 })
      ]
    })
    expect(pages.map((p) => p.currentPage)).toEqual([1, 2])
    const attemptLines = lines.filter((line) => line.startsWith("iot-ota debug: attempt"))
    expect(attemptLines).toHaveLength(4)
    expect(attemptLines.join("\n")).toContain("requestId=")
    expectLogsClean(lines)
  })

  it("the clock-skew warning (both algorithms) holds no secret", async () => {
    for (const algorithm of ["HMAC-SHA1", "ACS3-HMAC-SHA256"] as const) {
      const { value: page, lines } = await logged(() =>
        client({ logLevel: "debug", signatureAlgorithm: algorithm, maxAttempts: 1 }, skewed).listOTATaskByJob(
          {
            jobId: JOB
          }
        )
      )
      expect(page.total).toBe(120)
      expect(
        lines.some((line) => line.startsWith("iot-ota warning: the server rejected our timestamp"))
      ).toBe(true)
      expectLogsClean(lines)
    }
  })

  it("the retry-quota message holds no secret", async () => {
    emu.setFaults({ rate: 1, kinds: ["ServiceUnavailable"] })
    const { lines } = await logged(async () => {
      const c = client({ maxAttempts: 3, logLevel: "debug" })
      await Promise.all(Array.from({ length: 52 }, () => rejection(c.listOTATaskByJob({ jobId: "small" }))))
    })
    expect(lines.some((line) => line.includes("retry quota exhausted"))).toBe(true)
    expectLogsClean(lines)
  })

  it("everything written to stderr in this file is clean", () => {
    expect(stderr.length).toBeGreaterThan(20)
    expectLogsClean(stderr)
  })
})

describe("the client and its configuration", () => {
  it("util.inspect, JSON and String of the client and its config show no secret", () => {
    const c = client()
    for (const text of [
      inspect(c, { depth: 10, showHidden: true }),
      inspect(c.config, { depth: 10, showHidden: true }),
      JSON.stringify(c),
      JSON.stringify(c.config),
      String(c),
      JSON.stringify(Object.entries(c))
    ])
      expectNoSecretIn(text, "client rendering")
    expect(c.credentialsSource).toBe("the client options")
  })
})

describe("validation errors of options that carry the secret", () => {
  it.each<[string, OtaClientOptions, string]>([
    ["an endpoint that is not a URL", { endpoint: "http://exa mple.com" }, "endpoint"],
    ["http to a remote host", { endpoint: "http://iot.example.com" }, "endpoint"],
    ["a bad timeout", { timeoutMs: -1 }, "timeoutMs"],
    ["a bad algorithm", { signatureAlgorithm: "HMAC-MD5" as "HMAC-SHA1" }, "signatureAlgorithm"],
    ["a missing id", { accessKeyId: undefined }, "accessKeyId"],
    [
      "a missing id, secret as Redacted",
      { accessKeyId: undefined, accessKeySecret: Redacted.make(SECRET) },
      "accessKeyId"
    ],
    [
      "a valid endpoint with the credentials in it",
      { endpoint: `https://${KEY}:${encodeURIComponent(SECRET)}@iot.example.com` },
      "endpoint"
    ]
  ])("%s", (_, overrides, field) => {
    const error = thrown(
      () =>
        new OtaClient({
          endpoint: "https://iot.example.com",
          accessKeyId: KEY,
          accessKeySecret: SECRET,
          env: {},
          profileFile: "/nonexistent",
          ...overrides
        })
    )
    expect(error).toMatchObject({ _tag: "ValidationError", field })
    expectErrorClean(error)
  })

  // BUG (packages/core/src/ClientConfig.ts, parseEndpoint, line ~144): an endpoint that does not parse is
  // echoed whole in the message, user info included. A secret pasted into the endpoint's user info leaks when
  // it holds a character that breaks the URL (`/`, a space): `endpoint must be a URL ..., got
  // "https://id:Zq7x-SECRET/4f9c...@iot.example.com"`. A parseable URL with user info is refused without echo.
  it("an endpoint with credentials that does not parse is refused without echoing them", () => {
    const error = thrown(
      () =>
        new OtaClient({
          endpoint: `https://${KEY}:${SECRET}@iot.example.com`,
          accessKeyId: KEY,
          accessKeySecret: SECRET,
          env: {},
          profileFile: "/nonexistent"
        })
    )
    expect(error).toMatchObject({ _tag: "ValidationError", field: "endpoint" })
    expectErrorClean(error)
  })

  it("the core's option and credential schemas do not echo a secret put where it does not belong", () => {
    const config = Effect.runSync(
      Effect.either(
        ClientConfig.make({
          endpoint: "https://iot.example.com",
          accessKeySecret: SECRET
        } as ClientConfig.ClientConfigOptions)
      )
    )
    expect(Either.isLeft(config) && config.left).toMatchObject({ field: "accessKeySecret" })
    if (Either.isLeft(config)) expectErrorClean(config.left)

    const credentials = Effect.runSync(
      Effect.either(Credentials.make({ accessKeyId: "", accessKeySecret: SECRET }))
    )
    expect(Either.isLeft(credentials) && credentials.left).toMatchObject({ field: "accessKeyId" })
    if (Either.isLeft(credentials)) expectErrorClean(credentials.left)
  })

  it("a malformed profile file that holds the secret is reported without it", () => {
    for (const text of [
      `[default]\naccess_key_secret ${SECRET}\n`,
      `[default]\naccess_key = ${SECRET}\n`,
      `access_key_secret = ${SECRET}\n[default]\n`
    ]) {
      const error = thrown(() => Profile.parse(text, "credentials"))
      expect(error).toMatchObject({ _tag: "ValidationError", field: "profile" })
      expectErrorClean(error)
    }
  })
})

describe("Redacted end to end", () => {
  const dir = mkdtempSync(join(tmpdir(), "iot-ota-secrets-"))

  const expectRedacted = (secret: unknown) => {
    expect(Redacted.isRedacted(secret)).toBe(true)
    if (!Redacted.isRedacted(secret)) return
    expect(Redacted.value(secret)).toBe(SECRET)
    expect(String(secret)).toBe("<redacted>")
    expect(JSON.stringify({ secret })).toBe('{"secret":"<redacted>"}')
    expectNoSecretIn(inspect(secret, { depth: 10, showHidden: true }), "inspected Redacted")
  }

  it("a plain string secret is wrapped at once; a Redacted one is kept as is", () => {
    const base = {
      endpoint: "https://iot.example.com",
      accessKeyId: KEY,
      env: {},
      profileFile: "/nonexistent"
    }
    const resolved = resolveOptions({ ...base, accessKeySecret: SECRET })
    expectRedacted(credentialOf(resolved).accessKeySecret)
    expectNoSecretIn(inspect(resolved, { depth: 10, showHidden: true }), "resolved options")
    expectNoSecretIn(JSON.stringify(resolved), "resolved options as JSON")

    const given = Redacted.make(SECRET)
    expect(
      Redacted.value(credentialOf(resolveOptions({ ...base, accessKeySecret: given })).accessKeySecret)
    ).toBe(SECRET)
  })

  it.each([
    ["OTA_*", { OTA_ACCESS_KEY_ID: KEY, OTA_ACCESS_KEY_SECRET: SECRET }],
    ["ALIBABA_CLOUD_*", { ALIBABA_CLOUD_ACCESS_KEY_ID: KEY, ALIBABA_CLOUD_ACCESS_KEY_SECRET: SECRET }]
  ])("from the environment (%s)", (_, env) => {
    const resolved = resolveOptions({ endpoint: "https://iot.example.com", env, profileFile: "/nonexistent" })
    expect(credentialOf(resolved).accessKeyId).toBe(KEY)
    expectRedacted(credentialOf(resolved).accessKeySecret)
  })

  it("from a profile file", () => {
    const file = join(dir, "credentials")
    writeFileSync(file, `[default]\naccess_key_id = ${KEY}\naccess_key_secret = ${SECRET}\n`)
    chmodSync(file, 0o600)
    const resolved = resolveOptions({ endpoint: "https://iot.example.com", env: {}, profileFile: file })
    expectRedacted(credentialOf(resolved).accessKeySecret)
  })

  it("the permissions warning of a readable profile file names the file, not the secret", () => {
    const file = join(dir, "readable-credentials")
    writeFileSync(file, `[default]\naccess_key_id = ${KEY}\naccess_key_secret = ${SECRET}\n`)
    chmodSync(file, 0o644)
    const warnings: Array<string> = []
    vi.spyOn(process, "emitWarning").mockImplementation((warning: string | Error) => {
      warnings.push(String(warning))
    })
    resolveOptions({ endpoint: "https://iot.example.com", env: {}, profileFile: file })
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain(file)
    expectNoSecretIn(warnings.join("\n"), "profile warning")
  })

  it("the signing round trip works with the redacted secret (the emulator accepts it)", async () => {
    const page = await client({ accessKeySecret: Redacted.make(SECRET) }).listOTATaskByJob({ jobId: "small" })
    expect(page.total).toBe(3)
  })
})
