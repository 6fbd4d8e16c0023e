/**
 * The engine's policies, each alone over a fake executor or a fake transport:
 * they compose into the client (see OtaClient.test.ts), and each keeps its
 * own promise.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import * as ClientConfig from "../src/ClientConfig.js"
import { ApiError, HttpError, type OtaError, TransportError } from "../src/IotError.js"
import type { RateLimiterService } from "../src/RateLimiter.js"
import * as RetryPolicy from "../src/RetryPolicy.js"
import * as RpcClient from "../src/RpcClient.js"
import { makeHmacSha1 } from "../src/Signer.js"
import { makeWebCrypto, SigningCrypto } from "../src/SigningCrypto.js"
import type { TransportRequest, TransportResponse } from "../src/Transport.js"

const SECRET = "s3cr3t-that-never-leaks"
const request: RpcClient.RpcRequest = { action: "ListOTATaskByJob", params: { JobId: "j" } }
const success: RpcClient.RpcResponse = { body: {}, text: "{}", requestId: "r-1", status: 200 }

const apiError = (code: string, extra: Partial<{ retryAfterMs: number; httpStatus: number }> = {}) =>
  new ApiError({
    code,
    message: code,
    httpStatus: extra.httpStatus ?? 400,
    retryable: code.startsWith("Throttling"),
    ...extra
  })

/** An executor answering from a script, one outcome per call, counting calls and their clock times. */
const scripted = (outcomes: ReadonlyArray<OtaError | "ok">) => {
  const calls: Array<number> = []
  const execute: RpcClient.Execute = () =>
    Effect.flatMap(Clock.currentTimeMillis, (now) => {
      const outcome = outcomes[Math.min(calls.length, outcomes.length - 1)]!
      calls.push(now)
      return outcome === "ok" ? Effect.succeed(success) : Effect.fail(outcome)
    })
  return { execute, calls }
}

const failureOf = <A>(exit: Exit.Exit<A, OtaError>): OtaError => {
  if (Exit.isSuccess(exit) || exit.cause._tag !== "Fail")
    throw new Error(`expected a failure, got ${String(exit)}`)
  return exit.cause.error
}

describe("rateLimited", () => {
  it.effect("sends every attempt through the limiter and tells it which ones the server throttled", () =>
    Effect.gen(function* () {
      const taken: Array<string> = []
      const feedback: Array<boolean> = []
      const limiter: RateLimiterService = {
        take: (send) =>
          Effect.zipRight(
            Effect.sync(() => taken.push("take")),
            send
          ),
        feedback: ({ throttled }) => Effect.sync(() => void feedback.push(throttled))
      }
      const { execute } = scripted([
        "ok",
        apiError("Throttling.User"),
        new HttpError({ httpStatus: 429, excerpt: "", message: "429", retryable: true }),
        apiError("InvalidParameter")
      ])
      const limited = RpcClient.rateLimited(execute, limiter)
      for (let i = 0; i < 4; i++) yield* Effect.exit(limited(request))
      expect(taken).toHaveLength(4)
      expect(feedback).toEqual([false, true, true, false])
    })
  )
})

describe("retrying", () => {
  const policy = RetryPolicy.standard({ maxAttempts: 3 })

  it.effect("waits the server's Retry-After before the next attempt", () =>
    Effect.gen(function* () {
      const quota = yield* RetryPolicy.makeQuota(500)
      const { execute, calls } = scripted([apiError("Throttling.User", { retryAfterMs: 5_000 }), "ok"])
      const fiber = yield* Effect.fork(RpcClient.retrying(execute, policy, quota)(request))
      yield* TestClock.adjust("4999 millis")
      expect(calls).toEqual([0])
      yield* TestClock.adjust("1 millis")
      const response = yield* Fiber.join(fiber)
      expect(calls).toEqual([0, 5_000])
      expect((response as { attempts?: number }).attempts).toBe(2)
    })
  )

  it.effect("does not retry when the server asks for a longer wait than the policy allows", () =>
    Effect.gen(function* () {
      const quota = yield* RetryPolicy.makeQuota(500)
      const { execute, calls } = scripted([apiError("Throttling.User", { retryAfterMs: 60_000 }), "ok"])
      const error = failureOf(yield* Effect.exit(RpcClient.retrying(execute, policy, quota)(request)))
      expect(error).toMatchObject({ _tag: "ApiError", code: "Throttling.User", retryAfterMs: 60_000 })
      expect(calls).toHaveLength(1)
    })
  )

  it.effect("never retries a failure that is not retryable", () =>
    Effect.gen(function* () {
      const quota = yield* RetryPolicy.makeQuota(500)
      const { execute, calls } = scripted([apiError("InvalidParameter"), "ok"])
      yield* Effect.exit(RpcClient.retrying(execute, policy, quota)(request))
      expect(calls).toHaveLength(1)
    })
  )
})

describe("withAttemptEvents", () => {
  it.effect("reports each attempt with its number within the call, its duration and outcome", () =>
    Effect.gen(function* () {
      const quota = yield* RetryPolicy.makeQuota(500)
      const events: Array<RpcClient.AttemptEvent> = []
      const { execute } = scripted([apiError("Throttling.User", { retryAfterMs: 1_000 }), "ok"])
      const slow: RpcClient.Execute = (r) => Effect.zipRight(Effect.sleep("250 millis"), execute(r))
      const observed = RpcClient.retrying(
        RpcClient.withAttemptEvents(slow, (event) => events.push(event)),
        RetryPolicy.standard(),
        quota
      )
      const fiber = yield* Effect.fork(observed(request))
      for (let i = 0; i < 40; i++) yield* TestClock.adjust("50 millis")
      yield* Fiber.join(fiber)
      expect(events.map((e) => [e._tag, e.attempt, e.durationMs])).toEqual([
        ["AttemptFailed", 1, 250],
        ["AttemptSucceeded", 2, 250]
      ])
      expect(events[0]?._tag === "AttemptFailed" && events[0].error._tag).toBe("ApiError")
      expect(events[1]?._tag === "AttemptSucceeded" && events[1].requestId).toBe("r-1")
    })
  )
})

describe("makeExecute (sign, send, classify)", () => {
  const config = (endpoint: string) =>
    Effect.runSync(ClientConfig.make({ endpoint, runtime: "test", qps: 0 }))
  const base = (
    endpoint: string,
    answer: (request: TransportRequest) => Effect.Effect<TransportResponse, OtaError>
  ) =>
    Effect.gen(function* () {
      const sent: Array<TransportRequest> = []
      const signer = yield* Effect.provideService(makeHmacSha1, SigningCrypto, makeWebCrypto())
      const execute = RpcClient.makeExecute({
        config: config(endpoint),
        credentials: {
          source: "the environment (OTA_ACCESS_KEY_ID / OTA_ACCESS_KEY_SECRET)",
          get: Effect.succeed({ accessKeyId: "id", accessKeySecret: Redacted.make(SECRET) })
        },
        transport: {
          send: (transportRequest) => {
            sent.push(transportRequest)
            return answer(transportRequest) as never
          }
        },
        signer,
        nonce: { next: Effect.succeed("nonce-1") },
        clock: yield* Effect.clock
      })
      return { execute, sent }
    })
  const json = (status: number, body: object, headers: Record<string, string> = {}): TransportResponse => ({
    status,
    header: (name) => headers[name],
    body: JSON.stringify(body)
  })

  it.effect("passes the configured response limit and timeout to the transport", () =>
    Effect.gen(function* () {
      const { execute, sent } = yield* base("https://iot.example.test", () =>
        Effect.succeed(json(200, { Total: 0 }))
      )
      yield* execute(request)
      expect(sent[0]).toMatchObject({ method: "GET", timeoutMs: 10_000, maxResponseBytes: 16 * 1024 * 1024 })
      expect(sent[0]?.url).toContain("Signature=")
    })
  )

  it.effect(
    "a rejected signature says which credential source signed it and what to check, never the secret",
    () =>
      Effect.gen(function* () {
        const { execute } = yield* base("https://iot.example.test", () =>
          Effect.succeed(json(400, { Code: "SignatureDoesNotMatch", Message: "no match", RequestId: "r-9" }))
        )
        const error = failureOf(yield* Effect.exit(execute(request)))
        expect(error).toMatchObject({ _tag: "ApiError", code: "SignatureDoesNotMatch", requestId: "r-9" })
        const hint = (error as ApiError).hint ?? ""
        expect(hint).toContain("the environment (OTA_ACCESS_KEY_ID / OTA_ACCESS_KEY_SECRET)")
        expect(hint).toContain("without a stray space or line break")
        expect(JSON.stringify(error) + String(error)).not.toContain(SECRET)
      })
  )

  it.effect("reads Retry-After into the error, in seconds or as a date", () =>
    Effect.gen(function* () {
      let n = 0
      const { execute } = yield* base("https://iot.example.test", () =>
        Effect.succeed(
          n++ === 0
            ? json(503, { Code: "ServiceUnavailable" }, { "retry-after": "7" })
            : json(
                429,
                { Code: "Throttling.User" },
                {
                  "retry-after": "Wed, 21 Oct 2026 07:28:09 GMT",
                  date: "Wed, 21 Oct 2026 07:28:00 GMT"
                }
              )
        )
      )
      expect(failureOf(yield* Effect.exit(execute(request)))).toMatchObject({ retryAfterMs: 7_000 })
      expect(failureOf(yield* Effect.exit(execute(request)))).toMatchObject({ retryAfterMs: 9_000 })
    })
  )

  it.effect("an endpoint given without a scheme is named when TLS fails, with the fix", () =>
    Effect.gen(function* () {
      const { execute } = yield* base("127.0.0.1:18080", () =>
        Effect.fail(
          new TransportError({
            message: "request to 127.0.0.1:18080 failed: ssl3_get_record:wrong version number"
          })
        )
      )
      const error = failureOf(yield* Effect.exit(execute(request)))
      expect(error.message).toContain("taken as https://127.0.0.1:18080")
      expect(error.message).toContain("http://127.0.0.1:18080")
    })
  )
})
