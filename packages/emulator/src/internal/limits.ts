/**
 * Per-AccessKeyId quotas (three counting algorithms, since the service does not document its own) and the nonce
 * memory (replay protection, bounded in entries and in bytes per entry).
 */
import * as crypto from "node:crypto"
import type { QuotaMode } from "./model.js"

/** Admits or refuses one request of `key` at `nowMs` (a monotonic clock in ms). */
export interface Quota {
  readonly take: (key: string, nowMs: number) => boolean
}

const unlimited: Quota = { take: () => true }

/**
 * Token bucket: capacity `qps`, refilled continuously at `qps` tokens per second. A client that spaces its calls
 * at `1/qps` always finds a token; a burst of `qps` passes at once, so up to `2 × qps` calls can land in one
 * second.
 */
const tokenBucket = (qps: number): Quota => {
  const capacity = Math.max(1, qps)
  const buckets = new Map<string, { tokens: number; updatedAt: number }>()
  return {
    take: (key, nowMs) => {
      let bucket = buckets.get(key)
      if (bucket === undefined) {
        bucket = { tokens: capacity, updatedAt: nowMs }
        buckets.set(key, bucket)
      }
      bucket.tokens = Math.min(capacity, bucket.tokens + ((nowMs - bucket.updatedAt) * qps) / 1000)
      bucket.updatedAt = nowMs
      if (bucket.tokens < 1) return false
      bucket.tokens -= 1
      return true
    }
  }
}

/**
 * Fixed windows: at most `qps` calls per calendar second (windows aligned on whole seconds of `nowMs`), so a
 * client can land `qps` calls at the end of one second and `qps` more at the start of the next.
 */
const fixedWindow = (qps: number): Quota => {
  const windows = new Map<string, { second: number; count: number }>()
  return {
    take: (key, nowMs) => {
      const second = Math.floor(nowMs / 1000)
      let window = windows.get(key)
      if (window === undefined || window.second !== second) {
        window = { second, count: 0 }
        windows.set(key, window)
      }
      if (window.count >= qps) return false
      window.count++
      return true
    }
  }
}

/**
 * Sliding window, strict: a call is admitted only if fewer than `qps` calls were admitted in the 1,000 ms before
 * it, so no window of 1,000 ms ever holds more than `qps` admitted calls. Keeps the last `qps` admission times
 * in a ring per key.
 */
const slidingWindow = (qps: number): Quota => {
  const rings = new Map<string, { readonly times: Float64Array; next: number; size: number }>()
  return {
    take: (key, nowMs) => {
      let ring = rings.get(key)
      if (ring === undefined) {
        ring = { times: new Float64Array(qps), next: 0, size: 0 }
        rings.set(key, ring)
      }
      // When full, `next` is also the oldest of the last `qps` admissions.
      if (ring.size === qps && nowMs - (ring.times[ring.next] ?? 0) < 1000) return false
      ring.times[ring.next] = nowMs
      ring.next = (ring.next + 1) % qps
      ring.size = Math.min(qps, ring.size + 1)
      return true
    }
  }
}

export const makeQuota = (mode: QuotaMode, qps: number): Quota => {
  if (qps <= 0) return unlimited
  switch (mode) {
    case "token-bucket":
      return tokenBucket(qps)
    case "fixed-window":
      return fixedWindow(qps)
    case "sliding-window":
      return slidingWindow(qps)
  }
}

/** `crypto.hash` (Node ≥ 20.12): a one-shot digest several times cheaper than `createHash` for short input. */
const oneShot = typeof crypto.hash === "function" ? crypto.hash : undefined

/**
 * The nonce key remembered for a request: a 128-bit digest of AccessKeyId and nonce, so an entry costs the
 * same whatever the nonce's length.
 */
export const nonceKey = (accessKeyId: string, nonce: string): string => {
  const data = `${accessKeyId}\n${nonce}`
  return oneShot !== undefined
    ? oneShot("sha256", data, "binary").slice(0, 16)
    : crypto.createHash("sha256").update(data).digest().toString("latin1", 0, 16)
}

/**
 * Nonces seen within the last `windowMs`. Entries are inserted in time order, so expired ones are always at the
 * head of the Map and are swept in amortised O(1). `maxEntries` bounds memory under sustained benchmarks.
 */
export class NonceStore {
  private readonly expiries = new Map<string, number>()

  constructor(
    private readonly windowMs: number,
    private readonly maxEntries = 1_000_000
  ) {}

  get size(): number {
    return this.expiries.size
  }

  /** True when `key` was remembered within the window. */
  has(key: string, nowMs: number): boolean {
    this.sweep(nowMs)
    const expiry = this.expiries.get(key)
    return expiry !== undefined && expiry > nowMs
  }

  /** Remembers `key` for the window (call after `has` said no and the request was admitted). */
  remember(key: string, nowMs: number): void {
    this.expiries.delete(key)
    this.expiries.set(key, nowMs + this.windowMs)
    this.sweep(nowMs)
  }

  private sweep(nowMs: number): void {
    for (const [key, expiry] of this.expiries) {
      if (expiry > nowMs && this.expiries.size <= this.maxEntries) break
      this.expiries.delete(key)
    }
  }
}
