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

/** A contender: one full run of the workload, resolving to the number of items it produced. */
export interface Contender {
  readonly name: string
  readonly run: () => Promise<number>
}

export interface AlternateOptions {
  readonly rounds: number
  /** Unmeasured runs of each contender before the first measured round (JIT, connections). */
  readonly warmups: number
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

const collectGarbage = (): void => {
  // Started with --expose-gc (the `bench` script does): a full collection
  // before each run keeps one contender's garbage from being paid by the next.
  globalThis.gc?.()
}

const cpuMsNow = (): number => {
  const cpu = process.cpuUsage()
  return (cpu.user + cpu.system) / 1000
}

/** Runs one contender once and measures it. */
export const measureOnce = async (
  contender: Contender,
  options: Pick<AlternateOptions, "expected" | "serverCpuMs">
): Promise<Sample> => {
  collectGarbage()
  const serverBefore = options.serverCpuMs === undefined ? undefined : await options.serverCpuMs()
  const cpuBefore = cpuMsNow()
  const loopBefore = performance.eventLoopUtilization()
  const started = performance.now()
  const items = await contender.run()
  const wallMs = performance.now() - started
  const clientCpuMs = cpuMsNow() - cpuBefore
  const clientLoopBusy = performance.eventLoopUtilization(loopBefore).utilization
  const serverAfter = options.serverCpuMs === undefined ? undefined : await options.serverCpuMs()
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

/**
 * Runs the contenders alternately (A B C, B C A, C A B, ...): every round runs
 * each contender once, and the starting contender rotates so none always runs
 * first (right after a GC, or after the slowest one). Machine noise then hits
 * all contenders alike instead of whichever ran during a noisy minute.
 */
export const alternate = async (
  contenders: ReadonlyArray<Contender>,
  options: AlternateOptions
): Promise<Map<string, Array<Sample>>> => {
  for (let i = 0; i < options.warmups; i++) {
    for (const contender of contenders) await measureOnce(contender, options)
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
  return samples
}

/** Rounds to `digits` decimals for display and JSON (raw rounds keep three). */
export const round = (value: number, digits = 3): number => {
  const factor = 10 ** digits
  return Math.round(value * factor) / factor
}
