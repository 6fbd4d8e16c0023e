/**
 * The Node credential sources (environment, profile file, ECS metadata, the default chain) against fake
 * issuers on 127.0.0.1 (the core's test/credentialServers.ts), and the client end to end on the emulator.
 */
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterEach, describe, expect, it } from "@effect/vitest"
import * as ClientConfig from "@iot-ota/core/ClientConfig"
import * as Credentials from "@iot-ota/core/Credentials"
import type { CredentialsError } from "@iot-ota/core/IotError"
import * as CoreClient from "@iot-ota/core/OtaClient"
import { startEmulator } from "@iot-ota/emulator"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import {
  type FakeMetadataOptions,
  type FakeStsOptions,
  issuedBy,
  startFakeMetadata,
  startFakeSts,
  v2Signature,
  v2StringToSign
} from "../../core/test/credentialServers.js"
import * as CredentialProviders from "../src/CredentialProviders.js"
import { OtaClient, resolveOptions } from "../src/index.js"
import * as UndiciTransport from "../src/UndiciTransport.js"
import { thrown } from "./helpers.js"

const KEY = "LTAI-node-key"
const SECRET = "node-secret-that-must-never-leak"
const TOKEN = "CAIS-node-token-that-must-never-leak+/="
const ROLE = "acs:ram::1234567890123456:role/iot-ota-reader"
const OIDC_PROVIDER = "acs:ram::1234567890123456:oidc-provider/ack-rrsa-c1"

const dir = mkdtempSync(join(tmpdir(), "iot-ota-credentials-"))
const writeFile = (name: string, text: string) => {
  const file = join(dir, `${name}-${Math.random().toString(36).slice(2)}`)
  writeFileSync(file, text)
  chmodSync(file, 0o600)
  return file
}

const servers: Array<{ readonly close: () => Promise<void> }> = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()))
})

const fakeSts = (options: Omit<FakeStsOptions, "now"> = {}) =>
  Effect.flatMap(Effect.clock, (clock) =>
    Effect.promise(async () => {
      const sts = await startFakeSts({ now: () => clock.unsafeCurrentTimeMillis(), ...options })
      servers.push(sts)
      return sts
    })
  )
const fakeMetadata = (options: Omit<FakeMetadataOptions, "now">) =>
  Effect.flatMap(Effect.clock, (clock) =>
    Effect.promise(async () => {
      const metadata = await startFakeMetadata({ now: () => clock.unsafeCurrentTimeMillis(), ...options })
      servers.push(metadata)
      return metadata
    })
  )
/** The URL of a port nothing listens on any more. */
const closedPort = Effect.gen(function* () {
  const metadata = yield* fakeMetadata({ role: undefined, tokens: "optional" })
  yield* Effect.promise(() => metadata.close())
  return metadata.url
})

const plain = (credential: Credentials.Credential) => ({
  accessKeyId: credential.accessKeyId,
  accessKeySecret: Redacted.value(credential.accessKeySecret),
  securityToken: credential.securityToken === undefined ? undefined : Redacted.value(credential.securityToken)
})

const expectClean = (error: CredentialsError, ...secrets: ReadonlyArray<string>) => {
  for (const text of [String(error), JSON.stringify(error), error.message])
    for (const secret of [SECRET, TOKEN, ...secrets]) expect(text).not.toContain(secret)
}

describe("fromEnv", () => {
  it.effect("a key pair and token from OTA_*, else ALIBABA_CLOUD_*, trimmed, named by its variable", () =>
    Effect.gen(function* () {
      const ota = yield* CredentialProviders.fromEnv({
        env: {
          OTA_ACCESS_KEY_ID: ` ${KEY}\n`,
          OTA_ACCESS_KEY_SECRET: `${SECRET}\r\n`,
          OTA_SECURITY_TOKEN: `\t${TOKEN}`
        }
      })
      expect(ota.source).toBe("env OTA_ACCESS_KEY_ID")
      expect(plain(yield* ota.get)).toEqual({
        accessKeyId: KEY,
        accessKeySecret: SECRET,
        securityToken: TOKEN
      })
      const alibaba = yield* CredentialProviders.fromEnv({
        env: {
          OTA_ACCESS_KEY_ID: "half",
          ALIBABA_CLOUD_ACCESS_KEY_ID: KEY,
          ALIBABA_CLOUD_ACCESS_KEY_SECRET: SECRET,
          ALIBABA_CLOUD_SECURITY_TOKEN: TOKEN
        }
      })
      expect(alibaba.source).toBe("env ALIBABA_CLOUD_ACCESS_KEY_ID")
      expect(plain(yield* alibaba.get)).toEqual({
        accessKeyId: KEY,
        accessKeySecret: SECRET,
        securityToken: TOKEN
      })
    })
  )

  it.effect("half a pair is Invalid, nothing is NotConfigured; neither says a value", () =>
    Effect.gen(function* () {
      const half = yield* CredentialProviders.fromEnv({ env: { ALIBABA_CLOUD_ACCESS_KEY_SECRET: SECRET } })
      const error = yield* Effect.flip(half.get)
      expect(error).toMatchObject({
        provider: "env ALIBABA_CLOUD_ACCESS_KEY_SECRET",
        reason: "Invalid",
        message: "ALIBABA_CLOUD_ACCESS_KEY_SECRET is set but ALIBABA_CLOUD_ACCESS_KEY_ID is not"
      })
      expectClean(error)
      const none = yield* CredentialProviders.fromEnv({ env: { OTA_ACCESS_KEY_ID: " " } })
      expect(yield* Effect.flip(none.get)).toMatchObject({ provider: "env", reason: "NotConfigured" })
    })
  )

  it.effect("ACK RRSA: OIDC from the environment, the token file read again on every refresh", () =>
    Effect.gen(function* () {
      const sts = yield* fakeSts({})
      const tokenFile = writeFile("token", "eyJ.first-token.sig\n")
      const provider = yield* CredentialProviders.fromEnv({
        env: {
          ALIBABA_CLOUD_ROLE_ARN: ROLE,
          ALIBABA_CLOUD_OIDC_PROVIDER_ARN: OIDC_PROVIDER,
          ALIBABA_CLOUD_OIDC_TOKEN_FILE: tokenFile,
          ALIBABA_CLOUD_ROLE_SESSION_NAME: "pod-7",
          OTA_STS_ENDPOINT: sts.url
        }
      })
      expect(provider.source).toBe(`env ALIBABA_CLOUD_OIDC_TOKEN_FILE: oidc ${ROLE}`)
      expect((yield* provider.get).accessKeyId).toBe("STS.key-1")
      writeFileSync(tokenFile, "eyJ.rotated-token.sig\n") // the kubelet rotates the projected token
      yield* TestClock.adjust("2 hours")
      expect((yield* provider.get).accessKeyId).toBe("STS.key-2")
      expect(sts.requests.map((request) => request.form.OIDCToken)).toEqual([
        "eyJ.first-token.sig",
        "eyJ.rotated-token.sig"
      ])
      expect(sts.requests[0]!.form).toMatchObject({
        RoleArn: ROLE,
        OIDCProviderArn: OIDC_PROVIDER,
        RoleSessionName: "pod-7"
      })
    })
  )

  it.effect("part of the RRSA settings, or a token file that is gone, is Invalid and says what", () =>
    Effect.gen(function* () {
      const partial = yield* CredentialProviders.fromEnv({
        env: { ALIBABA_CLOUD_OIDC_TOKEN_FILE: "/var/run/token" }
      })
      expect(yield* Effect.flip(partial.get)).toMatchObject({
        reason: "Invalid",
        message: "OIDC credentials need ALIBABA_CLOUD_ROLE_ARN and ALIBABA_CLOUD_OIDC_PROVIDER_ARN as well"
      })
      const sts = yield* fakeSts({})
      const gone = yield* CredentialProviders.fromEnv({
        env: {
          ALIBABA_CLOUD_ROLE_ARN: ROLE,
          ALIBABA_CLOUD_OIDC_PROVIDER_ARN: OIDC_PROVIDER,
          ALIBABA_CLOUD_OIDC_TOKEN_FILE: join(dir, "no-such-token"),
          OTA_STS_ENDPOINT: sts.url
        }
      })
      const error = yield* Effect.flip(gone.get)
      expect(error).toMatchObject({ reason: "Invalid", provider: "env ALIBABA_CLOUD_OIDC_TOKEN_FILE" })
      expect(error.message).toBe(`cannot read the OIDC token file ${join(dir, "no-such-token")}: ENOENT`)
      expect(sts.requests).toHaveLength(0)
    })
  )
})

describe("fromProfile", () => {
  const read = (profile: string | undefined, text: string, env: Record<string, string> = {}) =>
    CredentialProviders.fromProfile({ file: writeFile("credentials", text), profile, env })

  it.effect("AK and StsToken profiles, quoted and padded values trimmed, CRLF lines", () =>
    Effect.gen(function* () {
      const text = [
        "[default]",
        `access_key_id = ${KEY}`,
        `access_key_secret = "  ${SECRET}  "`,
        "",
        "[temporary]",
        "mode = StsToken",
        `access_key_id = '${KEY} '`,
        `access_key_secret = ${SECRET}`,
        `sts_token = "${TOKEN}\t"`,
        "",
        "[short]",
        "mode = sts",
        `access_key_id = ${KEY}`,
        `access_key_secret = ${SECRET}`,
        `sts_token = ${TOKEN}`
      ].join("\r\n")
      const ak = yield* read(undefined, text)
      expect(plain(yield* ak.get)).toEqual({
        accessKeyId: KEY,
        accessKeySecret: SECRET,
        securityToken: undefined
      })
      expect(ak.source).toMatch(/^profile default \(.*credentials-\w+\)$/)
      for (const name of ["temporary", "short"]) {
        const sts = yield* read(name, text)
        expect(plain(yield* sts.get)).toEqual({
          accessKeyId: KEY,
          accessKeySecret: SECRET,
          securityToken: TOKEN
        })
      }
    })
  )

  it.effect("RamRoleArn: the profile's keys assume the role at its sts_endpoint", () =>
    Effect.gen(function* () {
      const sts = yield* fakeSts({ keys: { [KEY]: SECRET } })
      const provider = yield* read(
        "reader",
        [
          "[reader]",
          "mode = RamRoleArn",
          `access_key_id = ${KEY}`,
          `access_key_secret = ${SECRET}`,
          `ram_role_arn = ${ROLE}`,
          "ram_session_name = laptop",
          "expired_seconds = 1800",
          "external_id = ext-7",
          `sts_endpoint = ${sts.url}`
        ].join("\n")
      )
      expect((yield* provider.get).accessKeyId).toBe("STS.key-1")
      expect(provider.source).toMatch(
        /^profile reader \(.*\): assume-role acs:ram::1234567890123456:role\/iot-ota-reader \(base: its access_key_id\)$/
      )
      const [request] = sts.requests
      expect(request!.form).toMatchObject({
        RoleArn: ROLE,
        RoleSessionName: "laptop",
        DurationSeconds: "1800",
        ExternalId: "ext-7"
      })
      expect(request!.query.Signature).toBe(
        v2Signature(v2StringToSign("POST", { ...request!.query, ...request!.form }), SECRET)
      )
    })
  )

  it.effect("ChainableRamRoleArn: the source profile's temporary credential assumes the next role", () =>
    Effect.gen(function* () {
      const first = issuedBy("STS")(1)
      const sts = yield* fakeSts({ keys: { [KEY]: SECRET, [first.accessKeyId]: first.accessKeySecret } })
      const text = [
        "[reader]",
        "mode = ram_role_arn",
        `access_key_id = ${KEY}`,
        `access_key_secret = ${SECRET}`,
        `ram_role_arn = ${ROLE}`,
        "[chained]",
        "mode = ChainableRamRoleArn",
        "source_profile = reader",
        "ram_role_arn = acs:ram::1234567890123456:role/other",
        "[loop-a]",
        "mode = ChainableRamRoleArn",
        "source_profile = loop-b",
        `ram_role_arn = ${ROLE}`,
        "[loop-b]",
        "mode = ChainableRamRoleArn",
        "source_profile = loop-a",
        `ram_role_arn = ${ROLE}`
      ].join("\n")
      const provider = yield* read("chained", text, { OTA_STS_ENDPOINT: sts.url })
      expect((yield* provider.get).accessKeyId).toBe("STS.key-2")
      expect(sts.requests.map((request) => [request.query.AccessKeyId, request.form.RoleArn])).toEqual([
        [KEY, ROLE],
        ["STS.key-1", "acs:ram::1234567890123456:role/other"]
      ])
      expect(sts.requests[1]!.query.SecurityToken).toBe(first.securityToken)
      const loop = yield* read("loop-a", text, { OTA_STS_ENDPOINT: sts.url })
      expect(yield* Effect.flip(loop.get)).toMatchObject({
        reason: "Invalid",
        message: "source_profile loops: loop-a → loop-b → loop-a"
      })
    })
  )

  it.effect("EcsRamRole and OIDC profiles", () =>
    Effect.gen(function* () {
      const metadata = yield* fakeMetadata({ role: "app-role", tokens: "required" })
      const sts = yield* fakeSts({})
      const tokenFile = writeFile("token", "eyJ.profile-token.sig")
      const text = [
        "[instance]",
        "mode = EcsRamRole",
        "ram_role_name = app-role",
        "[pod]",
        "mode = OIDC",
        `ram_role_arn = ${ROLE}`,
        `oidc_provider_arn = ${OIDC_PROVIDER}`,
        `oidc_token_file = ${tokenFile}`,
        `sts_endpoint = ${sts.url}`
      ].join("\n")
      const instance = yield* read("instance", text, { OTA_ECS_METADATA_ENDPOINT: metadata.url })
      expect((yield* instance.get).accessKeyId).toBe("ECS.key-1")
      expect(instance.source).toMatch(/^profile instance \(.*\): ecs-metadata role app-role$/)
      // The role was named: no discovery request.
      expect(metadata.requests.map((request) => request.path)).toEqual([
        "/latest/api/token",
        "/latest/meta-data/ram/security-credentials/app-role"
      ])
      const pod = yield* read("pod", text)
      expect((yield* pod.get).accessKeyId).toBe("STS.key-1")
      expect(sts.requests[0]!.form.OIDCToken).toBe("eyJ.profile-token.sig")
    })
  )

  it.effect("what is missing or wrong is said, never a value", () =>
    Effect.gen(function* () {
      const text = [
        "[no-secret]",
        `access_key_id = ${KEY}`,
        "[no-token]",
        "mode = StsToken",
        `access_key_id = ${KEY}`,
        `access_key_secret = ${SECRET}`,
        "[no-role]",
        "mode = RamRoleArn",
        `access_key_id = ${KEY}`,
        `access_key_secret = ${SECRET}`,
        "[odd-mode]",
        "mode = CloudSSO",
        `access_key_secret = ${SECRET}`,
        "[bad-duration]",
        "mode = RamRoleArn",
        `access_key_id = ${KEY}`,
        `access_key_secret = ${SECRET}`,
        `ram_role_arn = ${ROLE}`,
        "expired_seconds = 1h"
      ].join("\n")
      for (const [name, message] of [
        ["no-secret", "mode AK needs access_key_secret"],
        ["no-token", "mode StsToken needs sts_token"],
        ["no-role", "mode RamRoleArn needs ram_role_arn"],
        [
          "odd-mode",
          'unknown mode "CloudSSO" (supported: AK, StsToken, RamRoleArn, EcsRamRole, OIDC, ChainableRamRoleArn)'
        ],
        ["bad-duration", 'expired_seconds must be a whole number of seconds, got "1h"']
      ] as const) {
        const provider = yield* read(name, text)
        const error = yield* Effect.flip(provider.get)
        expect(error).toMatchObject({ reason: "Invalid", message })
        expect(error.provider).toMatch(new RegExp(`^profile ${name} \\(`))
        expectClean(error)
      }
    })
  )

  it.effect(
    "no file, no profile, no credentials in it: NotConfigured; a named profile that is missing: Invalid",
    () =>
      Effect.gen(function* () {
        const absent = yield* CredentialProviders.fromProfile({ file: join(dir, "absent"), env: {} })
        expect(yield* Effect.flip(absent.get)).toMatchObject({ reason: "NotConfigured" })
        const endpointOnly = yield* read(
          undefined,
          "[default]\nendpoint = https://iot.cn-shanghai.aliyuncs.com\n"
        )
        expect(yield* Effect.flip(endpointOnly.get)).toMatchObject({
          reason: "NotConfigured",
          message: "the profile holds no credentials"
        })
        const named = yield* read("prod", "[default]\naccess_key_id = x\n")
        const error = yield* Effect.flip(named.get)
        expect(error).toMatchObject({ reason: "Invalid" })
        expect(error.message).toContain('profile "prod" not found')
      })
  )
})

describe("fromEcsMetadata (Node)", () => {
  it.effect("reads the role, the hardened-only switch and the off switch from the environment", () =>
    Effect.gen(function* () {
      const metadata = yield* fakeMetadata({ role: "app-role", tokens: "unsupported" })
      const named = yield* CredentialProviders.fromEcsMetadata({
        env: { ALIBABA_CLOUD_ECS_METADATA: "app-role", OTA_ECS_METADATA_ENDPOINT: metadata.url },
        timeoutMs: 5_000
      })
      expect((yield* named.get).accessKeyId).toBe("ECS.key-1")
      expect(metadata.requests.map((request) => request.path)).toEqual([
        "/latest/api/token",
        "/latest/meta-data/ram/security-credentials/app-role"
      ])
      const hardened = yield* CredentialProviders.fromEcsMetadata({
        env: { ALIBABA_CLOUD_IMDSV1_DISABLED: "true", OTA_ECS_METADATA_ENDPOINT: metadata.url },
        timeoutMs: 5_000
      })
      expect(yield* Effect.flip(hardened.get)).toMatchObject({ reason: "Refused" })
      const requestsBefore = metadata.requests.length
      const off = yield* CredentialProviders.fromEcsMetadata({
        env: { ALIBABA_CLOUD_ECS_METADATA_DISABLED: "TRUE", OTA_ECS_METADATA_ENDPOINT: metadata.url }
      })
      expect(yield* Effect.flip(off.get)).toMatchObject({ reason: "NotConfigured" })
      expect(metadata.requests).toHaveLength(requestsBefore)
    })
  )
})

describe("fromAliyunCli", () => {
  const config = (current: string, profiles: ReadonlyArray<Record<string, unknown>>) =>
    writeFile("config.json", JSON.stringify({ current, profiles, meta_path: "" }, null, 4))

  it.effect(
    "the current profile of ~/.aliyun/config.json, or ALIBABA_CLOUD_PROFILE, with the CLI's field names",
    () =>
      Effect.gen(function* () {
        const sts = yield* fakeSts({ keys: { [KEY]: SECRET } })
        const file = config("ota", [
          {
            name: "ota",
            mode: "AK",
            access_key_id: ` ${KEY}`,
            access_key_secret: `${SECRET}\n`,
            region_id: "cn-shanghai",
            sts_token: "",
            expired_seconds: 0
          },
          {
            name: "role",
            mode: "RamRoleArn",
            access_key_id: KEY,
            access_key_secret: SECRET,
            ram_role_arn: ROLE,
            ram_session_name: "cli",
            expired_seconds: 900,
            sts_endpoint: sts.url,
            region_id: "cn-shanghai"
          },
          { name: "sso", mode: "CloudSSO", cloud_sso_sign_in_url: "https://signin", region_id: "cn-shanghai" }
        ])
        const current = yield* CredentialProviders.fromAliyunCli({ file, env: {} })
        expect(plain(yield* current.get)).toEqual({
          accessKeyId: KEY,
          accessKeySecret: SECRET,
          securityToken: undefined
        })
        expect(current.source).toMatch(/^aliyun-cli profile ota \(.*config\.json-\w+\)$/)
        const role = yield* CredentialProviders.fromAliyunCli({
          file,
          env: { ALIBABA_CLOUD_PROFILE: "role" }
        })
        expect((yield* role.get).accessKeyId).toBe("STS.key-1")
        expect(sts.requests[0]!.form).toMatchObject({ RoleSessionName: "cli", DurationSeconds: "900" })
        const sso = yield* CredentialProviders.fromAliyunCli({ file, profile: "sso", env: {} })
        const error = yield* Effect.flip(sso.get)
        expect(error).toMatchObject({ reason: "Invalid" })
        expect(error.message).toContain('unknown mode "CloudSSO"')
      })
  )

  it.effect("no file or disabled: NotConfigured; not the CLI's JSON: Invalid", () =>
    Effect.gen(function* () {
      const absent = yield* CredentialProviders.fromAliyunCli({ file: join(dir, "absent.json"), env: {} })
      expect(yield* Effect.flip(absent.get)).toMatchObject({ reason: "NotConfigured" })
      const disabled = yield* CredentialProviders.fromAliyunCli({
        file: config("ota", [{ name: "ota", mode: "AK", access_key_id: KEY, access_key_secret: SECRET }]),
        env: { ALIBABA_CLOUD_CLI_PROFILE_DISABLED: "true" }
      })
      expect(yield* Effect.flip(disabled.get)).toMatchObject({ reason: "NotConfigured" })
      const garbage = yield* CredentialProviders.fromAliyunCli({
        file: writeFile("config.json", `{"oops": ${SECRET}`),
        env: {}
      })
      const error = yield* Effect.flip(garbage.get)
      expect(error).toMatchObject({ reason: "Invalid" })
      expectClean(error)
    })
  )
})

describe("defaultChain", () => {
  const profileText = `[default]\naccess_key_id = profile-key\naccess_key_secret = ${SECRET}\n`

  it.effect("environment keys first: the profile and the metadata service are not asked", () =>
    Effect.gen(function* () {
      const metadata = yield* fakeMetadata({ role: "app-role", tokens: "optional" })
      const provider = yield* CredentialProviders.defaultChain({
        aliyunCliFile: join(dir, "no-aliyun-config"),
        env: {
          OTA_ACCESS_KEY_ID: KEY,
          OTA_ACCESS_KEY_SECRET: SECRET,
          OTA_PROFILE_FILE: writeFile("credentials", profileText),
          OTA_ECS_METADATA_ENDPOINT: metadata.url
        }
      })
      expect(provider.source).toBe("default chain (env, profile, aliyun-cli, ecs-metadata)")
      expect((yield* provider.get).accessKeyId).toBe(KEY)
      expect(provider.source).toBe("env OTA_ACCESS_KEY_ID")
      expect(metadata.requests).toHaveLength(0)
    })
  )

  it.effect("then ACK RRSA, before the profile", () =>
    Effect.gen(function* () {
      const sts = yield* fakeSts({})
      const provider = yield* CredentialProviders.defaultChain({
        aliyunCliFile: join(dir, "no-aliyun-config"),
        env: {
          ALIBABA_CLOUD_ROLE_ARN: ROLE,
          ALIBABA_CLOUD_OIDC_PROVIDER_ARN: OIDC_PROVIDER,
          ALIBABA_CLOUD_OIDC_TOKEN_FILE: writeFile("token", "eyJ.t.s"),
          OTA_STS_ENDPOINT: sts.url,
          OTA_PROFILE_FILE: writeFile("credentials", profileText)
        }
      })
      expect((yield* provider.get).accessKeyId).toBe("STS.key-1")
    })
  )

  it.effect("our profile file before the aliyun CLI's, the CLI's before the metadata service", () =>
    Effect.gen(function* () {
      const metadata = yield* fakeMetadata({ role: "app-role", tokens: "optional" })
      const cli = writeFile(
        "config.json",
        JSON.stringify({
          current: "ota",
          profiles: [{ name: "ota", mode: "AK", access_key_id: "cli-key", access_key_secret: SECRET }]
        })
      )
      const both = yield* CredentialProviders.defaultChain({
        aliyunCliFile: cli,
        env: {
          OTA_PROFILE_FILE: writeFile("credentials", profileText),
          OTA_ECS_METADATA_ENDPOINT: metadata.url
        }
      })
      expect((yield* both.get).accessKeyId).toBe("profile-key")
      const cliOnly = yield* CredentialProviders.defaultChain({
        aliyunCliFile: cli,
        env: { OTA_PROFILE_FILE: join(dir, "absent"), OTA_ECS_METADATA_ENDPOINT: metadata.url }
      })
      expect((yield* cliOnly.get).accessKeyId).toBe("cli-key")
      expect(metadata.requests).toHaveLength(0)
    })
  )

  it.effect("then the profile, then the metadata service", () =>
    Effect.gen(function* () {
      const metadata = yield* fakeMetadata({ role: "app-role", tokens: "required" })
      const withProfile = yield* CredentialProviders.defaultChain({
        aliyunCliFile: join(dir, "no-aliyun-config"),
        env: {
          OTA_PROFILE_FILE: writeFile("credentials", profileText),
          OTA_ECS_METADATA_ENDPOINT: metadata.url
        }
      })
      expect((yield* withProfile.get).accessKeyId).toBe("profile-key")
      expect(metadata.requests).toHaveLength(0)
      const onEcs = yield* CredentialProviders.defaultChain({
        aliyunCliFile: join(dir, "no-aliyun-config"),
        env: { OTA_PROFILE_FILE: join(dir, "absent"), OTA_ECS_METADATA_ENDPOINT: metadata.url },
        ecsMetadata: { timeoutMs: 5_000 }
      })
      expect((yield* onEcs.get).accessKeyId).toBe("ECS.key-1")
      expect(onEcs.source).toBe("ecs-metadata role app-role")
    })
  )

  it.effect("nothing anywhere: one NotConfigured error that lists what each source said", () =>
    Effect.gen(function* () {
      const provider = yield* CredentialProviders.defaultChain({
        aliyunCliFile: join(dir, "no-aliyun-config"),
        env: { OTA_PROFILE_FILE: join(dir, "absent"), OTA_ECS_METADATA_ENDPOINT: yield* closedPort },
        ecsMetadata: { timeoutMs: 5_000 }
      })
      const error = yield* Effect.flip(provider.get)
      expect(error).toMatchObject({
        provider: "default chain (env, profile, aliyun-cli, ecs-metadata)",
        reason: "NotConfigured",
        retryable: false
      })
      expect(error.message).toMatch(
        /^no credentials found: env: none of OTA_ACCESS_KEY_ID, .*; profile default \(.*absent\): no \[default\] profile \(or no file\) at .*; aliyun-cli \(.*no-aliyun-config\): no .*no-aliyun-config; ecs-metadata: no instance metadata service at 127\.0\.0\.1:\d+ .*not an ECS instance\?$/
      )
    })
  )

  it.effect("a configured profile that fails stops the chain: no fall-through to the instance's role", () =>
    Effect.gen(function* () {
      const metadata = yield* fakeMetadata({ role: "node-role", tokens: "optional" })
      const sts = yield* fakeSts({ keys: { [KEY]: "a-different-secret" } })
      const provider = yield* CredentialProviders.defaultChain({
        aliyunCliFile: join(dir, "no-aliyun-config"),
        env: {
          OTA_PROFILE_FILE: writeFile(
            "credentials",
            `[default]\nmode = RamRoleArn\naccess_key_id = ${KEY}\naccess_key_secret = ${SECRET}\nram_role_arn = ${ROLE}\nsts_endpoint = ${sts.url}\n`
          ),
          OTA_ECS_METADATA_ENDPOINT: metadata.url
        }
      })
      const error = yield* Effect.flip(provider.get)
      expect(error).toMatchObject({ reason: "Refused" })
      expect(error.message).toContain("SignatureDoesNotMatch")
      expect(error.message).toContain("(skipped before it: env: none of")
      expect(metadata.requests).toHaveLength(0)
      expectClean(error)
    })
  )
})

describe("end to end on the emulator", () => {
  it.effect(
    "ACK: the Effect client over the default chain, credentials from RRSA, signed with the STS token",
    () =>
      Effect.gen(function* () {
        yield* TestClock.setTime(Date.now())
        const issue = issuedBy("STS")
        const emulator = yield* Effect.promise(() =>
          startEmulator({
            credentials: [issue(1), issue(2)],
            jobs: [{ jobId: "job-ack", tasks: 30 }],
            qps: 0
          })
        )
        servers.push(emulator)
        const sts = yield* fakeSts({})
        const credentials = yield* CredentialProviders.defaultChain({
          aliyunCliFile: join(dir, "no-aliyun-config"),
          env: {
            ALIBABA_CLOUD_ROLE_ARN: ROLE,
            ALIBABA_CLOUD_OIDC_PROVIDER_ARN: OIDC_PROVIDER,
            ALIBABA_CLOUD_OIDC_TOKEN_FILE: writeFile("token", "eyJ.pod.sig\n"),
            OTA_STS_ENDPOINT: sts.url
          }
        })
        const client = CoreClient.layer.pipe(
          Layer.provide(UndiciTransport.layer),
          Layer.provide(Layer.succeed(Credentials.Credentials, credentials)),
          Layer.provide(
            ClientConfig.layer({ endpoint: emulator.url, qps: 0, maxAttempts: 1, runtime: "test" })
          ),
          Layer.orDie
        )
        const page = yield* Effect.provide(
          Effect.flatMap(CoreClient.OtaClient, (ota) =>
            ota.listOTATaskByJob({ jobId: "job-ack", pageSize: 30 })
          ),
          client
        )
        expect(page.tasks).toHaveLength(30)
        expect(sts.requests).toHaveLength(1)
        expect(emulator.stats().byCode.OK).toBe(1)
      })
  )

  it("a secret pasted with a trailing newline signs right, from the environment or a profile; a refusal names the source", async () => {
    const emulator = await startEmulator({
      credentials: [{ accessKeyId: KEY, accessKeySecret: SECRET }],
      jobs: [{ jobId: "job-ws", tasks: 2 }],
      qps: 0
    })
    servers.push(emulator)
    const profileFile = writeFile(
      "credentials",
      `[default]\r\naccess_key_id = "${KEY} "\r\naccess_key_secret = '${SECRET}\t'\r\n[wrong]\naccess_key_id = ${KEY}\naccess_key_secret = not-the-secret\n`
    )
    for (const options of [
      {
        env: { OTA_ACCESS_KEY_ID: `${KEY}\n`, OTA_ACCESS_KEY_SECRET: `${SECRET}\n` },
        profileFile: join(dir, "absent")
      },
      {
        env: { ALIBABA_CLOUD_ACCESS_KEY_ID: ` ${KEY}`, ALIBABA_CLOUD_ACCESS_KEY_SECRET: `${SECRET}\r\n` },
        profileFile: join(dir, "absent")
      },
      { env: {}, profileFile },
      { env: {}, profileFile, accessKeyId: `\t${KEY}`, accessKeySecret: `${SECRET} ` }
    ]) {
      const client = new OtaClient({ endpoint: emulator.url, maxAttempts: 1, ...options })
      try {
        expect((await client.listOTATaskByJob({ jobId: "job-ws" })).tasks).toHaveLength(2)
      } finally {
        await client.close()
      }
    }
    const wrong = new OtaClient({
      endpoint: emulator.url,
      maxAttempts: 1,
      env: {},
      profileFile,
      profile: "wrong"
    })
    try {
      const error = await wrong.listOTATaskByJob({ jobId: "job-ws" }).then(
        () => undefined,
        (e: unknown) => e as Error
      )
      expect(error).toMatchObject({ _tag: "ApiError", code: "SignatureDoesNotMatch" })
      expect(error!.message).toContain(
        `[credentials from profile "wrong" in ${profileFile}: check that the AccessKey secret is the one of AccessKey ${KEY}, without a stray space or line break, and that this computer's clock is right]`
      )
      expect(error!.message).not.toContain("not-the-secret")
    } finally {
      await wrong.close()
    }
  })

  it("the Promise client signs with a StsToken profile's token; a role profile assumes its role, never signs with its keys", async () => {
    const emulator = await startEmulator({
      credentials: [{ accessKeyId: "STS.profile", accessKeySecret: SECRET }],
      jobs: [{ jobId: "job-p", tasks: 3 }],
      qps: 0
    })
    servers.push(emulator)
    const profileFile = writeFile(
      "credentials",
      [
        "[temporary]",
        "mode = StsToken",
        "access_key_id = STS.profile",
        `access_key_secret = ${SECRET}\t`,
        `sts_token = ${TOKEN}`,
        "[role]",
        "mode = RamRoleArn",
        `access_key_id = ${KEY}`,
        `access_key_secret = ${SECRET}`,
        `ram_role_arn = ${ROLE}`
      ].join("\n")
    )
    const options = { endpoint: emulator.url, profile: "temporary", profileFile, env: {} }
    const credential = await Effect.runPromise(Effect.orDie(resolveOptions(options).credentials.get))
    expect(Redacted.value(credential.securityToken!)).toBe(TOKEN)
    const client = new OtaClient(options)
    try {
      expect((await client.listOTATaskByJob({ jobId: "job-p" })).tasks).toHaveLength(3)
    } finally {
      await client.close()
    }
    // A role-mode profile never signs with its base keys: it assumes the role, lazily, on the first call.
    const role = new OtaClient({ ...options, profile: "role" })
    try {
      expect(role.credentialsSource).toContain("role")
      expect(role.credentialsSource).not.toContain(SECRET)
    } finally {
      await role.close()
    }
  })
})
