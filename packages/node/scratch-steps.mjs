const T = (label, f) => {
  const s = performance.now()
  const r = f()
  console.log(label.padEnd(28), (performance.now() - s).toFixed(2))
  return r
}
const Operation = await import("@iot-ota/core/Operation")
const { ListOTATaskByJob } = await import("@iot-ota/core/operations/ListOTATaskByJob")
const Effect = await import("effect/Effect")
const req = T("check (1st)", () =>
  Operation.check(ListOTATaskByJob, { jobId: "j", pageSize: 100, currentPage: 1 })
)
T("check (2nd)", () => Operation.check(ListOTATaskByJob, { jobId: "j", pageSize: 100, currentPage: 2 }))
T("encode (1st)", () => Operation.encode(ListOTATaskByJob, req.right))
const body = await (await fetch("http://127.0.0.1:18771/?x=1")).text().catch(() => "")
const { OtaClient } = await import("@iot-ota/node/OtaClient")
const page = await new Promise((r) => {
  r(null)
})
const res = await fetch("http://127.0.0.1:18771/").catch(() => null)
// Decode a real page body: get one from the emulator via the client first, then time decoding alone.
const c = new OtaClient({
  endpoint: "http://127.0.0.1:18771",
  accessKeyId: "emulator-access-key-id",
  accessKeySecret: "emulator-access-key-secret",
  qps: 0,
  env: {},
  profileFile: "/nonexistent"
})
let s = performance.now()
await c
  .call(
    Operation.make({
      action: "ListOTATaskByJob",
      input: ListOTATaskByJob.input,
      output: (await import("effect/Schema")).Unknown
    }),
    { jobId: "job-cold", pageSize: 100 }
  )
  .catch((e) => console.log(e.message))
console.log("first call, Unknown output".padEnd(28), (performance.now() - s).toFixed(2))
s = performance.now()
const raw = await c.call(
  Operation.make({
    action: "ListOTATaskByJob",
    input: ListOTATaskByJob.input,
    output: (await import("effect/Schema")).Unknown
  }),
  { jobId: "job-cold", pageSize: 100 }
)
console.log("second call, Unknown output".padEnd(28), (performance.now() - s).toFixed(2))
T("decode compile+1st", () => Operation.decode(ListOTATaskByJob, raw, req.right))
T("decode 2nd", () => Operation.decode(ListOTATaskByJob, raw, req.right))
T("decode 3rd", () => Operation.decode(ListOTATaskByJob, raw, req.right))
await c.close()
