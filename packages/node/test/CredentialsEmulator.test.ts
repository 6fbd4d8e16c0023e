/**
 * Every Node credential source end to end on the emulator, which issues the temporary credentials itself (its
 * STS and its metadata service) and verifies their tokens on every call:
 *
 * - the Promise client pages through a job with a profile of each mode (`AK`, `StsToken`, `RamRoleArn`,
 *   `ChainableRamRoleArn`, `EcsRamRole` hardened and plain, `OIDC`) and with an `aliyun` CLI profile, resolved
 *   by `resolveOptions` (a role mode assumes its role);
 * - with no key anywhere, the default chain finds ACK RRSA in the environment, and the token file is read
 *   afresh on each refresh (kubelet rotates it): test clock, shared with the emulator;
 * - on ECS, the chain's metadata member, hardened only or plain.
 */
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterEach, describe, expect, it } from "@effect/vitest"
import * as ClientConfig from "@iot-ota/core/ClientConfig"
import * as Credentials from "@iot-ota/core/Credentials"
import * as CoreClient from "@iot-ota/core/OtaClient"
import {
  DEFAULT_CREDENTIALS,
  DEFAULT_OIDC_PROVIDER,
  DEFAULT_ROLE_ARN,
  type Emulator,
  type EmulatorOptions,
  startEmulator
} from "@iot-ota/emulator"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as TestClock from "effect/TestClock"
import * as CredentialProviders from "../src/CredentialProviders.js"
import { fromAssumeRole, fromStatic, OtaClient, resolveOptions } from "../src/index.js"
import * as UndiciTransport from "../src/UndiciTransport.js"
import { rejection } from "./helpers.js"

const JOB = "job-node-sts"
const TASKS = 45
const ADMIN = "acs:ram::1234567890123456:role/ota-admin"

const dir = mkdtempSync(join(tmpdir(), "iot-ota-sts-"))
const writeFile = (name: string, text: string) => {
  const file = join(dir, `${name}-${Math.random().toString(36).slice(2)}`)
  writeFileSync(file, text)
  chmodSync(file, 0o600)
  return file
}

const running: Array<Emulator> = []
afterEach(async () => {
  await Promise.all(running.splice(0).map((emu) => emu.close()))
})

const start = async (options: EmulatorOptions = {}) => {
  const emu = await startEmulator({
    qps: 0,
    jobs: [{ jobId: JOB, tasks: TASKS }],
    roles: [{ roleArn: DEFAULT_ROLE_ARN }, { roleArn: ADMIN, trustedPrincipals: [DEFAULT_ROLE_ARN] }],
    ...options
  })
  running.push(emu)
  return emu
}

/** No source of this machine's own: no aliyun CLI file, no metadata service. */
const ISOLATED = { ALIBABA_CLOUD_CLI_PROFILE_DISABLED: "true", ALIBABA_CLOUD_ECS_METADATA_DISABLED: "true" }

/** Pages through the job with the Promise client; its task ids and the source it names. */
const listAll = async (options: ConstructorParameters<typeof OtaClient>[0]) => {
  const client = new OtaClient({ maxAttempts: 1, ...options })
  try {
    const ids: Array<string> = []
    for await (const task of client.paginateOTATaskByJob({ jobId: JOB, pageSize: 10 })) ids.push(task.taskId)
    return { ids, source: client.credentialsSource }
  } finally {
    await client.close()
  }
}

const profileFile = (emu: Emulator, tokenFile: string) => {
  const fixture = emu.issueCredentials({ sessionName: "handed-over" })
  const file = writeFile(
    "credentials",
    [
      "[ak]",
      `access_key_id = ${DEFAULT_CREDENTIALS.accessKeyId}`,
      `access_key_secret = ${DEFAULT_CREDENTIALS.accessKeySecret}`,
      "[temporary]",
      "mode = StsToken",
      `access_key_id = ${fixture.accessKeyId}`,
      `access_key_secret = ${fixture.accessKeySecret}`,
      `sts_token = ${fixture.securityToken}`,
      "[reader]",
      "mode = RamRoleArn",
      `access_key_id = ${DEFAULT_CREDENTIALS.accessKeyId}`,
      `access_key_secret = ${DEFAULT_CREDENTIALS.accessKeySecret}`,
      `ram_role_arn = ${DEFAULT_ROLE_ARN}`,
      "ram_session_name = node-reader",
      "expired_seconds = 900",
      `sts_endpoint = ${emu.url}`,
      "[admin]",
      "mode = ChainableRamRoleArn",
      "source_profile = reader",
      `ram_role_arn = ${ADMIN}`,
      "ram_session_name = node-admin",
      `sts_endpoint = ${emu.url}`,
      "[instance]",
      "mode = EcsRamRole",
      "[pod]",
      "mode = OIDC",
      `ram_role_arn = ${DEFAULT_ROLE_ARN}`,
      `oidc_provider_arn = ${DEFAULT_OIDC_PROVIDER.arn}`,
      `oidc_token_file = ${tokenFile}`,
      "ram_session_name = node-pod",
      `sts_endpoint = ${emu.url}`
    ].join("\n")
  )
  return { file, fixture }
}

describe("the Promise client with a profile of each mode", () => {
  it("AK, StsToken, RamRoleArn, ChainableRamRoleArn, EcsRamRole and OIDC profiles each page through the job", async () => {
    const emu = await start({ metadataTokens: "required" })
    const tokenFile = writeFile("token", emu.oidcToken({ subject: "system:serviceaccount:ota:pod" }))
    const { file } = profileFile(emu, tokenFile)
    const env = {
      ...ISOLATED,
      ALIBABA_CLOUD_ECS_METADATA_DISABLED: undefined,
      OTA_ECS_METADATA_ENDPOINT: emu.url,
      ALIBABA_CLOUD_IMDSV1_DISABLED: "true"
    }
    const expected = emu.tasks(JOB).map((task) => task.TaskId)
    for (const profile of ["ak", "temporary", "reader", "admin", "instance", "pod"]) {
      const { ids } = await listAll({ endpoint: emu.url, profile, profileFile: file, env })
      expect({ profile, ids }).toEqual({ profile, ids: expected })
    }
    // What each resolved to, named after its first call (`ota --verbose` prints this).
    const sourceOf = async (profile: string) => {
      const { credentials } = resolveOptions({ endpoint: emu.url, profile, profileFile: file, env })
      await Effect.runPromise(credentials.get)
      return credentials.source
    }
    expect(await sourceOf("reader")).toBe(
      `profile reader (${file}): assume-role ${DEFAULT_ROLE_ARN} (base: its access_key_id)`
    )
    expect(await sourceOf("admin")).toBe(
      `profile admin (${file}): assume-role ${ADMIN} (base: profile reader (${file}): assume-role ${DEFAULT_ROLE_ARN} (base: its access_key_id))`
    )
    expect(await sourceOf("pod")).toBe(`profile pod (${file}): oidc ${DEFAULT_ROLE_ARN}`)
    expect(await sourceOf("instance")).toBe(`profile instance (${file}): ecs-metadata role emulator-role`)
    // Who got what: each role mode assumed its role once per client; the instance asked its metadata service.
    expect(
      emu
        .issuedCredentials()
        .slice(0, 6)
        .map((c) => [c.via, c.sessionName, c.roleArn])
    ).toEqual([
      ["issueCredentials", "handed-over", DEFAULT_ROLE_ARN],
      ["AssumeRole", "node-reader", DEFAULT_ROLE_ARN],
      ["AssumeRole", "node-reader", DEFAULT_ROLE_ARN],
      ["AssumeRole", "node-admin", ADMIN],
      ["EcsMetadata", "ecs-instance", DEFAULT_ROLE_ARN],
      ["AssumeRoleWithOIDC", "node-pod", DEFAULT_ROLE_ARN]
    ])
    expect(emu.stats().metadata).toEqual({ token: 2, role: 2, credentials: 2 })
    // Five pages per profile, and the STS calls.
    expect(emu.stats().byAction.ListOTATaskByJob).toBe(6 * 5)
    expect(Object.keys(emu.stats().byCode)).toEqual(["OK"])
  })

  it("an aliyun CLI profile (config.json) in RamRoleArn mode, found by the default chain", async () => {
    const emu = await start()
    const aliyunConfig = writeFile(
      "config.json",
      JSON.stringify({
        current: "ota",
        profiles: [
          {
            name: "ota",
            mode: "RamRoleArn",
            access_key_id: DEFAULT_CREDENTIALS.accessKeyId,
            access_key_secret: DEFAULT_CREDENTIALS.accessKeySecret,
            ram_role_arn: DEFAULT_ROLE_ARN,
            ram_session_name: "aliyun-cli",
            region_id: "cn-shanghai",
            sts_endpoint: emu.url
          }
        ]
      })
    )
    const chain = await Effect.runPromise(
      CredentialProviders.defaultChain({
        env: { ALIBABA_CLOUD_ECS_METADATA_DISABLED: "true" },
        file: join(dir, "no-profile-file"),
        aliyunCliFile: aliyunConfig
      })
    )
    const credential = await Effect.runPromise(chain.get)
    expect(credential.accessKeyId).toBe(emu.issuedCredentials()[0]!.accessKeyId)
    // The chain names the member it chose, after the first call.
    expect(chain.source).toBe(
      `aliyun-cli profile ota (${aliyunConfig}): assume-role ${DEFAULT_ROLE_ARN} (base: its access_key_id)`
    )
  })

  it("a credentials function whose token the server cuts short is called again, and the page is fetched once more", async () => {
    const emu = await start()
    const handedOut: Array<string> = []
    const client = new OtaClient({
      endpoint: emu.url,
      maxAttempts: 1,
      env: ISOLATED,
      profileFile: join(dir, "no-profile-file"),
      // A vault: each call leases a new temporary credential, valid for an hour.
      credentials: async () => {
        const { expiration, ...issued } = emu.issueCredentials({ sessionName: "vault" })
        handedOut.push(issued.accessKeyId)
        return { ...issued, expiration: new Date(expiration) }
      }
    })
    try {
      expect((await client.listOTATaskByJob({ jobId: JOB, pageSize: 10 })).tasks).toHaveLength(10)
      emu.expireCredentials(handedOut[0])
      expect((await client.listOTATaskByJob({ jobId: JOB, pageSize: 10 })).tasks).toHaveLength(10)
      expect(handedOut).toHaveLength(2)
      expect(emu.stats().byCode).toEqual({ OK: 2, "InvalidSecurityToken.Expired": 1 })
    } finally {
      await client.close()
    }
  })

  it("an expired handed-over token is refused with InvalidSecurityToken.Expired, naming nothing secret", async () => {
    const emu = await start()
    const { file, fixture } = profileFile(emu, writeFile("token", "unused"))
    emu.expireCredentials()
    const error = await rejection(
      listAll({ endpoint: emu.url, profile: "temporary", profileFile: file, env: ISOLATED })
    )
    expect(error).toMatchObject({ _tag: "ApiError", code: "InvalidSecurityToken.Expired", httpStatus: 400 })
    for (const text of [String(error), JSON.stringify(error)]) {
      expect(text).not.toContain(fixture.securityToken)
      expect(text).not.toContain(fixture.accessKeySecret)
    }
  })
})

describe("the default chain on ACK and ECS", () => {
  it.effect(
    "ACK RRSA: no key anywhere, the chain assumes the role with the pod's token, read afresh on refresh",
    () =>
      Effect.gen(function* () {
        yield* TestClock.setTime(Date.now())
        const clock = yield* Effect.clock
        const emu = yield* Effect.promise(() => start({ clock: () => clock.unsafeCurrentTimeMillis() }))
        // kubelet writes a token that lives 20 minutes, and a new one before it expires.
        const tokenFile = writeFile("rrsa-token", emu.oidcToken({ subject: "pod-a", expiresInSeconds: 1200 }))
        const provider = yield* CredentialProviders.defaultChain({
          env: {
            ...ISOLATED,
            ALIBABA_CLOUD_ROLE_ARN: DEFAULT_ROLE_ARN,
            ALIBABA_CLOUD_OIDC_PROVIDER_ARN: DEFAULT_OIDC_PROVIDER.arn,
            ALIBABA_CLOUD_OIDC_TOKEN_FILE: tokenFile,
            ALIBABA_CLOUD_ROLE_SESSION_NAME: "ack-pod",
            // What the pod-identity webhook injects; here the emulator.
            ALIBABA_CLOUD_STS_ENDPOINT: emu.url
          },
          file: join(dir, "no-profile-file")
        })
        const layer = CoreClient.layer.pipe(
          Layer.provide(UndiciTransport.layer),
          Layer.provide(Layer.succeed(Credentials.Credentials, provider)),
          Layer.provide(ClientConfig.layer({ endpoint: emu.url, qps: 0, maxAttempts: 1, runtime: "test" })),
          Layer.orDie
        )
        const page = Effect.provide(
          Effect.flatMap(CoreClient.OtaClient, (ota) => ota.listOTATaskByJob({ jobId: JOB, pageSize: 5 })),
          layer
        )
        expect((yield* page).tasks).toHaveLength(5)
        expect(provider.source).toBe(`env ALIBABA_CLOUD_OIDC_TOKEN_FILE: oidc ${DEFAULT_ROLE_ARN}`)
        // An hour later both the credential and the first token have expired; kubelet has rotated the file.
        yield* TestClock.adjust("1 hour")
        writeFileSync(tokenFile, emu.oidcToken({ subject: "pod-b", expiresInSeconds: 1200 }))
        expect((yield* page).tasks).toHaveLength(5)
        expect(emu.issuedCredentials().map((c) => [c.via, c.sessionName, c.subject])).toEqual([
          ["AssumeRoleWithOIDC", "ack-pod", "pod-a"],
          ["AssumeRoleWithOIDC", "ack-pod", "pod-b"]
        ])
        expect(emu.stats().byCode).toEqual({ OK: 4 })
      })
  )

  it("ECS, hardened only: the Promise client with no key finds the instance role through the chain", async () => {
    const emu = await start({ metadataTokens: "required" })
    const { ids } = await listAll({
      endpoint: emu.url,
      profileFile: join(dir, "no-profile-file"),
      env: {
        ALIBABA_CLOUD_CLI_PROFILE_DISABLED: "true",
        OTA_ECS_METADATA_ENDPOINT: emu.url,
        ALIBABA_CLOUD_IMDSV1_DISABLED: "true"
      }
    })
    expect(ids).toHaveLength(TASKS)
    expect(emu.stats().metadata).toEqual({ token: 1, role: 1, credentials: 1 })
  })

  it("ECS, plain: an instance without session tokens is asked without one, unless the hardened mode is required", async () => {
    const emu = await start({ metadataTokens: "unsupported" })
    const env = { ALIBABA_CLOUD_CLI_PROFILE_DISABLED: "true", OTA_ECS_METADATA_ENDPOINT: emu.url }
    const { ids } = await listAll({ endpoint: emu.url, profileFile: join(dir, "no-profile-file"), env })
    expect(ids).toHaveLength(TASKS)
    expect(emu.stats().metadata).toEqual({ "refused:no-tokens": 1, role: 1, credentials: 1 })
    const error = await rejection(
      listAll({
        endpoint: emu.url,
        profileFile: join(dir, "no-profile-file"),
        env: { ...env, ALIBABA_CLOUD_IMDSV1_DISABLED: "true" }
      })
    )
    expect(error).toMatchObject({ _tag: "CredentialsError", reason: "Refused" })
    expect(emu.stats().metadata).toEqual({ "refused:no-tokens": 2, role: 1, credentials: 1 })
  })
})

describe("the credentials option takes a provider", () => {
  it("fromAssumeRole, as built or as its Effect, signs every page with the role's temporary key", async () => {
    const emu = await start()
    const base = {
      accessKeyId: DEFAULT_CREDENTIALS.accessKeyId,
      accessKeySecret: DEFAULT_CREDENTIALS.accessKeySecret
    }
    const role = fromAssumeRole({
      base: Effect.runSync(fromStatic(base)),
      roleArn: DEFAULT_ROLE_ARN,
      roleSessionName: "option",
      endpoint: emu.url
    })
    for (const credentials of [role, await Effect.runPromise(role)]) {
      const { ids, source } = await listAll({
        endpoint: emu.url,
        credentials,
        env: ISOLATED,
        profileFile: "/nonexistent"
      })
      expect(new Set(ids).size).toBe(TASKS)
      expect(source).toContain(DEFAULT_ROLE_ARN)
    }
    expect(emu.issuedCredentials().length).toBeGreaterThanOrEqual(2)
  })
})
