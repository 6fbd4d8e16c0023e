// Throughput of the emulator: signed ListOTATaskByJob calls for pages of 100 tasks over keep-alive HTTP.
//
// The emulator runs in this process; the load generator runs in a child process (its own core), so the
// figure measures the emulator, not the client. "pages per emulator CPU-second" divides the pages served by
// the CPU time this process used while measuring: the rate one fully busy core would sustain.
//
// Usage: pnpm build && pnpm bench [-- --seconds 10 --connections 8 --tasks 10000]
import { fork } from "node:child_process"
import { randomUUID } from "node:crypto"
import http from "node:http"
import os from "node:os"
import { fileURLToPath } from "node:url"
import { parseArgs } from "node:util"
import { DEFAULT_CREDENTIALS, Signature, startEmulator } from "../dist/index.js"

// `pnpm bench -- --seconds 5` forwards the "--" itself.
const argv = process.argv.slice(2).filter((arg) => arg !== "--")
const { values } = parseArgs({
  args: argv,
  options: {
    seconds: { type: "string", default: "10" },
    warmup: { type: "string", default: "2" },
    connections: { type: "string", default: "8" },
    tasks: { type: "string", default: "10000" },
    "page-size": { type: "string", default: "100" },
    client: { type: "string" }
  }
})

const JOB_ID = "bench-job"

if (values.client !== undefined) {
  await runClient(values.client)
} else {
  await runServer()
}

async function runServer() {
  const emulator = await startEmulator({ qps: 0, jobs: [{ jobId: JOB_ID, tasks: Number(values.tasks) }] })
  const child = fork(fileURLToPath(import.meta.url), ["--client", emulator.url, ...argv], {
    stdio: ["ignore", "inherit", "inherit", "ipc"]
  })
  let cpuStart
  let wallStart
  const result = await new Promise((resolve, reject) => {
    child.on("message", (message) => {
      if (message.type === "measure-start") {
        cpuStart = process.cpuUsage()
        wallStart = performance.now()
      } else if (message.type === "done") {
        const cpu = process.cpuUsage(cpuStart)
        const wallSeconds = (performance.now() - wallStart) / 1000
        resolve({ ...message, cpuSeconds: (cpu.user + cpu.system) / 1e6, serverWallSeconds: wallSeconds })
      }
    })
    child.on("error", reject)
    child.on("exit", (code) => {
      if (code !== 0) reject(new Error(`load generator exited with ${code}`))
    })
  })
  await emulator.close()
  const pagesPerSecond = result.ok / result.seconds
  const pagesPerCpuSecond = result.ok / result.cpuSeconds
  const mbPerSecond = result.bytes / result.seconds / 1e6
  console.log(
    [
      `emulator benchmark: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? "?"}), Node ${process.version}`,
      `  job of ${values.tasks} tasks, PageSize ${values["page-size"]}, ${values.connections} keep-alive connections, V2 GET, qps limit off`,
      `  ${result.ok} pages in ${result.seconds.toFixed(1)} s (${result.errors} errors), ${mbPerSecond.toFixed(0)} MB/s of JSON`,
      `  throughput:                 ${pagesPerSecond.toFixed(0)} pages/s`,
      `  emulator CPU while serving: ${((100 * result.cpuSeconds) / result.serverWallSeconds).toFixed(0)}% of one core`,
      `  pages per emulator CPU-second (one core): ${pagesPerCpuSecond.toFixed(0)}`
    ].join("\n")
  )
}

async function runClient(url) {
  const { hostname, port } = new URL(url)
  const pageSize = Number(values["page-size"])
  const pages = Math.max(1, Math.floor(Number(values.tasks) / pageSize))
  const agent = new http.Agent({ keepAlive: true, maxSockets: Number(values.connections) })
  const { accessKeyId, accessKeySecret } = DEFAULT_CREDENTIALS
  let timestamp = ""
  let timestampSecond = -1

  const path = (currentPage) => {
    const second = Math.floor(Date.now() / 1000)
    if (second !== timestampSecond) {
      timestampSecond = second
      timestamp = new Date(second * 1000).toISOString().replace(".000Z", "Z")
    }
    const params = {
      AccessKeyId: accessKeyId,
      Action: "ListOTATaskByJob",
      CurrentPage: String(currentPage),
      Format: "JSON",
      JobId: JOB_ID,
      PageSize: String(pageSize),
      SignatureMethod: "HMAC-SHA1",
      SignatureNonce: randomUUID(),
      SignatureVersion: "1.0",
      Timestamp: timestamp,
      Version: "2018-01-20"
    }
    params.Signature = Signature.rpcSignature("GET", params, accessKeySecret)
    let query = ""
    for (const name in params) {
      query += `${query.length === 0 ? "" : "&"}${name}=${Signature.percentEncode(params[name])}`
    }
    return `/?${query}`
  }

  const call = (currentPage) =>
    new Promise((resolve) => {
      const req = http.request({ host: hostname, port, path: path(currentPage), agent }, (res) => {
        let bytes = 0
        res.on("data", (chunk) => {
          bytes += chunk.length
        })
        res.on("end", () => resolve({ ok: res.statusCode === 200, bytes }))
      })
      req.on("error", () => resolve({ ok: false, bytes: 0 }))
      req.end()
    })

  // Check once that a page really holds pageSize tasks.
  const check = await new Promise((resolve, reject) => {
    http
      .get({ host: hostname, port, path: path(1), agent }, (res) => {
        let body = ""
        res.setEncoding("utf8")
        res.on("data", (chunk) => {
          body += chunk
        })
        res.on("end", () => resolve(JSON.parse(body)))
      })
      .on("error", reject)
  })
  if (check.Data?.SimpleOTATaskInfo?.length !== pageSize) {
    throw new Error(`unexpected page: ${JSON.stringify(check).slice(0, 300)}`)
  }

  const warmupEnd = performance.now() + Number(values.warmup) * 1000
  const measureMs = Number(values.seconds) * 1000
  let measuring = false
  let measureEnd = Number.POSITIVE_INFINITY
  let ok = 0
  let errors = 0
  let bytes = 0
  let measureStart = 0
  let next = 0

  const worker = async () => {
    for (;;) {
      const now = performance.now()
      if (!measuring && now >= warmupEnd) {
        measuring = true
        measureStart = now
        measureEnd = now + measureMs
        process.send({ type: "measure-start" })
      }
      if (now >= measureEnd) return
      const result = await call((next++ % pages) + 1)
      if (measuring && performance.now() <= measureEnd) {
        if (result.ok) ok++
        else errors++
        bytes += result.bytes
      }
    }
  }
  await Promise.all(Array.from({ length: Number(values.connections) }, worker))
  const seconds = (performance.now() - measureStart) / 1000
  process.send({ type: "done", ok, errors, bytes, seconds }, () => process.exit(0))
}
