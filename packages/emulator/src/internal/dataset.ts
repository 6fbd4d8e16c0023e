/**
 * The emulator's one dataset, products → firmware → jobs → tasks → devices, and the questions the action
 * handlers ask of it. Every answer is derived from the same catalog and task sources, so a task's job,
 * firmware and device exist in the job, firmware and device answers, and counts agree.
 */
import type {
  Casing,
  FirmwareRecord,
  FirmwareSpec,
  JobRecord,
  JobSpec,
  ProductSpec,
  TaskRecord
} from "../Emulator.js"
import {
  buildCatalog,
  type Catalog,
  deviceAt,
  deviceIndexOfIotId,
  deviceIndexOfName,
  type FirmwareDef,
  iso,
  type JobDef,
  type ProductDef
} from "./catalog.js"
import { ChunkCache, makeTaskSource, type TaskSource, taskCount } from "./tasks.js"

/** JSON of recently served task pages kept in memory, over all jobs. */
const CHUNK_BUDGET_BYTES = 32 * 1024 * 1024

export interface WorldOptions {
  readonly seed: number
  readonly casing: Casing
  readonly products: ReadonlyArray<ProductSpec>
  readonly firmware: ReadonlyArray<FirmwareSpec>
  readonly jobs: ReadonlyArray<JobSpec>
  /** `performance.now()` at start: rollout time zero. */
  readonly startedMono: number
  /** The server clock at start (real time + skew). */
  readonly startedWall: number
}

/** A device as the API addresses it. */
export interface DeviceRef {
  readonly product: ProductDef
  readonly deviceName: string
  readonly iotId: string
}

/** A `SimpleOTAJobInfo` item (job lists). */
export type JobSummary = Pick<
  JobRecord,
  | "JobId"
  | "FirmwareId"
  | "ProductKey"
  | "JobStatus"
  | "JobType"
  | "SelectionType"
  | "TargetSelection"
  | "UtcCreate"
  | "UtcModified"
  | "UtcStartTime"
  | "UtcEndTime"
  | "Tags"
>

/** A `SimpleFirmwareInfo` item (ListOTAFirmware): the firmware without its download details. */
export type FirmwareSummary = Omit<FirmwareRecord, "FirmwareUrl" | "VerifyProgress">

/** A `SimpleOTATaskInfo` item of ListOTAUnfinishedTaskByDevice. */
export interface UnfinishedTask {
  readonly TaskId: string
  readonly JobId: string
  readonly FirmwareId: string
  readonly ProductKey: string
  readonly ProductName: string
  readonly DeviceName: string
  readonly IotId: string
  readonly ModuleName: string
  readonly SrcVersion: string
  readonly DestVersion: string
  readonly TaskStatus: string
  readonly UtcCreate: string
  readonly UtcModified: string
}

export class World {
  readonly seed: number
  readonly catalog: Catalog
  private readonly sources = new Map<string, TaskSource>()
  private readonly startedWall: number

  constructor(options: WorldOptions) {
    this.seed = options.seed
    this.startedWall = options.startedWall
    this.catalog = buildCatalog(options)
    for (const job of this.catalog.jobs.values()) {
      job.product.population = Math.max(job.product.population, taskCount(job))
    }
    const context = {
      seed: options.seed,
      casing: options.casing,
      cache: new ChunkCache(CHUNK_BUDGET_BYTES),
      startedMono: options.startedMono,
      startedWall: options.startedWall
    }
    for (const job of this.catalog.jobs.values()) this.sources.set(job.jobId, makeTaskSource(job, context))
  }

  source(jobId: string): TaskSource | undefined {
    return this.sources.get(jobId)
  }

  private sourceOf(job: JobDef): TaskSource {
    const source = this.sources.get(job.jobId)
    if (source === undefined) throw new RangeError(`no tasks for job "${job.jobId}"`)
    return source
  }

  firmware(firmwareId: string): FirmwareDef | undefined {
    return this.catalog.firmware.get(firmwareId)
  }

  product(productKey: string): ProductDef | undefined {
    return this.catalog.products.get(productKey)
  }

  // -------------------------------------------------------------------------------------------------------
  // Jobs

  private times(job: JobDef, now: number) {
    const rollout = job.spec.rollout !== undefined
    const created = rollout ? this.startedWall : job.createdAt
    const started = created + 1000
    const ended = this.sourceOf(job).endedAt(now)
    return { created, started, ended }
  }

  /** `COMPLETED` once every task is terminal, `IN_PROGRESS` until then. */
  jobRecord(job: JobDef, now: number): JobRecord {
    const { created, started, ended } = this.times(job, now)
    const firmware = job.firmware.record
    const record: Record<string, unknown> = {
      JobId: job.jobId,
      FirmwareId: firmware.FirmwareId,
      ProductKey: job.product.productKey,
      Name: job.name,
      JobDesc: job.description,
      JobStatus: ended === undefined ? "IN_PROGRESS" : "COMPLETED",
      JobType: "UPGRADE_FIRMWARE",
      SelectionType: "STATIC",
      TargetSelection: job.targetSelection,
      DestVersion: firmware.DestVersion,
      SrcVersions: { SrcVersion: [...job.firmware.srcVersions] },
      GrayPercent: job.grayPercent,
      OverwriteMode: job.overwriteMode,
      MultiModuleMode: false,
      NeedPush: true,
      NeedConfirm: job.needConfirm,
      DownloadProtocol: "HTTPS",
      MaximumPerMinute: job.maximumPerMinute,
      TimeoutInMinutes: job.timeoutMinutes,
      RetryInterval: job.retry?.interval,
      RetryCount: job.retry?.count,
      UtcCreate: iso(created),
      UtcModified: iso(ended ?? started),
      UtcStartTime: iso(started),
      UtcEndTime: ended === undefined ? undefined : iso(ended),
      Tags: { OtaTagDTO: job.tags.map((tag) => ({ ...tag })) }
    }
    for (const key of Object.keys(record)) if (record[key] === undefined) delete record[key]
    return record as unknown as JobRecord
  }

  jobSummary(job: JobDef, now: number): JobSummary {
    const full = this.jobRecord(job, now)
    const summary: Record<string, unknown> = {
      JobId: full.JobId,
      FirmwareId: full.FirmwareId,
      ProductKey: full.ProductKey,
      JobStatus: full.JobStatus,
      JobType: full.JobType,
      SelectionType: full.SelectionType,
      TargetSelection: full.TargetSelection,
      UtcCreate: full.UtcCreate,
      UtcModified: full.UtcModified,
      UtcStartTime: full.UtcStartTime,
      UtcEndTime: full.UtcEndTime,
      Tags: full.Tags
    }
    for (const key of Object.keys(summary)) if (summary[key] === undefined) delete summary[key]
    return summary as unknown as JobSummary
  }

  // -------------------------------------------------------------------------------------------------------
  // Firmware

  /** Firmware in catalog order (given, then implied by jobs), filtered as ListOTAFirmware does. */
  firmwareList(productKey: string | undefined, destVersion: string | undefined): ReadonlyArray<FirmwareDef> {
    return [...this.catalog.firmware.values()].filter(
      (def) =>
        (productKey === undefined || def.record.ProductKey === productKey) &&
        (destVersion === undefined || def.record.DestVersion === destVersion)
    )
  }

  static firmwareSummary(def: FirmwareDef): FirmwareSummary {
    const { FirmwareUrl: _url, VerifyProgress: _progress, ...summary } = def.record
    return summary
  }

  // -------------------------------------------------------------------------------------------------------
  // Devices

  device(productKey: string, deviceName: string): DeviceRef | undefined {
    const product = this.catalog.products.get(productKey)
    if (product === undefined) return undefined
    const custom = product.customByName.get(deviceName)
    if (custom !== undefined) return { product, deviceName, iotId: custom }
    const index = deviceIndexOfName(this.seed, product, deviceName)
    return index === undefined
      ? undefined
      : { product, deviceName, iotId: deviceAt(this.seed, product, index).iotId }
  }

  deviceByIotId(iotId: string): DeviceRef | undefined {
    for (const product of this.catalog.products.values()) {
      const custom = product.customByIotId.get(iotId)
      if (custom !== undefined) return { product, deviceName: custom, iotId }
      const index = deviceIndexOfIotId(this.seed, product, iotId)
      if (index !== undefined)
        return { product, deviceName: deviceAt(this.seed, product, index).deviceName, iotId }
    }
    return undefined
  }

  /** Jobs of `firmware` that have a task for the device, in catalog order. */
  jobsOfDevice(firmware: FirmwareDef, device: DeviceRef): ReadonlyArray<JobDef> {
    return firmware.jobs.filter(
      (job) => job.product === device.product && this.sourceOf(job).ofDevice(device.deviceName).length > 0
    )
  }

  /** The device's tasks in `statuses` over every job of its product, in job order. */
  unfinishedTasks(
    device: DeviceRef,
    statuses: ReadonlySet<string>,
    moduleName: string | undefined,
    now: number
  ): ReadonlyArray<UnfinishedTask> {
    const found: Array<UnfinishedTask> = []
    for (const job of this.catalog.jobs.values()) {
      if (job.product !== device.product) continue
      const module = job.firmware.record.ModuleName
      if (moduleName !== undefined && module !== moduleName) continue
      const source = this.sourceOf(job)
      for (const index of source.ofDevice(device.deviceName)) {
        if (!statuses.has(source.status(index, now))) continue
        const task = source.record(index, now)
        found.push({
          TaskId: task.TaskId,
          JobId: task.JobId,
          FirmwareId: task.FirmwareId,
          ProductKey: task.ProductKey,
          ProductName: task.ProductName,
          DeviceName: task.DeviceName,
          IotId: task.IotId,
          ModuleName: module,
          SrcVersion: task.SrcVersion,
          DestVersion: task.DestVersion,
          TaskStatus: task.TaskStatus,
          UtcCreate: task.UtcCreate,
          UtcModified: task.UtcModified
        })
      }
    }
    return found
  }

  /** Every task of a job (rollout applied): the ground truth of `emu.tasks(jobId)`. */
  snapshot(jobId: string, now: number): ReadonlyArray<TaskRecord> | undefined {
    const source = this.sources.get(jobId)
    if (source === undefined) return undefined
    return Array.from({ length: source.total }, (_, i) => source.record(i, now))
  }
}
