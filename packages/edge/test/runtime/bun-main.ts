// Bun entry of the listing program: the request arrives on stdin (the secret stays out of the
// command line and the environment).
import { type ListingRequest, listAll } from "./listing.js"

const request: ListingRequest = await new Response(Bun.stdin.stream()).json()
console.log(JSON.stringify(await listAll(request)))
