/**
 * A set of 64-bit fingerprints of strings, in an open-addressing table of
 * two `Uint32Array`s: 8 bytes per key (16 with the table's headroom), so a
 * listing of 250,000 tasks remembers every id in ~4 MiB instead of ~20 MiB of
 * strings. Two keys share a fingerprint with probability about n²/2⁶⁵ (2e-9
 * for 250,000 keys); a listing that met such a pair would report a repeat and
 * fail, never drop an item silently.
 */
export class FingerprintSet {
  #high = new Uint32Array(1024)
  #low = new Uint32Array(1024)
  #size = 0

  get size(): number {
    return this.#size
  }

  /** Adds `key`; `false` when (a key with) its fingerprint was already there. */
  add(key: string): boolean {
    let h1 = 0x811c9dc5
    let h2 = 0x9747b28c
    for (let i = 0; i < key.length; i++) {
      const c = key.charCodeAt(i)
      h1 = Math.imul(h1 ^ c, 0x01000193)
      h2 = Math.imul(h2 ^ c, 0x5bd1e995)
      h2 ^= h2 >>> 13
    }
    h1 = mix(h1 ^ key.length)
    h2 = mix(h2 + 0x9e3779b9)
    // 0/0 marks an empty slot.
    if (h1 === 0 && h2 === 0) h2 = 1
    if ((this.#size + 1) * 2 > this.#high.length) this.#grow()
    return this.#insert(h1 >>> 0, h2 >>> 0)
  }

  #insert(high: number, low: number): boolean {
    const mask = this.#high.length - 1
    let slot = (high ^ Math.imul(low, 0x27d4eb2d)) & mask
    while (true) {
      const h = this.#high[slot]!
      const l = this.#low[slot]!
      if (h === 0 && l === 0) {
        this.#high[slot] = high
        this.#low[slot] = low
        this.#size++
        return true
      }
      if (h === high && l === low) return false
      slot = (slot + 1) & mask
    }
  }

  #grow(): void {
    const high = this.#high
    const low = this.#low
    this.#high = new Uint32Array(high.length * 2)
    this.#low = new Uint32Array(low.length * 2)
    this.#size = 0
    for (let i = 0; i < high.length; i++) {
      if (high[i] !== 0 || low[i] !== 0) this.#insert(high[i]!, low[i]!)
    }
  }
}

/** murmur3's 32-bit finaliser: spreads every input bit over the output. */
const mix = (h: number): number => {
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  return h ^ (h >>> 16)
}
