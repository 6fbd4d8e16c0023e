/**
 * Messages between the bench and its emulator child (`server.ts`). The
 * emulator runs in its own process so its CPU time never counts against the
 * client under test; the bench asks it for CPU time and counters over IPC.
 */

/** What the bench asks for when it starts a server: jobs and the per-key QPS limit (0 = off). */
export interface ServerSpec {
  readonly jobs: ReadonlyArray<{ readonly jobId: string; readonly tasks: number }>
  readonly qps: number
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
  return { jobs, qps: value.qps, seed: value.seed }
}
