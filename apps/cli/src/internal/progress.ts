/**
 * A one-line progress bar redrawn in place on stderr, shown only when stderr
 * is a terminal (never in a pipe or a log file), so that stdout stays data.
 */
import { meter, percent } from "./bar.js"
import { ansi } from "./terminal.js"

/** A progress line. Drawing is throttled; `clear` erases it. */
export interface ProgressLine {
  /** `total` is `undefined` while it is not known yet. */
  readonly update: (done: number, total: number | undefined) => void
  readonly clear: () => void
}

const noop: ProgressLine = { update: () => {}, clear: () => {} }

/**
 * @param enabled draw at all (stderr is a TTY)
 * @param label text before the bar, e.g. `Fetching tasks`
 * @param columns terminal width
 */
export const makeProgressLine = (
  enabled: boolean,
  label: string,
  columns: number | undefined,
  write: (text: string) => void = (text) => void process.stderr.write(text)
): ProgressLine => {
  if (!enabled) return noop
  let drawn = false
  let lastDraw = 0
  return {
    update: (done, total) => {
      const now = Date.now()
      // At most ~12 redraws a second, but always the final state.
      if ((total === undefined || done < total) && now - lastDraw < 80) return
      lastDraw = now
      if (total === undefined) {
        write(`${ansi.clearLine}${label}: ${done}`)
      } else {
        const share = total === 0 ? 1 : done / total
        const width = Math.max(10, Math.min(40, (columns ?? 80) - label.length - 30))
        write(`${ansi.clearLine}${label} [${meter(share, width, true)}] ${done}/${total} (${percent(share)})`)
      }
      drawn = true
    },
    clear: () => {
      if (drawn) write(ansi.clearLine)
      drawn = false
    }
  }
}
