const t0 = performance.now()
const { createRequire } = await import("node:module")
const require = createRequire(import.meta.url)
const Iot = require("@alicloud/iot20180120")
const { Config } = require("@alicloud/openapi-client")
const t1 = performance.now()
const v2 = process.argv[2] === "v2"
const client = new Iot.default(
  new Config({
    accessKeyId: "emulator-access-key-id",
    accessKeySecret: "emulator-access-key-secret",
    endpoint: "127.0.0.1:18771",
    protocol: "http",
    ...(v2 ? { signatureAlgorithm: "v2" } : {})
  })
)
const t2 = performance.now()
const req = (p) => new Iot.ListOTATaskByJobRequest({ jobId: "job-cold", pageSize: 100, currentPage: p })
const first = await client.listOTATaskByJob(req(1))
const t3 = performance.now()
let n = first.body.data.simpleOTATaskInfo.length
for (let p = 2; p <= 200; p++) n += (await client.listOTATaskByJob(req(p))).body.data.simpleOTATaskInfo.length
const t4 = performance.now()
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
