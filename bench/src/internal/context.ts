/** What every benchmark gets from the runner. */
export interface BenchContext {
  /** Measured rounds of each comparison (at least 5). */
  readonly rounds: number
  /** Include the long runs (the 100,000-task quota run). */
  readonly long: boolean
  /** The monorepo root, for the edge and CLI scripts. */
  readonly repoRoot: string
  /** Progress lines (stderr), so stdout stays the table. */
  readonly log: (line: string) => void
}
