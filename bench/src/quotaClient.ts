/**
 * One client process of the quota benchmark: started with a JSON
 * `{ url, jobId, concurrency }` as its only argument, it builds our Node
 * client with default settings (10 QPS, adaptive limiter, 3 attempts),
 * answers "ready", lists the whole job when told "go", and answers "done"
 * with how many tasks it got and how many distinct ones — or the error that
 * ended the listing. It exits when the parent disconnects.
 */
import { makeOurs, PAGE_SIZE } from "./internal/contenders.js"

export interface QuotaClientSpec {
  readonly url: string
  readonly jobId: string
  readonly concurrency: number
}

export type QuotaClientMessage =
  | { readonly type: "ready" }
  | {
      readonly type: "done"
      readonly tasks: number
      readonly distinct: number
      /** From "go" to the end of the listing, by this process's clock. */
      readonly seconds: number
      readonly error?: string
    }

const send = (message: QuotaClientMessage): void => {
  process.send?.(message)
}

const main = (): void => {
  const spec = JSON.parse(process.argv[2] ?? "null") as QuotaClientSpec
  const client = makeOurs({ url: spec.url })
  process.on("message", (message: unknown) => {
    if (message !== "go") return
    const ids = new Set<string>()
    let tasks = 0
    const started = performance.now()
    const seconds = () => (performance.now() - started) / 1_000
    const listing = async () => {
      for await (const task of client.paginateOTATaskByJob(
        { jobId: spec.jobId, pageSize: PAGE_SIZE },
        { concurrency: spec.concurrency }
      )) {
        tasks++
        ids.add(task.taskId)
      }
    }
    listing().then(
      () => send({ type: "done", tasks, distinct: ids.size, seconds: seconds() }),
      (error: unknown) =>
        send({
          type: "done",
          tasks,
          distinct: ids.size,
          seconds: seconds(),
          error: error instanceof Error ? `${error.name}: ${error.message}` : String(error)
        })
    )
  })
  process.on("disconnect", () => {
    void client.close().then(() => process.exit(0))
  })
  send({ type: "ready" })
}

main()
