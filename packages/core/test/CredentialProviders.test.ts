/**
 * The STS and metadata providers against fake issuers on 127.0.0.1 (test/credentialServers.ts): what they
 * send, what they make of answers good and hostile, when they refresh, and what their errors say.
 */
import { afterEach, describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import * as CredentialProviders from "../src/CredentialProviders.js"
import * as Credentials from "../src/Credentials.js"
import type { CredentialsError } from "../src/IotError.js"
import {
  type CannedAnswer,
  type FakeMetadata,
  type FakeMetadataOptions,
  type FakeSts,
  type FakeStsOptions,
  startFakeMetadata,
  startFakeSts,
  v2Signature,
  v2StringToSign
} from "./credentialServers.js"

const BASE_ID = "LTAI-base-key"
const BASE_SECRET = "base-secret-that-must-never-leak"
const BASE_TOKEN = "base-token-CAIS-that-must-never-leak+/="
const ROLE = "acs:ram::1234567890123456:role/iot-ota-reader"
const OIDC_PROVIDER = "acs:ram::1234567890123456:oidc-provider/ack-rrsa-c1"

const servers: Array<{ readonly close: () => Promise<void> }> = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()))
})

/** A fake STS whose clock is the test's clock. */
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

const base = (token?: string) =>
  Credentials.fromStatic(
    {
      accessKeyId: BASE_ID,
      accessKeySecret: BASE_SECRET,
      ...(token === undefined ? {} : { securityToken: token })
    },
    { source: "env OTA_ACCESS_KEY_ID" }
  )

const plain = (credential: Credentials.Credential) => ({
  accessKeyId: credential.accessKeyId,
  accessKeySecret: Redacted.value(credential.accessKeySecret),
  securityToken:
    credential.securityToken === undefined ? undefined : Redacted.value(credential.securityToken),
  expiration: credential.expiration?.toISOString()
})

/** Waits for the n-th request to reach a fake server (an event, not time). */
const requests = (server: { readonly waitForRequests: (n: number) => Promise<void> }, n: number) =>
  Effect.promise(() => server.waitForRequests(n))

/** The error in every form a report could print: none may hold a secret or a token. */
const expectClean = (error: CredentialsError, ...secrets: ReadonlyArray<string>) => {
  for (const text of [String(error), JSON.stringify(error), error.message, error.stack ?? ""])
    for (const secret of [BASE_SECRET, BASE_TOKEN, ...secrets]) expect(text).not.toContain(secret)
}

const waitForSuspended = (fibers: ReadonlyArray<Fiber.RuntimeFiber<unknown, unknown>>) =>
  Effect.gen(function* () {
    for (;;) {
      const statuses = yield* Effect.forEach(fibers, (fiber) => Fiber.status(fiber))
      if (statuses.every((status) => status._tag === "Suspended")) return
      yield* Effect.yieldNow()
    }
  })

describe("fromAssumeRole", () => {
  it.effect(
    "signs AssumeRole with the base credential, its token included, and returns what STS issued",
    () =>
      Effect.gen(function* () {
        const sts = yield* fakeSts({ keys: { [BASE_ID]: BASE_SECRET } })
        const provider = yield* CredentialProviders.fromAssumeRole({
          base: yield* base(BASE_TOKEN),
          roleArn: ` ${ROLE}\n`,
          roleSessionName: "fleet-dashboard",
          durationSeconds: 900,
          policy:
            '{"Statement":[{"Action":"iot:ListOTATaskByJob","Effect":"Allow","Resource":"*"}],"Version":"1"}',
          externalId: "ext-1",
          endpoint: sts.url
        })
        expect(provider.source).toBe(`assume-role ${ROLE} (base: env OTA_ACCESS_KEY_ID)`)
        const credential = yield* provider.get
        expect(plain(credential)).toEqual({
          accessKeyId: "STS.key-1",
          accessKeySecret: sts.issued[0]!.accessKeySecret,
          securityToken: sts.issued[0]!.securityToken,
          expiration: "1970-01-01T00:15:00.000Z"
        })
        const [request] = sts.requests
        expect(request).toMatchObject({
          method: "POST",
          query: {
            Action: "AssumeRole",
            Version: "2015-04-01",
            Format: "JSON",
            AccessKeyId: BASE_ID,
            SecurityToken: BASE_TOKEN,
            SignatureMethod: "HMAC-SHA1",
            SignatureVersion: "1.0",
            Timestamp: "1970-01-01T00:00:00Z"
          },
          form: {
            RoleArn: ROLE,
            RoleSessionName: "fleet-dashboard",
            DurationSeconds: "900",
            ExternalId: "ext-1"
          }
        })
        expect(JSON.parse(request!.form.Policy!)).toMatchObject({ Version: "1" })
        // The fake verified the signature with its own encoder; check it here too, from what went over the wire.
        expect(request!.query.Signature).toBe(
          v2Signature(v2StringToSign("POST", { ...request!.query, ...request!.form }), BASE_SECRET)
        )
        // The role and the policy travel in the body, the signature in the query.
        expect(Object.keys(request!.query)).not.toContain("RoleArn")
      })
  )

  it.effect("assumes the role again before the credential expires, with a fresh signature", () =>
    Effect.gen(function* () {
      const sts = yield* fakeSts({ keys: { [BASE_ID]: BASE_SECRET } })
      const provider = yield* CredentialProviders.fromAssumeRole({
        base: yield* base(),
        roleArn: ROLE,
        endpoint: sts.url
      })
      expect((yield* provider.get).accessKeyId).toBe("STS.key-1")
      yield* TestClock.adjust("44 minutes")
      expect((yield* provider.get).accessKeyId).toBe("STS.key-1")
      expect(sts.requests).toHaveLength(1)
      yield* TestClock.adjust("1 minute") // 15 minutes before the hour: refreshed in the background
      expect((yield* provider.get).accessKeyId).toBe("STS.key-1")
      yield* requests(sts, 2)
      yield* TestClock.adjust("15 minutes") // key-1 has expired: a caller now waits for key-2 if needed
      expect((yield* provider.get).accessKeyId).toBe("STS.key-2")
      const [first, second] = sts.requests
      expect(second!.query.SignatureNonce).not.toBe(first!.query.SignatureNonce)
      expect(second!.query.Timestamp).toBe("1970-01-01T00:45:00Z")
      expect(first!.form.RoleSessionName).toMatch(/^iot-ota-\d+$/)
    })
  )

  it.effect("50 concurrent calls at expiry make one AssumeRole request", () =>
    Effect.gen(function* () {
      const sts = yield* fakeSts({ keys: { [BASE_ID]: BASE_SECRET } })
      const provider = yield* CredentialProviders.fromAssumeRole({
        base: yield* base(),
        roleArn: ROLE,
        endpoint: sts.url
      })
      yield* provider.get
      yield* TestClock.adjust("2 hours")
      // STS holds its answer until every caller is waiting for the refresh.
      sts.hold()
      const fibers = yield* Effect.forEach(Array.from({ length: 50 }), () => Effect.fork(provider.get))
      yield* requests(sts, 2)
      yield* waitForSuspended(fibers)
      sts.release()
      const results = yield* Effect.forEach(fibers, Fiber.join)
      expect(sts.requests).toHaveLength(2)
      expect(new Set(results.map((credential) => credential.accessKeyId))).toEqual(new Set(["STS.key-2"]))
    })
  )

  it.effect(
    "a refused AssumeRole names the provider, STS's code and request id, never the secret or token",
    () =>
      Effect.gen(function* () {
        // The base secret is wrong: the real STS answers SignatureDoesNotMatch quoting its string to sign,
        // which holds the base credential's security token.
        const sts = yield* fakeSts({ keys: { [BASE_ID]: "another-secret" } })
        const provider = yield* CredentialProviders.fromAssumeRole({
          base: yield* base(BASE_TOKEN),
          roleArn: ROLE,
          endpoint: sts.url
        })
        const error = yield* Effect.flip(provider.get)
        expect(error).toMatchObject({
          _tag: "CredentialsError",
          provider: `assume-role ${ROLE} (base: env OTA_ACCESS_KEY_ID)`,
          reason: "Refused",
          retryable: false
        })
        expect(error.message).toMatch(/^STS AssumeRole refused: SignatureDoesNotMatch: Specified signature/)
        expect(error.message).toContain("(request id sts-request-1)")
        expectClean(error)
      })
  )

  it.effect(
    "STS text quoting the base token, raw or encoded, is scrubbed; control characters are stripped",
    () =>
      Effect.gen(function* () {
        const sts = yield* fakeSts({
          answer: () => ({
            status: 400,
            body: JSON.stringify({
              Code: "InvalidSecurityToken.Malformed",
              Message: `token ${BASE_TOKEN} (${encodeURIComponent(BASE_TOKEN)}) is malformed\u001b[2J`
            })
          })
        })
        const provider = yield* CredentialProviders.fromAssumeRole({
          base: yield* base(BASE_TOKEN),
          roleArn: ROLE,
          endpoint: sts.url
        })
        const error = yield* Effect.flip(provider.get)
        expect(error.message).toBe(
          "STS AssumeRole refused: InvalidSecurityToken.Malformed: token <redacted> (<redacted>) is malformed [2J"
        )
        expectClean(error)
      })
  )

  it.effect.each<[string, CannedAnswer | "hang", Partial<CredentialsError>]>([
    [
      "a 503",
      { status: 503, body: '{"Code":"ServiceUnavailable","Message":"busy","RequestId":"r"}' },
      { reason: "Unavailable", retryable: true }
    ],
    [
      "throttling on a 400",
      { status: 400, body: '{"Code":"Throttling.User","Message":"slow down"}' },
      { reason: "Unavailable", retryable: true }
    ],
    [
      "a proxy's HTML page",
      { status: 502, body: "<html>bad gateway</html>" },
      { reason: "Unavailable", retryable: true }
    ],
    [
      "a 200 without Credentials",
      { status: 200, body: '{"RequestId":"r"}' },
      { reason: "Invalid", retryable: false }
    ],
    [
      "a 200 with an empty token",
      {
        status: 200,
        body: '{"Credentials":{"AccessKeyId":"a","AccessKeySecret":"b","SecurityToken":" ","Expiration":"2030-01-01T00:00:00Z"}}'
      },
      { reason: "Invalid", retryable: false }
    ],
    [
      "a 200 with a bad expiration",
      {
        status: 200,
        body: '{"Credentials":{"AccessKeyId":"a","AccessKeySecret":"b","SecurityToken":"c","Expiration":"soon"}}'
      },
      { reason: "Invalid", retryable: false }
    ],
    [
      "a body of 1 MiB",
      { status: 200, body: `{"pad":"${"x".repeat(1024 * 1024)}"}` },
      { reason: "Invalid", retryable: false }
    ]
  ])("%s is a typed error", ([, canned, expected]) =>
    Effect.gen(function* () {
      const sts = yield* fakeSts({ answer: () => canned })
      const provider = yield* CredentialProviders.fromAssumeRole({
        base: yield* base(BASE_TOKEN),
        roleArn: ROLE,
        endpoint: sts.url
      })
      const error = yield* Effect.flip(provider.get)
      expect(error).toMatchObject(expected)
      expectClean(error)
    })
  )

  it.effect("a redirect is not followed: the signed request never reaches the other host", () =>
    Effect.gen(function* () {
      const elsewhere = yield* fakeSts({ keys: { [BASE_ID]: BASE_SECRET } })
      const sts = yield* fakeSts({
        answer: () => ({ status: 302, body: "", headers: { location: `${elsewhere.url}/steal` } })
      })
      const provider = yield* CredentialProviders.fromAssumeRole({
        base: yield* base(BASE_TOKEN),
        roleArn: ROLE,
        endpoint: sts.url
      })
      const error = yield* Effect.flip(provider.get)
      expect(error).toMatchObject({ reason: "Invalid" })
      expect(error.message).toContain("redirect")
      expect(elsewhere.requests).toHaveLength(0)
    })
  )

  it.effect("an STS that never answers is a retryable timeout naming the host only", () =>
    Effect.gen(function* () {
      const sts = yield* fakeSts({ answer: () => "hang" })
      const provider = yield* CredentialProviders.fromAssumeRole({
        base: yield* base(BASE_TOKEN),
        roleArn: ROLE,
        endpoint: sts.url,
        timeoutMs: 300
      })
      const error = yield* Effect.flip(provider.get)
      expect(error).toMatchObject({ reason: "Unavailable", retryable: true })
      expect(error.message).toBe(`no answer from ${new URL(sts.url).host} within 300 ms`)
    })
  )

  it.effect("bad options fail when the provider is built", () =>
    Effect.gen(function* () {
      const b = yield* base()
      for (const [options, fragment] of [
        [{ roleArn: " " }, "roleArn is missing"],
        [{ roleArn: ROLE, durationSeconds: 899 }, "at least 900"],
        [{ roleArn: ROLE, roleSessionName: "has space" }, "roleSessionName"],
        [{ roleArn: ROLE, endpoint: "http://sts.example.com" }, "plain http"]
      ] as const) {
        const error = yield* Effect.flip(CredentialProviders.fromAssumeRole({ base: b, ...options }))
        expect(error).toMatchObject({ reason: "Invalid" })
        expect(error.message).toContain(fragment)
      }
    })
  )

  it("the STS endpoint follows the official library: global, regional, VPC", () => {
    const href = (options: CredentialProviders.StsOptions) =>
      Effect.runSync(CredentialProviders.stsEndpoint(options)).href
    expect(href({})).toBe("https://sts.aliyuncs.com/")
    expect(href({ regionId: "cn-shanghai" })).toBe("https://sts.cn-shanghai.aliyuncs.com/")
    expect(href({ regionId: "cn-shanghai", vpc: true })).toBe("https://sts-vpc.cn-shanghai.aliyuncs.com/")
    expect(href({ endpoint: "sts.example.com", regionId: "cn-shanghai" })).toBe("https://sts.example.com/")
  })
})

describe("fromOidc", () => {
  it.effect("sends the OIDC token in the body, unsigned, and asks for a fresh token on every refresh", () =>
    Effect.gen(function* () {
      const sts = yield* fakeSts({})
      let reads = 0
      const provider = yield* CredentialProviders.fromOidc({
        roleArn: ROLE,
        oidcProviderArn: OIDC_PROVIDER,
        token: async () => `eyJhbGciOi.jwt-${++reads}.sig\n`,
        roleSessionName: "pod-a",
        endpoint: sts.url
      })
      expect(provider.source).toBe(`oidc ${ROLE}`)
      expect((yield* provider.get).accessKeyId).toBe("STS.key-1")
      yield* TestClock.adjust("2 hours")
      expect((yield* provider.get).accessKeyId).toBe("STS.key-2")
      expect(sts.requests.map((request) => request.form.OIDCToken)).toEqual([
        "eyJhbGciOi.jwt-1.sig",
        "eyJhbGciOi.jwt-2.sig"
      ])
      const [request] = sts.requests
      expect(request!.query).toEqual({
        Action: "AssumeRoleWithOIDC",
        Version: "2015-04-01",
        Format: "JSON",
        Timestamp: "1970-01-01T00:00:00Z"
      })
      expect(request!.form).toMatchObject({
        OIDCProviderArn: OIDC_PROVIDER,
        RoleArn: ROLE,
        RoleSessionName: "pod-a",
        DurationSeconds: "3600"
      })
    })
  )

  it.effect("STS quoting a refused token in its message does not put it in the error", () =>
    Effect.gen(function* () {
      const token = "eyJhbGciOi.the-oidc-token-that-must-never-leak.sig"
      const sts = yield* fakeSts({ acceptOidcToken: () => false })
      const provider = yield* CredentialProviders.fromOidc({
        roleArn: ROLE,
        oidcProviderArn: OIDC_PROVIDER,
        token: () => token,
        endpoint: sts.url
      })
      const error = yield* Effect.flip(provider.get)
      expect(error).toMatchObject({ reason: "Refused", retryable: false, provider: `oidc ${ROLE}` })
      expect(error.message).toContain("InvalidParameter.OIDCToken")
      expectClean(error, token)
    })
  )

  it.effect("a token source that fails, or gives nothing, is a typed error before any request", () =>
    Effect.gen(function* () {
      const sts = yield* fakeSts({})
      const failing = yield* CredentialProviders.fromOidc({
        roleArn: ROLE,
        oidcProviderArn: OIDC_PROVIDER,
        token: () => {
          throw new Error("ENOENT: /var/run/secrets/tokens/oidc-token")
        },
        endpoint: sts.url
      })
      expect(yield* Effect.flip(failing.get)).toMatchObject({ reason: "Unavailable" })
      const empty = yield* CredentialProviders.fromOidc({
        roleArn: ROLE,
        oidcProviderArn: OIDC_PROVIDER,
        token: () => " \n",
        endpoint: sts.url
      })
      expect(yield* Effect.flip(empty.get)).toMatchObject({
        reason: "Invalid",
        message: "the OIDC token is empty"
      })
      expect(sts.requests).toHaveLength(0)
    })
  )
})

describe("fromEcsMetadata", () => {
  it.effect("hardened mode: a session token first, the role discovered, then its credentials", () =>
    Effect.gen(function* () {
      const metadata = yield* fakeMetadata({ role: "app-role", tokens: "required" })
      const provider = yield* CredentialProviders.fromEcsMetadata({
        endpoint: metadata.url,
        timeoutMs: 5_000
      })
      expect(provider.source).toBe("ecs-metadata")
      expect(plain(yield* provider.get)).toEqual({
        accessKeyId: "ECS.key-1",
        accessKeySecret: metadata.issued[0]!.accessKeySecret,
        securityToken: metadata.issued[0]!.securityToken,
        expiration: "1970-01-01T06:00:00.000Z"
      })
      expect(provider.source).toBe("ecs-metadata role app-role")
      expect(metadata.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
        "PUT /latest/api/token",
        "GET /latest/meta-data/ram/security-credentials/",
        "GET /latest/meta-data/ram/security-credentials/app-role"
      ])
      expect(metadata.requests[0]!.headers["x-aliyun-ecs-metadata-token-ttl-seconds"]).toBe("21600")
      for (const request of metadata.requests.slice(1))
        expect(request.headers["x-aliyun-ecs-metadata-token"]).toBe("metadata-session-1")
      // Refreshed before expiry; the role is not looked up again.
      yield* TestClock.adjust("6 hours")
      expect((yield* provider.get).accessKeyId).toBe("ECS.key-2")
      expect(metadata.requests.map((request) => request.path).slice(3)).toEqual([
        "/latest/api/token",
        "/latest/meta-data/ram/security-credentials/app-role"
      ])
    })
  )

  it.effect("plain mode only when the service issues no token and it is allowed", () =>
    Effect.gen(function* () {
      const metadata = yield* fakeMetadata({ role: "app-role", tokens: "unsupported" })
      const allowed = yield* CredentialProviders.fromEcsMetadata({
        endpoint: metadata.url,
        roleName: "app-role",
        timeoutMs: 5_000
      })
      expect((yield* allowed.get).accessKeyId).toBe("ECS.key-1")
      expect(metadata.requests[1]!.headers["x-aliyun-ecs-metadata-token"]).toBeUndefined()

      const hardened = yield* CredentialProviders.fromEcsMetadata({
        endpoint: metadata.url,
        roleName: "app-role",
        disableImdsV1: true,
        timeoutMs: 5_000
      })
      const error = yield* Effect.flip(hardened.get)
      expect(error).toMatchObject({ provider: "ecs-metadata role app-role", reason: "Refused" })
      expect(error.message).toContain("plain mode is disabled")
      expect(metadata.requests).toHaveLength(3) // the refused PUT, and nothing after it
    })
  )

  it.effect("no metadata service: NotConfigured when no role was named (not an ECS instance)", () =>
    Effect.gen(function* () {
      const gone = yield* fakeMetadata({ role: undefined, tokens: "optional" })
      yield* Effect.promise(() => gone.close())
      const unnamed = yield* CredentialProviders.fromEcsMetadata({ endpoint: gone.url, timeoutMs: 5_000 })
      const error = yield* Effect.flip(unnamed.get)
      expect(error).toMatchObject({ provider: "ecs-metadata", reason: "NotConfigured", retryable: false })
      expect(error.message).toContain("not an ECS instance?")
      const named = yield* CredentialProviders.fromEcsMetadata({
        endpoint: gone.url,
        roleName: "app-role",
        timeoutMs: 5_000
      })
      expect(yield* Effect.flip(named.get)).toMatchObject({ reason: "Unavailable", retryable: true })
    })
  )

  it.effect("an instance without a role, a wrong role, a bad answer: typed errors", () =>
    Effect.gen(function* () {
      const none = yield* fakeMetadata({ role: undefined, tokens: "optional" })
      const noRole = yield* CredentialProviders.fromEcsMetadata({ endpoint: none.url, timeoutMs: 5_000 })
      expect(yield* Effect.flip(noRole.get)).toMatchObject({
        reason: "NotConfigured",
        message: "no RAM role is attached to this instance"
      })
      const metadata = yield* fakeMetadata({ role: "app-role", tokens: "optional" })
      const wrong = yield* CredentialProviders.fromEcsMetadata({
        endpoint: metadata.url,
        roleName: "other-role",
        timeoutMs: 5_000
      })
      expect(yield* Effect.flip(wrong.get)).toMatchObject({
        reason: "Invalid",
        provider: "ecs-metadata role other-role"
      })
      const broken = yield* fakeMetadata({
        role: "app-role",
        tokens: "optional",
        answer: (request) =>
          request.path.endsWith("/app-role")
            ? {
                status: 200,
                body: '{"Code":"Failed","AccessKeyId":"a","AccessKeySecret":"b","SecurityToken":"c","Expiration":"2030-01-01T00:00:00Z"}'
              }
            : undefined
      })
      const failed = yield* CredentialProviders.fromEcsMetadata({ endpoint: broken.url, timeoutMs: 5_000 })
      expect(yield* Effect.flip(failed.get)).toMatchObject({ reason: "Invalid" })
    })
  )

  it.effect("white space around the role name and the issued values is trimmed", () =>
    Effect.gen(function* () {
      const metadata: FakeMetadata = yield* fakeMetadata({
        role: "app-role",
        tokens: "optional",
        answer: (request) =>
          request.path === "/latest/meta-data/ram/security-credentials/"
            ? { status: 200, body: "  app-role \r\n" }
            : request.path.endsWith("/app-role")
              ? {
                  status: 200,
                  body: JSON.stringify({
                    Code: "Success",
                    AccessKeyId: " ECS.padded\n",
                    AccessKeySecret: "\tpadded-secret\r\n",
                    SecurityToken: "padded-token \n",
                    Expiration: "1970-01-01T06:00:00Z"
                  })
                }
              : undefined
      })
      const provider = yield* CredentialProviders.fromEcsMetadata({
        endpoint: metadata.url,
        timeoutMs: 5_000
      })
      expect(plain(yield* provider.get)).toMatchObject({
        accessKeyId: "ECS.padded",
        accessKeySecret: "padded-secret",
        securityToken: "padded-token"
      })
      expect(metadata.requests[2]!.path).toBe("/latest/meta-data/ram/security-credentials/app-role")
    })
  )
})

describe("providers compose", () => {
  it.effect("AssumeRole with a base from the metadata service: one chain of temporary credentials", () =>
    Effect.gen(function* () {
      const metadata = yield* fakeMetadata({ role: "app-role", tokens: "required" })
      const instance = yield* CredentialProviders.fromEcsMetadata({
        endpoint: metadata.url,
        timeoutMs: 5_000
      })
      const sts: FakeSts = yield* fakeSts({
        keys: { "ECS.key-1": `ECS-secret-1-0123456789abcdef` }
      })
      const provider = yield* CredentialProviders.fromAssumeRole({
        base: instance,
        roleArn: ROLE,
        endpoint: sts.url
      })
      expect((yield* provider.get).accessKeyId).toBe("STS.key-1")
      expect(sts.requests[0]!.query.SecurityToken).toBe(metadata.issued[0]!.securityToken)
      expect(provider.source).toBe(`assume-role ${ROLE} (base: ecs-metadata role app-role)`)
    })
  )
})
