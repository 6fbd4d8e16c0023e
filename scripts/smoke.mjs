// Release smoke test: what a user gets from the registry, checked before anything is published.
//
//  1. `pnpm pack` every publishable package (workspace: and catalog: ranges become real ones).
//  2. Install the tarballs with plain npm into a clean project outside the repository.
//  3. From that project: an ESM script starts the packed emulator and lists a job with @iot-ota/node; a
//     CommonJS script `require`s @iot-ota/node and makes a call; `npx ota --help`, `npx ota-emulator --help`
//     and `ota tasks list --all` against the emulator; Deno imports the packed @iot-ota/edge and lists a job.
//  3b. Each package alone: a clean project per package gets its tarball and only what it requires (the
//     tarballs of the workspace packages it depends on, and what npm installs for them: peers included,
//     optional peers not). Every entry must load there (an optional peer's subpath must fail by naming it),
//     the clients make a call, and for @iot-ota/node and @iot-ota/edge a user's `tsc` with
//     `skipLibCheck: false` and no @types/node must find no error in their types.
//  4. In a copy of the repository, `changeset version` (three rounds) must write the versions, the
//     per-package CHANGELOG.md entries and the internal dependency ranges the configuration promises.
//     The real changesets are consumed in the copy only.
//
// Needs built packages (`pnpm build`) and the npm registry for third-party dependencies (effect, undici, …).
// Usage: node scripts/smoke.mjs [--keep]   (--keep leaves the temporary directory for inspection)
import { execFileSync, spawn } from "node:child_process"
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync
} from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { dirname, join, relative } from "node:path"
import { pathToFileURL } from "node:url"
import { pack, publishablePackages, root } from "./lib/workspace.mjs"

const keep = process.argv.includes("--keep")
const JOB_ID = "smoke-job-7glPHmaDYLAYMD1"
const TASKS = 1234
const started = performance.now()
const work = mkdtempSync(join(tmpdir(), "iot-ota-smoke-"))
const packages = publishablePackages()

const step = (title) => {
  const seconds = ((performance.now() - started) / 1000).toFixed(1)
  console.log(`\n== [${seconds}s] ${title}`)
}

class SmokeFailure extends Error {}
const check = (ok, message) => {
  if (!ok) throw new SmokeFailure(message)
}

/** Runs a command to completion; resolves with its output, rejects with it when the exit code is not 0. */
const exec = (command, args, options = {}) =>
  new Promise((resolve, reject) => {
    const { timeoutMs = 120_000, input, ...spawnOptions } = options
    const child = spawn(command, args, { stdio: ["pipe", "pipe", "pipe"], ...spawnOptions })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk) => {
      stdout += chunk
    })
    child.stderr.on("data", (chunk) => {
      stderr += chunk
    })
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs)
    child.on("error", reject)
    child.on("close", (code, signal) => {
      clearTimeout(timer)
      const shown = `${command} ${args.join(" ")}`
      if (code === 0) resolve({ stdout, stderr })
      else
        reject(
          new SmokeFailure(
            `${shown} exited with ${code ?? signal}${signal === "SIGKILL" ? ` (killed after ${timeoutMs} ms)` : ""}\n` +
              `--- stdout\n${stdout}\n--- stderr\n${stderr}`
          )
        )
    })
    child.stdin.end(input ?? "")
  })

const readJson = (path) => JSON.parse(readFileSync(path, "utf8"))
const tarManifest = (tarball) =>
  JSON.parse(execFileSync("tar", ["-xzOf", tarball, "package/package.json"], { encoding: "utf8" }))

// ---------------------------------------------------------------------------------------------------------

const packAll = () => {
  step(`pack ${packages.length} packages`)
  for (const pkg of packages) {
    const entry = pkg.manifest.exports?.["."]
    const built = join(pkg.dir, "dist", "index.js")
    check(
      existsSync(built),
      `${pkg.name} is not built (${relative(root, built)} missing): run pnpm build first`
    )
    check(entry !== undefined, `${pkg.name} has no "." export`)
  }
  const tarballDir = join(work, "tarballs")
  mkdirSync(tarballDir)
  const tarballs = new Map()
  for (const pkg of packages) tarballs.set(pkg.name, pack(pkg.dir, tarballDir))
  const versions = new Map(packages.map((pkg) => [pkg.name, pkg.manifest.version]))
  for (const [name, tarball] of tarballs) {
    const manifest = tarManifest(tarball)
    for (const field of ["dependencies", "peerDependencies", "optionalDependencies", "devDependencies"]) {
      for (const [dep, range] of Object.entries(manifest[field] ?? {})) {
        check(
          !/^(workspace|catalog):/.test(range),
          `${name}: ${field}.${dep} is still "${range}" in the tarball`
        )
        if (versions.has(dep)) {
          check(
            range === `^${versions.get(dep)}`,
            `${name}: ${field}.${dep} is "${range}" in the tarball, expected ^${versions.get(dep)}`
          )
        }
      }
    }
    console.log(`${relative(work, tarball)}  ${manifest.name}@${manifest.version}`)
  }
  return tarballs
}

const installProject = async (tarballs) => {
  step("install the tarballs into a clean project with npm")
  const project = join(work, "project")
  mkdirSync(project)
  writeFileSync(
    join(project, "package.json"),
    `${JSON.stringify({ name: "iot-ota-smoke", version: "1.0.0", private: true, type: "module" }, null, 2)}\n`
  )
  const { stdout } = await exec(
    "npm",
    ["install", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error", ...tarballs.values()],
    // A project outside the repository, so nothing resolves to the workspace's node_modules; the usual npm
    // cache is reused between runs.
    { cwd: project, timeoutMs: 180_000, env: { ...process.env, npm_config_update_notifier: "false" } }
  )
  process.stdout.write(stdout)
  for (const pkg of packages) {
    const installed = join(project, "node_modules", pkg.name, "package.json")
    check(existsSync(installed), `${pkg.name} is not in the project's node_modules`)
    check(
      readJson(installed).version === pkg.manifest.version,
      `${pkg.name}: the installed copy is not the packed one`
    )
  }
  const nested = execFileSync(
    "find",
    [join(project, "node_modules"), "-path", "*/node_modules/@iot-ota/*/node_modules/@iot-ota", "-prune"],
    {
      encoding: "utf8"
    }
  ).trim()
  check(nested === "", `npm installed a second copy of a workspace package:\n${nested}`)
  return project
}

const startEmulator = async (project) => {
  // The emulator of the CommonJS, CLI and Deno steps: the packed one too, loaded from the project.
  const entry = createRequire(join(project, "package.json")).resolve("@iot-ota/emulator")
  check(
    entry.startsWith(join(project, "node_modules")),
    `@iot-ota/emulator resolved outside the project: ${entry}`
  )
  const emulator = await import(pathToFileURL(entry).href)
  const emu = await emulator.startEmulator({ jobs: [{ jobId: JOB_ID, tasks: TASKS }], qps: 0 })
  const expected = new Set(emu.tasks(JOB_ID).map((task) => task.TaskId))
  check(expected.size === TASKS, `the emulator serves ${expected.size} tasks, expected ${TASKS}`)
  return { emu, expected, credentials: emu.credentials[0] }
}

const clientEnv = ({ emu, credentials }) => ({
  ...process.env,
  OTA_ENDPOINT: emu.url,
  OTA_ACCESS_KEY_ID: credentials.accessKeyId,
  OTA_ACCESS_KEY_SECRET: credentials.accessKeySecret,
  SMOKE_JOB_ID: JOB_ID,
  // No profile file of the person running this is read.
  HOME: join(work, "home"),
  NO_COLOR: "1"
})

// Self-contained, as a user's test would be: its own emulator, from the installed package.
const ESM_SCRIPT = `import { startEmulator } from "@iot-ota/emulator"
import { isOtaError, OtaClient } from "@iot-ota/node"

const jobId = "esm-job-7glPHmaDYLAYMD1"
const emu = await startEmulator({ jobs: [{ jobId, tasks: ${TASKS} }], seed: 11 })
const [pair] = emu.credentials
const client = new OtaClient({ endpoint: emu.url, ...pair })
try {
  const page = await client.listOTATaskByJob({ jobId, pageSize: 50 })
  const ids = []
  for await (const task of client.paginateOTATaskByJob({ jobId }, { concurrency: 4 })) ids.push(task.taskId)
  const wrong = new OtaClient({ endpoint: emu.url, accessKeyId: pair.accessKeyId, accessKeySecret: "not-the-secret",
    maxAttempts: 1 })
  const rejection = await wrong.listOTATaskByJob({ jobId }).then(() => undefined, (error) => error)
  await wrong.close()
  console.log(JSON.stringify({
    total: page.total, firstPage: page.tasks.length, ids, expected: emu.tasks(jobId).map((task) => task.TaskId),
    wrongSecret: isOtaError(rejection)
      ? { tag: rejection._tag, code: rejection.code, leaked: JSON.stringify(rejection).includes("not-the-secret") }
      : String(rejection)
  }))
} finally {
  await client.close()
  await emu.close()
}
`

const CJS_SCRIPT = `const node = require("@iot-ota/node")

if (typeof node.OtaClient !== "function") throw new Error("require('@iot-ota/node').OtaClient is not a constructor")
const client = new node.OtaClient({ endpoint: process.env.OTA_ENDPOINT })
client
  .listOTATaskByJob({ jobId: process.env.SMOKE_JOB_ID, pageSize: 7 })
  .then((page) => console.log(JSON.stringify({ total: page.total, tasks: page.tasks.length, errors: typeof node.ApiError })))
  .finally(() => client.close())
`

const DENO_SCRIPT = `import { OtaClient } from "@iot-ota/edge"

const client = new OtaClient({
  endpoint: Deno.env.get("OTA_ENDPOINT")!,
  accessKeyId: Deno.env.get("OTA_ACCESS_KEY_ID")!,
  accessKeySecret: Deno.env.get("OTA_ACCESS_KEY_SECRET")!
})
try {
  const jobId = Deno.env.get("SMOKE_JOB_ID")!
  const page = await client.listOTATaskByJob({ jobId, pageSize: 10 })
  const ids: string[] = []
  for await (const task of client.paginateOTATaskByJob({ jobId })) ids.push(task.taskId)
  console.log(JSON.stringify({ total: page.total, ids, deno: Deno.version.deno }))
} finally {
  await client.close()
}
`

const sameTasks = (label, ids, expected) => {
  check(ids.length === expected.size, `${label}: listed ${ids.length} tasks, the job has ${expected.size}`)
  const unique = new Set(ids)
  check(unique.size === ids.length, `${label}: ${ids.length - unique.size} tasks listed twice`)
  for (const id of unique) check(expected.has(id), `${label}: listed a task the job does not have: ${id}`)
}

const lastJsonLine = (label, stdout) => {
  const line = stdout.trim().split("\n").at(-1) ?? ""
  try {
    return JSON.parse(line)
  } catch {
    throw new SmokeFailure(`${label}: expected a JSON line on stdout, got:\n${stdout}`)
  }
}

const runClients = async (project, server) => {
  const env = clientEnv(server)
  mkdirSync(env.HOME)

  step("ESM: a script starts the packed emulator and lists a job with @iot-ota/node")
  writeFileSync(join(project, "list.mjs"), ESM_SCRIPT)
  const esm = lastJsonLine("list.mjs", (await exec("node", ["list.mjs"], { cwd: project, env })).stdout)
  check(esm.total === TASKS, `list.mjs: page.total is ${esm.total}, expected ${TASKS}`)
  check(esm.firstPage === 50, `list.mjs: the first page has ${esm.firstPage} tasks, expected 50`)
  sameTasks("list.mjs paginateOTATaskByJob", esm.ids, new Set(esm.expected))
  check(
    esm.wrongSecret.tag === "ApiError" && esm.wrongSecret.code === "SignatureDoesNotMatch",
    `list.mjs: a wrong secret should reject with ApiError SignatureDoesNotMatch, got ${JSON.stringify(esm.wrongSecret)}`
  )
  check(esm.wrongSecret.leaked === false, "list.mjs: the rejection contains the secret")
  console.log(
    `ok: ${esm.ids.length} tasks, each once; a wrong secret rejects with ApiError SignatureDoesNotMatch`
  )

  step('CommonJS: require("@iot-ota/node")')
  writeFileSync(join(project, "list.cjs"), CJS_SCRIPT)
  const cjs = lastJsonLine("list.cjs", (await exec("node", ["list.cjs"], { cwd: project, env })).stdout)
  check(
    cjs.total === TASKS && cjs.tasks === 7 && cjs.errors === "function",
    `list.cjs: unexpected result ${JSON.stringify(cjs)}`
  )
  console.log(
    `ok: require() loads the ESM build on Node ${process.versions.node}; one call, ${cjs.tasks} tasks`
  )

  step("bins: npx ota --help, npx ota-emulator --help, ota tasks list --all")
  const npx = (args) => exec("npx", ["--no-install", ...args], { cwd: project, env })
  const help = await npx(["ota", "--help"])
  check(/tasks/.test(help.stdout), `ota --help does not mention the tasks command:\n${help.stdout}`)
  const emulatorHelp = await npx(["ota-emulator", "--help"])
  check(/Usage: ota-emulator/.test(emulatorHelp.stdout), "ota-emulator --help printed no usage")
  const listed = await npx(["ota", "tasks", "list", "--job", JOB_ID, "--all", "--output", "ndjson"])
  const cliIds = listed.stdout
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line).taskId)
  sameTasks("ota tasks list --all", cliIds, server.expected)
  console.log(`ok: both bins print their help; ota tasks list --all printed ${cliIds.length} tasks`)

  step("Deno: the packed @iot-ota/edge lists the job")
  const deno = denoExecutable()
  writeFileSync(join(project, "list.deno.ts"), DENO_SCRIPT)
  const { port } = new URL(server.emu.url)
  const denoRun = await exec(
    deno,
    [
      "run",
      "--no-prompt",
      "--no-config",
      // Resolve packages from the project's npm-installed node_modules, as a Deno user of npm packages would.
      "--node-modules-dir=manual",
      `--allow-net=127.0.0.1:${port}`,
      "--allow-env=OTA_ENDPOINT,OTA_ACCESS_KEY_ID,OTA_ACCESS_KEY_SECRET,SMOKE_JOB_ID",
      `--allow-read=${project}`,
      "list.deno.ts"
    ],
    { cwd: project, env: { ...env, DENO_DIR: join(work, "deno-dir"), DENO_NO_UPDATE_CHECK: "1" } }
  )
  const fromDeno = lastJsonLine("list.deno.ts", denoRun.stdout)
  check(fromDeno.total === TASKS, `list.deno.ts: page.total is ${fromDeno.total}, expected ${TASKS}`)
  sameTasks("list.deno.ts", fromDeno.ids, server.expected)
  console.log(`ok: Deno ${fromDeno.deno} listed ${fromDeno.ids.length} tasks, each once`)
}

// ---------------------------------------------------------------------------------------------------------
// each package installed alone

/** The workspace packages `name` depends on (dependencies and peers), itself included, transitively. */
const closure = (name) => {
  const byName = new Map(packages.map((pkg) => [pkg.name, pkg]))
  const seen = new Set()
  const visit = (current) => {
    if (seen.has(current)) return
    seen.add(current)
    const { manifest } = byName.get(current)
    for (const field of ["dependencies", "peerDependencies"])
      for (const dep of Object.keys(manifest[field] ?? {})) if (byName.has(dep)) visit(dep)
  }
  visit(name)
  return [...seen]
}

/**
 * What each package alone must do. `entries`: subpaths that must load; `missingPeer`: subpaths that need an
 * optional peer, which must fail by naming it; `script`: an ESM program run with the emulator's URL and keys in
 * the environment, printing one JSON line checked by `check`; `types`: TypeScript a user would write, checked by
 * tsc without @types/node.
 */
const ALONE = {
  "@iot-ota/core": {
    entries: [".", "./OtaClient", "./Transport", "./Signer", "./ClientConfig"],
    missingPeer: { "./HttpClientTransport": "@effect/platform" }
  },
  "@iot-ota/node": {
    entries: [".", "./effect", "./NodeHttpTransport", "./OtaClient"],
    missingPeer: { "./UndiciTransport": "undici" },
    script: `import { OtaClient } from "@iot-ota/node"
const client = new OtaClient({ endpoint: process.env.OTA_ENDPOINT, env: process.env })
try {
  const page = await client.listOTATaskByJob({ jobId: process.env.SMOKE_JOB_ID, pageSize: 5 })
  console.log(JSON.stringify({ total: page.total, tasks: page.tasks.length }))
} finally {
  await client.close()
}
`,
    types: `import { ApiError, isOtaError, OtaClient, type OtaTask } from "@iot-ota/node"
import { layer } from "@iot-ota/node/effect"
export const client = new OtaClient({ endpoint: "https://iot.cn-shanghai.aliyuncs.com" })
export const tasks: Array<OtaTask> = []
export const guard = (error: unknown): boolean => isOtaError(error) || error instanceof ApiError
export const live = layer({ endpoint: "https://iot.cn-shanghai.aliyuncs.com" })
`
  },
  "@iot-ota/edge": {
    entries: [".", "./effect"],
    missingPeer: {},
    script: `import { OtaClient } from "@iot-ota/edge"
const client = new OtaClient({ env: process.env })
try {
  const page = await client.listOTATaskByJob({ jobId: process.env.SMOKE_JOB_ID, pageSize: 5 })
  console.log(JSON.stringify({ total: page.total, tasks: page.tasks.length }))
} finally {
  await client.close()
}
`,
    types: `import { isOtaError, OtaClient, type OtaTaskPage } from "@iot-ota/edge"
import { layer } from "@iot-ota/edge/effect"
export const client = new OtaClient({ env: { OTA_ENDPOINT: "https://iot.cn-shanghai.aliyuncs.com" } })
export const page = (): Promise<OtaTaskPage> => client.listOTATaskByJob({ jobId: "job-1" })
export const guard = (error: unknown): boolean => isOtaError(error)
export const live = layer({ env: {} })
`
  },
  "@iot-ota/emulator": { entries: [".", "./Emulator"], missingPeer: {} },
  "@iot-ota/cli": { entries: ["."], missingPeer: {}, bin: ["ota", "--help"] }
}

const TSCONFIG = {
  compilerOptions: {
    target: "ES2022",
    module: "NodeNext",
    moduleResolution: "NodeNext",
    strict: true,
    skipLibCheck: false,
    noEmit: true,
    // No @types/node (none is installed either): what a user of the edge client, or a strict Node user, has.
    types: []
  },
  files: ["check.ts"]
}

const runAlone = async (tarballs, server) => {
  const env = clientEnv(server)
  for (const [name, plan] of Object.entries(ALONE)) {
    step(`${name} installed alone`)
    const members = closure(name)
    const project = join(work, `alone-${name.replace("@iot-ota/", "")}`)
    mkdirSync(project)
    writeFileSync(
      join(project, "package.json"),
      `${JSON.stringify({ name: "iot-ota-smoke-alone", version: "1.0.0", private: true, type: "module" }, null, 2)}\n`
    )
    await exec(
      "npm",
      [
        "install",
        "--no-audit",
        "--no-fund",
        "--ignore-scripts",
        "--loglevel=error",
        ...members.map((member) => tarballs.get(member))
      ],
      { cwd: project, timeoutMs: 180_000, env: { ...process.env, npm_config_update_notifier: "false" } }
    )
    const installed = readdirSync(join(project, "node_modules"))
    console.log(`installed ${members.join(", ")}: node_modules has ${installed.length} entries`)
    for (const peer of Object.values(plan.missingPeer)) {
      check(
        !existsSync(join(project, "node_modules", peer)),
        `${name}: the optional peer ${peer} was installed`
      )
    }
    const specifier = (subpath) => (subpath === "." ? name : `${name}/${subpath.slice(2)}`)
    const probe = `const results = {}
for (const specifier of ${JSON.stringify(plan.entries.map(specifier))}) {
  const module = await import(specifier)
  results[specifier] = Object.keys(module).length
}
for (const [specifier, peer] of ${JSON.stringify(Object.entries(plan.missingPeer).map(([subpath, peer]) => [specifier(subpath), peer]))}) {
  results[specifier] = await import(specifier).then(() => "loaded", (error) => (String(error.message).includes(peer) ? "names " + peer : String(error)))
}
console.log(JSON.stringify(results))
`
    writeFileSync(join(project, "probe.mjs"), probe)
    const loaded = lastJsonLine(
      `${name} probe.mjs`,
      (await exec("node", ["probe.mjs"], { cwd: project, env })).stdout
    )
    for (const subpath of plan.entries) {
      check(loaded[specifier(subpath)] > 0, `${name}: ${specifier(subpath)} exports nothing`)
    }
    for (const [subpath, peer] of Object.entries(plan.missingPeer)) {
      check(
        loaded[specifier(subpath)] === `names ${peer}`,
        `${name}: ${specifier(subpath)} without ${peer} should fail naming it, got: ${loaded[specifier(subpath)]}`
      )
    }
    console.log(`ok: ${JSON.stringify(loaded)}`)
    if (plan.script !== undefined) {
      writeFileSync(join(project, "call.mjs"), plan.script)
      const called = lastJsonLine(
        `${name} call.mjs`,
        (await exec("node", ["call.mjs"], { cwd: project, env })).stdout
      )
      check(
        called.total === TASKS && called.tasks === 5,
        `${name} call.mjs: unexpected result ${JSON.stringify(called)}`
      )
      console.log(`ok: one call, ${called.tasks} of ${called.total} tasks`)
    }
    if (plan.types !== undefined) {
      check(!existsSync(join(project, "node_modules/@types/node")), `${name}: @types/node was installed`)
      writeFileSync(join(project, "check.ts"), plan.types)
      writeFileSync(join(project, "tsconfig.json"), JSON.stringify(TSCONFIG, null, 2))
      const tsc = join(root, "node_modules", "typescript", "bin", "tsc")
      await exec("node", [tsc, "-p", "tsconfig.json"], { cwd: project }).catch((error) => {
        throw new SmokeFailure(
          `${name}: tsc (skipLibCheck: false, no @types/node) found errors:\n${error.message}`
        )
      })
      console.log("ok: tsc with skipLibCheck: false and no @types/node finds no error")
    }
    if (plan.bin !== undefined) {
      const [bin, ...args] = plan.bin
      const out = await exec("npx", ["--no-install", bin, ...args], { cwd: project, env })
      check(out.stdout.length > 0, `${name}: ${plan.bin.join(" ")} printed nothing`)
      console.log(`ok: ${plan.bin.join(" ")}`)
    }
  }
}

const denoExecutable = () => {
  // The `deno` npm package (a devDependency of @iot-ota/edge) ships the binary.
  const dir = dirname(createRequire(join(root, "packages/edge/package.json")).resolve("deno/package.json"))
  const exe = join(dir, process.platform === "win32" ? "deno.exe" : "deno")
  check(existsSync(exe), `no deno binary at ${exe}; run pnpm install`)
  return exe
}

// ---------------------------------------------------------------------------------------------------------
// changeset version in a copy of the repository

const BUMPS = ["patch", "minor", "major"]
const parseVersion = (version) => {
  const match = /^(\d+)\.(\d+)\.(\d+)$/.exec(version)
  check(match !== null, `cannot handle version "${version}" (pre-releases are not modelled here)`)
  return match.slice(1).map(Number)
}
const increment = (version, bump) => {
  const [major, minor, patch] = parseVersion(version)
  if (bump === "major") return `${major + 1}.0.0`
  if (bump === "minor") return `${major}.${minor + 1}.0`
  return `${major}.${minor}.${patch + 1}`
}
/** Whether `version` satisfies `^base`. */
const inCaretRange = (version, base) => {
  const [vMajor, vMinor, vPatch] = parseVersion(version)
  const [bMajor, bMinor, bPatch] = parseVersion(base)
  const v = vMajor * 1e12 + vMinor * 1e6 + vPatch
  const b = bMajor * 1e12 + bMinor * 1e6 + bPatch
  if (v < b) return false
  if (bMajor > 0) return vMajor === bMajor
  if (bMinor > 0) return vMajor === 0 && vMinor === bMinor
  return v === b
}
const maxBump = (a, b) =>
  a === undefined ? b : b === undefined ? a : BUMPS.indexOf(a) > BUMPS.indexOf(b) ? a : b

const readChangesets = (dir) =>
  readdirSync(join(dir, ".changeset"))
    .filter((file) => file.endsWith(".md") && file !== "README.md")
    .map((file) => {
      const text = readFileSync(join(dir, ".changeset", file), "utf8")
      const match = /^---\n([\s\S]*?)\n---\n([\s\S]*)$/.exec(text)
      check(match !== null, `.changeset/${file} has no front matter`)
      const releases = new Map()
      for (const line of match[1].split("\n").filter((l) => l.trim() !== "")) {
        const entry = /^\s*["']?([^"':]+)["']?\s*:\s*(patch|minor|major)\s*$/.exec(line)
        check(entry !== null, `.changeset/${file}: cannot read "${line}"`)
        releases.set(entry[1], entry[2])
      }
      return { file, releases, summary: match[2].trim().split("\n")[0] }
    })

/**
 * What `changeset version` must produce, from the configuration's rules: each package takes its highest bump;
 * a fixed group moves together, to one version; a package whose production or peer dependency leaves the
 * `workspace:^` range (`^` of the dependency's current version) takes at least a patch. Ignored and private
 * packages do not move. Returns Map<name, { bump, version }>.
 */
const expectedReleases = (manifests, changesets, config) => {
  const ignored = new Set(config.ignore ?? [])
  const bumps = new Map()
  for (const changeset of changesets)
    for (const [name, bump] of changeset.releases) bumps.set(name, maxBump(bumps.get(name), bump))
  const versionOf = (name) => manifests.get(name).version
  const next = (name) => (bumps.has(name) ? increment(versionOf(name), bumps.get(name)) : versionOf(name))
  for (let changed = true; changed; ) {
    changed = false
    const raise = (name, bump) => {
      if (ignored.has(name) || manifests.get(name).private === true) return
      const raised = maxBump(bumps.get(name), bump)
      if (raised !== bumps.get(name)) {
        bumps.set(name, raised)
        changed = true
      }
    }
    for (const group of config.fixed ?? []) {
      const groupBump = group.map((name) => bumps.get(name)).reduce(maxBump, undefined)
      if (groupBump !== undefined) for (const name of group) raise(name, groupBump)
    }
    for (const [name, manifest] of manifests) {
      for (const field of ["dependencies", "peerDependencies", "optionalDependencies"]) {
        for (const [dep, range] of Object.entries(manifest[field] ?? {})) {
          if (!manifests.has(dep) || !bumps.has(dep)) continue
          check(
            range === "workspace:^",
            `${name}: ${field}.${dep} is "${range}"; the model expects workspace:^`
          )
          if (!inCaretRange(next(dep), versionOf(dep))) raise(name, "patch")
        }
      }
    }
  }
  for (const group of config.fixed ?? []) {
    const members = group.filter((name) => bumps.has(name))
    const versions = new Set(members.map((name) => versionOf(name)))
    check(versions.size <= 1, `fixed group ${group.join(", ")} does not share one version: ${[...versions]}`)
  }
  return new Map([...bumps].map(([name, bump]) => [name, { bump, version: next(name) }]))
}

const copyRepository = () => {
  const copy = join(work, "repo")
  const files = execFileSync("git", ["ls-files", "-coz", "--exclude-standard"], {
    cwd: root,
    encoding: "utf8"
  })
    .split("\0")
    .filter((file) => file !== "" && existsSync(join(root, file)))
  for (const file of files) {
    mkdirSync(dirname(join(copy, file)), { recursive: true })
    cpSync(join(root, file), join(copy, file))
  }
  return copy
}

const versionRound = async (copy, label, addChangeset) => {
  step(`changeset version in a copy: ${label}`)
  if (addChangeset !== undefined)
    writeFileSync(join(copy, ".changeset", addChangeset.file), addChangeset.text)
  const config = readJson(join(copy, ".changeset", "config.json"))
  const manifestPaths = new Map(
    packages.map((pkg) => [pkg.name, join(copy, relative(root, pkg.dir), "package.json")])
  )
  const before = new Map([...manifestPaths].map(([name, path]) => [name, readJson(path)]))
  const changesets = readChangesets(copy)
  const expected = expectedReleases(before, changesets, config)
  if (expected.size === 0) {
    console.log("no pending changesets: nothing to version")
    return
  }
  // The copy's root node_modules is a link to the real one: changesets loads its changelog formatter there.
  await exec(join(root, "node_modules", ".bin", "changeset"), ["version"], { cwd: copy })
  check(readChangesets(copy).length === 0, "changeset version left changesets behind")
  for (const [name, path] of manifestPaths) {
    const after = readJson(path)
    const want = expected.get(name)?.version ?? before.get(name).version
    check(after.version === want, `${name}: version ${after.version}, expected ${want}`)
    const changelogPath = join(dirname(path), "CHANGELOG.md")
    if (!expected.has(name)) {
      console.log(`${name}: stays ${after.version}`)
      continue
    }
    check(existsSync(changelogPath), `${name}: no CHANGELOG.md after a release`)
    const changelog = readFileSync(changelogPath, "utf8")
    const section = changelog.split(/^## /m).find((part) => part.startsWith(`${want}\n`))
    check(section !== undefined, `${name}: CHANGELOG.md has no "## ${want}" section`)
    for (const changeset of changesets.filter((c) => c.releases.has(name))) {
      check(
        section.includes(changeset.summary),
        `${name}: CHANGELOG.md ${want} lacks the summary of .changeset/${changeset.file}`
      )
    }
    const heading = { major: "### Major Changes", minor: "### Minor Changes", patch: "### Patch Changes" }
    if (changesets.some((c) => c.releases.has(name))) {
      check(
        section.includes(heading[expected.get(name).bump]),
        `${name}: CHANGELOG.md ${want} lacks its heading`
      )
    }
    for (const field of ["dependencies", "peerDependencies", "optionalDependencies"]) {
      for (const dep of Object.keys(after[field] ?? {}).filter((dep) => expected.has(dep))) {
        check(
          section.includes(`${dep}@${expected.get(dep).version}`),
          `${name}: CHANGELOG.md ${want} does not name the updated dependency ${dep}@${expected.get(dep).version}`
        )
      }
    }
    console.log(
      `${name}: ${before.get(name).version} -> ${after.version} (${expected.get(name).bump}), CHANGELOG.md ok`
    )
  }
  for (const group of config.fixed ?? []) {
    const versions = new Set(group.map((name) => readJson(manifestPaths.get(name)).version))
    check(versions.size === 1, `fixed group ${group.join(", ")} split: ${[...versions].join(", ")}`)
  }
  await checkPackedRanges(manifestPaths, expected)
}

/** Packs the released packages of the copy and checks their internal ranges name the new versions. */
const checkPackedRanges = async (manifestPaths, expected) => {
  const versions = new Map([...manifestPaths].map(([name, path]) => [name, readJson(path).version]))
  const destination = mkdtempSync(join(work, "copy-pack-"))
  for (const [name] of expected) {
    const dir = dirname(manifestPaths.get(name))
    const manifest = readJson(manifestPaths.get(name))
    // pnpm resolves workspace: ranges through the linked packages; link them as `pnpm install` would.
    for (const field of ["dependencies", "devDependencies", "peerDependencies", "optionalDependencies"]) {
      for (const dep of Object.keys(manifest[field] ?? {})) {
        if (!manifestPaths.has(dep)) continue
        const link = join(dir, "node_modules", dep)
        if (existsSync(link)) continue
        mkdirSync(dirname(link), { recursive: true })
        symlinkSync(relative(dirname(link), dirname(manifestPaths.get(dep))), link)
      }
    }
    const packed = tarManifest(pack(dir, destination))
    for (const field of ["dependencies", "peerDependencies", "optionalDependencies"]) {
      for (const [dep, range] of Object.entries(packed[field] ?? {})) {
        if (!versions.has(dep)) continue
        check(
          range === `^${versions.get(dep)}`,
          `${name}@${packed.version}: ${dep} is "${range}", expected ^${versions.get(dep)}`
        )
      }
    }
  }
  console.log(`packed ${expected.size} released packages: internal dependency ranges name the new versions`)
}

const checkVersioning = async () => {
  const copy = copyRepository()
  symlinkSync(join(root, "node_modules"), join(copy, "node_modules"))
  const fixed = readJson(join(copy, ".changeset", "config.json")).fixed?.[0]
  check(fixed !== undefined && fixed.length > 1, "the changesets configuration has no fixed group")
  const [leader] = fixed
  await versionRound(copy, "the repository's pending changesets")
  await versionRound(copy, `a patch of ${leader} only`, {
    file: "smoke-patch.md",
    text: `---\n"${leader}": patch\n---\n\nSmoke test: a patch of ${leader}.\n`
  })
  await versionRound(copy, `a major of ${leader} only`, {
    file: "smoke-major.md",
    text: `---\n"${leader}": major\n---\n\nSmoke test: a breaking change of ${leader}.\n`
  })
}

// ---------------------------------------------------------------------------------------------------------

let failed = false
let server
try {
  const tarballs = packAll()
  const project = await installProject(tarballs)
  server = await startEmulator(project)
  await runClients(project, server)
  await runAlone(tarballs, server)
  await server.emu.close()
  server = undefined
  await checkVersioning()
} catch (error) {
  failed = true
  console.error(
    `\nsmoke test FAILED: ${error instanceof SmokeFailure ? error.message : (error?.stack ?? error)}`
  )
} finally {
  await server?.emu.close()
  if (failed || keep) console.error(`temporary files kept in ${work}`)
  else rmSync(work, { recursive: true, force: true })
}
step(failed ? "smoke test failed" : "smoke test passed")
process.exitCode = failed ? 1 : 0
