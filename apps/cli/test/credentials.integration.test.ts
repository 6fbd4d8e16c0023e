/**
 * Temporary credentials through `ota`, as a subprocess against the emulator, which issues them (its STS and its
 * ECS metadata service) and verifies their tokens: a `RamRoleArn`, an `EcsRamRole` (metadata endpoint from
 * `OTA_ECS_METADATA_ENDPOINT`, hardened mode required) and an `OIDC` profile each work with `tasks list`,
 * `tasks summary` and `tasks watch`; with no key anywhere the default chain finds ACK RRSA in the environment.
 * `--verbose` names the provider that supplied the credentials (the chain's member), never a value; an
 * expired token exits 3 with the service's code.
 */
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import {
  DEFAULT_CREDENTIALS,
  DEFAULT_OIDC_PROVIDER,
  DEFAULT_ROLE_ARN,
  type Emulator,
  startEmulator
} from "@iot-ota/emulator"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { expectExit, makeHome, registerSecret, runCli } from "./helpers/cli.js"

const JOB = "CredJob0000000000000000001"
const TASKS = 24

registerSecret(DEFAULT_CREDENTIALS.accessKeySecret)
registerSecret(DEFAULT_OIDC_PROVIDER.secret)

let emu: Emulator
const home = makeHome()
const profileFile = join(home.dir, "credentials")
const tokenFile = join(home.dir, "rrsa-token")
let expired: {
  readonly accessKeyId: string
  readonly accessKeySecret: string
  readonly securityToken: string
}

beforeAll(async () => {
  emu = await startEmulator({
    qps: 0,
    seed: 11,
    // Every task finished: `tasks watch` reports once and exits.
    jobs: [{ jobId: JOB, tasks: TASKS, statusMix: { SUCCEEDED: 3, FAILED: 1 } }],
    metadataTokens: "required"
  })
  const token = emu.oidcToken({ subject: "system:serviceaccount:ota:cli" })
  registerSecret(token)
  writeFileSync(tokenFile, token)
  const issued = emu.issueCredentials({ sessionName: "soon-expired" })
  expired = issued
  registerSecret(issued.accessKeySecret)
  registerSecret(issued.securityToken)
  writeFileSync(
    profileFile,
    [
      "[reader]",
      "mode = RamRoleArn",
      `access_key_id = ${DEFAULT_CREDENTIALS.accessKeyId}`,
      `access_key_secret = ${DEFAULT_CREDENTIALS.accessKeySecret}`,
      `ram_role_arn = ${DEFAULT_ROLE_ARN}`,
      "ram_session_name = ota-cli",
      `sts_endpoint = ${emu.url}`,
      "[instance]",
      "mode = EcsRamRole",
      "[pod]",
      "mode = OIDC",
      `ram_role_arn = ${DEFAULT_ROLE_ARN}`,
      `oidc_provider_arn = ${DEFAULT_OIDC_PROVIDER.arn}`,
      `oidc_token_file = ${tokenFile}`,
      `sts_endpoint = ${emu.url}`,
      "[stale]",
      "mode = StsToken",
      `access_key_id = ${issued.accessKeyId}`,
      `access_key_secret = ${issued.accessKeySecret}`,
      `sts_token = ${issued.securityToken}`
    ].join("\n"),
    { mode: 0o600 }
  )
  emu.expireCredentials(issued.accessKeyId)
})

afterAll(async () => {
  await emu?.close()
  home.cleanup()
})

const env = () => ({
  ALIBABA_CLOUD_ECS_METADATA_DISABLED: undefined,
  OTA_ENDPOINT: emu.url,
  OTA_PROFILE_FILE: profileFile,
  OTA_ECS_METADATA_ENDPOINT: emu.url,
  ALIBABA_CLOUD_IMDSV1_DISABLED: "true",
  ALIBABA_CLOUD_CLI_PROFILE_DISABLED: "true"
})

const COMMANDS = [
  ["tasks", "list", "--job", JOB, "--all", "-o", "json"],
  ["tasks", "summary", "--job", JOB, "-o", "json"],
  ["tasks", "watch", "--job", JOB, "--interval", "300ms"]
] as const

const sourceLine = (stderr: string) =>
  stderr.split("\n").find((line) => line.startsWith("ota: credentials from"))

describe("profiles of the temporary-credential modes, with every command", () => {
  // HOME is the test's directory, where the profile file is: messages write it as ~/credentials.
  const profiles = [
    ["reader", `profile reader (~/credentials): assume-role ${DEFAULT_ROLE_ARN} (base: its access_key_id)`],
    ["instance", `profile instance (~/credentials): ecs-metadata role emulator-role`],
    ["pod", `profile pod (~/credentials): oidc ${DEFAULT_ROLE_ARN}`]
  ] as const

  for (const [profile, source] of profiles) {
    it(`${profile}: tasks list, summary and watch succeed; --verbose names the provider`, async () => {
      const issuedBefore = emu.issuedCredentials().length
      const metadataBefore = emu.stats().metadata.credentials ?? 0
      for (const command of COMMANDS) {
        const result = await runCli(home.dir, [...command, "--profile", profile, "--verbose"], { env: env() })
        expectExit(result, 0)
        expect(sourceLine(result.stderr)).toBe(`ota: credentials from ${source}`)
        if (command[1] === "list") expect(JSON.parse(result.stdout)).toHaveLength(TASKS)
        if (command[1] === "summary")
          expect(JSON.parse(result.stdout)).toMatchObject({ total: TASKS, done: TASKS })
        if (command[1] === "watch") expect(result.stdout).toContain(`${TASKS}`)
      }
      // One credential per run, from the issuer the profile names; the metadata service hands out the one it holds.
      const issued = emu.issuedCredentials().slice(issuedBefore)
      if (profile === "instance") {
        expect(issued.length).toBeLessThanOrEqual(1)
        expect(emu.stats().metadata.credentials).toBe(metadataBefore + COMMANDS.length)
      } else {
        expect(issued.map((c) => c.via)).toEqual(
          Array(COMMANDS.length).fill(profile === "reader" ? "AssumeRole" : "AssumeRoleWithOIDC")
        )
      }
    })
  }

  it("OTA_PROFILE selects the profile as --profile does", async () => {
    const result = await runCli(home.dir, [...COMMANDS[1], "--verbose"], {
      env: { ...env(), OTA_PROFILE: "pod" }
    })
    expectExit(result, 0)
    expect(sourceLine(result.stderr)).toBe(
      `ota: credentials from profile pod (~/credentials): oidc ${DEFAULT_ROLE_ARN}`
    )
  })

  it("an expired StsToken profile exits 3 with the service's code, and says where the credentials came from", async () => {
    const result = await runCli(home.dir, [...COMMANDS[1], "--profile", "stale"], { env: env() })
    expectExit(result, 3)
    expect(result.stderr).toContain("InvalidSecurityToken.Expired")
    expect(result.stderr).toContain(`profile "stale"`)
    expect(result.stderr).not.toContain(expired.securityToken)
  })
})

describe("the default chain", () => {
  it("ACK RRSA from the environment, no key anywhere: --verbose names the chain's member", async () => {
    const result = await runCli(home.dir, [...COMMANDS[0], "--verbose"], {
      env: {
        OTA_ENDPOINT: emu.url,
        ALIBABA_CLOUD_CLI_PROFILE_DISABLED: "true",
        ALIBABA_CLOUD_ECS_METADATA_DISABLED: "true",
        ALIBABA_CLOUD_ROLE_ARN: DEFAULT_ROLE_ARN,
        ALIBABA_CLOUD_OIDC_PROVIDER_ARN: DEFAULT_OIDC_PROVIDER.arn,
        ALIBABA_CLOUD_OIDC_TOKEN_FILE: tokenFile,
        ALIBABA_CLOUD_STS_ENDPOINT: emu.url
      }
    })
    expectExit(result, 0)
    expect(JSON.parse(result.stdout)).toHaveLength(TASKS)
    expect(sourceLine(result.stderr)).toBe(
      `ota: credentials from env ALIBABA_CLOUD_OIDC_TOKEN_FILE: oidc ${DEFAULT_ROLE_ARN}`
    )
  })

  it("on ECS: the metadata service is the member chosen", async () => {
    const result = await runCli(home.dir, [...COMMANDS[1], "--verbose"], {
      env: {
        OTA_ENDPOINT: emu.url,
        ALIBABA_CLOUD_CLI_PROFILE_DISABLED: "true",
        ALIBABA_CLOUD_ECS_METADATA_DISABLED: undefined,
        OTA_ECS_METADATA_ENDPOINT: emu.url,
        ALIBABA_CLOUD_IMDSV1_DISABLED: "true"
      }
    })
    expectExit(result, 0)
    expect(sourceLine(result.stderr)).toBe("ota: credentials from ecs-metadata role emulator-role")
  })
})
