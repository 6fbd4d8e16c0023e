/**
 * What ships: the built files of edge and core hold no Node-only code, and
 * every runtime's export condition resolves to them, with types.
 */
import { spawnSync } from "node:child_process"
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { join, relative } from "node:path"
import * as esbuild from "esbuild"
import { beforeAll, describe, expect, it } from "vitest"
import { assertBuilt, CORE_DIR, PACKAGE_DIR, RUNTIME_CONDITIONS } from "./helpers/build.js"

/** Node-only constructs, and why each is refused. */
const FORBIDDEN: ReadonlyArray<readonly [RegExp, string]> = [
  [/\bnode:[a-z_]/, "a node: built-in module"],
  [/\brequire\s*\(/, "CommonJS require("],
  [/\bprocess\s*[.[]/, "the Node process global"],
  [/\btypeof\s+process\b/, "the Node process global"],
  [/\bBuffer\b/, "Node's Buffer"]
]

const builtFiles = (dir: string): Array<string> =>
  readdirSync(join(dir, "dist"), { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith(".js"))
    .map((file) => join(dir, "dist", file))

beforeAll(() => assertBuilt())

describe("built output of @iot-ota/edge and @iot-ota/core", () => {
  it("has no node: imports, require(, process or Buffer anywhere, comments included", () => {
    // The one-file build for Deno and Bun is checked below (it imports nothing); it also holds effect's
    // own guarded `typeof process` checks, which are effect's business. Its code from core and edge is
    // checked here, in the modules it is built from.
    const files = [...builtFiles(PACKAGE_DIR), ...builtFiles(CORE_DIR)].filter(
      (file) => file !== join(PACKAGE_DIR, "dist/bundle.js")
    )
    const names = files.map((file) => relative(join(PACKAGE_DIR, ".."), file))
    // Guard against a vacuous pass on an empty or misplaced dist.
    expect(names).toEqual(
      expect.arrayContaining(["edge/dist/effect.js", "edge/dist/OtaClient.js", "core/dist/OtaClient.js"])
    )
    const findings: Array<string> = []
    for (const file of files) {
      readFileSync(file, "utf8")
        .split("\n")
        .forEach((line, index) => {
          for (const [pattern, what] of FORBIDDEN) {
            if (pattern.test(line))
              findings.push(
                `${relative(join(PACKAGE_DIR, ".."), file)}:${index + 1}: ${what}: ${line.trim()}`
              )
          }
        })
    }
    expect(findings).toEqual([])
  })
})

describe("the bundled entry", () => {
  it("the one-file build imports nothing, and exports what src/index.ts does", async () => {
    const result = await esbuild.build({
      entryPoints: [join(PACKAGE_DIR, "dist/bundle.js")],
      bundle: true,
      write: false,
      metafile: true,
      format: "esm",
      platform: "neutral",
      logLevel: "silent"
    })
    const output = Object.values(result.metafile.outputs)[0]!
    expect(output.imports).toEqual([])
    const bundled = await import(join(PACKAGE_DIR, "dist/bundle.js"))
    const sources = await import("../src/index.js")
    expect(Object.keys(bundled).sort()).toEqual(Object.keys(sources).sort())
    expect(Object.keys(bundled)).toEqual(expect.arrayContaining(["OtaClient", "ApiError", "isOtaError"]))
  })

  it("the Effect API entry (@iot-ota/edge/effect) imports effect and the core, never a copy", async () => {
    const text = readFileSync(join(PACKAGE_DIR, "dist/effect.js"), "utf8")
    expect(text).toContain('from "./OtaClient.js"')
    const otaClient = readFileSync(join(PACKAGE_DIR, "dist/OtaClient.js"), "utf8")
    expect(otaClient).toMatch(/from "effect\/Layer"/)
    expect(otaClient).toMatch(/from "@iot-ota\/core\/OtaClient"/)
  })
})

describe("package.json exports", () => {
  const manifest = JSON.parse(readFileSync(join(PACKAGE_DIR, "package.json"), "utf8"))
  const root: Record<string, unknown> = manifest.exports["."]

  it("has a condition with types for every runtime, the source condition first", () => {
    const conditions = Object.keys(root)
    expect(conditions[0]).toBe("@iot-ota/source")
    // Deno and Bun load packages without a bundler: one file. Everything else (wrangler, Vercel, browser
    // bundlers) gets the modules, so a bundle keeps only the operations it imports.
    for (const condition of ["deno", "bun"]) {
      expect(root[condition], condition).toEqual({ types: "./dist/index.d.ts", default: "./dist/bundle.js" })
    }
    expect(root.default).toBe("./dist/index.js")
    expect(conditions.slice(-2)).toEqual(["types", "default"])
    expect(existsSync(join(PACKAGE_DIR, "dist/index.d.ts"))).toBe(true)
    expect(manifest.sideEffects).toBe(false)
  })

  it.each(Object.entries(RUNTIME_CONDITIONS))(
    "%s resolves @iot-ota/edge to the built files, with no Node built-in in the whole graph",
    async (_, conditions) => {
      const result = await esbuild.build({
        stdin: { contents: `export { OtaClient } from "@iot-ota/edge"`, resolveDir: PACKAGE_DIR },
        bundle: true,
        write: false,
        metafile: true,
        format: "esm",
        // neutral: a node: import anywhere (effect, platform, core) fails to resolve instead of being left external
        platform: "neutral",
        conditions: [...conditions],
        logLevel: "silent"
      })
      const inputs = Object.keys(result.metafile.inputs).filter((input) => input !== "<stdin>")
      if (
        (conditions as ReadonlyArray<string>).some((condition) => condition === "deno" || condition === "bun")
      ) {
        // One self-contained file: effect and the core are inlined.
        expect(inputs).toEqual(["dist/bundle.js"])
      } else {
        // The modules: the edge entry, the core's and effect's, each resolved from its built files.
        expect(inputs).toContain("dist/index.js")
        expect(inputs.some((input) => input.includes("core/dist/"))).toBe(true)
        expect(inputs.every((input) => !input.includes("/src/"))).toBe(true)
      }
    }
  )
})

describe("the bundle budget", () => {
  it("a Worker using only ListOTATaskByJob holds that operation alone, within the 90 KiB gzip limit", () => {
    const run = spawnSync(process.execPath, [join(PACKAGE_DIR, "scripts/bundle-size.mjs")], {
      cwd: PACKAGE_DIR,
      encoding: "utf8"
    })
    expect(run.stderr).toBe("")
    expect(run.status).toBe(0)
    expect(run.stdout).toContain("operations in the minimal worker: ListOTATaskByJob;")
    const sizes = JSON.parse(run.stdout.trim().split("\n").at(-1)!)
    expect(sizes.gzipBytes).toBeLessThanOrEqual(90 * 1024)
    expect(sizes.fullGzipBytes).toBeGreaterThan(sizes.gzipBytes)
  }, 60_000)
})
