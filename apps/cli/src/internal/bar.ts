/**
 * Horizontal bars: unicode eighth blocks on a terminal, `#` elsewhere (a log
 * file or a pipe gets plain ASCII).
 */

const EIGHTHS = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"]

/**
 * A bar of `share` (0..1) over `width` cells, without the empty part. Rounded
 * down, like the percentage: a bar looks full only when the share is whole.
 */
export const bar = (share: number, width: number, unicode: boolean): string => {
  const clamped = Math.min(1, Math.max(0, Number.isFinite(share) ? share : 0))
  if (!unicode) return "#".repeat(Math.floor(clamped * width + 1e-9))
  const eighths = Math.floor(clamped * width * 8 + 1e-9)
  return "█".repeat(Math.floor(eighths / 8)) + EIGHTHS[eighths % 8]!
}

/** A bar of `share` padded to `width` with a light track (`░` or `.`). */
export const meter = (share: number, width: number, unicode: boolean): string => {
  const filled = bar(share, width, unicode)
  const used = [...filled].length
  return filled + (unicode ? "░" : ".").repeat(Math.max(0, width - used))
}

/** `45.0%`, rounded down (99.96% is `99.9%`, never `100.0%` before the end). */
export const percent = (share: number): string =>
  `${(Math.floor((Number.isFinite(share) ? share : 0) * 1000 + 1e-9) / 10).toFixed(1)}%`
