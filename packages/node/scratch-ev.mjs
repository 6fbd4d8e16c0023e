const t0 = performance.now()
const { OtaClient } = await import("@iot-ota/node")
const t1 = performance.now()
let attempt
const client = new OtaClient({
  endpoint: "http://127.0.0.1:18771",
  accessKeyId: "emulator-access-key-id",
  accessKeySecret: "emulator-access-key-secret",
  qps: 0,
  env: {},
  profileFile: "/nonexistent",
  onEvent: (e) => {
    attempt = e.durationMs
  }
})
const t2 = performance.now()
const out = []
for (let p = 1; p <= 4; p++) {
  const s = performance.now()
  await client.listOTATaskByJob({ jobId: "job-cold", pageSize: 100, currentPage: p })
  out.push(`${(performance.now() - s).toFixed(1)}(att ${attempt})`)
}
console.log(`import ${(t1 - t0).toFixed(1)} create ${(t2 - t1).toFixed(1)} calls ${out.join(" ")}`)
await client.close()
