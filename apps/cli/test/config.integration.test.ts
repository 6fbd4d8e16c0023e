/**
 * Exit codes, error lines, credentials (environment, profile file, stdin),
 * `--verbose`, and the signature algorithms, against the emulator. Every run
 * is checked for the secret (see helpers/cli.ts).
 */
import { chmodSync, writeFileSync } from "node:fs"
import { createServer } from "node:net"
import { join } from "node:path"
import { type Emulator, startEmulator } from "@iot-ota/emulator"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type CliResult, expectExit, makeHome, registerSecret, runCli } from "./helpers/cli.js"

const KEY = { accessKeyId: "cfg-test-key", accessKeySecret: "cfg-test-Secret-1a2b3c4d" }
const STAGING = { accessKeyId: "cfg-staging-key", accessKeySecret: "cfg-staging-Secret-5e6f7a8b" }
registerSecret(KEY.accessKeySecret)
registerSecret(STAGING.accessKeySecret)

const JOB = "CfgJob00000000000000000001"

let emu: Emulator
let slow: Emulator
const home = makeHome()
const credentials = () => ({
  OTA_ENDPOINT: emu.url,
  OTA_ACCESS_KEY_ID: KEY.accessKeyId,
  OTA_ACCESS_KEY_SECRET: KEY.accessKeySecret
})
const ota = (
  args: ReadonlyArray<string>,
  env: Record<string, string | undefined> = credentials(),
  input?: string
) => runCli(home.dir, args, input === undefined ? { env } : { env, input })

/** The single stderr line of a failed run. */
const errorLine = (result: CliResult): string => {
  const lines = result.stderr.trimEnd().split("\n")
  expect(lines).toHaveLength(1)
  return lines[0]!
}

beforeAll(async () => {
  emu = await startEmulator({
    port: 0,
    qps: 0,
    seed: 5,
    credentials: [KEY, STAGING],
    jobs: [{ jobId: JOB, tasks: 30 }]
  })
  slow = await startEmulator({
    port: 0,
    qps: 0,
    credentials: [KEY],
    jobs: [{ jobId: JOB, tasks: 30 }],
    faults: { rate: 1, kinds: ["Delay"], delayMs: 3000 }
  })
})

afterAll(async () => {
  await Promise.all([emu?.close(), slow?.close()])
  home.cleanup()
})

describe("exit codes", () => {
  it("2: --page-size 101 is refused before any request", async () => {
    const before = emu.stats().requests
    const result = await ota(["tasks", "list", "--job", JOB, "--page-size", "101"])
    expectExit(result, 2)
    expect(result.stderr).toBe(
      "ota: --page-size 101: out of range; expected 1 to 100\nRun 'ota tasks list --help' for usage.\n"
    )
    expect(result.stdout).toBe("")
    expect(emu.stats().requests).toBe(before)
  })

  it("2: a secret passed as a flag is refused and not echoed", async () => {
    for (const args of [
      ["tasks", "list", "--job", JOB, `--access-key-secret=${KEY.accessKeySecret}`],
      ["tasks", "list", "--job", JOB, "--access-key-secret", KEY.accessKeySecret]
    ]) {
      const result = await ota(args)
      expectExit(result, 2)
      expect(result.stderr).toMatch(/^ota: --access-key-secret: unknown option for ota tasks list; /)
    }
  })

  it("2: no endpoint, no credentials", async () => {
    const requestsBefore = emu.stats().requests
    const noEndpoint = await ota(["tasks", "summary", "--job", JOB], {
      OTA_ACCESS_KEY_ID: KEY.accessKeyId,
      OTA_ACCESS_KEY_SECRET: KEY.accessKeySecret
    })
    expectExit(noEndpoint, 2)
    expect(errorLine(noEndpoint)).toContain("ota: ValidationError: endpoint is missing")
    // No key anywhere: the default chain says what each source lacked.
    const noKey = await ota(["tasks", "summary", "--job", JOB], { OTA_ENDPOINT: emu.url })
    expectExit(noKey, 2)
    expect(errorLine(noKey)).toContain(
      "ota: CredentialsError: no credentials found: env: none of OTA_ACCESS_KEY_ID"
    )
    expect(errorLine(noKey)).toContain("ecs-metadata: disabled by ALIBABA_CLOUD_ECS_METADATA_DISABLED")
    expect(emu.stats().requests).toBe(requestsBefore)
  })

  it("3: a wrong secret is SignatureDoesNotMatch, with the request id, where the key came from and what to check", async () => {
    const result = await ota(["tasks", "list", "--job", JOB], {
      ...credentials(),
      OTA_ACCESS_KEY_SECRET: "not-the-secret"
    })
    expectExit(result, 3)
    const lines = result.stderr.trimEnd().split("\n")
    expect(lines).toHaveLength(2)
    expect(lines[0]).toMatch(/^ota: SignatureDoesNotMatch: .+ \(request id [0-9A-F-]{36}\)$/)
    expect(lines[1]).toBe(
      `ota: the key pair came from the environment (OTA_ACCESS_KEY_ID / OTA_ACCESS_KEY_SECRET) (AccessKeyId ${KEY.accessKeyId}); check that the secret is the one paired with this AccessKey id and meant for this endpoint, copied whole without a stray space, quote or line break, and that this computer's clock is right`
    )
    expect(result.stderr).not.toContain("not-the-secret")
  })

  it("3: names the profile and its file, or stdin, as the source of a refused key", async () => {
    const file = join(home.dir, "refused-profile")
    writeFileSync(
      file,
      `[prod]\naccess_key_id = ${KEY.accessKeyId}\naccess_key_secret = wrong-in-profile\nendpoint = ${emu.url}\n`
    )
    chmodSync(file, 0o600)
    const fromProfile = await ota(["tasks", "list", "--job", JOB, "--profile", "prod"], {
      OTA_PROFILE_FILE: file
    })
    expectExit(fromProfile, 3)
    expect(fromProfile.stderr).toContain(
      `ota: the key pair came from profile "prod" in ${file} (AccessKeyId ${KEY.accessKeyId}); check `
    )
    const fromStdin = await ota(
      ["tasks", "list", "--job", JOB, "--secret-stdin", "--access-key-id", KEY.accessKeyId],
      { OTA_ENDPOINT: emu.url },
      "wrong-on-stdin\n"
    )
    expectExit(fromStdin, 3)
    expect(fromStdin.stderr).toContain(
      `ota: the key pair came from stdin (--secret-stdin), with the id from --access-key-id (AccessKeyId ${KEY.accessKeyId}); check `
    )
    expect(fromProfile.stderr + fromStdin.stderr).not.toMatch(/wrong-in-profile|wrong-on-stdin/)
  })

  it("trims the space and line break around a key read from the environment or stdin", async () => {
    const env = await ota(["tasks", "list", "--job", JOB, "-o", "json"], {
      OTA_ENDPOINT: emu.url,
      OTA_ACCESS_KEY_ID: ` ${KEY.accessKeyId}\t`,
      OTA_ACCESS_KEY_SECRET: `${KEY.accessKeySecret} \n`
    })
    expectExit(env, 0)
    expect(JSON.parse(env.stdout)).toHaveLength(10)
    const stdin = await ota(
      ["tasks", "list", "--job", JOB, "-o", "json", "--secret-stdin"],
      { OTA_ENDPOINT: emu.url, OTA_ACCESS_KEY_ID: KEY.accessKeyId },
      `  ${KEY.accessKeySecret}  \r\n\n`
    )
    expectExit(stdin, 0)
  })

  it("3: an unknown AccessKey id", async () => {
    const result = await ota(["tasks", "list", "--job", JOB], {
      ...credentials(),
      OTA_ACCESS_KEY_ID: "nobody"
    })
    expectExit(result, 3)
    const lines = result.stderr.trimEnd().split("\n")
    expect(lines[0]).toMatch(/^ota: InvalidAccessKeyId\.NotFound: .+ \(request id [0-9A-F-]{36}\)$/)
    expect(lines[1]).toBe(
      "ota: the key pair came from the environment (OTA_ACCESS_KEY_ID / OTA_ACCESS_KEY_SECRET) (AccessKeyId nobody); check that the AccessKey id is right, active, and meant for this endpoint's account and region"
    )
  })

  it("4: an unknown job", async () => {
    const result = await ota(["tasks", "summary", "--job", "NoSuchJob"])
    expectExit(result, 4)
    expect(errorLine(result)).toMatch(
      /^ota: iot\.ota\.NotExistedJob: .*NoSuchJob.* \(request id [0-9A-F-]{36}\)$/
    )
  })

  it("5: nothing listening at the endpoint", async () => {
    // A port that was free a moment ago: bind, read it, release.
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, "127.0.0.1", () => {
        const address = server.address()
        server.close(() => resolve(typeof address === "object" && address !== null ? address.port : 0))
      })
    })
    const result = await ota([
      "tasks",
      "list",
      "--job",
      JOB,
      "--endpoint",
      `http://127.0.0.1:${port}`,
      "--retries",
      "0"
    ])
    expectExit(result, 5)
    expect(errorLine(result)).toMatch(/^ota: TransportError: .*ECONNREFUSED/)
  })

  it("5: no answer within --timeout", async () => {
    const result = await ota([
      "tasks",
      "list",
      "--job",
      JOB,
      "--endpoint",
      slow.url,
      "--timeout",
      "200ms",
      "--retries",
      "0"
    ])
    expectExit(result, 5)
    expect(errorLine(result)).toMatch(
      new RegExp(`^ota: TimeoutError: .*127\\.0\\.0\\.1:${slow.port}.* 200 ms$`)
    )
  })
})

describe("credentials", () => {
  const profileFile = join(home.dir, "credentials")

  beforeAll(() => {
    writeFileSync(
      profileFile,
      [
        "[default]",
        "access_key_id = default-key-unknown-to-the-emulator",
        "access_key_secret = default-secret",
        "",
        "[staging]",
        `access_key_id = ${STAGING.accessKeyId}`,
        `access_key_secret = ${STAGING.accessKeySecret}`,
        "endpoint = http://127.0.0.1:1",
        "signature_algorithm = ACS3-HMAC-SHA256",
        ""
      ].join("\n")
    )
    chmodSync(profileFile, 0o600)
  })

  it("reads the key, endpoint and algorithm of --profile staging; --endpoint wins over the profile", async () => {
    const result = await ota(
      ["tasks", "list", "--job", JOB, "--profile", "staging", "--endpoint", emu.url, "-o", "json"],
      {
        OTA_PROFILE_FILE: profileFile
      }
    )
    expectExit(result, 0)
    expect(JSON.parse(result.stdout)).toHaveLength(10)
  })

  it("a named profile wins over the environment's key", async () => {
    const result = await ota(["tasks", "list", "--job", JOB, "--profile", "staging", "--endpoint", emu.url], {
      ...credentials(),
      OTA_ACCESS_KEY_SECRET: "wrong-secret-in-env",
      OTA_PROFILE_FILE: profileFile
    })
    expectExit(result, 0)
  })

  it("2: a profile that is not in the file", async () => {
    const result = await ota(["tasks", "list", "--job", JOB, "--profile", "prod"], {
      OTA_PROFILE_FILE: profileFile
    })
    expectExit(result, 2)
    expect(errorLine(result)).toContain('profile "prod" not found')
  })

  it.each(["constructor", "__proto__"])(
    "2: --profile %s is a profile not found, not an inherited object",
    async (name) => {
      const result = await ota(["tasks", "list", "--job", "x", "--profile", name], {
        OTA_PROFILE_FILE: profileFile
      })
      expectExit(result, 2)
      expect(errorLine(result)).toContain(`profile "${name}" not found`)
    }
  )

  it("--secret-stdin pairs the piped secret with OTA_ACCESS_KEY_ID", async () => {
    const result = await ota(
      ["tasks", "list", "--job", JOB, "--secret-stdin", "-o", "json"],
      { OTA_ENDPOINT: emu.url, OTA_ACCESS_KEY_ID: KEY.accessKeyId },
      `${KEY.accessKeySecret}\n`
    )
    expectExit(result, 0)
    expect(JSON.parse(result.stdout)).toHaveLength(10)
  })

  it("--secret-stdin with --access-key-id, over a wrong secret in the environment", async () => {
    const result = await ota(
      [
        "tasks",
        "summary",
        "--job",
        JOB,
        "--secret-stdin",
        "--access-key-id",
        STAGING.accessKeyId,
        "-o",
        "json"
      ],
      { ...credentials(), OTA_ACCESS_KEY_SECRET: "wrong-secret-in-env" },
      `${STAGING.accessKeySecret}\r\n`
    )
    expectExit(result, 0)
    expect(JSON.parse(result.stdout)).toMatchObject({ jobId: JOB, total: 30 })
  })

  it("--secret-stdin takes the id from the named profile", async () => {
    const result = await ota(
      ["tasks", "list", "--job", JOB, "--profile", "staging", "--endpoint", emu.url, "--secret-stdin"],
      { OTA_PROFILE_FILE: profileFile },
      STAGING.accessKeySecret
    )
    expectExit(result, 0)
  })

  it("2: an empty stdin, and --access-key-id without --secret-stdin", async () => {
    const empty = await ota(["tasks", "list", "--job", JOB, "--secret-stdin"], credentials(), "")
    expectExit(empty, 2)
    expect(errorLine(empty)).toBe("ota: ValidationError: --secret-stdin: stdin was empty")
    const idOnly = await ota(["tasks", "list", "--job", JOB, "--access-key-id", KEY.accessKeyId])
    expectExit(idOnly, 2)
    expect(errorLine(idOnly)).toContain("--access-key-id goes with --secret-stdin")
  })
})

describe("--verbose and signing", () => {
  it("prints each attempt with its duration and request id, then a summary, on stderr only", async () => {
    const result = await ota(["tasks", "summary", "--job", JOB, "-o", "json", "--verbose"])
    expectExit(result, 0)
    expect(JSON.parse(result.stdout)).toMatchObject({ total: 30 })
    const lines = result.stderr.trimEnd().split("\n")
    const attempts = lines.filter((line) => / attempt \d+ /.test(line))
    expect(attempts).toHaveLength(8)
    for (const line of attempts) {
      expect(line).toMatch(/^ota: ListOTATaskByJob attempt 1 ok in \d+ ms \(request id [0-9A-F-]{36}\)$/)
    }
    expect(lines.at(-1)).toMatch(/^ota: 8 calls, 8 attempts in \d/)
    // Neither URLs (they carry the signature) nor signatures.
    expect(result.stderr).not.toContain("http")
    expect(result.stderr).not.toContain("Signature")
  })

  it("shows failed attempts and retries", async () => {
    emu.setFaults({ sequence: ["ServiceUnavailable", "Throttling"] })
    try {
      const result = await ota(["tasks", "list", "--job", JOB, "--verbose", "-o", "json"])
      expectExit(result, 0)
      const [source, ...lines] = result.stderr.trimEnd().split("\n")
      expect(source).toBe("ota: credentials from the environment (OTA_ACCESS_KEY_ID / OTA_ACCESS_KEY_SECRET)")
      expect(lines[0]).toMatch(
        /^ota: ListOTATaskByJob attempt 1 failed in \d+ ms: ApiError ServiceUnavailable \(request id /
      )
      expect(lines[1]).toMatch(
        /^ota: ListOTATaskByJob attempt 2 failed in \d+ ms: ApiError Throttling\.User \(request id /
      )
      expect(lines[2]).toMatch(/^ota: ListOTATaskByJob attempt 3 ok in \d+ ms \(request id /)
      expect(lines[3]).toMatch(/^ota: 1 call, 3 attempts \(2 failed, 2 retries\) in /)
    } finally {
      emu.setFaults(undefined)
    }
  })

  it("--verbose on a failure still prints no secret, and the error lines last", async () => {
    const result = await ota(["tasks", "list", "--job", JOB, "-v"], {
      ...credentials(),
      OTA_ACCESS_KEY_SECRET: "wrong"
    })
    expectExit(result, 3)
    const [source, ...lines] = result.stderr.trimEnd().split("\n")
    expect(source).toMatch(/^ota: credentials from the environment /)
    expect(lines[0]).toMatch(/attempt 1 failed in \d+ ms: ApiError SignatureDoesNotMatch \(request id /)
    expect(lines.at(-2)).toMatch(/^ota: SignatureDoesNotMatch: /)
    expect(lines.at(-1)).toMatch(/^ota: the key pair came from the environment /)
  })

  it("--signature-algorithm ACS3-HMAC-SHA256 signs with V3", async () => {
    const result = await ota([
      "tasks",
      "list",
      "--job",
      JOB,
      "--signature-algorithm",
      "ACS3-HMAC-SHA256",
      "-o",
      "json"
    ])
    expectExit(result, 0)
    expect(JSON.parse(result.stdout)).toHaveLength(10)
    // A wrong secret fails V3 verification just as V2.
    const wrong = await ota(["tasks", "list", "--job", JOB, "--signature-algorithm", "ACS3-HMAC-SHA256"], {
      ...credentials(),
      OTA_ACCESS_KEY_SECRET: "wrong"
    })
    expectExit(wrong, 3)
  })
})
