/**
 * The edge credential providers in a real workerd (through miniflare), bundled with the Workers export
 * conditions and without `nodejs_compat`: STS AssumeRoleWithOIDC (a fake STS on 127.0.0.1) gives temporary
 * credentials, which sign calls the emulator verifies. Two requests to the same isolate share one STS call.
 */

import { type Emulator, startEmulator } from "@iot-ota/emulator"
import { Miniflare } from "miniflare"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type FakeSts, issuedBy, startFakeSts } from "../../core/test/credentialServers.js"
import { assertBuilt, bundle, RUNTIME_CONDITIONS } from "./helpers/build.js"

const ROLE = "acs:ram::1234567890123456:role/iot-ota-reader"
const OIDC_PROVIDER = "acs:ram::1234567890123456:oidc-provider/workers"
const TOKEN = "eyJhbGciOiJSUzI1NiJ9.worker-identity.signature"

let emu: Emulator
let sts: FakeSts
let mf: Miniflare

beforeAll(async () => {
  assertBuilt()
  const script = await bundle("test/runtime/credentials-worker.ts", RUNTIME_CONDITIONS.workerd)
  const issue = issuedBy("STS")
  emu = await startEmulator({
    qps: 0,
    credentials: [issue(1), issue(2)],
    jobs: [{ jobId: "job-edge", tasks: 25 }]
  })
  sts = await startFakeSts({ now: () => Date.now() })
  mf = new Miniflare({
    modules: true,
    script,
    compatibilityDate: "2025-01-01",
    bindings: {
      OTA_ENDPOINT: emu.url,
      STS_ENDPOINT: sts.url,
      ROLE_ARN: ROLE,
      OIDC_PROVIDER_ARN: OIDC_PROVIDER,
      OIDC_TOKEN: TOKEN,
      JOB_ID: "job-edge"
    }
  })
  await mf.ready
}, 60_000)

afterAll(async () => {
  await mf?.dispose()
  await emu?.close()
  await sts?.close()
})

describe("credential providers in a Cloudflare Worker (workerd)", () => {
  it("AssumeRoleWithOIDC over fetch signs calls the emulator accepts; the isolate reuses the credential", async () => {
    for (let i = 0; i < 2; i++) {
      const response = await mf.dispatchFetch("http://worker.test/")
      const text = await response.text()
      expect(response.status, text).toBe(200)
      expect(JSON.parse(text)).toEqual({ tasks: 10, source: `oidc ${ROLE}` })
      expect(text).not.toContain(TOKEN)
    }
    expect(sts.requests).toHaveLength(1)
    expect(sts.requests[0]!.form).toMatchObject({
      OIDCToken: TOKEN,
      RoleArn: ROLE,
      OIDCProviderArn: OIDC_PROVIDER
    })
    expect(emu.stats().byCode).toEqual({ OK: 2 })
  })
})
