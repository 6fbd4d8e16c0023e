/**
 * The client in a real Deno (2.x, from the `deno` npm package), bundled with
 * the `deno` export condition, against the emulator over HTTP. The listing
 * program runs with `--allow-net=127.0.0.1` and no other permission: no file
 * system, no environment.
 */
import { spawn } from "node:child_process"
import { existsSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, join } from "node:path"
import { DEFAULT_CREDENTIALS, type Emulator, startEmulator } from "@iot-ota/emulator"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { redirecting } from "../../core/test/helpers/hostileServers.js"
import { assertBuilt, bundleTo, RUNTIME_CONDITIONS, tempDir } from "./helpers/build.js"
import {
  expectReadPath,
  type ReadPathEmulators,
  readPathRequest,
  startReadPathEmulators
} from "./helpers/readPath.js"
import type { ListingOutcome, ListingRequest } from "./runtime/listing.js"

const JOB_ID = "deno-job-7glPHmaDYLAYMD1"
const TASKS = 420
const WRONG_SECRET = "not-the-secret-Qm9vYmFy"

const denoExecutable = (): string => {
  const dir = dirname(createRequire(import.meta.url).resolve("deno/package.json"))
  const exe = join(dir, process.platform === "win32" ? "deno.exe" : "deno")
  if (!existsSync(exe)) throw new Error(`the deno npm package has no binary at ${exe}; reinstall it`)
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
let deno: string

const runDeno = (
  script: string,
  options: {
    permissions: ReadonlyArray<string>
    args?: ReadonlyArray<string>
    stdin?: string
    env?: Record<string, string>
  }
): Promise<Run> =>
  new Promise((resolve, reject) => {
    const child = spawn(
      deno,
      [
        "run",
        "--no-prompt",
        "--no-config",
        "--no-lock",
        ...options.permissions,
        script,
        ...(options.args ?? [])
      ],
      {
        cwd: work.path,
        // A clean environment: whatever the program learns, it learns from stdin or the granted variables.
        env: {
          PATH: process.env.PATH ?? "",
          DENO_DIR: join(work.path, "deno-dir"),
          DENO_NO_UPDATE_CHECK: "1",
          NO_COLOR: "1",
          ...options.env
        }
      }
    )
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk) => (stdout += chunk))
    child.stderr.on("data", (chunk) => (stderr += chunk))
    child.on("error", reject)
    child.on("close", (code) => resolve({ code, stdout, stderr }))
    child.stdin.end(options.stdin ?? "")
  })

const listInDeno = async (request: ListingRequest): Promise<{ run: Run; outcome: ListingOutcome }> => {
  const run = await runDeno(listingScript, {
    permissions: ["--allow-net=127.0.0.1"],
    stdin: JSON.stringify(request)
  })
  if (run.code !== 0) throw new Error(`deno exited with ${run.code}: ${run.stderr}`)
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
  deno = denoExecutable()
  work = await tempDir()
  ;[listingScript, exampleScript, readPathScript] = await Promise.all([
    bundleTo(work.path, "listing.js", "test/runtime/deno-main.ts", RUNTIME_CONDITIONS.deno),
    bundleTo(work.path, "example.js", "examples/deno/main.ts", RUNTIME_CONDITIONS.deno),
    bundleTo(work.path, "readpath.js", "test/runtime/deno-readpath.ts", RUNTIME_CONDITIONS.deno)
  ])
  emu = await startEmulator({ qps: 0, seed: 7, jobs: [{ jobId: JOB_ID, tasks: TASKS }] })
  readPathEmus = await startReadPathEmulators()
})

afterAll(async () => {
  await emu?.close()
  await readPathEmus?.close()
  await work?.remove()
})

describe("Deno", () => {
  it.each(["HMAC-SHA1", "ACS3-HMAC-SHA256"] as const)(
    "pages through every task exactly once, signing with %s",
    async (signatureAlgorithm) => {
      emu.resetStats()
      const { run, outcome } = await listInDeno({
        jobId: JOB_ID,
        options: options({ signatureAlgorithm }),
        concurrency: 3
      })
      if (!outcome.ok) throw new Error(`listing failed: ${outcome.error.tag}: ${outcome.error.message}`)
      expect(outcome.taskIds).toHaveLength(TASKS)
      expect([...outcome.taskIds].sort()).toEqual(groundTruthIds())
      expect(outcome.userAgent).toMatch(/^iot-ota\/\S+ \(deno\/2\.\d+\.\d+\)$/)
      // 420 tasks at 50 a page: 9 signed requests, every one accepted.
      expect(emu.stats().byCode).toEqual({ OK: Math.ceil(TASKS / 50) })
      expect(run.stdout + run.stderr).not.toContain(DEFAULT_CREDENTIALS.accessKeySecret)
    }
  )

  it("calls every read operation, both casings, both signature algorithms: the emulators' ground truth", async () => {
    // One Deno process runs the four configurations.
    const request = readPathRequest(readPathEmus)
    const run = await runDeno(readPathScript, {
      permissions: ["--allow-net=127.0.0.1"],
      stdin: JSON.stringify(request)
    })
    if (run.code !== 0) throw new Error(`deno exited with ${run.code}: ${run.stderr}`)
    expectReadPath(JSON.parse(run.stdout), readPathEmus)
    expect(run.stdout + run.stderr).not.toContain(DEFAULT_CREDENTIALS.accessKeySecret)
  })

  it("survives an injected 503 by retrying", async () => {
    emu.resetStats()
    emu.setFaults({ sequence: ["ServiceUnavailable"] })
    try {
      const { outcome } = await listInDeno({ jobId: JOB_ID, options: options() })
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
    const { run, outcome } = await listInDeno({
      jobId: JOB_ID,
      options: options({ accessKeySecret: WRONG_SECRET, maxAttempts: 3 })
    })
    expect(outcome).toMatchObject({
      ok: false,
      error: {
        tag: "ApiError",
        code: "SignatureDoesNotMatch",
        httpStatus: 400,
        isOtaError: true,
        isAuthError: true,
        instanceOfApiError: true
      }
    })
    // Not retryable: one request only.
    expect(emu.stats().requests).toBe(1)
    expect(run.stdout + run.stderr).not.toContain(WRONG_SECRET)
  })

  it("does not follow a redirect to another origin: an HttpError naming the target host, the target never called", async () => {
    emu.resetStats()
    const redirector = await redirecting({ status: 302, location: `${emu.url}/?Action=ListOTATaskByJob` })
    const { outcome } = await listInDeno({ jobId: JOB_ID, options: options({ endpoint: redirector.url }) })
    expect(outcome).toMatchObject({ ok: false, error: { tag: "HttpError", httpStatus: 302 } })
    if (!outcome.ok)
      expect(outcome.error.message).toContain(`HTTP 302 redirect to 127.0.0.1:${emu.port} not followed`)
    expect(redirector.requests).toBe(1)
    expect(emu.stats().requests).toBe(0)
  })

  it("runs examples/deno/main.ts with only the network and the variables it names", async () => {
    const run = await runDeno(exampleScript, {
      permissions: [
        "--allow-net=127.0.0.1",
        "--allow-env=OTA_ENDPOINT,OTA_ACCESS_KEY_ID,OTA_ACCESS_KEY_SECRET,OTA_SIGNATURE_ALGORITHM"
      ],
      args: [JOB_ID],
      env: {
        OTA_ENDPOINT: emu.url,
        OTA_ACCESS_KEY_ID: DEFAULT_CREDENTIALS.accessKeyId,
        OTA_ACCESS_KEY_SECRET: DEFAULT_CREDENTIALS.accessKeySecret,
        OTA_SIGNATURE_ALGORITHM: "ACS3-HMAC-SHA256"
      }
    })
    expect(run.stderr).toBe("")
    expect(run.code).toBe(0)
    const truth = emu.tasks(JOB_ID)
    // The seeded job has failed tasks, so the example's failure report is compared with something.
    expect(truth.some((task) => task.TaskStatus === "FAILED")).toBe(true)
    const byStatus: Record<string, number> = {}
    for (const task of truth) byStatus[task.TaskStatus] = (byStatus[task.TaskStatus] ?? 0) + 1
    expect(JSON.parse(run.stdout)).toEqual({
      jobId: JOB_ID,
      total: TASKS,
      byStatus,
      failed: truth
        .filter((task) => task.TaskStatus === "FAILED")
        .map((task) => ({
          deviceName: task.DeviceName,
          ...(task.TaskDesc === undefined ? {} : { taskDesc: task.TaskDesc })
        }))
    })
  })

  it("the example exits 2 with a one-line ValidationError when the endpoint is not set", async () => {
    const run = await runDeno(exampleScript, {
      permissions: [
        "--allow-net=127.0.0.1",
        "--allow-env=OTA_ENDPOINT,OTA_ACCESS_KEY_ID,OTA_ACCESS_KEY_SECRET,OTA_SIGNATURE_ALGORITHM"
      ],
      args: [JOB_ID]
    })
    expect(run.code).toBe(2)
    expect(run.stderr.trim()).toBe(
      "ValidationError: endpoint is missing: pass it explicitly or set OTA_ENDPOINT (or OTA_REGION_ID)"
    )
  })
})
