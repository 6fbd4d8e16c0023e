/**
 * Horizontal bars: unicode eighth blocks on a terminal, `#` elsewhere (a log
 * file or a pipe gets plain ASCII).
 */

const EIGHTHS = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"]

/** A bar of `share` (0..1) over `width` cells, without the empty part. */
export const bar = (share: number, width: number, unicode: boolean): string => {
  const clamped = Math.min(1, Math.max(0, Number.isFinite(share) ? share : 0))
  if (!unicode) return "#".repeat(Math.round(clamped * width))
  const eighths = Math.round(clamped * width * 8)
  return "█".repeat(Math.floor(eighths / 8)) + EIGHTHS[eighths % 8]!
}

/** A bar of `share` padded to `width` with a light track (`░` or `.`). */
export const meter = (share: number, width: number, unicode: boolean): string => {
  const filled = bar(share, width, unicode)
  const used = [...filled].length
  return filled + (unicode ? "░" : ".").repeat(Math.max(0, width - used))
}

/** `45.0%` */
export const percent = (share: number): string => `${(Number.isFinite(share) ? share * 100 : 0).toFixed(1)}%`
