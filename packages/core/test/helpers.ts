import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ClientConfig from "../src/ClientConfig.js"
import * as Credentials from "../src/Credentials.js"
import * as HttpClientTransport from "../src/HttpClientTransport.js"
import * as OtaClient from "../src/OtaClient.js"

export const SECRET = "s3cr3t-value-that-must-never-leak"

export interface RecordedRequest {
  readonly url: URL
  readonly params: Record<string, string>
  readonly headers: Record<string, string>
}

export interface FakeResponse {
  readonly status?: number
  readonly body: string | object
  readonly headers?: Record<string, string>
}

export type Handler = (
  request: RecordedRequest,
  index: number
) => Effect.Effect<FakeResponse | "transport-error">

/** An in-memory HttpClient that records every request and answers with `handler`. */
export const fakeHttp = (handler: Handler) => {
  const requests: Array<RecordedRequest> = []
  // Tests wait for requests to arrive (signing is asynchronous WebCrypto), never for time.
  const waiters: Array<{ readonly count: number; readonly wake: () => void }> = []
  const arrived = () => {
    for (let i = waiters.length - 1; i >= 0; i--) {
      if (requests.length >= waiters[i]!.count) waiters.splice(i, 1)[0]!.wake()
    }
  }
  /** Resumes once `count` requests have been received. */
  const untilRequests = (count: number): Effect.Effect<void> =>
    Effect.async<void>((resume) => {
      if (requests.length >= count) return resume(Effect.void)
      waiters.push({ count, wake: () => resume(Effect.void) })
    })
  const layer = Layer.succeed(
    HttpClient.HttpClient,
    HttpClient.make((request, url) =>
      Effect.suspend(() => {
        const recorded: RecordedRequest = {
          url,
          params: Object.fromEntries(url.searchParams),
          headers: { ...request.headers }
        }
        requests.push(recorded)
        arrived()
        return Effect.flatMap(handler(recorded, requests.length - 1), (answer) =>
          answer === "transport-error"
            ? Effect.fail(
                new HttpClientError.RequestError({
                  request,
                  reason: "Transport",
                  cause: new Error("connect ECONNREFUSED")
                })
              )
            : Effect.succeed(
                HttpClientResponse.fromWeb(
                  request,
                  new Response(typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body), {
                    status: answer.status ?? 200,
                    headers: { "content-type": "application/json", ...answer.headers }
                  })
                )
              )
        )
      })
    )
  )
  return { layer, requests, untilRequests }
}

/** A fake job of `total` tasks served with real paging arithmetic. */
export const makeTasks = (total: number, jobId = "job-1") =>
  Array.from({ length: total }, (_, i) => ({
    TaskId: `task-${String(i).padStart(6, "0")}`,
    JobId: jobId,
    IotId: `iot-${i}`,
    DeviceName: `device-${i}`,
    ProductKey: "pk",
    FirmwareId: "fw",
    DestVersion: "2.0.0",
    TaskStatus: i % 10 === 0 ? "FAILED" : "SUCCEEDED"
  }))

export const pageOf = (tasks: ReadonlyArray<object>, params: Record<string, string>) => {
  const pageSize = Number(params.PageSize ?? 10)
  const currentPage = Number(params.CurrentPage ?? 1)
  const slice = tasks.slice((currentPage - 1) * pageSize, currentPage * pageSize)
  return {
    RequestId: `req-${currentPage}`,
    Success: true,
    Total: tasks.length,
    PageSize: pageSize,
    CurrentPage: currentPage,
    PageCount: Math.ceil(tasks.length / pageSize),
    Data: { SimpleOTATaskInfo: slice }
  }
}

export const clientLayer = (
  http: Layer.Layer<HttpClient.HttpClient>,
  options: Partial<ClientConfig.ClientConfigOptions> = {}
) =>
  OtaClient.layer.pipe(
    Layer.provide(HttpClientTransport.layer),
    Layer.provide(http),
    Layer.provide(Credentials.layer({ accessKeyId: "test-id", accessKeySecret: SECRET })),
    Layer.provide(
      ClientConfig.layer({ endpoint: "https://iot.example.test", qps: 0, runtime: "test", ...options })
    ),
    Layer.orDie
  )
