/**
 * What the output streams are: a terminal or not, coloured or not, and how
 * wide. Read from the process once per command, so that rendering code is
 * pure and testable.
 */

type Env = Readonly<Record<string, string | undefined>>

interface StreamLike {
  readonly isTTY?: boolean | undefined
  readonly columns?: number | undefined
}

/** The facts rendering depends on. */
export interface TerminalInfo {
  /** stdout is a terminal: tables redraw and bars use block characters. */
  readonly stdoutIsTTY: boolean
  /** stderr is a terminal: progress bars are drawn there. */
  readonly stderrIsTTY: boolean
  /** Colour on stdout. */
  readonly color: boolean
  /** Colour on stderr. */
  readonly stderrColor: boolean
  /** Width to fit tables into; `undefined` = do not fit (a pipe or a file). */
  readonly columns: number | undefined
}

/**
 * Colour follows https://no-color.org: `NO_COLOR` set to anything but the
 * empty string turns it off; `FORCE_COLOR` (not `0`) turns it on; otherwise
 * colour only on a terminal that is not `TERM=dumb`.
 */
export const colorEnabled = (stream: StreamLike, env: Env): boolean => {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "" && env.FORCE_COLOR !== "0") return true
  return stream.isTTY === true && env.TERM !== "dumb"
}

const positiveInt = (text: string | undefined): number | undefined => {
  if (text === undefined || !/^\d+$/.test(text.trim())) return undefined
  const n = Number(text)
  return n > 0 ? n : undefined
}

/** The terminal's width, else `COLUMNS` when set (handy when piping to a pager), else none. */
export const outputColumns = (stream: StreamLike, env: Env): number | undefined =>
  stream.isTTY === true && stream.columns !== undefined && stream.columns > 0
    ? stream.columns
    : positiveInt(env.COLUMNS)

/** Reads the current process's streams and environment. */
export const terminalInfo = (
  stdout: StreamLike = process.stdout,
  stderr: StreamLike = process.stderr,
  env: Env = process.env
): TerminalInfo => ({
  stdoutIsTTY: stdout.isTTY === true,
  stderrIsTTY: stderr.isTTY === true,
  color: colorEnabled(stdout, env),
  stderrColor: colorEnabled(stderr, env),
  columns: outputColumns(stdout, env)
})

/** SGR colour codes used by the CLI. */
const CODES = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  blue: [34, 39],
  magenta: [35, 39],
  cyan: [36, 39],
  grey: [90, 39]
} as const

/** A colour name. */
export type ColorName = keyof typeof CODES

/** Wraps text in a colour when `enabled`, else returns it unchanged. */
export const paint = (enabled: boolean, color: ColorName, text: string): string =>
  enabled ? `\u001b[${CODES[color][0]}m${text}\u001b[${CODES[color][1]}m` : text

/**
 * The colour of a task or job status: green done, red failed, yellow running,
 * grey cancelled, cyan waiting.
 */
export const statusColor = (status: string): ColorName | undefined => {
  switch (status) {
    case "SUCCEEDED":
    case "COMPLETED":
      return "green"
    case "FAILED":
      return "red"
    case "IN_PROGRESS":
      return "yellow"
    case "CANCELED":
      return "grey"
    case "NOTIFIED":
      return "blue"
    case "CONFIRM":
      return "magenta"
    case "QUEUED":
    case "PLANNED":
      return "cyan"
    default:
      return undefined
  }
}

/** A status painted in its colour (unknown statuses stay plain). */
export const paintStatus = (enabled: boolean, status: string, text: string = status): string => {
  const color = statusColor(status)
  return color === undefined ? text : paint(enabled, color, text)
}

/** Escape sequences for redrawing a block of lines in place. */
export const ansi = {
  hideCursor: "\u001b[?25l",
  showCursor: "\u001b[?25h",
  /** Moves to the start of the line `n` lines up. */
  up: (n: number): string => (n > 0 ? `\u001b[${n}F` : "\r"),
  /** Clears from the cursor to the end of the screen. */
  clearDown: "\u001b[0J",
  /** Clears the whole current line and returns to its start. */
  clearLine: "\r\u001b[2K"
} as const
