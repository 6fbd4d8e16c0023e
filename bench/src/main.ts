/**
 * `pnpm bench`: runs the benchmarks, prints a table on stdout (progress goes
 * to stderr) and writes `bench/results.json`.
 *
 *   pnpm bench                      default run (a few minutes)
 *   pnpm bench -- --long            adds the 100,000-task quota run (~100 s)
 *   pnpm bench -- --only paging     one benchmark (repeatable, or comma-separated)
 *   pnpm bench -- --rounds 9        measured rounds per comparison (at least 5; default 7)
 *   pnpm bench -- --warmup-runs 3   exactly 3 unmeasured alternating rounds first (default: until steady)
 *   pnpm bench -- --forks 1         one process per paging contender (default 3, rounds pooled)
 */
import { fileURLToPath } from "node:url"
import { parseArgs } from "node:util"
import * as ColdStart from "./benchmarks/coldstart.js"
import * as Concurrency from "./benchmarks/concurrency.js"
import * as External from "./benchmarks/external.js"
import * as Memory from "./benchmarks/memory.js"
import * as Paging from "./benchmarks/paging.js"
import * as Quota from "./benchmarks/quota.js"
import * as Signing from "./benchmarks/signing.js"
import { type BenchContext, DEFAULT_FORKS, DEFAULT_WARMUP } from "./internal/context.js"
import {
  type BenchmarkResult,
  describeMachine,
  machine,
  markdownTable,
  readPreviousBenchmarks,
  textTable,
  updateReadme,
  writeResults
} from "./internal/report.js"

const BENCHMARKS: ReadonlyArray<{
  readonly name: string
  readonly aliases: ReadonlyArray<string>
  readonly run: (ctx: BenchContext) => Promise<BenchmarkResult>
}> = [
  { name: "paging", aliases: ["floor"], run: Paging.run },
  { name: "concurrency", aliases: [], run: Concurrency.run },
  { name: "quota", aliases: [], run: Quota.run },
  { name: "memory", aliases: [], run: Memory.run },
  { name: "signing", aliases: [], run: Signing.run },
  { name: "external", aliases: ["bundle", "startup"], run: External.run },
  { name: "coldstart", aliases: ["cold"], run: ColdStart.run }
]

const USAGE = `usage: pnpm bench [-- [--long] [--only NAME[,NAME]] [--rounds N] [--warmup-runs N] [--forks N] [--markdown] [--readme]]
  benchmarks: ${BENCHMARKS.map((b) => [b.name, ...b.aliases.map((a) => `${a} (= ${b.name})`)].join(", ")).join(", ")}
  --long       also run the 100,000-task quota run (~100 s)
  --only       run only these benchmarks; results.json keeps the others' last results
  --rounds N   measured rounds per comparison, at least 5 (default 7)
  --warmup-runs N
               exactly N unmeasured rounds of the paging and concurrency contenders, alternating as the
               measured ones do (default: ${DEFAULT_WARMUP.min} to ${DEFAULT_WARMUP.max}, until every run time is steady)
  --forks N    processes per paging contender, their rounds pooled (default ${DEFAULT_FORKS})
  --markdown   also print the table as Markdown
  --readme     after the run, rewrite the results table of bench/README.md from results.json (all benchmarks)`

const MIN_ROUNDS = 5

const main = async (): Promise<number> => {
  // `pnpm bench -- --long` may forward the "--" itself.
  const args = process.argv.slice(2).filter((arg) => arg !== "--")
  const { values } = parseArgs({
    args,
    options: {
      long: { type: "boolean", default: false },
      only: { type: "string", multiple: true },
      rounds: { type: "string", default: "7" },
      "warmup-runs": { type: "string" },
      forks: { type: "string", default: String(DEFAULT_FORKS) },
      markdown: { type: "boolean", default: false },
      readme: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false }
    },
    strict: true
  })
  if (values.help) {
    console.log(USAGE)
    return 0
  }
  const rounds = Number(values.rounds)
  if (!Number.isInteger(rounds) || rounds < MIN_ROUNDS) {
    console.error(`--rounds must be an integer of at least ${MIN_ROUNDS}, got ${values.rounds}\n${USAGE}`)
    return 2
  }
  const warmupRuns = values["warmup-runs"] === undefined ? undefined : Number(values["warmup-runs"])
  if (warmupRuns !== undefined && (!Number.isInteger(warmupRuns) || warmupRuns < 1)) {
    console.error(`--warmup-runs must be a positive integer, got ${values["warmup-runs"]}\n${USAGE}`)
    return 2
  }
  const wanted = (values.only ?? []).flatMap((list) => list.split(",")).map((name) => name.trim())
  const selected =
    wanted.length === 0
      ? BENCHMARKS
      : BENCHMARKS.filter((b) => wanted.includes(b.name) || b.aliases.some((a) => wanted.includes(a)))
  const unknown = wanted.filter(
    (name) => !BENCHMARKS.some((b) => b.name === name || b.aliases.includes(name))
  )
  if (unknown.length > 0) {
    console.error(`unknown benchmark: ${unknown.join(", ")}\n${USAGE}`)
    return 2
  }
  const forks = Number(values.forks)
  if (!Number.isInteger(forks) || forks < 1) {
    console.error(`--forks must be a positive integer, got ${values.forks}\n${USAGE}`)
    return 2
  }
  const ctx: BenchContext = {
    rounds,
    forks,
    warmup: warmupRuns === undefined ? DEFAULT_WARMUP : { min: warmupRuns, max: warmupRuns },
    long: values.long,
    repoRoot: fileURLToPath(new URL("../../", import.meta.url)),
    log: (line) => process.stderr.write(line + "\n")
  }
  const host = machine()
  ctx.log(`iot-ota bench on ${describeMachine(host)}`)
  const results: Array<BenchmarkResult> = []
  let failed = false
  for (const benchmark of selected) {
    try {
      const load = machine().loadAverage1m
      results.push({ ...(await benchmark.run(ctx)), loadAverage1mAtStart: load })
    } catch (error) {
      failed = true
      ctx.log(
        `${benchmark.name} FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`
      )
    }
  }

  const rows = results.flatMap((r) => r.rows)
  console.log(`\niot-ota benchmarks: ${describeMachine(host)}; ${rounds} rounds, medians\n`)
  console.log(textTable(rows))
  for (const result of results) {
    for (const note of result.notes) console.log(`\n${result.name}: ${note}`)
  }
  if (values.markdown) console.log("\n" + markdownTable(rows))

  const path = fileURLToPath(new URL("../results.json", import.meta.url))
  const benchmarks = readPreviousBenchmarks(path)
  for (const result of results) benchmarks[result.name] = result
  writeResults(path, {
    machine: host,
    updatedAt: new Date().toISOString(),
    lastRun: { args, rounds, forks, long: values.long },
    benchmarks
  })
  console.log(`\nwrote ${path}`)
  if (values.readme) {
    const readme = fileURLToPath(new URL("../README.md", import.meta.url))
    const all = BENCHMARKS.flatMap((b) => benchmarks[b.name]?.rows ?? [])
    updateReadme(readme, markdownTable(all))
    console.log(`updated the results table in ${readme}`)
  }
  return failed ? 1 : 0
}

main().then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error))
    process.exitCode = 2
  }
)
