/**
 * The nonce memory: oversized nonces are refused before their signature is looked at, only admitted requests
 * are remembered, an entry has a fixed size whatever the nonce, and a flood of huge nonces does not grow the
 * heap. Heap growth is measured after a forced collection, with a generous bound and no timing.
 */
import { randomUUID } from "node:crypto"
import { setFlagsFromString } from "node:v8"
import { runInNewContext } from "node:vm"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type Emulator, startEmulator } from "../src/index.js"
import { MAX_NONCE_LENGTH } from "../src/internal/auth.js"
import { nonceKey } from "../src/internal/limits.js"
import { callV2, callV3 } from "./helpers/client.js"

setFlagsFromString("--expose-gc")
const gc = runInNewContext("gc") as () => void

const heapAfterCollection = (): number => {
  gc()
  gc()
  return process.memoryUsage().heapUsed
}

const JOB = "nonce-job"
let emu: Emulator

beforeAll(async () => {
  emu = await startEmulator({ qps: 0, jobs: [{ jobId: JOB, tasks: 3 }] })
})
afterAll(() => emu.close())

const nonce = (length: number): string => "n".repeat(length - 36) + randomUUID()

describe("nonce length", () => {
  it(`V2: ${MAX_NONCE_LENGTH} characters pass; one more is 400 InvalidParameter naming SignatureNonce`, async () => {
    expect((await callV2(emu, { JobId: JOB }, { nonce: nonce(MAX_NONCE_LENGTH) })).status).toBe(200)
    const before = emu.stats().nonces
    const result = await callV2(emu, { JobId: JOB }, { nonce: nonce(MAX_NONCE_LENGTH + 1) })
    expect({ status: result.status, code: result.json.Code }).toEqual({
      status: 400,
      code: "InvalidParameter"
    })
    expect(result.json.Message).toContain('"SignatureNonce"')
    expect(result.json.Message).toContain(`at most ${MAX_NONCE_LENGTH} characters`)
    expect(emu.stats().nonces).toBe(before)
  })

  it("V3: an oversized x-acs-signature-nonce is 400 InvalidParameter naming it", async () => {
    expect((await callV3(emu, { JobId: JOB }, { nonce: nonce(MAX_NONCE_LENGTH) })).status).toBe(200)
    const result = await callV3(emu, { JobId: JOB }, { nonce: nonce(MAX_NONCE_LENGTH + 1) })
    expect({ status: result.status, code: result.json.Code }).toEqual({
      status: 400,
      code: "InvalidParameter"
    })
    expect(result.json.Message).toContain('"x-acs-signature-nonce"')
  })
})

describe("what is remembered", () => {
  it("only admitted requests: refused ones (signature, timestamp, unknown action, size) leave no nonce", async () => {
    const before = emu.stats().nonces
    await callV2(emu, { JobId: JOB }, { secret: "wrong" })
    await callV2(emu, { JobId: JOB }, { timestampOffsetMs: -20 * 60_000 })
    await callV2(emu, { JobId: JOB }, { action: "DeleteOTAJob" })
    await callV3(emu, { JobId: JOB }, { secret: "wrong" })
    expect(emu.stats().nonces).toBe(before)
    const reused = randomUUID()
    expect((await callV2(emu, { JobId: JOB }, { nonce: reused })).status).toBe(200)
    expect(emu.stats().nonces).toBe(before + 1)
    // Replays are still caught through the digest.
    expect((await callV2(emu, { JobId: JOB }, { nonce: reused })).json.Code).toBe("SignatureNonceUsed")
    expect((await callV3(emu, { JobId: JOB }, { nonce: reused })).json.Code).toBe("SignatureNonceUsed")
  })

  it("an entry is a 16-character digest of AccessKeyId and nonce, whatever the nonce's length", () => {
    for (const length of [1, 36, 128, 60_000]) expect(nonceKey("id", "x".repeat(length))).toHaveLength(16)
    expect(nonceKey("id-a", "n")).not.toBe(nonceKey("id-b", "n"))
    expect(nonceKey("id", "a")).toBe(nonceKey("id", "a"))
  })
})

describe("a flood of huge nonces", () => {
  it("600 signed requests with 60 KB nonces (V3 headers and V2 form bodies) leave the heap where it was", async () => {
    const huge = (i: number) => `${i}-${"x".repeat(60 * 1024)}`
    const before = heapAfterCollection()
    const statsBefore = emu.stats().nonces
    for (let batch = 0; batch < 30; batch++) {
      await Promise.all(
        Array.from({ length: 20 }, (_, k) => {
          const i = batch * 20 + k
          return i % 2 === 0
            ? callV3(emu, { JobId: JOB }, { nonce: huge(i) })
            : callV2(emu, { JobId: JOB }, { nonce: huge(i), method: "POST" })
        })
      ).then((results) => {
        for (const result of results) expect(result.json.Code).toBe("InvalidParameter")
      })
    }
    const grown = heapAfterCollection() - before
    // Stored, they would take 600 × 60 KB ≈ 36 MB.
    expect(grown).toBeLessThan(16 * 1024 * 1024)
    expect(emu.stats().nonces).toBe(statsBefore)
    expect((await callV2(emu, { JobId: JOB })).status).toBe(200)
  })
})
