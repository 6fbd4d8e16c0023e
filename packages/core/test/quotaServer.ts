/**
 * A strict quota server for the rate limiter's tests: node:http on
 * 127.0.0.1, answering `ListOTATaskByJob` pages, counting requests per
 * account (several AccessKeyIds may share one, as RAM users share their
 * account's) and refusing any that would make more than `limit` accepted
 * requests in the last `windowMs` — a sliding window, the strictest way to
 * count "10 per second". Refusals are the service's: HTTP 400 with
 * `Code: Throttling.User`; they do not count toward the window.
 */
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { performance } from "node:perf_hooks"
import { makeTasks, pageOf } from "./helpers.js"

/** One request as the server saw it. */
export interface Seen {
  /** ms since the server started. */
  readonly at: number
  readonly accessKeyId: string
  readonly page: number
  readonly throttled: boolean
}

export interface QuotaServer {
  readonly url: string
  readonly seen: ReadonlyArray<Seen>
  readonly close: () => Promise<void>
}

export const startQuotaServer = async (options: {
  readonly limit: number
  readonly windowMs?: number
  /** AccessKeyId → account. */
  readonly accounts: Readonly<Record<string, string>>
  /** JobId → number of tasks. */
  readonly jobs: Readonly<Record<string, number>>
}): Promise<QuotaServer> => {
  const windowMs = options.windowMs ?? 1_000
  const tasks = new Map(Object.entries(options.jobs).map(([jobId, n]) => [jobId, makeTasks(n, jobId)]))
  const accepted = new Map<string, Array<number>>()
  const seen: Array<Seen> = []
  const started = performance.now()

  const server: Server = createServer((request, response) => {
    const at = performance.now() - started
    const params = Object.fromEntries(new URL(request.url ?? "/", "http://127.0.0.1").searchParams)
    const accessKeyId = params.AccessKeyId ?? ""
    const account = options.accounts[accessKeyId]
    const answer = (status: number, body: object) => {
      response.writeHead(status, { "content-type": "application/json" })
      response.end(JSON.stringify(body))
    }
    if (account === undefined) return answer(404, { RequestId: "r", Code: "InvalidAccessKeyId.NotFound" })
    const times = accepted.get(account) ?? []
    accepted.set(account, times)
    while (times.length > 0 && times[0]! <= at - windowMs) times.shift()
    const throttled = times.length >= options.limit
    seen.push({ at, accessKeyId, page: Number(params.CurrentPage ?? 1), throttled })
    if (throttled) {
      return answer(400, {
        RequestId: `throttled-${seen.length}`,
        Code: "Throttling.User",
        Message: "Request was denied due to user flow control."
      })
    }
    times.push(at)
    const job = tasks.get(params.JobId ?? "")
    if (job === undefined)
      return answer(200, { RequestId: "r", Success: false, Code: "iot.ota.NotExistedJob" })
    answer(200, pageOf(job, params))
  })
  server.keepAliveTimeout = 30_000
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}

/** The most accepted requests of `accessKeyIds` found in any window of `windowMs`. */
export const busiestWindow = (
  seen: ReadonlyArray<Seen>,
  accessKeyIds: ReadonlyArray<string>,
  windowMs = 1_000
): number => {
  const times = seen
    .filter((s) => !s.throttled && accessKeyIds.includes(s.accessKeyId))
    .map((s) => s.at)
    .sort((a, b) => a - b)
  let most = 0
  let first = 0
  for (let last = 0; last < times.length; last++) {
    while (times[last]! - times[first]! >= windowMs) first++
    most = Math.max(most, last - first + 1)
  }
  return most
}
