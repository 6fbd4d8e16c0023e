import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import { DEFAULT_MAX_RESPONSE_BYTES, exchange, makeFetch } from "../src/Transport.js"

let server: Server
let base = ""
let closedRequests = 0
beforeAll(async () => {
  server = createServer((req, res) => {
    req.on("close", () => {
      if (!res.writableEnded) closedRequests++
    })
    if (req.url?.startsWith("/slow")) return // never answers
    res.writeHead(200, {
      "content-type": "application/json",
      date: "Tue, 01 Jan 2030 00:00:00 GMT",
      "x-seen-ua": req.headers["user-agent"] ?? ""
    })
    res.end(JSON.stringify({ path: req.url }))
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

const transport = makeFetch()

describe("Transport.makeFetch", () => {
  it.live("sends the URL as encoded, with the headers, and returns status, headers and body", () =>
    Effect.gen(function* () {
      const response = yield* transport.send({
        method: "GET",
        url: `${base}/?JobId=a%2Ab&Name=x%20y`,
        headers: { "user-agent": "iot-ota/test" },
        timeoutMs: 5000,
        maxResponseBytes: DEFAULT_MAX_RESPONSE_BYTES
      })
      expect(response.status).toBe(200)
      expect(JSON.parse(response.body)).toEqual({ path: "/?JobId=a%2Ab&Name=x%20y" })
      expect(response.header("date")).toBe("Tue, 01 Jan 2030 00:00:00 GMT")
      expect(response.header("x-seen-ua")).toBe("iot-ota/test")
      expect(response.header("absent")).toBeUndefined()
    })
  )

  it.live("fails with a TimeoutError when the deadline passes, and aborts the request", () =>
    Effect.gen(function* () {
      const exit = yield* Effect.exit(
        transport.send({
          method: "GET",
          url: `${base}/slow`,
          headers: {},
          timeoutMs: 100,
          maxResponseBytes: DEFAULT_MAX_RESPONSE_BYTES
        })
      )
      expect(Exit.isFailure(exit) && exit.cause._tag === "Fail" && exit.cause.error).toMatchObject({
        _tag: "TimeoutError",
        timeoutMs: 100
      })
    })
  )

  it.live("fails with a TransportError naming the host but not the URL", () =>
    Effect.gen(function* () {
      const exit = yield* Effect.exit(
        transport.send({
          method: "GET",
          url: "http://127.0.0.1:1/?Signature=abc",
          headers: {},
          timeoutMs: 5000,
          maxResponseBytes: DEFAULT_MAX_RESPONSE_BYTES
        })
      )
      const error = Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error : undefined
      expect(error?._tag).toBe("TransportError")
      expect(error?.message).toContain("127.0.0.1:1")
      expect(error?.message).not.toContain("Signature")
    })
  )

  it.live("interrupting the effect aborts the request", () =>
    Effect.gen(function* () {
      const before = closedRequests
      const fiber = yield* Effect.fork(
        transport.send({
          method: "GET",
          url: `${base}/slow/2`,
          headers: {},
          timeoutMs: 60_000,
          maxResponseBytes: DEFAULT_MAX_RESPONSE_BYTES
        })
      )
      yield* Effect.sleep("100 millis")
      yield* Fiber.interrupt(fiber)
      for (let i = 0; i < 100 && closedRequests === before; i++) yield* Effect.sleep("10 millis")
      expect(closedRequests).toBe(before + 1)
    })
  )

  it.live("calls an injected fetch", () =>
    Effect.gen(function* () {
      const seen: Array<string> = []
      const custom = makeFetch(async (input) => {
        seen.push(String(input))
        return new Response("{}", { status: 503 })
      })
      const response = yield* custom.send({
        method: "GET",
        url: "https://example.test/?a=1",
        headers: {},
        timeoutMs: 1000,
        maxResponseBytes: DEFAULT_MAX_RESPONSE_BYTES
      })
      expect(response.status).toBe(503)
      expect(seen).toEqual(["https://example.test/?a=1"])
    })
  )
})

describe("Transport.exchange", () => {
  it.effect("succeeds or fails with the first outcome; later ones are ignored and nothing is stopped", () =>
    Effect.gen(function* () {
      let stops = 0
      const settledTwice = exchange<string, string>((settle) => {
        queueMicrotask(() => {
          settle(Effect.succeed("first"))
          settle(Effect.fail("second"))
        })
        return () => stops++
      })
      expect(yield* settledTwice).toBe("first")
      const failed = exchange<string, string>((settle) => {
        queueMicrotask(() => settle(Effect.fail("refused")))
        return () => stops++
      })
      expect(yield* Effect.flip(failed)).toBe("refused")
      expect(stops).toBe(0)
    })
  )

  it.effect("takes an outcome given while starting", () =>
    Effect.gen(function* () {
      let stops = 0
      const immediate = exchange<number, never>((settle) => {
        settle(Effect.succeed(7))
        return () => stops++
      })
      expect(yield* immediate).toBe(7)
      expect(stops).toBe(0)
    })
  )

  it.effect("interruption stops a pending exchange once and drops its later outcome", () =>
    Effect.gen(function* () {
      let stops = 0
      let settleLater: ((outcome: Effect.Effect<string>) => void) | undefined
      const pending = exchange<string, never>((settle) => {
        settleLater = settle
        return () => stops++
      })
      const fiber = yield* Effect.fork(pending)
      yield* Effect.yieldNow()
      expect(settleLater).toBeDefined()
      const exit = yield* Fiber.interrupt(fiber)
      expect(Exit.isInterrupted(exit)).toBe(true)
      expect(stops).toBe(1)
      settleLater?.(Effect.succeed("too late"))
      expect(stops).toBe(1)
    })
  )

  it.effect("is not started when interrupted before it begins", () =>
    Effect.gen(function* () {
      let starts = 0
      const never = exchange<string, never>(() => {
        starts++
        return () => {}
      })
      const exit = yield* Effect.exit(Effect.zipRight(Effect.interrupt, never))
      expect(Exit.isInterrupted(exit)).toBe(true)
      expect(starts).toBe(0)
    })
  )

  it.effect("runs afresh each time the effect runs", () =>
    Effect.gen(function* () {
      let starts = 0
      const counted = exchange<number, never>((settle) => {
        starts++
        settle(Effect.succeed(starts))
        return () => {}
      })
      expect(yield* Effect.all([counted, counted, counted])).toEqual([1, 2, 3])
    })
  )
})
