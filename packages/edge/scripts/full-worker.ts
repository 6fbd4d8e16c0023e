// The same Worker with the full client: `OtaClient` has a method for every operation, so its bundle holds
// them all. Measured beside the minimal worker by scripts/bundle-size.mjs, for information.
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
