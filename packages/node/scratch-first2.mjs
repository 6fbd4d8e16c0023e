const { OtaClient } = await import("@iot-ota/node")
await import("node:http")
const c = new OtaClient({
  endpoint: "http://127.0.0.1:18771",
  accessKeyId: "emulator-access-key-id",
  accessKeySecret: "emulator-access-key-secret",
  qps: 0,
  env: {},
  profileFile: "/nonexistent"
})
const s = performance.now()
console.profile?.("first")
await c.listOTATaskByJob({ jobId: "job-cold", pageSize: 100, currentPage: 1 })
console.profileEnd?.("first")
console.log("first", (performance.now() - s).toFixed(1))
await c.close()
