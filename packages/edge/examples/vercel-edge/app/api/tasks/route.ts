/**
 * A Next.js route handler on the edge runtime (Vercel Edge Functions):
 *
 *   GET /api/tasks?jobId=<jobId>[&status=FAILED][&page=2]   one page of 100 tasks
 *
 * Set OTA_ENDPOINT, OTA_ACCESS_KEY_ID and OTA_ACCESS_KEY_SECRET in the
 * project's environment variables. Next resolves `@iot-ota/edge` with its
 * `edge-light` / `worker` / `browser` export conditions.
 */
import { isOtaError, OtaClient, TASK_STATUSES, type TaskStatus } from "@iot-ota/edge"

export const runtime = "edge"
export const dynamic = "force-dynamic"

const isTaskStatus = (value: string): value is TaskStatus =>
  (TASK_STATUSES as ReadonlyArray<string>).includes(value)

export async function GET(request: Request): Promise<Response> {
  const params = new URL(request.url).searchParams
  const jobId = params.get("jobId")
  const status = params.get("status")
  const page = Number(params.get("page") ?? "1")
  if (jobId === null || (status !== null && !isTaskStatus(status))) {
    return Response.json(
      {
        error: {
          type: "ValidationError",
          message: `jobId is required; status is one of ${TASK_STATUSES.join(", ")}`
        }
      },
      { status: 400 }
    )
  }
  // An edge function instance may serve many requests, but each gets its own client: cheap, and nothing is shared.
  let client: OtaClient | undefined
  try {
    client = new OtaClient({ env: process.env, userAgent: "ota-dashboard/1.0" })
    const result = await client.listOTATaskByJob(
      { jobId, pageSize: 100, currentPage: page, ...(status === null ? {} : { taskStatus: status }) },
      { signal: request.signal }
    )
    return Response.json(result, { headers: { "cache-control": "no-store" } })
  } catch (error) {
    if (!isOtaError(error)) throw error
    return Response.json(
      {
        error: { type: error._tag, message: error.message, ...("code" in error ? { code: error.code } : {}) }
      },
      { status: error._tag === "ValidationError" ? 400 : error._tag === "TimeoutError" ? 504 : 502 }
    )
  } finally {
    await client?.close()
  }
}
