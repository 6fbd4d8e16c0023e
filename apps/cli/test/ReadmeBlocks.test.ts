/**
 * The READMEs' code blocks run as written (scripts/readme-blocks.mjs): every
 * TypeScript block that is not skipped type-checks, and every runnable block
 * exits 0 against a local emulator given through OTA_ENDPOINT and the key
 * variables. Blocks that cannot run say why in an annotation; the count of
 * each kind and the reasons are printed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  extractBlocks,
  type ReadmeBlock,
  runBlock,
  startReadmeEmulator,
  summarize,
  typecheckBlocks
} from "../../../scripts/readme-blocks.mjs"

const blocks = extractBlocks()
let typeErrors: Map<string, Array<string>>
let emulator: Awaited<ReturnType<typeof startReadmeEmulator>>

beforeAll(async () => {
  typeErrors = typecheckBlocks(blocks)
  emulator = await startReadmeEmulator()
  console.log(summarize(blocks))
}, 120_000)

afterAll(async () => {
  await emulator?.emulator.close()
})

const failure = (block: ReadmeBlock, result: Awaited<ReturnType<typeof runBlock>>): string =>
  `${block.id} ${result.timedOut ? "did not exit: something (a server, a client) was left open" : `exited ${result.code ?? result.signal}`}\n${result.stdout}\n${result.stderr}`

describe("README code blocks", () => {
  it("are found in every README, each runnable or annotated with a reason", () => {
    const files = new Set(blocks.map((block) => block.file))
    for (const file of [
      "README.md",
      "apps/cli/README.md",
      "packages/node/README.md",
      "packages/emulator/README.md"
    ]) {
      expect(files).toContain(file)
    }
    for (const block of blocks) if (block.mode !== "run") expect(block.reason, block.id).toBeTruthy()
    expect(blocks.filter((block) => block.mode === "run").length).toBeGreaterThan(5)
  })

  it.each(
    blocks
      .filter((block) => block.lang === "ts" && block.mode !== "skip")
      .map((block) => [block.id, block] as const)
  )("%s type-checks", (_, block) => {
    expect(typeErrors.get(block.id)).toEqual([])
  })

  it.each(blocks.filter((block) => block.mode === "run").map((block) => [block.id, block] as const))(
    "%s runs as written",
    async (_, block) => {
      const result = await runBlock(block, { env: emulator.env, timeoutMs: 60_000 })
      expect(result.code === 0 && !result.timedOut, failure(block, result)).toBe(true)
    },
    90_000
  )
})

describe("the harness itself", () => {
  const block = (code: string, lang: ReadmeBlock["lang"] = "ts"): ReadmeBlock => ({
    id: "synthetic.md:1",
    file: "synthetic.md",
    line: 1,
    lang,
    code,
    mode: "run",
    reason: undefined
  })

  it("fails a block that leaves the emulator open (pasted without `await emu.close()` it never exits)", async () => {
    const open = block(
      'import { startEmulator } from "@iot-ota/emulator"\nconst emu = await startEmulator({})\nconsole.log(emu.url)\n'
    )
    const result = await runBlock(open, { timeoutMs: 5_000 })
    expect(result.timedOut).toBe(true)
    const closed = block(`${open.code}await emu.close()\n`)
    expect(await runBlock(closed, { timeoutMs: 30_000 })).toMatchObject({ code: 0, timedOut: false })
  }, 60_000)

  it("reports a block that uses a name it does not import", () => {
    const errors = typecheckBlocks([
      block('const client = new OtaClient({ endpoint: "http://127.0.0.1:1" })\n')
    ])
    expect(errors.get("synthetic.md:1")?.join("\n")).toMatch(/Cannot find name 'OtaClient'/)
  })

  it("runs shell blocks with `ota` on the PATH and the emulator in the environment", async () => {
    const result = await runBlock(
      block("ota tasks list --job job-1 --page-size 3 -o ndjson | wc -l\n", "sh"),
      {
        env: emulator.env
      }
    )
    expect(result).toMatchObject({ code: 0, timedOut: false })
    expect(result.stdout.trim()).toBe("3")
  })
})
