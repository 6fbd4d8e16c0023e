/**
 * The emulator as a child process of the bench: started with a JSON
 * `ServerSpec` as its only argument, it answers "ready" with its URL and then
 * serves CPU-time and counter requests over IPC until the parent disconnects.
 * It accepts only the emulator's fake `DEFAULT_CREDENTIALS`.
 */
import { DEFAULT_CREDENTIALS, startEmulator } from "@iot-ota/emulator"
import { isServerRequest, parseServerSpec, type ServerMessage } from "./internal/ipc.js"

const send = (message: ServerMessage): void => {
  process.send?.(message)
}

const main = async (): Promise<void> => {
  const spec = parseServerSpec(process.argv[2])
  const emulator = await startEmulator({
    seed: spec.seed,
    qps: spec.qps,
    ...(spec.quota === undefined ? {} : { quota: spec.quota }),
    requestLog: spec.requestLog === true,
    jobs: spec.jobs,
    credentials: [DEFAULT_CREDENTIALS]
  })
  process.on("message", (message: unknown) => {
    if (!isServerRequest(message)) return
    switch (message.type) {
      case "cpu":
        return send({ type: "cpu", id: message.id, value: process.cpuUsage() })
      case "stats": {
        const { requests, byCode, throttled, requestLog } = emulator.stats()
        return send({ type: "stats", id: message.id, value: { requests, byCode, throttled, requestLog } })
      }
      case "resetStats":
        emulator.resetStats()
        return send({ type: "resetStats", id: message.id })
    }
  })
  // The parent going away (normally or not) ends the server.
  process.on("disconnect", () => {
    void emulator.close().then(() => process.exit(0))
  })
  send({
    type: "ready",
    url: emulator.url,
    host: emulator.host,
    port: emulator.port
  })
}

main().catch((error: unknown) => {
  send({ type: "failed", message: error instanceof Error ? error.message : String(error) })
  process.exitCode = 1
  process.disconnect?.()
})
