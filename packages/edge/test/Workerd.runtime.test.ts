/**
 * examples/cloudflare-worker in a real workerd (through miniflare), bundled
 * with the `workerd` / `worker` / `browser` export conditions and without
 * `nodejs_compat`, against the emulator over HTTP. Configuration arrives the
 * Workers way: as `env` bindings.
 */
import { readFile } from "node:fs/promises"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { join } from "node:path"
import { DEFAULT_CREDENTIALS, type Emulator, startEmulator } from "@iot-ota/emulator"
import { Miniflare } from "miniflare"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { assertBuilt, bundle, PACKAGE_DIR, RUNTIME_CONDITIONS } from "./helpers/build.js"
import {
  expectReadPath,
  type ReadPathEmulators,
  readPathRequest,
  startReadPathEmulators
} from "./helpers/readPath.js"

const JOB_ID = "worker-job-7glPHmaDYLAYMD1"
const TASKS = 420
const PAGES = Math.ceil(TASKS / 100) // listings use the largest page the server allows
const WRONG_SECRET = "not-the-secret-V29ya2Vy"

let emu: Emulator
let readPathEmus: ReadPathEmulators
let mf: Miniflare
/** Redirects every request to the emulator (another origin): workerd must not follow. */
let redirector: Server
let redirects = 0

interface TasksBody {
  readonly jobId: string
  readonly total: number
  readonly byStatus: Record<string, number>
  readonly tasks: ReadonlyArray<{
    readonly taskId: string
    readonly taskStatus: string
    readonly utcCreate?: string
  }>
}

interface ErrorBody {
  readonly error: { readonly type: string; readonly message: string; readonly code?: string }
}

/** Each worker is routed by host name, as `routes` would in wrangler.toml. */
const get = async (worker: string, path: string): Promise<{ status: number; text: string }> => {
  const response = await mf.dispatchFetch(`http://${worker}.worker.test${path}`)
  return { status: response.status, text: await response.text() }
}

const truth = (status?: string) =>
  emu.tasks(JOB_ID).filter((task) => status === undefined || task.TaskStatus === status)

const countByStatus = (tasks: ReadonlyArray<{ readonly TaskStatus: string }>) => {
  const counts: Record<string, number> = {}
  for (const task of tasks) counts[task.TaskStatus] = (counts[task.TaskStatus] ?? 0) + 1
  return counts
}

const expectEveryTaskOnce = (body: TasksBody, status?: string) => {
  const expected = truth(status)
  expect(body.total).toBe(expected.length)
  expect(body.tasks.map((task) => task.taskId).sort()).toEqual(expected.map((task) => task.TaskId).sort())
  expect(body.byStatus).toEqual(countByStatus(expected))
}

beforeAll(async () => {
  assertBuilt()
  const [script, readPathScript, wrangler] = await Promise.all([
    bundle("examples/cloudflare-worker/src/index.ts", RUNTIME_CONDITIONS.workerd),
    bundle("test/runtime/readpath-worker.ts", RUNTIME_CONDITIONS.workerd),
    readFile(join(PACKAGE_DIR, "examples/cloudflare-worker/wrangler.toml"), "utf8")
  ])
  readPathEmus = await startReadPathEmulators()
  // The same compatibility date (and no compatibility flags) as the example's wrangler.toml.
  const compatibilityDate = /^compatibility_date\s*=\s*"([^"]+)"/m.exec(wrangler)?.[1]
  if (compatibilityDate === undefined) throw new Error("wrangler.toml has no compatibility_date")
  emu = await startEmulator({ qps: 0, seed: 11, jobs: [{ jobId: JOB_ID, tasks: TASKS }] })
  redirector = createServer((req, res) => {
    redirects++
    res.writeHead(302, { location: `${emu.url}${req.url ?? "/"}` }).end()
  })
  await new Promise<void>((resolve) => redirector.listen(0, "127.0.0.1", resolve))
  const env = {
    OTA_ENDPOINT: emu.url,
    OTA_ACCESS_KEY_ID: DEFAULT_CREDENTIALS.accessKeyId,
    OTA_ACCESS_KEY_SECRET: DEFAULT_CREDENTIALS.accessKeySecret
  }
  const worker = (name: string, bindings: Record<string, string>) => ({
    name,
    modules: true,
    script,
    compatibilityDate,
    routes: [`${name}.worker.test/*`],
    bindings
  })
  mf = new Miniflare({
    workers: [
      worker("hmac-sha1", env),
      worker("acs3", { ...env, OTA_SIGNATURE_ALGORITHM: "ACS3-HMAC-SHA256" }),
      worker("wrong-secret", { ...env, OTA_ACCESS_KEY_SECRET: WRONG_SECRET }),
      worker("redirected", {
        ...env,
        OTA_ENDPOINT: `http://127.0.0.1:${(redirector.address() as AddressInfo).port}`
      }),
      worker("no-endpoint", {
        OTA_ACCESS_KEY_ID: env.OTA_ACCESS_KEY_ID,
        OTA_ACCESS_KEY_SECRET: env.OTA_ACCESS_KEY_SECRET
      }),
      // The read-path program behind a fetch handler: the request arrives as the POSTed body.
      { ...worker("read-path", {}), script: readPathScript }
    ]
  })
  await mf.ready
}, 60_000)

afterAll(async () => {
  await mf?.dispose()
  await emu?.close()
  await readPathEmus?.close()
  await new Promise((resolve) => (redirector === undefined ? resolve(undefined) : redirector.close(resolve)))
})

describe("Cloudflare Worker (workerd)", () => {
  it.each([
    ["hmac-sha1", "HMAC-SHA1"],
    ["acs3", "ACS3-HMAC-SHA256"]
  ])("worker %s lists every task exactly once, signing with %s", async (worker) => {
    emu.resetStats()
    const { status, text } = await get(worker, `/jobs/${JOB_ID}/tasks`)
    expect(status).toBe(200)
    const body: TasksBody = JSON.parse(text)
    expect(body.jobId).toBe(JOB_ID)
    expectEveryTaskOnce(body)
    expect(body.tasks[0]?.utcCreate).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/)
    expect(emu.stats().byCode).toEqual({ OK: PAGES })
    expect(text).not.toContain(DEFAULT_CREDENTIALS.accessKeySecret)
  })

  it("calls every read operation, both casings, both signature algorithms: the emulators' ground truth", async () => {
    // One request to one Worker runs the four configurations.
    const response = await mf.dispatchFetch("http://read-path.worker.test/", {
      method: "POST",
      body: JSON.stringify(readPathRequest(readPathEmus))
    })
    const text = await response.text()
    expect(response.status, text).toBe(200)
    expectReadPath(JSON.parse(text), readPathEmus)
    expect(text).not.toContain(DEFAULT_CREDENTIALS.accessKeySecret)
  })

  it("filters by status", async () => {
    const { status, text } = await get("hmac-sha1", `/jobs/${JOB_ID}/tasks?status=FAILED`)
    expect(status).toBe(200)
    expect(truth("FAILED").length).toBeGreaterThan(0)
    expectEveryTaskOnce(JSON.parse(text), "FAILED")
  })

  it("survives an injected 503 by retrying", async () => {
    emu.resetStats()
    emu.setFaults({ sequence: ["ServiceUnavailable"] })
    try {
      const { status, text } = await get("acs3", `/jobs/${JOB_ID}/tasks`)
      expect(status).toBe(200)
      expectEveryTaskOnce(JSON.parse(text))
      const stats = emu.stats()
      expect(stats.byCode["fault:ServiceUnavailable"]).toBe(1)
      expect(stats.requests).toBe(PAGES + 1)
    } finally {
      emu.setFaults(undefined)
    }
  })

  it("answers a wrong secret with the typed ApiError, and never echoes the secret", async () => {
    emu.resetStats()
    const { status, text } = await get("wrong-secret", `/jobs/${JOB_ID}/tasks`)
    expect(status).toBe(502)
    const body: ErrorBody = JSON.parse(text)
    expect(body.error).toMatchObject({ type: "ApiError", code: "SignatureDoesNotMatch" })
    expect(emu.stats().requests).toBe(1)
    expect(text).not.toContain(WRONG_SECRET)
  })

  it("does not follow a redirect to another origin: an HttpError naming the target host, the target never called", async () => {
    emu.resetStats()
    const { status, text } = await get("redirected", `/jobs/${JOB_ID}/tasks`)
    expect(status).toBe(502)
    const body: ErrorBody = JSON.parse(text)
    expect(body.error.type).toBe("HttpError")
    expect(body.error.message).toContain(`HTTP 302 redirect to 127.0.0.1:${emu.port} not followed`)
    expect(redirects).toBe(1)
    expect(emu.stats().requests).toBe(0)
  })

  it("answers a missing endpoint binding with the ValidationError, before any request", async () => {
    emu.resetStats()
    const { status, text } = await get("no-endpoint", `/jobs/${JOB_ID}/tasks`)
    expect(status).toBe(400)
    expect(JSON.parse(text)).toEqual({
      error: {
        type: "ValidationError",
        message: "endpoint is missing: pass it explicitly or set OTA_ENDPOINT (or OTA_REGION_ID)"
      }
    })
    expect(emu.stats().requests).toBe(0)
  })

  it("serves concurrent requests, each with its own client", async () => {
    const responses = await Promise.all(
      Array.from({ length: 6 }, (_, i) => get(i % 2 === 0 ? "hmac-sha1" : "acs3", `/jobs/${JOB_ID}/tasks`))
    )
    for (const { status, text } of responses) {
      expect(status).toBe(200)
      expectEveryTaskOnce(JSON.parse(text))
    }
  })
})
