/**
 * The rate limiters end to end: real clients (the request engine, the fetch
 * transport, real time) listing jobs from a strict sliding-window quota
 * server on 127.0.0.1 (`quotaServer.ts`). The tests wait for the listings
 * to end and count what the server saw; QPS figures are the bench's.
 *
 * Where a test asserts that the server throttled nothing, its limiter has a
 * margin of 150 ms instead of the default 25: the margin is what absorbs a
 * request reaching the server late, and on a loaded CI machine a process
 * stall of 75 ms between a send and the server reading it was seen (once in
 * four runs). The default margin is checked exactly under the TestClock
 * (`RateLimiter.test.ts`) and measured over real HTTP in the bench.
 */
import { createServer } from "node:http"
import { performance } from "node:perf_hooks"
import { afterEach, describe, expect, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ClientConfig from "../src/ClientConfig.js"
import * as Credentials from "../src/Credentials.js"
import * as RateLimiter from "../src/RateLimiter.js"
import * as Transport from "../src/Transport.js"
import { listTaskIds } from "./helpers/listing.js"
import { busiestWindow, type QuotaServer, type Seen, startQuotaServer } from "./quotaServer.js"

const QPS = 10
/** Jitter allowance for a loaded machine (see above). */
const MARGIN_MS = 150
const TIMEOUT = 120_000 // a safety net: each test takes 5-12 s

let servers: Array<{ close: () => Promise<void> }> = []
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()))
  servers = []
})

/** Every task id of `jobId`, listed 4 pages at a time by a client of its own (its own limiter, unless given one). */
const listJob = (
  server: QuotaServer,
  accessKeyId: string,
  jobId: string,
  options: { readonly limiter?: RateLimiter.RateLimiterService; readonly maxAttempts?: number } = {}
) =>
  listTaskIds(
    jobId,
    Layer.mergeAll(
      Transport.layerFetch,
      Credentials.layer({ accessKeyId, accessKeySecret: "not-checked" }),
      ClientConfig.layer({
        endpoint: server.url,
        qps: QPS,
        runtime: "test",
        ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts })
      }),
      options.limiter === undefined ? Layer.empty : RateLimiter.layer(options.limiter)
    )
  )

const expectEachOnce = (ids: ReadonlyArray<string>, count: number) => {
  expect(ids).toHaveLength(count)
  expect(new Set(ids).size).toBe(count)
}

const throttles = (seen: ReadonlyArray<Seen>) => seen.filter((s) => s.throttled).length

/** The most requests any one page took. */
const mostAttempts = (seen: ReadonlyArray<Seen>) => {
  const tries = new Map<string, number>()
  for (const s of seen)
    tries.set(`${s.accessKeyId}/${s.page}`, (tries.get(`${s.accessKeyId}/${s.page}`) ?? 0) + 1)
  return Math.max(...tries.values())
}

describe("RateLimiter against a strict sliding-window server", () => {
  it.live(
    "an adaptive limiter lists 6,000 tasks 4 pages at a time and is never throttled",
    () =>
      Effect.gen(function* () {
        const server = yield* Effect.promise(() =>
          startQuotaServer({ limit: QPS, accounts: { "ak-1": "account" }, jobs: { "job-6k": 6_000 } })
        )
        servers.push(server)
        const limiter = yield* RateLimiter.adaptive({ qps: QPS, marginMs: MARGIN_MS })
        const ids = yield* listJob(server, "ak-1", "job-6k", { limiter })
        expectEachOnce(ids, 6_000)
        expect(server.seen).toHaveLength(60)
        expect(throttles(server.seen)).toBe(0)
        expect(busiestWindow(server.seen, ["ak-1"])).toBeLessThanOrEqual(QPS)
      }),
    TIMEOUT
  )

  it.live(
    "two clients with default limiters of their own share one account: each task once, throttles fall off after the first seconds",
    () =>
      Effect.gen(function* () {
        const server = yield* Effect.promise(() =>
          startQuotaServer({
            limit: QPS,
            accounts: { "ak-a": "account", "ak-b": "account" }, // two RAM users of one account
            jobs: { "job-a": 5_000, "job-b": 5_000 }
          })
        )
        servers.push(server)
        // Both believe the whole quota is theirs. More attempts than the default 3: this test is about
        // convergence, and a page that drew three throttles in the first second must not end it.
        const [a, b] = yield* Effect.all(
          [
            listJob(server, "ak-a", "job-a", { maxAttempts: 10 }),
            listJob(server, "ak-b", "job-b", { maxAttempts: 10 })
          ],
          { concurrency: 2 }
        )
        expectEachOnce(a, 5_000)
        expectEachOnce(b, 5_000)

        const seen = server.seen
        const start = seen[0]!.at
        const warm = seen.filter((s) => s.at - start >= 3_000)
        const early = seen.length - warm.length
        const report = {
          requests: seen.length,
          throttled: throttles(seen),
          throttledInFirst3s: throttles(seen) - throttles(warm),
          requestsAfter3s: warm.length,
          throttledAfter3s: throttles(warm),
          seconds: Math.round(seen.at(-1)!.at - start) / 1_000,
          mostAttemptsOnOnePage: mostAttempts(seen)
        }
        console.info(`two adaptive clients, one strict account: ${JSON.stringify(report)}`)
        expect(busiestWindow(seen, ["ak-a", "ak-b"])).toBeLessThanOrEqual(QPS)
        expect(early).toBeGreaterThan(0)
        // Generous: measured around 5% after warm-up, against about half with limiters that do not adapt.
        expect(report.throttledAfter3s).toBeLessThanOrEqual(Math.max(3, 0.2 * report.requestsAfter3s))
      }),
    TIMEOUT
  )

  it.live(
    "a custom limiter shared through a token service keeps two clients under the quota together",
    () =>
      Effect.gen(function* () {
        const server = yield* Effect.promise(() =>
          startQuotaServer({
            limit: QPS,
            accounts: { "ak-a": "account", "ak-b": "account" },
            jobs: { "job-a": 2_000, "job-b": 2_000 }
          })
        )
        servers.push(server)
        const tokens = yield* Effect.promise(() => startTokenService(QPS))
        servers.push(tokens)
        // Two clients, each with its own instance of the custom limiter, as two processes would have.
        const [a, b] = yield* Effect.all(
          [
            listJob(server, "ak-a", "job-a", { limiter: tokenServiceLimiter(tokens.url) }),
            listJob(server, "ak-b", "job-b", { limiter: tokenServiceLimiter(tokens.url) })
          ],
          { concurrency: 2 }
        )
        expectEachOnce(a, 2_000)
        expectEachOnce(b, 2_000)
        expect(server.seen).toHaveLength(40)
        expect(throttles(server.seen)).toBe(0)
        expect(tokens.reserved()).toBe(40)
      }),
    TIMEOUT
  )
})

/**
 * The custom limiter of `docs/rate-limiting.md`, over HTTP: reserve the next
 * slot from a shared token service (a Redis script or a Durable Object in
 * production), sleep until it, send.
 */
const tokenServiceLimiter = (url: string): RateLimiter.RateLimiterService =>
  RateLimiter.make({
    take: (send) =>
      Effect.tryPromise(async () => {
        const response = await fetch(url, { method: "POST" })
        return ((await response.json()) as { waitMs: number }).waitMs
      }).pipe(
        Effect.orDie,
        Effect.flatMap((waitMs) => Effect.sleep(Duration.millis(waitMs))),
        Effect.zipRight(send)
      )
  })

/**
 * A token service on 127.0.0.1, standing in for Redis or a Durable Object:
 * each POST reserves the next slot, spaced `(1,000 + margin) / qps` ms from
 * the previous one, and answers how long to wait for it. In production the
 * margin must also cover the jitter of the reservation's own round trip: a
 * reply that reaches its client 30 ms late makes that send 30 ms late, and
 * the next ones are not.
 */
const startTokenService = async (qps: number) => {
  const interval = (1_000 + MARGIN_MS) / qps
  let next = 0
  let reserved = 0
  const server = createServer((_request, response) => {
    const now = performance.now()
    const slot = Math.max(now, next)
    next = slot + interval
    reserved++
    response.writeHead(200, { "content-type": "application/json" })
    response.end(JSON.stringify({ waitMs: slot - now }))
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as { port: number }
  return {
    url: `http://127.0.0.1:${port}/reserve`,
    reserved: () => reserved,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}
