/**
 * The tasks of one job, generated on demand. Task `i` depends only on the seed, the job and `i`, so a page is
 * built without generating the tasks before it. Pages are served from chunks of pre-joined JSON (a page is
 * usually a zero-copy slice of one chunk); chunks live in a cache bounded in bytes, so a job of 250,000 tasks
 * costs memory only for the pages recently served. Rollout jobs compute each task's state from elapsed time.
 */
import { Buffer } from "node:buffer"
import type { Casing, TaskInput, TaskRecord } from "../Emulator.js"
import {
  customIotId,
  deviceAt,
  deviceIndexOfName,
  iso,
  type JobDef,
  platformId,
  TYPE_TASK
} from "./catalog.js"
import { type TaskStatus, TERMINAL_STATUSES } from "./model.js"
import { firstDrawAt, randomAt } from "./random.js"
import { taskJson } from "./serialize.js"

const EMPTY = Buffer.alloc(0)
const COMMA = Buffer.from(",")

// ---------------------------------------------------------------------------------------------------------
// The chunk cache

/** Tasks per chunk: a multiple of the usual page sizes (10, 20, 25, 50, 100). */
const CHUNK = 1000

interface Chunk {
  readonly bytes: Buffer
  /** offsets[k] = first byte of item k; offsets[n] = bytes.length + 1 (as if a comma followed). */
  readonly offsets: Uint32Array
}

/** Least recently used chunks are dropped once the JSON held exceeds `budgetBytes`. */
export class ChunkCache {
  private readonly chunks = new Map<string, Chunk>()
  private bytes = 0

  constructor(private readonly budgetBytes: number) {}

  get(key: string, build: () => Chunk): Chunk {
    let chunk = this.chunks.get(key)
    if (chunk !== undefined) {
      // Re-insert: a Map iterates in insertion order, so its head is the least recently used chunk.
      this.chunks.delete(key)
      this.chunks.set(key, chunk)
      return chunk
    }
    chunk = build()
    this.chunks.set(key, chunk)
    this.bytes += chunk.bytes.length
    for (const [oldKey, old] of this.chunks) {
      if (this.bytes <= this.budgetBytes || oldKey === key) break
      this.chunks.delete(oldKey)
      this.bytes -= old.bytes.length
    }
    return chunk
  }

  /** Bytes of JSON held (for tests and the bench). */
  get size(): number {
    return this.bytes
  }
}

const buildChunk = (items: ReadonlyArray<string>): Chunk => {
  const offsets = new Uint32Array(items.length + 1)
  let offset = 0
  for (let k = 0; k < items.length; k++) {
    offsets[k] = offset
    offset += Buffer.byteLength(items[k] ?? "") + 1
  }
  offsets[items.length] = offset
  return { bytes: Buffer.from(items.join(",")), offsets }
}

const chunkSlice = (chunk: Chunk, from: number, to: number): Buffer =>
  to <= from ? EMPTY : chunk.bytes.subarray(chunk.offsets[from], (chunk.offsets[to] ?? 1) - 1)

const joinParts = (parts: Array<Buffer>): Buffer => {
  const joined: Array<Buffer> = []
  for (const part of parts) {
    if (part.length === 0) continue
    if (joined.length > 0) joined.push(COMMA)
    joined.push(part)
  }
  return joined.length === 1 ? (joined[0] ?? EMPTY) : Buffer.concat(joined)
}

// ---------------------------------------------------------------------------------------------------------
// Generation

const FAILURE_REASONS: ReadonlyArray<string> = [
  "report version is not conform",
  "download firmware failed: checksum mismatch",
  "download firmware failed: connection closed by peer",
  "device reported failure: -2 (flash write error)",
  "device reported failure: -3 (battery too low to upgrade)",
  "firmware signature verification failed"
]
const TIMEOUT_REASON = "Device upgrade timeout"
const CANCEL_REASONS: ReadonlyArray<string> = [
  "canceled by user",
  "job canceled: CancelOTATaskByJob",
  "task overwritten by a newer upgrade batch"
]

type Mix = ReadonlyArray<readonly [TaskStatus, number]>

/** Cumulative weights of a rollout well under way. */
const UNDER_WAY: Mix = [
  ["SUCCEEDED", 0.6],
  ["FAILED", 0.67],
  ["CANCELED", 0.7],
  ["IN_PROGRESS", 0.8],
  ["NOTIFIED", 0.86],
  ["QUEUED", 0.96],
  ["CONFIRM", 1]
]

const mixes = new WeakMap<JobDef, Mix>()

/** The job's `statusMix` as cumulative weights in 0..1 (computed once per job). */
const mixOf = (job: JobDef): Mix => {
  const weights = job.spec.statusMix
  if (weights === undefined) return UNDER_WAY
  let mix = mixes.get(job)
  if (mix === undefined) {
    const entries = Object.entries(weights).filter(([, weight]) => (weight ?? 0) > 0) as Array<
      [TaskStatus, number]
    >
    const sum = entries.reduce((total, [, weight]) => total + weight, 0)
    let upTo = 0
    mix = entries.map(([status, weight]) => [status, (upTo += weight / sum)] as const)
    mixes.set(job, mix)
  }
  return mix
}

const pickStatus = (roll: number, mix: Mix): TaskStatus => {
  for (const [status, upTo] of mix) if (roll < upTo) return status
  return mix[mix.length - 1]?.[0] ?? "SUCCEEDED"
}

const PROGRESS = Array.from({ length: 101 }, (_, percent) => `${percent}.00`)
const progressText = (percent: number): string =>
  PROGRESS[Math.max(0, Math.min(100, Math.floor(percent)))] ?? "0.00"

/** Tasks of a batch are created together, a few dozen per second. */
const createdAtOf = (job: JobDef, index: number): number => job.createdAt + Math.floor(index / 40) * 1000

/** When a static batch whose tasks are all terminal ended: after the last possible task change. */
export const staticEndOf = (job: JobDef, total: number): number =>
  createdAtOf(job, Math.max(0, total - 1)) + 2 * 86_400_000 + 3_600_000

/** What stays fixed about a task while its status moves. */
type Identity = Omit<TaskRecord, "TaskStatus" | "TaskDesc" | "Progress" | "UtcCreate" | "UtcModified">

/**
 * Task `index` of a static job, built in one object (this is the hot part of building a page). The first draw
 * of its stream is its status (see `generatedStatus`).
 */
const generateTask = (seed: number, job: JobDef, index: number): TaskRecord => {
  const random = randomAt(seed, job.taskHash, index)
  const status = pickStatus(random.next(), mixOf(job))
  const device = deviceAt(seed, job.product, index)
  const taskId = platformId(random, TYPE_TASK)
  const srcVersions = job.firmware.srcVersions
  const srcVersion = random.next() < 0.7 ? (srcVersions[0] ?? "1.0.0") : random.pick(srcVersions)
  const created = createdAtOf(job, index)
  const after = (minSeconds: number, maxSeconds: number): number =>
    created + (minSeconds + random.int(maxSeconds - minSeconds + 1)) * 1000
  let modified = created
  let progress = 0
  let desc: string | undefined
  switch (status) {
    case "CONFIRM":
    case "QUEUED":
      break
    case "NOTIFIED":
      modified = after(1, 600)
      break
    case "IN_PROGRESS":
      modified = after(60, 7200)
      progress = 1 + random.int(99)
      break
    case "SUCCEEDED":
      modified = after(120, 86_400)
      progress = 100
      break
    case "FAILED": {
      const timeout = job.timeoutMinutes
      const timedOut = timeout !== undefined && random.next() < 0.35
      desc = timedOut ? TIMEOUT_REASON : random.pick(FAILURE_REASONS)
      modified =
        timeout !== undefined && timedOut ? after(timeout * 60, timeout * 60 + 300) : after(60, 86_400)
      progress = random.int(96)
      break
    }
    case "CANCELED":
      desc = random.pick(CANCEL_REASONS)
      modified = after(3600, 172_800)
      break
  }
  const firmware = job.firmware.record
  const task: { -readonly [K in keyof TaskRecord]: TaskRecord[K] } = {
    TaskId: taskId,
    JobId: job.jobId,
    IotId: device.iotId,
    DeviceName: device.deviceName,
    ProductKey: job.product.productKey,
    ProductName: job.product.productName,
    FirmwareId: firmware.FirmwareId,
    SrcVersion: srcVersion,
    DestVersion: firmware.DestVersion,
    TaskStatus: status,
    Progress: progressText(progress),
    UtcCreate: iso(created),
    UtcModified: iso(modified)
  }
  if (job.timeoutText !== undefined) task.Timeout = job.timeoutText
  if (desc !== undefined) task.TaskDesc = desc
  return task
}

const generatedStatus = (seed: number, job: JobDef, index: number): TaskStatus =>
  pickStatus(firstDrawAt(seed, job.taskHash, index), mixOf(job))

const defaultProgress = (status: string): string =>
  status === "SUCCEEDED" ? "100.00" : status === "IN_PROGRESS" ? "50.00" : "0.00"

/** Explicit tasks keep what they give and take the rest from the generator, so partial inputs stay realistic. */
const completeInput = (seed: number, job: JobDef, input: TaskInput, generated: TaskRecord): TaskRecord => {
  const status = input.TaskStatus ?? generated.TaskStatus
  const named = input.DeviceName !== undefined && input.DeviceName !== generated.DeviceName
  const merged: Record<string, string | undefined> = {
    ...generated,
    ...(named && input.IotId === undefined
      ? { IotId: customIotId(seed, job.product, input.DeviceName ?? "") }
      : {}),
    ...input,
    JobId: job.jobId,
    TaskStatus: status,
    Progress:
      input.Progress ?? (input.TaskStatus === undefined ? generated.Progress : defaultProgress(status))
  }
  if (input.TaskStatus !== undefined && input.TaskDesc === undefined && status !== generated.TaskStatus) {
    merged.TaskDesc = undefined
  }
  for (const key of Object.keys(merged)) if (merged[key] === undefined) delete merged[key]
  return merged as unknown as TaskRecord
}

// ---------------------------------------------------------------------------------------------------------
// Sources

export interface TaskSource {
  readonly job: JobDef
  readonly total: number
  /** `now` is a `performance.now()` reading, taken once per request so every answer agrees. */
  status(index: number, now: number): string
  record(index: number, now: number): TaskRecord
  /** How many tasks are in `status` (every task when undefined). */
  count(status: string | undefined, now: number): number
  /**
   * The JSON items `start..end-1` of the tasks in `status` (every task when undefined), in listing order,
   * comma-separated, without brackets.
   */
  page(status: string | undefined, start: number, end: number, now: number): Buffer
  /** The JSON items at `indices[from..to-1]` (device lookups: a handful of tasks). */
  pick(indices: ArrayLike<number>, from: number, to: number, now: number): Buffer
  /** Indices of the device's tasks in this job. */
  ofDevice(deviceName: string): ReadonlyArray<number>
  /** Epoch ms the job ended (every task terminal), or undefined while it runs. */
  endedAt(now: number): number | undefined
}

export interface SourceContext {
  readonly seed: number
  readonly casing: Casing
  readonly cache: ChunkCache
  /** `performance.now()` and `Date.now()` (with the clock skew) at start: rollout time zero. */
  readonly startedMono: number
  readonly startedWall: number
}

/** A job whose tasks do not change: generated ones, or explicit ones completed from the generator. */
class StaticSource implements TaskSource {
  private readonly byStatus = new Map<string, Int32Array>()
  private ended: number | null | undefined

  constructor(
    readonly job: JobDef,
    readonly total: number,
    private readonly context: SourceContext,
    /** Explicit jobs: every record, built once (they are given in memory anyway). */
    private readonly explicit: ReadonlyArray<TaskRecord> | undefined,
    private readonly devices: ReadonlyMap<string, ReadonlyArray<number>> | undefined
  ) {}

  status(index: number): string {
    return this.explicit?.[index]?.TaskStatus ?? generatedStatus(this.context.seed, this.job, index)
  }

  record(index: number): TaskRecord {
    const given = this.explicit?.[index]
    if (given !== undefined) return given
    if (index < 0 || index >= this.total) throw new RangeError(`no task ${index}`)
    return generateTask(this.context.seed, this.job, index)
  }

  /**
   * Chunk `number` of the listing of `status` (every task when undefined). A listing by status has chunks of
   * its own, so paging through one status generates only that status's tasks.
   */
  private chunk(status: string | undefined, number: number): Chunk {
    const indices = status === undefined ? undefined : this.withStatus(status)
    return this.context.cache.get(`${this.job.ordinal}:${status ?? ""}:${number}`, () => {
      const items: Array<string> = []
      const end = Math.min(indices?.length ?? this.total, (number + 1) * CHUNK)
      for (let k = number * CHUNK; k < end; k++) {
        items.push(taskJson(this.record(indices === undefined ? k : (indices[k] ?? -1)), this.context.casing))
      }
      return buildChunk(items)
    })
  }

  private item(index: number): Buffer {
    const number = Math.floor(index / CHUNK)
    const at = index - number * CHUNK
    return chunkSlice(this.chunk(undefined, number), at, at + 1)
  }

  count(status: string | undefined): number {
    return status === undefined ? this.total : this.withStatus(status).length
  }

  page(status: string | undefined, start: number, end: number): Buffer {
    const from = Math.max(0, start)
    const to = Math.min(this.count(status), end)
    if (to <= from) return EMPTY
    const parts: Array<Buffer> = []
    for (let number = Math.floor(from / CHUNK); number * CHUNK < to; number++) {
      const base = number * CHUNK
      const chunk = this.chunk(status, number)
      parts.push(chunkSlice(chunk, Math.max(from, base) - base, Math.min(to, base + CHUNK) - base))
    }
    return joinParts(parts)
  }

  pick(indices: ArrayLike<number>, from: number, to: number): Buffer {
    const parts: Array<Buffer> = []
    for (let k = Math.max(0, from); k < Math.min(indices.length, to); k++)
      parts.push(this.item(indices[k] ?? -1))
    return joinParts(parts)
  }

  private withStatus(status: string): Int32Array {
    let found = this.byStatus.get(status)
    if (found === undefined) {
      // One pass over the statuses (a cheap first draw per task), then cached: static tasks never move.
      const all = new Int32Array(this.total)
      let count = 0
      for (let i = 0; i < this.total; i++) if (this.status(i) === status) all[count++] = i
      found = all.slice(0, count)
      this.byStatus.set(status, found)
    }
    return found
  }

  ofDevice(deviceName: string): ReadonlyArray<number> {
    if (this.devices !== undefined) return this.devices.get(deviceName) ?? []
    const index = deviceIndexOfName(this.context.seed, this.job.product, deviceName)
    return index !== undefined && index < this.total ? [index] : []
  }

  endedAt(): number | undefined {
    if (this.ended === undefined) {
      let terminal = true
      for (let i = 0; i < this.total && terminal; i++) terminal = TERMINAL_STATUSES.has(this.status(i))
      this.ended = terminal ? staticEndOf(this.job, this.total) : null
    }
    return this.ended ?? undefined
  }
}

/** Per-task rollout timings, in ms after start. */
interface Plans {
  readonly notifyAt: Float64Array
  readonly startAt: Float64Array
  readonly fullAt: Float64Array
  readonly endAt: Float64Array
  /** Index into FAILURE_REASONS + 1 (0: succeeds; FAILURE_REASONS.length + 1: times out). */
  readonly failure: Uint8Array
  readonly lastEnd: number
}

const makePlans = (seed: number, job: JobDef, total: number): Plans => {
  const { durationMs, failureRate = 0.08 } = job.spec.rollout ?? { durationMs: 1 }
  const plans = {
    notifyAt: new Float64Array(total),
    startAt: new Float64Array(total),
    fullAt: new Float64Array(total),
    endAt: new Float64Array(total),
    failure: new Uint8Array(total)
  }
  let lastEnd = 0
  for (let i = 0; i < total; i++) {
    const random = randomAt(seed, job.rolloutHash, i)
    const notifyAt = durationMs * 0.25 * random.next()
    const startAt = notifyAt + durationMs * (0.02 + 0.18 * random.next())
    const fullAt = Math.min(durationMs, startAt + durationMs * (0.15 + 0.45 * random.next()))
    const fails = random.next() < failureRate
    const failFraction = 0.1 + 0.85 * random.next()
    const timesOut = job.timeoutMinutes !== undefined && random.next() < 0.3
    const reason = random.int(FAILURE_REASONS.length)
    plans.notifyAt[i] = notifyAt
    plans.startAt[i] = startAt
    plans.fullAt[i] = fullAt
    plans.endAt[i] = fails ? startAt + (fullAt - startAt) * failFraction : fullAt
    plans.failure[i] = fails ? (timesOut ? FAILURE_REASONS.length + 1 : reason + 1) : 0
    lastEnd = Math.max(lastEnd, plans.endAt[i] ?? 0)
  }
  return { ...plans, lastEnd }
}

interface RolloutState {
  readonly status: TaskStatus
  readonly progress: number
  readonly modifiedAt: number
}

const STATUS_RANK: Readonly<Record<string, number>> = {
  QUEUED: 1,
  NOTIFIED: 2,
  IN_PROGRESS: 3,
  SUCCEEDED: 4,
  FAILED: 5
}

/** A live rollout: from emulator start every task moves QUEUED → NOTIFIED → IN_PROGRESS → SUCCEEDED or FAILED. */
class RolloutSource implements TaskSource {
  private readonly plans: Plans
  private readonly cacheKeys: Int32Array
  private readonly cacheItems: Array<Buffer | undefined>

  constructor(
    readonly job: JobDef,
    readonly total: number,
    private readonly context: SourceContext,
    private readonly identities: ((index: number) => Identity) | ReadonlyArray<Identity>,
    private readonly devices: ReadonlyMap<string, ReadonlyArray<number>> | undefined
  ) {
    this.plans = makePlans(context.seed, job, total)
    this.cacheKeys = new Int32Array(total).fill(-1)
    this.cacheItems = new Array<Buffer | undefined>(total)
  }

  private state(i: number, now: number): RolloutState {
    const elapsed = now - this.context.startedMono
    const { notifyAt, startAt, fullAt, endAt, failure } = this.plans
    const notify = notifyAt[i] ?? 0
    const start = startAt[i] ?? 0
    const full = fullAt[i] ?? 0
    const end = endAt[i] ?? 0
    if (elapsed < notify) return { status: "QUEUED", progress: 0, modifiedAt: 0 }
    if (elapsed < start) return { status: "NOTIFIED", progress: 0, modifiedAt: notify }
    const span = full - start
    if (elapsed < end) {
      // Progress moves in whole percents; UtcModified is when the current percent was reached.
      const progress = Math.min(99, Math.floor((100 * (elapsed - start)) / span))
      return { status: "IN_PROGRESS", progress, modifiedAt: start + (span * progress) / 100 }
    }
    if ((failure[i] ?? 0) > 0) {
      return {
        status: "FAILED",
        progress: Math.min(99, Math.floor((100 * (end - start)) / span)),
        modifiedAt: end
      }
    }
    return { status: "SUCCEEDED", progress: 100, modifiedAt: end }
  }

  private identity(i: number): Identity {
    const found = typeof this.identities === "function" ? this.identities(i) : this.identities[i]
    if (found === undefined) throw new RangeError(`no task ${i}`)
    return found
  }

  status(index: number, now: number): string {
    return this.state(index, now).status
  }

  private build(i: number, state: RolloutState): TaskRecord {
    const task: TaskRecord = {
      ...this.identity(i),
      TaskStatus: state.status,
      Progress: progressText(state.progress),
      UtcCreate: iso(this.context.startedWall),
      UtcModified: iso(this.context.startedWall + state.modifiedAt)
    }
    const failure = this.plans.failure[i] ?? 0
    if (state.status !== "FAILED" || failure === 0) return task
    return { ...task, TaskDesc: FAILURE_REASONS[failure - 1] ?? TIMEOUT_REASON }
  }

  record(index: number, now: number): TaskRecord {
    return this.build(index, this.state(index, now))
  }

  /** The item's JSON, re-serialised only when its status or progress changed. */
  private item(i: number, now: number): Buffer {
    const state = this.state(i, now)
    const key = (STATUS_RANK[state.status] ?? 0) * 1000 + state.progress
    if (this.cacheKeys[i] !== key) {
      this.cacheKeys[i] = key
      this.cacheItems[i] = Buffer.from(taskJson(this.build(i, state), this.context.casing))
    }
    return this.cacheItems[i] ?? EMPTY
  }

  count(status: string | undefined, now: number): number {
    return status === undefined ? this.total : this.withStatus(status, now).length
  }

  page(status: string | undefined, start: number, end: number, now: number): Buffer {
    if (status !== undefined) return this.pick(this.withStatus(status, now), start, end, now)
    const parts: Array<Buffer> = []
    for (let i = Math.max(0, start); i < Math.min(this.total, end); i++) parts.push(this.item(i, now))
    return joinParts(parts)
  }

  pick(indices: ArrayLike<number>, from: number, to: number, now: number): Buffer {
    const parts: Array<Buffer> = []
    for (let k = Math.max(0, from); k < Math.min(indices.length, to); k++)
      parts.push(this.item(indices[k] ?? -1, now))
    return joinParts(parts)
  }

  private withStatus(status: string, now: number): ReadonlyArray<number> {
    const found: Array<number> = []
    for (let i = 0; i < this.total; i++) if (this.state(i, now).status === status) found.push(i)
    return found
  }

  ofDevice(deviceName: string): ReadonlyArray<number> {
    if (this.devices !== undefined) return this.devices.get(deviceName) ?? []
    const index = deviceIndexOfName(this.context.seed, this.job.product, deviceName)
    return index !== undefined && index < this.total ? [index] : []
  }

  endedAt(now: number): number | undefined {
    return now - this.context.startedMono >= this.plans.lastEnd
      ? this.context.startedWall + this.plans.lastEnd
      : undefined
  }
}

const deviceMap = (records: ReadonlyArray<Pick<TaskRecord, "DeviceName">>): Map<string, Array<number>> => {
  const map = new Map<string, Array<number>>()
  records.forEach((record, i) => {
    const list = map.get(record.DeviceName)
    if (list === undefined) map.set(record.DeviceName, [i])
    else list.push(i)
  })
  return map
}

const identityOfRecord = (task: TaskRecord): Identity => {
  const {
    TaskStatus: _status,
    TaskDesc: _desc,
    Progress: _progress,
    UtcCreate: _c,
    UtcModified: _m,
    ...id
  } = task
  return id
}

/** The number of tasks of `job`. */
export const taskCount = (job: JobDef): number =>
  typeof job.spec.tasks === "number" ? job.spec.tasks : job.spec.tasks.length

/**
 * The task source of `job`. Explicit tasks name their devices; the product learns them. The product's
 * `population` must already cover every job of the product (device names are checked against it).
 */
export const makeTaskSource = (job: JobDef, context: SourceContext): TaskSource => {
  const { seed } = context
  const inputs = typeof job.spec.tasks === "number" ? undefined : job.spec.tasks
  const total = inputs === undefined ? (job.spec.tasks as number) : inputs.length
  let explicit: Array<TaskRecord> | undefined
  let devices: Map<string, Array<number>> | undefined
  if (inputs !== undefined) {
    explicit = inputs.map((input, i) => completeInput(seed, job, input, generateTask(seed, job, i)))
    for (const task of explicit) {
      if (deviceIndexOfName(seed, job.product, task.DeviceName) === undefined) {
        job.product.customByName.set(task.DeviceName, task.IotId)
        job.product.customByIotId.set(task.IotId, task.DeviceName)
      }
    }
    devices = deviceMap(explicit)
  }
  if (job.spec.rollout === undefined) return new StaticSource(job, total, context, explicit, devices)
  const identities =
    explicit?.map(identityOfRecord) ?? ((index: number) => identityOfRecord(generateTask(seed, job, index)))
  return new RolloutSource(job, total, context, identities, devices)
}
