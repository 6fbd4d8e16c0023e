/**
 * Aligned text tables fitted to a width: long cells are cut with `…`, the
 * most shrinkable columns (descriptions, names) giving way first.
 */
import { displayWidth, padEnd, padStart, serverText, truncate } from "./text.js"

/** How one column is laid out. */
export interface TableColumn {
  readonly header: string
  readonly align: "left" | "right"
  /** Higher gives way first when the table is too wide; 0 never shrinks. */
  readonly shrink: number
  /** Never cut below this many cells (default 6); the header may be cut too. */
  readonly minWidth?: number
}

/** Options of {@link renderTable}. */
export interface TableOptions {
  /** Fit into this many cells; `undefined` = natural widths. */
  readonly width: number | undefined
  /** Styles a body cell after it was cut and padded (colours must not change its width). */
  readonly style?: (cell: { readonly row: number; readonly column: number }, text: string) => string
  /** Styles the header line. */
  readonly styleHeader?: (line: string) => string
}

const GAP = "  "
const MIN_WIDTH = 6

/**
 * Column widths fitted into `width`: take cells from the widest column of the
 * highest shrink class until the table fits or nothing can give way.
 */
export const fitWidths = (
  columns: ReadonlyArray<TableColumn>,
  natural: ReadonlyArray<number>,
  width: number | undefined
): Array<number> => {
  const widths = [...natural]
  if (width === undefined) return widths
  const budget = width - GAP.length * (columns.length - 1)
  const floor = columns.map((column, i) =>
    column.shrink === 0 ? natural[i]! : Math.min(natural[i]!, column.minWidth ?? MIN_WIDTH)
  )
  let excess = widths.reduce((a, b) => a + b, 0) - budget
  const classes = [...new Set(columns.map((c) => c.shrink).filter((s) => s > 0))].sort((a, b) => b - a)
  for (const shrink of classes) {
    while (excess > 0) {
      let widest = -1
      for (let i = 0; i < columns.length; i++) {
        if (columns[i]!.shrink !== shrink || widths[i]! <= floor[i]!) continue
        if (widest === -1 || widths[i]! > widths[widest]!) widest = i
      }
      if (widest === -1) break
      widths[widest]!--
      excess--
    }
  }
  return widths
}

/** Renders rows of plain text (one string per column) as lines, without trailing newlines. */
export const renderTable = (
  columns: ReadonlyArray<TableColumn>,
  rows: ReadonlyArray<ReadonlyArray<string>>,
  options: TableOptions
): Array<string> => {
  // Cells hold server text (task fields): cleaned of control characters and capped.
  const clean = rows.map((row) => row.map((cell) => serverText(cell)))
  const natural = columns.map((column, i) =>
    Math.max(displayWidth(column.header), ...clean.map((row) => displayWidth(row[i] ?? "")))
  )
  const widths = fitWidths(columns, natural, options.width)
  const last = columns.length - 1
  const layout = (cells: ReadonlyArray<string>, row: number) =>
    cells
      .map((raw, i) => {
        const cut = truncate(raw, widths[i]!)
        // The last left-aligned column is not padded: no trailing spaces.
        const cell =
          columns[i]!.align === "right"
            ? padStart(cut, widths[i]!)
            : i === last
              ? cut
              : padEnd(cut, widths[i]!)
        return row < 0 || options.style === undefined ? cell : options.style({ row, column: i }, cell)
      })
      .join(GAP)
      .trimEnd()
  const header = layout(
    columns.map((column) => column.header),
    -1
  )
  return [
    options.styleHeader === undefined ? header : options.styleHeader(header),
    ...clean.map((row, i) => layout(row, i))
  ]
}
