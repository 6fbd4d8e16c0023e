const t0 = performance.now()
const { OtaClient } = await import("@iot-ota/node")
const t1 = performance.now()
const client = new OtaClient({
  endpoint: "http://127.0.0.1:18771",
  accessKeyId: "emulator-access-key-id",
  accessKeySecret: "emulator-access-key-secret",
  qps: 0,
  env: {},
  profileFile: "/nonexistent"
})
const t2 = performance.now()
const first = await client.listOTATaskByJob({ jobId: "job-cold", pageSize: 100, currentPage: 1 })
const t3 = performance.now()
let n = first.tasks.length
for (let p = 2; p <= 200; p++)
  n += (await client.listOTATaskByJob({ jobId: "job-cold", pageSize: 100, currentPage: p })).tasks.length
const t4 = performance.now()
await client.close()
console.log(
  JSON.stringify({
    import: +(t1 - t0).toFixed(1),
    create: +(t2 - t1).toFixed(1),
    first: +(t3 - t2).toFixed(1),
    rest199: +(t4 - t3).toFixed(1),
    tasks: n,
    uptime: +performance.now().toFixed(0)
  })
)
