import { describe, expect, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Random from "effect/Random"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as Tracer from "effect/Tracer"
import type { OtaError } from "../src/IotError.js"
import { OtaClient } from "../src/OtaClient.js"
import type { OtaTask } from "../src/operations/ListOTATaskByJob.js"
import * as RetryPolicy from "../src/RetryPolicy.js"
import { clientLayer, type FakeResponse, fakeHttp, makeTasks, pageOf, SECRET } from "./helpers.js"

const ok =
  (tasks = makeTasks(3)) =>
  (request: { params: Record<string, string> }) =>
    Effect.succeed<FakeResponse>({ body: pageOf(tasks, request.params) })

const apiError = (code: string, status: number, extra: object = {}): FakeResponse => ({
  status,
  body: { RequestId: `rid-${code}`, Code: code, Message: `message for ${code}`, ...extra }
})

/** Runs `effect` while letting virtual time pass, so backoffs elapse. */
const withTime = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function* () {
    const fiber = yield* Effect.fork(effect)
    for (let i = 0; i < 50; i++) yield* TestClock.adjust("1 second")
    return yield* Fiber.join(fiber)
  })

/** Lets real I/O (response bodies are read through promises) settle until `condition` holds, for up to 10 s. */
const eventually = (condition: () => boolean) =>
  Effect.gen(function* () {
    const deadline = Date.now() + 10_000
    while (!condition() && Date.now() < deadline) {
      yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 2)))
    }
    expect(condition()).toBe(true)
  })

const _decodedTask: OtaTask = {
  taskId: "",
  jobId: "job-1",
  iotId: "iot",
  deviceName: "dev",
  productKey: "pk",
  firmwareId: "fw",
  destVersion: "2.0.0",
  taskStatus: "QUEUED"
}

/** A tracer that makes native spans and keeps each one's name and attributes. */
const recordingTracer = () => {
  const spans: Array<{ name: string; attributes: Map<string, unknown> }> = []
  const tracer = Tracer.make({
    span: (name, parent, context, links, startTime, kind) => {
      const span = Effect.runSync(
        Effect.map(Effect.tracer, (t) =>
          t.span(name, parent, context, links, startTime, kind, undefined as never)
        )
      )
      spans.push({ name, attributes: span.attributes as Map<string, unknown> })
      return span
    },
    context: (f) => f()
  })
  return { tracer, spans }
}

const failureOf = <A>(exit: Exit.Exit<A, OtaError>): OtaError => {
  if (Exit.isSuccess(exit)) throw new Error("expected a failure")
  const failure = exit.cause._tag === "Fail" ? exit.cause.error : undefined
  if (failure === undefined) throw new Error(`expected a typed failure, got ${String(exit.cause)}`)
  return failure
}

describe("OtaClient.listOTATaskByJob", () => {
  it.effect("signs a GET with the common parameters and decodes the page", () => {
    const http = fakeHttp(ok())
    return Effect.gen(function* () {
      const client = yield* OtaClient
      const page = yield* client.listOTATaskByJob({
        jobId: "job-1",
        pageSize: 2,
        taskStatus: "FAILED",
        deviceNames: ["a", "b"]
      })
      expect(page.tasks.map((t) => t.taskId)).toEqual(["task-000000", "task-000001"])
      expect(page).toMatchObject({ total: 3, pageSize: 2, currentPage: 1, pageCount: 2, requestId: "req-1" })
      const [request] = http.requests
      expect(request?.url.origin).toBe("https://iot.example.test")
      expect(request?.params).toMatchObject({
        Action: "ListOTATaskByJob",
        Version: "2018-01-20",
        Format: "JSON",
        AccessKeyId: "test-id",
        SignatureMethod: "HMAC-SHA1",
        SignatureVersion: "1.0",
        JobId: "job-1",
        PageSize: "2",
        CurrentPage: "1",
        TaskStatus: "FAILED",
        "DeviceNames.1": "a",
        "DeviceNames.2": "b"
      })
      expect(request?.params.Signature).toMatch(/^[A-Za-z0-9+/]{27}=$/)
      expect(request?.params.Timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/)
      expect(request?.headers["user-agent"]).toMatch(/^iot-ota\/\d+\.\d+\.\d+.* \(test\)$/)
      expect(JSON.stringify(http.requests)).not.toContain(SECRET)
    }).pipe(Effect.provide(clientLayer(http.layer)))
  })

  it.effect("sends RegionId, the configured version and the client's iotInstanceId", () => {
    const http = fakeHttp(ok())
    return Effect.gen(function* () {
      const client = yield* OtaClient
      yield* client.listOTATaskByJob({ jobId: "job-1" })
      yield* client.listOTATaskByJob({ jobId: "job-1", iotInstanceId: "iot-own" })
      expect(http.requests[0]?.params).toMatchObject({
        RegionId: "cn-shanghai",
        Version: "2022-01-01",
        IotInstanceId: "iot-default"
      })
      expect(http.requests[1]?.params.IotInstanceId).toBe("iot-own")
    }).pipe(
      Effect.provide(
        clientLayer(http.layer, {
          regionId: "cn-shanghai",
          apiVersion: "2022-01-01",
          iotInstanceId: "iot-default"
        })
      )
    )
  })

  it.effect("rejects invalid input before any request", () => {
    const http = fakeHttp(ok())
    return Effect.gen(function* () {
      const client = yield* OtaClient
      const error = failureOf(yield* Effect.exit(client.listOTATaskByJob({ jobId: "job-1", pageSize: 101 })))
      expect(error._tag).toBe("ValidationError")
      expect(error.message).toBe("pageSize must be an integer from 1 to 100, got 101")
      expect(http.requests).toHaveLength(0)
    }).pipe(Effect.provide(clientLayer(http.layer)))
  })

  it.effect("a non-retryable API error returns after exactly one request, with code and requestId", () => {
    const http = fakeHttp(() => Effect.succeed(apiError("iot.ota.JobNotFound", 200, { Success: false })))
    return Effect.gen(function* () {
      const client = yield* OtaClient
      const error = failureOf(yield* Effect.exit(client.listOTATaskByJob({ jobId: "nope" })))
      expect(error).toMatchObject({
        _tag: "ApiError",
        code: "iot.ota.JobNotFound",
        message: "message for iot.ota.JobNotFound",
        requestId: "rid-iot.ota.JobNotFound",
        httpStatus: 200,
        retryable: false
      })
      expect(http.requests).toHaveLength(1)
    }).pipe(Effect.provide(clientLayer(http.layer)))
  })

  it.effect("reads Success: false with ErrorMessage (the IoT business error shape)", () => {
    const http = fakeHttp(() =>
      Effect.succeed({
        body: {
          RequestId: "r",
          Success: false,
          Code: "iot.common.InvalidPageParams",
          ErrorMessage: "bad page"
        }
      })
    )
    return Effect.gen(function* () {
      const error = failureOf(
        yield* Effect.exit(Effect.flatMap(OtaClient, (c) => c.listOTATaskByJob({ jobId: "j" })))
      )
      expect(error).toMatchObject({
        _tag: "ApiError",
        code: "iot.common.InvalidPageParams",
        message: "bad page"
      })
    }).pipe(Effect.provide(clientLayer(http.layer)))
  })

  for (const [name, fault, tag] of [
    ["503 ServiceUnavailable", apiError("ServiceUnavailable", 503), "ApiError"],
    ["500 InternalError", apiError("InternalError", 500), "ApiError"],
    ["throttling", apiError("Throttling.User", 400), "ApiError"],
    [
      "system exception (any case)",
      apiError("Iot.system.SystemException", 200, { Success: false }),
      "ApiError"
    ],
    [
      "an HTML 502 from a proxy",
      {
        status: 502,
        body: "<html><body>Bad Gateway</body></html>",
        headers: { "content-type": "text/html" }
      },
      "HttpError"
    ],
    ["a 429 without a body", { status: 429, body: "" }, "HttpError"],
    [
      "truncated JSON on 200",
      { status: 200, body: '{"RequestId":"x","Total":3,"Data":{"Simple' },
      "DecodeError"
    ]
  ] as const) {
    it.effect(`retries ${name} and succeeds with a fresh nonce and signature`, () => {
      const tasks = makeTasks(3)
      const http = fakeHttp((request, index) =>
        Effect.succeed(index === 0 ? fault : { body: pageOf(tasks, request.params) })
      )
      return Effect.gen(function* () {
        const page = yield* withTime(Effect.flatMap(OtaClient, (c) => c.listOTATaskByJob({ jobId: "j" })))
        expect(page.total).toBe(3)
        expect(http.requests).toHaveLength(2)
        const [first, second] = http.requests
        expect(first?.params.SignatureNonce).not.toBe(second?.params.SignatureNonce)
        expect(first?.params.Signature).not.toBe(second?.params.Signature)
      }).pipe(Effect.provide(clientLayer(http.layer)))
    })

    it.effect(`gives up on ${name} after maxAttempts with a typed ${tag}`, () => {
      const http = fakeHttp(() => Effect.succeed(fault))
      return Effect.gen(function* () {
        const error = failureOf(
          yield* withTime(Effect.exit(Effect.flatMap(OtaClient, (c) => c.listOTATaskByJob({ jobId: "j" }))))
        )
        expect(error._tag).toBe(tag)
        expect(error.retryable).toBe(true)
        expect(http.requests).toHaveLength(3)
      }).pipe(Effect.provide(clientLayer(http.layer)))
    })
  }

  it.effect("JSON of the wrong shape is a DecodeError that is not retried", () => {
    const http = fakeHttp(() => Effect.succeed({ body: { RequestId: "r", Total: "lots" } }))
    return Effect.gen(function* () {
      const error = failureOf(
        yield* Effect.exit(Effect.flatMap(OtaClient, (c) => c.listOTATaskByJob({ jobId: "j" })))
      )
      expect(error).toMatchObject({ _tag: "DecodeError", retryable: false, requestId: "r", httpStatus: 200 })
      expect(error.message).toBe(
        'the ListOTATaskByJob response is not the documented shape: total: expected a non-negative integer, got "lots"'
      )
      expect(http.requests).toHaveLength(1)
    }).pipe(Effect.provide(clientLayer(http.layer)))
  })

  it.effect("a transport failure is a TransportError, retried", () => {
    const http = fakeHttp(() => Effect.succeed("transport-error" as const))
    return Effect.gen(function* () {
      const error = failureOf(
        yield* withTime(Effect.exit(Effect.flatMap(OtaClient, (c) => c.listOTATaskByJob({ jobId: "j" }))))
      )
      expect(error._tag).toBe("TransportError")
      expect(error.message).toContain("ECONNREFUSED")
      expect(error.message).not.toContain("Signature")
      expect(http.requests).toHaveLength(3)
    }).pipe(Effect.provide(clientLayer(http.layer)))
  })

  it.effect("an attempt that hangs times out with a TimeoutError, then is retried", () => {
    const tasks = makeTasks(1)
    const http = fakeHttp((request, index) =>
      index === 0 ? Effect.never : Effect.succeed({ body: pageOf(tasks, request.params) })
    )
    return Effect.gen(function* () {
      const fiber = yield* Effect.fork(Effect.flatMap(OtaClient, (c) => c.listOTATaskByJob({ jobId: "j" })))
      yield* http.untilRequests(1)
      yield* TestClock.adjust("999 millis")
      expect(http.requests).toHaveLength(1) // not timed out yet
      yield* TestClock.adjust("1 millis") // the timeout; the retry's backoff is at most 100 ms
      yield* TestClock.adjust("100 millis")
      yield* http.untilRequests(2)
      const page = yield* Fiber.join(fiber)
      expect(page.total).toBe(1)
      expect(http.requests).toHaveLength(2)
    }).pipe(Effect.provide(clientLayer(http.layer, { timeoutMs: 1000 })))
  })

  it.effect("times out every attempt and reports the timeout", () => {
    const http = fakeHttp(() => Effect.never)
    return Effect.gen(function* () {
      const error = failureOf(
        yield* withTime(Effect.exit(Effect.flatMap(OtaClient, (c) => c.listOTATaskByJob({ jobId: "j" }))))
      )
      expect(error).toMatchObject({ _tag: "TimeoutError", timeoutMs: 500 })
      expect(http.requests).toHaveLength(3)
    }).pipe(Effect.provide(clientLayer(http.layer, { timeoutMs: 500 })))
  })

  it.effect(
    "waits a full-jitter backoff before retrying: up to 100 ms, then 200 ms (with a 500 ms throttling base, 2 s and 4 s at the third and fourth retries when throttled)",
    () => {
      const tasks = makeTasks(1)
      const http = fakeHttp((request, index) =>
        Effect.succeed(
          index < 2
            ? apiError("ServiceUnavailable", 503)
            : index < 4
              ? apiError("Throttling.User", 400)
              : { body: pageOf(tasks, request.params) }
        )
      )
      return Effect.gen(function* () {
        const client = yield* OtaClient
        // The highest jitter draw: every wait is the full ceiling.
        const fiber = yield* Effect.fork(
          client.listOTATaskByJob({ jobId: "j" }).pipe(
            // The standard throttling base is 1 s; 500 keeps every backoff below the 10 s attempt deadline.
            RetryPolicy.withRetryPolicy(RetryPolicy.standard({ maxAttempts: 5, throttlingBaseDelayMs: 500 })),
            Effect.withRandom(Random.fixed([0.9999]))
          )
        )
        // Signing awaits real WebCrypto promises, which virtual time does not cover: let each
        // attempt reach the wire, and the next backoff be scheduled, before moving the clock.
        // (The 10 s per-attempt deadline is also a pending sleep: only a wake-up within 5 s is a backoff.)
        const backoffScheduled = Effect.gen(function* () {
          const isBackoff = (now: number) => (wake: number) => wake - now <= 5000
          for (let i = 0; i < 5000; i++) {
            const now = yield* TestClock.currentTimeMillis
            if (Chunk.some(yield* TestClock.sleeps(), isBackoff(now))) return
            yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 1)))
          }
        })
        const expectRequestsAfter = function* (millis: number, count: number) {
          yield* backoffScheduled
          yield* TestClock.adjust(`${millis - 1} millis`)
          expect(http.requests).toHaveLength(count - 1)
          yield* TestClock.adjust("1 millis")
          yield* eventually(() => http.requests.length === count)
        }
        yield* eventually(() => http.requests.length === 1)
        yield* expectRequestsAfter(100, 2)
        yield* expectRequestsAfter(200, 3)
        yield* expectRequestsAfter(2000, 4) // throttled: 500 ms × 2^2
        yield* expectRequestsAfter(4000, 5) // throttled: 500 ms × 2^3
        expect((yield* Fiber.join(fiber)).total).toBe(1)
      }).pipe(Effect.provide(clientLayer(http.layer)))
    }
  )

  it.effect(
    "the lowest jitter draw: a throttled call still waits half its bound (500 ms of the standard 1 s)",
    () => {
      const tasks = makeTasks(1)
      const http = fakeHttp((request, index) =>
        Effect.succeed(index < 1 ? apiError("Throttling.User", 400) : { body: pageOf(tasks, request.params) })
      )
      return Effect.gen(function* () {
        const fiber = yield* Effect.fork(
          Effect.flatMap(OtaClient, (c) => c.listOTATaskByJob({ jobId: "j" })).pipe(
            Effect.withRandom(Random.fixed([0]))
          )
        )
        yield* eventually(() => http.requests.length === 1)
        // The backoff is scheduled once the throttled answer is read (a real promise): wait for it, not for time.
        for (let i = 0; i < 5000; i++) {
          const now = yield* TestClock.currentTimeMillis
          if (Chunk.some(yield* TestClock.sleeps(), (wake) => wake - now <= 5000)) break
          yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 1)))
        }
        yield* TestClock.adjust("499 millis")
        expect(http.requests).toHaveLength(1)
        yield* TestClock.adjust("1 millis")
        yield* eventually(() => http.requests.length === 2)
        expect((yield* Fiber.join(fiber)).total).toBe(1)
      }).pipe(Effect.provide(clientLayer(http.layer)))
    }
  )

  it.effect("the lowest jitter draw retries other failures at once", () => {
    const tasks = makeTasks(1)
    const http = fakeHttp((request, index) =>
      Effect.succeed(
        index < 2 ? apiError("ServiceUnavailable", 503) : { body: pageOf(tasks, request.params) }
      )
    )
    return Effect.gen(function* () {
      const page = yield* Effect.flatMap(OtaClient, (c) => c.listOTATaskByJob({ jobId: "j" })).pipe(
        Effect.withRandom(Random.fixed([0]))
      )
      expect(page.total).toBe(1)
      expect(http.requests).toHaveLength(3)
    }).pipe(Effect.provide(clientLayer(http.layer)))
  })

  it.effect("honours a per-call retry policy", () => {
    const http = fakeHttp(() => Effect.succeed(apiError("ServiceUnavailable", 503)))
    return Effect.gen(function* () {
      const client = yield* OtaClient
      yield* Effect.exit(
        client.listOTATaskByJob({ jobId: "j" }).pipe(RetryPolicy.withRetryPolicy(RetryPolicy.none))
      )
      expect(http.requests).toHaveLength(1)
      yield* withTime(
        Effect.exit(
          client
            .listOTATaskByJob({ jobId: "j" })
            .pipe(RetryPolicy.withRetryPolicy(RetryPolicy.standard({ maxAttempts: 5 })))
        )
      )
      expect(http.requests).toHaveLength(6)
    }).pipe(Effect.provide(clientLayer(http.layer)))
  })

  it.effect("the retry quota stops retries during an outage and refills on success", () => {
    let outage = true
    const tasks = makeTasks(1)
    const http = fakeHttp((request) =>
      Effect.succeed(outage ? apiError("ServiceUnavailable", 503) : { body: pageOf(tasks, request.params) })
    )
    const policy = RetryPolicy.standard({ maxAttempts: 3, quotaCapacity: 20, retryCost: 5 })
    return Effect.gen(function* () {
      const client = yield* OtaClient
      for (let i = 0; i < 4; i++) yield* withTime(Effect.exit(client.listOTATaskByJob({ jobId: "j" })))
      // 20 tokens pay for 4 retries: calls 1-2 retried twice each, calls 3-4 not at all.
      expect(http.requests).toHaveLength(3 + 3 + 1 + 1)
      outage = false
      for (let i = 0; i < 5; i++) yield* client.listOTATaskByJob({ jobId: "j" })
      outage = true
      const before = http.requests.length
      yield* withTime(Effect.exit(client.listOTATaskByJob({ jobId: "j" })))
      expect(http.requests.length - before).toBe(2) // 5 successes refilled one retry's worth
      // The client-wide policy (and its quota) comes from the RetryPolicy service present when the client is built.
    }).pipe(Effect.provide(clientLayer(http.layer)), Effect.provideService(RetryPolicy.RetryPolicy, policy))
  })

  it.effect("corrects its clock from the server's Date header once after InvalidTimeStamp.Expired", () => {
    const tasks = makeTasks(1)
    const serverNow = Date.UTC(2030, 0, 1, 12, 0, 0)
    const http = fakeHttp((request, index) =>
      Effect.succeed(
        index === 0
          ? {
              ...apiError("InvalidTimeStamp.Expired", 400),
              headers: { date: new Date(serverNow).toUTCString() }
            }
          : { body: pageOf(tasks, request.params) }
      )
    )
    return Effect.gen(function* () {
      const client = yield* OtaClient
      yield* client.listOTATaskByJob({ jobId: "j" })
      expect(http.requests).toHaveLength(2)
      expect(http.requests[1]?.params.Timestamp).toBe("2030-01-01T12:00:00Z")
      yield* client.listOTATaskByJob({ jobId: "j" })
      expect(http.requests[2]?.params.Timestamp).toBe("2030-01-01T12:00:00Z") // the offset is kept
    }).pipe(Effect.provide(clientLayer(http.layer, { maxAttempts: 1 })))
  })

  it.effect("does not retry an expired timestamp without a Date header", () => {
    const http = fakeHttp(() => Effect.succeed(apiError("InvalidTimeStamp.Expired", 400)))
    return Effect.gen(function* () {
      const error = failureOf(
        yield* Effect.exit(Effect.flatMap(OtaClient, (c) => c.listOTATaskByJob({ jobId: "j" })))
      )
      expect(error).toMatchObject({ _tag: "ApiError", code: "InvalidTimeStamp.Expired", retryable: false })
      expect(http.requests).toHaveLength(1)
    }).pipe(Effect.provide(clientLayer(http.layer)))
  })

  it.effect("spaces all calls of one client at qps", () => {
    const http = fakeHttp(ok())
    return Effect.gen(function* () {
      const client = yield* OtaClient
      const fiber = yield* Effect.fork(
        Effect.all(
          Array.from({ length: 10 }, () => client.listOTATaskByJob({ jobId: "j" })),
          { concurrency: "unbounded" }
        )
      )
      yield* http.untilRequests(1)
      expect(http.requests).toHaveLength(1) // no burst: the rest wait for the clock
      // One every (1,000 + 25) / 4 = 256.25 ms, each spaced from the one before it leaving. Step the clock one
      // interval at a time and wait for that request to arrive: it is signed with real WebCrypto promises, which
      // a single big step of virtual time would outrun (the next one would then be spaced from a late send).
      for (let n = 2; n <= 4; n++) {
        yield* TestClock.adjust("257 millis")
        yield* http.untilRequests(n)
      }
      expect(http.requests).toHaveLength(4) // at 771 ms: the fifth is due at 1,025
      for (let n = 5; n <= 10; n++) {
        yield* TestClock.adjust("257 millis")
        yield* http.untilRequests(n)
      }
      yield* Fiber.join(fiber)
      expect(http.requests).toHaveLength(10)
    }).pipe(Effect.provide(clientLayer(http.layer, { qps: 4 })))
  })

  it.effect(
    "runs each call in an ota.ListOTATaskByJob span with its request fields, attempts and requestId",
    () => {
      const { tracer: native, spans } = recordingTracer()
      const tasks = makeTasks(1)
      const http = fakeHttp((request, index) =>
        Effect.succeed(
          index === 0 ? apiError("ServiceUnavailable", 503) : { body: pageOf(tasks, request.params) }
        )
      )
      return Effect.gen(function* () {
        yield* withTime(
          Effect.flatMap(OtaClient, (c) => c.listOTATaskByJob({ jobId: "job-9", currentPage: 1 }))
        )
        const span = spans.find((s) => s.name === "ota.ListOTATaskByJob")
        expect(span).toBeDefined()
        expect(Object.fromEntries(span!.attributes)).toMatchObject({
          "rpc.method": "ListOTATaskByJob",
          "ota.jobId": "job-9",
          "ota.currentPage": 1,
          "ota.pageSize": 10,
          "ota.attempts": 2,
          "ota.requestId": "req-1"
        })
      }).pipe(Effect.provide(clientLayer(http.layer)), Effect.withTracer(native))
    }
  )

  it.effect("with tracing disabled, a call makes no span and returns the same page", () => {
    const { tracer: recording, spans } = recordingTracer()
    const names = () => spans.map((span) => span.name)
    const tasks = makeTasks(2)
    const http = fakeHttp((request, index) =>
      Effect.succeed(
        index === 0 ? apiError("ServiceUnavailable", 503) : { body: pageOf(tasks, request.params) }
      )
    )
    return Effect.gen(function* () {
      const page = yield* withTime(
        Effect.flatMap(OtaClient, (c) => c.listOTATaskByJob({ jobId: "job-1" })).pipe(
          Effect.withTracerEnabled(false)
        )
      )
      expect(page.tasks.map((t) => t.taskId)).toEqual(tasks.map((t) => t.TaskId))
      expect(http.requests).toHaveLength(2)
      expect(names()).toEqual([])
      // The same client traces again once tracing is on.
      yield* Effect.flatMap(OtaClient, (c) => c.listOTATaskByJob({ jobId: "job-1" }))
      expect(names()).toContain("ota.ListOTATaskByJob")
    }).pipe(Effect.provide(clientLayer(http.layer)), Effect.withTracer(recording))
  })

  it.effect("never puts the secret in an error's message, stack or JSON", () => {
    const faults: ReadonlyArray<FakeResponse | "transport-error"> = [
      apiError("SignatureDoesNotMatch", 400, {
        Message:
          "Specified signature is not matched with our calculation. server string to sign is:GET&%2F&AccessKeyId%3Dtest-id"
      }),
      { status: 502, body: "<html>bad gateway</html>" },
      { body: "{" },
      { body: { Total: "x" } },
      "transport-error"
    ]
    let n = 0
    const http = fakeHttp(() => Effect.succeed(faults[n++ % faults.length]!))
    return Effect.gen(function* () {
      const client = yield* OtaClient
      for (let i = 0; i < faults.length; i++) {
        const error = failureOf(
          yield* Effect.exit(
            client.listOTATaskByJob({ jobId: "j" }).pipe(RetryPolicy.withRetryPolicy(RetryPolicy.none))
          )
        )
        for (const text of [error.message, error.stack ?? "", JSON.stringify(error), String(error)]) {
          expect(text).not.toContain(SECRET)
        }
      }
    }).pipe(Effect.provide(clientLayer(http.layer)))
  })
})

describe("OtaClient.streamOTATaskByJob", () => {
  const serveJob = (tasks: ReadonlyArray<object>) =>
    fakeHttp((request) => Effect.succeed({ body: pageOf(tasks, request.params) }))

  for (const concurrency of [1, 4]) {
    it.effect(`delivers every task once, in order, at concurrency ${concurrency}`, () => {
      const tasks = makeTasks(1234)
      const http = serveJob(tasks)
      return Effect.gen(function* () {
        const client = yield* OtaClient
        const got = Chunk.toReadonlyArray(
          yield* Stream.runCollect(client.streamOTATaskByJob({ jobId: "job-1" }, { concurrency }))
        )
        expect(got.map((t) => t.taskId)).toEqual(tasks.map((t) => t.TaskId))
        expect(http.requests.map((r) => r.params.PageSize)).toEqual(Array(13).fill("100"))
        expect(new Set(http.requests.map((r) => r.params.CurrentPage)).size).toBe(13)
      }).pipe(Effect.provide(clientLayer(http.layer)))
    })
  }

  it.effect("delivers every task once when pages fail and are retried", () => {
    const tasks = makeTasks(950)
    const http = fakeHttp((request, index) =>
      Effect.succeed(
        index % 3 === 1 ? apiError("ServiceUnavailable", 503) : { body: pageOf(tasks, request.params) }
      )
    )
    return Effect.gen(function* () {
      const client = yield* OtaClient
      const got = yield* withTime(
        Stream.runCollect(client.streamOTATaskByJob({ jobId: "job-1", pageSize: 50 }, { concurrency: 4 }))
      )
      expect(Chunk.toReadonlyArray(got).map((t) => t.taskId)).toEqual(tasks.map((t) => t.TaskId))
    }).pipe(Effect.provide(clientLayer(http.layer)))
  })

  it.effect("fails with a PaginationError when tasks are added while paging", () => {
    const tasks = makeTasks(30)
    let shifted = false
    const http = fakeHttp((request) => {
      // After page 1, two tasks are inserted at the front: the total moves, page 2 repeats the end of page 1.
      const current = shifted
        ? [...makeTasks(2, "job-1").map((t, i) => ({ ...t, TaskId: `new-${i}` })), ...tasks]
        : tasks
      shifted = true
      return Effect.succeed({ body: pageOf(current, request.params) })
    })
    return Effect.gen(function* () {
      const client = yield* OtaClient
      const delivered: Array<string> = []
      const error = failureOf(
        yield* Effect.exit(
          Stream.runForEach(
            client.streamOTATaskByJob({ jobId: "job-1", pageSize: 10 }, { concurrency: 1 }),
            (t) => Effect.sync(() => delivered.push(t.taskId))
          )
        )
      )
      expect(error).toMatchObject({
        _tag: "PaginationError",
        reason: "TotalChanged",
        page: 2,
        delivered: 10,
        total: 30
      })
      expect(delivered).toEqual(tasks.slice(0, 10).map((t) => t.TaskId))
    }).pipe(Effect.provide(clientLayer(http.layer)))
  })

  it.effect(
    "remembers every delivered task for the whole listing: a repeat long after is still caught",
    () => {
      const tasks = makeTasks(100)
      // Page 8 serves page 1's tasks again (same total, echoing page 8).
      const http = fakeHttp((request) =>
        Effect.succeed({
          body:
            request.params.CurrentPage === "8"
              ? { ...pageOf(tasks, { ...request.params, CurrentPage: "1" }), CurrentPage: 8 }
              : pageOf(tasks, request.params)
        })
      )
      return Effect.gen(function* () {
        const client = yield* OtaClient
        const error = failureOf(
          yield* Effect.exit(
            Stream.runDrain(client.streamOTATaskByJob({ jobId: "job-1", pageSize: 10 }, { concurrency: 1 }))
          )
        )
        expect(error).toMatchObject({ _tag: "PaginationError", reason: "Repeated", page: 8, delivered: 70 })
        expect(error.message).toContain("10 of its 10 items already delivered")
      }).pipe(Effect.provide(clientLayer(http.layer)))
    }
  )

  it.effect("pages respect a status filter and the caller's page size", () => {
    const tasks = makeTasks(45)
    const http = fakeHttp((request) =>
      Effect.succeed({
        body: pageOf(
          tasks.filter(
            (t) => request.params.TaskStatus === undefined || t.TaskStatus === request.params.TaskStatus
          ),
          request.params
        )
      })
    )
    return Effect.gen(function* () {
      const client = yield* OtaClient
      const pages = Chunk.toReadonlyArray(
        yield* Stream.runCollect(
          client.listOTATaskByJobPages({ jobId: "job-1", taskStatus: "FAILED", pageSize: 2 })
        )
      )
      expect(pages.map((p) => p.currentPage)).toEqual([1, 2, 3])
      expect(pages.flatMap((p) => p.tasks).every((t) => t.taskStatus === "FAILED")).toBe(true)
      expect(http.requests.every((r) => r.params.TaskStatus === "FAILED" && r.params.PageSize === "2")).toBe(
        true
      )
    }).pipe(Effect.provide(clientLayer(http.layer)))
  })

  it.effect("an empty job is one request and no tasks", () => {
    const http = serveJob([])
    return Effect.gen(function* () {
      const client = yield* OtaClient
      expect(Chunk.size(yield* Stream.runCollect(client.streamOTATaskByJob({ jobId: "job-1" })))).toBe(0)
      expect(http.requests).toHaveLength(1)
    }).pipe(Effect.provide(clientLayer(http.layer)))
  })

  it.effect("fails up front on a listing larger than the API can page through for one status", () => {
    const http = fakeHttp((request) =>
      Effect.succeed({ body: { ...pageOf(makeTasks(100), request.params), Total: 100_001 } })
    )
    return Effect.gen(function* () {
      const client = yield* OtaClient
      const error = failureOf(
        yield* Effect.exit(
          Stream.runCollect(client.streamOTATaskByJob({ jobId: "job-1", taskStatus: "FAILED" }))
        )
      )
      expect(error).toMatchObject({ _tag: "PaginationError", reason: "TooLarge", delivered: 0 })
      expect(error.message).toContain("100001")
      expect(http.requests).toHaveLength(1)
    }).pipe(Effect.provide(clientLayer(http.layer)))
  })

  it.effect("stops the listing, and all requests in flight, when interrupted", () => {
    const tasks = makeTasks(1000)
    let inFlight = 0
    let interrupted = 0
    let threeParked: () => void = () => {}
    const parked = new Promise<void>((resolve) => {
      threeParked = resolve
    })
    const http = fakeHttp((request, index) =>
      index === 0
        ? Effect.succeed({ body: pageOf(tasks, request.params) })
        : Effect.acquireUseRelease(
            Effect.sync(() => {
              if (++inFlight === 3) threeParked()
            }),
            () => Effect.never,
            (_, exit) =>
              Effect.sync(() => {
                inFlight--
                if (Exit.isInterrupted(exit)) interrupted++
              })
          )
    )
    return Effect.gen(function* () {
      const client = yield* OtaClient
      const fiber = yield* Effect.fork(
        Stream.runDrain(client.streamOTATaskByJob({ jobId: "job-1" }, { concurrency: 3 }))
      )
      yield* Effect.promise(() => parked)
      yield* Fiber.interrupt(fiber)
      expect(inFlight).toBe(0)
      expect(interrupted).toBe(3)
      expect(http.requests).toHaveLength(4)
    }).pipe(Effect.provide(clientLayer(http.layer)))
  })

  it.effect("rejects a bad concurrency before any request", () => {
    const http = serveJob(makeTasks(1))
    return Effect.gen(function* () {
      const client = yield* OtaClient
      const error = failureOf(
        yield* Effect.exit(Stream.runDrain(client.streamOTATaskByJob({ jobId: "j" }, { concurrency: 0 })))
      )
      expect(error).toMatchObject({ _tag: "ValidationError", field: "concurrency" })
      expect(http.requests).toHaveLength(0)
    }).pipe(Effect.provide(clientLayer(http.layer)))
  })
})
