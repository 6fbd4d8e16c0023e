/**
 * Both Node transports (`NodeHttpTransport`, the default, and
 * `UndiciTransport`) against servers on 127.0.0.1 that misbehave on purpose:
 * bodies that never end, lie about their length, break off, grow without
 * bound, or redirect elsewhere. Each guarantee of the transports is checked
 * on the event it promises (the failure, the server seeing its connection
 * closed), never on elapsed time.
 */
import { once } from "node:events"
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { AddressInfo, Socket } from "node:net"
import {
  DEFAULT_MAX_RESPONSE_BYTES,
  type TransportRequest,
  type TransportService
} from "@iot-ota/core/Transport"
import { DEFAULT_CREDENTIALS, startEmulator } from "@iot-ota/emulator"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import { Agent } from "undici"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { OtaClient } from "../src/index.js"
import * as NodeHttpTransport from "../src/NodeHttpTransport.js"
import * as UndiciTransport from "../src/UndiciTransport.js"
import { rejection } from "./helpers.js"

type Handler = (req: IncomingMessage, res: ServerResponse) => void

/** A server whose every route is a test's handler; it records when each connection closes. */
interface Hostile {
  readonly url: string
  /** Resolves when the next connection (or the one open now) closes. */
  readonly nextClose: () => Promise<void>
  readonly requests: () => number
  readonly route: (path: string, handler: Handler) => void
  readonly close: () => Promise<void>
}

const startHostile = async (): Promise<Hostile> => {
  const routes = new Map<string, Handler>()
  const sockets = new Set<Socket>()
  let waiting: Array<() => void> = []
  let requests = 0
  const server: Server = createServer((req, res) => {
    requests++
    const path = (req.url ?? "/").split("?")[0]!
    const handler = routes.get(path)
    if (handler === undefined) {
      res.writeHead(404).end("no route")
      return
    }
    handler(req, res)
  })
  server.on("connection", (socket) => {
    sockets.add(socket)
    socket.on("close", () => {
      sockets.delete(socket)
      const resolve = waiting
      waiting = []
      for (const done of resolve) done()
    })
  })
  server.listen(0, "127.0.0.1")
  await once(server, "listening")
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    nextClose: () => new Promise((resolve) => waiting.push(resolve)),
    requests: () => requests,
    route: (path, handler) => routes.set(path, handler),
    close: async () => {
      for (const socket of sockets) socket.destroy()
      server.close()
      await once(server, "close")
    }
  }
}

let hostile: Hostile
let other: Hostile

beforeAll(async () => {
  ;[hostile, other] = await Promise.all([startHostile(), startHostile()])

  hostile.route("/ok", (req, res) => {
    res.writeHead(200, { "content-type": "application/json", "x-seen-ua": req.headers["user-agent"] ?? "" })
    res.end(JSON.stringify({ url: req.url }))
  })
  // Headers and part of the body, then nothing, forever.
  hostile.route("/stall-body", (_req, res) => {
    res.writeHead(200, { "content-length": "1000" })
    res.write("x".repeat(10))
  })
  // A byte every 20 ms, never finishing: no gap is long, the whole exchange is.
  hostile.route("/trickle", (_req, res) => {
    res.writeHead(200, { "content-type": "text/plain" })
    const timer = setInterval(() => res.write("x"), 20)
    res.on("close", () => clearInterval(timer))
  })
  hostile.route("/announced-too-large", (_req, res) => {
    res.writeHead(200, { "content-length": String(64 * 1024 * 1024) })
    res.write("x".repeat(1024))
  })
  // An endless chunked body: written as fast as the client reads, until the client hangs up.
  hostile.route("/endless", (_req, res) => {
    res.writeHead(200, { "content-type": "application/json" })
    const chunk = Buffer.alloc(256 * 1024, 0x61)
    let open = true
    res.on("close", () => {
      open = false
    })
    const pump = () => {
      while (open && res.write(chunk)) {}
      if (open) res.once("drain", pump)
    }
    pump()
  })
  hostile.route("/exact", (req, res) => {
    const size = Number(new URL(req.url ?? "", "http://x").searchParams.get("size"))
    res.writeHead(200, { "content-type": "text/plain" })
    res.end("é".repeat(size / 2))
  })
  hostile.route("/break-off", (_req, res) => {
    res.writeHead(200, { "content-length": "1000" })
    res.write("x".repeat(10), () => res.socket?.destroy())
  })
  hostile.route("/reset", (req) => {
    req.socket.destroy()
  })
  for (const status of [301, 302, 303, 307, 308]) {
    hostile.route(`/redirect-${status}`, (_req, res) => {
      res.writeHead(status, { location: `${other.url}/ok?stolen=1`, "content-type": "application/json" })
      res.end(JSON.stringify({ Code: "ServiceUnavailable" }))
    })
  }
  hostile.route("/slow-headers", () => {
    // Never answers.
  })
})

afterAll(async () => {
  await Promise.all([hostile?.close(), other?.close()])
})

const request = (path: string, overrides: Partial<TransportRequest> = {}): TransportRequest => ({
  method: "GET",
  url: `${hostile.url}${path}`,
  headers: { "user-agent": "iot-ota/test" },
  timeoutMs: 20_000,
  maxResponseBytes: DEFAULT_MAX_RESPONSE_BYTES,
  ...overrides
})

const undiciAgents: Array<Agent> = []
afterEach(async () => {
  await Promise.all(undiciAgents.splice(0).map((agent) => agent.close()))
})

const TRANSPORTS: ReadonlyArray<readonly [string, Effect.Effect<TransportService, never, Scope.Scope>]> = [
  ["NodeHttpTransport", NodeHttpTransport.make()],
  [
    "UndiciTransport",
    Effect.sync(() => {
      const agent = new Agent({ keepAliveTimeout: 10_000 })
      undiciAgents.push(agent)
      return UndiciTransport.make(agent)
    })
  ]
]

const failureOf = <E>(exit: Exit.Exit<unknown, E>): E | undefined =>
  Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error : undefined

describe.each(TRANSPORTS)("%s against hostile servers", (name, makeTransport) => {
  const send = (req: TransportRequest) =>
    Effect.runPromise(
      Effect.scoped(Effect.flatMap(makeTransport, (transport) => Effect.exit(transport.send(req))))
    )

  it("returns status, headers and body, the URL sent as encoded", async () => {
    const exit = await send(request("/ok?JobId=a%2Ab&Name=x%20y"))
    if (!Exit.isSuccess(exit)) throw new Error(String(exit.cause))
    expect(exit.value.status).toBe(200)
    expect(JSON.parse(exit.value.body)).toEqual({ url: "/ok?JobId=a%2Ab&Name=x%20y" })
    expect(exit.value.header("x-seen-ua")).toBe("iot-ota/test")
    expect(exit.value.header("absent")).toBeUndefined()
  })

  // undici's pool may open a second connection when the next request is dispatched from within the
  // previous one's end callback (before that connection is idle again); node:http's agent reuses it.
  it.runIf(name === "NodeHttpTransport")("keeps the connection for the next request", async () => {
    const seen = new Set<unknown>()
    hostile.route("/socket", (req, res) => {
      seen.add(req.socket)
      res.end("{}")
    })
    await Effect.runPromise(
      Effect.scoped(
        Effect.flatMap(makeTransport, (transport) =>
          Effect.zipRight(transport.send(request("/socket")), transport.send(request("/socket")))
        )
      )
    )
    expect(seen.size).toBe(1)
  })

  it("the deadline covers the body: a body that stalls fails with a TimeoutError, and the connection is closed", async () => {
    const closed = hostile.nextClose()
    const exit = await send(request("/stall-body", { timeoutMs: 300 }))
    expect(failureOf(exit)).toMatchObject({ _tag: "TimeoutError", timeoutMs: 300 })
    await closed
  })

  it("the deadline covers the whole exchange: a body that trickles forever fails with a TimeoutError", async () => {
    const closed = hostile.nextClose()
    const exit = await send(request("/trickle", { timeoutMs: 300 }))
    expect(failureOf(exit)).toMatchObject({ _tag: "TimeoutError" })
    await closed
  })

  it("a server that never answers fails with a TimeoutError", async () => {
    const exit = await send(request("/slow-headers", { timeoutMs: 200 }))
    expect(failureOf(exit)).toMatchObject({ _tag: "TimeoutError", timeoutMs: 200 })
  })

  it("a Content-Length over maxResponseBytes fails at once with a non-retryable HttpError", async () => {
    const closed = hostile.nextClose()
    const exit = await send(request("/announced-too-large", { maxResponseBytes: 1024 * 1024 }))
    const error = failureOf(exit)
    expect(error).toMatchObject({ _tag: "HttpError", httpStatus: 200, retryable: false })
    expect(error?.message).toContain("exceeded 1048576 bytes")
    await closed
  })

  it("an endless body stops at the default maxResponseBytes (16 MiB) with a non-retryable HttpError", async () => {
    const closed = hostile.nextClose()
    const exit = await send(request("/endless"))
    const error = failureOf(exit)
    expect(error).toMatchObject({ _tag: "HttpError", retryable: false })
    expect(error?.message).toContain(`exceeded ${DEFAULT_MAX_RESPONSE_BYTES} bytes`)
    // The server learns of it: its writes end with the connection.
    await closed
  })

  it("a body of exactly maxResponseBytes is accepted, multi-byte characters across chunks decoded", async () => {
    const exit = await send(request("/exact?size=200000", { maxResponseBytes: 200_000 }))
    if (!Exit.isSuccess(exit)) throw new Error(String(exit.cause))
    expect(exit.value.body).toBe("é".repeat(100_000))
  })

  it("one byte over maxResponseBytes fails", async () => {
    const exit = await send(request("/exact?size=200002", { maxResponseBytes: 200_001 }))
    expect(failureOf(exit)).toMatchObject({ _tag: "HttpError", retryable: false })
  })

  it("a body broken off mid-way fails with a TransportError (the call does not hang)", async () => {
    const exit = await send(request("/break-off"))
    expect(failureOf(exit)).toMatchObject({ _tag: "TransportError" })
  })

  it("a connection reset before any answer fails with a TransportError", async () => {
    const exit = await send(request("/reset"))
    expect(failureOf(exit)).toMatchObject({ _tag: "TransportError" })
  })

  it.each([301, 302, 303, 307, 308])(
    "a %i redirect fails with a non-retryable HttpError, and nothing is sent to the other host",
    async (status) => {
      const before = other.requests()
      const exit = await send(request(`/redirect-${status}?Signature=secret-signature`))
      const error = failureOf(exit)
      expect(error).toMatchObject({ _tag: "HttpError", httpStatus: status, retryable: false })
      expect(error?.message).toContain(new URL(other.url).host)
      expect(error?.message).not.toContain("secret-signature")
      expect(other.requests()).toBe(before)
    }
  )

  it("interruption aborts the request (the server sees the connection close) and settles nothing", async () => {
    const closed = hostile.nextClose()
    const seen = requestSeen("/interrupt")
    const exit = await Effect.runPromise(
      Effect.scoped(
        Effect.flatMap(makeTransport, (transport) =>
          Effect.gen(function* () {
            const fiber = yield* Effect.fork(transport.send(request("/interrupt")))
            yield* Effect.promise(() => seen)
            return yield* Fiber.interrupt(fiber)
          })
        )
      )
    )
    expect(Exit.isInterrupted(exit)).toBe(true)
    await closed
  })

  it("a URL that does not parse, and an unsupported scheme, fail with a TransportError", async () => {
    expect(failureOf(await send(request("", { url: "http://[oops" })))).toMatchObject({
      _tag: "TransportError"
    })
    expect(failureOf(await send(request("", { url: "ftp://127.0.0.1/" })))).toMatchObject({
      _tag: "TransportError"
    })
  })

  it("https: a refused connection fails with a TransportError naming the host", async () => {
    const error = failureOf(await send(request("", { url: "https://127.0.0.1:1/?Signature=abc" })))
    expect(error).toMatchObject({ _tag: "TransportError" })
    expect(error?.message).toContain("127.0.0.1:1")
    expect(error?.message).not.toContain("Signature")
  })
})

/** Routes `path` to a body that stalls; resolves once the server has received the request. */
const requestSeen = (path: string): Promise<void> =>
  new Promise((resolve) => {
    const handler: Handler = (_req, res) => {
      res.writeHead(200, { "content-length": "1000" })
      res.write("x".repeat(10))
      resolve()
    }
    hostile.route(path, handler)
  })

describe("through the client (NodeHttpTransport, the default)", () => {
  const client = (url: string) =>
    new OtaClient({
      endpoint: url,
      accessKeyId: DEFAULT_CREDENTIALS.accessKeyId,
      accessKeySecret: DEFAULT_CREDENTIALS.accessKeySecret,
      maxAttempts: 3,
      qps: 0,
      logLevel: "none",
      env: {}
    })

  it("a redirect rejects with the HttpError after exactly one request (not retried, not followed)", async () => {
    let served = 0
    hostile.route("/", (_req, res) => {
      served++
      res.writeHead(302, { location: `${other.url}/ok` }).end()
    })
    const before = other.requests()
    const c = client(hostile.url)
    try {
      const error = await rejection(c.listOTATaskByJob({ jobId: "job-1" }))
      expect(error).toMatchObject({ _tag: "HttpError", httpStatus: 302, retryable: false })
    } finally {
      await c.close()
    }
    expect(served).toBe(1)
    expect(other.requests()).toBe(before)
  })

  it("a response over the limit rejects with the HttpError after exactly one request", async () => {
    let served = 0
    hostile.route("/", (_req, res) => {
      served++
      res.writeHead(200, { "content-length": String(DEFAULT_MAX_RESPONSE_BYTES + 1) })
      res.write("{")
    })
    const c = client(hostile.url)
    try {
      const error = await rejection(c.listOTATaskByJob({ jobId: "job-1" }))
      expect(error).toMatchObject({ _tag: "HttpError", retryable: false })
      expect((error as Error).message).toContain("exceeded")
    } finally {
      await c.close()
    }
    expect(served).toBe(1)
  })

  it("lists a job from the emulator, every task once, over one kept-alive connection per page in flight", async () => {
    const emu = await startEmulator({ qps: 0, seed: 3, jobs: [{ jobId: "job-nh", tasks: 250 }] })
    const c = client(emu.url)
    try {
      const ids: Array<string> = []
      for await (const task of c.paginateOTATaskByJob({ jobId: "job-nh" }, { concurrency: 2 }))
        ids.push(task.taskId)
      expect(ids.sort()).toEqual(
        emu
          .tasks("job-nh")
          .map((task) => task.TaskId)
          .sort()
      )
    } finally {
      await c.close()
      await emu.close()
    }
  })
})

// Layer used only to prove the module's public layer builds and releases its agents.
describe("NodeHttpTransport.layer", () => {
  it("builds, sends and releases", async () => {
    const { Transport } = await import("@iot-ota/core/Transport")
    const status = await Effect.runPromise(
      Effect.provide(
        Effect.flatMap(Transport, (transport) => transport.send(request("/ok"))),
        Layer.fresh(NodeHttpTransport.layer)
      ).pipe(Effect.map((response) => response.status))
    )
    expect(status).toBe(200)
  })
})
