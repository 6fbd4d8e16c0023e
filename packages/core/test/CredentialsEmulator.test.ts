/**
 * The runtime-neutral providers against the emulator's own issuers: STS `AssumeRole` (and role chaining),
 * `AssumeRoleWithOIDC` with a token read afresh on every refresh, and the ECS metadata service in its hardened
 * and plain modes. The emulator verifies every security token, and its clock is the test clock, so the client
 * and the server agree when a credential has expired: a long listing outlives several credentials, 50 calls at
 * expiry cause one AssumeRole, and an expired or tampered token is refused with the gateway's code.
 *
 * Tests wait for events (emulator stats, the provider handing out the new key), never for time.
 */
import { afterEach, describe, expect, it } from "@effect/vitest"
import {
  DEFAULT_CREDENTIALS,
  DEFAULT_OIDC_PROVIDER,
  DEFAULT_ROLE_ARN,
  type Emulator,
  type EmulatorOptions,
  startEmulator
} from "@iot-ota/emulator"
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as ClientConfig from "../src/ClientConfig.js"
import * as CredentialProviders from "../src/CredentialProviders.js"
import * as Credentials from "../src/Credentials.js"
import type { ApiError } from "../src/IotError.js"
import * as OtaClient from "../src/OtaClient.js"
import type { SignatureAlgorithm } from "../src/Signer.js"
import * as Transport from "../src/Transport.js"

const JOB = "job-sts"
const TASKS = 300
const READER = "acs:ram::1234567890123456:role/ota-reader"

const running: Array<Emulator> = []
afterEach(async () => {
  await Promise.all(running.splice(0).map((emu) => emu.close()))
})

/** An emulator on the test clock, and the AccessKeyId of every IoT request it answered (from its log). */
const emulator = (options: EmulatorOptions = {}) =>
  Effect.gen(function* () {
    const clock = yield* Effect.clock
    const signedWith: Array<{ readonly ak: string; readonly outcome: string }> = []
    const emu = yield* Effect.promise(() =>
      startEmulator({
        qps: 0,
        jobs: [{ jobId: JOB, tasks: TASKS }],
        roles: [{ roleArn: DEFAULT_ROLE_ARN }, { roleArn: READER, trustedPrincipals: [DEFAULT_ROLE_ARN] }],
        clock: () => clock.unsafeCurrentTimeMillis(),
        logger: (line) => {
          const match = /^\S+ (\d+ \S+) ak=(\S+)/.exec(line)
          if (match !== null && match[2]!.startsWith("STS."))
            signedWith.push({ outcome: match[1]!, ak: match[2]! })
        },
        ...options
      })
    )
    running.push(emu)
    return { emu, signedWith }
  })

const client = (
  emu: Emulator,
  provider: Credentials.CredentialsService,
  algorithm: SignatureAlgorithm = "HMAC-SHA1"
) =>
  OtaClient.layer.pipe(
    Layer.provide(Transport.layerFetch),
    Layer.provide(Layer.succeed(Credentials.Credentials, provider)),
    Layer.provide(
      // One attempt: a retry would back off on the test clock, which only the test moves.
      ClientConfig.layer({
        endpoint: emu.url,
        qps: 0,
        maxAttempts: 1,
        signatureAlgorithm: algorithm,
        runtime: "test"
      })
    ),
    Layer.orDie
  )

const base = Credentials.fromStatic(DEFAULT_CREDENTIALS, { source: "emulator key" })

const assumeRole = (emu: Emulator, options: Partial<CredentialProviders.AssumeRoleOptions> = {}) =>
  Effect.flatMap(base, (key) =>
    CredentialProviders.fromAssumeRole({
      base: key,
      roleArn: DEFAULT_ROLE_ARN,
      roleSessionName: "core-test",
      endpoint: emu.url,
      ...options
    })
  )

const listOnePage = (layer: Layer.Layer<OtaClient.OtaClient>) =>
  Effect.provide(
    Effect.flatMap(OtaClient.OtaClient, (ota) => ota.listOTATaskByJob({ jobId: JOB, pageSize: 10 })),
    layer
  )

/** The provider's credential once it is another than `key`, asking again after each turn of the event loop. */
const nextKey = (provider: Credentials.CredentialsService, key: string) =>
  Effect.gen(function* () {
    for (;;) {
      const credential = yield* Effect.orDie(provider.get)
      if (credential.accessKeyId !== key) return credential
      yield* Effect.promise(() => new Promise((resolve) => setImmediate(resolve)))
    }
  })

describe("providers against the emulator's issuers", () => {
  for (const algorithm of ["HMAC-SHA1", "ACS3-HMAC-SHA256"] as const) {
    it.effect(
      `fromAssumeRole: the emulator's STS issues, the IoT call verifies the token (${algorithm})`,
      () =>
        Effect.gen(function* () {
          yield* TestClock.setTime(Date.now())
          const { emu, signedWith } = yield* emulator()
          const provider = yield* assumeRole(emu, { durationSeconds: 900 })
          const page = yield* listOnePage(client(emu, provider, algorithm))
          expect(page.tasks).toHaveLength(10)
          expect(emu.stats().byAction).toEqual({ AssumeRole: 1, ListOTATaskByJob: 1 })
          const [issued] = emu.issuedCredentials()
          expect(issued).toMatchObject({
            via: "AssumeRole",
            roleArn: DEFAULT_ROLE_ARN,
            sessionName: "core-test"
          })
          expect(signedWith).toEqual([{ ak: issued!.accessKeyId, outcome: "200 OK" }])
        })
    )
  }

  it.effect("role chaining: the emulator role's session assumes a role that trusts only that role", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(Date.now())
      const { emu } = yield* emulator()
      const first = yield* assumeRole(emu)
      const chained = yield* CredentialProviders.fromAssumeRole({
        base: first,
        roleArn: READER,
        endpoint: emu.url
      })
      expect((yield* listOnePage(client(emu, chained))).tasks).toHaveLength(10)
      expect(emu.issuedCredentials().map((c) => c.roleArn)).toEqual([DEFAULT_ROLE_ARN, READER])
      // The key itself is not trusted by the reader role: STS's refusal, named by the provider.
      const direct = yield* assumeRole(emu, { roleArn: READER })
      const error = yield* Effect.flip(direct.get)
      expect(error).toMatchObject({ _tag: "CredentialsError", reason: "Refused" })
      expect(error.message).toContain("NoPermission")
    })
  )

  it.effect("fromOidc: the token is read afresh on every refresh (the old one has expired by then)", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(Date.now())
      const { emu } = yield* emulator()
      // A kubelet-like rotation: each token lives 20 minutes; the test swaps in the next one.
      let current = emu.oidcToken({ subject: "pod-1", expiresInSeconds: 1200 })
      let reads = 0
      const provider = yield* CredentialProviders.fromOidc({
        roleArn: DEFAULT_ROLE_ARN,
        oidcProviderArn: DEFAULT_OIDC_PROVIDER.arn,
        token: () => {
          reads++
          return current
        },
        durationSeconds: 900,
        endpoint: emu.url
      })
      yield* listOnePage(client(emu, provider))
      yield* TestClock.adjust("25 minutes") // the first credential and the first token have both expired
      current = emu.oidcToken({ subject: "pod-2", expiresInSeconds: 1200 })
      yield* listOnePage(client(emu, provider))
      expect(reads).toBe(2)
      expect(emu.issuedCredentials().map((c) => [c.via, c.subject])).toEqual([
        ["AssumeRoleWithOIDC", "pod-1"],
        ["AssumeRoleWithOIDC", "pod-2"]
      ])
      expect(emu.stats().byAction.AssumeRoleWithOIDC).toBe(2)
    })
  )

  it.effect("fromOidc: an expired token is refused by STS with its code, never quoting the token", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(Date.now())
      const { emu } = yield* emulator()
      const stale = emu.oidcToken({ expiresInSeconds: -60 })
      const provider = yield* CredentialProviders.fromOidc({
        roleArn: DEFAULT_ROLE_ARN,
        oidcProviderArn: DEFAULT_OIDC_PROVIDER.arn,
        token: () => stale,
        endpoint: emu.url
      })
      const error = yield* Effect.flip(provider.get)
      expect(error).toMatchObject({ _tag: "CredentialsError", reason: "Refused" })
      expect(error.message).toContain("AuthenticationFail.OIDCToken.Expired")
      expect(error.message).not.toContain(stale)
    })
  )

  it.effect(
    "fromEcsMetadata, hardened: a session token first, the role discovered, then its credentials",
    () =>
      Effect.gen(function* () {
        yield* TestClock.setTime(Date.now())
        const { emu } = yield* emulator({ metadataTokens: "required" })
        const provider = yield* CredentialProviders.fromEcsMetadata({
          endpoint: emu.url,
          disableImdsV1: true
        })
        expect((yield* listOnePage(client(emu, provider, "ACS3-HMAC-SHA256"))).tasks).toHaveLength(10)
        expect(provider.source).toBe("ecs-metadata role emulator-role")
        expect(emu.stats().metadata).toEqual({ token: 1, role: 1, credentials: 1 })
      })
  )

  it.effect("fromEcsMetadata, plain: an instance without session tokens is asked without one", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(Date.now())
      const { emu } = yield* emulator({ metadataTokens: "unsupported" })
      const provider = yield* CredentialProviders.fromEcsMetadata({
        endpoint: emu.url,
        roleName: "emulator-role"
      })
      expect((yield* listOnePage(client(emu, provider))).tasks).toHaveLength(10)
      expect(emu.stats().metadata).toEqual({ "refused:no-tokens": 1, credentials: 1 })
      // Required, but the instance cannot: refused, and nothing was asked without a token.
      const hardened = yield* CredentialProviders.fromEcsMetadata({ endpoint: emu.url, disableImdsV1: true })
      const error = yield* Effect.flip(hardened.get)
      expect(error).toMatchObject({ _tag: "CredentialsError", reason: "Refused" })
      expect(emu.stats().metadata).toEqual({ "refused:no-tokens": 2, credentials: 1 })
    })
  )
})

describe("expiry against the emulator's clock", () => {
  it.effect(
    "a long listing outlives several credentials: each page signed with a valid key, every task exactly once",
    () =>
      Effect.gen(function* () {
        yield* TestClock.setTime(Date.now())
        const { emu, signedWith } = yield* emulator()
        // 15-minute credentials, refreshed halfway (7.5 minutes); the clock moves 3 minutes per page.
        const provider = yield* assumeRole(emu, { durationSeconds: 900 })
        /**
         * After each page: once the key is due for a refresh (7.5 minutes before it expires), the new key is
         * waited for before time moves on, so that a page already in flight was signed with a key that
         * outlives the next step.
         */
        const betweenPages = Effect.gen(function* () {
          const credential = yield* Effect.orDie(provider.get)
          const now = yield* Clock.currentTimeMillis
          if (now >= credential.expiration!.getTime() - 450_000)
            yield* nextKey(provider, credential.accessKeyId)
          yield* TestClock.adjust("3 minutes")
        })
        const ids = yield* Effect.provide(
          Effect.flatMap(OtaClient.OtaClient, (ota) =>
            ota.streamOTATaskByJob({ jobId: JOB, pageSize: 20 }, { concurrency: 1 }).pipe(
              Stream.zipWithIndex,
              Stream.tap(([, index]) => (index % 20 === 19 ? betweenPages : Effect.void)),
              Stream.map(([task]) => task.taskId),
              Stream.runCollect,
              Effect.map(Chunk.toReadonlyArray)
            )
          ),
          client(emu, provider)
        )
        expect(ids).toHaveLength(TASKS)
        expect(new Set(ids).size).toBe(TASKS)
        expect(ids).toEqual(emu.tasks(JOB).map((task) => task.TaskId))
        // 45 minutes of listing with 15-minute credentials: a new one every 7.5 minutes, none used after.
        expect(signedWith.every((request) => request.outcome === "200 OK")).toBe(true)
        const keys = emu.issuedCredentials().map((c) => c.accessKeyId)
        expect(keys.length).toBeGreaterThanOrEqual(5)
        const used = signedWith.map((request) => keys.indexOf(request.ak))
        expect(used).toEqual([...used].sort((a, b) => a - b))
        expect(new Set(used).size).toBeGreaterThanOrEqual(5)
        // One AssumeRole per credential: refreshes never pile up.
        expect(emu.stats().byAction.AssumeRole).toBe(keys.length)
      })
  )

  for (const [when, offset] of [
    ["after it expired", "16 minutes"],
    ["at the refresh point, still valid", "8 minutes"]
  ] as const) {
    it.effect(`50 concurrent calls ${when} cause exactly one AssumeRole`, () =>
      Effect.gen(function* () {
        yield* TestClock.setTime(Date.now())
        const { emu, signedWith } = yield* emulator()
        const provider = yield* assumeRole(emu, { durationSeconds: 900 })
        const layer = client(emu, provider)
        yield* listOnePage(layer)
        expect(emu.stats().byAction.AssumeRole).toBe(1)
        const first = emu.issuedCredentials()[0]!.accessKeyId
        yield* TestClock.adjust(offset)
        const pages = yield* Effect.all(
          Array.from({ length: 50 }, () => listOnePage(layer)),
          { concurrency: "unbounded" }
        )
        expect(pages.every((page) => page.tasks.length === 10)).toBe(true)
        // Still valid: the calls went on with the old key while the one refresh ran; wait for it to land.
        yield* nextKey(provider, first)
        expect(emu.stats().byAction.AssumeRole).toBe(2)
        expect(emu.stats().byAction.ListOTATaskByJob).toBe(51)
        expect(signedWith.every((request) => request.outcome === "200 OK")).toBe(true)
        if (offset === "16 minutes") {
          // The old key had expired: every call waited for the new one.
          const renewed = emu.issuedCredentials()[1]!.accessKeyId
          expect(signedWith.slice(1).every((request) => request.ak === renewed)).toBe(true)
        }
      })
    )
  }

  it.effect(
    "a token the server finds expired before its time is replaced, and the call made once more (one attempt allowed)",
    () =>
      Effect.gen(function* () {
        yield* TestClock.setTime(Date.now())
        const { emu } = yield* emulator()
        const provider = yield* assumeRole(emu)
        const layer = client(emu, provider)
        expect((yield* listOnePage(layer)).tasks).toHaveLength(10)
        const first = yield* provider.get
        // The provider still holds it for valid; the server has cut it short.
        emu.expireCredentials(first.accessKeyId)
        expect((yield* listOnePage(layer)).tasks).toHaveLength(10)
        expect((yield* provider.get).accessKeyId).not.toBe(first.accessKeyId)
        expect(emu.stats().byAction.AssumeRole).toBe(2)
        expect(emu.stats().byCode["InvalidSecurityToken.Expired"]).toBe(1)
      })
  )

  it.effect(
    "a replacement refused as expired too ends the call with the refusal: one more request, never a loop",
    () =>
      Effect.gen(function* () {
        yield* TestClock.setTime(Date.now())
        const { emu } = yield* emulator()
        const { expiration, ...issued } = emu.issueCredentials()
        let fetched = 0
        // A broker that keeps handing out the same credential, believed valid for an hour.
        const stale = yield* Credentials.fromStatic({ ...issued, expiration: new Date(expiration) })
        const provider = yield* Credentials.cached({
          source: "stale broker",
          get: Effect.suspend(() => {
            fetched++
            return stale.get
          })
        })
        emu.expireCredentials(issued.accessKeyId)
        const error = yield* Effect.flip(listOnePage(client(emu, provider)))
        expect(error).toMatchObject({ _tag: "ApiError", code: "InvalidSecurityToken.Expired" })
        expect(fetched).toBe(2)
        expect(emu.stats().byCode["InvalidSecurityToken.Expired"]).toBe(2)
      })
  )

  it.effect(
    "an expired or tampered token is refused with the gateway's code (400), whatever the provider believes",
    () =>
      Effect.gen(function* () {
        yield* TestClock.setTime(Date.now())
        const { emu } = yield* emulator()
        const { expiration, ...issued } = emu.issueCredentials()
        const tampered = yield* Credentials.fromStatic({
          ...issued,
          securityToken: `${issued.securityToken.slice(0, 30)}x${issued.securityToken.slice(31)}`
        })
        const refusedWith = (provider: Credentials.CredentialsService, algorithm: SignatureAlgorithm) =>
          Effect.map(Effect.flip(listOnePage(client(emu, provider, algorithm))), (error) => [
            (error as ApiError).code,
            (error as ApiError).httpStatus
          ])
        expect(yield* refusedWith(tampered, "HMAC-SHA1")).toEqual(["InvalidSecurityToken.Malformed", 400])
        expect(yield* refusedWith(tampered, "ACS3-HMAC-SHA256")).toEqual([
          "InvalidSecurityToken.Malformed",
          400
        ])
        // The provider knows the expiration; the emulator expires the credential before it.
        const genuine = yield* Credentials.fromStatic({ ...issued, expiration: new Date(expiration) })
        expect((yield* listOnePage(client(emu, genuine))).tasks).toHaveLength(10)
        emu.expireCredentials(issued.accessKeyId)
        expect(yield* refusedWith(genuine, "HMAC-SHA1")).toEqual(["InvalidSecurityToken.Expired", 400])
        const error = yield* Effect.flip(listOnePage(client(emu, genuine, "ACS3-HMAC-SHA256")))
        expect(error).toMatchObject({ _tag: "ApiError", code: "InvalidSecurityToken.Expired" })
        for (const text of [String(error), JSON.stringify(error)]) {
          expect(text).not.toContain(issued.securityToken)
          expect(text).not.toContain(issued.accessKeySecret)
        }
        expect(Redacted.isRedacted((yield* genuine.get).securityToken)).toBe(true)
      })
  )
})
