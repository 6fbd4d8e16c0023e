/**
 * Usage errors, help pages and the version, run as the built CLI: every
 * usage error names the command, option or value at fault and what is
 * accepted, with a "did you mean" when something known is close; `USAGE`
 * shows optional options in brackets and repeatable ones with `...`.
 */
import { type Emulator, startEmulator } from "@iot-ota/emulator"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import packageJson from "../package.json" with { type: "json" }
import { expectExit, makeHome, registerSecret, runCli } from "./helpers/cli.js"

const KEY = { accessKeyId: "usage-test-key", accessKeySecret: "usage-test-Secret-9a8b7c6d" }
registerSecret(KEY.accessKeySecret)
const JOB = "UsageJob000000000000000001"

let emu: Emulator
const home = makeHome()
const env = () => ({
  OTA_ENDPOINT: emu.url,
  OTA_ACCESS_KEY_ID: KEY.accessKeyId,
  OTA_ACCESS_KEY_SECRET: KEY.accessKeySecret
})

beforeAll(async () => {
  emu = await startEmulator({
    port: 0,
    qps: 0,
    seed: 11,
    credentials: [KEY],
    jobs: [{ jobId: JOB, tasks: 120 }]
  })
})

afterAll(async () => {
  await emu?.close()
  home.cleanup()
})

const CLIENT_OPTIONS =
  "--endpoint, --profile, --secret-stdin, --access-key-id, --timeout, --retries, --qps, --signature-algorithm, --verbose"
const LIST_OPTIONS = `${CLIENT_OPTIONS}, --job, --status, --device, --page, --page-size, --all, --output, --columns`
const STATUSES = "CONFIRM, QUEUED, NOTIFIED, IN_PROGRESS, SUCCEEDED, FAILED or CANCELED"

describe("usage errors: exit 2, one line naming what is wrong, then where to look", () => {
  it.each([
    [
      ["tasks", "list", "--job", JOB, "--status", "BOGUS"],
      `--status BOGUS: not a task status; expected one of ${STATUSES} (any case)`,
      "ota tasks list"
    ],
    [
      ["tasks", "list", "--job", JOB, "-s", "faild"],
      `--status faild: not a task status (did you mean FAILED?); expected one of ${STATUSES} (any case)`,
      "ota tasks list"
    ],
    [
      ["tasks", "list", "--job", JOB, "--page-size", "abc"],
      "--page-size abc: not a whole number; expected 1 to 100",
      "ota tasks list"
    ],
    [
      ["tasks", "list", "--job", JOB, "--qps", "fast"],
      "--qps fast: not a number; expected 0 to 10000",
      "ota tasks list"
    ],
    [
      ["tasks", "list", "--job", JOB, "--retries", "10"],
      "--retries 10: out of range; expected 0 to 9",
      "ota tasks list"
    ],
    [
      ["tasks", "list", "--job", JOB, "-o", "jsn"],
      "--output jsn: not an output format (did you mean json?); expected one of table, json, ndjson or csv (any case)",
      "ota tasks list"
    ],
    [
      ["tasks", "list", "--job", JOB, "--signature-algorithm", "sha256"],
      "--signature-algorithm sha256: not a signature algorithm; expected one of HMAC-SHA1 or ACS3-HMAC-SHA256 (any case)",
      "ota tasks list"
    ],
    [
      ["tasks", "lst"],
      "tasks lst: unknown command (did you mean list?); expected list, summary or watch",
      "ota tasks"
    ],
    [
      ["taks", "list"],
      "taks: unknown command (did you mean tasks?); expected firmware, jobs, tasks, devices, emulator or demo",
      "ota"
    ],
    [
      ["tasks", "list", "--job", JOB, "--stauts", "FAILED"],
      `--stauts: unknown option for ota tasks list (did you mean --status?); its options: ${LIST_OPTIONS}`,
      "ota tasks list"
    ],
    [
      ["tasks", "list", "--bogus", "--job", JOB],
      `--bogus: unknown option for ota tasks list; its options: ${LIST_OPTIONS}`,
      "ota tasks list"
    ],
    [["tasks", "list"], "missing --job id: required by ota tasks list", "ota tasks list"],
    [["tasks", "summary", "--job"], "--job needs a value (id) and none followed", "ota tasks summary"],
    [
      ["tasks", "list", "--job", JOB, "--page", "1", "--page", "2"],
      "--page given 2 times (1, 2); it takes one value",
      "ota tasks list"
    ],
    [
      ["tasks", "list", JOB],
      `${JOB}: unexpected argument; ota tasks list takes options only (e.g. --job id)`,
      "ota tasks list"
    ],
    [
      ["tasks", "list", "--job", JOB, "--columns", "deviceName,deviceNmae"],
      "--columns deviceName,deviceNmae: unknown column deviceNmae (did you mean deviceName?); known: taskId, jobId, iotId, deviceName, productKey, productName, firmwareId, srcVersion, destVersion, version, taskStatus, progress, taskDesc, timeout, utcCreate, utcModified",
      "ota tasks list"
    ],
    [
      ["tasks", "list", "--job", JOB, "--all=maybe"],
      "--all maybe: --all is a switch; expected --all alone, or =true / =false",
      "ota tasks list"
    ],
    [
      ["tasks", "summary", "--job", JOB, "--output", "csv"],
      "--output csv: not an output format; expected one of table or json (any case)",
      "ota tasks summary"
    ],
    [
      ["firmware", "lst"],
      "firmware lst: unknown command (did you mean list?); expected list or show",
      "ota firmware"
    ],
    [
      ["jobs", "list"],
      "missing --firmware id or --device pk/name: ota jobs list lists the jobs of a firmware, or of a device (both: that firmware's jobs that include the device)",
      "ota jobs list"
    ],
    [
      ["jobs", "list", "--firmwre", "fw-1"],
      `--firmwre: unknown option for ota jobs list (did you mean --firmware?); its options: ${CLIENT_OPTIONS}, --firmware, --device, --page, --page-size, --all, --details, --output, --columns`,
      "ota jobs list"
    ],
    [
      ["jobs", "list", "--device", "lamp-0001"],
      "--device lamp-0001: not a device; expected ProductKey/DeviceName, e.g. a1GUfrM3kLp/lamp-0001 (the ProductKey is missing)",
      "ota jobs list"
    ],
    [
      ["jobs", "list", "--device", "a1GUfrM3kLp/"],
      "--device a1GUfrM3kLp/: not a device; expected ProductKey/DeviceName, e.g. a1GUfrM3kLp/lamp-0001",
      "ota jobs list"
    ],
    [
      ["jobs", "list", "--device", "a1GUfrM3kLp/lamp-0001", "--page", "2"],
      "--page needs --firmware when listing by --device: without it every firmware of the device's product is searched and every job listed",
      "ota jobs list"
    ],
    [
      ["jobs", "list", "--device", "a1GUfrM3kLp/lamp-0001", "--firmware", "fw-1", "--page-size", "150"],
      "--page-size 150: out of range with --device; expected 1 to 100",
      "ota jobs list"
    ],
    [
      ["jobs", "list", "--firmware", "fw-1", "--page-size", "201"],
      "--page-size 201: out of range; expected 1 to 200",
      "ota jobs list"
    ],
    [
      ["jobs", "list", "--firmware", "fw-1", "--columns", "jobId,staus"],
      "--columns jobId,staus: unknown column staus (did you mean jobStatus?); known: jobId, name, jobDesc, jobStatus, jobType, firmwareId, productKey, srcVersions, destVersion, version, targetSelection, selectionType, target, grayPercent, groupId, groupName, timeoutInMinutes, maximumPerMinute, retryInterval, retryCount, overwriteMode, dynamicMode, needPush, needConfirm, multiModuleMode, downloadProtocol, tags, utcCreate, utcModified, utcStartTime, utcEndTime, utcScheduleTime, utcScheduleFinishTime",
      "ota jobs list"
    ],
    [["jobs", "show"], "missing <job-id>: required by ota jobs show", "ota jobs show"],
    [
      ["jobs", "show", "job-1", "job-2"],
      "job-2: unexpected argument; ota jobs show takes <job-id> and options",
      "ota jobs show"
    ],
    [
      ["firmware", "show", " "],
      '" ": not a FirmwareId; expected a non-blank firmware-id',
      "ota firmware show"
    ],
    [
      ["firmware", "list", "--page-size", "101"],
      "--page-size 101: out of range; expected 1 to 100",
      "ota firmware list"
    ],
    [
      ["firmware", "list", "--version", "2.4.1"],
      "--version 2.4.1: --version prints ota's version; to filter by version use --dest-version 2.4.1",
      "ota firmware list"
    ],
    [["devices", "tasks"], "missing <pk/name>: required by ota devices tasks", "ota devices tasks"],
    [
      ["devices", "tasks", "lamp-0001"],
      "lamp-0001: not a device; expected ProductKey/DeviceName, e.g. a1GUfrM3kLp/lamp-0001 (the ProductKey is missing)",
      "ota devices tasks"
    ],
    [
      ["devices", "tasks", "a1GUfrM3kLp/lamp-0001", "-s", "FAILED"],
      "--status FAILED: not an unfinished task status; expected one of CONFIRM, QUEUED, NOTIFIED or IN_PROGRESS (any case)",
      "ota devices tasks"
    ],
    [
      ["devices", "tasks", "a1GUfrM3kLp/lamp-0001", "-s", "queud"],
      "--status queud: not an unfinished task status (did you mean QUEUED?); expected one of CONFIRM, QUEUED, NOTIFIED or IN_PROGRESS (any case)",
      "ota devices tasks"
    ],
    [
      ["devices", "tasks", "a1GUfrM3kLp/lamp-0001", "--columns", "progres"],
      "--columns progres: unknown column progres (did you mean progress?); known: taskId, jobId, iotId, deviceName, productKey, productName, firmwareId, moduleName, srcVersion, destVersion, version, taskStatus, progress, taskDesc, timeout, utcCreate, utcModified",
      "ota devices tasks"
    ],
    [
      ["devics"],
      "devics: unknown command (did you mean devices?); expected firmware, jobs, tasks, devices, emulator or demo",
      "ota"
    ]
  ] as const)("%j", async (args, message, command) => {
    const before = emu.stats().requests
    const result = await runCli(home.dir, args, { env: env() })
    expectExit(result, 2)
    expect(result.stderr).toBe(`ota: ${message}\nRun '${command} --help' for usage.\n`)
    expect(result.stdout).toBe("")
    expect(emu.stats().requests).toBe(before)
  })
})

describe("durations: a unit is required, one rule for every flag", () => {
  it.each([
    [["tasks", "list", "--job", JOB, "--timeout", "5"], "--timeout 5", "ota tasks list"],
    [["tasks", "watch", "--job", JOB, "--interval", "2"], "--interval 2", "ota tasks watch"],
    [["tasks", "watch", "--job", JOB, "--max-duration", "30"], "--max-duration 30", "ota tasks watch"],
    [["demo", "--rollout", "20000"], "--rollout 20000", "ota demo"]
  ] as const)("%j is refused with units suggested", async (args, flag, command) => {
    const value = flag.split(" ")[1]
    const result = await runCli(home.dir, args, { env: env() })
    expectExit(result, 2)
    expect(result.stderr).toBe(
      `ota: ${flag}: a duration needs a unit, e.g. ${value}s (seconds) or ${value}ms (milliseconds); units: ms, s, m, h\nRun '${command} --help' for usage.\n`
    )
  })

  it("out of range and unreadable durations name the flag and the bounds", async () => {
    const short = await runCli(home.dir, ["tasks", "watch", "--job", JOB, "--interval", "100ms"], {
      env: env()
    })
    expectExit(short, 2)
    expect(short.stderr.split("\n")[0]).toBe("ota: --interval 100ms: out of range; expected 200ms to 1h")
    const soon = await runCli(home.dir, ["tasks", "watch", "--job", JOB, "--interval", "soon"], {
      env: env()
    })
    expectExit(soon, 2)
    expect(soon.stderr.split("\n")[0]).toBe(
      'ota: --interval "soon": not a duration; expected a number and a unit (ms, s, m, h), e.g. 500ms, 2s, 1.5m'
    )
  })

  it("takes decimals and every unit", async () => {
    const result = await runCli(
      home.dir,
      ["tasks", "list", "--job", JOB, "--timeout", "1.5s", "--page-size", "1", "-o", "json"],
      { env: env() }
    )
    expectExit(result, 0)
    expect(JSON.parse(result.stdout)).toHaveLength(1)
  })
})

describe("statuses are matched in any case", () => {
  it("-s failed lists the FAILED tasks", async () => {
    const result = await runCli(
      home.dir,
      ["tasks", "list", "--job", JOB, "-s", "failed", "--all", "-o", "json"],
      {
        env: env()
      }
    )
    expectExit(result, 0)
    const failed = emu.tasks(JOB).filter((task) => task.TaskStatus === "FAILED")
    expect(failed.length).toBeGreaterThan(0)
    expect(JSON.parse(result.stdout).map((task: { taskId: string }) => task.taskId)).toEqual(
      failed.map((task) => task.TaskId)
    )
  })
})

describe("help", () => {
  it("USAGE: required options plain, optional ones in brackets, repeatable ones with ...", async () => {
    const result = await runCli(home.dir, ["tasks", "list", "--help"])
    expectExit(result, 0)
    const lines = result.stdout.split("\n")
    expect(lines[0]).toBe(`ota ${packageJson.version}`)
    const usage = lines.find((line) => line.startsWith("$ "))!
    expect(usage).toBe(
      "$ ota tasks list [--endpoint url] [--profile name] [--secret-stdin] [--access-key-id id] [--timeout duration] [--retries n] [--qps n] [--signature-algorithm algorithm] [--verbose] --job id [--status status] [--device name...] [--page n] [--page-size n] [--all] [--output format] [--columns a,b,c]"
    )
    // Each option keeps its description, without the generic type lines.
    expect(result.stdout).toContain(
      "(-d, --device name)...\n\n  Only this device; repeat for up to 50 devices."
    )
    expect(result.stdout).not.toMatch(/A user-defined piece of text|This setting is optional|An integer\./)
    expect(result.stdout).toContain(
      "(-s, --status status)\n\n  Only tasks in this status. One of: CONFIRM, QUEUED, NOTIFIED, IN_PROGRESS, SUCCEEDED, FAILED, CANCELED (any case)."
    )
  })

  it("USAGE of the read path's commands: positional ids last, repeatable --status, optional filters", async () => {
    const usageOf = async (...path: Array<string>) => {
      const result = await runCli(home.dir, [...path, "--help"])
      expectExit(result, 0)
      return { usage: result.stdout.split("\n").find((line) => line.startsWith("$ "))!, text: result.stdout }
    }
    const common =
      "[--endpoint url] [--profile name] [--secret-stdin] [--access-key-id id] [--timeout duration] [--retries n] [--qps n] [--signature-algorithm algorithm] [--verbose]"
    expect((await usageOf("firmware", "list")).usage).toBe(
      `$ ota firmware list ${common} [--product pk] [--dest-version version] [--page n] [--page-size n] [--all] [--output format] [--columns a,b,c]`
    )
    const show = await usageOf("firmware", "show")
    expect(show.usage).toBe(`$ ota firmware show ${common} [--output format] <firmware-id>`)
    expect(show.text).toContain("ARGUMENTS\n\n<firmware-id>\n\n  The firmware (FirmwareId)")
    expect((await usageOf("jobs", "list")).usage).toBe(
      `$ ota jobs list ${common} [--firmware id] [--device pk/name] [--page n] [--page-size n] [--all] [--details] [--output format] [--columns a,b,c]`
    )
    expect((await usageOf("jobs", "show")).usage).toBe(`$ ota jobs show ${common} [--output format] <job-id>`)
    const tasks = await usageOf("devices", "tasks")
    expect(tasks.usage).toBe(
      `$ ota devices tasks ${common} [--status status...] [--module name] [--output format] [--columns a,b,c] <pk/name>`
    )
    expect(tasks.text).toContain(
      "(-s, --status status)...\n\n  Only tasks in this status; repeat for several (default: every unfinished status). One of: CONFIRM, QUEUED, NOTIFIED, IN_PROGRESS (any case)."
    )
    expect((await usageOf("jobs", "list")).text).toContain(
      "(-d, --device pk/name)\n\n  The jobs that include this device, named ProductKey/DeviceName."
    )
  })

  it("says the duration rule in every --help with a duration", async () => {
    for (const [args, flags] of [
      [["tasks", "list"], ["--timeout"]],
      [
        ["tasks", "watch"],
        ["--timeout", "--interval", "--max-duration"]
      ],
      [["demo"], ["--rollout", "--interval"]]
    ] as const) {
      const result = await runCli(home.dir, [...args, "--help"])
      expectExit(result, 0)
      for (const flag of flags) {
        const entry = result.stdout.slice(result.stdout.indexOf(`${flag} duration\n`))
        expect(entry.split("\n\n")[1]).toContain("A duration needs a unit: ms, s, m or h (500ms, 2s, 1.5m).")
      }
    }
  })

  it("lists the subcommands one per line, and a command given no subcommand shows its help", async () => {
    const result = await runCli(home.dir, ["tasks"])
    expectExit(result, 0)
    expect(result.stdout).toContain("$ ota tasks <command>\n")
    expect(result.stdout).toMatch(
      /\nCOMMANDS\n\n {2}list +List the upgrade tasks of a job[^\n]*\n {2}summary +Count/
    )
  })

  it("--version prints the package version, one line", async () => {
    const result = await runCli(home.dir, ["--version"])
    expectExit(result, 0)
    expect(result.stdout).toBe(`${packageJson.version}\n`)
  })
})
