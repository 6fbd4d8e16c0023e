/**
 * A local server that behaves like the IoT Platform endpoint for `ListOTATaskByJob`: it verifies V2 and V3
 * signatures with its own code, enforces the documented limits, serves seeded realistic tasks (optionally a
 * live rollout), and injects faults on demand.
 *
 * @since 0.1.0
 */
import { createServer } from "node:http"
import { performance } from "node:perf_hooks"
import { buildJobStore, type JobStore } from "./internal/dataset.js"
import { FaultPlan, FAULT_KINDS as KINDS } from "./internal/faults.js"
import { TASK_STATUSES as STATUSES, type TaskStatus as Status } from "./internal/model.js"
import { EmulatorCore } from "./internal/server.js"

/**
 * The documented `TaskStatus` values.
 *
 * @example
 * ```ts
 * import type { TaskStatus } from "@iot-ota/emulator"
 *
 * const status: TaskStatus = "IN_PROGRESS"
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type TaskStatus = Status

/**
 * Every documented `TaskStatus`, in rollout order.
 *
 * @example
 * ```ts
 * import { startEmulator, TASK_STATUSES } from "@iot-ota/emulator"
 *
 * // One explicit task in each status.
 * const emu = await startEmulator({
 *   jobs: [{ jobId: "job-1", tasks: TASK_STATUSES.map((TaskStatus) => ({ TaskStatus })) }]
 * })
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const TASK_STATUSES: ReadonlyArray<TaskStatus> = STATUSES

/**
 * Response key style: `"alibaba"` = the API tables' PascalCase (`Data.SimpleOTATaskInfo`, `TaskId`);
 * `"tuya"` = the camelCase of the spec's example response (`data.simpleOTATaskInfo`, `taskId`, `code: ""`).
 *
 * @example
 * ```ts
 * import { startEmulator } from "@iot-ota/emulator"
 *
 * // Answers `{ code: "", data: { simpleOTATaskInfo: [{ taskId, … }] } }`, like the spec's example.
 * const emu = await startEmulator({ casing: "tuya" })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Casing = "alibaba" | "tuya"

/**
 * One device upgrade task, the emulator's ground truth. Serialised with these keys in `alibaba` casing and
 * camelCased in `tuya` casing. `Progress` and `Timeout` are strings, as on the wire (PROTOCOL §3).
 *
 * @example
 * ```ts
 * import { startEmulator, type TaskRecord } from "@iot-ota/emulator"
 *
 * const emu = await startEmulator({ jobs: [{ jobId: "job-1", tasks: 200 }] })
 * const failed: ReadonlyArray<TaskRecord> = emu.tasks("job-1").filter((task) => task.TaskStatus === "FAILED")
 * console.log(failed.map((task) => `${task.DeviceName}: ${task.TaskDesc}`))
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface TaskRecord {
  readonly TaskId: string
  readonly JobId: string
  readonly IotId: string
  readonly DeviceName: string
  readonly ProductKey: string
  readonly ProductName: string
  readonly FirmwareId: string
  readonly SrcVersion: string
  readonly DestVersion: string
  /** One of {@link TASK_STATUSES}; explicit tasks may use other strings to test clients. */
  readonly TaskStatus: string
  /** Failure, timeout or cancellation detail. */
  readonly TaskDesc?: string
  /** Percent with two decimals, e.g. `"37.00"`. */
  readonly Progress: string
  /** Minutes, e.g. `"1440"`; absent when the batch has no timeout. */
  readonly Timeout?: string
  /** ISO 8601 UTC, `…:ss.000Z`. */
  readonly UtcCreate: string
  readonly UtcModified: string
}

/**
 * An explicit task: any field left out is generated from the seed.
 *
 * @example
 * ```ts
 * import { startEmulator, type TaskInput } from "@iot-ota/emulator"
 *
 * const tasks: ReadonlyArray<TaskInput> = [
 *   { DeviceName: "sensor-1", TaskStatus: "FAILED", TaskDesc: "download timeout" },
 *   { DeviceName: "sensor-2", TaskStatus: "IN_PROGRESS", Progress: "40.00" },
 *   {} // everything generated
 * ]
 * const emu = await startEmulator({ jobs: [{ jobId: "job-1", tasks }] })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type TaskInput = Partial<Omit<TaskRecord, "JobId">>

/**
 * An upgrade batch served by the emulator.
 *
 * @example
 * ```ts
 * import { type JobSpec, startEmulator } from "@iot-ota/emulator"
 *
 * const jobs: ReadonlyArray<JobSpec> = [
 *   { jobId: "static-job", tasks: 2500 },
 *   // Every task reaches SUCCEEDED or FAILED (10 % of them) within a minute of the start.
 *   { jobId: "live-job", tasks: 300, rollout: { durationMs: 60_000, failureRate: 0.1 } }
 * ]
 * const emu = await startEmulator({ jobs })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface JobSpec {
  readonly jobId: string
  /** A count of tasks generated from the seed, or explicit tasks. */
  readonly tasks: number | ReadonlyArray<TaskInput>
  /**
   * Rollout mode: from emulator start every task moves QUEUED → NOTIFIED → IN_PROGRESS (Progress rising) →
   * SUCCEEDED or FAILED, on a per-task schedule spread over `durationMs`. `failureRate` defaults to 0.08.
   */
  readonly rollout?: { readonly durationMs: number; readonly failureRate?: number }
}

/**
 * Injectable faults. `Throttling` answers `Throttling.User` (400), `SystemException` answers
 * `iot.system.SystemException` with `Success: false` on HTTP 200, `HtmlError` a proxy's 502 HTML page,
 * `TruncatedJson` a 200 whose JSON stops half-way, `ConnectionReset` headers and half the body then a reset.
 *
 * @example
 * ```ts
 * import { type FaultKind, startEmulator } from "@iot-ota/emulator"
 *
 * const retried: ReadonlyArray<FaultKind> = ["ServiceUnavailable", "Throttling", "ConnectionReset"]
 * const emu = await startEmulator({ faults: { rate: 0.2, kinds: retried } })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type FaultKind =
  | "ServiceUnavailable"
  | "InternalError"
  | "Throttling"
  | "SystemException"
  | "ConnectionReset"
  | "Delay"
  | "TruncatedJson"
  | "HtmlError"

/**
 * Every {@link FaultKind}.
 *
 * @example
 * ```ts
 * import { FAULT_KINDS, startEmulator } from "@iot-ota/emulator"
 *
 * // The first eight calls get each fault once, in order; later calls are answered normally.
 * const emu = await startEmulator({ faults: { sequence: FAULT_KINDS, delayMs: 100 } })
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const FAULT_KINDS: ReadonlyArray<FaultKind> = KINDS

/**
 * Fault injection. Faults apply only to requests that passed authentication, the nonce check and the QPS
 * limit, i.e. ListOTATaskByJob calls the real service would have answered: a wrongly signed request never
 * consumes a scripted fault.
 *
 * @example
 * ```ts
 * import { startEmulator } from "@iot-ota/emulator"
 *
 * // The first call is throttled, the second answered, the third gets a 503.
 * const emu = await startEmulator({ faults: { sequence: ["Throttling", null, "ServiceUnavailable"] } })
 * // … later in the same test: one call in ten gets a seeded random fault.
 * emu.setFaults({ rate: 0.1, seed: 42 })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface FaultOptions {
  /** 0..1: seeded probability that a request (after `sequence` is used up) gets a fault. Default 0. */
  readonly rate?: number
  /** Kinds drawn uniformly (seeded) when `rate` fires. Default: all. */
  readonly kinds?: ReadonlyArray<FaultKind>
  /** Scripted: the n-th authenticated request gets `sequence[n]` (`null` = answer normally); then `rate` applies. */
  readonly sequence?: ReadonlyArray<FaultKind | null>
  /** How long `Delay` waits before answering normally. Default 2000 ms. */
  readonly delayMs?: number
  /** Seed of the fault draws. Default: the emulator's seed. */
  readonly seed?: number
}

/**
 * An AccessKey pair the emulator accepts.
 *
 * @example
 * ```ts
 * import { type EmulatorCredentials, startEmulator } from "@iot-ota/emulator"
 *
 * const ci: EmulatorCredentials = { accessKeyId: "ci-key-id", accessKeySecret: "ci-key-secret" }
 * const emu = await startEmulator({ credentials: [ci] })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface EmulatorCredentials {
  readonly accessKeyId: string
  readonly accessKeySecret: string
}

/**
 * Options of {@link startEmulator}; every field is optional.
 *
 * @example
 * ```ts
 * import { type EmulatorOptions, startEmulator } from "@iot-ota/emulator"
 *
 * const options: EmulatorOptions = {
 *   seed: 7,
 *   casing: "alibaba",
 *   qps: 0, // no rate limit: a test suite should not wait for the token bucket
 *   jobs: [{ jobId: "job-1", tasks: 1200 }],
 *   clockSkewMs: -5_000,
 *   logger: (line) => console.error(line)
 * }
 * const emu = await startEmulator(options)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface EmulatorOptions {
  /** 0 = any free port (default). */
  readonly port?: number
  /** Default `127.0.0.1`. */
  readonly host?: string
  /** Seeds the data and the fault draws. Default 1. */
  readonly seed?: number
  /** Default `"alibaba"`. */
  readonly casing?: Casing
  /** Default `[DEFAULT_CREDENTIALS]`. */
  readonly credentials?: ReadonlyArray<EmulatorCredentials>
  /** Default `[{ jobId: DEFAULT_JOB_ID, tasks: DEFAULT_TASK_COUNT }]`. */
  readonly jobs?: ReadonlyArray<JobSpec>
  /** Per-AccessKeyId limit (token bucket: capacity `qps`, refilled `qps`/s). Default 10; 0 = off. */
  readonly qps?: number
  readonly faults?: FaultOptions
  /** The server's clock is real time + this; it drives the timestamp window and the `Date` header. Default 0. */
  readonly clockSkewMs?: number
  /** Accepted distance between the request's timestamp and the server clock, either way. Default 15 min. */
  readonly timestampWindowMs?: number
  /** Larger bodies get 413. Default 64 KiB. */
  readonly maxBodyBytes?: number
  /** Longer request URIs get 414 (longer than 64 KiB of request line and headers: 431). Default 16 KiB. */
  readonly maxUrlBytes?: number
  /** A client that has not sent complete headers by then gets 408 and is disconnected. Default 10 s. */
  readonly headersTimeoutMs?: number
  /** One line per request: method, status, code, AccessKeyId, RequestId, time. Never secrets or signatures. */
  readonly logger?: (line: string) => void
}

/**
 * Counters since start or the last `resetStats()`. `byCode` counts responses by outcome: `"OK"`, the error
 * Code (`"SignatureDoesNotMatch"`, …), or `"fault:<Kind>"` for injected faults (a `Delay` also counts its
 * final answer).
 *
 * @example
 * ```ts
 * import { startEmulator } from "@iot-ota/emulator"
 *
 * const emu = await startEmulator({ faults: { sequence: ["ServiceUnavailable"] } })
 * // … call the client …
 * const { requests, byCode } = emu.stats()
 * console.log(requests, byCode["OK"], byCode["fault:ServiceUnavailable"], byCode["SignatureDoesNotMatch"])
 * emu.resetStats()
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface EmulatorStats {
  readonly requests: number
  readonly byCode: Readonly<Record<string, number>>
  /** Nonces currently remembered. */
  readonly nonces: number
}

/**
 * A running emulator.
 *
 * @example
 * ```ts
 * import { startEmulator } from "@iot-ota/emulator"
 *
 * const emu = await startEmulator({ jobs: [{ jobId: "job-1", tasks: 500 }] })
 * try {
 *   console.log(emu.url, emu.credentials[0]?.accessKeyId, emu.jobs) // …, [{ jobId: "job-1", total: 500 }]
 *   // … point a client at emu.url, then compare what it listed with the ground truth:
 *   const expected = emu.tasks("job-1").map((task) => task.TaskId)
 * } finally {
 *   await emu.close()
 * }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Emulator {
  /** E.g. `http://127.0.0.1:41234`, no trailing slash. */
  readonly url: string
  readonly port: number
  readonly host: string
  readonly credentials: ReadonlyArray<EmulatorCredentials>
  readonly jobs: ReadonlyArray<{ readonly jobId: string; readonly total: number }>
  readonly stats: () => EmulatorStats
  readonly resetStats: () => void
  /** Replaces the fault options; a scripted sequence starts again from its first entry. */
  readonly setFaults: (faults: FaultOptions | undefined) => void
  /** The current tasks of a job (rollout applied): what a full listing returns. Throws for an unknown job. */
  readonly tasks: (jobId: string) => ReadonlyArray<TaskRecord>
  /** Stops listening, drops open connections and pending delayed answers; resolves when closed. */
  readonly close: () => Promise<void>
}

/**
 * The AccessKey pair accepted when `credentials` is not given. Obviously fake.
 *
 * @example
 * ```ts
 * import { DEFAULT_CREDENTIALS, startEmulator } from "@iot-ota/emulator"
 *
 * const emu = await startEmulator()
 * process.env.OTA_ENDPOINT = emu.url
 * process.env.OTA_ACCESS_KEY_ID = DEFAULT_CREDENTIALS.accessKeyId
 * process.env.OTA_ACCESS_KEY_SECRET = DEFAULT_CREDENTIALS.accessKeySecret
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_CREDENTIALS: EmulatorCredentials = {
  accessKeyId: "emulator-access-key-id",
  accessKeySecret: "emulator-access-key-secret"
}

/**
 * The job served when `jobs` is not given (shaped like a platform JobId).
 *
 * @example
 * ```ts
 * import { DEFAULT_JOB_ID, DEFAULT_TASK_COUNT, startEmulator } from "@iot-ota/emulator"
 *
 * const emu = await startEmulator()
 * console.log(emu.jobs) // [{ jobId: DEFAULT_JOB_ID, total: DEFAULT_TASK_COUNT }]
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_JOB_ID = "EmuDemo7glPHmaDYLAYM02demo"

/**
 * Task count of the default job.
 *
 * @example
 * ```ts
 * import { DEFAULT_JOB_ID, DEFAULT_TASK_COUNT, startEmulator } from "@iot-ota/emulator"
 *
 * const emu = await startEmulator()
 * console.log(emu.tasks(DEFAULT_JOB_ID).length === DEFAULT_TASK_COUNT) // true
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_TASK_COUNT = 250

const DEFAULTS = {
  host: "127.0.0.1",
  seed: 1,
  qps: 10,
  timestampWindowMs: 15 * 60 * 1000,
  maxBodyBytes: 64 * 1024,
  maxUrlBytes: 16 * 1024,
  maxHeaderBytes: 64 * 1024,
  headersTimeoutMs: 10_000
} as const

const MAX_TASKS_PER_JOB = 1_000_000

const check = (ok: boolean, message: string): void => {
  if (!ok) throw new RangeError(`startEmulator: ${message}`)
}

const validate = (options: EmulatorOptions, jobs: ReadonlyArray<JobSpec>): void => {
  const { port = 0, qps = DEFAULTS.qps } = options
  check(
    Number.isInteger(port) && port >= 0 && port <= 65535,
    `port must be an integer within 0..65535, got ${port}`
  )
  check(
    options.casing === undefined || options.casing === "alibaba" || options.casing === "tuya",
    "casing must be alibaba or tuya"
  )
  check(Number.isFinite(options.seed ?? 0), "seed must be a finite number")
  check(Number.isFinite(qps) && qps >= 0, `qps must be >= 0, got ${qps}`)
  check(Number.isFinite(options.clockSkewMs ?? 0), "clockSkewMs must be a finite number")
  for (const [name, value] of [
    ["timestampWindowMs", options.timestampWindowMs],
    ["maxBodyBytes", options.maxBodyBytes],
    ["maxUrlBytes", options.maxUrlBytes],
    ["headersTimeoutMs", options.headersTimeoutMs]
  ] as const) {
    check(value === undefined || (Number.isFinite(value) && value > 0), `${name} must be > 0, got ${value}`)
  }
  const credentials = options.credentials ?? [DEFAULT_CREDENTIALS]
  check(credentials.length > 0, "credentials must not be empty")
  for (const pair of credentials) {
    check(
      pair.accessKeyId.length > 0 && pair.accessKeySecret.length > 0,
      "credentials need a non-empty id and secret"
    )
  }
  const seen = new Set<string>()
  for (const job of jobs) {
    check(job.jobId.length > 0, "a jobId must not be empty")
    check(!seen.has(job.jobId), `jobId "${job.jobId}" is given twice`)
    seen.add(job.jobId)
    const count = typeof job.tasks === "number" ? job.tasks : job.tasks.length
    check(
      Number.isInteger(count) && count >= 0 && count <= MAX_TASKS_PER_JOB,
      `job "${job.jobId}": tasks must be an integer within 0..${MAX_TASKS_PER_JOB}`
    )
    if (job.rollout !== undefined) {
      check(job.rollout.durationMs > 0, `job "${job.jobId}": rollout.durationMs must be > 0`)
      const rate = job.rollout.failureRate ?? 0
      check(rate >= 0 && rate <= 1, `job "${job.jobId}": rollout.failureRate must be within 0..1`)
    }
  }
  // Fails fast on bad fault options instead of at the first request.
  new FaultPlan(options.faults, options.seed ?? DEFAULTS.seed)
}

/**
 * Starts an emulator and resolves once it is listening.
 *
 * @example
 * ```ts
 * import { DEFAULT_CREDENTIALS, startEmulator } from "@iot-ota/emulator"
 *
 * const emu = await startEmulator({ jobs: [{ jobId: "job-1", tasks: 500 }], qps: 0 })
 * // … point a client at emu.url with DEFAULT_CREDENTIALS …
 * await emu.close()
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const startEmulator = async (options: EmulatorOptions = {}): Promise<Emulator> => {
  const jobSpecs = options.jobs ?? [{ jobId: DEFAULT_JOB_ID, tasks: DEFAULT_TASK_COUNT }]
  validate(options, jobSpecs)
  const seed = options.seed ?? DEFAULTS.seed
  const casing = options.casing ?? "alibaba"
  const clockSkewMs = options.clockSkewMs ?? 0
  const credentials = (options.credentials ?? [DEFAULT_CREDENTIALS]).map((pair) => ({ ...pair }))
  const startedMono = performance.now()
  const startedWall = Date.now() + clockSkewMs
  const stores = new Map<string, JobStore>()
  for (const spec of jobSpecs) {
    stores.set(spec.jobId, buildJobStore(spec, { seed, casing, startedMono, startedWall }))
  }

  const core = new EmulatorCore({
    casing,
    seed,
    credentials: new Map(credentials.map((pair) => [pair.accessKeyId, pair.accessKeySecret])),
    jobs: stores,
    qps: options.qps ?? DEFAULTS.qps,
    clockSkewMs,
    timestampWindowMs: options.timestampWindowMs ?? DEFAULTS.timestampWindowMs,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULTS.maxBodyBytes,
    maxUrlBytes: options.maxUrlBytes ?? DEFAULTS.maxUrlBytes,
    faults: options.faults,
    logger: options.logger
  })

  const headersTimeout = options.headersTimeoutMs ?? DEFAULTS.headersTimeoutMs
  const server = createServer(
    {
      maxHeaderSize: Math.max(DEFAULTS.maxHeaderBytes, (options.maxUrlBytes ?? 0) + 16 * 1024),
      headersTimeout,
      requestTimeout: Math.max(headersTimeout, 30_000),
      // How often Node looks for connections past those timeouts (its default is 30 s).
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(headersTimeout / 4))),
      noDelay: true
    },
    core.handle
  )
  server.on("clientError", core.onClientError)

  const host = options.host ?? DEFAULTS.host
  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error): void => reject(error)
    server.once("error", onError)
    server.listen({ port: options.port ?? 0, host }, () => {
      server.off("error", onError)
      resolve()
    })
  })
  const address = server.address()
  const port = typeof address === "object" && address !== null ? address.port : (options.port ?? 0)
  const urlHost = host.includes(":") ? `[${host}]` : host

  let closing: Promise<void> | undefined
  return {
    url: `http://${urlHost}:${port}`,
    port,
    host,
    credentials,
    jobs: [...stores.values()].map((store) => ({ jobId: store.jobId, total: store.total })),
    stats: () => core.stats(),
    resetStats: () => core.resetStats(),
    setFaults: (faults) => core.setFaults(faults),
    tasks: (jobId) => {
      const store = stores.get(jobId)
      if (store === undefined) throw new RangeError(`unknown job "${jobId}"`)
      return store.snapshot(performance.now())
    },
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        core.shutdown()
        server.close(() => resolve())
        server.closeAllConnections()
      })
      return closing
    }
  }
}
