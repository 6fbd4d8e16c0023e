import { performance } from "node:perf_hooks"

/** One measured run of one contender. */
export interface Sample {
  readonly wallMs: number
  /** CPU time of this (the client) process during the run: user + system, all threads. */
  readonly clientCpuMs: number
  /**
   * Share of the run the client's event loop was busy (0..1): its main
   * thread, where all JavaScript runs. CPU time can exceed wall time (GC and
   * I/O threads), this cannot: at 1.0 the client is bound by its own JavaScript.
   */
  readonly clientLoopBusy: number
  /** CPU time of the emulator child during the run, when there is one. */
  readonly serverCpuMs?: number
  /** Items the run produced (tasks, signatures): checked against `expected`. */
  readonly items: number
}

/** A contender measured in this process: one full run of the workload, resolving to the items it produced. */
export interface InProcessContender {
  readonly name: string
  readonly run: () => Promise<number>
}

/** A contender in a child process of its own, which measures each run itself. */
export interface ChildContender {
  readonly name: string
  readonly measure: () => Promise<Omit<Sample, "serverCpuMs">>
}

export type Contender = InProcessContender | ChildContender

export interface AlternateOptions {
  readonly rounds: number
  /**
   * Unmeasured rounds (each contender once) before the first measured round:
   * connections, and V8 tiering the hot code up to optimised code. A number
   * is a fixed count; `{ min, max }` runs at least `min`, then stops once
   * every contender is steady (see `isSteady`), or at `max`.
   */
  readonly warmups: number | { readonly min: number; readonly max: number }
  /** Every run must produce exactly this many items, else the comparison is void. */
  readonly expected: number
  /** The emulator child's CPU clock, to split CPU time between client and server. */
  readonly serverCpuMs?: () => Promise<number>
  readonly onRound?: (round: number, samples: ReadonlyMap<string, Sample>) => void
}

export const median = (values: ReadonlyArray<number>): number => {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

const cpuMsNow = (): number => {
  const cpu = process.cpuUsage()
  return (cpu.user + cpu.system) / 1000
}

const measureHere = async (contender: InProcessContender): Promise<Omit<Sample, "serverCpuMs">> => {
  const cpuBefore = cpuMsNow()
  const loopBefore = performance.eventLoopUtilization()
  const started = performance.now()
  const items = await contender.run()
  return {
    wallMs: performance.now() - started,
    clientCpuMs: cpuMsNow() - cpuBefore,
    clientLoopBusy: performance.eventLoopUtilization(loopBefore).utilization,
    items
  }
}

/** Runs one contender once and measures it. */
export const measureOnce = async (
  contender: Contender,
  options: Pick<AlternateOptions, "expected" | "serverCpuMs">
): Promise<Sample> => {
  // No forced full GC before a run: V8 answers `gc()` by lowering its heap
  // limits, and then marks incrementally all through the next run — measured
  // +0.15-0.19 ms per call on every contender of the paging benchmark (the
  // floor went from 0.39 to 0.58 ms). Contenders in child processes have a
  // heap of their own; in-process ones (signing) leave young garbage, which
  // costs the next nothing (a scavenge copies only live objects).
  const serverBefore = options.serverCpuMs === undefined ? undefined : await options.serverCpuMs()
  const client = "measure" in contender ? await contender.measure() : await measureHere(contender)
  const serverAfter = options.serverCpuMs === undefined ? undefined : await options.serverCpuMs()
  const { wallMs, clientCpuMs, clientLoopBusy, items } = client
  if (items !== options.expected) {
    throw new Error(`${contender.name}: a run produced ${items} items, expected ${options.expected}`)
  }
  return {
    wallMs,
    clientCpuMs,
    clientLoopBusy,
    items,
    ...(serverBefore === undefined || serverAfter === undefined
      ? {}
      : { serverCpuMs: serverAfter - serverBefore })
  }
}

/** The measured rounds of each contender, and its first (cold) warm-up run. */
export interface Alternation {
  readonly samples: Map<string, Array<Sample>>
  /**
   * Each contender's first run, before any warm-up: code not yet optimised,
   * connections not yet open (the emulator is cold for the first contender only).
   */
  readonly firstRuns: Map<string, Sample>
  /** How many warm-up rounds ran (each contender once per round). */
  readonly warmupRounds: number
}

const STEADY_WINDOW = 5

/**
 * Steady: the median of the last 5 runs is no more than 3% faster than the
 * median of the 5 before. Medians, so one noisy run neither ends a warm-up
 * early nor prolongs it.
 */
export const isSteady = (wallMs: ReadonlyArray<number>): boolean => {
  if (wallMs.length < 2 * STEADY_WINDOW) return false
  const last = median(wallMs.slice(-STEADY_WINDOW))
  const before = median(wallMs.slice(-2 * STEADY_WINDOW, -STEADY_WINDOW))
  return last >= before * 0.97
}

/**
 * Runs the contenders alternately (A B C, B C A, C A B, ...): every round runs
 * each contender once, and the starting contender rotates so none always runs
 * first (right after a GC, or after the slowest one). Machine noise then hits
 * all contenders alike instead of whichever ran during a noisy minute.
 *
 * The warm-up alternates the same way, until every contender is steady: the
 * emulator serves them all, and after warm-ups run one contender at a time the
 * first ~15 alternating rounds ran 20-60% slower for every contender (the
 * floor too) before settling, so 7 measured rounds caught them still settling.
 */
export const alternate = async (
  contenders: ReadonlyArray<Contender>,
  options: AlternateOptions
): Promise<Alternation> => {
  const firstRuns = new Map<string, Sample>()
  const { min, max } =
    typeof options.warmups === "number" ? { min: options.warmups, max: options.warmups } : options.warmups
  const warmupTimes = new Map<string, Array<number>>(contenders.map((c) => [c.name, []]))
  const allSteady = () => contenders.every((c) => isSteady(warmupTimes.get(c.name)!))
  let warmupRounds = 0
  while (warmupRounds < max && (warmupRounds < min || !allSteady())) {
    for (let k = 0; k < contenders.length; k++) {
      const contender = contenders[(warmupRounds + k) % contenders.length]!
      const sample = await measureOnce(contender, options)
      const times = warmupTimes.get(contender.name)!
      if (times.length === 0) firstRuns.set(contender.name, sample)
      times.push(sample.wallMs)
    }
    warmupRounds++
  }
  const samples = new Map<string, Array<Sample>>(contenders.map((c) => [c.name, []]))
  for (let round = 0; round < options.rounds; round++) {
    const thisRound = new Map<string, Sample>()
    for (let k = 0; k < contenders.length; k++) {
      const contender = contenders[(round + k) % contenders.length]!
      const sample = await measureOnce(contender, options)
      samples.get(contender.name)!.push(sample)
      thisRound.set(contender.name, sample)
    }
    options.onRound?.(round, thisRound)
  }
  return { samples, firstRuns, warmupRounds }
}

/** Rounds to `digits` decimals for display and JSON (raw rounds keep three). */
export const round = (value: number, digits = 3): number => {
  const factor = 10 ** digits
  return Math.round(value * factor) / factor
}
