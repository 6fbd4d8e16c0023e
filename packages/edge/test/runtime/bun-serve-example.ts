// Serves examples/bun as Bun would (`bun run index.ts` serves a module's default export), on a
// port Bun picks, and tells the test which one on stdout.
import example from "../../examples/bun/index.js"

const server = Bun.serve({ fetch: example.fetch, port: 0, hostname: "127.0.0.1" })
console.log(JSON.stringify({ port: server.port }))
