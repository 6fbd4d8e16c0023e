/**
 * (4) Quota use: the emulator enforces the documented 10 QPS per AccessKey
 * (a token bucket of 10, refilled 10/s); our client keeps its default
 * client-side limit of 10 QPS and pages a whole job at concurrency 4. A good
 * client uses nearly all of the quota and is never throttled. The default
 * run lists 10,000 tasks (100 calls, ~10 s); `--long` adds 100,000 tasks
 * (1,000 calls, ~100 s).
 */
import { performance } from "node:perf_hooks"
import { makeOurs, PAGE_SIZE, paginateAll } from "../internal/contenders.js"
import type { BenchContext } from "../internal/context.js"
import { round } from "../internal/measure.js"
import type { BenchmarkResult, Row } from "../internal/report.js"
import { startServer } from "../internal/serverProcess.js"

const QPS = 10
const QPS_GOAL = 9.5
const CONCURRENCY = 4

interface QuotaRun {
  readonly tasks: number
  readonly calls: number
  readonly okCalls: number
  readonly throttled: number
  readonly wallSeconds: number
  readonly achievedQps: number
  readonly byCode: Readonly<Record<string, number>>
}

const runOnce = async (tasks: number, ctx: BenchContext): Promise<QuotaRun> => {
  const jobId = `bench-quota-${tasks}`
  // A fresh emulator per run: its bucket starts full, as a real account's would after a pause.
  const server = await startServer({ jobs: [{ jobId, tasks }], qps: QPS, seed: 4 })
  const client = makeOurs(server) // default client-side limit: 10 QPS
  try {
    ctx.log(`quota: ${tasks} tasks (${tasks / PAGE_SIZE} calls) at ${QPS} QPS, concurrency ${CONCURRENCY}`)
    const started = performance.now()
    const listed = await paginateAll(client, jobId, CONCURRENCY)
    const wallSeconds = (performance.now() - started) / 1000
    if (listed !== tasks) throw new Error(`quota: listed ${listed} tasks, expected ${tasks}`)
    const counters = await server.stats()
    const okCalls = counters.byCode.OK ?? 0
    return {
      tasks,
      calls: counters.requests,
      okCalls,
      throttled: counters.byCode["Throttling.User"] ?? 0,
      wallSeconds: round(wallSeconds),
      achievedQps: round(okCalls / wallSeconds, 2),
      byCode: counters.byCode
    }
  } finally {
    await client.close()
    await server.close()
  }
}

const rowsOf = (label: string, r: QuotaRun): Array<Row> => [
  {
    name: `quota ${label}: achieved QPS (${r.okCalls} calls / ${r.wallSeconds.toFixed(1)} s)`,
    value: r.achievedQps,
    unit: "calls/s",
    goal: `>= ${QPS_GOAL}`,
    met: r.achievedQps >= QPS_GOAL
  },
  {
    name: `quota ${label}: Throttling.User answers`,
    value: r.throttled,
    unit: "errors",
    goal: "0",
    met: r.throttled === 0
  }
]

export const run = async (ctx: BenchContext): Promise<BenchmarkResult> => {
  const short = await runOnce(10_000, ctx)
  const long = ctx.long ? await runOnce(100_000, ctx) : undefined
  const notes = [
    "achieved QPS = successful calls / wall time from the first request to the last page; a client-side token bucket may start with a small burst, so a short run can read slightly above 10."
  ]
  if (long === undefined) notes.push("the 100,000-task run was skipped (run with --long).")
  return {
    name: "quota",
    title: "Quota use (4)",
    measuredAt: new Date().toISOString(),
    rows: [...rowsOf("10k tasks", short), ...(long === undefined ? [] : rowsOf("100k tasks", long))],
    notes,
    data: {
      emulatorQps: QPS,
      clientQps: QPS,
      concurrency: CONCURRENCY,
      runs: long === undefined ? [short] : [short, long]
    }
  }
}
