/**
 * (4) Quota use. The service allows 10 calls per second per account and
 * does not say how it counts them, so the emulator (in its own process)
 * counts in each plausible way, its `quota` modes: token bucket, fixed
 * 1-second windows, sliding 1-second window. For each:
 *
 * - one client process with default settings pages a 20,000-task job 4 at a
 *   time: a good client uses nearly all of the quota (>= 9.5 calls/s) and is
 *   never throttled;
 * - two client processes with default settings, each believing the quota
 *   its own, list 5,000 tasks each at the same time through one AccessKeyId:
 *   they must settle on sharing it (time to converge, throttles before and
 *   after), each task listed once.
 *
 * Everything is read from the emulator's request log: when each request
 * arrived and whether the quota refused it.
 *
 * `--long` adds a 100,000-task listing under the sliding window.
 */
import { fork } from "node:child_process"
import { fileURLToPath } from "node:url"
import { QUOTA_MODES, type QuotaMode, type RequestLogEntry } from "@iot-ota/emulator"
import type { BenchContext } from "../internal/context.js"
import { round } from "../internal/measure.js"
import type { BenchmarkResult, Row } from "../internal/report.js"
import { startServer } from "../internal/serverProcess.js"
import type { QuotaClientMessage, QuotaClientSpec } from "../quotaClient.js"

const QPS = 10
const QPS_GOAL = 9.5
const CONCURRENCY = 4
const CLIENT_SCRIPT = fileURLToPath(new URL("../quotaClient.js", import.meta.url))
/** A burst of throttles ends at the first quiet span this long. */
const QUIET_MS = 2_000

interface ClientProcess {
  readonly go: () => Promise<Extract<QuotaClientMessage, { type: "done" }>>
  readonly close: () => Promise<void>
}

/** Forks a client process for `jobId` and resolves once its client is built. */
const startClient = async (url: string, jobId: string): Promise<ClientProcess> => {
  const spec: QuotaClientSpec = { url, jobId, concurrency: CONCURRENCY }
  const child = fork(CLIENT_SCRIPT, [JSON.stringify(spec)], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    execArgv: []
  })
  let done: ((message: Extract<QuotaClientMessage, { type: "done" }>) => void) | undefined
  let failed: ((error: Error) => void) | undefined
  await new Promise<void>((resolve, reject) => {
    child.on("message", (message: QuotaClientMessage) => {
      if (message.type === "ready") resolve()
      else if (message.type === "done") done?.(message)
    })
    child.once("exit", (code) => {
      const error = new Error(`quota client for ${jobId} exited (code ${code})`)
      reject(error)
      failed?.(error)
    })
  })
  return {
    go: () =>
      new Promise((resolve, reject) => {
        done = resolve
        failed = reject
        child.send("go")
      }),
    close: () =>
      new Promise<void>((resolve) => {
        if (!child.connected) return resolve()
        child.once("exit", () => resolve())
        child.disconnect()
      })
  }
}

/**
 * A fresh emulator counting its quota in `mode` (the account starts idle); `use` gets its URL and, once done, reads
 * the request log.
 */
const withEmulator = async <A>(
  mode: QuotaMode,
  jobs: ReadonlyArray<{ readonly jobId: string; readonly tasks: number }>,
  use: (url: string, log: () => Promise<ReadonlyArray<RequestLogEntry>>) => Promise<A>
): Promise<A> => {
  const emulator = await startServer({ jobs, qps: QPS, quota: mode, requestLog: true, seed: 4 })
  try {
    return await use(emulator.url, async () => (await emulator.stats()).requestLog)
  } finally {
    await emulator.close()
  }
}

interface SingleRun {
  readonly mode: QuotaMode
  readonly tasks: number
  readonly calls: number
  readonly throttled: number
  readonly seconds: number
  readonly achievedQps: number
  readonly listed: number
  /** Time between consecutive accepted requests as the emulator saw them, ms. */
  readonly gapsMs: { readonly p50: number; readonly p90: number; readonly max: number }
  readonly error?: string
}

const percentile = (sorted: ReadonlyArray<number>, p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN

const runSingle = async (mode: QuotaMode, tasks: number, ctx: BenchContext): Promise<SingleRun> => {
  const jobId = `quota-${tasks}`
  ctx.log(`quota ${mode}: one process lists ${tasks} tasks (${tasks / 100} calls)`)
  return withEmulator(mode, [{ jobId, tasks }], async (url, readLog) => {
    const client = await startClient(url, jobId)
    try {
      const done = await client.go()
      const log = await readLog()
      const accepted = log.filter((e) => !e.throttled)
      // From the first request to the last accepted one, plus one interval for that call's share of time.
      const seconds = (accepted.at(-1)!.at - log[0]!.at + 1_000 / QPS) / 1_000
      const gaps = accepted
        .slice(1)
        .map((e, i) => e.at - accepted[i]!.at)
        .sort((a, b) => a - b)
      return {
        mode,
        tasks,
        calls: log.length,
        throttled: log.length - accepted.length,
        seconds: round(seconds, 2),
        achievedQps: round(accepted.length / seconds, 2),
        listed: done.distinct,
        gapsMs: {
          p50: round(percentile(gaps, 0.5), 1),
          p90: round(percentile(gaps, 0.9), 1),
          max: round(gaps.at(-1) ?? Number.NaN, 1)
        },
        ...(done.error === undefined ? {} : { error: done.error })
      }
    } finally {
      await client.close()
    }
  })
}

interface PairRun {
  readonly mode: QuotaMode
  readonly calls: number
  readonly throttled: number
  /** From the first request to the end of the first burst of throttles. */
  readonly convergeSeconds: number
  readonly throttledBeforeConverged: number
  readonly throttledAfterConverged: number
  /** Accepted calls per second of both together, from convergence until the first process finished. */
  readonly sharedQps: number
  /** How long that was, s. */
  readonly sharedSeconds: number
  /** Each process's listing time, by its own clock: close when they shared the quota evenly. */
  readonly listingSeconds: readonly [number, number]
  readonly seconds: number
  readonly listed: readonly [number, number]
  readonly failures: ReadonlyArray<string>
}

const PAIR_TASKS = 5_000

/** When the first burst of throttles ends: the last throttle followed by QUIET_MS without one. */
const convergedAt = (log: ReadonlyArray<RequestLogEntry>): number => {
  const throttles = log.filter((e) => e.throttled).map((e) => e.at)
  for (let i = 0; i < throttles.length; i++) {
    const next = throttles[i + 1] ?? Number.POSITIVE_INFINITY
    if (next - throttles[i]! >= QUIET_MS) return throttles[i]!
  }
  return log[0]!.at
}

const runPair = async (mode: QuotaMode, ctx: BenchContext): Promise<PairRun> => {
  ctx.log(`quota ${mode}: two processes list ${PAIR_TASKS} tasks each through one account`)
  const jobs = [
    { jobId: "quota-a", tasks: PAIR_TASKS },
    { jobId: "quota-b", tasks: PAIR_TASKS }
  ] as const
  return withEmulator(mode, jobs, async (url, readLog) => {
    const clients = await Promise.all(jobs.map((job) => startClient(url, job.jobId)))
    try {
      const done = await Promise.all(clients.map((client) => client.go()))
      const log = await readLog()
      const start = log[0]!.at
      const converged = convergedAt(log)
      // Both running: until the first process ended (the processes were told to start together).
      const bothUntil = start + Math.min(done[0]!.seconds, done[1]!.seconds) * 1_000
      const shared = log.filter((e) => !e.throttled && e.at >= converged && e.at <= bothUntil)
      const sharedSeconds = Math.max(0.001, (bothUntil - converged) / 1_000)
      const throttled = log.filter((e) => e.throttled)
      return {
        mode,
        calls: log.length,
        throttled: throttled.length,
        convergeSeconds: round((converged - start) / 1_000, 2),
        throttledBeforeConverged: throttled.filter((e) => e.at <= converged).length,
        throttledAfterConverged: throttled.filter((e) => e.at > converged).length,
        sharedQps: round(shared.length / sharedSeconds, 2),
        sharedSeconds: round(sharedSeconds, 1),
        listingSeconds: [round(done[0]!.seconds, 1), round(done[1]!.seconds, 1)],
        seconds: round((log.at(-1)!.at - start) / 1_000, 2),
        listed: [done[0]!.distinct, done[1]!.distinct],
        failures: done.flatMap((d, i) => (d.error === undefined ? [] : [`${jobs[i]!.jobId}: ${d.error}`]))
      }
    } finally {
      await Promise.all(clients.map((client) => client.close()))
    }
  })
}

// Row names stay within the table's name column (53 characters), so a run rewrites only these rows.
const singleRows = (r: SingleRun): Array<Row> => [
  {
    name: `quota ${r.mode} ${r.tasks / 1_000}k: QPS (${r.calls - r.throttled} calls, ${r.seconds.toFixed(1)} s)`,
    value: r.achievedQps,
    unit: "calls/s",
    goal: `>= ${QPS_GOAL}`,
    met: r.achievedQps >= QPS_GOAL && r.listed === r.tasks
  },
  {
    name: `quota ${r.mode} ${r.tasks / 1_000}k: Throttling.User answers`,
    value: r.throttled,
    unit: "errors",
    goal: "0",
    met: r.throttled === 0
  }
]

const pairRows = (r: PairRun): Array<Row> => [
  {
    name: `quota ${r.mode} 2 procs: time to converge`,
    value: r.convergeSeconds,
    unit: "s",
    goal: "a few seconds",
    met: r.convergeSeconds <= 5
  },
  {
    name: `quota ${r.mode} 2 procs: throttles, before/after`,
    value: `${r.throttledBeforeConverged} / ${r.throttledAfterConverged}`,
    unit: "answers"
  },
  {
    name: `quota ${r.mode} 2 procs: QPS after converging`,
    value: `${r.sharedQps.toFixed(2)} over ${r.sharedSeconds.toFixed(1)} s`,
    unit: "calls/s",
    goal: `<= ${QPS}`,
    met: r.sharedQps <= QPS
  },
  {
    name: `quota ${r.mode} 2 procs: listing times`,
    value: r.listingSeconds.join(" / "),
    unit: "s"
  },
  {
    name: `quota ${r.mode} 2 procs: each task once`,
    value: r.failures.length === 0 && r.listed.every((n) => n === PAIR_TASKS) ? "yes" : "no",
    unit: "",
    goal: "yes",
    met: r.failures.length === 0 && r.listed.every((n) => n === PAIR_TASKS)
  }
]

export const run = async (ctx: BenchContext): Promise<BenchmarkResult> => {
  const singles: Array<SingleRun> = []
  const pairs: Array<PairRun> = []
  for (const mode of QUOTA_MODES) {
    singles.push(await runSingle(mode, 20_000, ctx))
    pairs.push(await runPair(mode, ctx))
  }
  if (ctx.long) singles.push(await runSingle("sliding-window", 100_000, ctx))
  const notes = [
    "achieved QPS = accepted calls / time from the first request to the last accepted one (plus one 100 ms interval); the default limiter spaces calls at (1,000 + 25) / 10 ms, 9.76/s at most.",
    `time to converge = from the first request to the last throttle followed by ${QUIET_MS / 1_000} s without one; the processes start together and each lists ${PAIR_TASKS} tasks with default settings (3 attempts per call).`,
    "the quota is the emulator's own (its quota modes, 10 per AccessKeyId, in a process of its own), read from its request log; throttled requests do not count toward it.",
    "QPS after converging = accepted calls of both processes per second from convergence until the first one ended; listing times by each process's clock (close when they shared evenly)."
  ]
  for (const r of singles)
    if (r.error !== undefined) notes.push(`${r.mode} ${r.tasks} tasks: the listing failed: ${r.error}`)
  if (!ctx.long) notes.push("the 100,000-task run was skipped (run with --long).")
  return {
    name: "quota",
    title: "Quota use (4)",
    measuredAt: new Date().toISOString(),
    rows: [...singles.flatMap(singleRows), ...pairs.flatMap(pairRows)],
    notes,
    data: { qps: QPS, concurrency: CONCURRENCY, singles, pairs }
  }
}
