/**
 * The emulator's records as the clients decode them, which is also how the CLI prints them as JSON:
 * camelCase, an optional field absent when the record has none, lists flattened. The ground truth of the
 * read-path tests of the edge package (in real runtimes) and of the CLI (`toEqual`, so key order is free).
 */
import type { FirmwareRecord, JobRecord, TaskRecord } from "@iot-ota/emulator"

const defined = (entries: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(entries).filter(([, value]) => value !== undefined))

/** A firmware as `ListOTAFirmware` answers it. */
export const firmwareSummary = (f: FirmwareRecord): Record<string, unknown> =>
  defined({
    firmwareId: f.FirmwareId,
    firmwareName: f.FirmwareName,
    firmwareDesc: f.FirmwareDesc,
    productKey: f.ProductKey,
    productName: f.ProductName,
    moduleName: f.ModuleName,
    srcVersion: f.SrcVersion,
    destVersion: f.DestVersion,
    type: f.Type,
    status: f.Status,
    firmwareSize: f.FirmwareSize,
    signMethod: f.SignMethod,
    firmwareSign: f.FirmwareSign,
    utcCreate: f.UtcCreate,
    utcModified: f.UtcModified
  })

/** A firmware as `QueryOTAFirmware` answers it (the emulator's single-file packages). */
export const firmwareDetail = (f: FirmwareRecord): Record<string, unknown> => ({
  ...firmwareSummary(f),
  verifyProgress: f.VerifyProgress,
  firmwareUrl: f.FirmwareUrl
})

const tags = (job: JobRecord) => job.Tags?.OtaTagDTO.map((tag) => ({ key: tag.Key, value: tag.Value }))

/** A job as `ListOTAJobByFirmware` / `ListOTAJobByDevice` answer it. */
export const jobSummary = (job: JobRecord): Record<string, unknown> =>
  defined({
    jobId: job.JobId,
    firmwareId: job.FirmwareId,
    productKey: job.ProductKey,
    jobStatus: job.JobStatus,
    jobType: job.JobType,
    selectionType: job.SelectionType,
    targetSelection: job.TargetSelection,
    tags: tags(job),
    utcCreate: job.UtcCreate,
    utcModified: job.UtcModified,
    utcStartTime: job.UtcStartTime,
    utcEndTime: job.UtcEndTime
  })

/** A job as `QueryOTAJob` answers it: every field the emulator has, camelCased, the lists flattened. */
export const jobDetail = (job: JobRecord): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(job)) out[key[0]!.toLowerCase() + key.slice(1)] = value
  out.srcVersions = job.SrcVersions.SrcVersion
  if (job.Tags !== undefined) out.tags = tags(job)
  return out
}

/** The statuses `ListOTAUnfinishedTaskByDevice` answers. */
export const UNFINISHED_STATUSES: ReadonlySet<string> = new Set([
  "CONFIRM",
  "QUEUED",
  "NOTIFIED",
  "IN_PROGRESS"
])

/** A task as `ListOTAUnfinishedTaskByDevice` answers it, with its firmware's module. */
export const unfinishedTask = (task: TaskRecord, moduleName: string): Record<string, unknown> => ({
  taskId: task.TaskId,
  jobId: task.JobId,
  iotId: task.IotId,
  deviceName: task.DeviceName,
  productKey: task.ProductKey,
  productName: task.ProductName,
  firmwareId: task.FirmwareId,
  moduleName,
  srcVersion: task.SrcVersion,
  destVersion: task.DestVersion,
  taskStatus: task.TaskStatus,
  utcCreate: task.UtcCreate,
  utcModified: task.UtcModified
})
