/**
 * The columns `ota tasks list` can show: every `OtaTask` field, plus
 * `version` (`srcVersion → destVersion`) for tables. Each column knows how to
 * render a task as table text, as a CSV field and as a JSON value.
 */
import type { OtaTask } from "@iot-ota/core/operations/ListOTATaskByJob"
import { didYouMean } from "./suggest.js"

/** One column of a listing. */
export interface Column {
  readonly name: string
  /** Table header. */
  readonly header: string
  /** Human text for tables (dates shortened, progress in percent). */
  readonly text: (task: OtaTask) => string
  /** Exact text for CSV (ISO dates, numbers as sent); `""` when absent. */
  readonly csv: (task: OtaTask) => string
  /** The JSON value; `undefined` when absent (the key is then omitted). */
  readonly json: (task: OtaTask) => unknown
  readonly align: "left" | "right"
  /** When a table is too wide, higher values give way first; 0 never shrinks. */
  readonly shrink: number
  /** Cells kept when shrinking. */
  readonly minWidth?: number
}

const iso = (date: Date | undefined): string => (date === undefined ? "" : date.toISOString())

/** `2024-05-01 10:03:12` (UTC): a table cell, not an exchange format. */
const shortDate = (date: Date | undefined): string =>
  date === undefined ? "" : date.toISOString().slice(0, 19).replace("T", " ")

const num = (n: number | undefined): string => (n === undefined ? "" : String(n))

const text = (
  name: keyof OtaTask & string,
  header: string,
  shrink: number,
  read: (task: OtaTask) => string | undefined
): Column => ({
  name,
  header,
  text: (task) => read(task) ?? "",
  csv: (task) => read(task) ?? "",
  json: read,
  align: "left",
  shrink
})

const date = (name: "utcCreate" | "utcModified", header: string): Column => ({
  name,
  header,
  text: (task) => shortDate(task[name]),
  csv: (task) => iso(task[name]),
  json: (task) => (task[name] === undefined ? undefined : iso(task[name])),
  align: "left",
  // Cut from the right, the date stays readable to the day.
  shrink: 2,
  minWidth: 10
})

/** Every column, in `OtaTask` field order, with `version` after `destVersion`. */
export const COLUMNS: ReadonlyArray<Column> = [
  text("taskId", "TASK ID", 2, (t) => t.taskId),
  text("jobId", "JOB ID", 2, (t) => t.jobId),
  text("iotId", "IOT ID", 2, (t) => t.iotId),
  { ...text("deviceName", "DEVICE", 1, (t) => t.deviceName), minWidth: 10 },
  text("productKey", "PRODUCT KEY", 2, (t) => t.productKey),
  text("productName", "PRODUCT", 3, (t) => t.productName),
  text("firmwareId", "FIRMWARE ID", 2, (t) => t.firmwareId),
  text("srcVersion", "FROM", 2, (t) => t.srcVersion),
  text("destVersion", "TO", 2, (t) => t.destVersion),
  {
    name: "version",
    header: "VERSION",
    text: (t) => `${t.srcVersion ?? "?"} → ${t.destVersion}`,
    csv: (t) => `${t.srcVersion ?? ""} → ${t.destVersion}`,
    json: (t) => `${t.srcVersion ?? ""} → ${t.destVersion}`,
    align: "left",
    shrink: 2
  },
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
  {
    name: "timeout",
    header: "TIMEOUT (MIN)",
    text: (t) => num(t.timeout),
    csv: (t) => num(t.timeout),
    json: (t) => t.timeout,
    align: "right",
    shrink: 0
  },
  date("utcCreate", "CREATED (UTC)"),
  date("utcModified", "MODIFIED (UTC)")
]

/** Every field of an `OtaTask`: what CSV shows by default, so that nothing is lost. */
export const ALL_FIELDS: ReadonlyArray<string> = COLUMNS.filter((c) => c.name !== "version").map(
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

const BY_NAME = new Map(COLUMNS.map((column) => [column.name.toLowerCase(), column]))

/**
 * Parses `a,b,c` (names matched case-insensitively). Returns the columns, or
 * the message naming the unknown ones and listing the known ones.
 */
export const parseColumns = (
  spec: string
): { readonly columns: ReadonlyArray<Column> } | { readonly error: string } => {
  const names = spec
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name !== "")
  if (names.length === 0) return { error: "--columns needs at least one column name" }
  const unknown = names.filter((name) => !BY_NAME.has(name.toLowerCase()))
  if (unknown.length > 0) {
    const known = COLUMNS.map((c) => c.name)
    const hints = unknown.map((name) => didYouMean(name, known)).join("")
    return {
      error: `unknown column${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")}${hints}; known: ${known.join(", ")}`
    }
  }
  return { columns: names.map((name) => BY_NAME.get(name.toLowerCase())!) }
}

/** Columns by name (names known to exist). */
export const columnsNamed = (names: ReadonlyArray<string>): ReadonlyArray<Column> =>
  names.map((name) => BY_NAME.get(name.toLowerCase())!)

/** A task's JSON object restricted to some columns, in their order. */
export const projectTask = (task: OtaTask, columns: ReadonlyArray<Column>): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  for (const column of columns) {
    const value = column.json(task)
    if (value !== undefined) out[column.name] = value
  }
  return out
}
