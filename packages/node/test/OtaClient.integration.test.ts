import { type Emulator, type FaultKind, startEmulator } from "@iot-ota/emulator"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { OtaClient, type OtaClientOptions, type OtaError, type OtaTask } from "../src/index.js"
import { faultsAndTags } from "./helpers.js"

const JOB = "job-integration"
const SECRET = "integration-secret-that-must-not-leak"
const credentials = { accessKeyId: "integration-key", accessKeySecret: SECRET }

let emu: Emulator
let tuya: Emulator

beforeAll(async () => {
  ;[emu, tuya] = await Promise.all([
    startEmulator({
      qps: 0,
      seed: 7,
      credentials: [credentials],
      jobs: [
        { jobId: JOB, tasks: 1234 },
        { jobId: "small", tasks: 3 }
      ]
    }),
    startEmulator({
      qps: 0,
      seed: 7,
      casing: "tuya",
      credentials: [credentials],
      jobs: [{ jobId: JOB, tasks: 1234 }]
    })
  ])
})
afterAll(async () => {
  await Promise.all([emu.close(), tuya.close()])
})

const clients: Array<OtaClient> = []
const client = (options: OtaClientOptions = {}, server: Emulator = emu) => {
  const made = new OtaClient({
    endpoint: server.url,
    ...credentials,
    qps: 0,
    logLevel: "none",
    env: {},
    profileFile: "/nonexistent",
    ...options
  })
  clients.push(made)
  return made
}
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()))
})

/** Runs `f` against a fresh fault script and returns how many requests the emulator saw. */
const counting = async <A>(faults: Parameters<Emulator["setFaults"]>[0], f: () => Promise<A>) => {
  emu.setFaults(faults)
  emu.resetStats()
  try {
    const result = await f().then(
      (value) => ({ ok: true as const, value }),
      (error: unknown) => ({ ok: false as const, error: error as OtaError })
    )
    return { ...result, requests: emu.stats().requests, byCode: emu.stats().byCode }
  } finally {
    emu.setFaults(undefined)
  }
}

const collect = async (iterable: AsyncIterable<OtaTask>) => {
  const out: Array<OtaTask> = []
  for await (const task of iterable) out.push(task)
  return out
}

const expectNoSecret = (error: unknown) => {
  const e = error as Error
  for (const text of [e.message, e.stack ?? "", JSON.stringify(error), String(error)])
    expect(text).not.toContain(SECRET)
}

describe("listOTATaskByJob against the emulator", () => {
  for (const algorithm of ["HMAC-SHA1", "ACS3-HMAC-SHA256"] as const) {
    for (const [casing, server] of [
      ["alibaba", () => emu],
      ["tuya", () => tuya]
    ] as const) {
      it(`reads a page (${algorithm}, ${casing} casing)`, async () => {
        const page = await client({ signatureAlgorithm: algorithm }, server()).listOTATaskByJob({
          jobId: JOB,
          pageSize: 25,
          currentPage: 3
        })
        const truth = server().tasks(JOB).slice(50, 75)
        expect(page).toMatchObject({ total: 1234, pageSize: 25, currentPage: 3, pageCount: 50 })
        expect(page.requestId).toMatch(/^[0-9a-f-]{36}$/i)
        expect(page.tasks.map((t) => t.taskId)).toEqual(truth.map((t) => t.TaskId))
        expect(page.tasks[0]).toMatchObject({
          jobId: JOB,
          deviceName: truth[0]?.DeviceName,
          taskStatus: truth[0]?.TaskStatus
        })
        expect(page.tasks[0]?.utcCreate).toBeInstanceOf(Date)
      })
    }
  }

  it("filters by status and by device names", async () => {
    const c = client()
    const failed = await c.listOTATaskByJob({ jobId: JOB, taskStatus: "FAILED", pageSize: 100 })
    expect(failed.total).toBe(emu.tasks(JOB).filter((t) => t.TaskStatus === "FAILED").length)
    expect(failed.tasks.every((t) => t.taskStatus === "FAILED")).toBe(true)
    const names = emu
      .tasks(JOB)
      .slice(10, 13)
      .map((t) => t.DeviceName)
    const byDevice = await c.listOTATaskByJob({ jobId: JOB, deviceNames: names })
    expect(byDevice.tasks.map((t) => t.deviceName).sort()).toEqual([...names].sort())
  })

  it("rejects invalid input before any request", async () => {
    const result = await counting(undefined, () => client().listOTATaskByJob({ jobId: JOB, pageSize: 101 }))
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.error).toMatchObject({ _tag: "ValidationError", field: "pageSize" })
    expect(result.requests).toBe(0)
  })
})

describe("typed errors", () => {
  it("ApiError for an unknown job, after exactly one request", async () => {
    const result = await counting(undefined, () => client().listOTATaskByJob({ jobId: "no-such-job" }))
    expect(result.ok).toBe(false)
    if (!result.ok) {
      expect(result.error._tag).toBe("ApiError")
      expect(result.error).toMatchObject({ retryable: false })
      expect((result.error as { requestId?: string }).requestId).toMatch(/^[0-9a-f-]{36}$/i)
    }
    expect(result.requests).toBe(1)
  })

  for (const algorithm of ["HMAC-SHA1", "ACS3-HMAC-SHA256"] as const) {
    it(`ApiError SignatureDoesNotMatch for a wrong secret (${algorithm}), never retried, secret not echoed`, async () => {
      const result = await counting(undefined, () =>
        client({ accessKeySecret: `${SECRET}-wrong`, signatureAlgorithm: algorithm }).listOTATaskByJob({
          jobId: JOB
        })
      )
      expect(result.ok).toBe(false)
      if (!result.ok) {
        expect(result.error).toMatchObject({
          _tag: "ApiError",
          code: "SignatureDoesNotMatch",
          httpStatus: 400,
          retryable: false
        })
        expectNoSecret(result.error)
      }
      expect(result.requests).toBe(1)
    })
  }

  it("ApiError for an unknown AccessKeyId", async () => {
    const result = await counting(undefined, () =>
      client({ accessKeyId: "nobody" }).listOTATaskByJob({ jobId: JOB })
    )
    expect(!result.ok && result.error).toMatchObject({
      _tag: "ApiError",
      code: "InvalidAccessKeyId.NotFound",
      httpStatus: 404
    })
    expect(result.requests).toBe(1)
  })

  const always = (kind: FaultKind) => ({ sequence: [kind, kind, kind, kind] })
  // Every fault but Delay, which would take the whole timeout per attempt.
  for (const [kind, tag] of faultsAndTags().filter(([kind]) => kind !== "Delay")) {
    it(`${kind}: retried, then a typed ${tag} after maxAttempts`, async () => {
      const result = await counting(always(kind), () =>
        client({ maxAttempts: 3 }).listOTATaskByJob({ jobId: "small" })
      )
      expect(result.ok).toBe(false)
      if (!result.ok) {
        expect(result.error._tag).toBe(tag)
        expect(result.error.retryable).toBe(true)
        expectNoSecret(result.error)
      }
      expect(result.requests).toBe(3)
    })

    it(`${kind} once, then success: exactly two requests`, async () => {
      const result = await counting({ sequence: [kind, null] }, () =>
        client().listOTATaskByJob({ jobId: "small" })
      )
      expect(result.ok && result.value.total).toBe(3)
      expect(result.requests).toBe(2)
    })
  }

  it("TimeoutError when an attempt is slower than timeoutMs, retried", async () => {
    const result = await counting({ sequence: ["Delay", "Delay"], delayMs: 1500 }, () =>
      client({ timeoutMs: 200, maxAttempts: 2 }).listOTATaskByJob({ jobId: "small" })
    )
    expect(!result.ok && result.error).toMatchObject({ _tag: "TimeoutError", timeoutMs: 200 })
    expect(result.requests).toBe(2)
  })

  it("TransportError when nothing listens", async () => {
    const closed = await startEmulator({ credentials: [credentials] })
    const url = closed.url
    await closed.close()
    const error = await client({ endpoint: url, maxAttempts: 2 })
      .listOTATaskByJob({ jobId: JOB })
      .catch((e: unknown) => e)
    expect(error).toMatchObject({ _tag: "TransportError" })
    expect((error as Error).message).toContain("ECONNREFUSED")
  })
})

describe("clock skew", () => {
  it("corrects the clock from the server's Date header and retries once", async () => {
    const skewed = await startEmulator({
      clockSkewMs: 2 * 60 * 60 * 1000,
      credentials: [credentials],
      jobs: [{ jobId: "small", tasks: 3 }]
    })
    try {
      const c = client({ endpoint: skewed.url, maxAttempts: 1 })
      expect((await c.listOTATaskByJob({ jobId: "small" })).total).toBe(3)
      expect(skewed.stats().byCode["InvalidTimeStamp.Expired"]).toBe(1)
      expect((await c.listOTATaskByJob({ jobId: "small" })).total).toBe(3)
      expect(skewed.stats().byCode["InvalidTimeStamp.Expired"]).toBe(1)
    } finally {
      await skewed.close()
    }
  })
})

describe("paginateOTATaskByJob", () => {
  const truthIds = () => emu.tasks(JOB).map((t) => t.TaskId)

  for (const concurrency of [1, 4]) {
    for (const algorithm of ["HMAC-SHA1", "ACS3-HMAC-SHA256"] as const) {
      it(`every task exactly once, in order, under 30% injected faults (concurrency ${concurrency}, ${algorithm})`, async () => {
        const result = await counting(
          {
            rate: 0.3,
            kinds: [
              "ServiceUnavailable",
              "InternalError",
              "Throttling",
              "SystemException",
              "TruncatedJson",
              "HtmlError",
              "ConnectionReset"
            ],
            seed: concurrency
          },
          () =>
            collect(
              client({ maxAttempts: 6, signatureAlgorithm: algorithm }).paginateOTATaskByJob(
                { jobId: JOB, pageSize: 50 },
                { concurrency }
              )
            )
        )
        expect(result.ok).toBe(true)
        if (result.ok) expect(result.value.map((t) => t.taskId)).toEqual(truthIds())
        expect(result.requests).toBeGreaterThan(25)
      })
    }
  }

  it("pages through the tuya casing too", async () => {
    const tasks = await collect(client({}, tuya).paginateOTATaskByJob({ jobId: JOB }))
    expect(tasks.map((t) => t.taskId)).toEqual(tuya.tasks(JOB).map((t) => t.TaskId))
  })

  it("stays under the server's quota with the client-side rate limit", async () => {
    const limited = await startEmulator({
      qps: 10,
      credentials: [credentials],
      jobs: [{ jobId: JOB, tasks: 2500 }]
    })
    try {
      const tasks = await collect(
        client({ endpoint: limited.url, qps: 10 }).paginateOTATaskByJob(
          { jobId: JOB, pageSize: 100 },
          { concurrency: 8 }
        )
      )
      expect(tasks).toHaveLength(2500)
      expect(limited.stats().byCode["Throttling.User"] ?? 0).toBe(0)
      expect(limited.stats().requests).toBe(25)
    } finally {
      await limited.close()
    }
  })

  it("stops every request when the loop breaks early", async () => {
    const result = await counting(undefined, async () => {
      const seen: Array<OtaTask> = []
      for await (const task of client().paginateOTATaskByJob(
        { jobId: JOB, pageSize: 10 },
        { concurrency: 2 }
      )) {
        seen.push(task)
        if (seen.length === 15) break
      }
      return seen
    })
    expect(result.ok && result.value.length).toBe(15)
    expect(result.requests).toBeLessThan(10)
  })

  it("next() calls made without waiting are served in order, each task once, then done", async () => {
    const iterator = client().paginateOTATaskByJob({ jobId: JOB, pageSize: 100 }, { concurrency: 2 })
    // 1,234 tasks, then two more calls past the end.
    const results = await Promise.all(Array.from({ length: 1236 }, () => iterator.next()))
    const tasks = results.filter((r) => r.done !== true).map((r) => (r.value as OtaTask).taskId)
    expect(tasks).toHaveLength(1234)
    expect(new Set(tasks).size).toBe(1234)
    expect(results.slice(1234).every((r) => r.done === true)).toBe(true)
    expect(await collect(client().paginateOTATaskByJob({ jobId: JOB, pageSize: 100 }))).toEqual(
      results.slice(0, 1234).map((r) => r.value)
    )
  })

  it("after a break, the iterator is done and makes no more requests", async () => {
    const result = await counting(undefined, async () => {
      const iterator = client().paginateOTATaskByJob({ jobId: JOB, pageSize: 10 }, { concurrency: 1 })
      for await (const _task of iterator) break
      const requestsAtBreak = emu.stats().requests
      const after = await iterator.next()
      return { after, requestsAtBreak }
    })
    expect(result.ok && result.value.after).toEqual({ done: true, value: undefined })
    expect(result.ok && result.requests).toBe(result.ok && result.value.requestsAtBreak)
  })

  it("a failed page rejects the listing with its typed error, after which the iterator is done", async () => {
    const result = await counting({ sequence: [null, "ServiceUnavailable"] }, async () => {
      const iterator = client({ maxAttempts: 1 }).paginateOTATaskByJob(
        { jobId: JOB, pageSize: 100 },
        { concurrency: 1 }
      )
      const seen: Array<OtaTask> = []
      const failure = await (async () => {
        for await (const task of iterator) seen.push(task)
      })().then(
        () => undefined,
        (error: unknown) => error as OtaError
      )
      const requestsAtFailure = emu.stats().requests
      return { seen: seen.length, failure, after: await iterator.next(), requestsAtFailure }
    })
    expect(result.ok).toBe(true)
    if (!result.ok) return
    expect(result.value.seen).toBe(100)
    expect(result.value.failure).toMatchObject({ _tag: "ApiError", code: "ServiceUnavailable" })
    expect(result.value.after).toEqual({ done: true, value: undefined })
    expect(result.requests).toBe(result.value.requestsAtFailure)
  })

  it("an abort ends the listing at the next task, even in the middle of a page", async () => {
    const controller = new AbortController()
    const seen: Array<OtaTask> = []
    const listing = (async () => {
      for await (const task of client().paginateOTATaskByJob(
        { jobId: JOB, pageSize: 100 },
        { signal: controller.signal }
      )) {
        seen.push(task)
        if (seen.length === 3) controller.abort(new Error("enough"))
      }
    })()
    await expect(listing).rejects.toThrow("enough")
    expect(seen).toHaveLength(3)
  })

  it("an AbortSignal cancels a listing in flight and rejects with the abort reason", async () => {
    // A dedicated emulator, so that no request left over from another test consumes the fault script.
    const slow = await startEmulator({
      qps: 0,
      credentials: [credentials],
      jobs: [{ jobId: JOB, tasks: 1000 }],
      faults: { sequence: [null, "Delay", "Delay", "Delay"], delayMs: 30_000 }
    })
    try {
      const controller = new AbortController()
      const seen: Array<OtaTask> = []
      const iterator = client({ endpoint: slow.url, timeoutMs: 60_000 }).paginateOTATaskByJob(
        { jobId: JOB, pageSize: 100 },
        { concurrency: 3, signal: controller.signal }
      )
      const outcome = (async () => {
        for await (const task of iterator) {
          seen.push(task)
          if (seen.length === 100) setTimeout(() => controller.abort(new Error("stop")), 50)
        }
      })()
      // The three delayed pages would take 30 s; the abort must end the listing long before the test timeout.
      await expect(outcome).rejects.toThrow("stop")
      expect(seen).toHaveLength(100)
      expect(slow.stats().requests).toBe(4)
    } finally {
      await slow.close()
    }
  })

  it("an AbortSignal cancels a single call", async () => {
    const controller = new AbortController()
    emu.setFaults({ sequence: ["Delay"], delayMs: 5000 })
    try {
      const pending = client().listOTATaskByJob({ jobId: "small" }, { signal: controller.signal })
      setTimeout(() => controller.abort(), 50)
      await expect(pending).rejects.toMatchObject({ name: "AbortError" })
    } finally {
      emu.setFaults(undefined)
    }
  })
})
