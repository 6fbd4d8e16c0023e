const T = async (label, f) => {
  const s = performance.now()
  const r = await f()
  console.log(label.padEnd(34), (performance.now() - s).toFixed(2))
  return r
}
const { resolveOptions } = await import("@iot-ota/node/OtaClient")
const RpcClient = await import("@iot-ota/core/RpcClient")
const { ListOTATaskByJob } = await import("@iot-ota/core/operations/ListOTATaskByJob")
const Effect = await import("effect/Effect")
const Scope = await import("effect/Scope")
const Exit = await import("effect/Exit")
const NodeHttpTransport = await import("@iot-ota/node/NodeHttpTransport")
const NodeSigningCrypto = await import("@iot-ota/node/NodeSigningCrypto")
const { ClientConfig } = await import("@iot-ota/core/ClientConfig")
const { Credentials } = await import("@iot-ota/core/Credentials")
const { Transport } = await import("@iot-ota/core/Transport")
const opts = {
  endpoint: "http://127.0.0.1:18771",
  accessKeyId: "emulator-access-key-id",
  accessKeySecret: "emulator-access-key-secret",
  qps: 0,
  env: {},
  profileFile: "/nonexistent"
}
const resolved = resolveOptions(opts)
const scope = Effect.runSync(Scope.make())
const transport = await T("transport make", () =>
  Effect.runSync(Scope.extend(NodeHttpTransport.make(), scope))
)
const rpc = await T("RpcClient.make runSync", () =>
  Effect.runSync(
    RpcClient.make.pipe(
      Effect.provideService(ClientConfig, resolved.config),
      Effect.provideService(Credentials, resolved.credentials),
      Effect.provideService(Transport, transport),
      Scope.extend(scope)
    )
  )
)
await T("call 1", () =>
  Effect.runPromise(rpc.call(ListOTATaskByJob, { jobId: "job-cold", pageSize: 100, currentPage: 1 }))
)
await T("call 2", () =>
  Effect.runPromise(rpc.call(ListOTATaskByJob, { jobId: "job-cold", pageSize: 100, currentPage: 2 }))
)
Effect.runSync(Scope.close(scope, Exit.void))
