/**
 * Durations on the command line, one rule for every flag: a number with a
 * unit (`500ms`, `2s`, `1.5m`, `1h`). A bare number is refused, because it
 * read as seconds in one flag and as milliseconds in another. The emulator
 * package (no dependencies) implements the same rule for `ota-emulator`.
 */

/** Milliseconds per unit. */
export const DURATION_UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }

/** What {@link parseDuration} made of a text. */
export type ParsedDuration =
  | { readonly _tag: "Duration"; readonly ms: number }
  /** A number without a unit: `value` is the number, for the suggestion. */
  | { readonly _tag: "NoUnit"; readonly value: string }
  | { readonly _tag: "Invalid" }

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/

/** Reads `500ms`, `2s`, `1.5m`, `1h` (whole milliseconds, rounded). */
export const parseDuration = (text: string): ParsedDuration => {
  const match = DURATION.exec(text.trim())
  if (match === null) return { _tag: "Invalid" }
  if (match[2] === undefined) return { _tag: "NoUnit", value: match[1]! }
  const ms = Math.round(Number(match[1]) * DURATION_UNITS[match[2]]!)
  return Number.isSafeInteger(ms) ? { _tag: "Duration", ms } : { _tag: "Invalid" }
}

/** The sentence every `--help` of a duration flag ends with. */
export const DURATION_HELP = "A duration needs a unit: ms, s, m or h (500ms, 2s, 1.5m)."

/**
 * A flag's duration within bounds, in milliseconds, or the problem: naming
 * the flag and the value, and suggesting units for a bare number.
 */
export const durationProblem = (
  flag: string,
  text: string,
  minMs: number,
  maxMs: number
): { readonly ms: number } | { readonly problem: string } => {
  const parsed = parseDuration(text)
  switch (parsed._tag) {
    case "NoUnit":
      return {
        problem: `${flag} ${text}: a duration needs a unit, e.g. ${parsed.value}s (seconds) or ${parsed.value}ms (milliseconds); units: ms, s, m, h`
      }
    case "Invalid":
      return {
        problem: `${flag} ${JSON.stringify(text)}: not a duration; expected a number and a unit (ms, s, m, h), e.g. 500ms, 2s, 1.5m`
      }
    case "Duration":
      return parsed.ms < minMs || parsed.ms > maxMs
        ? {
            problem: `${flag} ${text}: out of range; expected ${durationFlag(minMs)} to ${durationFlag(maxMs)}`
          }
        : { ms: parsed.ms }
  }
}

/** `850 ms`, `12.3 s`, `2 min 5 s`: for people. */
export const formatDuration = (ms: number): string => {
  if (ms < 1000) return `${Math.round(ms)} ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`
  const minutes = Math.floor(ms / 60_000)
  const seconds = Math.round((ms % 60_000) / 1000)
  return seconds === 0 ? `${minutes} min` : `${minutes} min ${seconds} s`
}

/** A duration as a flag value, which {@link parseDuration} reads back: `2s`, `500ms`, `1m`, `2h`. */
export const durationFlag = (ms: number): string =>
  ms % 3_600_000 === 0 && ms > 0
    ? `${ms / 3_600_000}h`
    : ms % 60_000 === 0 && ms > 0
      ? `${ms / 60_000}m`
      : ms % 1000 === 0 && ms > 0
        ? `${ms / 1000}s`
        : `${ms}ms`
