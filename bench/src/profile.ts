/**
 * `pnpm --filter @iot-ota/bench profile`: where one contender of the paging
 * benchmark spends its CPU. Same setup as `pnpm bench --only paging` (the
 * emulator in a child process, a 20,000-task job, pages of 100, calls one
 * after the other); after a warm-up, the V8 sampling profiler records
 * `--calls` calls in this process. Prints the top self-time frames and the
 * self time per package, per call, and writes the `.cpuprofile` (open it in
 * Chrome DevTools or speedscope) to `bench/profiles/`.
 *
 *   node dist/profile.js [--contender ours-v2|ours-v3|ours-paginate|official-v3|official-v2|floor]
 *                        [--calls 2000] [--warmup-calls 3000] [--top 30] [--interval-us 100]
 *
 * With `--cold`, profiles one fresh process of the cold-start benchmark instead (`node --cpu-prof`),
 * split into its steps (import, client creation, first call, the other 199 calls):
 *
 *   node dist/profile.js --cold [--contender ours|ours-v3|ours-modules|official-v3|official-v2|effect-floor|floor]
 *                        [--top 30] [--interval-us 100]
 */
import { mkdirSync, writeFileSync } from "node:fs"
import { Session } from "node:inspector/promises"
import { performance } from "node:perf_hooks"
import { fileURLToPath } from "node:url"
import { parseArgs } from "node:util"
import { COLD_PROFILE_CONTENDERS, profileCold } from "./internal/coldProfile.js"
import { makeRunner, PAGE_SIZE, PAGING_WORKLOADS, type PagingContender } from "./internal/contenders.js"
import { selfTimes } from "./internal/profileSummary.js"
import { startServer } from "./internal/serverProcess.js"

const JOB_ID = "bench-profile-20k"
const TASKS = 20_000
const PAGES = TASKS / PAGE_SIZE
const CONTENDERS = Object.keys(PAGING_WORKLOADS) as ReadonlyArray<PagingContender>

/** Whose frames get an inclusive-time listing: the contender's own code. */
const OWN_GROUPS = new Set(["@iot-ota/core", "@iot-ota/node", "official SDK", "bench harness"])

const isContender = (name: string): name is PagingContender => CONTENDERS.some((c) => c === name)

const main = async (): Promise<void> => {
  const { values } = parseArgs({
    args: process.argv.slice(2).filter((arg) => arg !== "--"),
    options: {
      contender: { type: "string" },
      cold: { type: "boolean", default: false },
      calls: { type: "string", default: "2000" },
      "warmup-calls": { type: "string", default: "3000" },
      top: { type: "string", default: "30" },
      "interval-us": { type: "string", default: "100" }
    }
  })
  if (values.cold) {
    const cold = values.contender ?? "ours"
    const known = COLD_PROFILE_CONTENDERS.find((c) => c === cold)
    if (known === undefined)
      throw new Error(`--contender must be one of ${COLD_PROFILE_CONTENDERS.join(", ")}`)
    return profileCold(known, { top: Number(values.top), intervalUs: Number(values["interval-us"]) })
  }
  const name = values.contender ?? "ours-v2"
  if (!isContender(name)) throw new Error(`--contender must be one of ${CONTENDERS.join(", ")}`)
  const passes = Math.max(1, Math.round(Number(values.calls) / PAGES))
  const calls = passes * PAGES
  const top = Number(values.top)
  const interval = Number(values["interval-us"])
  const warmupPasses = Math.max(1, Math.round(Number(values["warmup-calls"]) / PAGES))

  const server = await startServer({ jobs: [{ jobId: JOB_ID, tasks: TASKS }], qps: 0, seed: 1 })
  const contender = makeRunner(PAGING_WORKLOADS[name], server, JOB_ID, PAGES)
  const session = new Session()
  try {
    // Warm-up: connections, and V8 tiering up the hot code (our client needs ~2,600 calls, see README).
    for (let i = 0; i < warmupPasses; i++) await contender.pass()
    session.connect()
    await session.post("Profiler.enable")
    await session.post("Profiler.setSamplingInterval", { interval })
    await session.post("Profiler.start")
    const started = performance.now()
    for (let i = 0; i < passes; i++) {
      const tasks = await contender.pass()
      if (tasks !== TASKS) throw new Error(`${name}: a pass listed ${tasks} tasks, expected ${TASKS}`)
    }
    const wallMs = performance.now() - started
    const { profile } = await session.post("Profiler.stop")

    const dir = fileURLToPath(new URL("../profiles/", import.meta.url))
    mkdirSync(dir, { recursive: true })
    const file = `${dir}${name}-${new Date().toISOString().replaceAll(":", "-")}.cpuprofile`
    writeFileSync(file, JSON.stringify(profile))

    const summary = selfTimes(profile)
    const perCall = (ms: number) => ((ms * 1000) / calls).toFixed(1).padStart(7)
    const pct = (ms: number) => ((100 * ms) / summary.busyMs).toFixed(1).padStart(5)
    console.log(
      `${name}: ${calls} calls in ${wallMs.toFixed(0)} ms under the profiler (${(wallMs / calls).toFixed(3)} ms/call wall; ` +
        `sampling every ${interval} µs inflates it); main thread busy ${summary.busyMs.toFixed(0)} ms = ${perCall(summary.busyMs).trim()} µs/call`
    )
    console.log(`\nself time by package (µs/call, % of busy):`)
    for (const group of summary.byGroup)
      console.log(`  ${perCall(group.selfMs)}  ${pct(group.selfMs)}%  ${group.group}`)
    console.log(`\ntop ${top} frames by self time (µs/call, % of busy):`)
    for (const frame of summary.byFrame.slice(0, top)) {
      console.log(`  ${perCall(frame.selfMs)}  ${pct(frame.selfMs)}%  ${frame.label}`)
    }
    const own = summary.inclusive.filter((f) => OWN_GROUPS.has(f.group)).slice(0, top)
    if (own.length > 0) {
      console.log(`\n${name}'s own frames by inclusive time (everything they call; µs/call, % of busy):`)
      for (const frame of own)
        console.log(`  ${perCall(frame.totalMs)}  ${pct(frame.totalMs)}%  ${frame.label}`)
    }
    console.log(`\nwrote ${file}`)
  } finally {
    session.disconnect()
    await contender.close()
    await server.close()
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error))
  process.exitCode = 1
})
