/**
 * The keys of the items a listing delivered in its last few pages, so an item
 * the server sends again (the data shifted between two page requests) is
 * dropped instead of delivered twice.
 *
 * Why not a `Set`: every key is a fresh string from the response, and hashing
 * it in full is most of a `Set`'s cost — ~15 µs per 100-item page measured
 * warm, ~40 µs inside a paging loop, a tenth of a page. Here a counting filter
 * over a cheap fingerprint (the length and five characters) answers almost
 * every lookup with "not delivered"; only a fingerprint already present is
 * checked exactly, against the keys of the window. Keys that differ only where
 * the fingerprint does not look (ids alike at those characters) would make
 * most lookups exact scans, so after too many such collisions a listing
 * switches to a `Set` for good.
 */

/** The fingerprint of a key: its length and the characters at both ends and in the middle. */
const fingerprint = (key: string, mask: number): number => {
  const n = key.length
  // Out of range, `charCodeAt` is NaN, which `^` reads as 0.
  let h = Math.imul(n ^ key.charCodeAt(n - 1), 0x9e3779b1)
  h = Math.imul(h ^ key.charCodeAt(n - 2), 0x85ebca6b)
  h = Math.imul(h ^ key.charCodeAt(n - 3), 0xc2b2ae35)
  h = Math.imul(h ^ key.charCodeAt(0), 0x27d4eb2f)
  h = Math.imul(h ^ key.charCodeAt(n >> 1), 0x165667b1)
  return (h ^ (h >>> 15)) & mask
}

/** Fingerprints with no exact match allowed per page, as a share of its keys, before switching to a `Set`. */
const COLLISION_SHARE = 0.25

export class DeliveredKeys {
  readonly #window: number
  /** The keys of the pages in the window, oldest first; the last one is the page being read. */
  readonly #pages: Array<Array<string>> = [[]]
  readonly #mask: number
  /** How many keys of the window have each fingerprint: 0 means certainly not delivered. */
  readonly #counts: Uint16Array
  /** Exact mode, once fingerprints collided too often. */
  #exact: Set<string> | undefined
  #collisions = 0

  /** `window`: how many finished pages a key stays remembered for, besides the page being read. */
  constructor(window: number) {
    this.#window = Math.max(1, window)
    // ~16 slots per key of a full window of 100-item pages: 1 lookup in ~16 needs an exact check.
    const keys = (this.#window + 1) * 100
    const slots = Math.min(1 << 16, Math.max(1 << 10, 2 ** Math.ceil(Math.log2(keys * 16))))
    this.#counts = new Uint16Array(slots)
    this.#mask = slots - 1
  }

  /** Whether `key` was delivered within the window; if not, it is remembered as delivered now. */
  claim(key: string): boolean {
    const current = this.#pages[this.#pages.length - 1]!
    const exact = this.#exact
    if (exact !== undefined) {
      if (exact.has(key)) return false
      exact.add(key)
      current.push(key)
      return true
    }
    const slot = fingerprint(key, this.#mask)
    if (this.#counts[slot] !== 0) {
      for (const keys of this.#pages) if (keys.includes(key)) return false
      this.#collisions++
    }
    // A slot counts at most the keys of the window, far below 65,535.
    this.#counts[slot]!++
    current.push(key)
    return true
  }

  /** Ends the page being read: the next claims belong to a new page, and the oldest page leaves the window. */
  endPage(): void {
    const current = this.#pages[this.#pages.length - 1]!
    if (this.#exact === undefined && this.#collisions > Math.max(8, current.length * COLLISION_SHARE)) {
      this.#exact = new Set(this.#pages.flat())
    }
    this.#collisions = 0
    this.#pages.push([])
    if (this.#pages.length > this.#window + 1) {
      const leaving = this.#pages.shift()!
      if (this.#exact !== undefined) for (const key of leaving) this.#exact.delete(key)
      else for (const key of leaving) this.#counts[fingerprint(key, this.#mask)]!--
    }
  }

  /** Whether lookups went exact (for tests). */
  get exact(): boolean {
    return this.#exact !== undefined
  }
}
