/**
 * A Deno script (run it by hand or from `deno cron`) that reports where an
 * OTA upgrade batch stands: the task count per status and the devices whose
 * upgrade failed, as one JSON object on stdout.
 *
 *   deno run --allow-net=iot.cn-shanghai.aliyuncs.com \
 *     --allow-env=OTA_ENDPOINT,OTA_ACCESS_KEY_ID,OTA_ACCESS_KEY_SECRET,OTA_SIGNATURE_ALGORITHM \
 *     main.ts <jobId>
 *
 * Exit codes: 0 ok, 2 usage or configuration, 3 credentials rejected, 1 other errors.
 */
import { isAuthError, isOtaError, OtaClient } from "npm:@iot-ota/edge"

// Only these are read, so --allow-env can name them (Deno.env.toObject() needs every variable).
const ENV_NAMES = ["OTA_ENDPOINT", "OTA_ACCESS_KEY_ID", "OTA_ACCESS_KEY_SECRET", "OTA_SIGNATURE_ALGORITHM"]

const jobId = Deno.args[0]
if (jobId === undefined || jobId === "") {
  console.error("usage: main.ts <jobId>")
  Deno.exit(2)
}

const env = Object.fromEntries(ENV_NAMES.map((name) => [name, Deno.env.get(name)]))

try {
  const client = new OtaClient({ env })
  const byStatus: Record<string, number> = {}
  const failed: Array<{ deviceName: string; taskDesc: string | undefined }> = []
  let total = 0
  try {
    for await (const task of client.paginateOTATaskByJob({ jobId })) {
      total++
      byStatus[task.taskStatus] = (byStatus[task.taskStatus] ?? 0) + 1
      if (task.taskStatus === "FAILED") failed.push({ deviceName: task.deviceName, taskDesc: task.taskDesc })
    }
  } finally {
    await client.close()
  }
  console.log(JSON.stringify({ jobId, total, byStatus, failed }))
} catch (error) {
  if (!isOtaError(error)) throw error
  // The errors never carry the secret or the signed URL, so they are safe to print.
  console.error(`${error._tag}: ${error.message}`)
  Deno.exit(error._tag === "ValidationError" ? 2 : isAuthError(error) ? 3 : 1)
}
