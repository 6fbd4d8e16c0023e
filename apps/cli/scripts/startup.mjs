// Cold start of `ota --help`: runs `node bin/ota.js --help` N times,
// alternating with `node -e ""` (the bare cost of starting Node on this
// machine), and prints the medians. The last line of output is JSON, for the
// bench package:
//   {"command":"ota --help","runs":21,"medianMs":152.3,"baselineMedianMs":41.0,"overheadMs":111.3,...}
// Usage: node scripts/startup.mjs [runs]   (default 21; the build must exist)
import { spawnSync } from "node:child_process"
import { existsSync } from "node:fs"
import { fileURLToPath } from "node:url"

const runs = Number(process.argv[2] ?? 21)
if (!Number.isInteger(runs) || runs < 1) {
  console.error("usage: node scripts/startup.mjs [runs]")
  process.exit(2)
}
const bin = fileURLToPath(new URL("../bin/ota.js", import.meta.url))
if (!existsSync(fileURLToPath(new URL("../dist/bin.js", import.meta.url)))) {
  console.error("dist/bin.js is missing: run `pnpm --filter @iot-ota/cli... build` first")
  process.exit(1)
}

const time = (args) => {
  const started = process.hrtime.bigint()
  const result = spawnSync(process.execPath, args, {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NO_COLOR: "1" }
  })
  const ms = Number(process.hrtime.bigint() - started) / 1e6
  if (result.status !== 0) throw new Error(`${args.join(" ")} exited ${result.status}: ${result.stderr}`)
  return ms
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

// One unmeasured run of each warms the file system cache.
time([bin, "--help"])
time(["-e", ""])
const help = []
const baseline = []
for (let i = 0; i < runs; i++) {
  help.push(time([bin, "--help"]))
  baseline.push(time(["-e", ""]))
}
const round = (ms) => Math.round(ms * 10) / 10
const result = {
  command: "ota --help",
  runs,
  medianMs: round(median(help)),
  minMs: round(Math.min(...help)),
  maxMs: round(Math.max(...help)),
  baselineMedianMs: round(median(baseline)),
  overheadMs: round(median(help) - median(baseline)),
  targetMs: 300,
  node: process.version
}
console.log(
  `ota --help: median ${result.medianMs} ms over ${runs} runs (node -e "": ${result.baselineMedianMs} ms)`
)
console.log(JSON.stringify(result))
