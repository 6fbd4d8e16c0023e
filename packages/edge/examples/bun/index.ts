/**
 * A small Bun service: `GET /jobs/<jobId>/summary` answers with the task
 * count per status of an OTA upgrade batch.
 *
 *   OTA_ENDPOINT=https://iot.cn-shanghai.aliyuncs.com OTA_ACCESS_KEY_ID=... OTA_ACCESS_KEY_SECRET=... \
 *     bun run index.ts
 *
 * Bun resolves `@iot-ota/edge` through its `bun` export condition. A Bun
 * server is one long-lived process, so one client (and its rate limiter) is
 * shared by every request.
 */
import { isOtaError, OtaClient } from "@iot-ota/edge"

// Bun loads .env files into process.env; only the OTA_* / ALIBABA_CLOUD_* names are read.
const client = new OtaClient({ env: process.env, userAgent: "ota-summary/1.0" })

const SUMMARY_PATH = /^\/jobs\/([^/]+)\/summary\/?$/

export default {
  port: Number(process.env.PORT ?? 3000),
  async fetch(request: Request): Promise<Response> {
    const match = SUMMARY_PATH.exec(new URL(request.url).pathname)
    if (match === null) return new Response("try GET /jobs/<jobId>/summary\n", { status: 404 })
    const jobId = decodeURIComponent(match[1]!)
    try {
      const byStatus: Record<string, number> = {}
      let total = 0
      for await (const task of client.paginateOTATaskByJob({ jobId }, { signal: request.signal })) {
        total++
        byStatus[task.taskStatus] = (byStatus[task.taskStatus] ?? 0) + 1
      }
      return Response.json({ jobId, total, byStatus })
    } catch (error) {
      if (!isOtaError(error)) throw error
      return Response.json(
        { error: { type: error._tag, message: error.message } },
        { status: error._tag === "ValidationError" ? 400 : 502 }
      )
    }
  }
}
