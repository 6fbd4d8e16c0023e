/**
 * A quota server in virtual time, for the rate limiter's exact tests: a
 * `Transport` that answers `ListOTATaskByJob` pages and counts every request
 * under one of the emulator's quota algorithms (`Quota` of
 * `@iot-ota/emulator`, the code `ota emulator --quota` runs), with seeded
 * network latency each way. Everything waits on the Effect clock, so under
 * the `TestClock` a test sees exactly what a server on its own machine
 * would, whatever the load on the machine running it.
 *
 * Clients of it sign with `syncSigningCrypto` (`listing.ts`): with
 * WebCrypto's promises the virtual clock could run ahead of a request still
 * being signed. `busiestWindow` of `quotaServer.ts` reads what it saw.
 */
import { Quota, type QuotaMode } from "@iot-ota/emulator"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import type { TransportResponse, TransportService } from "../../src/Transport.js"
import { makeTasks, pageOf } from "../helpers.js"

/** One request as the server saw it. */
export interface Seen {
  /** When it arrived, ms of virtual time. */
  readonly at: number
  readonly accessKeyId: string
  readonly jobId: string
  readonly page: number
  readonly throttled: boolean
}

/** mulberry32: a small seeded generator of numbers in [0, 1). */
const seeded = (seed: number) => {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

const throttledAnswer: TransportResponse = {
  status: 400,
  header: () => undefined,
  body: JSON.stringify({
    RequestId: "throttled",
    Code: "Throttling.User",
    Message: "Request was denied due to user flow control."
  })
}

export interface VirtualQuotaOptions {
  readonly mode: QuotaMode
  readonly qps: number
  /** JobId → number of tasks. */
  readonly jobs: Readonly<Record<string, number>>
  readonly seed: number
  /** One-way network latency, drawn uniformly from [min, max] ms for each direction of each request. */
  readonly latencyMs: { readonly min: number; readonly max: number }
  /** The server's time to answer an admitted request. */
  readonly serviceMs: number
}

/**
 * The server; `transport` is what a client sends through. Every AccessKeyId
 * counts against one account, as RAM users of one account do.
 */
export const virtualQuota = (options: VirtualQuotaOptions) => {
  const quota = Quota.make(options.mode, options.qps)
  const random = seeded(options.seed)
  const latency = () =>
    Math.round(options.latencyMs.min + random() * (options.latencyMs.max - options.latencyMs.min))
  const tasks = new Map(Object.entries(options.jobs).map(([jobId, n]) => [jobId, makeTasks(n, jobId)]))
  const seen: Array<Seen> = []
  const transport: TransportService = {
    reportsSent: true,
    send: (request) =>
      Effect.gen(function* () {
        const params = Object.fromEntries(new URL(request.url).searchParams)
        // Written at once; the limiter spaces requests from here.
        request.onSent?.()
        yield* Effect.sleep(latency())
        const at = yield* Clock.currentTimeMillis
        const admitted = quota.take("account", at)
        seen.push({
          at,
          accessKeyId: params.AccessKeyId ?? "",
          jobId: params.JobId ?? "",
          page: Number(params.CurrentPage ?? 1),
          throttled: !admitted
        })
        yield* Effect.sleep((admitted ? options.serviceMs : 0) + latency())
        if (!admitted) return throttledAnswer
        const job = tasks.get(params.JobId ?? "")
        if (job === undefined) throw new Error(`no job ${params.JobId}`)
        return { status: 200, header: () => undefined, body: JSON.stringify(pageOf(job, params)) }
      })
  }
  return { transport, seen }
}
