/**
 * Credentials that expire during a long listing: the client asks its provider on every attempt, the provider
 * assumes the role again (fake STS on 127.0.0.1) before each credential expires, and the emulator verifies
 * every page's signature with whichever temporary key signed it. Time is the test clock; the issuer and the
 * emulator are real servers.
 */
import { afterEach, describe, expect, it } from "@effect/vitest"
import { type Emulator, startEmulator } from "@iot-ota/emulator"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as TestClock from "effect/TestClock"
import * as ClientConfig from "../src/ClientConfig.js"
import * as CredentialProviders from "../src/CredentialProviders.js"
import * as Credentials from "../src/Credentials.js"
import { ListOTATaskByJob } from "../src/operations/ListOTATaskByJob.js"
import * as RpcClient from "../src/RpcClient.js"
import type { SignatureAlgorithm } from "../src/Signer.js"
import * as Transport from "../src/Transport.js"
import { type FakeSts, issuedBy, startFakeSts } from "./credentialServers.js"

const BASE_ID = "LTAI-base-key"
const BASE_SECRET = "base-secret-0123456789abcdef"
const ROLE = "acs:ram::1234567890123456:role/iot-ota-reader"
const JOB = "job-rotating"
const TASKS = 240

const closing: Array<{ readonly close: () => Promise<void> }> = []
afterEach(async () => {
  await Promise.all(closing.splice(0).map((server) => server.close()))
})

interface World {
  readonly emulator: Emulator
  readonly sts: FakeSts
  /** The AccessKeyId of each request the emulator answered, and its status and code. */
  readonly seen: Array<{ readonly ak: string; readonly outcome: string }>
  readonly layer: Layer.Layer<RpcClient.RpcClient>
}

/** An emulator that accepts the keys the fake STS will issue; credentials that live 2 minutes. */
const world = (
  algorithm: SignatureAlgorithm,
  stsAnswers?: (n: number) => "down" | undefined,
  // Retries would back off on the test clock, which only the test moves.
  maxAttempts = 1
) =>
  Effect.gen(function* () {
    const clock = yield* Effect.clock
    const seen: Array<{ readonly ak: string; readonly outcome: string }> = []
    const issue = issuedBy("STS")
    const emulator = yield* Effect.promise(() =>
      startEmulator({
        credentials: Array.from({ length: 20 }, (_, i) => issue(i + 1)),
        jobs: [{ jobId: JOB, tasks: TASKS }],
        qps: 0,
        // The test clock runs ahead of the emulator's real one by a few minutes.
        timestampWindowMs: 24 * 3_600_000,
        logger: (line) => {
          const match = /^\S+ (\d+ \S+) ak=(\S+)/.exec(line)
          if (match !== null) seen.push({ outcome: match[1]!, ak: match[2]! })
        }
      })
    )
    closing.push(emulator)
    const sts = yield* Effect.promise(() =>
      startFakeSts({
        now: () => clock.unsafeCurrentTimeMillis(),
        keys: { [BASE_ID]: BASE_SECRET },
        lifetimeMs: () => 120_000,
        answer: (_, n) =>
          stsAnswers?.(n) === "down"
            ? { status: 503, body: '{"Code":"ServiceUnavailable","Message":"down for maintenance"}' }
            : undefined
      })
    )
    closing.push(sts)
    const base = yield* Credentials.fromStatic({ accessKeyId: BASE_ID, accessKeySecret: BASE_SECRET })
    const provider = yield* CredentialProviders.fromAssumeRole({ base, roleArn: ROLE, endpoint: sts.url })
    const layer = RpcClient.layer.pipe(
      Layer.provide(Transport.layerFetch),
      Layer.provide(Layer.succeed(Credentials.Credentials, provider)),
      Layer.provide(
        ClientConfig.layer({
          endpoint: emulator.url,
          qps: 0,
          maxAttempts,
          signatureAlgorithm: algorithm,
          runtime: "test"
        })
      ),
      Layer.orDie
    )
    return { emulator, sts, seen, layer } satisfies World
  })

/** Every page of the job, one at a time, the test clock moving 30 s after each. */
const listSlowly = Effect.scoped(
  Effect.gen(function* () {
    const rpc = yield* RpcClient.RpcClient
    const cursor = yield* rpc.pageCursor(ListOTATaskByJob, { jobId: JOB, pageSize: 10 }, { concurrency: 1 })
    const ids: Array<string> = []
    for (let page = yield* cursor.next; Option.isSome(page); page = yield* cursor.next) {
      for (const task of page.value.tasks) ids.push(task.taskId)
      yield* TestClock.adjust("30 seconds")
    }
    return ids
  })
)

const keyNumber = (ak: string) => Number(/^STS\.key-(\d+)$/.exec(ak)?.[1] ?? Number.NaN)

describe("a long listing while the credentials expire", () => {
  for (const algorithm of ["HMAC-SHA1", "ACS3-HMAC-SHA256"] as const) {
    it.effect(`${algorithm}: every page is signed with a valid key, refreshed along the way`, () =>
      Effect.gen(function* () {
        yield* TestClock.setTime(Date.now())
        const { emulator, sts, seen, layer } = yield* world(algorithm)
        const ids = yield* Effect.provide(listSlowly, layer)
        expect(ids).toHaveLength(TASKS)
        expect(new Set(ids).size).toBe(TASKS)
        expect(new Set(ids)).toEqual(new Set(emulator.tasks(JOB).map((task) => task.TaskId)))
        // Twelve minutes of listing with two-minute credentials: a new key at least every two minutes, never an
        // old one again.
        expect(seen.every((request) => request.outcome === "200 OK")).toBe(true)
        const used = seen.map((request) => keyNumber(request.ak))
        expect(used).toEqual([...used].sort((a, b) => a - b))
        expect(new Set(used).size).toBeGreaterThanOrEqual(4)
        // One AssumeRole per key: refreshes never pile up.
        expect(sts.requests.length).toBe(sts.issued.length)
        expect(sts.requests.length).toBeLessThanOrEqual(new Set(used).size + 1)
      })
    )
  }

  it.effect("STS down for one refresh: the current key carries on until the next refresh succeeds", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(Date.now())
      const { seen, sts, layer } = yield* world("HMAC-SHA1", (n) => (n === 2 ? "down" : undefined))
      const ids = yield* Effect.provide(listSlowly, layer)
      expect(new Set(ids).size).toBe(TASKS)
      expect(seen.every((request) => request.outcome === "200 OK")).toBe(true)
      expect(sts.requests.length).toBeGreaterThan(sts.issued.length) // the failed one
    })
  )

  it.effect(
    "STS down when the key has expired: the call fails with a CredentialsError naming the provider",
    () =>
      Effect.gen(function* () {
        yield* TestClock.setTime(Date.now())
        const { emulator, layer } = yield* world("HMAC-SHA1", (n) => (n > 1 ? "down" : undefined))
        const call = Effect.flatMap(RpcClient.RpcClient, (rpc) => rpc.call(ListOTATaskByJob, { jobId: JOB }))
        yield* Effect.provide(call, layer)
        yield* TestClock.adjust("3 minutes")
        const error = yield* Effect.flip(Effect.provide(call, layer))
        expect(error).toMatchObject({
          _tag: "CredentialsError",
          provider: `assume-role ${ROLE} (base: static)`,
          reason: "Unavailable"
        })
        expect(error.message).toContain("ServiceUnavailable")
        expect(emulator.stats().requests).toBe(1) // nothing was sent without a valid credential
      })
  )
})
