/**
 * The columns of every listing: each column knows how to render a record as
 * table text, as a CSV field and as a JSON value. A `ColumnSet` holds a
 * record kind's columns with its defaults (what a table shows, what CSV and
 * JSON carry) and parses `--columns a,b,c` against them.
 *
 * The task columns (`ota tasks list`) are here; firmware, jobs and a
 * device's unfinished tasks have theirs in `recordColumns.ts`.
 */
import type { OtaTask } from "@iot-ota/core/operations/ListOTATaskByJob"
import { didYouMeanName } from "./suggest.js"

/** One column of a listing. */
export interface Column<A = OtaTask> {
  readonly name: string
  /** Table header. */
  readonly header: string
  /** Human text for tables (dates shortened, progress in percent). */
  readonly text: (record: A) => string
  /** Exact text for CSV (ISO dates, numbers as sent); `""` when absent. */
  readonly csv: (record: A) => string
  /** The JSON value; `undefined` when absent (the key is then omitted). */
  readonly json: (record: A) => unknown
  readonly align: "left" | "right"
  /** When a table is too wide, higher values give way first; 0 never shrinks. */
  readonly shrink: number
  /** Cells kept when shrinking. */
  readonly minWidth?: number
}

export const iso = (date: Date | undefined): string => (date === undefined ? "" : date.toISOString())

/** `2024-05-01 10:03:12` (UTC): a table cell, not an exchange format. */
export const shortDate = (date: Date | undefined): string =>
  date === undefined ? "" : date.toISOString().slice(0, 19).replace("T", " ")

export const num = (n: number | undefined): string => (n === undefined ? "" : String(n))

/** A column of text read from the record as is. */
export const textColumn = <A>(
  name: string,
  header: string,
  shrink: number,
  read: (record: A) => string | undefined,
  minWidth?: number
): Column<A> => ({
  name,
  header,
  text: (record) => read(record) ?? "",
  csv: (record) => read(record) ?? "",
  json: read,
  align: "left",
  shrink,
  ...(minWidth === undefined ? {} : { minWidth })
})

/** A date: shortened in tables, ISO 8601 in CSV and JSON. */
export const dateColumn = <A>(
  name: string,
  header: string,
  read: (record: A) => Date | undefined
): Column<A> => ({
  name,
  header,
  text: (record) => shortDate(read(record)),
  csv: (record) => iso(read(record)),
  json: (record) => {
    const date = read(record)
    return date === undefined ? undefined : iso(date)
  },
  align: "left",
  // Cut from the right, the date stays readable to the day.
  shrink: 2,
  minWidth: 10
})

/** A number: as sent in CSV and JSON, `label` (or the number) in tables. */
export const numberColumn = <A>(
  name: string,
  header: string,
  read: (record: A) => number | undefined,
  label: (n: number) => string = String,
  align: "left" | "right" = "right"
): Column<A> => ({
  name,
  header,
  text: (record) => {
    const n = read(record)
    return n === undefined ? "" : label(n)
  },
  csv: (record) => num(read(record)),
  json: read,
  align,
  shrink: 0
})

/** A yes/no flag: `true`/`false` in CSV and JSON, `yes`/`no` in tables. */
export const booleanColumn = <A>(
  name: string,
  header: string,
  read: (record: A) => boolean | undefined
): Column<A> => ({
  name,
  header,
  text: (record) => {
    const b = read(record)
    return b === undefined ? "" : b ? "yes" : "no"
  },
  csv: (record) => {
    const b = read(record)
    return b === undefined ? "" : String(b)
  },
  json: read,
  align: "left",
  shrink: 0
})

/**
 * A structured value (a list, tags): JSON in JSON, its JSON text in CSV (exact,
 * one field), `label` in tables.
 */
export const structuredColumn = <A, V>(
  name: string,
  header: string,
  shrink: number,
  read: (record: A) => V | undefined,
  label: (value: V) => string
): Column<A> => ({
  name,
  header,
  text: (record) => {
    const value = read(record)
    return value === undefined ? "" : label(value)
  },
  csv: (record) => {
    const value = read(record)
    return value === undefined ? "" : JSON.stringify(value)
  },
  json: read,
  align: "left",
  shrink
})

/** A record kind's columns and their defaults. */
export interface ColumnSet<A> {
  /** Every column, in the record's field order. */
  readonly columns: ReadonlyArray<Column<A>>
  /** The fields CSV shows and JSON carries by default (a record whole). */
  readonly fields: ReadonlyArray<Column<A>>
  /** What a table shows by default. */
  readonly table: ReadonlyArray<Column<A>>
  /** Columns by name (names known to exist; case-insensitive). */
  readonly named: (names: ReadonlyArray<string>) => ReadonlyArray<Column<A>>
  /**
   * Parses `a,b,c` (names matched case-insensitively). Returns the columns, or
   * the message naming the unknown ones and listing the known ones.
   */
  readonly parse: (
    spec: string
  ) => { readonly columns: ReadonlyArray<Column<A>> } | { readonly error: string }
}

/** A column set: `fields` and `table` name the default columns. */
export const makeColumnSet = <A>(
  columns: ReadonlyArray<Column<A>>,
  defaults: { readonly fields: ReadonlyArray<string>; readonly table: ReadonlyArray<string> }
): ColumnSet<A> => {
  const byName = new Map(columns.map((column) => [column.name.toLowerCase(), column]))
  const named = (names: ReadonlyArray<string>) => names.map((name) => byName.get(name.toLowerCase())!)
  return {
    columns,
    fields: named(defaults.fields),
    table: named(defaults.table),
    named,
    parse: (spec) => {
      const names = spec
        .split(",")
        .map((name) => name.trim())
        .filter((name) => name !== "")
      if (names.length === 0) return { error: "--columns needs at least one column name" }
      const unknown = names.filter((name) => !byName.has(name.toLowerCase()))
      if (unknown.length > 0) {
        const known = columns.map((c) => c.name)
        const hints = unknown.map((name) => didYouMeanName(name, known)).join("")
        return {
          error: `unknown column${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")}${hints}; known: ${known.join(", ")}`
        }
      }
      return { columns: named(names) }
    }
  }
}

/** A record's JSON object restricted to some columns, in their order. */
export const project = <A>(record: A, columns: ReadonlyArray<Column<A>>): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  for (const column of columns) {
    const value = column.json(record)
    if (value !== undefined) out[column.name] = value
  }
  return out
}

const text = (
  name: keyof OtaTask & string,
  header: string,
  shrink: number,
  read: (task: OtaTask) => string | undefined
): Column => textColumn(name, header, shrink, read)

/** `1.0.0 → 1.0.1`, `? → 1.0.1` in tables when the source version is unknown. */
export const versionColumn = <A>(
  read: (record: A) => { readonly src: string | undefined; readonly dest: string }
): Column<A> => ({
  name: "version",
  header: "VERSION",
  text: (record) => {
    const { src, dest } = read(record)
    return `${src ?? "?"} → ${dest}`
  },
  csv: (record) => {
    const { src, dest } = read(record)
    return `${src ?? ""} → ${dest}`
  },
  json: (record) => {
    const { src, dest } = read(record)
    return `${src ?? ""} → ${dest}`
  },
  align: "left",
  shrink: 2
})

/** Every task column, in `OtaTask` field order, with `version` after `destVersion`. */
export const TASK_COLUMNS: ReadonlyArray<Column> = [
  text("taskId", "TASK ID", 2, (t) => t.taskId),
  text("jobId", "JOB ID", 2, (t) => t.jobId),
  text("iotId", "IOT ID", 2, (t) => t.iotId),
  { ...text("deviceName", "DEVICE", 1, (t) => t.deviceName), minWidth: 10 },
  text("productKey", "PRODUCT KEY", 2, (t) => t.productKey),
  text("productName", "PRODUCT", 3, (t) => t.productName),
  text("firmwareId", "FIRMWARE ID", 2, (t) => t.firmwareId),
  text("srcVersion", "FROM", 2, (t) => t.srcVersion),
  text("destVersion", "TO", 2, (t) => t.destVersion),
  versionColumn((t: OtaTask) => ({ src: t.srcVersion, dest: t.destVersion })),
  text("taskStatus", "STATUS", 0, (t) => t.taskStatus),
  {
    name: "progress",
    header: "PROGRESS",
    text: (t) => (t.progress === undefined ? "" : `${Math.round(t.progress)}%`),
    csv: (t) => num(t.progress),
    json: (t) => t.progress,
    align: "right",
    shrink: 0
  },
  { ...text("taskDesc", "DESCRIPTION", 4, (t) => t.taskDesc), minWidth: 8 },
  numberColumn("timeout", "TIMEOUT (MIN)", (t: OtaTask) => t.timeout),
  dateColumn("utcCreate", "CREATED (UTC)", (t: OtaTask) => t.utcCreate),
  dateColumn("utcModified", "MODIFIED (UTC)", (t: OtaTask) => t.utcModified)
]

/** Every field of an `OtaTask`: what CSV shows by default, so that nothing is lost. */
export const ALL_FIELDS: ReadonlyArray<string> = TASK_COLUMNS.filter((c) => c.name !== "version").map(
  (c) => c.name
)

/** What a table shows by default. */
export const DEFAULT_TABLE_COLUMNS: ReadonlyArray<string> = [
  "deviceName",
  "taskStatus",
  "progress",
  "version",
  "utcModified",
  "taskDesc"
]

/** The columns of `ota tasks list`. */
export const TASKS: ColumnSet<OtaTask> = makeColumnSet(TASK_COLUMNS, {
  fields: ALL_FIELDS,
  table: DEFAULT_TABLE_COLUMNS
})

/** Every task column (the name the tests know). */
export const COLUMNS = TASK_COLUMNS

/** Parses `--columns` for tasks. */
export const parseColumns = TASKS.parse

/** Task columns by name (names known to exist). */
export const columnsNamed = TASKS.named

/** A task's JSON object restricted to some columns, in their order. */
export const projectTask = (task: OtaTask, columns: ReadonlyArray<Column>): Record<string, unknown> =>
  project(task, columns)
