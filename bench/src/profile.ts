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
 *                        [--calls 2000] [--top 30] [--interval-us 100]
 */
import { mkdirSync, writeFileSync } from "node:fs"
import { Session } from "node:inspector/promises"
import { performance } from "node:perf_hooks"
import { fileURLToPath } from "node:url"
import { parseArgs } from "node:util"
import { DEFAULT_CREDENTIALS } from "@iot-ota/emulator"
import {
  listSequentially,
  listSequentiallyOfficial,
  makeOfficial,
  makeOurs,
  PAGE_SIZE,
  paginateAll
} from "./internal/contenders.js"
import { makeFloorClient } from "./internal/floor.js"
import { selfTimes } from "./internal/profileSummary.js"
import { type ServerProcess, startServer } from "./internal/serverProcess.js"

const JOB_ID = "bench-profile-20k"
const TASKS = 20_000
const PAGES = TASKS / PAGE_SIZE
const CONTENDERS = ["ours-v2", "ours-v3", "ours-paginate", "official-v3", "official-v2", "floor"] as const
type ContenderName = (typeof CONTENDERS)[number]

/** Whose frames get an inclusive-time listing: the contender's own code. */
const OWN_GROUPS = new Set(["@iot-ota/core", "@iot-ota/node", "official SDK", "bench harness"])

const isContender = (name: string): name is ContenderName => CONTENDERS.some((c) => c === name)

/** One pass over the job's 200 pages, and how to release the client afterwards. */
const makeContender = (
  name: ContenderName,
  server: ServerProcess
): { readonly pass: () => Promise<number>; readonly close: () => Promise<void> } => {
  switch (name) {
    case "ours-v2":
    case "ours-v3":
    case "ours-paginate": {
      const client = makeOurs(server, {
        qps: 0,
        ...(name === "ours-v3" ? { signatureAlgorithm: "ACS3-HMAC-SHA256" as const } : {})
      })
      return {
        pass: () =>
          name === "ours-paginate" ? paginateAll(client, JOB_ID, 1) : listSequentially(client, JOB_ID, PAGES),
        close: () => client.close()
      }
    }
    case "official-v3":
    case "official-v2": {
      const sdk = makeOfficial(server, name === "official-v3" ? "v3" : "v2")
      return { pass: () => listSequentiallyOfficial(sdk, JOB_ID, PAGES), close: async () => {} }
    }
    case "floor": {
      const floor = makeFloorClient({
        host: server.host,
        port: server.port,
        maxSockets: 1,
        accessKeyId: DEFAULT_CREDENTIALS.accessKeyId,
        accessKeySecret: DEFAULT_CREDENTIALS.accessKeySecret
      })
      return {
        pass: async () => {
          let tasks = 0
          for (let page = 1; page <= PAGES; page++) {
            const listed = await floor.listPage(JOB_ID, PAGE_SIZE, page)
            tasks += listed
          }
          return tasks
        },
        close: async () => floor.close()
      }
    }
  }
}

const main = async (): Promise<void> => {
  const { values } = parseArgs({
    args: process.argv.slice(2).filter((arg) => arg !== "--"),
    options: {
      contender: { type: "string", default: "ours-v2" },
      calls: { type: "string", default: "2000" },
      top: { type: "string", default: "30" },
      "interval-us": { type: "string", default: "100" }
    }
  })
  const name = values.contender
  if (!isContender(name)) throw new Error(`--contender must be one of ${CONTENDERS.join(", ")}`)
  const passes = Math.max(1, Math.round(Number(values.calls) / PAGES))
  const calls = passes * PAGES
  const top = Number(values.top)
  const interval = Number(values["interval-us"])

  const server = await startServer({ jobs: [{ jobId: JOB_ID, tasks: TASKS }], qps: 0, seed: 1 })
  const contender = makeContender(name, server)
  const session = new Session()
  try {
    for (let i = 0; i < 2; i++) await contender.pass() // warm-up: JIT, connections
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
