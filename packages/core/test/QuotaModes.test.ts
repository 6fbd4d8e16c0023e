/**
 * The client with its default settings against each of the emulator's
 * quota algorithms, in virtual time (`helpers/virtualQuota.ts`): exact, so
 * the default limiter margin (25 ms) is checked against network jitter of
 * 20 ms the way a server on its own machine sees requests, with no stalls
 * of a loaded test machine in the way; and two clients sharing one account
 * with the default 3 attempts a call, started up to a second apart over
 * several seeds, since whether a page draws three throttles in a row while
 * they find their shares is a matter of timing that only virtual time
 * replays. The same over real HTTP and real processes: node's
 * `Quota.integration.test.ts`; the rates on real networks: the bench.
 */

import { describe, expect, it } from "@effect/vitest"
import { QUOTA_MODES } from "@iot-ota/emulator"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Random from "effect/Random"
import * as TestClock from "effect/TestClock"
import * as ClientConfig from "../src/ClientConfig.js"
import * as Credentials from "../src/Credentials.js"
import { SigningCrypto } from "../src/SigningCrypto.js"
import { Transport, type TransportService } from "../src/Transport.js"
import { listTaskIds, syncSigningCrypto } from "./helpers/listing.js"
import { type Seen, virtualQuota } from "./helpers/virtualQuota.js"
import { busiestWindow } from "./quotaServer.js"

const QPS = 10
/** Network latency each way: 5-25 ms, jitter within the default margin. */
const LATENCY = { min: 5, max: 25 }
const SERVICE_MS = 30

/** Every task id of `jobId`, listed by a client with default settings but its transport and crypto. */
const listJob = (transport: TransportService, accessKeyId: string, jobId: string) =>
  listTaskIds(
    jobId,
    Layer.mergeAll(
      Layer.succeed(Transport, transport),
      Layer.succeed(SigningCrypto, syncSigningCrypto),
      Credentials.layer({ accessKeyId, accessKeySecret: "not-checked" }),
      ClientConfig.layer({ endpoint: "https://iot.example.test", runtime: "test" })
    )
  )

/** Runs `effect` while virtual time passes, up to `limit`. */
const inVirtualTime = <A, E>(effect: Effect.Effect<A, E>, limit: Duration.DurationInput = "10 minutes") =>
  Effect.gen(function* () {
    const fiber = yield* Effect.fork(effect)
    yield* TestClock.adjust(limit)
    return yield* Fiber.join(fiber)
  })

const expectEachOnce = (ids: ReadonlyArray<string>, count: number) => {
  expect(ids).toHaveLength(count)
  expect(new Set(ids).size).toBe(count)
}

const throttles = (seen: ReadonlyArray<Seen>) => seen.filter((s) => s.throttled).length

// Concurrently: the TestClock of each test is its own, and most of their time is spent waiting for its steps.
describe.concurrent("default settings under each quota algorithm, in virtual time", () => {
  for (const mode of QUOTA_MODES)
    it.effect(`${mode}: one client lists 20,000 tasks at ≥ 9.5 calls/s without a throttling answer`, () =>
      Effect.gen(function* () {
        const server = virtualQuota({
          mode,
          qps: QPS,
          jobs: { "job-20k": 20_000 },
          seed: 1,
          latencyMs: LATENCY,
          serviceMs: SERVICE_MS
        })
        const ids = yield* inVirtualTime(listJob(server.transport, "ak-1", "job-20k"))
        expectEachOnce(ids, 20_000)
        expect(server.seen).toHaveLength(200)
        expect(throttles(server.seen)).toBe(0)
        expect(busiestWindow(server.seen, ["ak-1"])).toBeLessThanOrEqual(QPS)
        const seconds = (server.seen.at(-1)!.at - server.seen[0]!.at) / 1_000
        expect(199 / seconds).toBeGreaterThanOrEqual(9.5)
      }).pipe(Effect.withRandom(Random.make(1)))
    )

  for (const mode of QUOTA_MODES)
    it.effect(
      `${mode}: two clients sharing one account (5 timings, started 0-1 s apart, 20-80 ms each way) both complete with 3 attempts a call, each task once, few throttles after the first 3 s`,
      () =>
        Effect.gen(function* () {
          // 9, 20 and 35 lost a call under a token bucket while throttled calls could retry after 0 ms (of 60 seeds).
          for (const seed of [1, 2, 9, 20, 35]) {
            const server = virtualQuota({
              mode,
              qps: QPS,
              jobs: { "job-a": 3_000, "job-b": 3_000 },
              seed,
              latencyMs: { min: 20, max: 80 },
              serviceMs: SERVICE_MS
            })
            const [a, b] = yield* inVirtualTime(
              Effect.all(
                [
                  listJob(server.transport, "ak-a", "job-a"),
                  Effect.zipRight(
                    Effect.sleep((seed * 211) % 1_000),
                    listJob(server.transport, "ak-b", "job-b")
                  )
                ],
                { concurrency: 2 }
              ).pipe(Effect.withRandom(Random.make(seed)))
            )
            expectEachOnce(a!, 3_000)
            expectEachOnce(b!, 3_000)
            const start = server.seen[0]!.at
            const warm = server.seen.filter((s) => s.at - start >= 3_000)
            expect(throttles(server.seen)).toBeGreaterThan(0) // they did meet
            expect(throttles(warm)).toBeLessThanOrEqual(Math.max(3, 0.2 * warm.length))
            if (mode === "sliding-window")
              expect(busiestWindow(server.seen, ["ak-a", "ak-b"])).toBeLessThanOrEqual(QPS)
          }
        })
    )
})
