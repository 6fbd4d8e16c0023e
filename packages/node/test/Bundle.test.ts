/**
 * What ships as the main entry: `dist/index.js` is one bundled file with
 * effect and the core inlined, importing nothing but Node built-ins (no
 * undici, no effect), exporting what `src/index.ts` does, and working
 * against the emulator; its types name no undici or Node type. The Effect
 * API (`dist/effect.js`) keeps importing effect and the core.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs"
import { builtinModules } from "node:module"
import { join, relative } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { DEFAULT_CREDENTIALS, startEmulator } from "@iot-ota/emulator"
import * as esbuild from "esbuild"
import { beforeAll, describe, expect, it } from "vitest"

const PACKAGE_DIR = fileURLToPath(new URL("../", import.meta.url))
const BUNDLE = join(PACKAGE_DIR, "dist/index.js")

beforeAll(() => {
  for (const source of readdirSync(join(PACKAGE_DIR, "src")).filter((file) => file.endsWith(".ts"))) {
    const built = join(PACKAGE_DIR, "dist", source.replace(/\.ts$/, ".js"))
    if (!existsSync(built) || statSync(built).mtimeMs < statSync(join(PACKAGE_DIR, "src", source)).mtimeMs)
      throw new Error(
        `${relative(PACKAGE_DIR, built)} is missing or older than its source: run \`pnpm --filter @iot-ota/node... build\``
      )
  }
})

describe("dist/index.js, the bundled Promise entry", () => {
  it("imports only Node built-ins (no undici, no effect, no core)", async () => {
    const result = await esbuild.build({
      entryPoints: [BUNDLE],
      bundle: true,
      write: false,
      metafile: true,
      format: "esm",
      platform: "node",
      logLevel: "silent"
    })
    const output = Object.values(result.metafile.outputs)[0]!
    const builtins = new Set([...builtinModules, ...builtinModules.map((name) => `node:${name}`)])
    expect(output.imports.map((entry) => entry.path).filter((path) => !builtins.has(path))).toEqual([])
    expect(Object.keys(result.metafile.inputs)).toEqual([relative(process.cwd(), BUNDLE)])
  })

  it("exports what src/index.ts exports", async () => {
    const bundled = await import(pathToFileURL(BUNDLE).href)
    const sources = await import("../src/index.js")
    expect(Object.keys(bundled).sort()).toEqual(Object.keys(sources).sort())
  })

  it("lists a job from the emulator, and rejects with its own typed errors", async () => {
    const { ApiError, isOtaError, OtaClient } = await import(pathToFileURL(BUNDLE).href)
    const emu = await startEmulator({ qps: 0, seed: 5, jobs: [{ jobId: "job-bundle", tasks: 230 }] })
    const client = new OtaClient({ endpoint: emu.url, ...DEFAULT_CREDENTIALS, env: {} })
    try {
      const ids: Array<string> = []
      for await (const task of client.paginateOTATaskByJob({ jobId: "job-bundle" })) ids.push(task.taskId)
      expect(ids.sort()).toEqual(
        emu
          .tasks("job-bundle")
          .map((task) => task.TaskId)
          .sort()
      )
      const error = await client.listOTATaskByJob({ jobId: "no-such-job" }).then(
        () => undefined,
        (e: unknown) => e
      )
      expect(isOtaError(error)).toBe(true)
      expect(error).toBeInstanceOf(ApiError)
      expect(error).toMatchObject({ _tag: "ApiError", code: "iot.ota.NotExistedJob" })
    } finally {
      await client.close()
      await emu.close()
    }
  })

  it("its declarations reach no undici or Node type", () => {
    const index = readFileSync(join(PACKAGE_DIR, "dist/index.d.ts"), "utf8")
    const client = readFileSync(join(PACKAGE_DIR, "dist/OtaClient.d.ts"), "utf8")
    for (const text of [index, client]) {
      expect(text).not.toMatch(/from "undici"|from "node:|reference types="node"|NodeJS\./)
      expect(text).not.toMatch(/UndiciTransport|NodeHttpTransport/)
    }
  })
})

describe("dist/effect.js, the Effect API", () => {
  it("imports effect and the core as packages, so that an application shares them", () => {
    const otaClient = readFileSync(join(PACKAGE_DIR, "dist/OtaClient.js"), "utf8")
    expect(otaClient).toMatch(/from "effect\/Layer"/)
    expect(otaClient).toMatch(/from "@iot-ota\/core\/RpcClient"/)
    expect(readFileSync(join(PACKAGE_DIR, "dist/effect.js"), "utf8")).toContain('from "./OtaClient.js"')
  })
})
