/**
 * `--help`, `--version`, completions, `tasks summary`, `tasks watch`,
 * `ota emulator` and `ota demo`, each run as the built CLI.
 */
import { spawn } from "node:child_process"
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
    [[], "$ ota", ["tasks list", "tasks summary", "tasks watch", "emulator", "demo"]],
    [["tasks"], "$ ota tasks", ["list", "summary", "watch"]],
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
    expect(result.stdout).toContain("ota,tasks,list")
    expect(result.stdout).toContain("--page-size")
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
      jobs: [{ jobId: "Rollout", tasks: 60, rollout: { durationMs: 2500, failureRate: 0.2 } }]
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
    const rollout = await startEmulator({
      port: 0,
      qps: 0,
      seed: 9,
      credentials: [KEY],
      jobs: [{ jobId: "Blip", tasks: 30, rollout: { durationMs: 2000 } }]
    })
    try {
      const child = spawn(
        process.execPath,
        [otaBin, "tasks", "watch", "--job", "Blip", "--interval", "300ms", "--qps", "0", "--retries", "0"],
        { env: { ...baseEnv(home.dir), ...env(rollout.url) }, stdio: ["ignore", "pipe", "pipe"] }
      )
      let stdout = ""
      let stderr = ""
      child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
        // After the first refresh, the next call answers 503 once.
        if (stdout === "") rollout.setFaults({ sequence: ["ServiceUnavailable"] })
        stdout += chunk
      })
      const code = await new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)))
      expect({ code, stderr }).toMatchObject({ code: 0 })
      expect(stderr).toMatch(
        /^ota: warning: refresh failed at \d\d:\d\d:\d\d UTC \(ServiceUnavailable: .*\(request id [0-9A-F-]{36}\)\); retrying in 300 ms\n$/
      )
      expect(stdout).toMatch(/Every task is finished\. Done 30 of 30/)
    } finally {
      await rollout.close()
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
  it("runs summary, list and watch on a local rollout and exits 0, with no account", async () => {
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
    expect(out).toContain("── 1/3  ota tasks summary")
    expect(out).toContain(
      "── 2/3  ota tasks list --job DemoRollout7glPHmaDYLAYM2 --status FAILED --page-size 5"
    )
    expect(out).toContain(
      "$ ota tasks list --job DemoRollout7glPHmaDYLAYM2 --status IN_PROGRESS --page-size 5"
    )
    expect(out).toContain("── 3/3  ota tasks watch")
    expect(out).toMatch(/Job DemoRollout\w+: 80 tasks/)
    // Step 2 shows devices that failed, with their reason, and devices upgrading, with their progress.
    const step2 = out.slice(out.indexOf("── 2/3"), out.indexOf("── 3/3"))
    const [failedPart, upgradingPart] = step2.split("$ ota tasks list")
    const failedRows = failedPart!.split("\n").filter((line) => /^\S+ +FAILED /.test(line))
    expect(failedRows.length).toBeGreaterThan(0)
    for (const row of failedRows) expect(row).toMatch(/ FAILED +\d+% .* \S+.*\S$/)
    const upgradingRows = upgradingPart!.split("\n").filter((line) => /^\S+ +IN_PROGRESS /.test(line))
    expect(upgradingRows.length).toBeGreaterThan(0)
    for (const row of upgradingRows) expect(row).toMatch(/ IN_PROGRESS +\d{1,2}% /)
    expect(step2).not.toMatch(/ QUEUED /)
    expect(out).toMatch(/Every task is finished\. Done 80 of 80 \(100\.0%\)/)
    expect(out).toMatch(/Demo finished in /)
    // Off a terminal, no progress bar is drawn full before the end.
    for (const line of out.split("\n").filter((l) => /\[#*\.*\] \d+\.\d% done/.test(l))) {
      const [, bar, share] = /\[(#*)\.*\] (\d+\.\d)% done/.exec(line)!
      if (Number(share) < 100) expect(bar!.length).toBeLessThan(20)
    }
  }, 45_000)
})
