// Deno entry of the listing program: the request arrives on stdin (no
// permission needed, and the secret stays out of the command line).
import { type ListingRequest, listAll } from "./listing.js"

const request: ListingRequest = await new Response(Deno.stdin.readable).json()
console.log(JSON.stringify(await listAll(request)))
