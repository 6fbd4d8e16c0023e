/**
 * `profile --cold`: one fresh `coldChild.js` process under `node --cpu-prof`,
 * its samples split by the steps the child marks (import, client creation,
 * first call, the other calls), each step summarised as the paging profile
 * is: busy time, self time per package, top frames.
 */
import { spawn } from "node:child_process"
import { mkdirSync, readdirSync, readFileSync } from "node:fs"
import type { Profiler } from "node:inspector"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { DEFAULT_CREDENTIALS } from "@iot-ota/emulator"
import type { ColdChildResult, ColdSpec } from "../coldChild.js"
import { selfTimes } from "./profileSummary.js"
import { startServer } from "./serverProcess.js"

const COLD_CHILD = fileURLToPath(new URL("../coldChild.js", import.meta.url))
const JOB_ID = "bench-profile-cold-20k"
const TASKS = 20_000
const PAGE_SIZE = 100

export const COLD_PROFILE_CONTENDERS = [
  "ours",
  "ours-v3",
  "ours-modules",
  "official-v3",
  "official-v2",
  "effect-floor",
  "floor"
] as const satisfies ReadonlyArray<ColdSpec["contender"]>

const OWN = new Set(["@iot-ota/core", "@iot-ota/node"])

const STEPS = ["import", "create the client", "first call", "the other calls"] as const

/** The profile's samples between two monotonic instants (µs), as a profile of their own. */
const window = (profile: Profiler.Profile, fromUs: number, toUs: number): Profiler.Profile => {
  const samples: Array<number> = []
  const timeDeltas: Array<number> = []
  let at = profile.startTime
  const all = profile.samples ?? []
  const deltas = profile.timeDeltas ?? []
  for (let i = 0; i < all.length; i++) {
    at += deltas[i] ?? 0
    if (at > fromUs && at <= toUs) {
      samples.push(all[i]!)
      timeDeltas.push(deltas[i] ?? 0)
    }
  }
  return { ...profile, samples, timeDeltas }
}

export const profileCold = async (
  contender: (typeof COLD_PROFILE_CONTENDERS)[number],
  options: { readonly top: number; readonly intervalUs: number }
): Promise<void> => {
  const server = await startServer({ jobs: [{ jobId: JOB_ID, tasks: TASKS }], qps: 0, seed: 1 })
  const dir = fileURLToPath(
    new URL(
      `../../profiles/cold-${contender}-${new Date().toISOString().replaceAll(":", "-")}/`,
      import.meta.url
    )
  )
  mkdirSync(dir, { recursive: true })
  try {
    const spec: ColdSpec = {
      contender,
      url: server.url,
      host: server.host,
      port: server.port,
      jobId: JOB_ID,
      pages: TASKS / PAGE_SIZE,
      pageSize: PAGE_SIZE,
      accessKeyId: DEFAULT_CREDENTIALS.accessKeyId,
      accessKeySecret: DEFAULT_CREDENTIALS.accessKeySecret
    }
    const stdout = await new Promise<string>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [
          "--cpu-prof",
          `--cpu-prof-dir=${dir}`,
          `--cpu-prof-interval=${options.intervalUs}`,
          COLD_CHILD,
          JSON.stringify(spec)
        ],
        { stdio: ["ignore", "pipe", "inherit"], env: { PATH: process.env.PATH ?? "", HOME: dir } }
      )
      let out = ""
      child.stdout.on("data", (chunk) => (out += chunk))
      child.on("error", reject)
      child.on("close", (code) =>
        code === 0 ? resolve(out) : reject(new Error(`the child exited with ${code}`))
      )
    })
    const result = JSON.parse(stdout.trim().split("\n").at(-1) ?? "") as ColdChildResult
    if (result.tasks !== TASKS) throw new Error(`listed ${result.tasks} tasks, expected ${TASKS}`)
    const file = readdirSync(dir).find((name) => name.endsWith(".cpuprofile"))
    if (file === undefined) throw new Error(`no .cpuprofile in ${dir}`)
    const profile = JSON.parse(readFileSync(join(dir, file), "utf8")) as Profiler.Profile
    console.log(
      `${contender}, one fresh process under the profiler (sampling every ${options.intervalUs} µs inflates every figure): ` +
        `import ${result.importMs.toFixed(1)} ms, client ${result.createMs.toFixed(1)} ms, first call ` +
        `${result.firstCallMs.toFixed(1)} ms, ${TASKS / PAGE_SIZE} calls ${result.callsMs.toFixed(1)} ms`
    )
    const marks = result.marksUs
    for (let step = 0; step < STEPS.length; step++) {
      const from = marks[step]
      const to = marks[step + 1]
      if (from === undefined || to === undefined) continue
      const summary = selfTimes(window(profile, from, to))
      console.log(
        `\n== ${STEPS[step]}: ${((to - from) / 1000).toFixed(1)} ms wall, main thread busy ${summary.busyMs.toFixed(1)} ms`
      )
      for (const group of summary.byGroup.slice(0, 8))
        console.log(`  ${group.selfMs.toFixed(1).padStart(8)} ms  ${group.group}`)
      console.log("  top frames by self time:")
      for (const frame of summary.byFrame.slice(0, options.top))
        console.log(`  ${frame.selfMs.toFixed(1).padStart(8)} ms  ${frame.label}`)
      // With the unbundled modules (`--contender ours-modules`) this says which of our functions the time is
      // spent under; in the bundle everything is one file.
      const own = summary.inclusive.filter((frame) => OWN.has(frame.group)).slice(0, options.top)
      if (own.length > 0) {
        console.log("  our frames by inclusive time (everything they call):")
        for (const frame of own) console.log(`  ${frame.totalMs.toFixed(1).padStart(8)} ms  ${frame.label}`)
      }
    }
    console.log(`\nwrote ${join(dir, file)}`)
  } finally {
    await server.close()
  }
}
