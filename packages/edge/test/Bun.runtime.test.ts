/**
 * The client in a real Bun (the binary of the `@oven/bun-linux-x64` npm
 * package), bundled with the `bun` export condition, against the emulator
 * over HTTP: a whole-job listing program, and `examples/bun` as the service
 * it is (a Bun server answering `GET /jobs/<jobId>/summary`).
 */
import { spawn } from "node:child_process"
import { existsSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, join } from "node:path"
import { DEFAULT_CREDENTIALS, type Emulator, startEmulator } from "@iot-ota/emulator"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { assertBuilt, bundleTo, RUNTIME_CONDITIONS, tempDir } from "./helpers/build.js"
import {
  expectReadPath,
  type ReadPathEmulators,
  readPathRequest,
  startReadPathEmulators
} from "./helpers/readPath.js"
import type { ListingOutcome, ListingRequest } from "./runtime/listing.js"

const JOB_ID = "bun-job-7glPHmaDYLAYMD1"
const TASKS = 1234
const WRONG_SECRET = "not-the-secret-QnVuQnVu"

const bunExecutable = (): string => {
  const dir = dirname(createRequire(import.meta.url).resolve("@oven/bun-linux-x64/package.json"))
  const exe = join(dir, "bin", "bun")
  if (!existsSync(exe))
    throw new Error(`the @oven/bun-linux-x64 package has no binary at ${exe}; reinstall it`)
  return exe
}

interface Run {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

let emu: Emulator
let work: Awaited<ReturnType<typeof tempDir>>
let listingScript: string
let exampleScript: string
let readPathScript: string
let readPathEmus: ReadPathEmulators
let bun: string

/** A clean environment: whatever the program learns, it learns from stdin or the variables given. */
const bunEnv = (extra: Record<string, string> = {}) => ({
  PATH: process.env.PATH ?? "",
  HOME: work.path,
  BUN_INSTALL_CACHE_DIR: join(work.path, "bun-cache"),
  NO_COLOR: "1",
  ...extra
})

const runBun = (script: string, stdin: string): Promise<Run> =>
  new Promise((resolve, reject) => {
    const child = spawn(bun, [script], { cwd: work.path, env: bunEnv() })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk) => (stdout += chunk))
    child.stderr.on("data", (chunk) => (stderr += chunk))
    child.on("error", reject)
    child.on("close", (code) => resolve({ code, stdout, stderr }))
    child.stdin.end(stdin)
  })

const listInBun = async (request: ListingRequest): Promise<{ run: Run; outcome: ListingOutcome }> => {
  const run = await runBun(listingScript, JSON.stringify(request))
  if (run.code !== 0) throw new Error(`bun exited with ${run.code}: ${run.stderr}`)
  return { run, outcome: JSON.parse(run.stdout) }
}

const groundTruthIds = () =>
  emu
    .tasks(JOB_ID)
    .map((task) => task.TaskId)
    .sort()

const options = (overrides: Partial<ListingRequest["options"]> = {}): ListingRequest["options"] => ({
  endpoint: emu.url,
  accessKeyId: DEFAULT_CREDENTIALS.accessKeyId,
  accessKeySecret: DEFAULT_CREDENTIALS.accessKeySecret,
  ...overrides
})

beforeAll(async () => {
  assertBuilt()
  bun = bunExecutable()
  work = await tempDir()
  ;[listingScript, exampleScript, readPathScript] = await Promise.all([
    bundleTo(work.path, "listing.js", "test/runtime/bun-main.ts", RUNTIME_CONDITIONS.bun),
    bundleTo(work.path, "example.js", "test/runtime/bun-serve-example.ts", RUNTIME_CONDITIONS.bun),
    bundleTo(work.path, "readpath.js", "test/runtime/bun-readpath.ts", RUNTIME_CONDITIONS.bun)
  ])
  emu = await startEmulator({ qps: 0, seed: 13, jobs: [{ jobId: JOB_ID, tasks: TASKS }] })
  readPathEmus = await startReadPathEmulators()
})

afterAll(async () => {
  await emu?.close()
  await readPathEmus?.close()
  await work?.remove()
})

describe("Bun", () => {
  it.each(["HMAC-SHA1", "ACS3-HMAC-SHA256"] as const)(
    "lists a whole job, every task exactly once, signing with %s",
    async (signatureAlgorithm) => {
      emu.resetStats()
      const { run, outcome } = await listInBun({
        jobId: JOB_ID,
        options: options({ signatureAlgorithm }),
        concurrency: 3
      })
      if (!outcome.ok) throw new Error(`listing failed: ${outcome.error.tag}: ${outcome.error.message}`)
      expect(outcome.taskIds).toHaveLength(TASKS)
      expect([...outcome.taskIds].sort()).toEqual(groundTruthIds())
      expect(outcome.userAgent).toMatch(/^iot-ota\/\S+ \(bun\/1\.\d+\.\d+\)$/)
      // 1,234 tasks at 50 a page: 25 signed requests, every one accepted.
      expect(emu.stats().byCode).toEqual({ OK: Math.ceil(TASKS / 50) })
      expect(run.stdout + run.stderr).not.toContain(DEFAULT_CREDENTIALS.accessKeySecret)
    }
  )

  it("calls every read operation, both casings, both signature algorithms: the emulators' ground truth", async () => {
    // One Bun process runs the four configurations.
    const run = await runBun(readPathScript, JSON.stringify(readPathRequest(readPathEmus)))
    if (run.code !== 0) throw new Error(`bun exited with ${run.code}: ${run.stderr}`)
    expectReadPath(JSON.parse(run.stdout), readPathEmus)
    expect(run.stdout + run.stderr).not.toContain(DEFAULT_CREDENTIALS.accessKeySecret)
  })

  it("survives an injected 503 by retrying", async () => {
    emu.resetStats()
    emu.setFaults({ sequence: ["ServiceUnavailable"] })
    try {
      const { outcome } = await listInBun({ jobId: JOB_ID, options: options() })
      if (!outcome.ok) throw new Error(`listing failed: ${outcome.error.tag}: ${outcome.error.message}`)
      expect([...outcome.taskIds].sort()).toEqual(groundTruthIds())
      const stats = emu.stats()
      expect(stats.byCode["fault:ServiceUnavailable"]).toBe(1)
      expect(stats.requests).toBe(Math.ceil(TASKS / 50) + 1)
    } finally {
      emu.setFaults(undefined)
    }
  })

  it("rejects with a typed ApiError for a wrong secret, without the secret in any output", async () => {
    emu.resetStats()
    const { run, outcome } = await listInBun({
      jobId: JOB_ID,
      options: options({ accessKeySecret: WRONG_SECRET, maxAttempts: 3 })
    })
    expect(outcome).toMatchObject({
      ok: false,
      error: { tag: "ApiError", code: "SignatureDoesNotMatch", isAuthError: true, instanceOfApiError: true }
    })
    expect(emu.stats().requests).toBe(1)
    expect(run.stdout + run.stderr).not.toContain(WRONG_SECRET)
  })

  it("serves examples/bun: GET /jobs/<jobId>/summary counts every task by status", async () => {
    const child = spawn(bun, [exampleScript], {
      cwd: work.path,
      env: bunEnv({
        OTA_ENDPOINT: emu.url,
        OTA_ACCESS_KEY_ID: DEFAULT_CREDENTIALS.accessKeyId,
        OTA_ACCESS_KEY_SECRET: DEFAULT_CREDENTIALS.accessKeySecret
      })
    })
    let stderr = ""
    child.stderr.on("data", (chunk) => (stderr += chunk))
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve))
    try {
      // Listening once it prints its port.
      const port = await new Promise<number>((resolve, reject) => {
        let stdout = ""
        child.stdout.on("data", (chunk) => {
          stdout += chunk
          const line = stdout.split("\n")[0]
          if (stdout.includes("\n") && line !== undefined) resolve(JSON.parse(line).port)
        })
        void exited.then((code) => reject(new Error(`the Bun example exited (${code}): ${stderr}`)))
      })
      const get = (path: string) => fetch(`http://127.0.0.1:${port}${path}`)
      const response = await get(`/jobs/${JOB_ID}/summary`)
      expect(response.status).toBe(200)
      const byStatus: Record<string, number> = {}
      for (const task of emu.tasks(JOB_ID)) byStatus[task.TaskStatus] = (byStatus[task.TaskStatus] ?? 0) + 1
      expect(await response.json()).toEqual({ jobId: JOB_ID, total: TASKS, byStatus })
      expect((await get("/elsewhere")).status).toBe(404)
    } finally {
      child.kill()
      await exited
    }
  })
})
