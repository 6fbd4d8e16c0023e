/**
 * The Vercel edge route and the Bun service, bundled with their runtimes'
 * export conditions and run here: they use only Web APIs (Request, Response,
 * fetch, WebCrypto), which Node has too. The Deno and Cloudflare examples run
 * in their real runtimes (Deno.runtime / Workerd.runtime tests).
 */
import { pathToFileURL } from "node:url"
import { DEFAULT_CREDENTIALS, type Emulator, startEmulator } from "@iot-ota/emulator"
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest"
import { assertBuilt, bundleTo, RUNTIME_CONDITIONS, tempDir } from "./helpers/build.js"

const JOB_ID = "examples-job-7glPHmaDYLAY"
const TASKS = 230

let emu: Emulator
let work: Awaited<ReturnType<typeof tempDir>>

interface VercelRoute {
  readonly runtime: string
  readonly GET: (request: Request) => Promise<Response>
}

interface BunService {
  readonly default: { readonly port: number; readonly fetch: (request: Request) => Promise<Response> }
}

const stubOtaEnv = (secret = DEFAULT_CREDENTIALS.accessKeySecret) => {
  vi.stubEnv("OTA_ENDPOINT", emu.url)
  vi.stubEnv("OTA_ACCESS_KEY_ID", DEFAULT_CREDENTIALS.accessKeyId)
  vi.stubEnv("OTA_ACCESS_KEY_SECRET", secret)
}

const load = async <A>(entry: string, conditions: ReadonlyArray<string>, name: string): Promise<A> =>
  import(pathToFileURL(await bundleTo(work.path, name, entry, conditions)).href)

beforeAll(async () => {
  assertBuilt()
  work = await tempDir()
  emu = await startEmulator({ qps: 0, seed: 3, jobs: [{ jobId: JOB_ID, tasks: TASKS }] })
})

afterEach(() => {
  vi.unstubAllEnvs()
})

afterAll(async () => {
  await emu?.close()
  await work?.remove()
})

describe("examples/vercel-edge (edge-light / worker / browser conditions)", () => {
  let route: VercelRoute
  beforeAll(async () => {
    route = await load<VercelRoute>(
      "examples/vercel-edge/app/api/tasks/route.ts",
      RUNTIME_CONDITIONS.vercelEdge,
      "vercel-route.mjs"
    )
  })

  it("declares the edge runtime and serves one page of tasks", async () => {
    expect(route.runtime).toBe("edge")
    stubOtaEnv()
    const response = await route.GET(new Request(`https://dashboard.test/api/tasks?jobId=${JOB_ID}&page=2`))
    expect(response.status).toBe(200)
    const page = await response.json()
    expect(page).toMatchObject({ total: TASKS, pageSize: 100, currentPage: 2, pageCount: 3 })
    expect(page.tasks.map((task: { taskId: string }) => task.taskId)).toEqual(
      emu
        .tasks(JOB_ID)
        .slice(100, 200)
        .map((task) => task.TaskId)
    )
  })

  it("answers a wrong secret with 502 and the ApiError code", async () => {
    stubOtaEnv("a-wrong-secret-for-vercel")
    const response = await route.GET(new Request(`https://dashboard.test/api/tasks?jobId=${JOB_ID}`))
    expect(response.status).toBe(502)
    const text = await response.text()
    expect(JSON.parse(text).error).toMatchObject({ type: "ApiError", code: "SignatureDoesNotMatch" })
    expect(text).not.toContain("a-wrong-secret-for-vercel")
  })

  it("answers an unknown status with 400 before calling the API", async () => {
    stubOtaEnv()
    emu.resetStats()
    const response = await route.GET(
      new Request(`https://dashboard.test/api/tasks?jobId=${JOB_ID}&status=DONE`)
    )
    expect(response.status).toBe(400)
    expect(emu.stats().requests).toBe(0)
  })
})

describe("examples/bun (bun condition)", () => {
  it("summarises a job per status", async () => {
    // The service builds its one client from the environment when it loads.
    stubOtaEnv()
    const service = await load<BunService>("examples/bun/index.ts", RUNTIME_CONDITIONS.bun, "bun-service.mjs")
    expect(service.default.port).toBe(3000)
    const response = await service.default.fetch(new Request(`http://localhost:3000/jobs/${JOB_ID}/summary`))
    expect(response.status).toBe(200)
    const byStatus: Record<string, number> = {}
    for (const task of emu.tasks(JOB_ID)) byStatus[task.TaskStatus] = (byStatus[task.TaskStatus] ?? 0) + 1
    expect(await response.json()).toEqual({ jobId: JOB_ID, total: TASKS, byStatus })
    const missing = await service.default.fetch(new Request("http://localhost:3000/elsewhere"))
    expect(missing.status).toBe(404)
  })
})
