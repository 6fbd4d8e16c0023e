import { fork } from "node:child_process"
import { fileURLToPath } from "node:url"
import type { Workload } from "./contenders.js"
import { type ClientSample, type ContenderRequest, isContenderMessage } from "./ipc.js"
import type { ChildContender } from "./measure.js"
import { type ServerProcess, startServer } from "./serverProcess.js"

const CONTENDER_SCRIPT = fileURLToPath(new URL("../contender.js", import.meta.url))
const START_TIMEOUT_MS = 60_000

/**
 * Forks `contender.js` for `workload` against `server`'s job and resolves once
 * its client is built. Close it (`close`) when the benchmark ends.
 */
const startContender = async (
  name: string,
  workload: Workload,
  server: Pick<ServerProcess, "url" | "host" | "port">,
  job: { readonly jobId: string; readonly pages: number }
): Promise<ChildContender & { readonly close: () => Promise<void> }> => {
  const spec = { workload, server: { url: server.url, host: server.host, port: server.port }, ...job }
  // No flags of the bench's own (--cpu-prof, --inspect ...): each contender is a plain Node process.
  const child = fork(CONTENDER_SCRIPT, [JSON.stringify(spec)], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    execArgv: []
  })
  const pending = new Map<
    number,
    { readonly resolve: (sample: ClientSample) => void; readonly reject: (error: Error) => void }
  >()
  let nextId = 1
  let exit: Error | undefined

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`${name}: the contender child did not start within ${START_TIMEOUT_MS} ms`))
      child.kill()
    }, START_TIMEOUT_MS)
    child.on("message", (message: unknown) => {
      if (!isContenderMessage(message)) return
      switch (message.type) {
        case "ready":
          clearTimeout(timer)
          return resolve()
        case "failed":
          clearTimeout(timer)
          return reject(new Error(`${name}: the contender child failed to start: ${message.message}`))
        case "sample": {
          const { type: _type, id, ...sample } = message
          pending.get(id)?.resolve(sample)
          pending.delete(id)
          return
        }
        case "error":
          pending.get(message.id)?.reject(new Error(`${name}: ${message.message}`))
          pending.delete(message.id)
          return
      }
    })
    child.once("exit", (code, signal) => {
      exit = new Error(`${name}: the contender child exited (code ${code}, signal ${signal})`)
      clearTimeout(timer)
      reject(exit)
      for (const request of pending.values()) request.reject(exit)
      pending.clear()
    })
  })

  return {
    name,
    measure: () =>
      new Promise<ClientSample>((resolve, reject) => {
        if (exit !== undefined) return reject(exit)
        const id = nextId++
        pending.set(id, { resolve, reject })
        const request: ContenderRequest = { id, type: "run" }
        child.send(request)
      }),
    close: () =>
      new Promise<void>((resolve) => {
        if (exit !== undefined || !child.connected) return resolve()
        child.once("exit", () => resolve())
        child.disconnect()
      })
  }
}

/** Starts one child per contender; if any fails to start, stops the others and rethrows. */
const startContenders = async (
  contenders: ReadonlyArray<{ readonly name: string; readonly workload: Workload }>,
  server: Pick<ServerProcess, "url" | "host" | "port">,
  job: { readonly jobId: string; readonly pages: number }
): Promise<ReadonlyArray<ChildContender & { readonly close: () => Promise<void> }>> => {
  const started = await Promise.allSettled(
    contenders.map(({ name, workload }) => startContender(name, workload, server, job))
  )
  const failed = started.find((result) => result.status === "rejected")
  if (failed === undefined)
    return started.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []))
  await Promise.all(
    started.map((result) => (result.status === "fulfilled" ? result.value.close() : undefined))
  )
  throw failed.reason
}

/**
 * Runs `use` against an emulator child serving one job (quota off) and one
 * child per contender, and stops them all afterwards, also when one of them
 * fails to start.
 */
export const withContenders = async <A>(
  job: { readonly jobId: string; readonly tasks: number; readonly pages: number; readonly seed: number },
  contenders: ReadonlyArray<{ readonly name: string; readonly workload: Workload }>,
  use: (server: ServerProcess, children: ReadonlyArray<ChildContender>) => Promise<A>
): Promise<A> => {
  const server = await startServer({ jobs: [{ jobId: job.jobId, tasks: job.tasks }], qps: 0, seed: job.seed })
  try {
    const children = await startContenders(contenders, server, { jobId: job.jobId, pages: job.pages })
    try {
      return await use(server, children)
    } finally {
      await Promise.all(children.map((child) => child.close()))
    }
  } finally {
    await server.close()
  }
}
