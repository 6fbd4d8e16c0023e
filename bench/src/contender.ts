/**
 * One contender of the paging or concurrency benchmark as a child process of
 * the bench: started with a JSON `ContenderSpec` as its only argument, it
 * builds its client, answers "ready", then runs the workload once per "run"
 * request and answers with what it measured in its own process — wall time,
 * its CPU time (all threads) and its event loop's busy share — until the
 * parent disconnects.
 */
import { performance } from "node:perf_hooks"
import { makeRunner } from "./internal/contenders.js"
import { type ContenderMessage, isContenderRequest, parseContenderSpec } from "./internal/ipc.js"

const send = (message: ContenderMessage): void => {
  process.send?.(message)
}

const cpuMsNow = (): number => {
  const cpu = process.cpuUsage()
  return (cpu.user + cpu.system) / 1000
}

const main = (): void => {
  const spec = parseContenderSpec(process.argv[2])
  const runner = makeRunner(spec.workload, spec.server, spec.jobId, spec.pages)
  // Runs come one at a time: the bench waits for each answer before it asks again.
  process.on("message", (message: unknown) => {
    if (!isContenderRequest(message)) return
    const cpuBefore = cpuMsNow()
    const loopBefore = performance.eventLoopUtilization()
    const started = performance.now()
    runner.pass().then(
      (items) => {
        const wallMs = performance.now() - started
        send({
          type: "sample",
          id: message.id,
          wallMs,
          clientCpuMs: cpuMsNow() - cpuBefore,
          clientLoopBusy: performance.eventLoopUtilization(loopBefore).utilization,
          items
        })
      },
      (error: unknown) =>
        send({
          type: "error",
          id: message.id,
          message: error instanceof Error ? error.message : String(error)
        })
    )
  })
  // The parent going away (normally or not) ends the contender.
  process.on("disconnect", () => {
    void runner.close().then(() => process.exit(0))
  })
  send({ type: "ready" })
}

try {
  main()
} catch (error) {
  send({ type: "failed", message: error instanceof Error ? error.message : String(error) })
  process.exitCode = 1
  process.disconnect?.()
}
