/**
 * Printing records in every output format, for every listing command: one
 * page (with a footer saying where it is), every item as pages arrive
 * (`--all`: JSON arrays, NDJSON lines and CSV rows streamed, a table laid
 * out at the end, a progress bar on a terminal's stderr), a list answered at
 * once, and one record (`show`).
 */
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { type Column, type ColumnSet, project } from "./columns.js"
import { csvRecord } from "./csv.js"
import * as Output from "./output.js"
import { makeProgressLine } from "./progress.js"
import { renderTable } from "./table.js"
import { paint, paintStatus, type TerminalInfo } from "./terminal.js"
import { displayWidth, padEnd, serverText } from "./text.js"

/** Output formats of every listing. */
export const OUTPUT_FORMATS = ["table", "json", "ndjson", "csv"] as const

/** One of {@link OUTPUT_FORMATS}. */
export type OutputFormat = (typeof OUTPUT_FORMATS)[number]

/** What a listing prints and how it names its items. */
export interface Listing<A> {
  /** `{ one: "job", many: "jobs" }`; `firmware` is both. */
  readonly noun: { readonly one: string; readonly many: string }
  readonly set: ColumnSet<A>
  /** The column whose cells are coloured by their status. */
  readonly statusColumn?: string | undefined
}

/** How to print it. */
export interface PrintOptions<A> {
  readonly output: OutputFormat
  /** Columns chosen with `--columns`; each format has its default. */
  readonly columns?: ReadonlyArray<Column<A>> | undefined
  readonly terminal: TerminalInfo
}

/** One page of a listing, as the client answers it. */
export interface PageOf<A> {
  readonly items: ReadonlyArray<A>
  readonly total: number
  readonly currentPage: number
  readonly pageSize: number
  readonly pageCount: number
}

/** `1 job`, `250 jobs`, `3 firmware`. */
export const counted = (listing: { readonly noun: Listing<never>["noun"] }, n: number): string =>
  `${n} ${n === 1 ? listing.noun.one : listing.noun.many}`

/** How a batch of records is written, for a streaming format. */
export interface Writer<A> {
  readonly begin: string
  readonly chunk: (records: ReadonlyArray<A>, first: boolean) => string
  readonly end: (any: boolean) => string
}

/** The JSON, NDJSON or CSV writer of a listing; whole records keep their field order. */
export const streamWriter = <A>(
  set: ColumnSet<A>,
  output: Exclude<OutputFormat, "table">,
  chosen: ReadonlyArray<Column<A>> | undefined
): Writer<A> => {
  const columns = chosen ?? set.fields
  const json = (record: A) => JSON.stringify(project(record, columns))
  switch (output) {
    case "json":
      // One array, one record per line: valid JSON that can be written as pages arrive.
      return {
        begin: "",
        chunk: (records, first) => (first ? "[\n" : ",\n") + records.map(json).join(",\n"),
        end: (any) => (any ? "\n]\n" : "[]\n")
      }
    case "ndjson":
      return {
        begin: "",
        chunk: (records) => records.map((record) => `${json(record)}\n`).join(""),
        end: () => ""
      }
    case "csv":
      return {
        begin: csvRecord(columns.map((column) => column.name)),
        chunk: (records) =>
          records.map((record) => csvRecord(columns.map((column) => column.csv(record)))).join(""),
        end: () => ""
      }
  }
}

/**
 * The table lines for some records (header first), fitted to the terminal
 * width, the status column coloured when colour is on.
 */
export const tableLines = <A>(
  records: ReadonlyArray<A>,
  columns: ReadonlyArray<Column<A>>,
  terminal: TerminalInfo,
  statusColumn?: string
): Array<string> => {
  const status = columns.findIndex((column) => column.name === statusColumn)
  return renderTable(
    columns,
    records.map((record) => columns.map((column) => column.text(record))),
    {
      width: terminal.columns,
      style: ({ row, column }, text) =>
        column === status ? paintStatus(terminal.color, columns[column]!.text(records[row]!), text) : text,
      styleHeader: (line) => paint(terminal.color, "bold", line)
    }
  )
}

const table = <A>(listing: Listing<A>, options: PrintOptions<A>, records: ReadonlyArray<A>) =>
  tableLines(records, options.columns ?? listing.set.table, options.terminal, listing.statusColumn)

const dim = (options: { readonly terminal: TerminalInfo }, text: string) =>
  paint(options.terminal.color, "dim", text)

/** One page, in any format: a table with a footer, or data (and a hint on a terminal's stderr). */
export const printPage = <A>(
  listing: Listing<A>,
  options: PrintOptions<A>,
  page: PageOf<A>
): Effect.Effect<void, Output.BrokenPipe> =>
  Effect.gen(function* () {
    const { one, many } = listing.noun
    if (options.output === "table") {
      const lines =
        page.items.length === 0
          ? [page.total === 0 ? `No ${many}.` : `No ${many} on page ${page.currentPage}.`]
          : table(listing, options, page.items)
      const first = (page.currentPage - 1) * page.pageSize + 1
      const footer =
        page.items.length === 0
          ? `${counted(listing, page.total)} in all.`
          : `Page ${page.currentPage} of ${page.pageCount}: ${many} ${first}-${first + page.items.length - 1} of ${page.total}.` +
            (page.currentPage < page.pageCount
              ? ` Next: --page ${page.currentPage + 1}; every ${one}: --all.`
              : "")
      return yield* Output.stdout(`${lines.join("\n")}\n\n${dim(options, footer)}\n`)
    }
    const writer = streamWriter(listing.set, options.output, options.columns)
    const body = page.items.length === 0 ? "" : writer.chunk(page.items, true)
    yield* Output.stdout(writer.begin + body + writer.end(page.items.length > 0))
    if (page.currentPage < page.pageCount && options.terminal.stderrIsTTY) {
      yield* Output.stderr(
        `ota: page ${page.currentPage} of ${page.pageCount} (${counted(listing, page.total)}); --page ${page.currentPage + 1} for the next, --all for every ${one}\n`
      )
    }
  })

/**
 * Every record of a stream, written as pages arrive (a table is laid out at
 * the end, with `footer`). With stderr a terminal, a progress bar is drawn
 * there; its total comes from `expected`, run beside the listing and only then.
 */
export const printStream = <A, E, R, E2 = never, R2 = never>(
  listing: Listing<A>,
  options: PrintOptions<A>,
  records: Stream.Stream<A, E, R>,
  expected?: Effect.Effect<number, E2, R2>,
  footer: (count: number) => string = (count) => `${counted(listing, count)}.`
): Effect.Effect<void, E | Output.BrokenPipe, R | R2> =>
  Effect.gen(function* () {
    const { terminal } = options
    const progress = makeProgressLine(terminal.stderrIsTTY, `Fetching ${listing.noun.many}`, terminal.columns)
    let total: number | undefined
    if (terminal.stderrIsTTY && expected !== undefined) {
      yield* expected.pipe(
        Effect.tap((n) => Effect.sync(() => (total = n))),
        Effect.ignore,
        Effect.forkScoped
      )
    }
    let count = 0
    const advance = (n: number) =>
      Effect.sync(() => {
        count += n
        progress.update(count, total === undefined ? undefined : Math.max(total, count))
      })
    const run = Effect.gen(function* () {
      if (options.output === "table") {
        const collected: Array<A> = []
        yield* Stream.runForEachChunk(records, (chunk) => {
          for (const record of chunk) collected.push(record)
          return advance(chunk.length)
        })
        progress.clear()
        const lines =
          collected.length === 0 ? [`No ${listing.noun.many}.`] : table(listing, options, collected)
        return yield* Output.stdout(`${lines.join("\n")}\n\n${dim(options, footer(collected.length))}\n`)
      }
      const writer = streamWriter(listing.set, options.output, options.columns)
      // The header (or "[") goes out with the first records, so that a listing
      // that fails at its first request leaves stdout empty.
      let any = false
      yield* Stream.runForEachChunk(records, (chunk) =>
        Chunk.isEmpty(chunk)
          ? Effect.void
          : Effect.zipRight(
              Effect.suspend(() => {
                const text = (any ? "" : writer.begin) + writer.chunk(Chunk.toReadonlyArray(chunk), !any)
                any = true
                // On a shared terminal, data must not be written over the progress line.
                if (terminal.stdoutIsTTY) progress.clear()
                return Output.stdout(text)
              }),
              advance(chunk.length)
            )
      )
      progress.clear()
      yield* Output.stdout((any ? "" : writer.begin) + writer.end(any))
    })
    yield* Effect.ensuring(
      run,
      Effect.sync(() => progress.clear())
    )
  }).pipe(Effect.scoped)

/** Records answered at once (a listing without pages), in any format; `footer` closes a table. */
export const printRecords = <A>(
  listing: Listing<A>,
  options: PrintOptions<A>,
  records: ReadonlyArray<A>,
  footer: string = `${counted(listing, records.length)}.`
): Effect.Effect<void, Output.BrokenPipe> => {
  if (options.output === "table") {
    const lines = records.length === 0 ? [`No ${listing.noun.many}.`] : table(listing, options, records)
    return Output.stdout(`${lines.join("\n")}\n\n${dim(options, footer)}\n`)
  }
  const writer = streamWriter(listing.set, options.output, options.columns)
  return Output.stdout(
    writer.begin + (records.length === 0 ? "" : writer.chunk(records, true)) + writer.end(records.length > 0)
  )
}

/**
 * The lines of one record as a table: a label and a value per field that
 * has one, values cleaned like table cells (one line, no escape sequences).
 */
export const recordLines = <A>(
  record: A,
  columns: ReadonlyArray<Column<A>>,
  terminal: TerminalInfo,
  statusColumn?: string
): Array<string> => {
  const rows = columns
    .map((column) => [column, serverText(column.text(record))] as const)
    .filter(([, value]) => value !== "")
  const width = Math.max(0, ...rows.map(([column]) => displayWidth(column.header)))
  return rows.map(([column, value]) => {
    const label = paint(terminal.color, "bold", padEnd(column.header, width))
    return `${label}  ${column.name === statusColumn ? paintStatus(terminal.color, value) : value}`
  })
}

/** One record (`show`): label/value lines, one JSON object (indented), one NDJSON line, or CSV with its header. */
export const printRecord = <A>(
  listing: Listing<A>,
  options: PrintOptions<A>,
  record: A
): Effect.Effect<void, Output.BrokenPipe> => {
  const columns = options.columns ?? (options.output === "table" ? listing.set.table : listing.set.fields)
  switch (options.output) {
    case "table":
      return Output.stdout(
        `${recordLines(record, columns, options.terminal, listing.statusColumn).join("\n")}\n`
      )
    case "json":
      return Output.stdout(`${JSON.stringify(project(record, columns), null, 2)}\n`)
    case "ndjson":
      return Output.stdout(`${JSON.stringify(project(record, columns))}\n`)
    case "csv":
      return Output.stdout(
        csvRecord(columns.map((column) => column.name)) +
          csvRecord(columns.map((column) => column.csv(record)))
      )
  }
}
