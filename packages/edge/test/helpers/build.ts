/**
 * Bundling for the real-runtime tests. Bundles are built from the packages'
 * `dist` through their export maps (never the `@iot-ota/source` condition),
 * so Deno and workerd run what is published.
 */
import { existsSync, readdirSync, statSync } from "node:fs"
import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join, relative } from "node:path"
import { fileURLToPath } from "node:url"
import * as esbuild from "esbuild"

export const PACKAGE_DIR = fileURLToPath(new URL("../../", import.meta.url))
export const CORE_DIR = join(PACKAGE_DIR, "../core")

/** The export conditions each runtime (or its usual bundler) resolves with. */
export const RUNTIME_CONDITIONS = {
  deno: ["deno"],
  workerd: ["workerd", "worker", "browser"],
  vercelEdge: ["edge-light", "worker", "browser"],
  bun: ["bun"],
  browser: ["browser"]
} as const

const sourcesOf = (dir: string): Array<string> =>
  readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith(".ts") && !file.endsWith(".d.ts"))
    .map((file) => join(dir, file))

/**
 * Fails with the command to run when a package's `dist` is missing or older
 * than its sources (turbo builds before testing; a bare `pnpm test` may not).
 */
export const assertBuilt = (): void => {
  for (const dir of [CORE_DIR, PACKAGE_DIR]) {
    for (const source of sourcesOf(join(dir, "src"))) {
      const built = join(dir, "dist", relative(join(dir, "src"), source).replace(/\.ts$/, ".js"))
      if (!existsSync(built) || statSync(built).mtimeMs < statSync(source).mtimeMs) {
        throw new Error(
          `${relative(PACKAGE_DIR, built)} is missing or older than its source: run \`pnpm --filter @iot-ota/edge... build\` first`
        )
      }
    }
  }
}

/**
 * Deno's `npm:` specifiers (`npm:@iot-ota/edge`, `npm:@iot-ota/edge@^0.1/OtaClient`)
 * resolve to the package itself, as Deno would resolve the published one.
 */
const npmSpecifiers: esbuild.Plugin = {
  name: "npm-specifiers",
  setup(build) {
    build.onResolve({ filter: /^npm:/ }, async (args) => {
      const match = /^npm:((?:@[^/]+\/)?[^/@]+)(?:@[^/]+)?(\/.*)?$/.exec(args.path)
      if (match === null) return { errors: [{ text: `unsupported npm: specifier ${args.path}` }] }
      const result = await build.resolve(`${match[1]}${match[2] ?? ""}`, {
        kind: args.kind,
        resolveDir: args.resolveDir
      })
      return result.errors.length > 0 ? { errors: result.errors } : { path: result.path }
    })
  }
}

/** One ES module with everything inlined, resolved with `conditions`. */
export const bundle = async (entry: string, conditions: ReadonlyArray<string>): Promise<string> => {
  const result = await esbuild.build({
    entryPoints: [join(PACKAGE_DIR, entry)],
    bundle: true,
    write: false,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    conditions: [...conditions],
    mainFields: ["module", "main"],
    logLevel: "silent",
    plugins: [npmSpecifiers]
  })
  return result.outputFiles[0]!.text
}

/** A temporary directory removed by the returned function. */
export const tempDir = async (): Promise<{ readonly path: string; readonly remove: () => Promise<void> }> => {
  const path = await mkdtemp(join(tmpdir(), "iot-ota-edge-"))
  return { path, remove: () => rm(path, { recursive: true, force: true }) }
}

/** Bundles `entry` into `dir` as `name` and returns its path. */
export const bundleTo = async (
  dir: string,
  name: string,
  entry: string,
  conditions: ReadonlyArray<string>
): Promise<string> => {
  const file = join(dir, name)
  await writeFile(file, await bundle(entry, conditions))
  return file
}
