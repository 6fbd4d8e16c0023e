// workerd entry of the read-path program: a Worker that runs the request POSTed to it and answers the outcomes.
import { type ReadPathRequest, readPath } from "./readPath.js"

export default {
  async fetch(request: Request): Promise<Response> {
    const body: ReadPathRequest = await request.json()
    return Response.json(await readPath(body))
  }
}
