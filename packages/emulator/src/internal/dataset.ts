/**
 * The emulator's data: seeded task generation, the rollout clock, and pre-serialised JSON so that a page is
 * mostly a slice of bytes built once.
 */
import { Buffer } from "node:buffer"
import type { Casing, JobSpec, TaskInput, TaskRecord } from "../Emulator.js"
import type { TaskStatus } from "./model.js"
import { makeRandom, type Random } from "./random.js"

/** A filtered, ordered list of tasks whose JSON items can be sliced by index. */
export interface Selection {
  readonly total: number
  /** The JSON items `start..end-1`, comma-separated, without brackets. */
  readonly slice: (start: number, end: number) => Buffer
}

export interface JobStore {
  readonly jobId: string
  readonly total: number
  /** `nowMs` is a `performance.now()` reading, taken once per request so total and items agree. */
  readonly select: (status: string | undefined, nowMs: number) => Selection
  readonly selectDevices: (
    deviceNames: ReadonlyArray<string>,
    status: string | undefined,
    nowMs: number
  ) => Selection
  readonly snapshot: (nowMs: number) => ReadonlyArray<TaskRecord>
}

const EMPTY = Buffer.alloc(0)
const COMMA = Buffer.from(",")

// ---------------------------------------------------------------------------------------------------------
// Serialisation

/** Alibaba field order, as in the documented sample (PROTOCOL §3). */
const alibabaJson = (task: TaskRecord): string =>
  JSON.stringify({
    TaskId: task.TaskId,
    JobId: task.JobId,
    FirmwareId: task.FirmwareId,
    ProductKey: task.ProductKey,
    ProductName: task.ProductName,
    DeviceName: task.DeviceName,
    IotId: task.IotId,
    SrcVersion: task.SrcVersion,
    DestVersion: task.DestVersion,
    TaskStatus: task.TaskStatus,
    TaskDesc: task.TaskDesc,
    Progress: task.Progress,
    Timeout: task.Timeout,
    UtcCreate: task.UtcCreate,
    UtcModified: task.UtcModified
  })

/** Tuya's camelCase keys in the alphabetical order of the spec's example response. */
const tuyaJson = (task: TaskRecord): string =>
  JSON.stringify({
    destVersion: task.DestVersion,
    deviceName: task.DeviceName,
    firmwareId: task.FirmwareId,
    iotId: task.IotId,
    jobId: task.JobId,
    productKey: task.ProductKey,
    productName: task.ProductName,
    progress: task.Progress,
    srcVersion: task.SrcVersion,
    taskDesc: task.TaskDesc,
    taskId: task.TaskId,
    taskStatus: task.TaskStatus,
    timeout: task.Timeout,
    utcCreate: task.UtcCreate,
    utcModified: task.UtcModified
  })

export const taskJson = (task: TaskRecord, casing: Casing): string =>
  casing === "alibaba" ? alibabaJson(task) : tuyaJson(task)

/** Items joined once into one buffer; a page is a zero-copy subarray of it. */
class ContiguousSelection implements Selection {
  readonly total: number
  private readonly bytes: Buffer
  /** offsets[i] = first byte of item i; offsets[total] = bytes.length + 1 (as if a comma followed). */
  private readonly offsets: Float64Array

  constructor(items: ReadonlyArray<string>) {
    this.total = items.length
    this.offsets = new Float64Array(items.length + 1)
    let offset = 0
    for (let i = 0; i < items.length; i++) {
      this.offsets[i] = offset
      offset += Buffer.byteLength(items[i] ?? "") + 1
    }
    this.offsets[items.length] = offset
    this.bytes = Buffer.from(items.join(","))
  }

  slice(start: number, end: number): Buffer {
    const from = Math.max(0, start)
    const to = Math.min(this.total, end)
    if (to <= from) return EMPTY
    return this.bytes.subarray(this.offsets[from], (this.offsets[to] ?? 1) - 1)
  }

  item(index: number): Buffer {
    return this.slice(index, index + 1)
  }
}

/** Items that are only known at request time (rollout mode, device-name lookups). */
class ListSelection implements Selection {
  constructor(
    readonly total: number,
    private readonly itemAt: (position: number) => Buffer
  ) {}

  slice(start: number, end: number): Buffer {
    const from = Math.max(0, start)
    const to = Math.min(this.total, end)
    if (to <= from) return EMPTY
    const parts: Array<Buffer> = []
    for (let i = from; i < to; i++) {
      if (i > from) parts.push(COMMA)
      parts.push(this.itemAt(i))
    }
    return Buffer.concat(parts)
  }
}

// ---------------------------------------------------------------------------------------------------------
// Generation

interface ProductTemplate {
  readonly name: string
  readonly devicePrefix: string
}

const PRODUCTS: ReadonlyArray<ProductTemplate> = [
  { name: "SmartThermostat T3", devicePrefix: "thermo" },
  { name: "DoorLock Pro", devicePrefix: "lock" },
  { name: "AirPurifier X2", devicePrefix: "purifier" },
  { name: "EV Charger 22kW", devicePrefix: "evc" },
  { name: "Smart Meter M1", devicePrefix: "meter" },
  { name: "Edge Gateway G1", devicePrefix: "gw" },
  { name: "Leak Sensor", devicePrefix: "leak" },
  { name: "Street Light Controller", devicePrefix: "slc" }
]

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

/** Cumulative weights of a rollout that is well under way. */
const STATUS_MIX: ReadonlyArray<readonly [TaskStatus, number]> = [
  ["SUCCEEDED", 0.6],
  ["FAILED", 0.67],
  ["CANCELED", 0.7],
  ["IN_PROGRESS", 0.8],
  ["NOTIFIED", 0.86],
  ["QUEUED", 0.96],
  ["CONFIRM", 1]
]

const TYPE_TASK = "01"
const TYPE_FIRMWARE = "03"

/** Ids shaped like the documented ones: 20 random characters, a 2-digit type, 4 more (`y3tOmCDNgpR8F9jnVEzC01****`). */
const platformId = (random: Random, type: string): string => random.chars(20) + type + random.chars(4)

const iso = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString()

const progressText = (percent: number): string => `${Math.max(0, Math.min(100, Math.floor(percent)))}.00`

interface JobProfile {
  readonly productKey: string
  readonly productName: string
  readonly devicePrefix: string
  readonly firmwareId: string
  readonly destVersion: string
  readonly srcVersions: ReadonlyArray<string>
  readonly timeout: string | undefined
  readonly createdAt: number
}

const jobProfile = (random: Random): JobProfile => {
  const product = random.pick(PRODUCTS)
  const major = 1 + random.int(4)
  const minor = random.int(10)
  const patch = random.int(10)
  const srcVersions = [
    `${major}.${minor}.${Math.max(0, patch - 1)}`,
    `${major}.${Math.max(0, minor - 1)}.${random.int(10)}`,
    `${Math.max(1, major - 1)}.${random.int(10)}.${random.int(10)}`
  ]
  // A fixed anchor (the spec example's date) keeps generated timestamps identical for a seed.
  const createdAt = Date.UTC(2024, 8, 18, 9, 45, 34) - random.int(60) * 86_400_000 - random.int(86_400) * 1000
  return {
    productKey: `a1${random.chars(9)}`,
    productName: product.name,
    devicePrefix: product.devicePrefix,
    firmwareId: platformId(random, TYPE_FIRMWARE),
    destVersion: `${major}.${minor}.${patch + 1}`,
    srcVersions,
    timeout: random.pick([undefined, "1440", "1440", "60", "30"]),
    createdAt
  }
}

/** Names as the platform allows them (letters, digits, `-_@.:`), a few with characters that need encoding. */
const deviceName = (random: Random, profile: JobProfile, index: number): string => {
  const serial = String(index + 1).padStart(5, "0")
  const roll = random.next()
  if (roll < 0.9) return `${profile.devicePrefix}-${serial}`
  if (roll < 0.95) return `${profile.devicePrefix}_${serial}@lab`
  return `${profile.devicePrefix}:${serial}.v2`
}

const pickStatus = (random: Random): TaskStatus => {
  const roll = random.next()
  for (const [status, upTo] of STATUS_MIX) if (roll < upTo) return status
  return "SUCCEEDED"
}

/** What stays fixed about a task while its status moves. */
type Identity = Pick<
  TaskRecord,
  | "TaskId"
  | "JobId"
  | "IotId"
  | "DeviceName"
  | "ProductKey"
  | "ProductName"
  | "FirmwareId"
  | "SrcVersion"
  | "DestVersion"
  | "Timeout"
>

const identity = (random: Random, profile: JobProfile, jobId: string, index: number): Identity => {
  const base = {
    TaskId: platformId(random, TYPE_TASK),
    JobId: jobId,
    IotId: `${random.chars(20)}00${random.chars(7)}`,
    DeviceName: deviceName(random, profile, index),
    ProductKey: profile.productKey,
    ProductName: profile.productName,
    FirmwareId: profile.firmwareId,
    SrcVersion: random.next() < 0.7 ? (profile.srcVersions[0] ?? "1.0.0") : random.pick(profile.srcVersions),
    DestVersion: profile.destVersion
  }
  return profile.timeout === undefined ? base : { ...base, Timeout: profile.timeout }
}

const staticTask = (random: Random, profile: JobProfile, id: Identity, index: number): TaskRecord => {
  const status = pickStatus(random)
  // Tasks of a batch are created together, a few dozen per second.
  const created = profile.createdAt + Math.floor(index / 40) * 1000
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
      const timedOut = profile.timeout !== undefined && random.next() < 0.35
      desc = timedOut ? TIMEOUT_REASON : random.pick(FAILURE_REASONS)
      modified = timedOut
        ? after(Number(profile.timeout) * 60, Number(profile.timeout) * 60 + 300)
        : after(60, 86_400)
      progress = random.int(96)
      break
    }
    case "CANCELED":
      desc = random.pick(CANCEL_REASONS)
      modified = after(3600, 172_800)
      break
  }
  const task: TaskRecord = {
    ...id,
    TaskStatus: status,
    Progress: progressText(progress),
    UtcCreate: iso(created),
    UtcModified: iso(modified)
  }
  return desc === undefined ? task : { ...task, TaskDesc: desc }
}

const defaultProgress = (status: string): string =>
  status === "SUCCEEDED" ? "100.00" : status === "IN_PROGRESS" ? "50.00" : "0.00"

/** Explicit tasks keep what they give and take the rest from the generator, so partial inputs stay realistic. */
const completeInput = (input: TaskInput, generated: TaskRecord): TaskRecord => {
  const status = input.TaskStatus ?? generated.TaskStatus
  const merged: Record<string, string | undefined> = {
    ...generated,
    ...input,
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
// Stores

const deviceIndex = (names: ReadonlyArray<string>): Map<string, Array<number>> => {
  const index = new Map<string, Array<number>>()
  names.forEach((name, i) => {
    const list = index.get(name)
    if (list === undefined) index.set(name, [i])
    else list.push(i)
  })
  return index
}

const matchingIndices = (
  index: Map<string, Array<number>>,
  deviceNames: ReadonlyArray<string>
): Array<number> => {
  const found = new Set<number>()
  for (const name of deviceNames) for (const i of index.get(name) ?? []) found.add(i)
  return [...found].sort((a, b) => a - b)
}

class StaticJobStore implements JobStore {
  readonly total: number
  private readonly all: ContiguousSelection
  private readonly byStatus = new Map<string, ContiguousSelection>()
  private devices: Map<string, Array<number>> | undefined

  constructor(
    readonly jobId: string,
    private readonly tasks: ReadonlyArray<TaskRecord>,
    private readonly items: ReadonlyArray<string>
  ) {
    this.total = tasks.length
    this.all = new ContiguousSelection(items)
  }

  select(status: string | undefined): Selection {
    if (status === undefined) return this.all
    let selection = this.byStatus.get(status)
    if (selection === undefined) {
      selection = new ContiguousSelection(this.items.filter((_, i) => this.tasks[i]?.TaskStatus === status))
      this.byStatus.set(status, selection)
    }
    return selection
  }

  selectDevices(deviceNames: ReadonlyArray<string>, status: string | undefined): Selection {
    this.devices ??= deviceIndex(this.tasks.map((task) => task.DeviceName))
    const indices = matchingIndices(this.devices, deviceNames).filter(
      (i) => status === undefined || this.tasks[i]?.TaskStatus === status
    )
    return new ListSelection(indices.length, (position) => this.all.item(indices[position] ?? -1))
  }

  snapshot(): ReadonlyArray<TaskRecord> {
    return this.tasks
  }
}

interface Schedule {
  readonly notifyAt: number
  readonly startAt: number
  /** When progress would reach 100%. */
  readonly fullAt: number
  /** When the task ends: `fullAt`, or earlier for a task that fails part-way. */
  readonly endAt: number
  readonly failDesc: string | undefined
}

interface RolloutState {
  readonly status: TaskStatus
  readonly progress: number
  readonly modifiedAt: number
}

const STATUS_RANK: Readonly<Record<string, number>> = {
  CONFIRM: 0,
  QUEUED: 1,
  NOTIFIED: 2,
  IN_PROGRESS: 3,
  SUCCEEDED: 4,
  FAILED: 4,
  CANCELED: 4
}

export const statusRank = (status: string): number => STATUS_RANK[status] ?? -1

const schedule = (
  random: Random,
  durationMs: number,
  failureRate: number,
  timeout: string | undefined
): Schedule => {
  const notifyAt = durationMs * 0.25 * random.next()
  const startAt = notifyAt + durationMs * (0.02 + 0.18 * random.next())
  const fullAt = Math.min(durationMs, startAt + durationMs * (0.15 + 0.45 * random.next()))
  const fails = random.next() < failureRate
  const failFraction = 0.1 + 0.85 * random.next()
  const failDesc = fails
    ? timeout !== undefined && random.next() < 0.3
      ? TIMEOUT_REASON
      : random.pick(FAILURE_REASONS)
    : undefined
  return {
    notifyAt,
    startAt,
    fullAt,
    endAt: fails ? startAt + (fullAt - startAt) * failFraction : fullAt,
    failDesc
  }
}

const stateAt = (plan: Schedule, elapsed: number): RolloutState => {
  if (elapsed < plan.notifyAt) return { status: "QUEUED", progress: 0, modifiedAt: 0 }
  if (elapsed < plan.startAt) return { status: "NOTIFIED", progress: 0, modifiedAt: plan.notifyAt }
  const span = plan.fullAt - plan.startAt
  if (elapsed < plan.endAt) {
    // Progress moves in whole percents; UtcModified is when the current percent was reached.
    const progress = Math.min(99, Math.floor((100 * (elapsed - plan.startAt)) / span))
    return { status: "IN_PROGRESS", progress, modifiedAt: plan.startAt + (span * progress) / 100 }
  }
  if (plan.failDesc !== undefined) {
    return {
      status: "FAILED",
      progress: Math.min(99, Math.floor((100 * (plan.endAt - plan.startAt)) / span)),
      modifiedAt: plan.endAt
    }
  }
  return { status: "SUCCEEDED", progress: 100, modifiedAt: plan.endAt }
}

class RolloutJobStore implements JobStore {
  readonly total: number
  private readonly cacheKeys: Int32Array
  private readonly cacheItems: Array<Buffer>
  private readonly devices: Map<string, Array<number>>

  constructor(
    readonly jobId: string,
    private readonly identities: ReadonlyArray<Identity>,
    private readonly plans: ReadonlyArray<Schedule>,
    private readonly casing: Casing,
    private readonly startedMono: number,
    private readonly startedWall: number
  ) {
    this.total = identities.length
    this.cacheKeys = new Int32Array(identities.length).fill(-1)
    this.cacheItems = new Array<Buffer>(identities.length)
    this.devices = deviceIndex(identities.map((id) => id.DeviceName))
  }

  private state(i: number, nowMs: number): RolloutState {
    const plan = this.plans[i]
    if (plan === undefined) throw new RangeError(`no task ${i}`)
    return stateAt(plan, nowMs - this.startedMono)
  }

  private record(i: number, state: RolloutState): TaskRecord {
    const id = this.identities[i]
    const plan = this.plans[i]
    if (id === undefined || plan === undefined) throw new RangeError(`no task ${i}`)
    const task: TaskRecord = {
      ...id,
      TaskStatus: state.status,
      Progress: progressText(state.progress),
      UtcCreate: iso(this.startedWall),
      UtcModified: iso(this.startedWall + state.modifiedAt)
    }
    return state.status === "FAILED" && plan.failDesc !== undefined
      ? { ...task, TaskDesc: plan.failDesc }
      : task
  }

  /** The item's JSON, re-serialised only when its status or progress changed. */
  private item(i: number, nowMs: number): Buffer {
    const state = this.state(i, nowMs)
    const key = statusRank(state.status) * 1000 + state.progress + (state.status === "FAILED" ? 500 : 0)
    if (this.cacheKeys[i] !== key) {
      this.cacheKeys[i] = key
      this.cacheItems[i] = Buffer.from(taskJson(this.record(i, state), this.casing))
    }
    return this.cacheItems[i] ?? EMPTY
  }

  private selection(indices: ReadonlyArray<number>, nowMs: number): Selection {
    return new ListSelection(indices.length, (position) => this.item(indices[position] ?? -1, nowMs))
  }

  select(status: string | undefined, nowMs: number): Selection {
    if (status === undefined) return new ListSelection(this.total, (position) => this.item(position, nowMs))
    const indices: Array<number> = []
    for (let i = 0; i < this.total; i++) if (this.state(i, nowMs).status === status) indices.push(i)
    return this.selection(indices, nowMs)
  }

  selectDevices(deviceNames: ReadonlyArray<string>, status: string | undefined, nowMs: number): Selection {
    const indices = matchingIndices(this.devices, deviceNames).filter(
      (i) => status === undefined || this.state(i, nowMs).status === status
    )
    return this.selection(indices, nowMs)
  }

  snapshot(nowMs: number): ReadonlyArray<TaskRecord> {
    return this.identities.map((_, i) => this.record(i, this.state(i, nowMs)))
  }
}

export interface BuildContext {
  readonly seed: number
  readonly casing: Casing
  readonly startedMono: number
  readonly startedWall: number
}

export const buildJobStore = (spec: JobSpec, context: BuildContext): JobStore => {
  // Each job has its own stream, so adding a job never changes the data of another.
  const random = makeRandom(context.seed, `job:${spec.jobId}`)
  const profile = jobProfile(random)
  const inputs = typeof spec.tasks === "number" ? undefined : spec.tasks
  const count = inputs === undefined ? (spec.tasks as number) : inputs.length
  const identities: Array<Identity> = []
  const tasks: Array<TaskRecord> = []
  for (let i = 0; i < count; i++) {
    const id = identity(random, profile, spec.jobId, i)
    const generated = staticTask(random, profile, id, i)
    const input = inputs?.[i]
    const task = input === undefined ? generated : completeInput(input, generated)
    identities.push({
      TaskId: task.TaskId,
      JobId: task.JobId,
      IotId: task.IotId,
      DeviceName: task.DeviceName,
      ProductKey: task.ProductKey,
      ProductName: task.ProductName,
      FirmwareId: task.FirmwareId,
      SrcVersion: task.SrcVersion,
      DestVersion: task.DestVersion,
      ...(task.Timeout === undefined ? {} : { Timeout: task.Timeout })
    })
    tasks.push(task)
  }
  if (spec.rollout !== undefined) {
    const { durationMs, failureRate = 0.08 } = spec.rollout
    const planRandom = makeRandom(context.seed, `rollout:${spec.jobId}`)
    const plans = identities.map(() => schedule(planRandom, durationMs, failureRate, profile.timeout))
    return new RolloutJobStore(
      spec.jobId,
      identities,
      plans,
      context.casing,
      context.startedMono,
      context.startedWall
    )
  }
  return new StaticJobStore(
    spec.jobId,
    tasks,
    tasks.map((task) => taskJson(task, context.casing))
  )
}
