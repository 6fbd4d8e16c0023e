/**
 * Temporary credentials through the edge client's own options: a security token next to the key pair in the
 * env-like object is signed along (HMAC-SHA1 query parameter, ACS3-HMAC-SHA256 headers), trimmed like the pair.
 */
import { type Emulator, startEmulator } from "@iot-ota/emulator"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { OtaClient, resolveOptions } from "../src/index.js"

const KEY = "STS.edge-key"
const SECRET = "edge-secret-0123456789abcdef"
const TOKEN = "CAIS-edge-token+/="

let emu: Emulator
beforeAll(async () => {
  emu = await startEmulator({
    qps: 0,
    credentials: [{ accessKeyId: KEY, accessKeySecret: SECRET }],
    jobs: [{ jobId: "job-edge", tasks: 4 }]
  })
})
afterAll(() => emu.close())

const env = () => ({
  OTA_ENDPOINT: emu.url,
  OTA_ACCESS_KEY_ID: `${KEY}\n`,
  OTA_ACCESS_KEY_SECRET: ` ${SECRET}`,
  OTA_SECURITY_TOKEN: `${TOKEN}\r\n`
})

describe("a security token in the env-like object", () => {
  it("is read with the pair, trimmed and redacted", () => {
    const provider = resolveOptions({ env: env() }).credentials
    const credentials = Effect.runSync(Effect.orDie(provider.get))
    expect(credentials.accessKeyId).toBe(KEY)
    expect(provider.source).toBe("the env bindings (OTA_ACCESS_KEY_ID / OTA_ACCESS_KEY_SECRET)")
    expect(Redacted.value(credentials.securityToken!)).toBe(TOKEN)
    expect(JSON.stringify(credentials)).not.toContain(TOKEN)
  })

  it.each([
    ["HMAC-SHA1", (url: URL) => url.searchParams.get("SecurityToken")],
    ["ACS3-HMAC-SHA256", (_: URL, headers: Headers) => headers.get("x-acs-security-token")]
  ] as const)("%s: signed along, and the emulator accepts the call", async (signatureAlgorithm, tokenOf) => {
    const sent: Array<string | null> = []
    const client = new OtaClient({
      env: env(),
      signatureAlgorithm,
      fetch: (input, init) => {
        sent.push(tokenOf(new URL(String(input)), new Headers(init?.headers)))
        return fetch(input, init)
      }
    })
    try {
      expect((await client.listOTATaskByJob({ jobId: "job-edge" })).tasks).toHaveLength(4)
    } finally {
      await client.close()
    }
    expect(sent).toEqual([TOKEN])
  })
})
