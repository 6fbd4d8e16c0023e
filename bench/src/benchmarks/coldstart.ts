/**
 * (8) Cold start: what a short-lived process sees — an `ota` command, a cron
 * job, a serverless function, an edge isolate. Every run is a fresh process
 * (Node, Deno, Bun, workerd) against the emulator child (quota off), and the
 * contenders of each runtime alternate within every round (A B C, B C A, …),
 * so that load on this shared machine hits them all alike. Medians of
 * `ctx.rounds` rounds, after one unmeasured round (file-system cache, the
 * emulator's own JIT); every listing must return exactly the job's tasks,
 * and the emulator must have answered only `OK`.
 *
 * Node (`coldChild.js`): import the package, create a client, 200 calls of
 * 100 tasks, close, exit on its own — ours (the bundled `@iot-ota/node`, V2
 * and V3, and the same client from its unbundled modules, as before the
 * bundle), the official SDK `@alicloud/iot20180120` (V3, its default, and
 * V2), the hand-written floor, the same floor run as one Effect fiber per
 * call with effect bundled (`internal/effectFloor.ts`: what any client built
 * on Effect pays), and a bare process (Node's own start-up).
 * The CLI: `ota tasks list` (one page) next to `ota --help` and bare Node.
 * Deno and Bun: the same listing through `@iot-ota/edge` (its published file,
 * loaded as is), the official SDK in Bun too, and each runtime bare. workerd
 * (miniflare): start-up of a minimal Worker bundled as wrangler would, next
 * to an empty Worker, and its first request.
 */
import { spawn } from "node:child_process"
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { DEFAULT_CREDENTIALS } from "@iot-ota/emulator"
import * as esbuild from "esbuild"
import type { ColdChildResult, ColdSpec } from "../coldChild.js"
import type { BenchContext } from "../internal/context.js"
import { median, round } from "../internal/measure.js"
import { type BenchmarkResult, emulatorErrorNotes, type Row } from "../internal/report.js"
import { type ServerProcess, startServer } from "../internal/serverProcess.js"

const JOB_ID = "bench-cold-20k"
const TASKS = 20_000
const PAGE_SIZE = 100
const PAGES = TASKS / PAGE_SIZE
const CLI_PAGE_SIZE = 100
const RUN_TIMEOUT_MS = 120_000

const require = createRequire(import.meta.url)
const COLD_CHILD = fileURLToPath(new URL("../coldChild.js", import.meta.url))

/** One fresh process's figures; `wallMs` is measured from outside, spawn to exit. */
interface Run extends Partial<ColdChildResult> {
  readonly wallMs: number
}

interface Spawned {
  readonly wallMs: number
  readonly stdout: string
  readonly stderr: string
  readonly code: number | null
}

/** Runs a command to its exit; `wallMs` from just before `spawn` to the `exit` event. */
const timed = (
  command: string,
  args: ReadonlyArray<string>,
  options: { readonly cwd?: string; readonly env: NodeJS.ProcessEnv }
): Promise<Spawned> =>
  new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ["ignore", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    let wallMs = 0
    child.stdout.on("data", (chunk) => (stdout += chunk))
    child.stderr.on("data", (chunk) => (stderr += chunk))
    const timer = setTimeout(() => child.kill("SIGKILL"), RUN_TIMEOUT_MS)
    child.on("error", reject)
    child.on("exit", () => {
      wallMs = performance.now() - started
    })
    child.on("close", (code) => {
      clearTimeout(timer)
      resolve({ wallMs, stdout, stderr, code })
    })
  })

const lastJson = <A>(label: string, run: Spawned): A => {
  if (run.code !== 0) throw new Error(`${label} exited with ${run.code}: ${run.stderr.slice(-2000)}`)
  const line = run.stdout.trim().split("\n").at(-1) ?? ""
  try {
    return JSON.parse(line) as A
  } catch {
    throw new Error(
      `${label}: expected a JSON line, got ${line.slice(0, 300)} (stderr: ${run.stderr.slice(-500)})`
    )
  }
}

/** A contender of one runtime: runs once in a fresh process and reports what it measured. */
interface Contender {
  readonly name: string
  readonly label: string
  /** Pages the run requests from the emulator (checked against its counters). */
  readonly requests: number
  readonly run: () => Promise<Run>
}

/** `rounds` rounds after `warmups` unmeasured ones, the starting contender rotating each round. */
const alternateFresh = async (
  ctx: BenchContext,
  group: string,
  contenders: ReadonlyArray<Contender>,
  warmups: number
): Promise<Map<string, Array<Run>>> => {
  const runs = new Map<string, Array<Run>>(contenders.map((c) => [c.name, []]))
  for (let round = -warmups; round < ctx.rounds; round++) {
    const shift = ((round % contenders.length) + contenders.length) % contenders.length
    const line: Array<string> = []
    for (let k = 0; k < contenders.length; k++) {
      const contender = contenders[(shift + k) % contenders.length]!
      const run = await contender.run()
      if (round >= 0) runs.get(contender.name)!.push(run)
      line.push(`${contender.name} ${run.wallMs.toFixed(0)}`)
    }
    ctx.log(
      `coldstart ${group} ${round < 0 ? "warm-up" : `round ${round + 1}/${ctx.rounds}`}: ${line.join(", ")} ms`
    )
  }
  return runs
}

type Metric =
  | keyof Omit<ColdChildResult, "tasks" | "scriptStartMs" | "doneMs" | "marksUs">
  | "wallMs"
  | "firstPageMs"

const metric = (run: Run, key: Metric): number | undefined =>
  key === "firstPageMs"
    ? run.createMs === undefined || run.firstCallMs === undefined
      ? undefined
      : run.createMs + run.firstCallMs
    : run[key]

const medianOf = (runs: ReadonlyArray<Run> | undefined, key: Metric): number | undefined => {
  const values = (runs ?? []).map((run) => metric(run, key)).filter((v): v is number => v !== undefined)
  return values.length === 0 ? undefined : median(values)
}

/** Spread of a metric over the rounds, for the noise note: (max − min) ÷ median. */
const spread = (runs: ReadonlyArray<Run> | undefined, key: Metric): number | undefined => {
  const values = (runs ?? []).map((run) => metric(run, key)).filter((v): v is number => v !== undefined)
  if (values.length === 0) return undefined
  return (Math.max(...values) - Math.min(...values)) / median(values)
}

const checkTasks = (label: string, run: ColdChildResult, expected: number): void => {
  if (run.tasks !== expected) throw new Error(`${label}: listed ${run.tasks} tasks, expected ${expected}`)
}

/** A clean environment for the children: no profile file, no NODE_OPTIONS of whoever runs the bench. */
const cleanEnv = (home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH ?? "",
  HOME: home,
  NO_COLOR: "1",
  ...extra
})

const spec = (server: ServerProcess, contender: ColdSpec["contender"]): ColdSpec => ({
  contender,
  url: server.url,
  host: server.host,
  port: server.port,
  jobId: JOB_ID,
  pages: PAGES,
  pageSize: PAGE_SIZE,
  accessKeyId: DEFAULT_CREDENTIALS.accessKeyId,
  accessKeySecret: DEFAULT_CREDENTIALS.accessKeySecret
})

const NODE_CONTENDERS: ReadonlyArray<{ readonly name: ColdSpec["contender"]; readonly label: string }> = [
  { name: "ours", label: "ours (@iot-ota/node, V2 default)" },
  { name: "official-v3", label: "official V3 (default)" },
  { name: "ours-v3", label: "ours V3" },
  { name: "official-v2", label: "official V2" },
  { name: "ours-modules", label: "ours, unbundled modules (before)" },
  { name: "effect-floor", label: "Effect floor (the floor in one fiber per call, effect bundled)" },
  { name: "floor", label: "floor (bare node:http)" },
  { name: "bare", label: "bare node (no client)" }
]

const nodeContenders = (server: ServerProcess, home: string): ReadonlyArray<Contender> =>
  NODE_CONTENDERS.map(({ name, label }) => ({
    name,
    label,
    requests: name === "bare" ? 0 : PAGES,
    run: async () => {
      const spawned = await timed(process.execPath, [COLD_CHILD, JSON.stringify(spec(server, name))], {
        env: cleanEnv(home)
      })
      const result = lastJson<ColdChildResult>(`node ${name}`, spawned)
      checkTasks(`node ${name}`, result, name === "bare" ? 0 : TASKS)
      return { ...result, wallMs: spawned.wallMs }
    }
  }))

/** `ota --help`, `ota tasks list` (one page of 100, NDJSON) and bare Node, each a fresh process. */
const cliContenders = (ctx: BenchContext, server: ServerProcess, home: string): ReadonlyArray<Contender> => {
  const bin = join(ctx.repoRoot, "apps/cli/bin/ota.js")
  const env = cleanEnv(home, {
    OTA_ENDPOINT: server.url,
    OTA_ACCESS_KEY_ID: DEFAULT_CREDENTIALS.accessKeyId,
    OTA_ACCESS_KEY_SECRET: DEFAULT_CREDENTIALS.accessKeySecret
  })
  const command = (
    name: string,
    label: string,
    args: ReadonlyArray<string>,
    check: (out: string) => void
  ) => ({
    name,
    label,
    requests: name === "tasks-list" ? 1 : 0,
    run: async (): Promise<Run> => {
      const spawned = await timed(process.execPath, args, { env })
      if (spawned.code !== 0) throw new Error(`${label} exited with ${spawned.code}: ${spawned.stderr}`)
      check(spawned.stdout)
      return { wallMs: spawned.wallMs }
    }
  })
  return [
    command(
      "tasks-list",
      "ota tasks list (one page)",
      [bin, "tasks", "list", "--job", JOB_ID, "--page-size", String(CLI_PAGE_SIZE), "--output", "ndjson"],
      (out) => {
        const lines = out.split("\n").filter((line) => line.trim() !== "").length
        if (lines !== CLI_PAGE_SIZE)
          throw new Error(`ota tasks list printed ${lines} tasks, expected ${CLI_PAGE_SIZE}`)
      }
    ),
    command("help", "ota --help", [bin, "--help"], (out) => {
      if (!out.includes("tasks")) throw new Error("ota --help printed no usage")
    }),
    command("bare", 'bare node -e ""', ["-e", ""], () => {})
  ]
}

/**
 * The program Deno and Bun run: loads `./edge.mjs` (a copy of `@iot-ota/edge`'s published file) or the
 * official SDK, lists the job, prints the same JSON line as `coldChild.js`.
 */
const EDGE_PROGRAM = `const scriptStartMs = performance.now()
const spec = JSON.parse(globalThis.Deno ? Deno.args[0] : process.argv[2])
let create
if (spec.contender === "ours") {
  const { OtaClient } = await import("./edge.mjs")
  create = () => {
    const client = new OtaClient({ endpoint: spec.url, accessKeyId: spec.accessKeyId, accessKeySecret: spec.accessKeySecret, qps: 0 })
    return {
      call: async (currentPage) => (await client.listOTATaskByJob({ jobId: spec.jobId, pageSize: spec.pageSize, currentPage })).tasks.length,
      close: () => client.close()
    }
  }
} else if (spec.contender === "official-v3") {
  const { createRequire } = await import("node:module")
  const require = createRequire(spec.resolveFrom)
  const Iot = require("@alicloud/iot20180120")
  const OpenApi = require("@alicloud/openapi-client")
  create = () => {
    const sdk = new Iot.default(new OpenApi.Config({ accessKeyId: spec.accessKeyId, accessKeySecret: spec.accessKeySecret, endpoint: spec.host + ":" + spec.port, protocol: "http" }))
    return {
      call: async (currentPage) => {
        const response = await sdk.listOTATaskByJob(new Iot.ListOTATaskByJobRequest({ jobId: spec.jobId, pageSize: spec.pageSize, currentPage }))
        if (response.body?.success !== true) throw new Error("official SDK: page " + currentPage + " failed")
        return response.body.data?.simpleOTATaskInfo?.length ?? 0
      },
      close: async () => {}
    }
  }
} else {
  create = () => ({ call: async () => 0, close: async () => {} })
}
const importMs = performance.now()
const client = create()
const createMs = performance.now()
const pages = spec.contender === "bare" ? 0 : spec.pages
let tasks = 0
let firstCallMs = createMs
for (let page = 1; page <= pages; page++) {
  tasks += await client.call(page)
  if (page === 1) firstCallMs = performance.now()
}
const callsMs = performance.now()
await client.close()
const closeMs = performance.now()
console.log(JSON.stringify({ scriptStartMs, importMs: importMs - scriptStartMs, createMs: createMs - importMs,
  firstCallMs: firstCallMs - createMs, callsMs: callsMs - createMs, closeMs: closeMs - callsMs, doneMs: closeMs, tasks }))
`

const denoExecutable = (): string => {
  const dir = dirname(
    createRequire(require.resolve("@iot-ota/edge/package.json")).resolve("deno/package.json")
  )
  return join(dir, "deno")
}

const bunExecutable = (): string =>
  join(dirname(require.resolve("@oven/bun-linux-x64/package.json")), "bin", "bun")

/** Writes the program and a copy of `@iot-ota/edge`'s published file into `dir`. */
const prepareEdgeProgram = (dir: string): string => {
  // The one-file build Deno and Bun get (the package root resolves to modules under Node's conditions).
  copyFileSync(require.resolve("@iot-ota/edge/bundle"), join(dir, "edge.mjs"))
  const program = join(dir, "listing.mjs")
  writeFileSync(program, EDGE_PROGRAM)
  return program
}

const edgeContenders = (
  runtime: "deno" | "bun",
  server: ServerProcess,
  work: string,
  program: string
): ReadonlyArray<Contender> => {
  const executable = runtime === "deno" ? denoExecutable() : bunExecutable()
  const { port } = server
  const names: ReadonlyArray<"ours" | "official-v3" | "bare"> =
    runtime === "bun" ? ["ours", "official-v3", "bare"] : ["ours", "bare"]
  const labels = {
    ours: "ours (@iot-ota/edge)",
    "official-v3": "official V3 (default)",
    bare: `bare ${runtime}`
  }
  return names.map((name) => ({
    name,
    label: labels[name],
    requests: name === "bare" ? 0 : PAGES,
    run: async () => {
      const argument = JSON.stringify({
        ...spec(server, name === "official-v3" ? "official-v3" : name === "ours" ? "ours" : "bare"),
        resolveFrom: fileURLToPath(import.meta.url)
      })
      const args =
        runtime === "deno"
          ? [
              "run",
              "--no-prompt",
              "--no-config",
              "--no-lock",
              `--allow-net=127.0.0.1:${port}`,
              program,
              argument
            ]
          : [program, argument]
      const spawned = await timed(executable, args, {
        cwd: work,
        env: cleanEnv(work, { DENO_DIR: join(work, "deno-dir"), DENO_NO_UPDATE_CHECK: "1" })
      })
      const result = lastJson<ColdChildResult>(`${runtime} ${name}`, spawned)
      checkTasks(`${runtime} ${name}`, result, name === "bare" ? 0 : TASKS)
      return { ...result, wallMs: spawned.wallMs }
    }
  }))
}

/** The minimal Worker as wrangler would bundle it (esbuild, minified, workerd conditions), and an empty one. */
const workerScripts = async (ctx: BenchContext): Promise<{ minimal: string; empty: string }> => {
  const edgeDir = join(ctx.repoRoot, "packages/edge")
  const built = await esbuild.build({
    absWorkingDir: edgeDir,
    entryPoints: ["scripts/minimal-worker.ts"],
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    conditions: ["workerd", "worker", "browser"],
    write: false,
    logLevel: "error"
  })
  return {
    minimal: built.outputFiles[0]!.text,
    empty: `export default { fetch() { return new Response("") } }\n`
  }
}

const workerdContenders = async (
  ctx: BenchContext,
  server: ServerProcess
): Promise<ReadonlyArray<Contender>> => {
  const { Miniflare } = (await import("miniflare")) as typeof import("miniflare")
  const scripts = await workerScripts(ctx)
  const wrangler = readFileSync(
    join(ctx.repoRoot, "packages/edge/examples/cloudflare-worker/wrangler.toml"),
    "utf8"
  )
  const compatibilityDate = /^compatibility_date\s*=\s*"([^"]+)"/m.exec(wrangler)?.[1] ?? "2025-09-01"
  const worker = (name: "minimal" | "empty", label: string): Contender => ({
    name,
    label,
    requests: name === "minimal" ? 1 : 0,
    run: async () => {
      const started = performance.now()
      const mf = new Miniflare({
        modules: true,
        script: scripts[name],
        compatibilityDate,
        bindings: {
          OTA_ENDPOINT: server.url,
          OTA_ACCESS_KEY_ID: DEFAULT_CREDENTIALS.accessKeyId,
          OTA_ACCESS_KEY_SECRET: DEFAULT_CREDENTIALS.accessKeySecret
        }
      })
      try {
        await mf.ready
        const ready = performance.now()
        const response = await mf.dispatchFetch(`http://worker.test/?jobId=${JOB_ID}`)
        const text = await response.text()
        const answered = performance.now()
        if (name === "minimal") {
          const body = JSON.parse(text) as { readonly total?: number }
          if (response.status !== 200 || body.total !== TASKS)
            throw new Error(`workerd minimal worker answered ${response.status}: ${text.slice(0, 300)}`)
        }
        return { wallMs: ready - started, firstCallMs: answered - ready }
      } finally {
        await mf.dispose()
      }
    }
  })
  return [worker("minimal", "minimal Worker (@iot-ota/edge)"), worker("empty", "empty Worker")]
}

const ms = (value: number | undefined): number | string =>
  value === undefined ? "not available" : round(value, 1)
const ratio = (a: number | undefined, b: number | undefined): number | string =>
  a === undefined || b === undefined ? "not available" : round(a / b, 2)

interface Section {
  readonly group: string
  readonly contenders: ReadonlyArray<Contender>
  readonly runs: Map<string, Array<Run>>
}

const runSection = async (
  ctx: BenchContext,
  group: string,
  contenders: ReadonlyArray<Contender>,
  notes: Array<string>
): Promise<Section | undefined> => {
  try {
    return { group, contenders, runs: await alternateFresh(ctx, group, contenders, 1) }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    notes.push(`${group}: not measured: ${message.split("\n")[0]}`)
    ctx.log(`coldstart ${group} FAILED: ${message}`)
    return undefined
  }
}

export const run = async (ctx: BenchContext): Promise<BenchmarkResult> => {
  const server = await startServer({ jobs: [{ jobId: JOB_ID, tasks: TASKS }], qps: 0, seed: 17 })
  const work = mkdtempSync(join(tmpdir(), "iot-ota-bench-cold-"))
  const home = join(work, "home")
  mkdirSync(home)
  const notes: Array<string> = []
  const sections: Array<Section> = []
  try {
    await server.resetStats()
    let expectedRequests = 0
    const add = async (group: string, contenders: ReadonlyArray<Contender>, warmups = 1) => {
      const section = await runSection(ctx, group, contenders, notes)
      if (section === undefined) return
      sections.push(section)
      expectedRequests += (ctx.rounds + warmups) * contenders.reduce((sum, c) => sum + c.requests, 0)
    }
    await add("node", nodeContenders(server, home))
    await add("cli", cliContenders(ctx, server, home))
    const program = prepareEdgeProgram(work)
    await add("deno", edgeContenders("deno", server, work, program))
    await add("bun", edgeContenders("bun", server, work, program))
    await add("workerd", await workerdContenders(ctx, server))
    const stats = await server.stats()
    notes.push(...emulatorErrorNotes(stats))
    if (stats.requests !== expectedRequests)
      notes.push(`the emulator counted ${stats.requests} requests, expected ${expectedRequests}`)
  } finally {
    await server.close()
    rmSync(work, { recursive: true, force: true })
  }

  const runsOf = (group: string, name: string) => sections.find((s) => s.group === group)?.runs.get(name)
  const m = (group: string, name: string, key: Metric) => medianOf(runsOf(group, name), key)
  const rows: Array<Row> = []
  const row = (name: string, value: number | undefined, unit = "ms") =>
    rows.push({ name, value: ms(value), unit: value === undefined ? "" : unit })
  const goal = (name: string, value: number | string, goalText: string, met: boolean | undefined) =>
    rows.push({
      name,
      value,
      unit: typeof value === "number" ? "x" : "",
      goal: goalText,
      ...(met === undefined ? {} : { met })
    })

  // Node: each figure for each contender, then the goals of the issue.
  const node = sections.find((s) => s.group === "node")
  if (node !== undefined) {
    const phases: ReadonlyArray<[Metric, string]> = [
      ["importMs", "import the package"],
      ["firstPageMs", "first page after import (client + 1 call)"],
      ["callsMs", `${PAGES} calls of ${PAGE_SIZE} tasks`],
      ["wallMs", "whole process (spawn to exit)"]
    ]
    for (const [key, what] of phases) {
      for (const contender of node.contenders) {
        if (contender.name === "bare" && key !== "wallMs") continue
        row(`cold node, ${what}: ${contender.label}`, m("node", contender.name, key))
      }
    }
    const vs = (key: Metric, officialName: string) => {
      const ours = m("node", "ours", key)
      const official = m("node", officialName, key)
      return {
        value: ratio(ours, official),
        raw: ours !== undefined && official !== undefined ? ours / official : undefined
      }
    }
    for (const official of ["official-v3", "official-v2"] as const) {
      const label = official === "official-v3" ? "official V3" : "official V2"
      const imp = vs("importMs", official)
      goal(
        `cold node, import: ours / ${label}`,
        imp.value,
        "<= 0.5x",
        imp.raw === undefined ? undefined : imp.raw <= 0.5
      )
      const first = vs("firstPageMs", official)
      goal(
        `cold node, first page: ours / ${label}`,
        first.value,
        "< 1x",
        first.raw === undefined ? undefined : first.raw < 1
      )
      const whole = vs("wallMs", official)
      goal(
        `cold node, whole process: ours / ${label}`,
        whole.value,
        "<= 0.67x",
        whole.raw === undefined ? undefined : whole.raw <= 0.67
      )
    }
    // Where the goal sits against the floors: what a client may cost above the least an Effect client does.
    for (const floor of ["effect-floor", "floor"] as const) {
      const whole = m("node", floor, "wallMs")
      const official = m("node", "official-v3", "wallMs")
      goal(
        `cold node, whole process: ${floor === "floor" ? "floor" : "Effect floor"} / official V3`,
        ratio(whole, official),
        "",
        undefined
      )
    }
    const bundled = vs("importMs", "ours-modules")
    goal("cold node, import: bundled / unbundled modules", bundled.value, "", undefined)
  }

  const cli = sections.find((s) => s.group === "cli")
  if (cli !== undefined)
    for (const c of cli.contenders) row(`cold cli, ${c.label} (whole command)`, m("cli", c.name, "wallMs"))

  for (const runtime of ["deno", "bun"] as const) {
    const section = sections.find((s) => s.group === runtime)
    if (section === undefined) continue
    for (const c of section.contenders) {
      if (c.name !== "bare") {
        row(`cold ${runtime}, import: ${c.label}`, m(runtime, c.name, "importMs"))
        row(`cold ${runtime}, first page after import: ${c.label}`, m(runtime, c.name, "firstPageMs"))
        row(`cold ${runtime}, ${PAGES} calls: ${c.label}`, m(runtime, c.name, "callsMs"))
      }
      row(`cold ${runtime}, whole process: ${c.label}`, m(runtime, c.name, "wallMs"))
    }
  }

  const workerd = sections.find((s) => s.group === "workerd")
  if (workerd !== undefined) {
    const minimal = m("workerd", "minimal", "wallMs")
    const empty = m("workerd", "empty", "wallMs")
    row("cold workerd, start-up: empty Worker (miniflare ready)", empty)
    row("cold workerd, start-up: minimal Worker (@iot-ota/edge)", minimal)
    row(
      "cold workerd, script evaluation (minimal − empty)",
      minimal === undefined || empty === undefined ? undefined : minimal - empty
    )
    row("cold workerd, first request (client + 1 call)", m("workerd", "minimal", "firstCallMs"))
  }

  // How noisy the rounds were: the spread of the whole-process time of each Node contender.
  const spreads = (node?.contenders ?? [])
    .map((c) => `${c.name} ${Math.round(100 * (spread(runsOf("node", c.name), "wallMs") ?? 0))}%`)
    .join(", ")
  if (spreads !== "")
    notes.push(`spread (max − min) / median of the whole-process time over the rounds: ${spreads}`)

  const data = Object.fromEntries(
    sections.map((section) => [
      section.group,
      Object.fromEntries(
        section.contenders.map((c) => [
          c.name,
          {
            label: c.label,
            medians: Object.fromEntries(
              (
                [
                  "importMs",
                  "createMs",
                  "firstCallMs",
                  "firstPageMs",
                  "callsMs",
                  "closeMs",
                  "cpuMs",
                  "wallMs"
                ] as const
              )
                .map((key) => [key, medianOf(section.runs.get(c.name), key)])
                .filter(([, value]) => value !== undefined)
                .map(([key, value]) => [key, round(value as number, 1)])
            ),
            rounds: (section.runs.get(c.name) ?? []).map((run) =>
              Object.fromEntries(
                Object.entries(run)
                  .filter(([, value]) => typeof value === "number")
                  .map(([key, value]) => [key, round(value as number, 1)])
              )
            )
          }
        ])
      )
    ])
  )
  return {
    name: "coldstart",
    title: "Cold start: fresh processes (8)",
    measuredAt: new Date().toISOString(),
    rows,
    notes,
    data
  }
}
