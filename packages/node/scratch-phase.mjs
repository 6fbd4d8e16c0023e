const M = await import("@iot-ota/node/OtaClient")
const { PromiseClient } = await import("@iot-ota/core/PromiseClient")
const RpcClient = await import("@iot-ota/core/RpcClient")
const { ListOTATaskByJob } = await import("@iot-ota/core/operations/ListOTATaskByJob")
const Effect = await import("effect/Effect")
const NodeHttpTransport = await import("@iot-ota/node/NodeHttpTransport")
const NodeSigningCrypto = await import("@iot-ota/node/NodeSigningCrypto")
const { ClientConfig } = await import("@iot-ota/core/ClientConfig")
const { Credentials } = await import("@iot-ota/core/Credentials")
const { Transport } = await import("@iot-ota/core/Transport")
const { SigningCrypto } = await import("@iot-ota/core/SigningCrypto")
const opts = {
  endpoint: "http://127.0.0.1:18771",
  accessKeyId: "emulator-access-key-id",
  accessKeySecret: "emulator-access-key-secret",
  qps: 0,
  env: {},
  profileFile: "/nonexistent"
}
const resolved = M.resolveOptions(opts)
const marks = {}
const client = new PromiseClient({
  make: RpcClient.make.pipe(
    Effect.provideService(ClientConfig, resolved.config),
    Effect.provideService(Credentials, resolved.credentials),
    Effect.provideService(SigningCrypto, NodeSigningCrypto.make()),
    Effect.provideServiceEffect(
      Transport,
      Effect.map(NodeHttpTransport.make(), (t) => ({
        send: (r) => {
          marks.send = performance.now()
          return Effect.tap(t.send(r), () =>
            Effect.sync(() => {
              marks.received = performance.now()
            })
          )
        }
      }))
    )
  ),
  config: resolved.config,
  credentialsSource: "x",
  logLevel: "none",
  logSink: () => {}
})
for (let p = 1; p <= 3; p++) {
  const s = performance.now()
  await client.call(ListOTATaskByJob, { jobId: "job-cold", pageSize: 100, currentPage: p })
  const e = performance.now()
  console.log(
    `call ${p}: before send ${(marks.send - s).toFixed(2)} send ${(marks.received - marks.send).toFixed(2)} after ${(e - marks.received).toFixed(2)} total ${(e - s).toFixed(2)}`
  )
}
await client.close()
