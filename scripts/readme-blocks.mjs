// The code blocks of the READMEs, checked as a reader would use them: every ```ts / ```js / ```sh block
// of README.md, packages/*/README.md, apps/cli/README.md and docs/drill-down.md is extracted; the TypeScript ones are
// type-checked together (each as its own module, against the workspace sources), and every runnable
// block is executed as written against a local emulator whose endpoint and key are in the environment
// (OTA_ENDPOINT, OTA_ACCESS_KEY_ID, OTA_ACCESS_KEY_SECRET), with `ota` on the PATH. A block that cannot
// run that way says so in an HTML comment on the line before its fence, with the reason:
//
//   <!-- readme-test: skip (needs an account) -->            neither type-checked nor run
//   <!-- readme-test: typecheck-only (a vitest file) -->     type-checked, not run
//
// A block runs in a fresh temporary directory, must exit 0 within the time limit (a block that leaves
// a server or a client open never exits, and fails), and TS/JS blocks resolve packages from
// apps/cli/node_modules (the built packages).
//
// Usage: node scripts/readme-blocks.mjs [--list] [--no-run]
//   --list     print the blocks and what would be done with each, then stop
//   --no-run   type-check only
// The CLI's test suite runs the same checks (apps/cli/test/ReadmeBlocks.test.ts).
import { spawn } from "node:child_process"
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync
} from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import ts from "typescript"

/** The repository root. */
export const root = resolve(fileURLToPath(new URL("..", import.meta.url)))

/** Where blocks are type-checked and run from: a package that depends on every other one. */
export const hostDir = join(root, "apps", "cli")

/** The product and firmware the READMEs' drill-down examples use (its devices: thermo-00001, ...). */
export const README_PRODUCTS = [{ productKey: "a1GUfrM3kLp" }]
export const README_FIRMWARE = [
  {
    firmwareId: "UfuxnwygsuSkVE0VCNmx0100",
    productKey: "a1GUfrM3kLp",
    destVersion: "2.4.1",
    srcVersion: "2.4.0"
  }
]

/** Job ids the READMEs use, served by the emulator the blocks run against: both jobs of that firmware. */
export const README_JOBS = [
  // A short rollout, so that `ota tasks watch` in a README ends.
  {
    jobId: "7glPHmaDYLAYMD1HHutT02",
    tasks: 240,
    firmwareId: "UfuxnwygsuSkVE0VCNmx0100",
    name: "2.4.1 canary",
    rollout: { durationMs: 3000, failureRate: 0.1 }
  },
  { jobId: "job-1", tasks: 500, firmwareId: "UfuxnwygsuSkVE0VCNmx0100", name: "2.4.1 fleet-wide" }
]

const LANGUAGES = {
  ts: "ts",
  typescript: "ts",
  js: "js",
  javascript: "js",
  sh: "sh",
  bash: "sh",
  shell: "sh"
}
const ANNOTATION = /^<!--\s*readme-test:\s*(skip|typecheck-only)\s*(?:\((.*)\))?\s*-->$/

/** README.md, then apps/cli/README.md, docs/drill-down.md and packages/*\/README.md, as paths relative to the root. */
export const readmeFiles = () => {
  const files = ["README.md", "apps/cli/README.md"]
  if (existsSync(join(root, "docs", "drill-down.md"))) files.push("docs/drill-down.md")
  for (const entry of readdirSync(join(root, "packages"), { withFileTypes: true })) {
    if (entry.isDirectory() && existsSync(join(root, "packages", entry.name, "README.md"))) {
      files.push(`packages/${entry.name}/README.md`)
    }
  }
  return files
}

/**
 * The blocks of the given READMEs: `{ id, file, line, lang, code, mode, reason }`, where `mode` is
 * `run`, `typecheck-only` or `skip`. Blocks in other languages (ini, toml, plain) are left out. Throws on
 * an annotation without a reason or in front of nothing.
 */
export const extractBlocks = (files = readmeFiles()) => {
  const blocks = []
  for (const file of files) {
    const lines = readFileSync(join(root, file), "utf8").split("\n")
    for (let i = 0; i < lines.length; i++) {
      const open = /^(\s*)```(\w*)\s*$/.exec(lines[i])
      if (open === null) continue
      const end = lines.findIndex((line, j) => j > i && line.trim() === "```")
      if (end === -1) throw new Error(`${file}:${i + 1}: a code block that is never closed`)
      const lang = LANGUAGES[open[2].toLowerCase()]
      const previous = lines[i - 1]?.trim() ?? ""
      const annotation = ANNOTATION.exec(previous)
      if (previous.startsWith("<!--") && previous.includes("readme-test") && annotation === null) {
        throw new Error(
          `${file}:${i}: unreadable annotation ${previous} (expected skip or typecheck-only, with a reason)`
        )
      }
      if (annotation !== null && (annotation[2] === undefined || annotation[2].trim() === "")) {
        throw new Error(`${file}:${i}: the annotation needs a reason in parentheses`)
      }
      if (lang !== undefined) {
        blocks.push({
          id: `${file}:${i + 1}`,
          file,
          line: i + 1,
          lang,
          code: `${lines.slice(i + 1, end).join("\n")}\n`,
          mode: annotation === null ? "run" : annotation[1],
          reason: annotation?.[2]?.trim()
        })
      }
      i = end
    }
  }
  return blocks
}

const compilerOptions = () => {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    join(hostDir, "tsconfig.json"),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n"))
      }
    }
  )
  return { ...parsed.options, noEmit: true }
}

const virtualName = (block) => join(hostDir, "__readme__", `${block.id.replace(/[^\w]+/g, "_")}.ts`)

/**
 * Type-checks the TypeScript blocks that are not skipped, each as a module placed in apps/cli (so
 * `@iot-ota/*` resolve to the workspace sources). Returns a map from block id to its error messages
 * (empty when it checks).
 */
export const typecheckBlocks = (blocks) => {
  const checked = blocks.filter((block) => block.lang === "ts" && block.mode !== "skip")
  const files = new Map(checked.map((block) => [virtualName(block), block]))
  const options = compilerOptions()
  const host = ts.createCompilerHost(options)
  const { getSourceFile, fileExists, readFile } = host
  const program = ts.createProgram({
    rootNames: [...files.keys()],
    options,
    host: {
      ...host,
      fileExists: (name) => files.has(name) || fileExists.call(host, name),
      readFile: (name) => files.get(name)?.code ?? readFile.call(host, name),
      getSourceFile: (name, version, ...rest) => {
        const block = files.get(name)
        return block === undefined
          ? getSourceFile.call(host, name, version, ...rest)
          : ts.createSourceFile(name, block.code, version, true)
      }
    }
  })
  const errors = new Map(checked.map((block) => [block.id, []]))
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const block = diagnostic.file === undefined ? undefined : files.get(diagnostic.file.fileName)
    if (block === undefined) continue
    const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start ?? 0)
    errors
      .get(block.id)
      .push(
        `${block.file}:${block.line + 1 + line}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n")}`
      )
  }
  return errors
}

/** A directory holding an `ota` that runs this checkout's CLI, for the PATH of shell blocks. */
const otaShim = (dir) => {
  const bin = join(dir, "bin")
  mkdirSync(bin, { recursive: true })
  writeFileSync(
    join(bin, "ota"),
    `#!/bin/sh\nexec "${process.execPath}" "${join(hostDir, "bin", "ota.js")}" "$@"\n`
  )
  chmodSync(join(bin, "ota"), 0o755)
  return bin
}

/**
 * Runs one block as written, in a temporary directory, with `env` added to a clean environment (PATH,
 * a temporary HOME, no profile file). Resolves to `{ code, signal, stdout, stderr, timedOut }`.
 */
export const runBlock = (block, { env = {}, timeoutMs = 60_000 } = {}) => {
  const work = mkdtempSync(join(tmpdir(), "readme-block-"))
  // Modules live under apps/cli/node_modules so that bare imports resolve to the built packages.
  const modules = join(hostDir, "node_modules", ".readme-blocks")
  mkdirSync(modules, { recursive: true })
  const script = join(modules, `${block.id.replace(/[^\w]+/g, "_")}-${process.pid}.mjs`)
  const environment = {
    PATH: `${otaShim(work)}:${process.env.PATH ?? ""}`,
    HOME: work,
    XDG_CONFIG_HOME: join(work, ".config"),
    OTA_PROFILE_FILE: join(work, "no-profile"),
    NO_COLOR: "1",
    ...env
  }
  let command
  let args
  if (block.lang === "sh") {
    command = "sh"
    args = ["-e", "-c", block.code]
  } else {
    const js =
      block.lang === "ts"
        ? ts.transpileModule(block.code, {
            compilerOptions: {
              module: ts.ModuleKind.ESNext,
              target: ts.ScriptTarget.ES2022,
              verbatimModuleSyntax: false
            }
          }).outputText
        : block.code
    writeFileSync(script, js)
    command = process.execPath
    args = [script]
  }
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd: work, env: environment, stdio: ["ignore", "pipe", "pipe"] })
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (chunk) => (stdout += chunk))
    child.stderr.setEncoding("utf8").on("data", (chunk) => (stderr += chunk))
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      child.kill("SIGKILL")
    }, timeoutMs)
    child.on("error", reject)
    child.on("close", (code, signal) => {
      clearTimeout(timer)
      rmSync(work, { recursive: true, force: true })
      rmSync(script, { force: true })
      resolvePromise({ code, signal, stdout, stderr, timedOut })
    })
  })
}

/** One line per outcome: `3 run, 12 type-checked only, 9 skipped`, then the reasons for skipping. */
export const summarize = (blocks) => {
  const count = (mode) => blocks.filter((block) => block.mode === mode).length
  const reasons = new Map()
  for (const block of blocks.filter((b) => b.mode !== "run")) {
    const key = `${block.mode === "skip" ? "skipped" : "type-checked only"}: ${block.reason}`
    reasons.set(key, [...(reasons.get(key) ?? []), block.id])
  }
  return [
    `${blocks.length} blocks: ${count("run")} run, ${count("typecheck-only")} type-checked only, ${count("skip")} skipped`,
    ...[...reasons].map(([reason, ids]) => `  ${reason} (${ids.length}): ${ids.join(", ")}`)
  ].join("\n")
}

/** Starts the emulator the blocks run against (the built @iot-ota/emulator). */
export const startReadmeEmulator = async () => {
  const require = createRequire(join(hostDir, "package.json"))
  const { startEmulator } = await import(pathToFileURL(require.resolve("@iot-ota/emulator")).href)
  const emulator = await startEmulator({
    qps: 0,
    seed: 7,
    products: README_PRODUCTS,
    firmware: README_FIRMWARE,
    jobs: README_JOBS
  })
  const [key] = emulator.credentials
  return {
    emulator,
    env: {
      OTA_ENDPOINT: emulator.url,
      OTA_ACCESS_KEY_ID: key.accessKeyId,
      OTA_ACCESS_KEY_SECRET: key.accessKeySecret
    }
  }
}

const main = async () => {
  const blocks = extractBlocks()
  if (process.argv.includes("--list")) {
    for (const block of blocks)
      console.log(`${block.id} ${block.lang} ${block.mode}${block.reason ? ` (${block.reason})` : ""}`)
    console.log(summarize(blocks))
    return
  }
  let failed = 0
  for (const [id, errors] of typecheckBlocks(blocks)) {
    if (errors.length === 0) continue
    failed++
    console.log(`✗ ${id} does not type-check:\n  ${errors.join("\n  ")}`)
  }
  if (!process.argv.includes("--no-run")) {
    const { emulator, env } = await startReadmeEmulator()
    try {
      for (const block of blocks.filter((b) => b.mode === "run")) {
        const result = await runBlock(block, { env })
        if (result.code === 0 && !result.timedOut) continue
        failed++
        console.log(
          `✗ ${block.id} ${result.timedOut ? "did not exit (something left open?)" : `exited ${result.code ?? result.signal}`}\n${result.stderr}`
        )
      }
    } finally {
      await emulator.close()
    }
  }
  console.log(summarize(blocks))
  console.log(failed === 0 ? "every block checks" : `${failed} blocks failed`)
  process.exitCode = failed === 0 ? 0 : 1
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main()
}
