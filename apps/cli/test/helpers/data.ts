/**
 * Ground truth and parsers: what the emulator's task records look like in
 * each output format, and small independent parsers for CSV (RFC 4180) and
 * the aligned table, so that outputs are read back rather than pattern-matched.
 */
import type { TaskRecord } from "@iot-ota/emulator"

/** Every field of a task, in the CLI's column order. */
export const FIELDS = [
  "taskId",
  "jobId",
  "iotId",
  "deviceName",
  "productKey",
  "productName",
  "firmwareId",
  "srcVersion",
  "destVersion",
  "taskStatus",
  "progress",
  "taskDesc",
  "timeout",
  "utcCreate",
  "utcModified"
] as const

/** An emulator record as the CLI's JSON prints it (numbers as numbers, empty TaskDesc omitted). */
export const expectedJson = (record: TaskRecord): Record<string, unknown> => {
  const task: Record<string, unknown> = {
    taskId: record.TaskId,
    jobId: record.JobId,
    iotId: record.IotId,
    deviceName: record.DeviceName,
    productKey: record.ProductKey,
    productName: record.ProductName,
    firmwareId: record.FirmwareId,
    srcVersion: record.SrcVersion,
    destVersion: record.DestVersion,
    taskStatus: record.TaskStatus,
    progress: Number(record.Progress),
    utcCreate: record.UtcCreate,
    utcModified: record.UtcModified
  }
  if (record.TaskDesc !== undefined && record.TaskDesc !== "") task.taskDesc = record.TaskDesc
  if (record.Timeout !== undefined) task.timeout = Number(record.Timeout)
  return task
}

/** An emulator record as a CSV row of every field (absent = empty). */
export const expectedCsv = (record: TaskRecord): Array<string> => {
  const json = expectedJson(record)
  return FIELDS.map((field) => (json[field] === undefined ? "" : String(json[field])))
}

/**
 * Parses RFC 4180 CSV: CRLF between records, fields optionally quoted,
 * doubled quotes inside quotes, CR/LF/commas allowed inside quotes. Throws on
 * malformed input (a quote in an unquoted field, an unterminated quote, a
 * bare LF between records).
 */
export const parseCsv = (text: string): Array<Array<string>> => {
  const records: Array<Array<string>> = []
  let record: Array<string> = []
  let i = 0
  const endRecord = () => {
    records.push(record)
    record = []
  }
  while (i < text.length) {
    let field = ""
    if (text[i] === '"') {
      i++
      for (;;) {
        if (i >= text.length) throw new Error("unterminated quoted field")
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            field += '"'
            i += 2
            continue
          }
          i++
          break
        }
        field += text[i]
        i++
      }
    } else {
      while (i < text.length && text[i] !== "," && text[i] !== "\r" && text[i] !== "\n") {
        if (text[i] === '"') throw new Error(`quote inside an unquoted field at ${i}`)
        field += text[i]
        i++
      }
    }
    record.push(field)
    if (text[i] === ",") {
      i++
      continue
    }
    if (text[i] === "\r" && text[i + 1] === "\n") {
      i += 2
      endRecord()
      continue
    }
    if (i >= text.length) {
      endRecord()
      break
    }
    throw new Error(`expected , or CRLF at ${i}, got ${JSON.stringify(text[i])}`)
  }
  return records
}

/**
 * Reads an aligned table back: the header line gives each column's start
 * (headers are single words or words separated by one space, columns by two
 * or more), rows are sliced at those offsets. Stops at the first blank line.
 */
export const parseTable = (text: string): { header: Array<string>; rows: Array<Array<string>> } => {
  const lines = text.split("\n")
  const headerLine = lines[0] ?? ""
  const starts: Array<number> = []
  const re = /\S+(?: \S+)*/g
  for (let match = re.exec(headerLine); match !== null; match = re.exec(headerLine)) starts.push(match.index)
  const cut = (line: string) =>
    starts.map((start, i) =>
      [...line]
        .slice(start, starts[i + 1] ?? undefined)
        .join("")
        .trim()
    )
  const rows: Array<Array<string>> = []
  for (const line of lines.slice(1)) {
    if (line.trim() === "") break
    rows.push(cut(line))
  }
  return { header: cut(headerLine), rows }
}
