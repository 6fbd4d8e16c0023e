/**
 * The columns of the read path's records: firmware (update packages), jobs
 * (batches) and a device's unfinished tasks. Listings answer a summary of a
 * record and `show` the whole record, so one column set covers both: the
 * listing's defaults name the fields its answer has.
 */
import type { OtaFirmwareSummary } from "@iot-ota/core/operations/ListOTAFirmware"
import type { OtaJobSummary } from "@iot-ota/core/operations/ListOTAJobByFirmware"
import type { OtaUnfinishedTask } from "@iot-ota/core/operations/ListOTAUnfinishedTaskByDevice"
import type { OtaFirmware, OtaFirmwareFile } from "@iot-ota/core/operations/QueryOTAFirmware"
import type { OtaJob } from "@iot-ota/core/operations/QueryOTAJob"
import {
  booleanColumn,
  type Column,
  type ColumnSet,
  dateColumn,
  makeColumnSet,
  numberColumn,
  structuredColumn,
  TASK_COLUMNS,
  textColumn,
  versionColumn
} from "./columns.js"

/** A firmware as a listing answers it, or whole. */
export type FirmwareRecord = OtaFirmwareSummary & Partial<OtaFirmware>

/** A job as a listing answers it, or whole. */
export type JobRecord = OtaJobSummary & Partial<OtaJob>

/** `924 B`, `20.0 KiB`, `1.6 MiB`. */
export const byteSize = (bytes: number): string => {
  if (bytes < 1024) return `${bytes} B`
  const units = ["KiB", "MiB", "GiB", "TiB"]
  let value = bytes / 1024
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${value.toFixed(1)} ${units[unit]}`
}

/** The documented meanings of a firmware's `Status`. */
const FIRMWARE_STATUS: Readonly<Record<number, string>> = {
  [-1]: "no verification",
  0: "unverified",
  1: "verified",
  2: "verifying",
  3: "verify failed"
}

/** A firmware's verification state in words (an undocumented code as the number). */
export const firmwareStatus = (status: number): string => FIRMWARE_STATUS[status] ?? String(status)

/** `0` full, `1` differential. */
const firmwareType = (type: number): string =>
  type === 0 ? "full" : type === 1 ? "differential" : String(type)

/**
 * A download URL without its query: the query of an OSS URL is a signature
 * that grants the download, so a table (often pasted into a ticket) does not
 * show it; JSON and CSV keep the URL whole.
 */
export const urlWithoutQuery = (url: string): string => {
  const at = url.indexOf("?")
  return at === -1 ? url : `${url.slice(0, at)}?…`
}

const fileLabel = (files: ReadonlyArray<OtaFirmwareFile>): string =>
  files.map((file) => `${file.name}${file.size === undefined ? "" : ` ${byteSize(file.size)}`}`).join(", ")

const FIRMWARE_COLUMNS: ReadonlyArray<Column<FirmwareRecord>> = [
  textColumn("firmwareId", "FIRMWARE ID", 0, (f: FirmwareRecord) => f.firmwareId),
  textColumn("firmwareName", "NAME", 3, (f: FirmwareRecord) => f.firmwareName, 8),
  textColumn("firmwareDesc", "DESCRIPTION", 4, (f: FirmwareRecord) => f.firmwareDesc, 8),
  textColumn("productKey", "PRODUCT KEY", 0, (f: FirmwareRecord) => f.productKey),
  textColumn("productName", "PRODUCT", 3, (f: FirmwareRecord) => f.productName, 8),
  textColumn("moduleName", "MODULE", 2, (f: FirmwareRecord) => f.moduleName),
  textColumn("srcVersion", "FROM", 2, (f: FirmwareRecord) => f.srcVersion),
  textColumn("destVersion", "TO", 2, (f: FirmwareRecord) => f.destVersion),
  {
    // A full package upgrades from any version; a differential one from its srcVersion only.
    ...versionColumn((f: FirmwareRecord) => ({ src: f.srcVersion, dest: f.destVersion })),
    text: (f) => `${f.srcVersion ?? "any"} → ${f.destVersion}`
  },
  numberColumn("type", "TYPE", (f: FirmwareRecord) => f.type, firmwareType, "left"),
  numberColumn("status", "STATUS", (f: FirmwareRecord) => f.status, firmwareStatus, "left"),
  numberColumn(
    "verifyProgress",
    "VERIFIED",
    (f: FirmwareRecord) => f.verifyProgress,
    (n) => `${n}%`
  ),
  numberColumn("firmwareSize", "SIZE", (f: FirmwareRecord) => f.firmwareSize, byteSize),
  textColumn("signMethod", "SIGN METHOD", 0, (f: FirmwareRecord) => f.signMethod),
  textColumn("firmwareSign", "SIGNATURE", 2, (f: FirmwareRecord) => f.firmwareSign),
  {
    ...textColumn("firmwareUrl", "URL", 3, (f: FirmwareRecord) => f.firmwareUrl, 12),
    text: (f) => (f.firmwareUrl === undefined ? "" : urlWithoutQuery(f.firmwareUrl))
  },
  textColumn("udi", "DEVICE MESSAGE", 4, (f: FirmwareRecord) => f.udi, 8),
  {
    ...structuredColumn(
      "multiFiles",
      "FILES",
      3,
      (f: FirmwareRecord) => f.multiFiles,
      (files: ReadonlyArray<OtaFirmwareFile>) => fileLabel(files)
    )
  },
  dateColumn("utcCreate", "CREATED (UTC)", (f: FirmwareRecord) => f.utcCreate),
  dateColumn("utcModified", "MODIFIED (UTC)", (f: FirmwareRecord) => f.utcModified)
]

const FIRMWARE_SUMMARY_FIELDS = [
  "firmwareId",
  "firmwareName",
  "firmwareDesc",
  "productKey",
  "productName",
  "moduleName",
  "srcVersion",
  "destVersion",
  "type",
  "status",
  "firmwareSize",
  "signMethod",
  "firmwareSign",
  "utcCreate",
  "utcModified"
]

/** `ota firmware list`: the fields `ListOTAFirmware` answers. */
export const FIRMWARE: ColumnSet<FirmwareRecord> = makeColumnSet(FIRMWARE_COLUMNS, {
  fields: FIRMWARE_SUMMARY_FIELDS,
  table: ["firmwareId", "firmwareName", "productKey", "version", "status", "firmwareSize", "utcCreate"]
})

/** `ota firmware show`: every field of `QueryOTAFirmware`. */
export const FIRMWARE_DETAIL: ColumnSet<FirmwareRecord> = makeColumnSet(FIRMWARE_COLUMNS, {
  fields: FIRMWARE_COLUMNS.filter((column) => column.name !== "version").map((column) => column.name),
  table: FIRMWARE_COLUMNS.filter((column) => !["srcVersion", "destVersion"].includes(column.name)).map(
    (column) => column.name
  )
})

/** `ALL (static)`, `GRAY 50.00% (dynamic)`, `GROUP name (static)`. */
export const targetLabel = (job: JobRecord): string => {
  const selection = job.targetSelection ?? "?"
  const detail =
    job.grayPercent !== undefined && job.grayPercent !== ""
      ? ` ${job.grayPercent}%`
      : job.groupName !== undefined && job.groupName !== ""
        ? ` ${job.groupName}`
        : ""
  return `${selection}${detail}${job.selectionType === undefined ? "" : ` (${job.selectionType.toLowerCase()})`}`
}

const tagsLabel = (tags: ReadonlyArray<{ readonly key: string; readonly value: string }>): string =>
  tags.map((tag) => (tag.value === "" ? tag.key : `${tag.key}=${tag.value}`)).join(", ")

/** `2.9.2, 2.8.1 → 2.9.3`; `any → 2.9.3` when the job names no source versions. */
export const jobVersions = (job: JobRecord): string | undefined =>
  job.destVersion === undefined
    ? undefined
    : `${job.srcVersions === undefined || job.srcVersions.length === 0 ? "any" : job.srcVersions.join(", ")} → ${job.destVersion}`

const JOB_COLUMNS: ReadonlyArray<Column<JobRecord>> = [
  textColumn("jobId", "JOB ID", 0, (j: JobRecord) => j.jobId),
  textColumn("name", "NAME", 3, (j: JobRecord) => j.name, 8),
  textColumn("jobDesc", "DESCRIPTION", 4, (j: JobRecord) => j.jobDesc, 8),
  textColumn("jobStatus", "STATUS", 0, (j: JobRecord) => j.jobStatus),
  textColumn("jobType", "TYPE", 0, (j: JobRecord) => j.jobType),
  textColumn("firmwareId", "FIRMWARE ID", 0, (j: JobRecord) => j.firmwareId),
  textColumn("productKey", "PRODUCT KEY", 0, (j: JobRecord) => j.productKey),
  structuredColumn(
    "srcVersions",
    "FROM",
    2,
    (j: JobRecord) => j.srcVersions,
    (versions) => versions.join(", ")
  ),
  textColumn("destVersion", "TO", 2, (j: JobRecord) => j.destVersion),
  textColumn("version", "VERSION", 2, jobVersions),
  textColumn("targetSelection", "TARGET SELECTION", 0, (j: JobRecord) => j.targetSelection),
  textColumn("selectionType", "SELECTION TYPE", 0, (j: JobRecord) => j.selectionType),
  textColumn("target", "TARGET", 2, (j: JobRecord) =>
    j.targetSelection === undefined ? undefined : targetLabel(j)
  ),
  textColumn("grayPercent", "GRAY %", 0, (j: JobRecord) => j.grayPercent),
  textColumn("groupId", "GROUP ID", 2, (j: JobRecord) => j.groupId),
  textColumn("groupName", "GROUP", 2, (j: JobRecord) => j.groupName),
  numberColumn("timeoutInMinutes", "TIMEOUT (MIN)", (j: JobRecord) => j.timeoutInMinutes),
  numberColumn("maximumPerMinute", "MAX PER MINUTE", (j: JobRecord) => j.maximumPerMinute),
  numberColumn("retryInterval", "RETRY INTERVAL (MIN)", (j: JobRecord) => j.retryInterval),
  numberColumn("retryCount", "RETRIES", (j: JobRecord) => j.retryCount),
  numberColumn("overwriteMode", "OVERWRITE MODE", (j: JobRecord) => j.overwriteMode),
  numberColumn("dynamicMode", "DYNAMIC MODE", (j: JobRecord) => j.dynamicMode),
  booleanColumn("needPush", "PUSH", (j: JobRecord) => j.needPush),
  booleanColumn("needConfirm", "CONFIRM", (j: JobRecord) => j.needConfirm),
  booleanColumn("multiModuleMode", "MULTI-MODULE", (j: JobRecord) => j.multiModuleMode),
  textColumn("downloadProtocol", "DOWNLOAD", 0, (j: JobRecord) => j.downloadProtocol),
  structuredColumn("tags", "TAGS", 3, (j: JobRecord) => j.tags, tagsLabel),
  dateColumn("utcCreate", "CREATED (UTC)", (j: JobRecord) => j.utcCreate),
  dateColumn("utcModified", "MODIFIED (UTC)", (j: JobRecord) => j.utcModified),
  dateColumn("utcStartTime", "STARTED (UTC)", (j: JobRecord) => j.utcStartTime),
  dateColumn("utcEndTime", "ENDED (UTC)", (j: JobRecord) => j.utcEndTime),
  dateColumn("utcScheduleTime", "SCHEDULED (UTC)", (j: JobRecord) => j.utcScheduleTime),
  dateColumn("utcScheduleFinishTime", "SCHEDULE ENDS (UTC)", (j: JobRecord) => j.utcScheduleFinishTime)
]

/** Derived columns: not fields of a job, so not in a whole record. */
const DERIVED = new Set(["version", "target"])

const JOB_SUMMARY_FIELDS = [
  "jobId",
  "firmwareId",
  "productKey",
  "jobStatus",
  "jobType",
  "selectionType",
  "targetSelection",
  "tags",
  "utcCreate",
  "utcModified",
  "utcStartTime",
  "utcEndTime"
]

const JOB_TABLE = ["jobId", "jobStatus", "jobType", "target", "tags", "utcCreate", "utcStartTime"]

/**
 * A job table for listings over every firmware of a product (`ota jobs list --device` without `--firmware`):
 * it also names each job's firmware, after its id.
 */
const acrossFirmware = (table: ReadonlyArray<string>): ReadonlyArray<string> => [
  table[0]!,
  "firmwareId",
  ...table.slice(1)
]

/**
 * `ota jobs list`: the fields `ListOTAJobByFirmware` / `ListOTAJobByDevice`
 * answer (a job's name is not among them: `--details` or `ota jobs show`).
 */
export const JOBS: ColumnSet<JobRecord> = makeColumnSet(JOB_COLUMNS, {
  fields: JOB_SUMMARY_FIELDS,
  table: JOB_TABLE
})

/** `ota jobs list --device` over every firmware of the product: the table also names each job's firmware. */
export const JOBS_ACROSS_FIRMWARE: ColumnSet<JobRecord> = makeColumnSet(JOB_COLUMNS, {
  fields: JOB_SUMMARY_FIELDS,
  table: acrossFirmware(JOB_TABLE)
})

const JOB_DETAIL_FIELDS = JOB_COLUMNS.filter((column) => !DERIVED.has(column.name)).map(
  (column) => column.name
)

const JOB_DETAILED_TABLE = ["jobId", "name", "jobStatus", "version", "target", "utcCreate", "utcStartTime"]

/** `ota jobs list --details`: each job as `QueryOTAJob` answers it, its name and versions in the table. */
export const JOBS_DETAILED: ColumnSet<JobRecord> = makeColumnSet(JOB_COLUMNS, {
  fields: JOB_DETAIL_FIELDS,
  table: JOB_DETAILED_TABLE
})

/** `ota jobs list --device --details` over every firmware of the product. */
export const JOBS_DETAILED_ACROSS_FIRMWARE: ColumnSet<JobRecord> = makeColumnSet(JOB_COLUMNS, {
  fields: JOB_DETAIL_FIELDS,
  table: acrossFirmware(JOB_DETAILED_TABLE)
})

/** `ota jobs show`: every field of `QueryOTAJob`. */
export const JOB_DETAIL: ColumnSet<JobRecord> = makeColumnSet(JOB_COLUMNS, {
  fields: JOB_DETAIL_FIELDS,
  table: JOB_COLUMNS.filter(
    (column) =>
      ![
        "srcVersions",
        "destVersion",
        "targetSelection",
        "selectionType",
        "grayPercent",
        "groupName"
      ].includes(column.name)
  ).map((column) => column.name)
})

/** A task column, as a column of unfinished tasks. */
const taskColumn = (name: string): Column<OtaUnfinishedTask> =>
  TASK_COLUMNS.find((column) => column.name === name)!

const DEVICE_TASK_COLUMNS: ReadonlyArray<Column<OtaUnfinishedTask>> = [
  ...["taskId", "jobId", "iotId", "deviceName", "productKey", "productName", "firmwareId"].map(taskColumn),
  textColumn("moduleName", "MODULE", 2, (t: OtaUnfinishedTask) => t.moduleName),
  ...[
    "srcVersion",
    "destVersion",
    "version",
    "taskStatus",
    "progress",
    "taskDesc",
    "timeout",
    "utcCreate",
    "utcModified"
  ].map(taskColumn)
]

/**
 * `ota devices tasks`: the fields `ListOTAUnfinishedTaskByDevice` answers
 * (it sends no progress, description or timeout; they can still be asked for
 * with `--columns`, in case a server does).
 */
export const DEVICE_TASKS: ColumnSet<OtaUnfinishedTask> = makeColumnSet(DEVICE_TASK_COLUMNS, {
  fields: DEVICE_TASK_COLUMNS.filter(
    (column) => !["version", "progress", "taskDesc", "timeout"].includes(column.name)
  ).map((column) => column.name),
  table: ["taskId", "jobId", "taskStatus", "moduleName", "version", "utcModified"]
})
