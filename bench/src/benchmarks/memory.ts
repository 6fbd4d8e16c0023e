/**
 * (5) Memory: stream 100,000 tasks (1,000 pages, quota off, concurrency 4)
 * in a fresh client process and compare its RSS after a full GC at 10,000
 * and at 100,000 tasks. A listing that kept what it delivered (or leaked per
 * call) would grow by tens of MB over 90,000 tasks; a streaming one stays flat.
 * Three runs, each in a new process; the goal applies to the median.
 */
import { fork } from "node:child_process"
import { fileURLToPath } from "node:url"
import type { BenchContext } from "../internal/context.js"
import { median, round } from "../internal/measure.js"
import { isMemoryMessage, type MemorySample, type MemorySpec } from "../internal/memoryIpc.js"
import type { BenchmarkResult } from "../internal/report.js"
import { startServer } from "../internal/serverProcess.js"

const JOB_ID = "bench-memory-100k"
const TASKS = 100_000
const FROM = 10_000
const RUNS = 3
const GOAL_MIB = 20
const CHILD = fileURLToPath(new URL("../memoryChild.js", import.meta.url))

const streamInChild = (spec: MemorySpec): Promise<ReadonlyArray<MemorySample>> =>
  new Promise((resolve, reject) => {
    const child = fork(CHILD, [JSON.stringify(spec)], {
      stdio: ["ignore", "inherit", "inherit", "ipc"],
      execArgv: ["--expose-gc"]
    })
    let settled = false
    child.on("message", (message: unknown) => {
      if (!isMemoryMessage(message)) return
      settled = true
      if (message.type === "failed") reject(new Error(`memory child: ${message.message}`))
      else if (message.tasks !== TASKS)
        reject(new Error(`memory child streamed ${message.tasks} tasks, expected ${TASKS}`))
      else resolve(message.samples)
    })
    child.on("exit", (code) => {
      if (!settled) reject(new Error(`memory child exited with code ${code} before reporting`))
    })
  })

const at = (samples: ReadonlyArray<MemorySample>, tasks: number): MemorySample => {
  const found = samples.find((s) => s.tasks === tasks)
  if (found === undefined) throw new Error(`no memory sample at ${tasks} tasks`)
  return found
}

export const run = async (ctx: BenchContext): Promise<BenchmarkResult> => {
  const server = await startServer({ jobs: [{ jobId: JOB_ID, tasks: TASKS }], qps: 0, seed: 5 })
  try {
    const runs: Array<{
      readonly rssGrowthMiB: number
      readonly heapUsedGrowthMiB: number
      readonly newSpaceGrowthMiB: number
      readonly samples: ReadonlyArray<MemorySample>
    }> = []
    for (let i = 0; i < RUNS; i++) {
      ctx.log(`memory: run ${i + 1}/${RUNS}, streaming ${TASKS} tasks in a fresh process`)
      const samples = await streamInChild({
        url: server.url,
        jobId: JOB_ID,
        concurrency: 4,
        sampleEvery: FROM
      })
      const from = at(samples, FROM)
      const to = at(samples, TASKS)
      runs.push({
        rssGrowthMiB: round(to.rssMiB - from.rssMiB, 2),
        heapUsedGrowthMiB: round(to.heapUsedMiB - from.heapUsedMiB, 2),
        newSpaceGrowthMiB: round(to.newSpaceMiB - from.newSpaceMiB, 2),
        samples
      })
    }
    const rssGrowth = round(median(runs.map((r) => r.rssGrowthMiB)), 2)
    const heapGrowth = round(median(runs.map((r) => r.heapUsedGrowthMiB)), 2)
    const rssAtEnd = round(median(runs.map((r) => at(r.samples, TASKS).rssMiB)), 1)
    const beyondYoung = round(median(runs.map((r) => r.rssGrowthMiB - r.newSpaceGrowthMiB)), 2)
    return {
      name: "memory",
      title: "Memory (5)",
      measuredAt: new Date().toISOString(),
      rows: [
        {
          name: "memory: RSS growth 10k -> 100k tasks (median of 3)",
          value: rssGrowth,
          unit: "MiB",
          goal: `<= ${GOAL_MIB} MiB`,
          met: rssGrowth <= GOAL_MIB
        },
        { name: "memory: heapUsed growth 10k -> 100k tasks", value: heapGrowth, unit: "MiB" },
        // V8 sizes its young generation by allocation rate, up to a fixed ceiling: not something a listing holds.
        { name: "memory: RSS growth less V8 young-generation growth", value: beyondYoung, unit: "MiB" },
        { name: "memory: RSS at 100k tasks", value: rssAtEnd, unit: "MiB" }
      ],
      notes: [
        `RSS growth per run: ${runs.map((r) => r.rssGrowthMiB).join(", ")} MiB; heapUsed growth: ${runs.map((r) => r.heapUsedGrowthMiB).join(", ")} MiB; V8 young generation growth: ${runs.map((r) => r.newSpaceGrowthMiB).join(", ")} MiB.`
      ],
      data: { job: { jobId: JOB_ID, tasks: TASKS }, concurrency: 4, sampledAfterFullGc: true, runs }
    }
  } finally {
    await server.close()
  }
}
