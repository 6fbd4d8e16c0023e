/**
 * The ECS instance metadata service under `/latest/`: session tokens (PUT with a TTL header), the role name,
 * the role's credentials in the documented JSON, the hardened mode (plain GETs refused with 403), an instance
 * without it (PUT 404), and credentials that are handed out again until renewed.
 */
import { afterEach, describe, expect, it } from "vitest"
import { DEFAULT_ROLE_ARN, type Emulator, type EmulatorOptions, startEmulator } from "../src/index.js"
import { request } from "./helpers/client.js"
import { listWith, metadata } from "./helpers/sts.js"

const ROLE_PATH = "/latest/meta-data/ram/security-credentials/"
const TOKEN_PATH = "/latest/api/token"
const JOB = "md-job"

const running: Array<Emulator> = []
afterEach(async () => {
  await Promise.all(running.splice(0).map((emu) => emu.close()))
})

const start = async (options: EmulatorOptions = {}) => {
  const emu = await startEmulator({ qps: 0, jobs: [{ jobId: JOB, tasks: 3 }], ...options })
  running.push(emu)
  return emu
}

const sessionToken = async (emu: Emulator, ttl = "21600") => {
  const result = await metadata(emu, TOKEN_PATH, { "X-aliyun-ecs-metadata-token-ttl-seconds": ttl })
  expect(result.status).toBe(200)
  expect(result.headers["content-type"]).toBe("text/plain")
  return result.text
}

describe("the ECS metadata service", () => {
  it("hardened flow: a session token, the role name, then the role's credentials, which sign IoT calls", async () => {
    const emu = await start()
    const token = await sessionToken(emu)
    const headers = { "X-aliyun-ecs-metadata-token": token }
    const role = await metadata(emu, ROLE_PATH, headers)
    expect({ status: role.status, text: role.text }).toEqual({ status: 200, text: "emulator-role" })
    const answer = await metadata(emu, `${ROLE_PATH}emulator-role`, headers)
    expect(answer.status).toBe(200)
    expect(Object.keys(answer.json)).toEqual([
      "AccessKeyId",
      "AccessKeySecret",
      "Expiration",
      "SecurityToken",
      "LastUpdated",
      "Code"
    ])
    expect(answer.json.Code).toBe("Success")
    expect(answer.json.AccessKeyId).toMatch(/^STS\./)
    expect(answer.json.LastUpdated).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
    // Six hours, as the documentation's sample.
    expect(Date.parse(answer.json.Expiration) - Date.parse(answer.json.LastUpdated)).toBeGreaterThan(
      6 * 3_600_000 - 2000
    )
    const credentials = {
      accessKeyId: answer.json.AccessKeyId,
      accessKeySecret: answer.json.AccessKeySecret,
      securityToken: answer.json.SecurityToken
    }
    expect((await listWith(emu, "V2", credentials, JOB)).status).toBe(200)
    expect(emu.issuedCredentials()).toMatchObject([{ via: "EcsMetadata", roleArn: DEFAULT_ROLE_ARN }])
    expect(emu.stats().metadata).toEqual({ token: 1, role: 1, credentials: 1 })
    expect(emu.stats().byAction).toEqual({ ListOTATaskByJob: 1 })
  })

  it("optional mode (the default): plain GETs are answered too", async () => {
    const emu = await start()
    expect((await metadata(emu, ROLE_PATH)).text).toBe("emulator-role")
    expect((await metadata(emu, `${ROLE_PATH}emulator-role`)).json.Code).toBe("Success")
  })

  it("required mode: a plain GET gets 403, a GET with the token is answered", async () => {
    const emu = await start({ metadataTokens: "required" })
    for (const path of [ROLE_PATH, `${ROLE_PATH}emulator-role`]) {
      expect((await metadata(emu, path)).status).toBe(403)
    }
    const headers = { "X-aliyun-ecs-metadata-token": await sessionToken(emu) }
    expect((await metadata(emu, `${ROLE_PATH}emulator-role`, headers)).status).toBe(200)
    expect(emu.stats().metadata).toMatchObject({ "refused:plain": 2, token: 1, credentials: 1 })
  })

  it("unsupported mode: the token PUT gets 404 and plain GETs work (an older instance)", async () => {
    const emu = await start({ metadataTokens: "unsupported" })
    const put = await metadata(emu, TOKEN_PATH, { "X-aliyun-ecs-metadata-token-ttl-seconds": "60" })
    expect(put.status).toBe(404)
    expect((await metadata(emu, `${ROLE_PATH}emulator-role`)).status).toBe(200)
  })

  it("a token it never issued, or one past its TTL, is 401; a TTL outside 1..21600 is 400; GET on the token path is 405", async () => {
    let offsetMs = 0
    const emu = await start({ clock: () => Date.now() + offsetMs })
    expect((await metadata(emu, ROLE_PATH, { "X-aliyun-ecs-metadata-token": "forged" })).status).toBe(401)
    const token = await sessionToken(emu, "60")
    expect((await metadata(emu, ROLE_PATH, { "X-aliyun-ecs-metadata-token": token })).status).toBe(200)
    offsetMs = 60_000
    expect((await metadata(emu, ROLE_PATH, { "X-aliyun-ecs-metadata-token": token })).status).toBe(401)
    for (const ttl of ["0", "21601", "abc"]) {
      const result = await metadata(emu, TOKEN_PATH, { "X-aliyun-ecs-metadata-token-ttl-seconds": ttl })
      expect(result.status).toBe(400)
    }
    expect((await metadata(emu, TOKEN_PATH, {}, "PUT")).status).toBe(400)
    expect((await metadata(emu, TOKEN_PATH, {}, "GET")).status).toBe(405)
    expect((await metadata(emu, ROLE_PATH, {}, "POST")).status).toBe(405)
  })

  it("hostile input: a body it does not read is drained, an over-long path gets 414; it keeps serving", async () => {
    const emu = await start()
    const big = await request(emu, {
      method: "PUT",
      path: TOKEN_PATH,
      headers: { "X-aliyun-ecs-metadata-token-ttl-seconds": "60", "content-length": 1_000_000 },
      body: Buffer.alloc(1_000_000, 97)
    })
    expect(big.status).toBe(200)
    expect((await metadata(emu, `${ROLE_PATH}${"x".repeat(20_000)}`)).status).toBe(414)
    expect((await metadata(emu, ROLE_PATH)).text).toBe("emulator-role")
  })

  it("another role's name, another path, or an instance without a role: 404", async () => {
    const emu = await start()
    expect((await metadata(emu, `${ROLE_PATH}someone-else`)).status).toBe(404)
    expect((await metadata(emu, "/latest/meta-data/instance-id")).status).toBe(404)
    const bare = await start({ instanceRole: null })
    expect(bare.metadata.roleName).toBeUndefined()
    expect((await metadata(bare, ROLE_PATH)).status).toBe(404)
  })

  it("the same credential is handed out until it is near its end or expired; then a new one", async () => {
    let offsetMs = 0
    const emu = await start({ clock: () => Date.now() + offsetMs, timestampWindowMs: 24 * 3_600_000 })
    const fetchKey = async () => (await metadata(emu, `${ROLE_PATH}emulator-role`)).json.AccessKeyId as string
    const first = await fetchKey()
    expect(await fetchKey()).toBe(first)
    offsetMs = 4 * 3_600_000 // 2 hours left: still the same
    expect(await fetchKey()).toBe(first)
    offsetMs = 5.5 * 3_600_000 // half an hour left: renewed
    const second = await fetchKey()
    expect(second).not.toBe(first)
    expect(emu.expireCredentials()).toBeGreaterThanOrEqual(1)
    const third = await fetchKey()
    expect(third).not.toBe(second)
    expect(emu.issuedCredentials().map((c) => c.accessKeyId)).toEqual([first, second, third])
  })

  it("a named instance role among several; credentialLifetimeMs shortens what it hands out", async () => {
    const emu = await start({
      roles: [{ roleArn: DEFAULT_ROLE_ARN }, { roleArn: "acs:ram::1234567890123456:role/ecs-app" }],
      instanceRole: "ecs-app",
      credentialLifetimeMs: 5000
    })
    expect((await metadata(emu, ROLE_PATH)).text).toBe("ecs-app")
    const answer = (await metadata(emu, `${ROLE_PATH}ecs-app`)).json
    expect(Date.parse(answer.Expiration) - Date.parse(answer.LastUpdated)).toBeLessThanOrEqual(5000)
  })
})
