/**
 * (1) Paging speed and (2) the overhead floor, in one alternation so every
 * ratio compares runs made minutes, not hours, apart: 200 sequential calls
 * (PageSize 100, pages 1..200 of a 20,000-task job) per run, by
 * - our Node client: `listOTATaskByJob` with V2 (our default) and V3, and
 *   `paginateOTATaskByJob` at concurrency 1;
 * - the official SDK, V3 (its default) and V2;
 * - the floor: node:http keep-alive + createHmac + JSON.parse by hand.
 */

import { withContenders } from "../internal/contenderProcess.js"
import { PAGE_SIZE, PAGING_WORKLOADS, type PagingContender } from "../internal/contenders.js"
import { type BenchContext, describeWarmup } from "../internal/context.js"
import { alternate, median, round, type Sample } from "../internal/measure.js"
import { type BenchmarkResult, emulatorErrorNotes, type Row } from "../internal/report.js"

const JOB_ID = "bench-paging-20k"
const TASKS = 20_000
const PAGES = TASKS / PAGE_SIZE
const SPEEDUP_GOAL = 1.5
const FLOOR_GOAL = 1.3

const NAMES: Record<PagingContender, string> = {
  "ours-v2": "ours list V2 (default)",
  "ours-paginate": "ours paginate c=1 V2",
  "ours-v3": "ours list V3",
  "official-v3": "official V3 (default)",
  "official-v2": "official V2",
  floor: "floor"
}
type Key = PagingContender
const KEYS = Object.keys(NAMES) as ReadonlyArray<Key>

/** The names of a contender's processes: its own name alone, or numbered when there are several. */
const forkNames = (key: Key, forks: number): ReadonlyArray<string> =>
  forks === 1 ? [NAMES[key]] : Array.from({ length: forks }, (_, i) => `${NAMES[key]} #${i + 1}`)

interface ContenderSummary {
  readonly msPerCall: number
  readonly clientCpuMsPerCall: number
  /** Median share of the run the client's event loop was busy. */
  readonly clientLoopBusy: number
  readonly serverCpuMsPerCall: number
  readonly rounds: ReadonlyArray<Sample>
}

const summarise = (samples: ReadonlyArray<Sample>): ContenderSummary => ({
  msPerCall: round(median(samples.map((s) => s.wallMs)) / PAGES, 4),
  clientCpuMsPerCall: round(median(samples.map((s) => s.clientCpuMs)) / PAGES, 4),
  clientLoopBusy: round(median(samples.map((s) => s.clientLoopBusy)), 2),
  serverCpuMsPerCall: round(median(samples.map((s) => s.serverCpuMs ?? Number.NaN)) / PAGES, 4),
  rounds: samples.map((s) => ({
    wallMs: round(s.wallMs),
    clientCpuMs: round(s.clientCpuMs),
    clientLoopBusy: round(s.clientLoopBusy),
    ...(s.serverCpuMs === undefined ? {} : { serverCpuMs: round(s.serverCpuMs) }),
    items: s.items
  }))
})

export const run = async (ctx: BenchContext): Promise<BenchmarkResult> => {
  return withContenders(
    { jobId: JOB_ID, tasks: TASKS, pages: PAGES, seed: 1 },
    KEYS.flatMap((key) =>
      forkNames(key, ctx.forks).map((name) => ({ name, workload: PAGING_WORKLOADS[key] }))
    ),
    async (server, contenders) => {
      ctx.log(
        `paging: ${KEYS.length} contenders x ${ctx.forks} process${ctx.forks === 1 ? "" : "es"} x ${PAGES} calls, ${describeWarmup(ctx.warmup)} + ${ctx.rounds} rounds`
      )
      const { samples, firstRuns, warmupRounds } = await alternate(contenders, {
        rounds: ctx.rounds,
        warmups: ctx.warmup,
        expected: TASKS,
        serverCpuMs: server.cpuMs,
        onRound: (i, sampled) =>
          ctx.log(
            `  round ${i + 1}: ` +
              [...sampled].map(([name, s]) => `${name} ${(s.wallMs / PAGES).toFixed(3)}`).join(" | ") +
              " ms/call"
          )
      })
      const counters = await server.stats()
      // Every process's rounds, pooled: the median then sits between how the processes settled.
      const of = (key: Key): ContenderSummary =>
        summarise(forkNames(key, ctx.forks).flatMap((name) => samples.get(name) ?? []))
      // The first run of each fresh process; their median when there are several.
      const firstRun = (key: Key): number =>
        median(forkNames(key, ctx.forks).map((name) => firstRuns.get(name)?.wallMs ?? Number.NaN)) / PAGES
      const summary = Object.fromEntries(KEYS.map((key) => [key, of(key)])) as Record<Key, ContenderSummary>
      const ratio = (a: Key, b: Key) => round(summary[a].msPerCall / summary[b].msPerCall, 2)
      const speedups = {
        "official V3 (default) / ours V2 (default)": ratio("official-v3", "ours-v2"),
        "official V2 / ours V2": ratio("official-v2", "ours-v2"),
        "official V3 / ours V3": ratio("official-v3", "ours-v3"),
        "official V2 / ours paginate c=1": ratio("official-v2", "ours-paginate")
      }
      const overFloor = {
        "ours V2 / floor": ratio("ours-v2", "floor"),
        "ours paginate c=1 / floor": ratio("ours-paginate", "floor"),
        "ours V3 / floor": ratio("ours-v3", "floor")
      }
      const rows: Array<Row> = [
        ...KEYS.map((key) => ({
          name: key === "floor" ? "floor: bare node:http + createHmac + JSON.parse" : `paging: ${NAMES[key]}`,
          value: summary[key].msPerCall,
          unit: "ms/call"
        })),
        // The first 200 calls of a fresh client, before any warm-up: what a
        // short-lived process (one CLI listing) sees. Informative, one run each.
        ...KEYS.map((key) => ({
          name: `cold (first run): ${key === "floor" ? "floor" : NAMES[key]}`,
          value: round(firstRun(key), 3),
          unit: "ms/call"
        })),
        ...Object.entries(speedups).map(([name, value]) => ({
          name: `paging: ${name}`,
          value,
          unit: "x",
          goal: `>= ${SPEEDUP_GOAL}x`,
          met: value >= SPEEDUP_GOAL
        })),
        ...Object.entries(overFloor).map(([name, value]) => ({
          name: `floor: ${name}`,
          value,
          unit: "x",
          goal: `<= ${FLOOR_GOAL}x`,
          met: value <= FLOOR_GOAL
        }))
      ]
      const notes: Array<string> = [...emulatorErrorNotes(counters)]
      notes.push(`warm-up: ${warmupRounds} alternating rounds of 200 calls per contender`)
      const cpu = (key: Key) => summary[key].clientCpuMsPerCall
      notes.push(
        `client CPU per call: ours V2 ${cpu("ours-v2")} ms, ours V3 ${cpu("ours-v3")} ms, official V3 ${cpu("official-v3")} ms, official V2 ${cpu("official-v2")} ms, floor ${cpu("floor")} ms; emulator CPU per call ~${summary.floor.serverCpuMsPerCall} ms`
      )
      if (rows.some((row) => row.met === false)) {
        notes.push(
          "a goal is missed: `pnpm --filter @iot-ota/bench profile -- --contender ours-v2` lists where our client spends its CPU per call (top self-time frames, time per package)."
        )
      }
      return {
        name: "paging",
        title: "Paging speed (1) and overhead floor (2)",
        measuredAt: new Date().toISOString(),
        rows,
        notes,
        data: {
          job: { jobId: JOB_ID, tasks: TASKS, pageSize: PAGE_SIZE, callsPerRun: PAGES },
          rounds: ctx.rounds,
          forks: ctx.forks,
          warmups: ctx.warmup,
          warmupRounds,
          ratiosAre: "median ms/call of one contender divided by the median ms/call of the other",
          speedups,
          overFloor,
          contenders: Object.fromEntries(KEYS.map((key) => [NAMES[key], summary[key]])),
          firstRunMsPerCall: Object.fromEntries(KEYS.map((key) => [NAMES[key], round(firstRun(key), 4)])),
          emulator: counters
        }
      }
    }
  )
}
