/**
 * Quota modes. The counting algorithms are checked on their own with an explicit clock (property tests: no
 * wall time involved); the server is checked for how it applies them: per AccessKeyId, across connections and
 * actions, answering Throttling.User, counting throttles, and remembering no nonce of a throttled request.
 */
import fc from "fast-check"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { DEFAULT_CREDENTIALS, type Emulator, QUOTA_MODES, startEmulator } from "../src/index.js"
import { makeQuota } from "../src/internal/limits.js"
import { callV2 } from "./helpers/client.js"

/** Arrival times in ms: sorted, with gaps from 0 (a burst) to 400 ms. */
const arrivals = fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 1, maxLength: 300 }).map((gaps) => {
  let t = 10_000
  return gaps.map((gap) => (t += gap))
})

const admitted = (mode: (typeof QUOTA_MODES)[number], qps: number, times: ReadonlyArray<number>) => {
  const quota = makeQuota(mode, qps)
  return times.map((t) => ({ t, ok: quota.take("key", t) }))
}

describe("sliding-window", () => {
  it("never admits more than qps calls in any 1,000 ms, and refuses a call only when qps were admitted in the 1,000 ms before it", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), arrivals, (qps, times) => {
        const calls = admitted("sliding-window", qps, times)
        const accepted = calls.filter((call) => call.ok).map((call) => call.t)
        for (const [i, t] of accepted.entries()) {
          // The qps-th admission before this one is at least 1,000 ms earlier.
          if (i >= qps) expect(t - (accepted[i - qps] ?? 0)).toBeGreaterThanOrEqual(1000)
        }
        for (const call of calls.filter((c) => !c.ok)) {
          expect(accepted.filter((t) => t <= call.t && call.t - t < 1000).length).toBe(qps)
        }
      })
    )
  })
})

describe("fixed-window", () => {
  it("admits at most qps calls per calendar second, and refuses only when qps were admitted in that second", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), arrivals, (qps, times) => {
        const calls = admitted("fixed-window", qps, times)
        const perSecond = new Map<number, number>()
        for (const call of calls.filter((c) => c.ok)) {
          const second = Math.floor(call.t / 1000)
          perSecond.set(second, (perSecond.get(second) ?? 0) + 1)
        }
        for (const count of perSecond.values()) expect(count).toBeLessThanOrEqual(qps)
        for (const call of calls.filter((c) => !c.ok))
          expect(perSecond.get(Math.floor(call.t / 1000))).toBe(qps)
      })
    )
  })
})

describe("token-bucket", () => {
  it("a burst of qps passes at once, the next call is refused, and calls spaced at 1/qps always pass", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 200 }), (qps, count) => {
        const burst = admitted(
          "token-bucket",
          qps,
          Array.from({ length: qps + 1 }, () => 5000)
        )
        expect(burst.map((call) => call.ok)).toEqual([...Array.from({ length: qps }, () => true), false])
        const spaced = admitted(
          "token-bucket",
          qps,
          Array.from({ length: count }, (_, i) => (i * 1000) / qps)
        )
        expect(spaced.every((call) => call.ok)).toBe(true)
      })
    )
  })
})

it.each(QUOTA_MODES)("%s: keys are counted apart, and qps 0 admits everything", (mode) => {
  const quota = makeQuota(mode, 1)
  expect([quota.take("a", 0), quota.take("a", 1), quota.take("b", 1)]).toEqual([true, false, true])
  const off = makeQuota(mode, 0)
  expect(Array.from({ length: 50 }, () => off.take("a", 0)).every(Boolean)).toBe(true)
})

describe.each(QUOTA_MODES)("the server in %s mode", (mode) => {
  const QPS = 3
  const other = { accessKeyId: "other-account", accessKeySecret: "other-secret" }
  let emu: Emulator

  beforeAll(async () => {
    emu = await startEmulator({
      qps: QPS,
      quota: mode,
      credentials: [DEFAULT_CREDENTIALS, other],
      jobs: [{ jobId: "q-job", tasks: 5 }]
    })
  })
  afterAll(() => emu.close())

  it("one budget per AccessKeyId over every connection and action; throttles counted, their nonces not kept", async () => {
    emu.resetStats()
    const nonces = emu.stats().nonces
    const started = performance.now()
    // Each call opens its own connection.
    const burst = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        i % 2 === 0
          ? callV2(emu, { JobId: "q-job" })
          : callV2(emu, { JobId: "q-job" }, { action: "QueryOTAJob" })
      )
    )
    const elapsed = performance.now() - started
    const ok = burst.filter((result) => result.status === 200).length
    const throttled = burst.filter((result) => result.json?.Code === "Throttling.User")
    expect(ok + throttled.length).toBe(12)
    for (const result of throttled) expect(result.status).toBe(400)
    // However slowly a loaded machine served the burst, the budget bounds what passed.
    expect(ok).toBeGreaterThanOrEqual(1)
    expect(ok).toBeLessThanOrEqual(QPS * (Math.ceil(elapsed / 1000) + 1))
    if (mode !== "fixed-window" && elapsed < 1000) expect(ok).toBe(QPS)
    const stats = emu.stats()
    expect(stats.throttled).toBe(throttled.length)
    expect(stats.byCode["Throttling.User"]).toBe(throttled.length)
    expect(stats.nonces - nonces).toBe(ok)
    expect(Object.values(stats.byAction).reduce((sum, n) => sum + n, 0)).toBe(ok)

    const fromOther = await callV2(
      emu,
      { JobId: "q-job" },
      { accessKeyId: other.accessKeyId, secret: other.accessKeySecret }
    )
    expect(fromOther.status).toBe(200)
  })

  it("reports its quota", () => {
    expect(emu.quota).toEqual({ mode, qps: QPS })
  })
})

it("a fractional qps is refused with window quotas", async () => {
  await expect(startEmulator({ qps: 2.5, quota: "sliding-window" })).rejects.toThrow(/whole number/)
  await expect(startEmulator({ quota: "leaky" as never })).rejects.toThrow(/quota must be one of/)
})

describe("the request log", () => {
  const other = { accessKeyId: "other-account", accessKeySecret: "other-secret" }

  it("records every request the quota judged, in arrival order, admitted or throttled, per key and action; resetStats clears it", async () => {
    const emu = await startEmulator({
      qps: 2,
      quota: "sliding-window",
      requestLog: true,
      credentials: [DEFAULT_CREDENTIALS, other],
      jobs: [{ jobId: "q-job", tasks: 5 }]
    })
    try {
      const calls = await Promise.all([
        ...Array.from({ length: 6 }, () => callV2(emu, { JobId: "q-job" })),
        callV2(emu, { JobId: "q-job" }, { action: "QueryOTAJob" }),
        callV2(emu, { JobId: "q-job" }, { accessKeyId: other.accessKeyId, secret: other.accessKeySecret }),
        // Refused at its signature: never reaches the quota.
        callV2(emu, { JobId: "q-job" }, { secret: "wrong-secret" })
      ])
      expect(calls.at(-1)?.json?.Code).toBe("SignatureDoesNotMatch")
      const { requestLog, throttled } = emu.stats()
      expect(requestLog).toHaveLength(8)
      expect(requestLog.filter((entry) => entry.throttled)).toHaveLength(throttled)
      expect(throttled).toBe(calls.filter((call) => call.json?.Code === "Throttling.User").length)
      expect(requestLog.filter((entry) => entry.accessKeyId === other.accessKeyId)).toEqual([
        expect.objectContaining({ action: "ListOTATaskByJob", throttled: false })
      ])
      expect(requestLog.filter((entry) => entry.action === "QueryOTAJob")).toHaveLength(1)
      const times = requestLog.map((entry) => entry.at)
      expect(times).toEqual([...times].sort((a, b) => a - b))
      expect(times[0]).toBeGreaterThanOrEqual(0)
      // The sliding window as the log shows it: never more than 2 admitted per key within 1,000 ms.
      const admitted = requestLog.filter(
        (e) => !e.throttled && e.accessKeyId === DEFAULT_CREDENTIALS.accessKeyId
      )
      for (const [i, entry] of admitted.entries())
        if (i >= 2) expect(entry.at - admitted[i - 2]!.at).toBeGreaterThanOrEqual(1000)
      emu.resetStats()
      expect(emu.stats().requestLog).toEqual([])
    } finally {
      await emu.close()
    }
  })

  it("is empty unless asked for", async () => {
    const emu = await startEmulator({ qps: 0, jobs: [{ jobId: "q-job", tasks: 5 }] })
    try {
      expect((await callV2(emu, { JobId: "q-job" })).status).toBe(200)
      expect(emu.stats()).toMatchObject({ requests: 1, requestLog: [] })
    } finally {
      await emu.close()
    }
  })
})
