import { writeFileSync } from "node:fs"

const Operation = await import("@iot-ota/core/Operation")
const { ListOTATaskByJob } = await import("@iot-ota/core/operations/ListOTATaskByJob")
const Schema = await import("effect/Schema")
const { OtaClient } = await import("@iot-ota/node/OtaClient")
const c = new OtaClient({
  endpoint: "http://127.0.0.1:18771",
  accessKeyId: "emulator-access-key-id",
  accessKeySecret: "emulator-access-key-secret",
  qps: 0,
  env: {},
  profileFile: "/nonexistent"
})
const raw = await c.call(
  Operation.make({ action: "ListOTATaskByJob", input: ListOTATaskByJob.input, output: Schema.Unknown }),
  { jobId: "job-cold", pageSize: 100, currentPage: 3 }
)
writeFileSync("/tmp/page.json", JSON.stringify(raw))
await c.close()
