/**
 * A Cloudflare Worker that serves an OTA batch's device tasks as JSON, for a
 * dashboard or a webhook:
 *
 *   GET /jobs/<jobId>/tasks                 every task, with a count per status
 *   GET /jobs/<jobId>/tasks?status=FAILED   only the tasks in one status
 *
 * The endpoint and the AccessKey pair come from the Worker's env
 * (wrangler.toml `[vars]` and `wrangler secret put OTA_ACCESS_KEY_SECRET`).
 */
import {
  isOtaError,
  OtaClient,
  type OtaError,
  type OtaTask,
  TASK_STATUSES,
  type TaskStatus
} from "@iot-ota/edge"

export interface Env {
  readonly OTA_ENDPOINT: string
  readonly OTA_ACCESS_KEY_ID: string
  readonly OTA_ACCESS_KEY_SECRET: string
  /** Optional: "HMAC-SHA1" (default) or "ACS3-HMAC-SHA256". */
  readonly OTA_SIGNATURE_ALGORITHM?: string
}

/** The part of the Workers `ExecutionContext` used here (`@cloudflare/workers-types` has the full one). */
export interface ExecutionContext {
  waitUntil(promise: Promise<unknown>): void
}

const TASKS_PATH = /^\/jobs\/([^/]+)\/tasks\/?$/

const isTaskStatus = (value: string): value is TaskStatus =>
  (TASK_STATUSES as ReadonlyArray<string>).includes(value)

const httpStatusOf = (error: OtaError): number =>
  error._tag === "ValidationError" ? 400 : error._tag === "TimeoutError" ? 504 : 502

/** What the caller may see of an error: never the request URL, headers or secret (the errors carry none). */
const errorBody = (error: OtaError) => ({
  error: {
    type: error._tag,
    message: error.message,
    ...("code" in error ? { code: error.code } : {}),
    ...("requestId" in error && error.requestId !== undefined ? { requestId: error.requestId } : {})
  }
})

export default {
  async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    const url = new URL(request.url)
    const match = TASKS_PATH.exec(url.pathname)
    if (request.method !== "GET" || match === null) {
      return Response.json(
        { error: { type: "NotFound", message: "try GET /jobs/<jobId>/tasks" } },
        { status: 404 }
      )
    }
    const jobId = decodeURIComponent(match[1]!)
    const status = url.searchParams.get("status")
    if (status !== null && !isTaskStatus(status)) {
      return Response.json(
        { error: { type: "ValidationError", message: `status must be one of ${TASK_STATUSES.join(", ")}` } },
        { status: 400 }
      )
    }
    // One client per request: Workers do not let one request's I/O objects be used by another.
    let client: OtaClient | undefined
    try {
      client = new OtaClient({ env })
      const tasks: Array<OtaTask> = []
      const byStatus: Record<string, number> = {}
      for await (const task of client.paginateOTATaskByJob(
        status === null ? { jobId } : { jobId, taskStatus: status }
      )) {
        tasks.push(task)
        byStatus[task.taskStatus] = (byStatus[task.taskStatus] ?? 0) + 1
      }
      return Response.json({ jobId, total: tasks.length, byStatus, tasks })
    } catch (error) {
      if (isOtaError(error)) return Response.json(errorBody(error), { status: httpStatusOf(error) })
      throw error
    } finally {
      if (client !== undefined) ctx.waitUntil(client.close())
    }
  }
}
