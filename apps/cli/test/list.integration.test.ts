/**
 * `ota tasks list` against the emulator over real HTTP: every output format
 * read back and compared with the emulator's ground truth.
 */
import { spawn } from "node:child_process"
import { type Emulator, startEmulator } from "@iot-ota/emulator"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  baseEnv,
  type CliResult,
  expectExit,
  makeHome,
  otaBin,
  registerSecret,
  runCli
} from "./helpers/cli.js"
import { expectedCsv, expectedJson, FIELDS, parseCsv, parseTable } from "./helpers/data.js"

const KEY = { accessKeyId: "list-test-key", accessKeySecret: "list-test-Secret-9f8e7d" }
registerSecret(KEY.accessKeySecret)

const JOB = "ListJob0000000000000000001"
const TRICKY = "ListJobTricky0000000000002"
const TRICKY_DESC = 'failed: "bad, checksum"\r\nretry later; 中文描述'

let emu: Emulator
const home = makeHome()
const env = () => ({
  OTA_ENDPOINT: emu.url,
  OTA_ACCESS_KEY_ID: KEY.accessKeyId,
  OTA_ACCESS_KEY_SECRET: KEY.accessKeySecret
})
const ota = (...args: Array<string>): Promise<CliResult> => runCli(home.dir, args, { env: env() })

beforeAll(async () => {
  emu = await startEmulator({
    port: 0,
    qps: 0,
    seed: 11,
    credentials: [KEY],
    jobs: [
      { jobId: JOB, tasks: 237 },
      {
        jobId: TRICKY,
        tasks: [
          { DeviceName: "dev-quote", TaskStatus: "FAILED", TaskDesc: TRICKY_DESC },
          { DeviceName: "dev-plain", TaskStatus: "SUCCEEDED" },
          { DeviceName: "dev-wide-名前", TaskStatus: "IN_PROGRESS", Progress: "42.00" }
        ]
      }
    ]
  })
})

afterAll(async () => {
  await emu?.close()
  home.cleanup()
})

describe("one page", () => {
  it("prints a table of the first page with a footer", async () => {
    const result = await ota("tasks", "list", "--job", JOB)
    expectExit(result, 0)
    const table = parseTable(result.stdout)
    expect(table.header).toEqual(["DEVICE", "STATUS", "PROGRESS", "VERSION", "MODIFIED (UTC)", "DESCRIPTION"])
    const truth = emu.tasks(JOB).slice(0, 10)
    expect(table.rows.map((row) => row[0])).toEqual(truth.map((task) => task.DeviceName))
    expect(table.rows.map((row) => row[1])).toEqual(truth.map((task) => task.TaskStatus))
    expect(table.rows.map((row) => row[2])).toEqual(
      truth.map((task) => `${Math.round(Number(task.Progress))}%`)
    )
    expect(table.rows.map((row) => row[3])).toEqual(
      truth.map((task) => `${task.SrcVersion} → ${task.DestVersion}`)
    )
    expect(result.stdout).toContain("Page 1 of 24: tasks 1-10 of 237.")
    // Not a terminal and NO_COLOR: no escape sequences at all.
    expect(result.stdout).not.toContain("\u001b")
  })

  it("prints the page asked for, as JSON", async () => {
    const result = await ota("tasks", "list", "--job", JOB, "--page", "3", "--page-size", "7", "-o", "json")
    expectExit(result, 0)
    expect(JSON.parse(result.stdout)).toEqual(emu.tasks(JOB).slice(14, 21).map(expectedJson))
  })

  it("filters by status and by repeated --device", async () => {
    const truth = emu.tasks(JOB)
    const failed = truth.filter((task) => task.TaskStatus === "FAILED")
    const byStatus = await ota(
      "tasks",
      "list",
      "--job",
      JOB,
      "--status",
      "FAILED",
      "--page-size",
      "100",
      "-o",
      "ndjson"
    )
    expectExit(byStatus, 0)
    expect(
      byStatus.stdout
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line))
    ).toEqual(failed.map(expectedJson))

    const picked = [truth[5]!, truth[77]!]
    const byDevice = await ota(
      "tasks",
      "list",
      "--job",
      JOB,
      "--device",
      picked[0]!.DeviceName,
      "-d",
      picked[1]!.DeviceName,
      "-o",
      "json"
    )
    expectExit(byDevice, 0)
    expect(JSON.parse(byDevice.stdout)).toEqual(picked.map(expectedJson))
    expect(byDevice.stderr).toBe("")
  })

  it("names the --device names that match no task on stderr, leaving the data alone", async () => {
    const truth = emu.tasks(JOB)
    const known = truth.slice(0, 12).map((task) => task.DeviceName)
    const unknown = ["no-such-device", "nor-this-one"]
    const devices = [...known.slice(0, 6), unknown[0]!, ...known.slice(6), unknown[1]!]
    const args = ["tasks", "list", "--job", JOB, ...devices.flatMap((name) => ["-d", name])]
    const expected = `ota: no task for --device no-such-device, nor-this-one in job ${JOB}\n`
    // With device names the service answers every matching task on one page.
    const page = await ota(...args, "-o", "json")
    expectExit(page, 0)
    expect(JSON.parse(page.stdout)).toEqual(truth.slice(0, 12).map(expectedJson))
    expect(page.stderr).toBe(expected)
    const all = await ota(...args, "--all", "-o", "ndjson")
    expectExit(all, 0)
    expect(all.stdout.trim().split("\n")).toHaveLength(12)
    expect(all.stderr).toBe(expected)
    const table = await ota(...args, "--status", "SUCCEEDED", "--page-size", "100")
    expectExit(table, 0)
    const succeeded = new Set(
      truth.filter((task) => task.TaskStatus === "SUCCEEDED").map((task) => task.DeviceName)
    )
    const unmatched = devices.filter((name) => !succeeded.has(name))
    expect(table.stderr).toBe(
      `ota: no task in status SUCCEEDED for --device ${unmatched.join(", ")} in job ${JOB}\n`
    )
  })

  it("prints an empty page as an empty table, array or header", async () => {
    const none = ["tasks", "list", "--job", JOB, "--device", "no-such-device"]
    const table = await ota(...none)
    expectExit(table, 0)
    expect(table.stdout).toContain("No tasks.")
    expect(table.stderr).toBe(`ota: no task for --device no-such-device in job ${JOB}\n`)
    const json = await ota(...none, "-o", "json")
    expect(JSON.parse(json.stdout)).toEqual([])
    const csv = await ota(...none, "-o", "csv")
    expect(parseCsv(csv.stdout)).toEqual([[...FIELDS]])
  })
})

describe("--all", () => {
  it("json: one array holding every task exactly once, in order", async () => {
    const result = await ota("tasks", "list", "--job", JOB, "--all", "-o", "json")
    expectExit(result, 0)
    const tasks = JSON.parse(result.stdout) as Array<{ taskId: string }>
    expect(tasks).toHaveLength(237)
    expect(new Set(tasks.map((task) => task.taskId)).size).toBe(237)
    expect(tasks).toEqual(emu.tasks(JOB).map(expectedJson))
  })

  it("ndjson: one task per line, every task once", async () => {
    const result = await ota(
      "tasks",
      "list",
      "--job",
      JOB,
      "--all",
      "--output",
      "ndjson",
      "--page-size",
      "50"
    )
    expectExit(result, 0)
    expect(result.stdout.endsWith("\n")).toBe(true)
    const lines = result.stdout.slice(0, -1).split("\n")
    expect(lines).toHaveLength(237)
    expect(lines.map((line) => JSON.parse(line))).toEqual(emu.tasks(JOB).map(expectedJson))
  })

  it("csv: RFC 4180 with a header row and CRLF, every field of every task", async () => {
    const result = await ota("tasks", "list", "--job", JOB, "--all", "-o", "csv")
    expectExit(result, 0)
    expect(result.stdout.endsWith("\r\n")).toBe(true)
    const [header, ...rows] = parseCsv(result.stdout)
    expect(header).toEqual([...FIELDS])
    expect(rows).toEqual(emu.tasks(JOB).map(expectedCsv))
  })

  it("table: every task, then a count", async () => {
    const result = await ota("tasks", "list", "--job", JOB, "--all", "--columns", "taskId,deviceName")
    expectExit(result, 0)
    const table = parseTable(result.stdout)
    expect(table.header).toEqual(["TASK ID", "DEVICE"])
    expect(table.rows).toEqual(emu.tasks(JOB).map((task) => [task.TaskId, task.DeviceName]))
    expect(result.stdout).toContain("237 tasks.")
  })

  it("starts from --page", async () => {
    const result = await ota(
      "tasks",
      "list",
      "--job",
      JOB,
      "--all",
      "--page",
      "3",
      "--page-size",
      "100",
      "-o",
      "ndjson"
    )
    expectExit(result, 0)
    const ids = result.stdout
      .trim()
      .split("\n")
      .map((line) => (JSON.parse(line) as { taskId: string }).taskId)
    expect(ids).toEqual(
      emu
        .tasks(JOB)
        .slice(200)
        .map((task) => task.TaskId)
    )
  })

  it("stops quietly with exit 0 when the reader of stdout goes away", async () => {
    const child = spawn(
      process.execPath,
      [otaBin, "tasks", "list", "--job", JOB, "--all", "-o", "ndjson", "--page-size", "10"],
      {
        env: { ...baseEnv(home.dir), ...env() },
        stdio: ["ignore", "pipe", "pipe"]
      }
    )
    let stderr = ""
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
    // Read the first chunk, then close our end of the pipe, as `| head -1` does.
    child.stdout.once("data", () => child.stdout.destroy())
    const code = await new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)))
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" })
  })
})

describe("--columns", () => {
  it("chooses and orders the CSV columns", async () => {
    const result = await ota(
      "tasks",
      "list",
      "--job",
      JOB,
      "-o",
      "csv",
      "--columns",
      "deviceName,taskStatus,progress"
    )
    expectExit(result, 0)
    expect(parseCsv(result.stdout)).toEqual([
      ["deviceName", "taskStatus", "progress"],
      ...emu
        .tasks(JOB)
        .slice(0, 10)
        .map((task) => [task.DeviceName, task.TaskStatus, String(Number(task.Progress))])
    ])
  })

  it("projects JSON objects onto the columns, names matched case-insensitively", async () => {
    const result = await ota("tasks", "list", "--job", JOB, "-o", "json", "--columns", "DEVICENAME,version")
    expectExit(result, 0)
    expect(JSON.parse(result.stdout)).toEqual(
      emu
        .tasks(JOB)
        .slice(0, 10)
        .map((task) => ({ deviceName: task.DeviceName, version: `${task.SrcVersion} → ${task.DestVersion}` }))
    )
  })
})

describe("awkward data", () => {
  it("quotes commas, quotes and line breaks in CSV, and reads back exactly", async () => {
    const result = await ota(
      "tasks",
      "list",
      "--job",
      TRICKY,
      "-o",
      "csv",
      "--columns",
      "deviceName,taskDesc"
    )
    expectExit(result, 0)
    expect(result.stdout).toContain('"failed: ""bad, checksum""\r\nretry later; 中文描述"')
    expect(parseCsv(result.stdout)).toEqual([
      ["deviceName", "taskDesc"],
      ["dev-quote", TRICKY_DESC],
      ["dev-plain", ""],
      ["dev-wide-名前", ""]
    ])
  })

  it("keeps a table row on one line and fits it to COLUMNS, counting wide characters as two cells", async () => {
    const result = await runCli(home.dir, ["tasks", "list", "--job", TRICKY], {
      env: { ...env(), COLUMNS: "70" }
    })
    expectExit(result, 0)
    const lines = result.stdout.split("\n")
    const body = lines.slice(0, lines.indexOf(""))
    expect(body).toHaveLength(4)
    const width = (line: string) =>
      [...line].reduce((n, char) => n + (/[\u3000-\u9fff\uff00-\uff60]/.test(char) ? 2 : 1), 0)
    for (const line of body) expect(width(line)).toBeLessThanOrEqual(70)
    expect(body[1]).toContain("dev-quote")
    expect(body[1]).toContain("…")
    expect(result.stdout).not.toContain("\r")
  })

  it("colours statuses when forced, and NO_COLOR wins over FORCE_COLOR", async () => {
    const forced = await runCli(home.dir, ["tasks", "list", "--job", TRICKY], {
      env: { ...env(), NO_COLOR: undefined, FORCE_COLOR: "1" }
    })
    expect(forced.stdout).toContain("\u001b[31mFAILED")
    expect(forced.stdout).toContain("\u001b[32mSUCCEEDED")
    expect(forced.stdout).toContain("\u001b[33mIN_PROGRESS")
    const plain = await runCli(home.dir, ["tasks", "list", "--job", TRICKY], {
      env: { ...env(), NO_COLOR: "1", FORCE_COLOR: "1" }
    })
    expect(plain.stdout).not.toContain("\u001b")
  })
})
