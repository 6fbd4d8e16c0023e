// Bundles a runtime package's Promise entry (`src/index.ts`) into one tree-shaken ES module, `dist/index.js`,
// with `effect` and `@iot-ota/core` inlined (run after `tsc`, whose `dist/index.js` it replaces; the other
// modules of `dist`, the Effect API, stay as tsc wrote them and import `effect` as a peer dependency).
//
// Why: loading `effect`'s module graph file by file costs ~300 ms in a fresh Node process (`effect/Schema`
// alone ~280 ms); one tree-shaken, minified file of the same code loads in a fraction of that, as AWS SDK v3
// ships its clients for cold starts. Figures in bench/README.md ("Cold start").
//
// Also writes `dist/THIRD-PARTY-NOTICES.txt`, the licence of every package inlined (MIT requires the
// notice to travel with the code), and fails if the bundle would import anything but Node built-ins.
//
// Usage (from a package directory): node ../../scripts/bundle-entry.mjs --platform node|neutral [--outfile name]
// `--outfile` (default `index.js`) writes the bundle beside tsc's modules instead of over its entry: the edge
// package ships both, modules for bundlers (so a Worker keeps only the operations it imports) and one file
// for runtimes that load packages without a bundler (Deno, Bun).
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { builtinModules } from "node:module"
import { dirname, join } from "node:path"
import { parseArgs } from "node:util"
import * as esbuild from "esbuild"

const { values } = parseArgs({
  options: {
    platform: { type: "string", default: "node" },
    outfile: { type: "string", default: "index.js" },
    analyze: { type: "boolean", default: false }
  }
})
if (values.platform !== "node" && values.platform !== "neutral") {
  console.error("usage: bundle-entry.mjs --platform node|neutral [--analyze]")
  process.exit(2)
}
const node = values.platform === "node"
const packageDir = process.cwd()
const outfile = join(packageDir, "dist", values.outfile)

const result = await esbuild.build({
  absWorkingDir: packageDir,
  entryPoints: ["src/index.ts"],
  outfile,
  allowOverwrite: true,
  bundle: true,
  format: "esm",
  platform: values.platform,
  target: node ? "node20" : "es2022",
  // Workspace packages resolve to their built `dist` (the "default" export condition), never to sources.
  conditions: [],
  mainFields: ["module", "main"],
  // Whitespace and syntax minified, names kept: they show in stack traces and `util.inspect` (`ApiError: …`
  // rather than `pu [ApiError]: …`). Measured in a fresh Node process: this file (~415 KiB) and a fully
  // minified one (~250 KiB) load in the same time (~52 vs ~54 ms, best of 11); keeping names in a fully
  // minified file (esbuild's keepNames) costs ~25 KiB; not minifying at all, ~15 ms more.
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: "none",
  sourcemap: false,
  metafile: true,
  logLevel: "warning"
})

// tsc's source map describes the file this bundle replaced.
if (values.outfile === "index.js") rmSync(`${outfile}.map`, { force: true })

const output = Object.values(result.metafile.outputs)[0]
const builtins = new Set([...builtinModules, ...builtinModules.map((name) => `node:${name}`)])
const foreign = output.imports.filter((entry) => !(node && builtins.has(entry.path)))
if (foreign.length > 0) {
  console.error(
    `dist/${values.outfile} must be self-contained, but imports: ${foreign.map((entry) => entry.path).join(", ")}`
  )
  process.exit(1)
}

/** The package a bundled input file belongs to (`effect`, `@iot-ota/core`, …), with its directory. */
const packageOf = (input) => {
  const match = /^(.*node_modules\/((?:@[^/]+\/)?[^/]+))\//.exec(input)
  if (match !== null) return { name: match[2], dir: join(packageDir, match[1]) }
  if (input.startsWith("../core/")) return { name: "@iot-ota/core", dir: join(packageDir, "../core") }
  return undefined
}
const inlined = new Map()
for (const input of Object.keys(output.inputs)) {
  const pkg = packageOf(input)
  if (pkg !== undefined && !inlined.has(pkg.name)) inlined.set(pkg.name, pkg.dir)
}
const licenses = [...inlined]
  .filter(([name]) => !name.startsWith("@iot-ota/"))
  .sort(([a], [b]) => a.localeCompare(b))
  .map(([name, dir]) => {
    const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"))
    const file = ["LICENSE", "LICENSE.md", "LICENSE.txt"].map((f) => join(dir, f)).find(existsSync)
    if (file === undefined) throw new Error(`${name} has no LICENSE file to ship with the bundle`)
    return `${name}@${manifest.version} (${manifest.license})\n\n${readFileSync(file, "utf8").trim()}\n`
  })
writeFileSync(
  join(dirname(outfile), "THIRD-PARTY-NOTICES.txt"),
  `dist/${values.outfile} includes the following packages.\n\n${licenses.join("\n---\n\n")}`
)

const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`
console.log(`dist/${values.outfile}: ${kib(output.bytes)} (inlines ${[...inlined.keys()].join(", ")})`)
if (values.analyze) {
  const inputs = Object.entries(output.inputs).sort((a, b) => b[1].bytesInOutput - a[1].bytesInOutput)
  for (const [path, { bytesInOutput }] of inputs.slice(0, 40))
    console.log(`  ${kib(bytesInOutput).padStart(10)}  ${path.replace(/^.*node_modules\//, "")}`)
}
