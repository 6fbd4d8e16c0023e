import { describe, expect, it } from "@effect/vitest"
import * as fc from "fast-check"
import { DeliveredKeys } from "../src/internal/deliveredKeys.js"

/** The rule, written plainly: a key is fresh unless the current page or one of the last `window` pages delivered it. */
class Reference {
  readonly pages: Array<Array<string>> = [[]]
  constructor(readonly window: number) {}
  claim(key: string): boolean {
    if (this.pages.some((keys) => keys.includes(key))) return false
    this.pages[this.pages.length - 1]!.push(key)
    return true
  }
  endPage(): void {
    this.pages.push([])
    if (this.pages.length > this.window + 1) this.pages.shift()
  }
}

/** Pages of keys drawn from a small pool, so repeats within and across pages are common. */
const pagesOf = (key: fc.Arbitrary<string>) => fc.array(fc.array(key, { maxLength: 30 }), { maxLength: 25 })

const agreesWithReference = (window: number, pages: ReadonlyArray<ReadonlyArray<string>>) => {
  const delivered = new DeliveredKeys(window)
  const reference = new Reference(window)
  for (const page of pages) {
    for (const key of page) expect(delivered.claim(key)).toBe(reference.claim(key))
    delivered.endPage()
    reference.endPage()
  }
  return delivered
}

describe("DeliveredKeys", () => {
  it("drops exactly the keys delivered by the current page or the last `window` pages", () => {
    const pool = fc.constantFrom(
      "",
      "a",
      "b",
      "ab",
      "ba",
      "task-1",
      "task-2",
      "task-10",
      "é",
      "😀",
      "x".repeat(40)
    )
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        pagesOf(fc.oneof(pool, fc.string({ maxLength: 6 }))),
        (window, pages) => {
          agreesWithReference(window, pages)
        }
      )
    )
  })

  it("stays exact when keys differ only where the fingerprint does not look, and switches to a set", () => {
    // Same length and same first, middle and last three characters: every key has one fingerprint.
    const alike = fc
      .integer({ min: 0, max: 400 })
      .map((n) => `AAAAA-${String(n).padStart(4, "0")}-BBBAAAAZZZ`)
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), pagesOf(alike), (window, pages) => {
        agreesWithReference(window, pages)
      })
    )
    const pages = Array.from({ length: 6 }, (_, p) =>
      Array.from({ length: 100 }, (_, i) => `AAAAA-${String(p * 100 + i).padStart(4, "0")}-BBBAAAAZZZ`)
    )
    expect(agreesWithReference(3, pages).exact).toBe(true)
  })

  it("keeps to fingerprints for ids like the API's", () => {
    const pages = Array.from({ length: 50 }, (_, p) =>
      Array.from({ length: 100 }, (_, i) => `SX27AO2QTuGKbM8YM4${String(p * 100 + i).padStart(8, "0")}`)
    )
    // A page repeated, as when the data shifts by a whole page.
    pages.splice(10, 0, pages[9]!)
    expect(agreesWithReference(3, pages).exact).toBe(false)
  })
})
