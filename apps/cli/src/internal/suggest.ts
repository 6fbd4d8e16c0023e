/**
 * "Did you mean": the known names closest to what was typed, by the edit
 * distance `@effect/cli` uses for its own corrections (case-insensitive).
 */
import * as AutoCorrect from "@effect/cli/AutoCorrect"
import * as CliConfig from "@effect/cli/CliConfig"

const config = CliConfig.make({ isCaseSensitive: false })

/** How many edits still count as a typo of a word this long. */
const tolerance = (length: number): number => (length <= 2 ? 1 : length <= 5 ? 2 : 3)

/**
 * The candidates closest to `input` within a typo's distance (all of those
 * at the smallest distance, in their order), or a candidate that `input`
 * starts (`--stat` for `--status`). Empty when nothing is close.
 */
export const closest = (input: string, candidates: Iterable<string>): Array<string> => {
  const typed = input.toLowerCase()
  if (typed === "") return []
  let best = Number.POSITIVE_INFINITY
  let found: Array<string> = []
  for (const candidate of candidates) {
    const distance = candidate.toLowerCase().startsWith(typed)
      ? 0
      : AutoCorrect.levensteinDistance(input, candidate, config)
    if (distance > tolerance(input.length)) continue
    if (distance < best) {
      best = distance
      found = [candidate]
    } else if (distance === best && !found.includes(candidate)) found.push(candidate)
  }
  return found
}

/**
 * Like {@link didYouMean} for camelCase names, which a user may know by
 * their last words: `status` or `staus` suggest `jobStatus`.
 */
export const didYouMeanName = (input: string, names: ReadonlyArray<string>): string => {
  const byAlias = new Map<string, Array<string>>()
  for (const name of names) {
    for (let i = 0; i < name.length; i++) {
      if (i > 0 && !(name[i]! >= "A" && name[i]! <= "Z")) continue
      const alias = name.slice(i).toLowerCase()
      byAlias.set(alias, [...(byAlias.get(alias) ?? []), name])
    }
  }
  const found = [...new Set(closest(input, byAlias.keys()).flatMap((alias) => byAlias.get(alias)!))]
  return found.length === 0 ? "" : ` (did you mean ${orList(found.slice(0, 3))}?)`
}

/** `a`, `a or b`, `a, b or c`. */
export const orList = (items: ReadonlyArray<string>): string =>
  items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} or ${items.at(-1)}`

/** ` (did you mean X?)` (or `X or Y`), or nothing when no candidate is close. */
export const didYouMean = (input: string, candidates: Iterable<string>): string => {
  const found = closest(input, candidates)
  return found.length === 0 ? "" : ` (did you mean ${orList(found.slice(0, 3))}?)`
}
