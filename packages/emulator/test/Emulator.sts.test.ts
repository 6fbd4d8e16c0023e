/**
 * Temporary credentials: STS AssumeRole (signed, role chaining with a token) and AssumeRoleWithOIDC (anonymous,
 * HS256 tokens), their answers and refusals with STS's codes, and the security token every request signed with
 * an issued key must carry (V2 parameter, V3 header): missing, tampered, another key's, expired.
 */
import fc from "fast-check"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  DEFAULT_CREDENTIALS,
  DEFAULT_OIDC_PROVIDER,
  DEFAULT_ROLE_ARN,
  type Emulator,
  startEmulator
} from "../src/index.js"
import { GATEWAY_ERROR_KEYS, UUID } from "./helpers/client.js"
import { assumeRole, assumeRoleWithOidc, credentialsOf, listWith } from "./helpers/sts.js"

const JOB = "sts-job"
const READER = "acs:ram::1234567890123456:role/ota-reader"
const ADMIN = "acs:ram::1234567890123456:role/ota-admin"
const GUARDED = "acs:ram::1234567890123456:role/ota-guarded"
const OTHER_PROVIDER = "acs:ram::1234567890123456:oidc-provider/other"
const OUTSIDER = { accessKeyId: "outsider-key", accessKeySecret: "outsider-secret" }
const HANDED = {
  accessKeyId: "STS.handed-over",
  accessKeySecret: "handed-secret",
  securityToken: "CAIS-handed"
}

let emu: Emulator
/** The server clock, moved by the tests that need time to pass. */
let offsetMs = 0

beforeAll(async () => {
  emu = await startEmulator({
    qps: 0,
    jobs: [{ jobId: JOB, tasks: 5 }],
    credentials: [DEFAULT_CREDENTIALS, OUTSIDER, HANDED],
    roles: [
      { roleArn: DEFAULT_ROLE_ARN },
      {
        roleArn: READER,
        maxSessionDurationSeconds: 43_200,
        trustedPrincipals: [DEFAULT_CREDENTIALS.accessKeyId]
      },
      { roleArn: ADMIN, trustedPrincipals: [READER] },
      { roleArn: GUARDED, externalId: "abc-123", trustedOidcProviders: [OTHER_PROVIDER] }
    ],
    oidcProviders: [DEFAULT_OIDC_PROVIDER, { arn: OTHER_PROVIDER, secret: "other-secret" }],
    clock: () => Date.now() + offsetMs,
    // The test moves the server clock by hours; requests are signed with the real time.
    timestampWindowMs: 48 * 3_600_000
  })
})
afterAll(() => emu.close())

const stsError = (result: { status: number; json: Record<string, unknown> }) => ({
  status: result.status,
  code: result.json.Code
})

describe("AssumeRole", () => {
  it("answers STS's shape: an STS. key, its secret, a long token, a whole-second Expiration DurationSeconds ahead", async () => {
    const before = Date.now()
    const result = await assumeRole(emu, {
      RoleArn: READER,
      RoleSessionName: "alice",
      DurationSeconds: "7200"
    })
    expect(result.status).toBe(200)
    expect(Object.keys(result.json).sort()).toEqual(["AssumedRoleUser", "Credentials", "RequestId"])
    expect(result.json.RequestId).toMatch(UUID)
    expect(result.json.AssumedRoleUser).toEqual({
      AssumedRoleId: expect.stringMatching(/^3\d{16}:alice$/),
      Arn: "acs:ram::1234567890123456:role/ota-reader/alice"
    })
    const credentials = credentialsOf(result)
    expect(credentials.accessKeyId).toMatch(/^STS\.[A-Za-z0-9]{25}$/)
    expect(credentials.accessKeySecret).toMatch(/^[A-Za-z0-9]{44}$/)
    expect(credentials.securityToken).toMatch(/^CAIS[A-Za-z0-9+/=]+$/)
    expect(credentials.securityToken.length).toBeGreaterThan(400)
    expect(credentials.expiration).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
    const expires = Date.parse(credentials.expiration)
    expect(expires).toBeGreaterThanOrEqual(Math.floor((before + 7_200_000) / 1000) * 1000 - 1000)
    expect(expires).toBeLessThanOrEqual(Date.now() + 7_200_000)
    expect(emu.issuedCredentials().at(-1)).toEqual({
      accessKeyId: credentials.accessKeyId,
      roleArn: READER,
      sessionName: "alice",
      via: "AssumeRole",
      expiration: credentials.expiration,
      expired: false
    })
  })

  it("the issued key signs IoT calls with its token: V2 (SecurityToken parameter) and V3 (x-acs-security-token)", async () => {
    const credentials = credentialsOf(await assumeRole(emu, { RoleArn: READER }))
    for (const algorithm of ["V2", "V3"] as const) {
      const result = await listWith(emu, algorithm, credentials, JOB)
      expect({ algorithm, status: result.status }).toEqual({ algorithm, status: 200 })
      expect(result.json.Data.SimpleOTATaskInfo).toHaveLength(5)
    }
  })

  it("GET with every parameter in the query works too; the default duration is 3600 s", async () => {
    const result = await assumeRole(emu, { RoleArn: DEFAULT_ROLE_ARN }, undefined, { method: "GET" })
    const expires = Date.parse(credentialsOf(result).expiration)
    expect(expires - (Date.now() + offsetMs)).toBeGreaterThan(3_590_000)
    expect(expires - (Date.now() + offsetMs)).toBeLessThanOrEqual(3_600_000)
  })

  it("role chaining: a reader session (with its token) assumes the admin role; the AccessKey itself may not", async () => {
    const reader = credentialsOf(await assumeRole(emu, { RoleArn: READER }))
    const admin = await assumeRole(emu, { RoleArn: ADMIN }, reader)
    expect(admin.status).toBe(200)
    expect(credentialsOf(admin).accessKeyId).not.toBe(reader.accessKeyId)
    const direct = await assumeRole(emu, { RoleArn: ADMIN })
    expect(stsError(direct)).toEqual({ status: 403, code: "NoPermission" })
    // The chained call without its token is refused before the role is looked at.
    const tokenless = await assumeRole(emu, { RoleArn: ADMIN }, { ...reader, securityToken: undefined })
    expect(stsError(tokenless)).toEqual({ status: 400, code: "MissingSecurityToken" })
  })

  it.each([
    [{}, 400, "MissingRoleArn"],
    [{ RoleArn: "arn:aws:iam::1:role/x" }, 400, "InvalidParameter.RoleArn"],
    [{ RoleArn: READER, RoleSessionName: "x" }, 400, "InvalidParameter.RoleSessionName"],
    [{ RoleArn: READER, RoleSessionName: "has space" }, 400, "InvalidParameter.RoleSessionName"],
    [{ RoleArn: READER, Policy: "{not json" }, 400, "InvalidParameter.PolicyGrammar"],
    [
      { RoleArn: READER, Policy: JSON.stringify({ Statement: "x".repeat(2100) }) },
      400,
      "InvalidParameter.PolicySize"
    ],
    [{ RoleArn: "acs:ram::1234567890123456:role/missing" }, 404, "EntityNotExist.Role"],
    [{ RoleArn: READER, DurationSeconds: "899" }, 400, "InvalidParameter.DurationSeconds"],
    [{ RoleArn: READER, DurationSeconds: "43201" }, 400, "InvalidParameter.DurationSeconds"],
    [{ RoleArn: DEFAULT_ROLE_ARN, DurationSeconds: "3601" }, 400, "InvalidParameter.DurationSeconds"],
    [{ RoleArn: READER, DurationSeconds: "1h" }, 400, "InvalidParameter.DurationSeconds"],
    [{ RoleArn: READER, ExternalId: "!" }, 400, "InvalidParameter.ExternalId"],
    [{ RoleArn: GUARDED }, 403, "NoPermission"],
    [{ RoleArn: GUARDED, ExternalId: "not-it" }, 403, "NoPermission"]
  ])("%j → %i %s, in STS's error shape", async (api, status, code) => {
    const result = await assumeRole(emu, { RoleSessionName: "emulator-test", ...api } as Record<
      string,
      string
    >)
    expect(stsError(result)).toEqual({ status, code })
    expect(Object.keys(result.json)).toEqual(GATEWAY_ERROR_KEYS)
  })

  it("the external id the trust policy asks for admits the caller; a caller the policy does not name is refused", async () => {
    expect((await assumeRole(emu, { RoleArn: GUARDED, ExternalId: "abc-123" })).status).toBe(200)
    expect(stsError(await assumeRole(emu, { RoleArn: READER }, OUTSIDER))).toEqual({
      status: 403,
      code: "NoPermission"
    })
  })
})

describe("the security token on IoT calls", () => {
  for (const algorithm of ["V2", "V3"] as const) {
    it(`${algorithm}: missing → MissingSecurityToken, tampered → Malformed, another key's → Mismatch (all 400)`, async () => {
      const mine = credentialsOf(await assumeRole(emu, { RoleArn: READER }))
      const other = credentialsOf(await assumeRole(emu, { RoleArn: READER }))
      const token = mine.securityToken
      const flipped = `${token.slice(0, 20)}${token[20] === "A" ? "B" : "A"}${token.slice(21)}`
      const cases = [
        [null, "MissingSecurityToken"],
        [flipped, "InvalidSecurityToken.Malformed"],
        [`${token}A`, "InvalidSecurityToken.Malformed"],
        ["not-a-token", "InvalidSecurityToken.Malformed"],
        [other.securityToken, "InvalidSecurityToken.MismatchWithAccessKey"]
      ] as const
      for (const [sent, code] of cases) {
        const result = await listWith(emu, algorithm, mine, JOB, sent)
        expect({ sent: sent?.slice(0, 12), ...stsError(result) }).toEqual({
          sent: sent?.slice(0, 12),
          status: 400,
          code
        })
      }
      // Still good with its own token.
      expect((await listWith(emu, algorithm, mine, JOB)).status).toBe(200)
    })
  }

  it("expireCredentials(id) expires one credential now: InvalidSecurityToken.Expired; the others still work", async () => {
    const doomed = credentialsOf(await assumeRole(emu, { RoleArn: READER }))
    const kept = credentialsOf(await assumeRole(emu, { RoleArn: READER }))
    expect(emu.expireCredentials(doomed.accessKeyId)).toBe(1)
    expect(emu.expireCredentials(doomed.accessKeyId)).toBe(0)
    for (const algorithm of ["V2", "V3"] as const) {
      expect(stsError(await listWith(emu, algorithm, doomed, JOB))).toEqual({
        status: 400,
        code: "InvalidSecurityToken.Expired"
      })
      expect((await listWith(emu, algorithm, kept, JOB)).status).toBe(200)
    }
    expect(emu.issuedCredentials().find((c) => c.accessKeyId === doomed.accessKeyId)?.expired).toBe(true)
    // An expired session cannot chain into another role either.
    expect(stsError(await assumeRole(emu, { RoleArn: ADMIN }, doomed)).code).toBe(
      "InvalidSecurityToken.Expired"
    )
  })

  it("the server clock decides expiry: valid up to the second before Expiration, refused from it on", async () => {
    const credentials = credentialsOf(await assumeRole(emu, { RoleArn: READER, DurationSeconds: "900" }))
    const expires = Date.parse(credentials.expiration)
    try {
      offsetMs = expires - 1000 - Date.now()
      expect((await listWith(emu, "V2", credentials, JOB)).status).toBe(200)
      offsetMs = expires - Date.now()
      expect(stsError(await listWith(emu, "V2", credentials, JOB)).code).toBe("InvalidSecurityToken.Expired")
    } finally {
      offsetMs = 0
    }
  })

  it("a token another emulator sealed is malformed here, whatever key it names", async () => {
    const stranger = await startEmulator({ qps: 0 })
    try {
      const foreign = stranger.issueCredentials()
      expect(stsError(await listWith(emu, "V2", foreign, JOB)).code).toBe("InvalidSecurityToken.Malformed")
    } finally {
      await stranger.close()
    }
  })

  it("a pair declared with a token needs exactly that token; a long-term pair ignores one", async () => {
    expect((await listWith(emu, "V2", HANDED, JOB)).status).toBe(200)
    expect((await listWith(emu, "V3", HANDED, JOB)).status).toBe(200)
    expect(stsError(await listWith(emu, "V2", HANDED, JOB, null)).code).toBe("MissingSecurityToken")
    expect(stsError(await listWith(emu, "V3", HANDED, JOB, "CAIS-other")).code).toBe(
      "InvalidSecurityToken.MismatchWithAccessKey"
    )
    expect(
      (await listWith(emu, "V2", { ...DEFAULT_CREDENTIALS, securityToken: "ignored" }, JOB)).status
    ).toBe(200)
  })

  it("property: any change to a token (a character replaced, cut, or added) is refused as Malformed", async () => {
    const credentials = emu.issueCredentials({ roleArn: READER })
    const token = credentials.securityToken
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: token.length - 1 }),
        fc.constantFrom(...alphabet),
        fc.constantFrom("replace", "cut", "insert"),
        async (at, char, how) => {
          const changed =
            how === "replace"
              ? token.slice(0, at) + char + token.slice(at + 1)
              : how === "cut"
                ? token.slice(0, at) + token.slice(at + 1)
                : token.slice(0, at) + char + token.slice(at)
          fc.pre(changed !== token)
          const result = await listWith(emu, "V2", credentials, JOB, changed)
          expect(stsError(result).code).toBe("InvalidSecurityToken.Malformed")
        }
      ),
      { numRuns: 60 }
    )
  })
})

describe("AssumeRoleWithOIDC", () => {
  const oidc = (token: string, api: Record<string, string> = {}) =>
    assumeRoleWithOidc(emu, {
      OIDCProviderArn: DEFAULT_OIDC_PROVIDER.arn,
      RoleArn: READER,
      OIDCToken: token,
      ...api
    })

  it("anonymous: a provider's token buys the role's credentials; OIDCTokenInfo describes the token", async () => {
    emu.resetStats()
    const token = emu.oidcToken({ subject: "system:serviceaccount:ota:reader" })
    const result = await oidc(token, { DurationSeconds: "1800" })
    expect(result.status).toBe(200)
    expect(result.json.OIDCTokenInfo).toMatchObject({
      Subject: "system:serviceaccount:ota:reader",
      Issuer: DEFAULT_OIDC_PROVIDER.issuer,
      ClientIds: "sts.aliyuncs.com",
      VerificationInfo: "Success"
    })
    const credentials = credentialsOf(result)
    expect(emu.issuedCredentials().at(-1)).toMatchObject({
      accessKeyId: credentials.accessKeyId,
      via: "AssumeRoleWithOIDC",
      subject: "system:serviceaccount:ota:reader"
    })
    expect((await listWith(emu, "V3", credentials, JOB)).status).toBe(200)
    expect(emu.stats().byAction).toEqual({ AssumeRoleWithOIDC: 1, ListOTATaskByJob: 1 })
  })

  it.each([
    [
      "a token of another provider's key",
      () => emu.oidcToken({ providerArn: OTHER_PROVIDER }),
      401,
      "AuthenticationFail.OIDCToken.InvalidSignature"
    ],
    [
      "an expired token",
      () => emu.oidcToken({ expiresInSeconds: -1 }),
      401,
      "AuthenticationFail.OIDCToken.Expired"
    ],
    [
      "another audience",
      () => emu.oidcToken({ audience: "someone-else" }),
      401,
      "AuthenticationFail.OIDCToken.AudienceNotMatch"
    ],
    [
      "another issuer",
      () => emu.oidcToken({ issuer: "https://elsewhere" }),
      401,
      "AuthenticationFail.OIDCToken.Invalid"
    ],
    ["two parts", () => "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0", 401, "AuthenticationFail.OIDCToken.Invalid"],
    [
      "an RS256 header",
      () => `${Buffer.from('{"alg":"RS256"}').toString("base64url")}.e30.c2ln`,
      401,
      "AuthenticationFail.OIDCToken.Invalid"
    ]
  ])("%s → %i %s", async (_, token, status, code) => {
    expect(stsError(await oidc(token()))).toEqual({ status, code })
  })

  it("an unknown provider, a role that does not trust it, missing parameters, a malformed Timestamp", async () => {
    const token = emu.oidcToken()
    expect(stsError(await oidc(token, { OIDCProviderArn: "acs:ram::1:oidc-provider/nobody" }))).toEqual({
      status: 401,
      code: "AuthenticationFail.NoPermission"
    })
    expect(stsError(await oidc(token, { RoleArn: GUARDED }))).toEqual({
      status: 401,
      code: "AuthenticationFail.NoPermission"
    })
    expect(
      stsError(
        await oidc(emu.oidcToken({ providerArn: OTHER_PROVIDER }), {
          RoleArn: GUARDED,
          OIDCProviderArn: OTHER_PROVIDER
        })
      ).status
    ).toBe(200)
    expect(stsError(await oidc("")).code).toBe("MissingOIDCToken")
    expect(stsError(await oidc(token, { RoleArn: "" })).code).toBe("MissingRoleArn")
    const late = await assumeRoleWithOidc(
      emu,
      { OIDCProviderArn: DEFAULT_OIDC_PROVIDER.arn, RoleArn: READER, OIDCToken: token },
      { Timestamp: "yesterday" }
    )
    expect(stsError(late)).toEqual({ status: 400, code: "InvalidTimeStamp.Format" })
  })

  it("answers in STS's PascalCase even when the emulator speaks Tuya's camelCase", async () => {
    const tuya = await startEmulator({ qps: 0, casing: "tuya" })
    try {
      const ok = await assumeRoleWithOidc(tuya, {
        OIDCProviderArn: DEFAULT_OIDC_PROVIDER.arn,
        RoleArn: DEFAULT_ROLE_ARN,
        OIDCToken: tuya.oidcToken()
      })
      expect(ok.json.Credentials.AccessKeyId).toMatch(/^STS\./)
      const refused = await assumeRole(tuya, { RoleArn: "acs:ram::1:role/none" })
      expect(Object.keys(refused.json)).toEqual(GATEWAY_ERROR_KEYS)
      expect(refused.json.Code).toBe("EntityNotExist.Role")
    } finally {
      await tuya.close()
    }
  })
})

describe("options", () => {
  it.each([
    [{ roles: [{ roleArn: "role/x" }] }, /not a role ARN/],
    [{ roles: [{ roleArn: READER }, { roleArn: READER }] }, /given twice/],
    [{ roles: [{ roleArn: READER, maxSessionDurationSeconds: 60 }] }, /3600\.\.43200/],
    [{ oidcProviders: [{ arn: "provider" }] }, /not an OIDC provider ARN/],
    [{ instanceRole: "nobody" }, /not the name of one of the roles/],
    [{ credentialLifetimeMs: 10 }, /credentialLifetimeMs/]
  ])("%j is refused at start", async (options, message) => {
    await expect(startEmulator(options)).rejects.toThrow(message)
  })
})
