const T = async (label, f) => {
  const s = performance.now()
  const r = await f()
  console.log(label.padEnd(34), (performance.now() - s).toFixed(2))
  return r
}
const { OtaBaseClient, resolveOptions, layerFromResolved } = await import("@iot-ota/node/OtaClient")
const RpcClient = await import("@iot-ota/core/RpcClient")
const Operation = await import("@iot-ota/core/Operation")
const { ListOTATaskByJob } = await import("@iot-ota/core/operations/ListOTATaskByJob")
const Effect = await import("effect/Effect")
const Layer = await import("effect/Layer")
const ManagedRuntime = await import("effect/ManagedRuntime")
const NodeHttpTransport = await import("@iot-ota/node/NodeHttpTransport")
const opts = {
  endpoint: "http://127.0.0.1:18771",
  accessKeyId: "emulator-access-key-id",
  accessKeySecret: "emulator-access-key-secret",
  qps: 0,
  env: {},
  profileFile: "/nonexistent"
}
const resolved = await T("resolveOptions 1st", () => resolveOptions(opts))
await T("resolveOptions 2nd", () => resolveOptions(opts))
const rt = ManagedRuntime.make(
  RpcClient.layer.pipe(
    Layer.provide(
      Layer.mergeAll(
        NodeHttpTransport.layer,
        Layer.succeed((await import("@iot-ota/core/ClientConfig")).ClientConfig, resolved.config),
        Layer.succeed((await import("@iot-ota/core/Credentials")).Credentials, resolved.credentials)
      )
    )
  )
)
await T("ManagedRuntime build (runtime())", () => rt.runtime())
await T("check compile", () =>
  Operation.check(ListOTATaskByJob, { jobId: "job-cold", pageSize: 100, currentPage: 1 })
)
await T("call 1 (runPromise)", () =>
  rt.runPromise(
    Effect.flatMap(RpcClient.RpcClient, (c) =>
      c.call(ListOTATaskByJob, { jobId: "job-cold", pageSize: 100, currentPage: 1 })
    )
  )
)
await T("call 2", () =>
  rt.runPromise(
    Effect.flatMap(RpcClient.RpcClient, (c) =>
      c.call(ListOTATaskByJob, { jobId: "job-cold", pageSize: 100, currentPage: 2 })
    )
  )
)
await rt.dispose()
