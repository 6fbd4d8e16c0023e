/**
 * A listing's promise: every item of its total exactly once, or a typed
 * error saying what the server did, carrying how many items were delivered.
 * Checked against servers that misbehave as real gateways and proxies do:
 * over real HTTP on 127.0.0.1 through the `fetch` transport, and as a
 * property over random misbehaviour.
 */
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import * as fc from "fast-check"
import * as ClientConfig from "../src/ClientConfig.js"
import * as Credentials from "../src/Credentials.js"
import type { OtaError } from "../src/IotError.js"
import * as Operation from "../src/Operation.js"
import * as OtaClient from "../src/OtaClient.js"
import { ListOTATaskByJob } from "../src/operations/ListOTATaskByJob.js"
import * as Transport from "../src/Transport.js"
import { clientLayer, fakeHttp, makeTasks, pageOf, SECRET } from "./helpers.js"

/** Runs a listing to its end, collecting what it delivered and how it ended. */
const list = <E>(stream: Stream.Stream<{ readonly taskId: string }, E>) =>
  Effect.gen(function* () {
    const ids: Array<string> = []
    const exit = yield* Effect.exit(
      Stream.runForEach(stream, (task) => Effect.sync(() => ids.push(task.taskId)))
    )
    return {
      ids,
      error: Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error : undefined,
      exit
    }
  })

describe("listings larger than the server pages through", () => {
  // The task listing with a small offset cap, so a partitioned listing fits a unit test.
  const SmallCap = Operation.paged({
    ...ListOTATaskByJob,
    paging: { ...ListOTATaskByJob.paging, maxOffset: 50 }
  })
  const statuses = ["QUEUED", "IN_PROGRESS", "SUCCEEDED", "FAILED"] as const
  const serveByStatus = (tasks: ReadonlyArray<{ TaskStatus: string }>) =>
    fakeHttp((request) =>
      Effect.succeed({
        body: pageOf(
          tasks.filter(
            (t) => request.params.TaskStatus === undefined || t.TaskStatus === request.params.TaskStatus
          ),
          request.params
        )
      })
    )

  it.effect("are listed status by status, each status's total read first, every task once", () => {
    const tasks = makeTasks(120).map((t, i) => ({ ...t, TaskStatus: statuses[i % 4]! }))
    const http = serveByStatus(tasks)
    return Effect.gen(function* () {
      const client = yield* OtaClient.OtaClient
      const { ids, error } = yield* list(client.items(SmallCap, { jobId: "job-1", pageSize: 10 }))
      expect(error).toBeUndefined()
      expect(new Set(ids).size).toBe(120)
      // In the documented status order: QUEUED, NOTIFIED (none), IN_PROGRESS, SUCCEEDED, FAILED, ...
      const expected = ["QUEUED", "IN_PROGRESS", "SUCCEEDED", "FAILED"].flatMap((status) =>
        tasks.filter((t) => t.TaskStatus === status).map((t) => t.TaskId)
      )
      expect(ids).toEqual(expected)
      // One unfiltered first page, then the first page of each of the 7 statuses, before any task.
      expect(new Set(http.requests.slice(0, 8).map((r) => r.params.TaskStatus ?? "-"))).toEqual(
        new Set(["-", ...ListOTATaskByJob.paging.partition.values])
      )
    }).pipe(Effect.provide(clientLayer(http.layer)))
  })

  it.effect("fail before delivering anything when one status alone is too large, naming it", () => {
    const tasks = makeTasks(120).map((t, i) => ({
      ...t,
      TaskStatus: i < 60 ? "SUCCEEDED" : statuses[i % 2]!
    }))
    const http = serveByStatus(tasks)
    return Effect.gen(function* () {
      const client = yield* OtaClient.OtaClient
      const { ids, error } = yield* list(client.items(SmallCap, { jobId: "job-1", pageSize: 10 }))
      expect(ids).toEqual([])
      expect(error).toMatchObject({ _tag: "PaginationError", reason: "TooLarge", delivered: 0, total: 120 })
      expect(error?.message).toContain("60 of them with taskStatus SUCCEEDED")
    }).pipe(Effect.provide(clientLayer(http.layer)))
  })

  it.effect(
    "fail when the listing is too large with a status filter already given, without suggesting one",
    () => {
      const tasks = makeTasks(120).map((t, i) => ({ ...t, TaskStatus: i < 100 ? "SUCCEEDED" : "FAILED" }))
      const http = serveByStatus(tasks)
      return Effect.gen(function* () {
        const client = yield* OtaClient.OtaClient
        const { ids, error } = yield* list(
          client.items(SmallCap, { jobId: "job-1", pageSize: 10, taskStatus: "SUCCEEDED" })
        )
        expect(ids).toEqual([])
        expect(error).toMatchObject({ _tag: "PaginationError", reason: "TooLarge", delivered: 0, total: 100 })
        expect(error?.message).toContain("(with taskStatus SUCCEEDED, which cannot be split further)")
        expect(error?.message).not.toContain("give a taskStatus filter")
      }).pipe(Effect.provide(clientLayer(http.layer)))
    }
  )

  it.effect("fail when the statuses do not add up to the total (a status this SDK does not know)", () => {
    const tasks = makeTasks(120).map((t, i) => ({ ...t, TaskStatus: i < 10 ? "PAUSED" : statuses[i % 4]! }))
    const http = serveByStatus(tasks)
    return Effect.gen(function* () {
      const client = yield* OtaClient.OtaClient
      const { error } = yield* list(client.items(SmallCap, { jobId: "job-1", pageSize: 10 }))
      expect(error).toMatchObject({ _tag: "PaginationError", reason: "TooLarge" })
      expect(error?.message).toContain("add up to 110")
    }).pipe(Effect.provide(clientLayer(http.layer)))
  })
})

/** How a hostile server answers page `page` (1-based) of `size` asked, from a job of `tasks`. */
type Misbehaviour = (
  page: number,
  size: number,
  tasks: ReadonlyArray<Record<string, unknown>>
) => Record<string, unknown>

const honest: Misbehaviour = (page, size, tasks) =>
  pageOf(tasks, { PageSize: String(size), CurrentPage: String(page) }) as Record<string, unknown>

const HOSTILE: ReadonlyArray<{
  readonly name: string
  readonly serve: Misbehaviour
  readonly outcome:
    | "complete"
    | { readonly _tag: string; readonly reason?: string; readonly delivered: number }
}> = [
  {
    name: "caps PageSize at 50 when 100 is asked, and says so",
    serve: (page, size, tasks) => honest(page, Math.min(size, 50), tasks),
    outcome: "complete"
  },
  {
    name: "caps PageSize at 50 and still echoes 100",
    serve: (page, size, tasks) => ({ ...honest(page, Math.min(size, 50), tasks), PageSize: size }),
    outcome: "complete"
  },
  {
    name: "answers an empty page 3",
    serve: (page, size, tasks) =>
      page === 3
        ? { ...honest(page, size, tasks), Data: { SimpleOTATaskInfo: [] } }
        : honest(page, size, tasks),
    outcome: { _tag: "PaginationError", reason: "ShortPage", delivered: 200 }
  },
  {
    name: "answers half of page 3",
    serve: (page, size, tasks) => {
      const answer = honest(page, size, tasks)
      if (page !== 3) return answer
      const items = (answer.Data as { SimpleOTATaskInfo: Array<unknown> }).SimpleOTATaskInfo
      return { ...answer, Data: { SimpleOTATaskInfo: items.slice(0, 50) } }
    },
    outcome: { _tag: "PaginationError", reason: "ShortPage", delivered: 200 }
  },
  {
    name: "answers Data: null",
    serve: (page, size, tasks) => ({ ...honest(page, size, tasks), Data: null }),
    outcome: { _tag: "PaginationError", reason: "ShortPage", delivered: 0 }
  },
  {
    name: "answers Total: null",
    serve: (page, size, tasks) => ({ ...honest(page, size, tasks), Total: null }),
    outcome: { _tag: "DecodeError", delivered: 0 }
  },
  {
    name: "ignores CurrentPage, echoing page 1 with a larger total",
    serve: (_page, size, tasks) => ({ ...honest(1, size, tasks), Total: 2000 }),
    outcome: { _tag: "PaginationError", reason: "PageMismatch", delivered: 100 }
  },
  {
    name: "ignores CurrentPage and echoes nothing",
    serve: (_page, size, tasks) => {
      const { CurrentPage: _c, PageSize: _s, ...rest } = honest(1, size, tasks)
      return rest
    },
    outcome: { _tag: "PaginationError", reason: "Repeated", delivered: 100 }
  },
  {
    name: "answers page k with page k-1, echoing it",
    serve: (page, size, tasks) => honest(Math.max(1, page - 1), size, tasks),
    outcome: { _tag: "PaginationError", reason: "PageMismatch", delivered: 100 }
  },
  {
    name: "answers page k with page k-1, echoing the page asked",
    serve: (page, size, tasks) => ({ ...honest(Math.max(1, page - 1), size, tasks), CurrentPage: page }),
    outcome: { _tag: "PaginationError", reason: "Repeated", delivered: 100 }
  },
  {
    name: "changes its total while paging",
    serve: (page, size, tasks) => ({ ...honest(page, size, tasks), Total: page >= 4 ? 480 : 500 }),
    outcome: { _tag: "PaginationError", reason: "TotalChanged", delivered: 300 }
  },
  {
    name: "sends more items than the page holds",
    serve: (page, size, tasks) => {
      const answer = honest(page, size, tasks)
      if (page !== 2) return answer
      const items = (answer.Data as { SimpleOTATaskInfo: Array<unknown> }).SimpleOTATaskInfo
      return {
        ...answer,
        Data: { SimpleOTATaskInfo: [...items, { ...(items[0] as object), TaskId: "extra" }] }
      }
    },
    outcome: { _tag: "PaginationError", reason: "PageSizeNotHonoured", delivered: 100 }
  }
]

describe("hostile servers over HTTP", () => {
  const tasks = makeTasks(500)
  let server: Server
  let endpoint = ""
  let current: Misbehaviour = honest
  const asked: Array<{ page: number; size: number }> = []

  beforeAll(async () => {
    server = createServer((request, response) => {
      const url = new URL(request.url ?? "/", "http://127.0.0.1")
      const page = Number(url.searchParams.get("CurrentPage"))
      const size = Number(url.searchParams.get("PageSize"))
      asked.push({ page, size })
      response.setHeader("content-type", "application/json")
      response.end(JSON.stringify(current(page, size, tasks)))
    })
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

  const layer = () =>
    OtaClient.layer.pipe(
      Layer.provide(Transport.layerFetch),
      Layer.provide(Credentials.layer({ accessKeyId: "id", accessKeySecret: SECRET })),
      Layer.provide(ClientConfig.layer({ endpoint, qps: 0, maxAttempts: 1, runtime: "test" })),
      Layer.orDie
    )

  for (const { name, serve, outcome } of HOSTILE) {
    it.effect(`a server that ${name}: ${outcome === "complete" ? "every task once" : outcome._tag}`, () =>
      Effect.gen(function* () {
        current = serve
        asked.length = 0
        const client = yield* OtaClient.OtaClient
        const { ids, error } = yield* list(client.streamOTATaskByJob({ jobId: "job-1" }, { concurrency: 2 }))
        expect(new Set(ids).size).toBe(ids.length)
        if (outcome === "complete") {
          expect(error).toBeUndefined()
          expect(ids).toEqual(tasks.map((t) => t.TaskId))
        } else {
          expect(error).toMatchObject(outcome._tag === "PaginationError" ? outcome : { _tag: outcome._tag })
          expect(ids).toHaveLength(outcome.delivered)
        }
      }).pipe(Effect.provide(layer()))
    )
  }

  it.effect("after a capped first page, asks for the size the server honours", () =>
    Effect.gen(function* () {
      current = HOSTILE[0]!.serve
      asked.length = 0
      const client = yield* OtaClient.OtaClient
      yield* Stream.runDrain(client.streamOTATaskByJob({ jobId: "job-1" }, { concurrency: 1 }))
      expect(asked).toEqual([
        { page: 1, size: 100 },
        ...Array.from({ length: 9 }, (_, i) => ({ page: i + 2, size: 50 }))
      ])
    }).pipe(Effect.provide(layer()))
  )
})

describe("any server behaviour", () => {
  const perturbations = [
    "none",
    "empty",
    "half",
    "previous",
    "echo-previous",
    "no-echo",
    "total+1",
    "extra"
  ] as const

  it("ends with every task exactly once, or a typed error that counts what was delivered", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 450 }),
        fc.integer({ min: 1, max: 100 }),
        fc.option(fc.integer({ min: 1, max: 100 }), { nil: undefined }),
        fc.array(fc.constantFrom(...perturbations), { minLength: 8, maxLength: 8 }),
        fc.integer({ min: 1, max: 4 }),
        async (count, pageSize, cap, perturbation, concurrency) => {
          const tasks = makeTasks(count)
          const http = fakeHttp((request) => {
            const page = Number(request.params.CurrentPage)
            const size = Math.min(Number(request.params.PageSize), cap ?? 100)
            const answer = pageOf(tasks, { PageSize: String(size), CurrentPage: String(page) }) as Record<
              string,
              unknown
            >
            const items = (answer.Data as { SimpleOTATaskInfo: Array<object> }).SimpleOTATaskInfo
            switch (perturbation[(page - 1) % perturbation.length]) {
              case "empty":
                return Effect.succeed({ body: { ...answer, Data: { SimpleOTATaskInfo: [] } } })
              case "half":
                return Effect.succeed({
                  body: { ...answer, Data: { SimpleOTATaskInfo: items.slice(0, items.length >> 1) } }
                })
              case "previous":
                return Effect.succeed({
                  body: {
                    ...pageOf(tasks, { PageSize: String(size), CurrentPage: String(Math.max(1, page - 1)) }),
                    CurrentPage: page
                  }
                })
              case "echo-previous":
                return Effect.succeed({
                  body: pageOf(tasks, { PageSize: String(size), CurrentPage: String(Math.max(1, page - 1)) })
                })
              case "no-echo": {
                const { CurrentPage: _c, PageSize: _s, ...rest } = answer
                return Effect.succeed({ body: rest })
              }
              case "total+1":
                return Effect.succeed({ body: { ...answer, Total: count + 1 } })
              case "extra":
                return Effect.succeed({
                  body: {
                    ...answer,
                    Data: { SimpleOTATaskInfo: [...items, { ...items[0], TaskId: `x${page}` }] }
                  }
                })
              default:
                return Effect.succeed({ body: answer })
            }
          })
          const { ids, error } = await Effect.runPromise(
            Effect.flatMap(OtaClient.OtaClient, (client) =>
              list(client.streamOTATaskByJob({ jobId: "job-1", pageSize }, { concurrency }))
            ).pipe(Effect.provide(clientLayer(http.layer, { maxAttempts: 1 })))
          )
          const all = new Set(tasks.map((t) => t.TaskId))
          expect(new Set(ids).size).toBe(ids.length)
          if (error === undefined) expect([...ids].sort()).toEqual([...all].sort())
          else {
            expect(["PaginationError", "DecodeError"]).toContain((error as OtaError)._tag)
            if ((error as OtaError)._tag === "PaginationError")
              expect((error as { delivered: number }).delivered).toBe(ids.length)
          }
        }
      ),
      { numRuns: Number(process.env.PAGINATION_RUNS ?? 100) }
    )
  }, 120_000)
})
