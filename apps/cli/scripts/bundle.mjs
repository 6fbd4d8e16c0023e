// Bundles the `ota` entry point into dist/bin.js (run after `tsc`, which
// emits the library modules and their types). Loading ~700 small ES modules
// of effect and @effect/cli costs ~250 ms before any code runs; one bundle
// loads in a fraction of that, which is what keeps `ota --help` fast.
// Commands that need heavy dependencies (the undici transport, the emulator)
// import them dynamically, so they land in chunks loaded on demand.
import { rmSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { build } from "esbuild"

const root = new URL("..", import.meta.url)
rmSync(new URL("dist/chunks", root), { recursive: true, force: true })
await build({
  absWorkingDir: fileURLToPath(root),
  entryPoints: { bin: "src/bin.ts" },
  outdir: "dist",
  chunkNames: "chunks/[name]-[hash]",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  // Unminified: as fast to load here, and stack traces stay readable.
  minify: false,
  sourcemap: false,
  // Workspace packages resolve to their built `dist` (the "default" export condition).
  // CommonJS dependencies bundled into ESM may call `require` for Node built-ins.
  banner: {
    js: 'import { createRequire as __otaCreateRequire } from "node:module"; const require = __otaCreateRequire(import.meta.url);'
  },
  logLevel: "warning"
})
