/**
 * A strict quota in front of the emulator, for the quota benchmark until the
 * emulator counts its quota in these modes itself (then: the emulator's
 * `quota` option, and this file goes). Each request is counted per
 * AccessKeyId in one of three ways a server might count "10 per second";
 * over the limit it is refused as the service refuses it (HTTP 400,
 * `Code: Throttling.User`, not counted), otherwise forwarded unchanged to
 * the emulator (whose own limit is off).
 *
 * - `token-bucket`: a bucket of `limit` tokens refilled `limit` per second
 *   (the emulator's own algorithm today; bursts of `limit` pass).
 * - `fixed-window`: at most `limit` per calendar second.
 * - `sliding-window`: at most `limit` in any `windowMs` ending now (the
 *   strictest: the last second, measured from every request).
 */
import { Agent, createServer, request as httpRequest, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { performance } from "node:perf_hooks"

export type QuotaMode = "token-bucket" | "fixed-window" | "sliding-window"

export const QUOTA_MODES: ReadonlyArray<QuotaMode> = ["token-bucket", "fixed-window", "sliding-window"]

/** One request as the gate saw it. */
export interface GateEntry {
  /** ms since the gate started. */
  readonly at: number
  readonly jobId: string
  readonly throttled: boolean
}

export interface QuotaGate {
  readonly url: string
  readonly log: ReadonlyArray<GateEntry>
  readonly close: () => Promise<void>
}

/** Decides, per account, whether a request arriving at `now` (ms) is within the quota, and counts it if so. */
const makeCounter = (mode: QuotaMode, limit: number, windowMs: number): ((now: number) => boolean) => {
  switch (mode) {
    case "token-bucket": {
      let tokens = limit
      let last = 0
      return (now) => {
        tokens = Math.min(limit, tokens + ((now - last) * limit) / windowMs)
        last = now
        if (tokens < 1) return false
        tokens -= 1
        return true
      }
    }
    case "fixed-window": {
      let window = -1
      let count = 0
      return (now) => {
        const current = Math.floor(now / windowMs)
        if (current !== window) {
          window = current
          count = 0
        }
        if (count >= limit) return false
        count++
        return true
      }
    }
    case "sliding-window": {
      const accepted: Array<number> = []
      return (now) => {
        while (accepted.length > 0 && accepted[0]! <= now - windowMs) accepted.shift()
        if (accepted.length >= limit) return false
        accepted.push(now)
        return true
      }
    }
  }
}

export const startQuotaGate = async (options: {
  /** The emulator's URL (its own limit off). */
  readonly upstream: string
  readonly mode: QuotaMode
  readonly limit: number
  readonly windowMs?: number
}): Promise<QuotaGate> => {
  const windowMs = options.windowMs ?? 1_000
  const upstream = new URL(options.upstream)
  const agent = new Agent({ keepAlive: true, maxSockets: 64 })
  const counters = new Map<string, (now: number) => boolean>()
  const log: Array<GateEntry> = []
  const started = performance.now()

  const server: Server = createServer((request, response) => {
    const at = performance.now() - started
    const params = new URL(request.url ?? "/", "http://gate").searchParams
    const accessKeyId = params.get("AccessKeyId") ?? request.headers.authorization ?? ""
    let within = counters.get(accessKeyId)
    if (within === undefined) {
      within = makeCounter(options.mode, options.limit, windowMs)
      counters.set(accessKeyId, within)
    }
    const throttled = !within(at)
    log.push({ at, jobId: params.get("JobId") ?? "", throttled })
    if (throttled) {
      response.writeHead(400, { "content-type": "application/json" })
      response.end(
        JSON.stringify({
          RequestId: `gate-${log.length}`,
          Code: "Throttling.User",
          Message: "Request was denied due to user flow control."
        })
      )
      return
    }
    const forwarded = httpRequest(
      {
        agent,
        host: upstream.hostname,
        port: upstream.port,
        method: request.method,
        path: request.url,
        headers: { ...request.headers, host: upstream.host }
      },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(response)
      }
    )
    forwarded.on("error", (error) => {
      response.writeHead(502, { "content-type": "text/plain" })
      response.end(String(error))
    })
    request.pipe(forwarded)
  })
  server.keepAliveTimeout = 30_000
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/`,
    log,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => {
          agent.destroy()
          resolve()
        })
      })
  }
}
