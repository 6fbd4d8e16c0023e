import { startEmulator } from "@iot-ota/emulator"

const emu = await startEmulator({ qps: 0, port: 18771, jobs: [{ jobId: "job-cold", tasks: 20000 }] })
console.log(emu.url)
