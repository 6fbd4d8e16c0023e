// The smallest useful Worker: a client built from the Worker's env, one listing call. It imports the
// generic client and the one operation it uses, so a bundle holds only that operation: adding operations
// to @iot-ota/edge must not grow it (scripts/bundle-size.mjs checks the budget).
import { ListOTATaskByJob, OtaBaseClient } from "@iot-ota/edge"

export default {
  async fetch(request: Request, env: object): Promise<Response> {
    const client = new OtaBaseClient({ env })
    try {
      const jobId = new URL(request.url).searchParams.get("jobId") ?? ""
      return Response.json(await client.call(ListOTATaskByJob, { jobId }))
    } finally {
      await client.close()
    }
  }
}
