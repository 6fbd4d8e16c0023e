/**
 * Fuzzing the whole client path (validate → encode → sign → send → classify → decode) with a fake transport:
 *
 * - whatever the server answers (any status, any JSON, truncated JSON, HTML, bytes that are not UTF-8,
 *   a dropped connection), a call ends in a value or a typed error, never a defect;
 * - whatever the caller passes, the call is refused with a ValidationError before any request exactly when
 *   the input Schema refuses it, and otherwise the request that goes out carries the input, parameter for
 *   parameter (the wire round trip through the signed URL).
 *
 * Seeded: re-run a failure with the seed fast-check prints (the default seed is below).
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { afterAll, describe, expect, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Schema from "effect/Schema"
import * as fc from "fast-check"
import { isOtaError, type OtaError } from "../src/IotError.js"
import { OtaClient } from "../src/OtaClient.js"
import { ListOTATaskByJobInput, TASK_STATUSES } from "../src/operations/ListOTATaskByJob.js"
import { clientLayer, makeTasks, pageOf } from "./helpers.js"

const SEED = 424_242
/**
 * 3,000 exchanges take ~9 s on a quiet machine and several times that on a loaded one: a safety net, not a
 * speed check. A property cut off by a timeout would keep driving the shared fake server under the next test.
 */
const LOADED_MACHINE_TIMEOUT = 240_000

/** What the fake server does next. */
type Answer =
  | {
      readonly _tag: "Response"
      readonly status: number
      readonly body: string | Uint8Array<ArrayBuffer> | null
      readonly contentType: string
    }
  | { readonly _tag: "Drop" }

/** A transport that answers with whatever the current case says and records the URLs it was sent. */
const scriptedHttp = () => {
  const state: { next: Answer; urls: Array<URL> } = {
    next: { _tag: "Response", status: 200, body: "{}", contentType: "application/json" },
    urls: []
  }
  const layer = Layer.succeed(
    HttpClient.HttpClient,
    HttpClient.make((request, url) =>
      Effect.suspend(() => {
        state.urls.push(url)
        const answer = state.next
        if (answer._tag === "Drop") {
          return Effect.fail(
            new HttpClientError.RequestError({
              request,
              reason: "Transport",
              cause: new Error("socket hang up")
            })
          )
        }
        return Effect.succeed(
          HttpClientResponse.fromWeb(
            request,
            new Response(answer.body, {
              status: answer.status,
              headers: { "content-type": answer.contentType }
            })
          )
        )
      })
    )
  )
  return { state, layer }
}

const http = scriptedHttp()
// One attempt per call: the point is what a single answer turns into, not the retries.
const runtime = ManagedRuntime.make(clientLayer(http.layer, { maxAttempts: 1 }))
afterAll(() => runtime.dispose())

const list = (input: unknown) =>
  runtime.runPromiseExit(
    Effect.flatMap(OtaClient, (client) => client.listOTATaskByJob(input as { jobId: string }))
  )

/** The failure of an exit, checked to be exactly one typed error and nothing else (no defect, no interruption). */
const typedFailure = (cause: Cause.Cause<OtaError>): OtaError => {
  expect(Cause.isDie(cause), `defect: ${Cause.pretty(cause)}`).toBe(false)
  expect(Cause.isInterrupted(cause)).toBe(false)
  const failures = [...Cause.failures(cause)]
  expect(failures).toHaveLength(1)
  const error = failures[0]!
  expect(isOtaError(error)).toBe(true)
  expect(typeof error.message).toBe("string")
  expect(typeof error.retryable).toBe("boolean")
  return error
}

// --- Server answers. ------------------------------------------------------------------------------------

const envelopeKey = fc.constantFrom(
  "RequestId",
  "requestId",
  "Code",
  "code",
  "Success",
  "success",
  "Message",
  "ErrorMessage",
  "Total",
  "total",
  "PageSize",
  "CurrentPage",
  "PageCount",
  "Data",
  "data",
  "__proto__",
  "constructor"
)
const taskKey = fc.constantFrom(
  "TaskId",
  "taskId",
  "TaskID",
  "JobId",
  "IotId",
  "DeviceName",
  "deviceName",
  "ProductKey",
  "FirmwareId",
  "DestVersion",
  "TaskStatus",
  "Progress",
  "Timeout",
  "UtcCreate",
  "UtcModified",
  "TaskDesc",
  "__proto__"
)
const scalar = fc.oneof(
  fc.jsonValue({ maxDepth: 1 }),
  fc.constantFrom("", "0", "-1", "1e400", "NaN", "true", "2024-11-11 T11:11:11.000Z", "FAILED", "PAUSED"),
  fc.constantFrom(0, -1, 1.5, 1e308, Number.MAX_SAFE_INTEGER + 2),
  fc.boolean(),
  fc.constant(null)
)
const taskLike = fc.dictionary(taskKey, fc.oneof(scalar, fc.jsonValue({ maxDepth: 2 })), { maxKeys: 10 })
const pageLike = fc.dictionary(
  envelopeKey,
  fc.oneof(
    scalar,
    fc.record({ SimpleOTATaskInfo: fc.oneof(fc.array(taskLike, { maxLength: 5 }), taskLike, scalar) }),
    fc.record({ simpleOTATaskInfo: fc.array(taskLike, { maxLength: 5 }) }),
    fc.array(taskLike, { maxLength: 3 })
  ),
  { maxKeys: 10 }
)
const validPage = JSON.stringify(pageOf(makeTasks(5), { PageSize: "10", CurrentPage: "1" }))

const body: fc.Arbitrary<string | Uint8Array<ArrayBuffer> | null> = fc.oneof(
  fc.jsonValue().map((value) => JSON.stringify(value)),
  pageLike.map((value) => JSON.stringify(value)),
  // A valid page cut anywhere: what a dropped proxy connection leaves.
  fc.integer({ min: 0, max: validPage.length }).map((n) => validPage.slice(0, n)),
  fc.string({ unit: "binary", maxLength: 200 }),
  fc.constantFrom(
    "",
    " ",
    "null",
    "[",
    "{",
    '{"Code":',
    "<html><body><h1>502 Bad Gateway</h1></body></html>",
    '{"__proto__":{"Code":"Throttling"},"Total":1}',
    '{"Total":1,"Data":{"SimpleOTATaskInfo":[{"TaskId":{"toString":1},"DeviceName":"d","TaskStatus":"x"}]}}',
    `${"[".repeat(1000)}${"]".repeat(1000)}`,
    `{"Total":${"9".repeat(400)}}`
  ),
  fc.uint8Array({ maxLength: 200 }).map((bytes) => new Uint8Array(bytes)),
  fc.constant(null)
)
const NULL_BODY_STATUSES = new Set([204, 205, 304])
const answer: fc.Arbitrary<Answer> = fc.oneof(
  {
    weight: 30,
    arbitrary: fc
      .record({
        status: fc.constantFrom(
          200,
          200,
          200,
          201,
          204,
          206,
          301,
          304,
          400,
          403,
          404,
          408,
          429,
          500,
          502,
          503,
          504,
          599
        ),
        body,
        contentType: fc.constantFrom(
          "application/json",
          "application/json;charset=utf-8",
          "text/html",
          "text/plain",
          ""
        )
      })
      .map(({ status, body, contentType }) => ({
        _tag: "Response" as const,
        status,
        body: NULL_BODY_STATUSES.has(status) ? null : body,
        contentType
      }))
  },
  { weight: 1, arbitrary: fc.constant({ _tag: "Drop" as const }) }
)

describe("any server answer ends in a value or a typed error", () => {
  it(
    "never a defect, whatever the status and body",
    async () => {
      const seen = new Set<string>()
      await fc.assert(
        fc.asyncProperty(answer, async (next) => {
          http.state.next = next
          const exit = await list({ jobId: "job-1" })
          if (Exit.isSuccess(exit)) {
            const page = exit.value
            expect(Array.isArray(page.tasks)).toBe(true)
            for (const n of [page.total, page.pageSize, page.currentPage, page.pageCount]) {
              expect(Number.isFinite(n)).toBe(true)
              expect(n).toBeGreaterThanOrEqual(0)
            }
            for (const task of page.tasks) {
              expect(typeof task.taskId).toBe("string")
              expect(typeof task.taskStatus).toBe("string")
              if (task.utcCreate !== undefined) expect(Number.isNaN(task.utcCreate.getTime())).toBe(false)
            }
            seen.add("success")
          } else {
            const error = typedFailure(exit.cause)
            expect(["ApiError", "HttpError", "DecodeError", "TransportError"]).toContain(error._tag)
            seen.add(error._tag)
          }
        }),
        { numRuns: 3000, seed: SEED }
      )
      // The generator reached every outcome, so the property was not vacuous.
      expect([...seen].sort()).toEqual(["ApiError", "DecodeError", "HttpError", "TransportError", "success"])
    },
    LOADED_MACHINE_TIMEOUT
  )

  // A decode problem's message quotes the offending value; quoting JSON nested a few thousand levels deep
  // (a 10 KB body; JSON.parse itself copes) must not overflow the stack and turn into a defect.
  it.each([
    ["as the whole body", `${"[".repeat(5000)}${"]".repeat(5000)}`],
    [
      "in a task field",
      `{"Total":1,"Data":{"SimpleOTATaskInfo":[{"TaskId":${"[".repeat(5000)}${"]".repeat(5000)},"DeviceName":"d","TaskStatus":"QUEUED"}]}}`
    ]
  ])("JSON nested 5,000 levels deep %s is a DecodeError, not a defect", async (_, deep) => {
    http.state.next = { _tag: "Response", status: 200, body: deep, contentType: "application/json" }
    const exit = await list({ jobId: "job-1" })
    expect(Exit.isFailure(exit)).toBe(true)
    if (Exit.isFailure(exit)) expect(typedFailure(exit.cause)._tag).toBe("DecodeError")
  })
})

// --- Caller input. --------------------------------------------------------------------------------------

const text = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.string({ unit: "binary", minLength: 1, maxLength: 20 })
)
const junk = fc.oneof(
  fc.anything({ maxDepth: 1 }),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -0, 2.5, "10")
)
/** Mostly plausible input (so that both outcomes are common), with a bad value or an extra key now and then. */
const sometimes = <A>(good: fc.Arbitrary<A>) =>
  fc.oneof({ weight: 12, arbitrary: good }, { weight: 1, arbitrary: junk })
const inputLike = fc.oneof(
  {
    weight: 12,
    arbitrary: fc.record(
      {
        jobId: sometimes(text),
        pageSize: sometimes(fc.integer({ min: 0, max: 101 })),
        currentPage: sometimes(
          fc.oneof(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 900, max: 1100 }))
        ),
        taskStatus: sometimes(fc.oneof(fc.constantFrom(...TASK_STATUSES), text)),
        deviceNames: sometimes(
          fc.oneof(fc.array(text, { maxLength: 6 }), fc.array(text, { minLength: 49, maxLength: 52 }))
        ),
        iotInstanceId: sometimes(text)
      },
      { requiredKeys: [] }
    )
  },
  {
    weight: 1,
    arbitrary: fc.record({ jobId: text, extra: junk }, { requiredKeys: ["extra"] })
  },
  { weight: 1, arbitrary: fc.anything({ maxDepth: 2 }) }
)

/** The parameters the signer adds; the rest of the query is the input. */
const COMMON = [
  "Action",
  "Version",
  "Format",
  "AccessKeyId",
  "SignatureMethod",
  "SignatureVersion",
  "SignatureNonce",
  "Timestamp",
  "Signature"
]
const strict = Schema.decodeUnknownEither(ListOTATaskByJobInput, { onExcessProperty: "error" })
// The oracle: the input Schema, strictly, plus the documented offset cap.
const oracle = (input: unknown) =>
  Either.filterOrLeft(
    strict(input),
    (request) => request.currentPage * request.pageSize <= 100_000,
    () => "past the offset cap"
  )
/** The API parameters of a signed URL read back by hand, as docs/api/ListOTATaskByJob.md describes them. */
const fromWire = (query: Record<string, string>) => {
  const request: Record<string, unknown> = {
    jobId: query.JobId,
    pageSize: Number(query.PageSize),
    currentPage: Number(query.CurrentPage)
  }
  if (query.TaskStatus !== undefined) request.taskStatus = query.TaskStatus
  if (query.IotInstanceId !== undefined) request.iotInstanceId = query.IotInstanceId
  const devices = Object.keys(query)
    .filter((name) => /^DeviceNames\.\d+$/.test(name))
    .map((name) => [Number(name.slice("DeviceNames.".length)), query[name]!] as const)
    .sort((a, b) => a[0] - b[0])
  if (devices.length > 0) {
    for (const [i, [n]] of devices.entries()) expect(n).toBe(i + 1)
    request.deviceNames = devices.map(([, name]) => name)
  }
  return request
}

describe("any caller input", () => {
  it(
    "is refused before any request exactly when the Schema refuses it, else sent as given",
    async () => {
      const outcomes = { refused: 0, sent: 0 }
      http.state.next = { _tag: "Response", status: 200, body: validPage, contentType: "application/json" }
      await fc.assert(
        fc.asyncProperty(inputLike, async (input) => {
          http.state.urls = []
          const exit = await list(input)
          const expected =
            input !== null && typeof input === "object" && !Array.isArray(input) ? oracle(input) : undefined
          if (Exit.isFailure(exit)) {
            const error = typedFailure(exit.cause)
            expect(error._tag).toBe("ValidationError")
            expect(http.state.urls).toHaveLength(0)
            expect(expected === undefined || Either.isLeft(expected)).toBe(true)
            outcomes.refused++
          } else {
            expect(expected !== undefined && Either.isRight(expected)).toBe(true)
            expect(http.state.urls).toHaveLength(1)
            // The wire round trip: the signed URL's API parameters decode back to the checked input.
            const query = Object.fromEntries(
              [...http.state.urls[0]!.searchParams].filter(([name]) => !COMMON.includes(name))
            )
            if (expected !== undefined && Either.isRight(expected))
              expect(fromWire(query)).toEqual(expected.right)
            outcomes.sent++
          }
        }),
        { numRuns: 3000, seed: SEED }
      )
      expect(outcomes.refused).toBeGreaterThan(300)
      expect(outcomes.sent).toBeGreaterThan(300)
    },
    LOADED_MACHINE_TIMEOUT
  )
})
