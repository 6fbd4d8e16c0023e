/**
 * `--help`, `--version`, completions, `tasks summary`, `tasks watch`,
 * `ota emulator` and `ota demo`, each run as the built CLI.
 */
import { spawn } from "node:child_process"
import { createServer, request as httpRequest } from "node:http"
import type { AddressInfo } from "node:net"
import { type Emulator, startEmulator } from "@iot-ota/emulator"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  baseEnv,
  expectExit,
  expectNoSecret,
  makeHome,
  otaBin,
  registerSecret,
  runCli
} from "./helpers/cli.js"

const KEY = { accessKeyId: "cmd-test-key", accessKeySecret: "cmd-test-Secret-0c1d2e3f" }
registerSecret(KEY.accessKeySecret)

const JOB = "CmdJob00000000000000000001"
const STATUSES = ["CONFIRM", "QUEUED", "NOTIFIED", "IN_PROGRESS", "SUCCEEDED", "FAILED", "CANCELED"]

let emu: Emulator
const home = makeHome()
const env = (url = emu.url) => ({
  OTA_ENDPOINT: url,
  OTA_ACCESS_KEY_ID: KEY.accessKeyId,
  OTA_ACCESS_KEY_SECRET: KEY.accessKeySecret
})

beforeAll(async () => {
  emu = await startEmulator({
    port: 0,
    qps: 0,
    seed: 3,
    credentials: [KEY],
    jobs: [{ jobId: JOB, tasks: 420 }]
  })
})

afterAll(async () => {
  await emu?.close()
  home.cleanup()
})

describe("built-ins", () => {
  it.each([
    [
      [],
      "$ ota",
      [
        "firmware list",
        "firmware show",
        "jobs list",
        "jobs show",
        "tasks list",
        "tasks summary",
        "tasks watch",
        "devices tasks",
        "emulator",
        "demo"
      ]
    ],
    [["tasks"], "$ ota tasks", ["list", "summary", "watch"]],
    [["firmware"], "$ ota firmware", ["list", "show"]],
    [["jobs"], "$ ota jobs", ["list", "show"]],
    [["devices"], "$ ota devices", ["tasks"]],
    [
      ["firmware", "list"],
      "$ ota firmware list",
      ["--product", "--dest-version", "--all", "--output", "--columns"]
    ],
    [["firmware", "show"], "$ ota firmware show", ["<firmware-id>", "--output"]],
    [["jobs", "list"], "$ ota jobs list", ["--firmware", "--device", "--all", "--output", "--columns"]],
    [["jobs", "show"], "$ ota jobs show", ["<job-id>", "--output"]],
    [["devices", "tasks"], "$ ota devices tasks", ["<pk/name>", "--status", "--module", "--columns"]],
    [
      ["tasks", "list"],
      "$ ota tasks list",
      ["--job", "--status", "--device", "--page-size", "--all", "--output", "--columns"]
    ],
    [
      ["tasks", "summary"],
      "$ ota tasks summary",
      ["--job", "--output", "--endpoint", "--profile", "--secret-stdin"]
    ],
    [
      ["tasks", "watch"],
      "$ ota tasks watch",
      ["--job", "--interval", "--max-duration", "--timeout", "--retries", "--qps"]
    ],
    [["emulator"], "$ ota emulator", ["--port", "--rollout", "--fault-rate", "--casing"]],
    [["demo"], "$ ota demo", ["--devices", "--rollout"]]
  ] as const)("%j --help", async (path, usage, mentions) => {
    const result = await runCli(home.dir, [...path, "--help"])
    expectExit(result, 0)
    expect(result.stdout).toContain(usage)
    for (const mention of mentions) expect(result.stdout).toContain(mention)
    expect(result.stdout).not.toContain("\u001b")
  })

  it("--version", async () => {
    const result = await runCli(home.dir, ["--version"])
    expectExit(result, 0)
    expect(result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/)
  })

  it("--completions bash prints a completion script for every command", async () => {
    const result = await runCli(home.dir, ["--completions", "bash"])
    expectExit(result, 0)
    expect(result.stdout).toContain("complete -F")
    for (const words of [
      "ota,tasks,list",
      "ota,firmware,list",
      "ota,firmware,show",
      "ota,jobs,list",
      "ota,jobs,show",
      "ota,devices,tasks"
    ])
      expect(result.stdout).toContain(words)
    expect(result.stdout).toContain("--page-size")
    expect(result.stdout).toContain("--dest-version")
    const zsh = await runCli(home.dir, ["--completions", "zsh"])
    expectExit(zsh, 0)
    expect(zsh.stdout).toContain("#compdef ota")
  })
})

describe("tasks summary", () => {
  const truthCounts = () => {
    const counts: Record<string, number> = Object.fromEntries(STATUSES.map((status) => [status, 0]))
    for (const task of emu.tasks(JOB)) counts[task.TaskStatus] = (counts[task.TaskStatus] ?? 0) + 1
    return counts
  }

  it("json: the count of every status, the share done", async () => {
    const result = await runCli(home.dir, ["tasks", "summary", "--job", JOB, "--output", "json"], {
      env: env()
    })
    expectExit(result, 0)
    const counts = truthCounts()
    const done = counts.SUCCEEDED! + counts.FAILED! + counts.CANCELED!
    expect(JSON.parse(result.stdout)).toEqual({
      jobId: JOB,
      total: 420,
      counts,
      other: 0,
      done,
      doneShare: done / 420
    })
  })

  it("table: a row per status with its count and share, and a plain bar off a terminal", async () => {
    const result = await runCli(home.dir, ["tasks", "summary", "--job", JOB], { env: env() })
    expectExit(result, 0)
    const lines = result.stdout.split("\n")
    expect(lines[0]).toBe(`Job ${JOB}: 420 tasks`)
    expect(lines[2]).toMatch(/^STATUS +TASKS +SHARE$/)
    // STATUS  COUNT  SHARE  BAR (the bar column has no header).
    const rows = lines
      .slice(3, 3 + STATUSES.length)
      .map((line) => /^(\S+) +(\d+) +([\d.]+%)(?: +(#+))?$/.exec(line))
    const counts = truthCounts()
    expect(rows.map((row) => row && [row[1], Number(row[2]), row[3]])).toEqual(
      // Shares are rounded down, like the bars: 100% only when done.
      STATUSES.map((status) => [
        status,
        counts[status],
        `${(Math.floor((counts[status]! / 420) * 1000 + 1e-9) / 10).toFixed(1)}%`
      ])
    )
    // Bars are proportional: the largest status has the longest.
    const bars = rows.map((row) => (row?.[4] ?? "").length)
    const largest = STATUSES.indexOf(Object.entries(counts).sort((a, b) => b[1] - a[1])[0]![0])
    expect(Math.max(...bars)).toBe(bars[largest])
    expect(result.stdout).toMatch(/Done \d+ of 420 \(\d+\.\d%\): \d+ succeeded, \d+ failed, \d+ canceled/)
  })
})

describe("tasks watch", () => {
  it("follows a rollout to the end, listing each failed device once with its TaskDesc, then exits 0", async () => {
    const rollout = await startEmulator({
      port: 0,
      qps: 0,
      seed: 8,
      credentials: [KEY],
      jobs: [
        {
          jobId: "Rollout",
          name: "lamp 2.4.1 wave 1",
          tasks: 60,
          rollout: { durationMs: 2500, failureRate: 0.2 }
        }
      ]
    })
    try {
      const result = await runCli(
        home.dir,
        ["tasks", "watch", "--job", "Rollout", "--interval", "400ms", "--qps", "0"],
        {
          env: env(rollout.url)
        }
      )
      expectExit(result, 0)
      expect(result.stderr).toBe("")
      // The job's header: its name, status, firmware and versions, first and whenever it changes.
      const job = rollout.job("Rollout")
      const header = (status: string) =>
        `Job Rollout: lamp 2.4.1 wave 1 · ${status} · firmware ${job.FirmwareId} · ${job.SrcVersions.SrcVersion.join(", ")} → ${job.DestVersion}`
      const headers = result.stdout.split("\n").filter((line) => line.startsWith("Job Rollout: "))
      expect(result.stdout.split("\n")[0]).toBe(headers[0])
      expect([header("IN_PROGRESS"), header("COMPLETED")]).toContain(headers[0])
      // Asked after the counts, the job's status agrees with the finished tasks.
      expect(headers.at(-1)).toBe(header("COMPLETED"))
      // At most one QueryOTAJob per refresh.
      const refreshCount = result.stdout.split("\n").filter((line) => / done \(\d+\/60\) /.test(line)).length
      expect(rollout.stats().byAction.QueryOTAJob).toBeGreaterThanOrEqual(1)
      expect(rollout.stats().byAction.QueryOTAJob).toBeLessThanOrEqual(refreshCount)
      const failed = rollout.tasks("Rollout").filter((task) => task.TaskStatus === "FAILED")
      expect(failed.length).toBeGreaterThan(0)
      const listed = result.stdout.split("\n").filter((line) => line.startsWith("FAILED  "))
      expect(listed.sort()).toEqual(
        failed.map((task) => `FAILED  ${task.DeviceName}: ${task.TaskDesc}`).sort()
      )
      const refreshes = result.stdout.split("\n").filter((line) => / done \(\d+\/60\) /.test(line))
      // Unless the rollout was over by the first refresh (a slow start), it was refreshed again.
      if (!refreshes[0]!.includes("(60/60)")) expect(refreshes.length).toBeGreaterThan(1)
      expect(refreshes.at(-1)).toContain("100.0% done (60/60)")
      expect(result.stdout.trimEnd().split("\n").at(-1)).toMatch(
        /^Every task is finished\. Done 60 of 60 \(100\.0%\)/
      )
    } finally {
      await rollout.close()
    }
  })

  it("reports a transient failure after the first refresh and carries on", async () => {
    // A rollout far longer than the test: the watch cannot end by itself before the failing refresh,
    // however slowly the machine runs it; it is stopped once it has refreshed after the failure.
    const rollout = await startEmulator({
      port: 0,
      qps: 0,
      seed: 9,
      credentials: [KEY],
      jobs: [{ jobId: "Blip", tasks: 30, rollout: { durationMs: 600_000 } }]
    })
    try {
      const child = spawn(
        process.execPath,
        [otaBin, "tasks", "watch", "--job", "Blip", "--interval", "300ms", "--qps", "0", "--retries", "0"],
        { env: { ...baseEnv(home.dir), ...env(rollout.url) }, stdio: ["ignore", "pipe", "pipe"] }
      )
      const refreshLines = (text: string) =>
        text.split("\n").filter((line) => / done \(\d+\/30\) /.test(line)).length
      let stdout = ""
      let stderr = ""
      // The fault is injected after the first refresh, so a second refresh line comes after the failure.
      let stopped = false
      const carriedOn = () => !stopped && stderr.includes("refresh failed") && refreshLines(stdout) >= 2
      child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
        stderr += chunk
        if (carriedOn()) stopped = child.kill("SIGINT")
      })
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
        // After the first refresh, the next call answers 503 once.
        if (stdout === "") rollout.setFaults({ sequence: ["ServiceUnavailable"] })
        stdout += chunk
        if (carriedOn()) stopped = child.kill("SIGINT")
      })
      const code = await new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)))
      expect({ code, stderr }).toMatchObject({ code: 130 })
      expect(stderr).toMatch(
        /^ota: warning: refresh failed at \d\d:\d\d:\d\d UTC \(ServiceUnavailable: .*\(request id [0-9A-F-]{36}\)\); retrying in 300 ms\nota: interrupted \(SIGINT\)\n$/
      )
      expect(refreshLines(stdout)).toBeGreaterThanOrEqual(2)
      expect(rollout.stats().byCode["fault:ServiceUnavailable"]).toBe(1)
    } finally {
      await rollout.close()
    }
  })

  /**
   * A proxy in front of the emulator that answers the n-th QueryOTAJob
   * (from 1) as `fail(n)` says, or passes it on; every other call passes.
   */
  const jobQueryProxy = async (
    target: Emulator,
    fail: (n: number) => { status: number; body: object } | undefined
  ) => {
    let queries = 0
    const server = createServer((request, response) => {
      const chunks: Array<Buffer> = []
      request.on("data", (chunk: Buffer) => chunks.push(chunk))
      request.on("end", () => {
        const body = Buffer.concat(chunks)
        const params = new URLSearchParams(new URL(request.url ?? "/", "http://proxy").search)
        const form = new URLSearchParams(body.toString("utf8"))
        const action = request.headers["x-acs-action"] ?? params.get("Action") ?? form.get("Action")
        const failure = action === "QueryOTAJob" ? fail(++queries) : undefined
        if (failure !== undefined) {
          response.writeHead(failure.status, { "content-type": "application/json" })
          response.end(JSON.stringify(failure.body))
          return
        }
        const forward = httpRequest(
          {
            host: target.host,
            port: target.port,
            method: request.method,
            path: request.url,
            headers: request.headers
          },
          (answer) => {
            response.writeHead(answer.statusCode ?? 502, answer.headers)
            answer.pipe(response)
          }
        )
        forward.on("error", () => response.destroy())
        forward.end(body)
      })
    })
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      queries: () => queries,
      close: async () => {
        server.closeAllConnections()
        await new Promise((resolve) => server.close(resolve))
      }
    }
  }

  /** Runs a watch until `enough(stdout)` holds, then stops it with SIGINT; resolves with its outputs. */
  const watchUntil = (url: string, args: ReadonlyArray<string>, enough: (stdout: string) => boolean) => {
    const child = spawn(process.execPath, [otaBin, "tasks", "watch", ...args], {
      env: { ...baseEnv(home.dir), ...env(url) },
      stdio: ["ignore", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk
      if (enough(stdout)) child.kill("SIGINT")
    })
    return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
      child.on("close", (code) => resolve({ code, stdout, stderr }))
    )
  }

  const refreshes = (stdout: string) =>
    stdout.split("\n").filter((line) => / done \(\d+\/420\) /.test(line)).length

  it("keeps watching the tasks when QueryOTAJob is refused: warned once, not asked again", async () => {
    const proxy = await jobQueryProxy(emu, () => ({
      status: 200,
      body: {
        RequestId: "5E1D7A3C-0000-4000-8000-000000000001",
        Success: false,
        Code: "Forbidden.RAM",
        ErrorMessage: "User not authorized to operate on the specified resource."
      }
    }))
    try {
      emu.resetStats()
      const result = await watchUntil(
        proxy.url,
        ["--job", JOB, "--interval", "200ms", "--qps", "0"],
        (out) => refreshes(out) >= 3
      )
      expect(result.code).toBe(130)
      expect(result.stderr).toBe(
        "ota: warning: cannot read the job's name, status and firmware (QueryOTAJob: Forbidden.RAM: User not authorized to operate on the specified resource. [credentials from the environment (OTA_ACCESS_KEY_ID / OTA_ACCESS_KEY_SECRET): the identity behind AccessKey cmd-test-key lacks the RAM permission for this call] (request id 5E1D7A3C-0000-4000-8000-000000000001)); watching its tasks without them\n" +
          "ota: interrupted (SIGINT)\n"
      )
      expect(result.stdout).not.toMatch(/^Job /m)
      expect(refreshes(result.stdout)).toBeGreaterThanOrEqual(3)
      // Refused for good: asked once, never again.
      expect(proxy.queries()).toBe(1)
      expect(emu.stats().byAction.QueryOTAJob).toBeUndefined()
    } finally {
      await proxy.close()
    }
  })

  it("shows the job's header once a transient QueryOTAJob failure has passed, warning once", async () => {
    const proxy = await jobQueryProxy(emu, (n) =>
      n === 1
        ? {
            status: 503,
            body: {
              RequestId: "5E1D7A3C-0000-4000-8000-000000000002",
              HostId: "iot.cn-shanghai.aliyuncs.com",
              Code: "ServiceUnavailable",
              Message: "The request has failed due to a temporary failure of the server."
            }
          }
        : undefined
    )
    try {
      const job = emu.job(JOB)
      const result = await watchUntil(
        proxy.url,
        ["--job", JOB, "--interval", "200ms", "--qps", "0", "--retries", "0"],
        (out) => /^Job /m.test(out)
      )
      expect(result.code).toBe(130)
      const warnings = result.stderr.split("\n").filter((line) => line.startsWith("ota: warning: "))
      expect(warnings).toEqual([
        expect.stringMatching(
          /^ota: warning: cannot read the job's name, status and firmware \(QueryOTAJob: ServiceUnavailable: /
        )
      ])
      expect(result.stdout).toContain(
        `Job ${JOB}: ${job.Name} · ${job.JobStatus} · firmware ${job.FirmwareId} · ${job.SrcVersions.SrcVersion.join(", ")} → ${job.DestVersion}\n`
      )
      expect(proxy.queries()).toBeGreaterThanOrEqual(2)
    } finally {
      await proxy.close()
    }
  })

  it("exits 124 when --max-duration passes first", async () => {
    const rollout = await startEmulator({
      port: 0,
      qps: 0,
      credentials: [KEY],
      jobs: [{ jobId: "Slow", tasks: 20, rollout: { durationMs: 600_000 } }]
    })
    try {
      const result = await runCli(
        home.dir,
        ["tasks", "watch", "--job", "Slow", "--interval", "300ms", "--max-duration", "1s", "--qps", "0"],
        { env: env(rollout.url) }
      )
      expectExit(result, 124)
      expect(result.stderr).toMatch(
        /^ota: stopped watching after .* \(--max-duration\): \d+ of 20 tasks not finished yet\n$/
      )
    } finally {
      await rollout.close()
    }
  })

  it.each([
    ["SIGINT", 130],
    ["SIGTERM", 143]
  ] as const)("%s stops it with exit %i", async (signal, exitCode) => {
    const child = spawn(process.execPath, [otaBin, "tasks", "watch", "--job", JOB, "--interval", "10s"], {
      env: { ...baseEnv(home.dir), ...env() },
      stdio: ["ignore", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk
      // The first refresh is on screen: interrupt while it waits for the next.
      child.kill(signal)
    })
    const code = await new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)))
    expect({ code, stderr }).toEqual({ code: exitCode, stderr: `ota: interrupted (${signal})\n` })
    expect(stdout).toMatch(/done \(\d+\/420\)/)
  })
})

describe("ota emulator", () => {
  it("serves in the foreground until SIGTERM, printing its URL and test key", async () => {
    const child = spawn(
      process.execPath,
      [
        otaBin,
        "emulator",
        "--port",
        "0",
        "--job",
        "FgJob:35",
        "--access-key-id",
        "fg-id",
        "--access-key-secret",
        "fg-secret"
      ],
      { env: baseEnv(home.dir), stdio: ["ignore", "pipe", "pipe"] }
    )
    let stdout = ""
    child.stderr.resume()
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
        stdout += chunk
        const match = /listening on (http:\/\/\S+)/.exec(stdout)
        if (match !== null && stdout.includes("Stop with")) resolve(match[1]!)
      })
      child.on("close", () => reject(new Error(`exited early: ${stdout}`)))
    })
    expect(stdout).toContain("AccessKeyId:     fg-id")
    expect(stdout).toContain("job FgJob: 35 tasks")
    const list = await runCli(home.dir, ["tasks", "list", "--job", "FgJob", "--all", "-o", "ndjson"], {
      env: { OTA_ENDPOINT: url, OTA_ACCESS_KEY_ID: "fg-id", OTA_ACCESS_KEY_SECRET: "fg-secret" }
    })
    expectExit(list, 0)
    expect(list.stdout.trim().split("\n")).toHaveLength(35)
    child.kill("SIGTERM")
    const code = await new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)))
    expect(code).toBe(0)
    expect(stdout).toContain("ota emulator: stopping (SIGTERM)")
  })

  it("1: a port that is taken", async () => {
    const result = await runCli(home.dir, ["emulator", "--port", String(emu.port)])
    expectExit(result, 1)
    expect(result.stderr).toMatch(/^ota: cannot start the emulator: .*EADDRINUSE.*\n$/)
  })

  it("2: a bad emulator flag value", async () => {
    const result = await runCli(home.dir, ["emulator", "--casing", "shouting"])
    expectExit(result, 2)
    expect(result.stderr).toBe('ota: ValidationError: --casing: expected alibaba or tuya, got "shouting"\n')
  })
})

describe("ota demo", () => {
  it("drills down firmware → jobs → job → tasks on a local rollout and exits 0, with no account", async () => {
    // The default demo takes ~20 s; a shorter rollout runs the same steps.
    const result = await runCli(
      home.dir,
      ["demo", "--rollout", "4s", "--interval", "1s", "--devices", "80"],
      {
        timeoutMs: 40_000
      }
    )
    expectNoSecret(result)
    expectExit(result, 0)
    expect(result.stderr).toBe("")
    const out = result.stdout
    const step = (n: number) => {
      const start = out.indexOf(`── ${n}/6`)
      expect(start, `step ${n}`).toBeGreaterThan(-1)
      const end = out.indexOf(`── ${n + 1}/6`)
      return out.slice(start, end === -1 ? undefined : end)
    }
    // 1: the firmware, the rollout's among them.
    expect(step(1)).toContain("── 1/6  ota firmware list")
    expect(step(1)).toMatch(/\nDemoFw241glPHmaDYLAYM0241 +\S+ +a1Dm7LpQx2k +2\.4\.0 → 2\.4\.1 +verified /)
    expect(step(1)).toContain("Page 1 of 1: firmware 1-3 of 3.")
    // 2: its jobs, a finished canary and the rollout under way.
    expect(step(2)).toContain("── 2/6  ota jobs list --firmware DemoFw241glPHmaDYLAYM0241")
    expect(step(2)).toMatch(/\nDemoCanary7glPHmaDYLAYM01 +COMPLETED +UPGRADE_FIRMWARE /)
    expect(step(2)).toMatch(/\nDemoRollout7glPHmaDYLAYM2 +IN_PROGRESS +UPGRADE_FIRMWARE /)
    // 3: the rollout in full.
    expect(step(3)).toContain("── 3/6  ota jobs show DemoRollout7glPHmaDYLAYM2")
    expect(step(3)).toMatch(/\nNAME +2\.4\.1 wave 2\n/)
    expect(step(3)).toMatch(/\nVERSION +2\.4\.0 → 2\.4\.1\n/)
    // 4-6: the task steps.
    expect(step(4)).toContain("── 4/6  ota tasks summary --job DemoRollout7glPHmaDYLAYM2")
    expect(step(4)).toMatch(/Job DemoRollout\w+: 80 tasks/)
    expect(step(5)).toContain(
      "── 5/6  ota tasks list --job DemoRollout7glPHmaDYLAYM2 --status FAILED --page-size 5"
    )
    expect(out).toContain(
      "$ ota tasks list --job DemoRollout7glPHmaDYLAYM2 --status IN_PROGRESS --page-size 5"
    )
    expect(step(6)).toContain("── 6/6  ota tasks watch")
    // Step 5 shows devices that failed, with their reason, and devices upgrading, with their progress.
    const [failedPart, upgradingPart] = step(5).split("$ ota tasks list")
    const failedRows = failedPart!.split("\n").filter((line) => /^\S+ +FAILED /.test(line))
    expect(failedRows.length).toBeGreaterThan(0)
    for (const row of failedRows) expect(row).toMatch(/ FAILED +\d+% .* \S+.*\S$/)
    const upgradingRows = upgradingPart!.split("\n").filter((line) => /^\S+ +IN_PROGRESS /.test(line))
    expect(upgradingRows.length).toBeGreaterThan(0)
    for (const row of upgradingRows) expect(row).toMatch(/ IN_PROGRESS +\d{1,2}% /)
    expect(step(5)).not.toMatch(/ QUEUED /)
    // The watch is headed by the job, which ends COMPLETED with its tasks.
    expect(step(6)).toMatch(
      /\nJob DemoRollout7glPHmaDYLAYM2: 2\.4\.1 wave 2 · (IN_PROGRESS|COMPLETED) · firmware DemoFw241glPHmaDYLAYM0241 · 2\.4\.0 → 2\.4\.1\n/
    )
    expect(step(6)).toContain(
      "Job DemoRollout7glPHmaDYLAYM2: 2.4.1 wave 2 · COMPLETED · firmware DemoFw241glPHmaDYLAYM0241 · 2.4.0 → 2.4.1"
    )
    expect(out).toMatch(/Every task is finished\. Done 80 of 80 \(100\.0%\)/)
    expect(out).toMatch(/Demo finished in /)
    // Off a terminal, no progress bar is drawn full before the end.
    for (const line of out.split("\n").filter((l) => /\[#*\.*\] \d+\.\d% done/.test(l))) {
      const [, bar, share] = /\[(#*)\.*\] (\d+\.\d)% done/.exec(line)!
      if (Number(share) < 100) expect(bar!.length).toBeLessThan(20)
    }
  }, 45_000)
})
