// Bundle budget of @iot-ota/edge: bundles scripts/minimal-worker.ts (a Worker that builds the generic
// client and makes one listing call) the way wrangler would (esbuild, minified, ES module, the workerd /
// worker / browser export conditions), gzips it and prints the sizes; then the same for
// scripts/full-worker.ts (the client with a method for every operation), for information. The minimal
// worker holds only the operation it imports, so adding operations must not grow it.
// The last line is JSON, `{ bytes, gzipBytes, fullBytes, fullGzipBytes }`, for the bench package.
// Exits 1 when the minimal worker is above the 90 KiB limit (60 KiB is the target).
//
//   node scripts/bundle-size.mjs             sizes; the heaviest modules too when over the target
//   node scripts/bundle-size.mjs --analyze   always list the heaviest modules
//
// Measures the built files (dist) through the package's export map: build
// first with `pnpm --filter @iot-ota/edge... build`.
import { existsSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { gzipSync } from "node:zlib"
import * as esbuild from "esbuild"

const KIB = 1024
const TARGET_GZIP_BYTES = 60 * KIB
const LIMIT_GZIP_BYTES = 90 * KIB
const CONDITIONS = ["workerd", "worker", "browser"]

const packageDir = fileURLToPath(new URL("..", import.meta.url))
for (const built of ["dist/index.js", "../core/dist/index.js"]) {
  if (!existsSync(new URL(`../${built}`, import.meta.url))) {
    console.error(`${built} is missing: run \`pnpm --filter @iot-ota/edge... build\` first`)
    process.exit(2)
  }
}

const kib = (n) => `${(n / KIB).toFixed(1)} KiB`

const measure = async (entry) => {
  const result = await esbuild.build({
    absWorkingDir: packageDir,
    entryPoints: [entry],
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    conditions: CONDITIONS,
    write: false,
    metafile: true,
    outfile: "worker.js",
    logLevel: "error"
  })
  const code = result.outputFiles[0].contents
  return { result, bytes: code.byteLength, gzipBytes: gzipSync(code, { level: 9 }).byteLength }
}

const minimal = await measure("scripts/minimal-worker.ts")
const full = await measure("scripts/full-worker.ts")

// The minimal worker must hold only the operation it imports: then adding operations cannot grow it.
const operationsIn = (result) =>
  Object.keys(Object.values(result.metafile.outputs)[0].inputs)
    .map((path) => /operations\/([A-Za-z]+)\.js$/.exec(path)?.[1])
    .filter((name) => name !== undefined)
const minimalOperations = operationsIn(minimal.result)
const fullOperations = operationsIn(full.result)
console.log(
  `operations in the minimal worker: ${minimalOperations.join(", ")}; in the full client: ${fullOperations.length}`
)
if (minimalOperations.length !== 1 || minimalOperations[0] !== "ListOTATaskByJob") {
  console.error("the minimal worker must hold ListOTATaskByJob and no other operation")
  process.exitCode = 1
}

console.log(
  `minimal worker (esbuild --minify, conditions ${CONDITIONS.join(",")}): ${kib(minimal.bytes)}, gzip -9 ${kib(minimal.gzipBytes)}`
)
console.log(
  `target ${kib(TARGET_GZIP_BYTES)}, limit ${kib(LIMIT_GZIP_BYTES)}: ${
    minimal.gzipBytes <= TARGET_GZIP_BYTES
      ? "within target"
      : minimal.gzipBytes <= LIMIT_GZIP_BYTES
        ? "over target, within limit"
        : "OVER THE LIMIT"
  }`
)
console.log(`full client (every operation): ${kib(full.bytes)}, gzip -9 ${kib(full.gzipBytes)}`)

if (process.argv.includes("--analyze") || minimal.gzipBytes > TARGET_GZIP_BYTES) {
  // Minified bytes each input contributes, summed per package, then the heaviest modules.
  const inputs = Object.entries(Object.values(minimal.result.metafile.outputs)[0].inputs)
  const packageOf = (path) =>
    /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)\//.exec(path)?.[1] ??
    (path.startsWith("../core/") ? "@iot-ota/core" : path.startsWith("dist/") ? "@iot-ota/edge" : path)
  const shortName = (path) =>
    path.replace(/^.*node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?/, "").replace(/^\.\.\//, "")
  const perPackage = new Map()
  for (const [path, { bytesInOutput }] of inputs) {
    perPackage.set(packageOf(path), (perPackage.get(packageOf(path)) ?? 0) + bytesInOutput)
  }
  console.log("\nminified bytes per package (minimal worker):")
  for (const [name, size] of [...perPackage].sort((a, b) => b[1] - a[1]))
    console.log(`  ${kib(size).padStart(10)}  ${name}`)
  console.log("\nheaviest modules (minified):")
  for (const [path, { bytesInOutput }] of inputs
    .sort((a, b) => b[1].bytesInOutput - a[1].bytesInOutput)
    .slice(0, 20)) {
    console.log(`  ${kib(bytesInOutput).padStart(10)}  ${shortName(path)}`)
  }
  console.log("")
}

console.log(
  JSON.stringify({
    bytes: minimal.bytes,
    gzipBytes: minimal.gzipBytes,
    fullBytes: full.bytes,
    fullGzipBytes: full.gzipBytes
  })
)
if (minimal.gzipBytes > LIMIT_GZIP_BYTES) process.exitCode = 1
