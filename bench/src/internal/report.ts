import { readFileSync, writeFileSync } from "node:fs"
import * as os from "node:os"

/** One line of the results table. */
export interface Row {
  readonly name: string
  /** A number, or a word when the measurement could not be made ("not available"). */
  readonly value: number | string
  readonly unit: string
  /** The goal in words, e.g. ">= 1.5x"; absent when the figure is informative only. */
  readonly goal?: string
  readonly met?: boolean
}

/** What one benchmark hands back: its table rows, notes, and every number it measured. */
export interface BenchmarkResult {
  readonly name: string
  readonly title: string
  readonly measuredAt: string
  readonly rows: ReadonlyArray<Row>
  /** Findings in words: what limits a figure, why a goal is missed. */
  readonly notes: ReadonlyArray<string>
  /** Medians, ratios, raw rounds, emulator counters. */
  readonly data: unknown
  /** Set by the runner: the machine's 1-minute load average when this benchmark started. */
  readonly loadAverage1mAtStart?: number
}

export interface Machine {
  readonly cpuModel: string
  readonly cores: number
  readonly memoryGiB: number
  readonly os: string
  readonly node: string
  readonly v8: string
  /** 1-minute load average when the run started: other work on a shared machine shows here. */
  readonly loadAverage1m: number
}

export interface ResultsFile {
  readonly machine: Machine
  readonly updatedAt: string
  /** The command line of the last run. */
  readonly lastRun: {
    readonly args: ReadonlyArray<string>
    readonly rounds: number
    readonly forks: number
    readonly long: boolean
  }
  /** By benchmark name; a `--only` run replaces only the benchmarks it ran. */
  readonly benchmarks: Readonly<Record<string, BenchmarkResult>>
}

export const machine = (): Machine => {
  const cpus = os.cpus()
  return {
    cpuModel: cpus[0]?.model.trim() ?? "unknown",
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    v8: process.versions.v8,
    loadAverage1m: Math.round((os.loadavg()[0] ?? 0) * 100) / 100
  }
}

export const describeMachine = (m: Machine): string =>
  `${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}, load ${m.loadAverage1m}`

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null

/** The benchmarks of a previous results file, so a `--only` run keeps the others. */
export const readPreviousBenchmarks = (path: string): Record<string, BenchmarkResult> => {
  let text: string
  try {
    text = readFileSync(path, "utf8")
  } catch {
    return {}
  }
  const parsed: unknown = JSON.parse(text)
  if (!isRecord(parsed) || !isRecord(parsed.benchmarks)) return {}
  const out: Record<string, BenchmarkResult> = {}
  for (const [name, value] of Object.entries(parsed.benchmarks)) {
    if (isRecord(value) && typeof value.name === "string" && Array.isArray(value.rows)) {
      // Written by this harness: the shape is ours.
      out[name] = value as unknown as BenchmarkResult
    }
  }
  return out
}

export const writeResults = (path: string, results: ResultsFile): void => {
  writeFileSync(path, JSON.stringify(results, null, 2) + "\n")
}

const formatValue = (value: number | string, unit: string): string => {
  if (typeof value === "string") return value
  if (!Number.isFinite(value)) return String(value)
  if (unit === "x") return value.toFixed(2)
  if (Number.isInteger(value) && Math.abs(value) < 1000) return String(value)
  const abs = Math.abs(value)
  if (abs >= 1000) return Math.round(value).toLocaleString("en-US")
  if (abs >= 100) return value.toFixed(1)
  if (abs >= 10) return value.toFixed(2)
  return value.toFixed(3)
}

const metText = (row: Row): string =>
  row.goal === undefined || row.goal === "" ? "" : row.met === true ? "yes" : "NO"

/** A plain-text table for the terminal. */
export const textTable = (rows: ReadonlyArray<Row>): string => {
  const header = ["benchmark", "value", "unit", "goal", "met"]
  const cells = rows.map((row) => [
    row.name,
    formatValue(row.value, row.unit),
    row.unit,
    row.goal ?? "",
    metText(row)
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)))
  const line = (c: ReadonlyArray<string>) =>
    c
      .map((text, i) => (i === 1 ? text.padStart(widths[i]!) : text.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd()
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...cells.map(line)].join("\n")
}

/** The same table as Markdown, columns padded as the formatter wants them, for the README. */
export const markdownTable = (rows: ReadonlyArray<Row>): string => {
  const escape = (text: string) => text.replaceAll("|", "\\|")
  const header = ["benchmark", "value", "unit", "goal", "met"]
  const cells = rows.map((row) =>
    [row.name, formatValue(row.value, row.unit), row.unit, row.goal ?? "", metText(row)].map(escape)
  )
  const widths = header.map((h, i) => Math.max(h.length, 3, ...cells.map((c) => c[i]!.length)))
  const line = (c: ReadonlyArray<string>) =>
    `| ${c.map((text, i) => (i === 1 ? text.padStart(widths[i]!) : text.padEnd(widths[i]!))).join(" | ")} |`
  const rule = `| ${widths.map((w, i) => (i === 1 ? "-".repeat(w - 1) + ":" : "-".repeat(w))).join(" | ")} |`
  return [line(header), rule, ...cells.map(line)].join("\n")
}

const START = "<!-- results:start -->"
const END = "<!-- results:end -->"

/** Replaces what lies between the results markers of a README with `table`. */
export const updateReadme = (path: string, table: string): void => {
  const text = readFileSync(path, "utf8")
  const start = text.indexOf(START)
  const end = text.indexOf(END)
  if (start < 0 || end < start) throw new Error(`${path} has no ${START} … ${END} markers`)
  writeFileSync(path, `${text.slice(0, start + START.length)}\n\n${table}\n\n${text.slice(end)}`)
}

/** A note when the emulator answered anything but `OK` during a benchmark (its runs are then suspect). */
export const emulatorErrorNotes = (counters: {
  readonly byCode: Readonly<Record<string, number>>
}): ReadonlyArray<string> => {
  const failures = Object.entries(counters.byCode).filter(([code]) => code !== "OK")
  return failures.length === 0
    ? []
    : [`the emulator answered errors during the runs: ${JSON.stringify(Object.fromEntries(failures))}`]
}
