/**
 * Decides which fault, if any, the next admitted request (of any action) gets: first the scripted `sequence`,
 * then seeded draws at `rate`.
 */
import type { FaultOptions } from "../Emulator.js"
import { DEFAULT_FAULT_DELAY_MS, FAULT_KINDS, type FaultKind, isFaultKind } from "./model.js"
import { makeRandom, type Random } from "./random.js"

export class FaultPlan {
  private readonly sequence: ReadonlyArray<FaultKind | null>
  private readonly rate: number
  private readonly kinds: ReadonlyArray<FaultKind>
  private readonly random: Random
  private served = 0
  readonly delayMs: number

  constructor(options: FaultOptions | undefined, emulatorSeed: number) {
    const rate = options?.rate ?? 0
    if (!(rate >= 0 && rate <= 1)) throw new RangeError(`faults.rate must be within 0..1, got ${rate}`)
    const kinds = options?.kinds ?? FAULT_KINDS
    for (const kind of [...kinds, ...(options?.sequence ?? [])]) {
      if (kind !== null && !isFaultKind(kind)) {
        throw new RangeError(
          `unknown fault kind "${String(kind)}"; expected one of ${FAULT_KINDS.join(", ")}`
        )
      }
    }
    if (rate > 0 && kinds.length === 0) throw new RangeError("faults.kinds must not be empty when rate > 0")
    const delayMs = options?.delayMs ?? DEFAULT_FAULT_DELAY_MS
    if (!(delayMs >= 0)) throw new RangeError(`faults.delayMs must be >= 0, got ${delayMs}`)
    this.sequence = options?.sequence ?? []
    this.rate = rate
    this.kinds = kinds
    this.delayMs = delayMs
    this.random = makeRandom(options?.seed ?? emulatorSeed, "faults")
  }

  next(): FaultKind | null {
    const index = this.served++
    if (index < this.sequence.length) return this.sequence[index] ?? null
    if (this.rate === 0) return null
    // Draw both numbers every time so the kinds do not depend on which requests were spared.
    const roll = this.random.next()
    const kind = this.random.pick(this.kinds)
    return roll < this.rate ? kind : null
  }
}
