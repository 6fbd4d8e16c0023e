/**
 * Terminal text: display width (wide East Asian characters take two cells,
 * combining marks none), truncation with `…`, padding, and making server data
 * safe to print (no control characters or escape sequences from a task's
 * description can reach the terminal).
 */

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching escape sequences is the point
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)/g

/** Removes ANSI escape sequences (colours, cursor moves). */
export const stripAnsi = (text: string): string => text.replace(ANSI, "")

// biome-ignore lint/suspicious/noControlCharactersInRegex: replacing control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]+/g

/**
 * Escape sequences as a terminal would read them: CSI (`ESC [` ... final
 * byte, also as the one-byte C1 `\u009b`), OSC, DCS, SOS, PM and APC strings
 * (up to BEL or ST), and two-byte `ESC x` sequences.
 */
const ESCAPES =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching escape sequences is the point
  /(?:\u001b\[|\u009b)[0-?]*[ -/]*[@-~]?|(?:\u001b[\]PX^_]|[\u0090\u0098\u009d\u009e\u009f])[^\u0007\u001b\u009c]*(?:\u0007|\u001b\\|\u009c)?|\u001b[ -~]?/g

/**
 * One printable line: escape sequences removed whole (so `ESC[2J` leaves no
 * `[2J` behind), then control characters (newlines, tabs, CR, C1 codes)
 * become a single space, so server-provided text can neither break a table
 * row nor send commands to the terminal.
 */
export const sanitize = (text: string): string => text.replace(ESCAPES, "").replace(CONTROL, " ")

/** Longest server-supplied text printed whole; longer text is cut with an ellipsis. */
export const SERVER_TEXT_MAX = 500

/**
 * Text that came from a server, made safe for a terminal: at most `max`
 * characters (then `…`), no escape sequences, no control characters. Cut
 * before it is cleaned, so a huge message costs no more than a short one.
 */
export const serverText = (text: string, max: number = SERVER_TEXT_MAX): string => {
  const head = text.length > max * 2 ? text.slice(0, max * 2) : text
  const clean = sanitize(head)
  const chars = [...clean]
  return chars.length > max || head.length < text.length ? `${chars.slice(0, max).join("")}…` : clean
}

const isZeroWidth = (code: number): boolean =>
  (code >= 0x0300 && code <= 0x036f) || // combining diacritical marks
  (code >= 0x1ab0 && code <= 0x1aff) ||
  (code >= 0x1dc0 && code <= 0x1dff) ||
  (code >= 0x20d0 && code <= 0x20ff) ||
  (code >= 0xfe00 && code <= 0xfe0f) || // variation selectors
  (code >= 0xfe20 && code <= 0xfe2f) ||
  code === 0x200b || // zero-width space
  code === 0x200c ||
  code === 0x200d || // zero-width joiner
  code === 0x2060 ||
  code === 0xfeff

/** East Asian Wide and Fullwidth ranges, plus emoji presentation blocks. */
const isWide = (code: number): boolean =>
  (code >= 0x1100 && code <= 0x115f) ||
  (code >= 0x2e80 && code <= 0x303e) ||
  (code >= 0x3041 && code <= 0x33ff) ||
  (code >= 0x3400 && code <= 0x4dbf) ||
  (code >= 0x4e00 && code <= 0x9fff) ||
  (code >= 0xa000 && code <= 0xa4cf) ||
  (code >= 0xa960 && code <= 0xa97f) ||
  (code >= 0xac00 && code <= 0xd7a3) ||
  (code >= 0xf900 && code <= 0xfaff) ||
  (code >= 0xfe30 && code <= 0xfe4f) ||
  (code >= 0xff00 && code <= 0xff60) ||
  (code >= 0xffe0 && code <= 0xffe6) ||
  (code >= 0x1f300 && code <= 0x1f64f) ||
  (code >= 0x1f900 && code <= 0x1f9ff) ||
  (code >= 0x20000 && code <= 0x3fffd)

/** Cells one code point takes in a terminal. */
export const charWidth = (code: number): number => (isZeroWidth(code) ? 0 : isWide(code) ? 2 : 1)

/** Cells a string takes in a terminal (escape sequences excluded). */
export const displayWidth = (text: string): number => {
  let width = 0
  for (const char of stripAnsi(text)) width += charWidth(char.codePointAt(0)!)
  return width
}

/** Cuts plain text to at most `width` cells, ending with `…` when something was cut. */
export const truncate = (text: string, width: number): string => {
  if (width <= 0) return ""
  if (displayWidth(text) <= width) return text
  let out = ""
  let used = 0
  for (const char of text) {
    const w = charWidth(char.codePointAt(0)!)
    if (used + w > width - 1) break
    out += char
    used += w
  }
  return out + "…"
}

/** Pads plain or coloured text with spaces to `width` cells. */
export const padEnd = (text: string, width: number): string =>
  text + " ".repeat(Math.max(0, width - displayWidth(text)))

/** Right-aligns plain or coloured text in `width` cells. */
export const padStart = (text: string, width: number): string =>
  " ".repeat(Math.max(0, width - displayWidth(text))) + text

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching escape sequences is the point
const LEADING_ANSI = /^\u001b\[[0-?]*[ -/]*[@-~]/

/** Like {@link truncate} for text that may hold colour codes: codes take no width and styles are reset when cut. */
export const truncateStyled = (text: string, width: number): string => {
  if (displayWidth(text) <= width) return text
  let out = ""
  let used = 0
  let rest = text
  while (rest.length > 0) {
    const code = LEADING_ANSI.exec(rest)
    if (code !== null) {
      out += code[0]
      rest = rest.slice(code[0].length)
      continue
    }
    const char = String.fromCodePoint(rest.codePointAt(0)!)
    const w = charWidth(char.codePointAt(0)!)
    if (used + w > width - 1) break
    out += char
    used += w
    rest = rest.slice(char.length)
  }
  return out.includes("\u001b[") ? `${out}…\u001b[0m` : `${out}…`
}

/** Cuts text into pieces of at most `width` cells (for a word longer than a line: broken, not cut). */
const hardWrap = (text: string, width: number): Array<string> => {
  const pieces: Array<string> = []
  let piece = ""
  let used = 0
  let rest = text
  while (rest.length > 0) {
    const code = LEADING_ANSI.exec(rest)
    if (code !== null) {
      piece += code[0]
      rest = rest.slice(code[0].length)
      continue
    }
    const char = String.fromCodePoint(rest.codePointAt(0)!)
    const w = charWidth(char.codePointAt(0)!)
    if (used + w > width && used > 0) {
      pieces.push(piece)
      piece = ""
      used = 0
    }
    piece += char
    used += w
    rest = rest.slice(char.length)
  }
  if (piece !== "") pieces.push(piece)
  return pieces
}

/**
 * Packs items into lines of at most `width` cells, `separator` between items
 * on a line; an item is never split unless it alone is wider than a line.
 * Nothing is cut: what does not fit goes to the next line.
 */
export const wrapItems = (items: ReadonlyArray<string>, width: number, separator: string): Array<string> => {
  const limit = Math.max(1, width)
  const lines: Array<string> = []
  let line = ""
  for (const item of items) {
    for (const piece of displayWidth(item) > limit ? hardWrap(item, limit) : [item]) {
      if (line === "") line = piece
      else if (displayWidth(line) + displayWidth(separator) + displayWidth(piece) <= limit)
        line += separator + piece
      else {
        lines.push(line)
        line = piece
      }
    }
  }
  if (line !== "") lines.push(line)
  return lines
}

/** Word-wraps text to lines of at most `width` cells. */
export const wrapWords = (text: string, width: number): Array<string> =>
  wrapItems(
    text.split(" ").filter((word) => word !== ""),
    width,
    " "
  )
