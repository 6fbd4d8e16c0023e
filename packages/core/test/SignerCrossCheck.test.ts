/**
 * The core's signers against the emulator's verifier, an implementation written separately from docs/protocol.md
 * (node:crypto, its own encoder and canonicalisation): for 10,000 random parameter sets per algorithm the
 * emulator recomputes, from the URL and headers the core produced, exactly the signature the core sent.
 * Then a few hundred calls over real HTTP that the emulator must accept.
 *
 * Seeded: re-run a failure with the seed fast-check prints (the default seeds are below).
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { type Emulator, startEmulator } from "@iot-ota/emulator"
import * as EmulatorSignature from "@iot-ota/emulator/Signature"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import * as fc from "fast-check"
import { OtaClient } from "../src/OtaClient.js"
import {
  canonicalQuery,
  makeHmacSha1,
  percentEncode,
  type SignerService,
  type UnsignedRequest,
  withQuery
} from "../src/Signer.js"
import { makeAcs3HmacSha256 } from "../src/SignerV3.js"
import { layerWebCrypto } from "../src/SigningCrypto.js"
import { SECRET as CLIENT_SECRET, clientLayer } from "./helpers.js"

const SEED = 20_251_126
// Enough to cover the encoding's corners; the test's time budget is for a loaded 2-core machine.
const RUNS = 5_000

// --- Arbitraries: names and values with everything that needs care when encoding. -------------------------

const RESERVED = "!*'();:@&=+$,/?#[]%~"
const isSurrogate = (code: number) => code >= 0xd800 && code <= 0xdfff

const wellFormedChar = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...RESERVED, " ", "  ") },
  { weight: 4, arbitrary: fc.constantFrom(..."aZ09-_.~") },
  { weight: 1, arbitrary: fc.constantFrom("\t", "\n", "\u0000", "\u007f") },
  {
    weight: 2,
    arbitrary: fc
      .integer({ min: 0x80, max: 0xffff })
      .filter((code) => !isSurrogate(code))
      .map((code) => String.fromCharCode(code))
  },
  { weight: 2, arbitrary: fc.constantFrom("中", "é", "ü", "ß", "Ω", "\u00a0", "\u200b", "\ufeff") },
  {
    weight: 2,
    arbitrary: fc.integer({ min: 0x10000, max: 0x10ffff }).map((code) => String.fromCodePoint(code))
  },
  { weight: 1, arbitrary: fc.constantFrom("😀", "🔑", "𝔘", "👩‍👩‍👧") }
)
/** Lone surrogates are not text, but a JavaScript string may hold them: both sides sign them as U+FFFD. */
const anyChar = fc.oneof(
  { weight: 20, arbitrary: wellFormedChar },
  { weight: 1, arbitrary: fc.constantFrom("\ud800", "\udbff", "\udc00", "\udfff") }
)
const text = (unit: fc.Arbitrary<string>, minLength: number, maxLength: number) =>
  fc.string({ unit, minLength, maxLength })

// Names are well-formed (two different lone surrogates would collapse into one U+FFFD name) and never
// `Signature`, which the protocol reserves for the signature itself.
const paramName = text(wellFormedChar, 1, 12).filter((name) => name !== "Signature")
const paramValue = fc.oneof(
  { weight: 1, arbitrary: fc.constant("") },
  { weight: 6, arbitrary: text(anyChar, 1, 16) }
)

const apiParams = fc
  .tuple(
    fc.dictionary(paramName, paramValue, { maxKeys: 8 }),
    fc.array(text(anyChar, 1, 12), { maxLength: 12 })
  )
  .map(([params, deviceNames]) => {
    const out: Record<string, string> = { ...params }
    deviceNames.forEach((name, i) => {
      out[`DeviceNames.${i + 1}`] = name
    })
    return out
  })

const SECRETS = ["testsecret", "Zq7/+=&ü secret", "秘密🔑", " padded ", "a&b=c%20d"] as const

const signingCase = fc.record({
  endpoint: fc.constantFrom(
    "https://iot.cn-shanghai.aliyuncs.com/",
    "http://127.0.0.1:8686/",
    "https://si-abc123.tuyacloud.com:8686/"
  ),
  action: fc.oneof(fc.constant("ListOTATaskByJob"), text(wellFormedChar, 1, 10)),
  version: fc.oneof(fc.constant("2018-01-20"), text(wellFormedChar, 1, 10)),
  params: apiParams,
  regionId: fc.option(text(wellFormedChar, 1, 10), { nil: undefined }),
  accessKeyId: fc.stringMatching(/^[A-Za-z0-9]{1,24}$/),
  secret: fc.constantFrom(...SECRETS),
  timestamp: fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2099, 11, 31) }),
  nonce: fc.oneof(fc.uuid(), text(wellFormedChar, 1, 20))
})
type SigningCase = typeof signingCase extends fc.Arbitrary<infer A> ? A : never

const unsigned = (c: SigningCase): UnsignedRequest => ({
  endpoint: new URL(c.endpoint),
  method: "GET",
  action: c.action,
  version: c.version,
  params: c.params,
  regionId: c.regionId
})

const context = (c: SigningCase) => ({
  credentials: { accessKeyId: c.accessKeyId, accessKeySecret: Redacted.make(c.secret) },
  timestamp: c.timestamp,
  nonce: c.nonce
})

/** Set by the signer itself, overriding an API parameter of the same name. */
const COMMON_PARAMS: ReadonlySet<string> = new Set([
  "Action",
  "Version",
  "Format",
  "AccessKeyId",
  "SignatureMethod",
  "SignatureVersion",
  "SignatureNonce",
  "Timestamp",
  "RegionId"
])

/** The query as any server reads it, refusing duplicate names (the emulator would answer 400). */
const readQuery = (url: URL): Record<string, string> => {
  const params: Record<string, string> = {}
  for (const [name, value] of url.searchParams) {
    // A plain check: this runs for every parameter of 20,000 requests.
    if (Object.hasOwn(params, name)) throw new Error(`duplicate parameter ${JSON.stringify(name)}`)
    params[name] = value
  }
  return params
}

const signers = Effect.runSync(
  Effect.all({ v2: makeHmacSha1, v3: makeAcs3HmacSha256 }).pipe(Effect.provide(layerWebCrypto))
)
const sign = (signer: SignerService, c: SigningCase) =>
  Effect.runPromise(signer.sign(unsigned(c), context(c)))

// A safety net for a loaded machine, not a speed check: thousands of properties run in each test.
describe("the core signers against the emulator's independent verifier", { timeout: 180_000 }, () => {
  it("percentEncode agrees with the emulator's encoder on any string, lone surrogates included", () => {
    fc.assert(
      fc.property(fc.oneof(text(anyChar, 0, 40), fc.string({ unit: "binary", maxLength: 40 })), (s) => {
        expect(percentEncode(s)).toBe(EmulatorSignature.percentEncode(s))
      }),
      { numRuns: RUNS, seed: SEED }
    )
  })

  it("canonicalQuery agrees with the emulator's, whatever the insertion order", () => {
    fc.assert(
      fc.property(
        apiParams.chain((params) =>
          fc.tuple(
            fc.constant(params),
            fc.shuffledSubarray(Object.entries(params), { minLength: Object.keys(params).length })
          )
        ),
        ([params, shuffled]) => {
          const expected = EmulatorSignature.canonicalQuery(params)
          expect(canonicalQuery(params)).toBe(expected)
          expect(canonicalQuery(Object.fromEntries(shuffled))).toBe(expected)
        }
      ),
      { numRuns: RUNS, seed: SEED }
    )
  })

  it(`HMAC-SHA1: ${RUNS} random GET requests verify (seed ${SEED})`, async () => {
    await fc.assert(
      fc.asyncProperty(signingCase, async (c) => {
        const signed = await sign(signers.v2, c)
        const url = new URL(signed.url)
        expect(url.origin + url.pathname).toBe(new URL(c.endpoint).href)
        const { Signature: sent, ...params } = readQuery(url)

        // The emulator's recomputation from what it would receive.
        expect(sent).toBeDefined()
        expect(EmulatorSignature.rpcSignature("GET", params, c.secret)).toBe(sent)
        // The query on the wire is the canonical query itself, the Signature appended last.
        expect(url.search).toBe(
          `?${EmulatorSignature.canonicalQuery(params)}&Signature=${EmulatorSignature.percentEncode(sent ?? "")}`
        )
        // Nothing was lost or changed on the way, except lone surrogates, which travel as U+FFFD.
        const lost = Object.entries(c.params).filter(
          ([name, value]) => !COMMON_PARAMS.has(name) && params[name] !== value.toWellFormed()
        )
        expect(lost).toEqual([])
        expect(params).toMatchObject({ Action: c.action, Version: c.version, AccessKeyId: c.accessKeyId })
        // A different secret never verifies.
        expect(EmulatorSignature.rpcSignature("GET", params, `${c.secret}x`)).not.toBe(sent)
      }),
      { numRuns: RUNS, seed: SEED }
    )
  })

  it(`ACS3-HMAC-SHA256: ${RUNS} random GET requests verify (seed ${SEED})`, async () => {
    await fc.assert(
      fc.asyncProperty(signingCase, async (c) => {
        const signed = await sign(signers.v3, c)
        const url = new URL(signed.url)
        const { authorization, ...headers } = signed.headers
        const match =
          /^ACS3-HMAC-SHA256 Credential=([^,]+),SignedHeaders=([^,]+),Signature=([0-9a-f]{64})$/.exec(
            authorization ?? ""
          )
        expect(match).not.toBeNull()
        const [, credential, signedHeaders, signature] = match ?? []
        expect(credential).toBe(c.accessKeyId)

        // What the emulator sees: the query, the headers as sent plus the Host the HTTP client adds.
        const parts: EmulatorSignature.V3RequestParts = {
          method: "GET",
          pathname: "/",
          query: readQuery(url),
          headers: { ...headers, host: url.host },
          hashedPayload: headers["x-acs-content-sha256"] ?? "",
          signedHeaders: (signedHeaders ?? "").split(";")
        }
        expect(parts.hashedPayload).toBe(EmulatorSignature.EMPTY_PAYLOAD_SHA256)
        expect(EmulatorSignature.v3Signature(parts, c.secret)).toBe(signature)
        // The emulator's own choice of headers to sign (host, x-acs-*) is the core's.
        const { signedHeaders: _, ...unnamed } = parts
        expect(EmulatorSignature.v3Authorization(unnamed, c.accessKeyId, c.secret)).toBe(authorization)
        expect(url.search).toBe(
          Object.keys(parts.query).length === 0 ? "" : `?${EmulatorSignature.canonicalQuery(parts.query)}`
        )
        expect(EmulatorSignature.v3Signature(parts, `${c.secret}x`)).not.toBe(signature)
      }),
      { numRuns: RUNS, seed: SEED }
    )
  })

  it("withQuery keeps the endpoint's path and adds nothing else", () => {
    expect(withQuery(new URL("https://h.example/proxy/"), "a=1")).toBe("https://h.example/proxy/?a=1")
    expect(withQuery(new URL("https://h.example/"), "")).toBe("https://h.example/")
  })

  it("withQuery follows an endpoint URL changed after use", () => {
    const endpoint = new URL("https://h.example/a/")
    expect(withQuery(endpoint, "x=1")).toBe("https://h.example/a/?x=1")
    endpoint.pathname = "/b/"
    endpoint.port = "8443"
    expect(withQuery(endpoint, "x=1")).toBe("https://h.example:8443/b/?x=1")
  })
})

// --- End to end: the emulator accepts what the client sends over real HTTP. ----------------------------

const E2E_RUNS = 300
// The shared test client (helpers.ts) signs as "test-id" with its secret; the pure cross-check above covers
// unicode and reserved characters in secrets.
const ACCESS_KEY_ID = "test-id"

/** Jobs and device names made of the characters that are hardest to sign. */
const WEIRD_JOBS = ["job !*'();:@&=+$,/?#[]%~", "作业-中文-😀", "a+b%20c", "~tilde.dot_under-dash~"] as const
const WEIRD_DEVICES = [
  "dev !*'()",
  "lock_00007@lab",
  "meter:00019.v2",
  "温度计 #1",
  "🔑/key?x=1&y=2",
  "plus+sign",
  "percent%41",
  "[brackets]",
  "ümlaut ß"
] as const

describe("end to end over HTTP: the emulator accepts every signed request", { timeout: 180_000 }, () => {
  let emu: Emulator
  const runtimes: Array<ManagedRuntime.ManagedRuntime<OtaClient, never>> = []

  beforeAll(async () => {
    emu = await startEmulator({
      qps: 0,
      seed: 5,
      credentials: [{ accessKeyId: ACCESS_KEY_ID, accessKeySecret: CLIENT_SECRET }],
      jobs: WEIRD_JOBS.map((jobId) => ({
        jobId,
        tasks: WEIRD_DEVICES.map((DeviceName) => ({ DeviceName }))
      }))
    })
  })
  afterAll(async () => {
    await Promise.all(runtimes.map((runtime) => runtime.dispose()))
    await emu.close()
  })

  const runtime = (signatureAlgorithm: "HMAC-SHA1" | "ACS3-HMAC-SHA256") => {
    const made = ManagedRuntime.make(
      clientLayer(FetchHttpClient.layer, { endpoint: emu.url, maxAttempts: 1, signatureAlgorithm })
    )
    runtimes.push(made)
    return made
  }

  it(`${E2E_RUNS} random calls with reserved and unicode job ids and device names (seed ${SEED})`, async () => {
    const clients = { "HMAC-SHA1": runtime("HMAC-SHA1"), "ACS3-HMAC-SHA256": runtime("ACS3-HMAC-SHA256") }
    const nonBlank = text(wellFormedChar, 1, 16).filter((s) => s.trim() !== "")
    const call = fc.record({
      algorithm: fc.constantFrom("HMAC-SHA1", "ACS3-HMAC-SHA256" as const),
      jobId: fc.oneof(fc.constantFrom(...WEIRD_JOBS), nonBlank),
      deviceNames: fc.option(
        fc.uniqueArray(fc.oneof(fc.constantFrom(...WEIRD_DEVICES), nonBlank), { minLength: 1, maxLength: 6 }),
        { nil: undefined }
      ),
      pageSize: fc.integer({ min: 1, max: 100 })
    })
    let accepted = 0
    await fc.assert(
      fc.asyncProperty(call, async ({ algorithm, jobId, deviceNames, pageSize }) => {
        const exit = await clients[algorithm].runPromiseExit(
          Effect.flatMap(OtaClient, (client) =>
            client.listOTATaskByJob({
              jobId,
              pageSize,
              ...(deviceNames === undefined ? {} : { deviceNames })
            })
          )
        )
        const known = (WEIRD_JOBS as ReadonlyArray<string>).includes(jobId)
        if (Exit.isSuccess(exit)) {
          expect(known).toBe(true)
          const page = exit.value
          expect(page.tasks.every((t) => t.jobId === jobId)).toBe(true)
          if (deviceNames === undefined) expect(page.total).toBe(WEIRD_DEVICES.length)
          else {
            const expected = deviceNames.filter((name) =>
              (WEIRD_DEVICES as ReadonlyArray<string>).includes(name)
            )
            expect(page.tasks.map((t) => t.deviceName).sort()).toEqual([...expected].sort())
          }
          accepted++
        } else {
          // The signature was accepted: the only refusal is the unknown job, decided after verification.
          const failure = Cause.failureOption(exit.cause)
          expect(failure._tag === "Some" && failure.value).toMatchObject({
            _tag: "ApiError",
            code: "iot.ota.NotExistedJob"
          })
          expect(known).toBe(false)
        }
      }),
      { numRuns: E2E_RUNS, seed: SEED }
    )
    expect(accepted).toBeGreaterThan(E2E_RUNS / 4)
    expect(emu.stats().byCode.SignatureDoesNotMatch).toBeUndefined()
    expect(emu.stats().requests).toBe(E2E_RUNS)
  })
})
