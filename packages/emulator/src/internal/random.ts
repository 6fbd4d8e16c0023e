/**
 * A small seeded PRNG so that a seed fully determines the generated data and the fault schedule, whatever the
 * Node version (Math.random cannot be seeded). `randomAt` gives every item of a collection (a task, a device)
 * its own stream, so any one of them can be generated alone, in any order: that is what lets a job of
 * 250,000 tasks be served page by page without generating the tasks before it.
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

/** The murmur3 finaliser: spreads the bits of consecutive integers. */
const mix32 = (value: number): number => {
  let h = value >>> 0
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
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

export const ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

/** One mulberry32 step from `state`: the new state and the draw in [0, 1). */
const step = (state: number): number => {
  let t = state
  t = Math.imul(t ^ (t >>> 15), t | 1)
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

const INCREMENT = 0x6d2b79f5

/** mulberry32: 32-bit state, good enough statistics for test data, and tiny. */
const fromState = (initial: number): Random => {
  let state = initial >>> 0
  const next = (): number => {
    state = (state + INCREMENT) >>> 0
    return step(state)
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

export const makeRandom = (seed: number, stream = ""): Random =>
  fromState(Math.trunc(seed) ^ hashString(stream))

const stateAt = (seed: number, streamHash: number, index: number): number =>
  (Math.trunc(seed) ^ mix32(streamHash ^ mix32(index + 0x9e3779b9))) >>> 0

/** The stream of item `index` of the collection named by `streamHash` (`hashString("task:" + jobId)`, …). */
export const randomAt = (seed: number, streamHash: number, index: number): Random =>
  fromState(stateAt(seed, streamHash, index))

/** The first `next()` of `randomAt(seed, streamHash, index)`, without allocating the stream. */
export const firstDrawAt = (seed: number, streamHash: number, index: number): number =>
  step((stateAt(seed, streamHash, index) + INCREMENT) >>> 0)
