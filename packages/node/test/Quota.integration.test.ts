/**
 * The 10 QPS quota against the emulator's quota modes, with clients in real
 * processes built from the sources (`runtime/quotaProcess.ts`):
 *
 * - in each mode, one client lists 20,000 tasks without a single throttling
 *   answer (the three modes at once, a process each);
 * - in each mode, two processes with default settings (the default
 *   limiter and its margin, 3 attempts a call), sharing one account, settle
 *   on sharing it: both listings complete, each task once.
 *
 * The tests wait for the listings to end and assert what the emulator
 * counted; the rates they print are for reading. The quota benchmark
 * measures the same with default settings (QPS achieved, throttles), and
 * core's `QuotaModes.test.ts` checks both exactly in virtual time, with the
 * default margin and over many timings of the pair.
 *
 * The one-client tests give the limiter a margin of 150 ms (the default is
 * 25) and run the emulator in the client's process, because there the
 * emulator is the weak link, not the client: the limiter spaces requests by
 * when they were written, but on a loaded machine the emulator may read one
 * of them 20-220 ms late (its process descheduled) and count it that much
 * closer to the tenth one after it. A server on its own machine has no such
 * pauses (core's virtual-time test shows the default margin is then enough,
 * at ≥ 9.5 calls/s); the margin stands in for them (and sharing the client's process,
 * a pause delays the client's next write as much as the emulator's reading).
 * The two-process tests need no margin: throttles are expected there while
 * the processes find their shares, and what they assert is that every call
 * still ends well. Measurements: bench/README.md, "Quota use".
 */
import { type ChildProcess, fork } from "node:child_process"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { QUOTA_MODES, type RequestLogEntry, startEmulator } from "@iot-ota/emulator"
import * as esbuild from "esbuild"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { QuotaProcessMessage, QuotaProcessSpec } from "./runtime/quotaProcess.js"

const QPS = 10
/** The limiter's jitter margin in the one-client tests (the default is 25 ms; see above). */
const MARGIN_MS = 150
/** Throttles are expected while two clients find their shares; what counts is after this. */
const WARM_UP_MS = 3_000
/** A safety net only: each test takes 12-25 s on a loaded machine. */
const TIMEOUT = 120_000

let work: string
let script: string
const children = new Set<ChildProcess>()

beforeAll(async () => {
  // The sources, as the rest of the suite tests them, in one file a plain `node` runs.
  work = await mkdtemp(join(tmpdir(), "ota-quota-test-"))
  script = join(work, "quotaProcess.mjs")
  await esbuild.build({
    entryPoints: [fileURLToPath(new URL("./runtime/quotaProcess.ts", import.meta.url))],
    outfile: script,
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    conditions: ["@iot-ota/source"],
    logLevel: "warning"
  })
}, 60_000)

afterAll(async () => {
  for (const child of children) child.kill()
  await rm(work, { recursive: true, force: true })
})

/** A forked quota process: its messages in order, and whether it exited. */
const start = (spec: QuotaProcessSpec) => {
  const child = fork(script, [JSON.stringify(spec)], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    env: { PATH: process.env.PATH ?? "" },
    execArgv: []
  })
  children.add(child)
  const waiting: Array<(message: QuotaProcessMessage) => void> = []
  const queued: Array<QuotaProcessMessage> = []
  let exited: Error | undefined
  child.on("message", (message: QuotaProcessMessage) => {
    const next = waiting.shift()
    if (next === undefined) queued.push(message)
    else next(message)
  })
  const exit = new Promise<void>((resolve) =>
    child.once("exit", (code, signal) => {
      children.delete(child)
      exited = new Error(`the quota process exited (code ${code}, signal ${signal})`)
      resolve()
    })
  )
  return {
    /** The next message; rejects if the process exits first. */
    next: (): Promise<QuotaProcessMessage> => {
      const message = queued.shift()
      if (message !== undefined) return Promise.resolve(message)
      return Promise.race([
        new Promise<QuotaProcessMessage>((resolve) => waiting.push(resolve)),
        exit.then(() => Promise.reject(exited))
      ])
    },
    go: () => child.send("go"),
    stop: async () => {
      if (child.connected) child.disconnect()
      await exit
    }
  }
}

const expectEachOnce = (ids: ReadonlyArray<string>, expected: ReadonlyArray<string>) => {
  expect(ids).toHaveLength(expected.length)
  expect(new Set(ids).size).toBe(expected.length)
  expect([...ids].sort()).toEqual([...expected].sort())
}

/** The most entries of `log` within any `windowMs` starting at one of them. */
const busiest = (log: ReadonlyArray<RequestLogEntry>, windowMs = 1_000): number => {
  let most = 0
  let end = 0
  for (let i = 0; i < log.length; i++) {
    while (end < log.length && log[end]!.at < log[i]!.at + windowMs) end++
    most = Math.max(most, end - i)
  }
  return most
}

// All at once: each test waits on its processes' listings, so together they take as long as the longest.
describe("the quota", () => {
  it.concurrent.each(QUOTA_MODES)(
    "%s: one client (default settings, a 150 ms limiter margin) lists 20,000 tasks without a throttling answer, each task once",
    async (quota) => {
      const child = start({ role: "alone", quota, qps: QPS, tasks: 20_000, marginMs: MARGIN_MS })
      const result = await child.next()
      await child.stop()
      if (result.type !== "alone") throw new Error(`unexpected message ${result.type}`)
      expect(result.error).toBeUndefined()
      expectEachOnce(result.ids, result.expected)
      const log = result.requestLog
      const seconds = (log.at(-1)!.at - log[0]!.at) / 1_000
      console.info(
        `${quota}: ${log.length} requests in ${seconds.toFixed(1)} s (${((log.length - 1) / seconds).toFixed(2)}/s), ` +
          `${result.throttled} throttled, at most ${busiest(log)} in any 1,000 ms`
      )
      expect(result.throttled).toBe(0)
      expect(log).toHaveLength(200)
      // Whatever the mode counts, the client never sent more than the quota in any second.
      expect(busiest(log)).toBeLessThanOrEqual(QPS)
    },
    TIMEOUT
  )

  // One pair at a time (after the listings above): each pair's emulator runs in this process, and three at once
  // would share its stalls.
  it.each(QUOTA_MODES)(
    "%s: two processes sharing one account settle on sharing it: every listing completes (default settings, 3 attempts a call), each task once, few throttles after the first seconds",
    async (quota) => {
      const emu = await startEmulator({
        qps: QPS,
        quota,
        requestLog: true,
        jobs: [
          { jobId: "job-a", tasks: 5_000 },
          { jobId: "job-b", tasks: 5_000 }
        ]
      })
      const { accessKeyId, accessKeySecret } = emu.credentials[0]!
      const processes = ["job-a", "job-b"].map((jobId) =>
        start({
          role: "client",
          url: emu.url,
          jobId,
          accessKeyId,
          accessKeySecret
        })
      )
      try {
        for (const p of processes) expect(await p.next()).toEqual({ type: "ready" })
        for (const p of processes) p.go()
        const [a, b] = await Promise.all(processes.map((p) => p.next()))
        const log = emu.stats().requestLog
        const start0 = log[0]!.at
        const warm = log.filter((e) => e.at - start0 >= WARM_UP_MS)
        const throttled = (entries: ReadonlyArray<RequestLogEntry>) =>
          entries.filter((e) => e.throttled).length
        const report = {
          requests: log.length,
          throttled: throttled(log),
          throttledInFirst3s: throttled(log) - throttled(warm),
          requestsAfter3s: warm.length,
          throttledAfter3s: throttled(warm),
          seconds: Math.round(log.at(-1)!.at - start0) / 1_000,
          admittedPerSecondAfter3s:
            Math.round(
              ((warm.length - throttled(warm)) * 1_000 * 100) / (log.at(-1)!.at - start0 - WARM_UP_MS)
            ) / 100,
          busiestSecondAfter3s: busiest(warm)
        }
        console.info(`${quota}, two processes, one account: ${JSON.stringify(report)}`)
        for (const [listed, jobId] of [
          [a, "job-a"],
          [b, "job-b"]
        ] as const) {
          if (listed?.type !== "listed") throw new Error(`unexpected message ${listed?.type}`)
          expect(listed.error).toBeUndefined()
          expectEachOnce(
            listed.ids,
            emu.tasks(jobId).map((task) => task.TaskId)
          )
        }
        // The sliding window admits at most 10 in any 1,000 ms; the others count differently.
        if (quota === "sliding-window")
          expect(busiest(log.filter((e) => !e.throttled))).toBeLessThanOrEqual(QPS)
        // Both started at the full quota: they met.
        expect(report.throttledInFirst3s).toBeGreaterThan(0)
        expect(report.throttledAfter3s).toBeLessThanOrEqual(Math.max(3, 0.2 * report.requestsAfter3s))
      } finally {
        await Promise.all(processes.map((p) => p.stop()))
        await emu.close()
      }
    },
    TIMEOUT
  )
})
