/**
 * Messages between the bench and its children: the emulator (`server.ts`),
 * in its own process so its CPU time never counts against the client under
 * test, and the contenders (`contender.ts`). The bench asks the emulator for
 * CPU time and counters, and the contenders for measured runs, over IPC.
 */
import type { QuotaMode, RequestLogEntry } from "@iot-ota/emulator"
import type { Workload } from "./contenders.js"

/**
 * What the bench asks for when it starts a server: jobs, the per-key QPS limit (0 = off) and how it is counted
 * (the emulator's default unless given), and whether to keep the emulator's request log.
 */
export interface ServerSpec {
  readonly jobs: ReadonlyArray<{ readonly jobId: string; readonly tasks: number }>
  readonly qps: number
  readonly quota?: QuotaMode
  readonly requestLog?: boolean
  readonly seed: number
}

export type ServerRequest =
  | { readonly id: number; readonly type: "cpu" }
  | { readonly id: number; readonly type: "stats" }
  | { readonly id: number; readonly type: "resetStats" }

export interface CpuTime {
  readonly user: number
  readonly system: number
}

export interface ServerCounters {
  readonly requests: number
  readonly byCode: Readonly<Record<string, number>>
  /** Refused by the quota. */
  readonly throttled: number
  /** Every request the quota judged, when the server was started with `requestLog`. */
  readonly requestLog: ReadonlyArray<RequestLogEntry>
}

export type ServerMessage =
  | {
      readonly type: "ready"
      readonly url: string
      readonly host: string
      readonly port: number
    }
  | { readonly type: "failed"; readonly message: string }
  | { readonly type: "cpu"; readonly id: number; readonly value: CpuTime }
  | { readonly type: "stats"; readonly id: number; readonly value: ServerCounters }
  | { readonly type: "resetStats"; readonly id: number }

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null

/** Narrows an IPC payload to a request; anything else is ignored by the server. */
export const isServerRequest = (value: unknown): value is ServerRequest =>
  isRecord(value) &&
  typeof value.id === "number" &&
  (value.type === "cpu" || value.type === "stats" || value.type === "resetStats")

/** Narrows an IPC payload to a server message. */
export const isServerMessage = (value: unknown): value is ServerMessage =>
  isRecord(value) &&
  (value.type === "ready" ||
    value.type === "failed" ||
    value.type === "cpu" ||
    value.type === "stats" ||
    value.type === "resetStats")

/** Parses the spec given on the child's command line, refusing anything malformed. */
export const parseServerSpec = (text: string | undefined): ServerSpec => {
  const value: unknown = JSON.parse(text ?? "null")
  if (
    !isRecord(value) ||
    typeof value.qps !== "number" ||
    typeof value.seed !== "number" ||
    !Array.isArray(value.jobs)
  ) {
    throw new TypeError("server spec must be { jobs, qps, seed }")
  }
  const jobs = value.jobs.map((job: unknown) => {
    if (!isRecord(job) || typeof job.jobId !== "string" || typeof job.tasks !== "number") {
      throw new TypeError("each job must be { jobId, tasks }")
    }
    return { jobId: job.jobId, tasks: job.tasks }
  })
  if (value.quota !== undefined && typeof value.quota !== "string")
    throw new TypeError("quota must be a string")
  return {
    jobs,
    qps: value.qps,
    seed: value.seed,
    // The emulator checks the mode itself.
    ...(value.quota === undefined ? {} : { quota: value.quota as QuotaMode }),
    requestLog: value.requestLog === true
  }
}

/**
 * What the bench asks of a contender child (`contender.ts`): which client and
 * workload, against which emulator child and job. Each contender of the
 * paging and concurrency benchmarks runs in a process of its own, as it
 * would in an application: its JIT, heap and garbage collector are its own,
 * so no contender's code or garbage slows another's.
 */
export interface ContenderSpec {
  readonly workload: Workload
  readonly server: { readonly url: string; readonly host: string; readonly port: number }
  readonly jobId: string
  readonly pages: number
}

export type ContenderRequest = { readonly id: number; readonly type: "run" }

/** One run as the contender child measured it (its own clocks, its own process). */
export interface ClientSample {
  readonly wallMs: number
  readonly clientCpuMs: number
  readonly clientLoopBusy: number
  readonly items: number
}

export type ContenderMessage =
  | { readonly type: "ready" }
  | { readonly type: "failed"; readonly message: string }
  | ({ readonly type: "sample"; readonly id: number } & ClientSample)
  | { readonly type: "error"; readonly id: number; readonly message: string }

export const isContenderRequest = (value: unknown): value is ContenderRequest =>
  isRecord(value) && typeof value.id === "number" && value.type === "run"

export const isContenderMessage = (value: unknown): value is ContenderMessage =>
  isRecord(value) &&
  (value.type === "ready" || value.type === "failed" || value.type === "sample" || value.type === "error")

const WORKLOAD_KINDS: ReadonlySet<unknown> = new Set(["ours-list", "ours-paginate", "official", "floor"])

/** Parses the spec given on the contender child's command line, refusing anything malformed. */
export const parseContenderSpec = (text: string | undefined): ContenderSpec => {
  const value: unknown = JSON.parse(text ?? "null")
  if (
    !isRecord(value) ||
    !isRecord(value.workload) ||
    !WORKLOAD_KINDS.has(value.workload.kind) ||
    !isRecord(value.server) ||
    typeof value.server.url !== "string" ||
    typeof value.server.host !== "string" ||
    typeof value.server.port !== "number" ||
    typeof value.jobId !== "string" ||
    typeof value.pages !== "number"
  ) {
    throw new TypeError("contender spec must be { workload, server: { url, host, port }, jobId, pages }")
  }
  // The bench writes the spec itself; the kind check above is what guards the switch in the child.
  return value as unknown as ContenderSpec
}
