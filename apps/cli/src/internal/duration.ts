/**
 * Durations on the command line: `500ms`, `10s`, `1.5m`, `1h`; a bare number
 * is seconds.
 */

const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }

/** Milliseconds, or `undefined` when the text is not a duration. */
export const parseDuration = (text: string): number | undefined => {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/i.exec(text.trim())
  if (match === null) return undefined
  const ms = Number(match[1]) * UNITS[(match[2] ?? "s").toLowerCase()]!
  return Number.isFinite(ms) ? Math.round(ms) : undefined
}

/** `850 ms`, `12.3 s`, `2 min 5 s`: for people. */
export const formatDuration = (ms: number): string => {
  if (ms < 1000) return `${Math.round(ms)} ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`
  const minutes = Math.floor(ms / 60_000)
  const seconds = Math.round((ms % 60_000) / 1000)
  return seconds === 0 ? `${minutes} min` : `${minutes} min ${seconds} s`
}

/** A duration as a flag value: `2s`, `500ms`, `1m`. */
export const durationFlag = (ms: number): string =>
  ms % 60_000 === 0 ? `${ms / 60_000}m` : ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`
