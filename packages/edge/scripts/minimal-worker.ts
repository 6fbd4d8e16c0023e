// The smallest useful Worker: a client built from the Worker's env, one call.
// scripts/bundle-size.mjs measures what @iot-ota/edge adds to a Worker bundle.
import { OtaClient } from "@iot-ota/edge"

export default {
  async fetch(request: Request, env: object): Promise<Response> {
    const client = new OtaClient({ env })
    try {
      const jobId = new URL(request.url).searchParams.get("jobId") ?? ""
      return Response.json(await client.listOTATaskByJob({ jobId }))
    } finally {
      await client.close()
    }
  }
}
