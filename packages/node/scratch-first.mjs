const { OtaClient } = await import("@iot-ota/node")
const client = new OtaClient({
  endpoint: "http://127.0.0.1:18771",
  accessKeyId: "emulator-access-key-id",
  accessKeySecret: "emulator-access-key-secret",
  qps: 0,
  env: {},
  profileFile: "/nonexistent"
})
const t = []
for (let p = 1; p <= 6; p++) {
  const s = performance.now()
  await client.listOTATaskByJob({ jobId: "job-cold", pageSize: 100, currentPage: p })
  t.push(+(performance.now() - s).toFixed(1))
}
console.log(t.join(" "))
await client.close()
