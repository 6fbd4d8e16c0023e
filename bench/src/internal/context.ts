/** What every benchmark gets from the runner. */
export interface BenchContext {
  /** Measured rounds of each comparison (at least 5). */
  readonly rounds: number
  /** Unmeasured rounds (each contender once) before the measured ones (paging, concurrency). */
  readonly warmup: { readonly min: number; readonly max: number }
  /**
   * Processes per paging contender. A contender's speed depends on how its
   * process's JIT settled (the official SDK runs at 0.37 or at 0.44 ms per
   * call, one or the other for a whole process), so each contender runs in
   * several processes and its rounds are pooled, as JMH runs several forks.
   */
  readonly forks: number
  /** Include the long runs (the 100,000-task quota run). */
  readonly long: boolean
  /** The monorepo root, for the edge and CLI scripts. */
  readonly repoRoot: string
  /** Progress lines (stderr), so stdout stays the table. */
  readonly log: (line: string) => void
}

/**
 * Warm-up of the paging and concurrency contenders, in runs of 200 calls: at
 * least 15, then until steady (`isSteady`), at most 40. Measured (per-run
 * times of each contender in a process of its own): our client reaches its
 * steady state after 3,000-5,000 calls — Effect's fiber runtime and our
 * per-call functions are many small functions that V8 optimises one by one —
 * the official SDK and the floor after ~1,500. Fewer runs measure mostly the JIT.
 */
export const DEFAULT_WARMUP = { min: 15, max: 40 } as const

/** Processes per paging contender unless `--forks` says otherwise. */
export const DEFAULT_FORKS = 3

/** The warm-up, as the progress lines say it. */
export const describeWarmup = (warmup: BenchContext["warmup"]): string =>
  warmup.min === warmup.max
    ? `${warmup.min} warm-up rounds`
    : `${warmup.min}-${warmup.max} warm-up rounds (until every contender is steady)`
