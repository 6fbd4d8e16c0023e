const T = (label, f) => {
  const s = performance.now()
  const r = f()
  console.log(label.padEnd(34), (performance.now() - s).toFixed(2))
  return r
}
const M = await import("@iot-ota/node/OtaClient")
const opts = {
  endpoint: "http://127.0.0.1:18771",
  accessKeyId: "emulator-access-key-id",
  accessKeySecret: "emulator-access-key-secret",
  qps: 0,
  env: {},
  profileFile: "/nonexistent"
}
T("settingsSources", () => M.settingsSources(opts))
const resolved = T("resolveOptions", () => M.resolveOptions(opts))
T("resolveOptions 2", () => M.resolveOptions(opts))
T("new OtaBaseClient", () => new M.OtaBaseClient(opts))
T("new OtaBaseClient 2", () => new M.OtaBaseClient(opts))
T("new OtaClient", () => new M.OtaClient(opts))
