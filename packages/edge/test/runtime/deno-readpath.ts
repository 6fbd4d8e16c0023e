// Deno entry of the read-path program: the request arrives on stdin (the secret stays out of the command line).
import { type ReadPathRequest, readPath } from "./readPath.js"

const request: ReadPathRequest = await new Response(Deno.stdin.readable).json()
console.log(JSON.stringify(await readPath(request)))
