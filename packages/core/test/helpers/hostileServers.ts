/**
 * Hostile HTTP servers (node:http on 127.0.0.1, port 0), and the conformance
 * suite every `TransportService` must pass against them.
 *
 * Each server is started inside a test and closes with it (`onTestFinished`).
 * It counts what it saw (`requests`, `closed` connections, `bodyBytesSent`)
 * and `until(...)` waits for those events: tests wait for what they assert
 * on, never for time. Bodies are streamed with backpressure, never buffered,
 * so an endless body costs the test process nothing.
 *
 * ## For a transport's tests (e.g. the Node transport in `@iot-ota/node`)
 *
 * ```ts
 * // packages/node/test/UndiciTransport.test.ts
 * import { transportConformance } from "../../core/test/helpers/hostileServers.js"
 * import * as UndiciTransport from "../src/UndiciTransport.js"
 *
 * // With the transport's layer (built once for the suite, released after it)...
 * transportConformance("UndiciTransport.layer", UndiciTransport.layer)
 * // ...or a function that makes the transport (the caller closes what it owns in its own afterAll).
 * transportConformance("UndiciTransport.make", () => UndiciTransport.make(agent))
 * ```
 *
 * It registers one `describe` of the cases in {@link CONFORMANCE_CASES};
 * `options.skip` leaves out named cases (say why next to the call). The
 * servers below can be used on their own for transport-specific tests.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { AddressInfo, Socket } from "node:net"
import { gzipSync } from "node:zlib"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import { afterAll, describe, expect, it, onTestFinished } from "vitest"
import type { HttpError, TimeoutError, TransportError } from "../../src/IotError.js"
import {
  DEFAULT_MAX_RESPONSE_BYTES,
  Transport,
  type TransportRequest,
  type TransportResponse,
  type TransportService
} from "../../src/Transport.js"

// ---------------------------------------------------------------------------------------------------------------
// Servers
// ---------------------------------------------------------------------------------------------------------------

/** What a server saw, with a way to wait for it. */
export interface HostileServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string
  /** `127.0.0.1:<port>`: what error messages name. */
  readonly host: string
  /** Requests received (their headers parsed). */
  readonly requests: number
  /** Connections closed, by either side. */
  readonly closed: number
  /** Body bytes handed to the socket (before any content encoding is counted: the bytes on the wire). */
  readonly bodyBytesSent: number
  /** Resolves once `requests` (or `closed`) reaches `count` (default 1). */
  readonly until: (event: "request" | "close", count?: number) => Promise<void>
  readonly close: () => Promise<void>
}

type Handler = (request: IncomingMessage, response: ServerResponse, probe: Probe) => void

class Probe implements HostileServer {
  url = ""
  host = ""
  requests = 0
  closed = 0
  bodyBytesSent = 0
  readonly #server: Server
  #waiters: Array<() => boolean> = []

  constructor(server: Server) {
    this.#server = server
  }

  notify(): void {
    this.#waiters = this.#waiters.filter((check) => !check())
  }

  until(event: "request" | "close", count = 1): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        const reached = (event === "request" ? this.requests : this.closed) >= count
        if (reached) resolve()
        return reached
      }
      if (!check()) this.#waiters.push(check)
    })
  }

  close(): Promise<void> {
    this.#server.closeAllConnections()
    return new Promise((resolve) => this.#server.close(() => resolve()))
  }
}

/**
 * A server on 127.0.0.1 with a handler that receives the probe, closed when
 * the current test finishes. Call it inside a test.
 */
export const hostileServer = async (handler: Handler): Promise<HostileServer> => {
  const server = createServer()
  const probe = new Probe(server)
  server.on("connection", (socket: Socket) => {
    socket.on("close", () => {
      probe.closed++
      probe.notify()
    })
  })
  server.on("request", (request: IncomingMessage, response: ServerResponse) => {
    probe.requests++
    // Body writes past a client's abort fail with EPIPE/ECONNRESET: expected here, not a test failure.
    response.on("error", () => {})
    request.on("error", () => {})
    handler(request, response, probe)
    probe.notify()
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  probe.host = `127.0.0.1:${port}`
  probe.url = `http://${probe.host}`
  onTestFinished(() => probe.close())
  return probe
}

/**
 * Writes `total` bytes made of `chunk`, honouring backpressure, until done or
 * the client goes away; then `after` (default: end the response).
 */
const pump = (
  response: ServerResponse,
  probe: Probe,
  chunk: Uint8Array,
  total: number,
  after: () => void = () => response.end()
): void => {
  let sent = 0
  const write = (): void => {
    while (sent < total) {
      if (response.destroyed) return
      const piece = total - sent >= chunk.length ? chunk : chunk.subarray(0, total - sent)
      sent += piece.length
      probe.bodyBytesSent += piece.length
      if (!response.write(piece)) {
        response.once("drain", write)
        return
      }
    }
    if (!response.destroyed) after()
  }
  write()
}

const X64K = new Uint8Array(64 * 1024).fill(0x78) // "x"

/** 200 with `body`, sent as chunked frames of `chunkSize` bytes (so multi-byte characters straddle chunks). */
export const chunkedBody = (
  body: string | Uint8Array,
  options: { readonly chunkSize?: number; readonly headers?: Record<string, string> } = {}
): Promise<HostileServer> => {
  const bytes = typeof body === "string" ? new TextEncoder().encode(body) : body
  const size = options.chunkSize ?? 16 * 1024
  return hostileServer((_, response, probe) => {
    response.writeHead(200, { "content-type": "application/json", ...options.headers })
    let offset = 0
    const next = (): void => {
      if (response.destroyed) return
      if (offset >= bytes.length) {
        response.end()
        return
      }
      const piece = bytes.subarray(offset, offset + size)
      offset += piece.length
      probe.bodyBytesSent += piece.length
      // One frame per write, the next one after this is flushed.
      response.write(piece, next)
    }
    next()
  })
}

/**
 * 200 with a body of `bytes` bytes of `x`, streamed in 64 KiB chunks;
 * `declareLength` sends an honest `content-length` (else chunked).
 */
export const oversizedBody = (options: {
  readonly bytes: number
  readonly declareLength?: boolean
}): Promise<HostileServer> =>
  hostileServer((_, response, probe) => {
    response.writeHead(200, {
      "content-type": "application/json",
      ...(options.declareLength === true ? { "content-length": String(options.bytes) } : {})
    })
    pump(response, probe, X64K, options.bytes)
  })

/** 200, `content-length` promising more, `sendBytes` of body, then nothing: the socket stays open. */
export const stallingBody = (options: { readonly sendBytes: number }): Promise<HostileServer> =>
  hostileServer((_, response, probe) => {
    response.writeHead(200, {
      "content-type": "application/json",
      "content-length": String(options.sendBytes * 10)
    })
    pump(response, probe, X64K, options.sendBytes, () => {})
  })

/** Reads the request and never answers. */
export const silent = (): Promise<HostileServer> => hostileServer(() => {})

/** 200 with `content-length: declared`, `sendBytes` of body, then the connection closed (FIN). */
export const contentLengthLie = (options: {
  readonly declared: number
  readonly sendBytes: number
}): Promise<HostileServer> =>
  hostileServer((_, response, probe) => {
    response.writeHead(200, {
      "content-type": "application/json",
      "content-length": String(options.declared)
    })
    pump(response, probe, X64K, options.sendBytes, () => response.socket?.destroySoon())
  })

/** 200, `sendBytes` of a longer body, then the connection reset (RST). */
export const resetMidBody = (options: { readonly sendBytes: number }): Promise<HostileServer> =>
  hostileServer((request, response, probe) => {
    response.writeHead(200, {
      "content-type": "application/json",
      "content-length": String(options.sendBytes * 10)
    })
    probe.bodyBytesSent += options.sendBytes
    // Reset once the bytes are handed to the socket.
    response.write(new Uint8Array(options.sendBytes).fill(0x78), () => request.socket.resetAndDestroy())
  })

/** A redirect with the given status and `Location` (none when `undefined`). */
export const redirecting = (options: {
  readonly status: number
  readonly location: string | undefined
}): Promise<HostileServer> =>
  hostileServer((_, response) => {
    response.writeHead(
      options.status,
      options.location === undefined ? {} : { location: options.location, "content-type": "text/plain" }
    )
    response.end("moved")
  })

/** Answers every request with the same JSON: what a redirect target that records its callers looks like. */
export const recordingTarget = (): Promise<HostileServer> =>
  hostileServer((_, response) => {
    response.writeHead(200, { "content-type": "application/json" })
    response.end('{"RequestId":"stolen","Success":true}')
  })

/** gzip members of 16 MiB of zeros each; concatenated members are one valid gzip stream (RFC 1952 §2.2). */
const GZIP_MEMBER_BYTES = 16 * 1024 * 1024
let gzipMember: Buffer | undefined
const bombs = new Map<number, Buffer>()

/**
 * A gzip bomb: `inflatedBytes` (a multiple of 16 MiB) of zeros, about 1/1000
 * of that on the wire, generated once per size and cached.
 */
export const gzipBombBytes = (inflatedBytes: number): Buffer => {
  let bomb = bombs.get(inflatedBytes)
  if (bomb === undefined) {
    gzipMember ??= gzipSync(Buffer.alloc(GZIP_MEMBER_BYTES), { level: 9 })
    const member = gzipMember
    bomb = Buffer.concat(Array.from({ length: Math.ceil(inflatedBytes / GZIP_MEMBER_BYTES) }, () => member))
    bombs.set(inflatedBytes, bomb)
  }
  return bomb
}

/** 200, `content-encoding: gzip`, a body that inflates to `inflatedBytes` (default 1 GiB) of zeros. */
export const gzipBomb = (options: { readonly inflatedBytes?: number } = {}): Promise<HostileServer> => {
  const bomb = gzipBombBytes(options.inflatedBytes ?? 1024 * 1024 * 1024)
  return hostileServer((_, response, probe) => {
    response.writeHead(200, {
      "content-type": "application/json",
      "content-encoding": "gzip",
      "content-length": String(bomb.length)
    })
    pump(response, probe, bomb, bomb.length)
  })
}

// ---------------------------------------------------------------------------------------------------------------
// Conformance suite
// ---------------------------------------------------------------------------------------------------------------

/** What is under test: the transport's layer, or a function that makes it. */
export type TransportUnderTest = Layer.Layer<Transport> | (() => TransportService)

/** Marks what must never appear in an error: the signed query. */
const SIGNED_QUERY = "?Action=ListOTATaskByJob&AccessKeyId=LTAI-not-in-errors&Signature=SIGNED-NOT-IN-ERRORS"

type SendError = TransportError | TimeoutError | HttpError
type Send = (request: TransportRequest) => Promise<Exit.Exit<TransportResponse, SendError>>

interface CaseContext {
  readonly send: Send
  readonly fork: (request: TransportRequest) => Fiber.RuntimeFiber<TransportResponse, SendError>
  readonly interrupt: (fiber: Fiber.RuntimeFiber<TransportResponse, SendError>) => Promise<void>
}

/** A request to `server`, with a signed-looking query that no error may repeat. */
export const requestTo = (
  server: HostileServer,
  overrides: Partial<TransportRequest> = {}
): TransportRequest => ({
  method: "GET",
  url: `${server.url}/${SIGNED_QUERY}`,
  headers: { accept: "application/json", "user-agent": "iot-ota/conformance" },
  timeoutMs: 20_000,
  maxResponseBytes: DEFAULT_MAX_RESPONSE_BYTES,
  ...overrides
})

/** The typed failure of an exit, or a test failure saying what came instead. */
export const failureOf = (exit: Exit.Exit<TransportResponse, SendError>): SendError => {
  if (Exit.isSuccess(exit)) {
    throw new Error(
      `expected a failure, got HTTP ${exit.value.status} with ${exit.value.body.length} characters`
    )
  }
  if (exit.cause._tag !== "Fail") throw new Error(`expected a typed failure, got ${String(exit.cause)}`)
  return exit.cause.error
}

/** The common shape of every error: its tag, retryability, the server's host, and no signed query. */
const expectError = (
  error: SendError,
  expected: { readonly tag: SendError["_tag"]; readonly host: string; readonly retryable: boolean }
): void => {
  expect(error._tag).toBe(expected.tag)
  expect(error.retryable).toBe(expected.retryable)
  expect(error.message).toContain(expected.host)
  expect(error.message).not.toContain("SIGNED-NOT-IN-ERRORS")
  expect(error.message).not.toContain("LTAI-not-in-errors")
}

const LIMIT = 256 * 1024
/** JSON whose characters are 1 to 4 bytes long, so 5-byte frames split some of them. */
const MULTIBYTE = JSON.stringify({ Name: "固件 🚀 é ".repeat(2000), Ascii: "x".repeat(1000) })

const crossOriginRedirect =
  (status: number) =>
  async ({ send }: CaseContext): Promise<void> => {
    const target = await recordingTarget()
    const server = await redirecting({ status, location: `${target.url}/collect${SIGNED_QUERY}` })
    const error = failureOf(await send(requestTo(server)))
    expectError(error, { tag: "HttpError", host: target.host, retryable: false })
    expect(error).toMatchObject({ httpStatus: status })
    expect(error.message).toContain(`HTTP ${status} redirect to ${target.host}`)
    expect(error.message).not.toContain("/collect")
    // A client that followed would have called the target before reporting anything.
    expect(target.requests).toBe(0)
  }

/** The guarantees, one row each: a name, and the test. */
const cases = {
  "returns the status, the headers, and a body decoded across chunk boundaries": async ({ send }) => {
    const server = await chunkedBody(MULTIBYTE, { chunkSize: 5, headers: { "x-request-id": "r-1" } })
    const exit = await send(requestTo(server))
    if (Exit.isFailure(exit)) throw new Error(`expected a response, got ${String(exit.cause)}`)
    expect(exit.value.status).toBe(200)
    expect(exit.value.header("x-request-id")).toBe("r-1")
    expect(exit.value.header("absent")).toBeUndefined()
    expect(exit.value.body).toBe(MULTIBYTE)
  },

  "accepts a body of exactly maxResponseBytes, declared in content-length": async ({ send }) => {
    const server = await oversizedBody({ bytes: LIMIT, declareLength: true })
    const exit = await send(requestTo(server, { maxResponseBytes: LIMIT }))
    if (Exit.isFailure(exit)) throw new Error(`expected a response, got ${String(exit.cause)}`)
    expect(exit.value.body.length).toBe(LIMIT)
  },

  "refuses a chunked body one byte over maxResponseBytes": async ({ send }) => {
    const server = await oversizedBody({ bytes: LIMIT + 1 })
    const error = failureOf(await send(requestTo(server, { maxResponseBytes: LIMIT })))
    expectError(error, { tag: "HttpError", host: server.host, retryable: false })
    expect(error.message).toContain(`exceeded ${LIMIT} bytes`)
  },

  "stops an endless body past maxResponseBytes and closes the connection": async ({ send }) => {
    const offered = 1024 * 1024 * 1024
    const server = await oversizedBody({ bytes: offered })
    const error = failureOf(await send(requestTo(server, { maxResponseBytes: LIMIT })))
    expectError(error, { tag: "HttpError", host: server.host, retryable: false })
    expect(error).toMatchObject({ httpStatus: 200 })
    expect(error.message).toContain(`exceeded ${LIMIT} bytes`)
    await server.until("close")
    // Stopped early: the socket buffers hold a few MiB at most, nowhere near the GiB offered.
    expect(server.bodyBytesSent).toBeLessThan(offered / 4)
  },

  "refuses a content-length over maxResponseBytes before reading the body": async ({ send }) => {
    const offered = 1024 * 1024 * 1024
    const server = await oversizedBody({ bytes: offered, declareLength: true })
    const error = failureOf(await send(requestTo(server, { maxResponseBytes: LIMIT })))
    expectError(error, { tag: "HttpError", host: server.host, retryable: false })
    expect(error.message).toContain(`exceeded ${LIMIT} bytes`)
    await server.until("close")
    expect(server.bodyBytesSent).toBeLessThan(offered / 4)
  },

  "stops a gzip bomb at maxResponseBytes of decoded body, with bounded memory": async ({ send }) => {
    const server = await gzipBomb()
    const rssBefore = process.memoryUsage().rss
    const exit = await send(requestTo(server))
    // maxRSS is the process's peak, in KiB: a GiB inflated anywhere during the call shows here.
    const peakGrowth = process.resourceUsage().maxRSS * 1024 - rssBefore
    if (Exit.isSuccess(exit)) {
      // A transport that does not decode gets the compressed bytes, which fit: never more than the limit.
      expect(exit.value.body.length).toBeLessThanOrEqual(DEFAULT_MAX_RESPONSE_BYTES)
    } else {
      const error = failureOf(exit)
      expectError(error, { tag: "HttpError", host: server.host, retryable: false })
      expect(error.message).toContain(`exceeded ${DEFAULT_MAX_RESPONSE_BYTES} bytes`)
    }
    expect(peakGrowth).toBeLessThan(512 * 1024 * 1024)
  },

  "times out a body that stalls mid-way, and closes the connection": async ({ send }) => {
    const server = await stallingBody({ sendBytes: 1000 })
    const error = failureOf(await send(requestTo(server, { timeoutMs: 1000 })))
    expectError(error, { tag: "TimeoutError", host: server.host, retryable: true })
    expect(error).toMatchObject({ timeoutMs: 1000 })
    await server.until("close")
  },

  "times out a server that never sends headers, and closes the connection": async ({ send }) => {
    const server = await silent()
    const error = failureOf(await send(requestTo(server, { timeoutMs: 500 })))
    expectError(error, { tag: "TimeoutError", host: server.host, retryable: true })
    await server.until("close")
  },

  "fails with a TransportError on a connection reset mid-body": async ({ send }) => {
    const server = await resetMidBody({ sendBytes: 64 * 1024 })
    const error = failureOf(await send(requestTo(server)))
    expectError(error, { tag: "TransportError", host: server.host, retryable: true })
  },

  "fails with a TransportError when the body ends before its content-length": async ({ send }) => {
    const server = await contentLengthLie({ declared: 100_000, sendBytes: 1000 })
    const error = failureOf(await send(requestTo(server)))
    expectError(error, { tag: "TransportError", host: server.host, retryable: true })
  },

  "does not follow a cross-origin 302: an HttpError naming the status and the target host only":
    crossOriginRedirect(302),

  "does not follow a cross-origin 307: an HttpError naming the status and the target host only":
    crossOriginRedirect(307),

  "refuses a redirect without a Location": async ({ send }) => {
    const server = await redirecting({ status: 301, location: undefined })
    const error = failureOf(await send(requestTo(server)))
    expect(error._tag).toBe("HttpError")
    expect(error).toMatchObject({ httpStatus: 301, retryable: false })
    expect(error.message).toContain("HTTP 301 redirect")
  },

  "interrupting the call aborts the request": async ({ fork, interrupt }) => {
    const server = await silent()
    const fiber = fork(requestTo(server, { timeoutMs: 60_000 }))
    await server.until("request")
    await interrupt(fiber)
    await server.until("close")
  }
} satisfies Record<string, (context: CaseContext) => Promise<void>>

/**
 * The name of each guarantee in the suite.
 */
export type ConformanceCase = keyof typeof cases

/** Every case name, for `skip`. */
export const CONFORMANCE_CASES = Object.keys(cases) as ReadonlyArray<ConformanceCase>

/**
 * Registers the conformance suite for a transport: a `describe` with one
 * test per guarantee, against the servers above.
 */
export const transportConformance = (
  name: string,
  makeTransport: TransportUnderTest,
  options: { readonly skip?: ReadonlyArray<ConformanceCase> } = {}
): void => {
  describe(`Transport conformance: ${name}`, () => {
    const layer: Layer.Layer<Transport> =
      typeof makeTransport === "function" ? Layer.sync(Transport, makeTransport) : makeTransport
    const runtime = ManagedRuntime.make(layer)
    afterAll(() => runtime.dispose())
    const sendEffect = (request: TransportRequest) =>
      Effect.flatMap(Transport, (transport) => transport.send(request))
    const context: CaseContext = {
      send: (request) => runtime.runPromiseExit(sendEffect(request)),
      fork: (request) => runtime.runFork(sendEffect(request)),
      interrupt: (fiber) => Effect.runPromise(Effect.asVoid(Fiber.interrupt(fiber)))
    }
    for (const [caseName, run] of Object.entries(cases) as Array<
      [ConformanceCase, (c: CaseContext) => Promise<void>]
    >) {
      if (options.skip?.includes(caseName) === true) it.skip(caseName, () => {})
      else it(caseName, () => run(context))
    }
  })
}
