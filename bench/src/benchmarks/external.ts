/**
 * (7) Figures measured by the packages' own scripts, run as subprocesses:
 * the edge bundle size (`packages/edge/scripts/bundle-size.mjs`, last line
 * `{ bytes, gzipBytes }`) and the `ota --help` cold start
 * (`apps/cli/scripts/startup.mjs`, last line JSON with the median). A script
 * that does not exist yet, or fails, is reported as "not available".
 */
import { execFile } from "node:child_process"
import { existsSync } from "node:fs"
import { join } from "node:path"
import type { BenchContext } from "../internal/context.js"
import type { BenchmarkResult, Row } from "../internal/report.js"

const TIMEOUT_MS = 5 * 60_000

interface ScriptOutcome {
  readonly script: string
  readonly available: boolean
  /** The parsed JSON of the script's last line. */
  readonly result?: unknown
  readonly exitCode?: number
  /** The script's first lines of output (its own verdict, e.g. a budget). */
  readonly summary?: ReadonlyArray<string>
  readonly reason?: string
}

const runScript = (ctx: BenchContext, relative: string): Promise<ScriptOutcome> => {
  const script = join(ctx.repoRoot, relative)
  if (!existsSync(script))
    return Promise.resolve({ script: relative, available: false, reason: "script not found" })
  ctx.log(`external: node ${relative}`)
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [script],
      { cwd: ctx.repoRoot, timeout: TIMEOUT_MS, maxBuffer: 16 * 2 ** 20 },
      (error, stdout, stderr) => {
        const lines = stdout.trim().split("\n")
        let result: unknown
        try {
          result = JSON.parse(lines.at(-1) ?? "")
        } catch {
          result = undefined
        }
        // A budget script may exit non-zero when over its own limit and still print its figures.
        const exitCode = error === null ? 0 : typeof error.code === "number" ? error.code : undefined
        if (result !== undefined && exitCode !== undefined) {
          return resolve({
            script: relative,
            available: true,
            result,
            exitCode,
            summary: lines
              .slice(0, -1)
              .filter((line) => line.trim() !== "")
              .slice(0, 2)
          })
        }
        const detail =
          error === null
            ? `last line is not JSON: ${(lines.at(-1) ?? "").slice(0, 200)}`
            : error.message.split("\n")[0]
        const lastErr = (stderr.trim().split("\n").at(-1) ?? "").slice(0, 300)
        resolve({ script: relative, available: false, reason: `failed: ${detail} ${lastErr}`.trim() })
      }
    )
  })
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null

/** The first numeric field of `result` among `keys`. */
const pick = (result: unknown, keys: ReadonlyArray<string>): number | undefined => {
  if (!isRecord(result)) return undefined
  for (const key of keys) {
    const value = result[key]
    if (typeof value === "number" && Number.isFinite(value)) return value
  }
  return undefined
}

const NOT_AVAILABLE = "not available"

export const run = async (ctx: BenchContext): Promise<BenchmarkResult> => {
  const bundle = await runScript(ctx, "packages/edge/scripts/bundle-size.mjs")
  const startup = await runScript(ctx, "apps/cli/scripts/startup.mjs")
  const gzip = pick(bundle.result, ["gzipBytes"])
  const bytes = pick(bundle.result, ["bytes"])
  const startupMs = pick(startup.result, ["medianMs", "median", "ms"])
  const baselineMs = pick(startup.result, ["baselineMedianMs"])
  const overheadMs = pick(startup.result, ["overheadMs"])
  // The CLI's script states its own budget; the issue sets none for these figures.
  const targetMs = pick(startup.result, ["targetMs"])
  const rows: Array<Row> = [
    { name: "edge bundle, gzip", value: gzip ?? NOT_AVAILABLE, unit: gzip === undefined ? "" : "bytes" },
    {
      name: "edge bundle, minified",
      value: bytes ?? NOT_AVAILABLE,
      unit: bytes === undefined ? "" : "bytes"
    },
    {
      name: "ota --help cold start (median)",
      value: startupMs ?? NOT_AVAILABLE,
      unit: startupMs === undefined ? "" : "ms",
      ...(startupMs !== undefined && targetMs !== undefined
        ? { goal: `<= ${targetMs} ms (CLI's target)`, met: startupMs <= targetMs }
        : {})
    },
    ...(baselineMs === undefined
      ? []
      : [{ name: 'bare node -e "" start (median)', value: baselineMs, unit: "ms" }]),
    ...(overheadMs === undefined
      ? []
      : [{ name: "ota --help over bare node", value: overheadMs, unit: "ms" }])
  ]
  const notes: Array<string> = []
  for (const outcome of [bundle, startup]) {
    if (!outcome.available) notes.push(`${outcome.script}: ${outcome.reason ?? NOT_AVAILABLE}`)
    else {
      const said = (outcome.summary ?? []).join(" / ")
      notes.push(
        `${outcome.script} (exit ${outcome.exitCode}): ${said === "" ? JSON.stringify(outcome.result) : said}`
      )
    }
  }
  if (startup.available && startupMs === undefined) {
    notes.push(`${startup.script}: no median field in ${JSON.stringify(startup.result)}`)
  }
  return {
    name: "external",
    title: "Edge bundle size and CLI cold start (7)",
    measuredAt: new Date().toISOString(),
    rows,
    notes,
    data: { bundle, startup }
  }
}
