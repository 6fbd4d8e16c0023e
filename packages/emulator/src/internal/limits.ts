/**
 * Per-AccessKeyId token buckets (QPS limit) and the nonce memory (replay protection).
 */

interface Bucket {
  tokens: number
  updatedAt: number
}

/**
 * Capacity `qps`, refilled continuously at `qps` tokens per second: a client that spaces its calls evenly at
 * `1/qps` always finds a token, a burst of more than `qps` calls is refused.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>()
  private readonly capacity: number

  constructor(private readonly qps: number) {
    this.capacity = Math.max(1, qps)
  }

  take(key: string, nowMs: number): boolean {
    if (this.qps <= 0) return true
    let bucket = this.buckets.get(key)
    if (bucket === undefined) {
      bucket = { tokens: this.capacity, updatedAt: nowMs }
      this.buckets.set(key, bucket)
    }
    bucket.tokens = Math.min(this.capacity, bucket.tokens + ((nowMs - bucket.updatedAt) * this.qps) / 1000)
    bucket.updatedAt = nowMs
    if (bucket.tokens < 1) return false
    bucket.tokens -= 1
    return true
  }
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

  /** True when `key` was already used within the window; otherwise remembers it. */
  use(key: string, nowMs: number): boolean {
    this.sweep(nowMs)
    const expiry = this.expiries.get(key)
    if (expiry !== undefined && expiry > nowMs) return true
    this.expiries.set(key, nowMs + this.windowMs)
    return false
  }

  private sweep(nowMs: number): void {
    for (const [key, expiry] of this.expiries) {
      if (expiry > nowMs && this.expiries.size < this.maxEntries) break
      this.expiries.delete(key)
    }
  }
}
