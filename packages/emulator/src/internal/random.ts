/**
 * A small seeded PRNG so that a seed fully determines the generated data and the fault
 * schedule, whatever the Node version (Math.random cannot be seeded).
 */

/** FNV-1a, used to derive independent streams from a seed and a name (a job id, "faults"). */
export const hashString = (text: string): number => {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  return hash >>> 0
}

export interface Random {
  /** Uniform in [0, 1). */
  readonly next: () => number
  /** Uniform integer in [0, bound). */
  readonly int: (bound: number) => number
  readonly pick: <A>(items: ReadonlyArray<A>) => A
  /** `length` characters from `alphabet`. */
  readonly chars: (length: number, alphabet?: string) => string
}

const ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

/** mulberry32: 32-bit state, good enough statistics for test data, and tiny. */
export const makeRandom = (seed: number, stream = ""): Random => {
  let state = (Math.trunc(seed) ^ hashString(stream)) >>> 0
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (bound: number): number => Math.floor(next() * bound)
  return {
    next,
    int,
    pick: <A>(items: ReadonlyArray<A>): A => {
      if (items.length === 0) throw new RangeError("pick from an empty list")
      return items[int(items.length)] as A
    },
    chars: (length, alphabet = ALPHANUMERIC) => {
      let out = ""
      for (let i = 0; i < length; i++) out += alphabet[int(alphabet.length)]
      return out
    }
  }
}
