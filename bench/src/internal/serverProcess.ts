import { fork } from "node:child_process"
import { fileURLToPath } from "node:url"
import {
  type CpuTime,
  isServerMessage,
  type ServerCounters,
  type ServerMessage,
  type ServerRequest,
  type ServerSpec
} from "./ipc.js"

/** A running emulator child process, seen from the bench. */
export interface ServerProcess {
  readonly url: string
  readonly host: string
  readonly port: number
  /** The child's total CPU time so far (user + system), in milliseconds. */
  readonly cpuMs: () => Promise<number>
  readonly stats: () => Promise<ServerCounters>
  readonly resetStats: () => Promise<void>
  readonly close: () => Promise<void>
}

const SERVER_SCRIPT = fileURLToPath(new URL("../server.js", import.meta.url))
const START_TIMEOUT_MS = 120_000

type Ready = Extract<ServerMessage, { type: "ready" }>
type Reply = Exclude<ServerMessage, { type: "ready" } | { type: "failed" }>

interface Pending {
  readonly resolve: (reply: Reply) => void
  readonly reject: (error: Error) => void
}

const toMs = (cpu: CpuTime): number => (cpu.user + cpu.system) / 1000

const unexpected = (asked: string, reply: Reply): Error =>
  new Error(`the emulator child answered "${reply.type}" to "${asked}"`)

/** Forks `server.js` with `spec` and resolves once the emulator listens. */
export const startServer = async (spec: ServerSpec): Promise<ServerProcess> => {
  const child = fork(SERVER_SCRIPT, [JSON.stringify(spec)], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    // The server needs none of the bench's own flags (--cpu-prof, --inspect, ...).
    execArgv: []
  })
  const pending = new Map<number, Pending>()
  let nextId = 1
  let exit: Error | undefined

  const ready = await new Promise<Ready>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`the emulator child did not start within ${START_TIMEOUT_MS} ms`))
      child.kill()
    }, START_TIMEOUT_MS)
    child.on("message", (message: unknown) => {
      if (!isServerMessage(message)) return
      if (message.type === "ready") {
        clearTimeout(timer)
        resolve(message)
      } else if (message.type === "failed") {
        clearTimeout(timer)
        reject(new Error(`the emulator child failed to start: ${message.message}`))
      } else {
        pending.get(message.id)?.resolve(message)
        pending.delete(message.id)
      }
    })
    child.once("exit", (code, signal) => {
      exit = new Error(`the emulator child exited (code ${code}, signal ${signal})`)
      clearTimeout(timer)
      reject(exit)
      for (const request of pending.values()) request.reject(exit)
      pending.clear()
    })
  })

  const ask = (type: ServerRequest["type"]): Promise<Reply> =>
    new Promise((resolve, reject) => {
      if (exit !== undefined) return reject(exit)
      const id = nextId++
      pending.set(id, { resolve, reject })
      const request: ServerRequest = { id, type }
      child.send(request)
    })

  return {
    url: ready.url,
    host: ready.host,
    port: ready.port,
    cpuMs: async () => {
      const reply = await ask("cpu")
      if (reply.type !== "cpu") throw unexpected("cpu", reply)
      return toMs(reply.value)
    },
    stats: async () => {
      const reply = await ask("stats")
      if (reply.type !== "stats") throw unexpected("stats", reply)
      return reply.value
    },
    resetStats: async () => {
      const reply = await ask("resetStats")
      if (reply.type !== "resetStats") throw unexpected("resetStats", reply)
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (exit !== undefined || !child.connected) return resolve()
        child.once("exit", () => resolve())
        child.disconnect()
      })
  }
}
