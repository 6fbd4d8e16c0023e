/**
 * `ota firmware list|show`, `ota jobs list|show` and `ota devices tasks`
 * against the emulator over real HTTP: every command in every output format,
 * read back and compared with the emulator's ground truth (`emu.firmware`,
 * `emu.job(id)`, `emu.tasks(id)`); `--all` delivers 250 firmware and 250 jobs
 * each exactly once; unknown firmware, jobs, products and devices end with
 * the service's code and exit 4; a server that breaks the paging contract
 * ends with a PaginationError and exit 4; both key casings decode alike.
 */
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { type Emulator, startEmulator } from "@iot-ota/emulator"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  firmwareDetail,
  firmwareSummary,
  jobDetail,
  jobSummary,
  UNFINISHED_STATUSES,
  unfinishedTask
} from "../../../packages/core/test/helpers/groundTruth.js"
import { type CliResult, expectExit, makeHome, registerSecret, runCli } from "./helpers/cli.js"
import { parseCsv } from "./helpers/data.js"

const KEY = { accessKeyId: "readpath-test-key", accessKeySecret: "readpath-test-Secret-5e6f7a8b" }
registerSecret(KEY.accessKeySecret)

const LAMP = "a1RdLamp001"
const BULK = "a1RdBulk002"
const HUB = "a1RdHub0003"
const MAIN_FW = "RdFwMain00000000000000200"
const MCU_FW = "RdFwMcu000000000000000120"
const MANY_FW = "RdFwMany00000000000000999"
const BULK_FIRMWARE = 247
const MANY_JOBS = 250

let emu: Emulator
let tuya: Emulator
const home = makeHome()
const env = (url = emu.url) => ({
  OTA_ENDPOINT: url,
  OTA_ACCESS_KEY_ID: KEY.accessKeyId,
  OTA_ACCESS_KEY_SECRET: KEY.accessKeySecret
})
/** `ota args...` against the emulator, without the client's rate limit (the emulator has none). */
const ota = (...args: Array<string>): Promise<CliResult> =>
  runCli(home.dir, [...args, "--qps", "0"], { env: env() })

const dataset = {
  port: 0,
  qps: 0,
  seed: 21,
  credentials: [KEY],
  products: [{ productKey: LAMP }, { productKey: BULK }, { productKey: HUB }],
  firmware: [
    { firmwareId: MAIN_FW, productKey: LAMP, destVersion: "2.0.0" },
    { firmwareId: MCU_FW, productKey: LAMP, destVersion: "1.2.0", srcVersion: "1.1.9", moduleName: "mcu" },
    { firmwareId: MANY_FW, productKey: HUB, destVersion: "9.9.9" },
    ...Array.from({ length: BULK_FIRMWARE }, (_, i) => ({
      firmwareId: `RdFwBulk${String(i).padStart(17, "0")}`,
      productKey: BULK,
      destVersion: `1.0.${i}`
    }))
  ],
  jobs: [
    { jobId: "RdJobMain1", tasks: 40, firmwareId: MAIN_FW },
    {
      jobId: "RdJobMain2",
      tasks: 25,
      firmwareId: MAIN_FW,
      name: "2.0.0 wave 2",
      statusMix: { QUEUED: 1, CONFIRM: 1, NOTIFIED: 1, IN_PROGRESS: 1 }
    },
    { jobId: "RdJobMcu", tasks: 30, firmwareId: MCU_FW, statusMix: { QUEUED: 1 } },
    ...Array.from({ length: MANY_JOBS }, (_, i) => ({
      jobId: `RdJobMany${String(i).padStart(3, "0")}`,
      tasks: 1,
      firmwareId: MANY_FW
    }))
  ]
} as const

beforeAll(async () => {
  ;[emu, tuya] = await Promise.all([
    startEmulator(dataset),
    startEmulator({ ...dataset, casing: "tuya", jobs: dataset.jobs.slice(0, 3) })
  ])
})

afterAll(async () => {
  await Promise.all([emu?.close(), tuya?.close()])
  home.cleanup()
})

/** The service refused the request: exit 4, nothing on stdout, one stderr line with its code and request id. */
const expectRefused = (result: CliResult, code: string) => {
  expectExit(result, 4)
  expect(result.stdout).toBe("")
  expect(result.stderr).toMatch(
    new RegExp(`^ota: ${code.replaceAll(".", "\\.")}: .*\\(request id [0-9A-F-]{36}\\)\\n$`)
  )
}

// ---- ground truth, as the CLI's JSON prints it -------------------------------------------

/** The unfinished tasks of a device over every job of its product, with their firmware's module. */
const unfinishedOf = (server: Emulator, productKey: string, deviceName: string) =>
  server.jobs
    .filter((job) => job.productKey === productKey)
    .flatMap((job) => {
      const moduleName = server.firmware.find((f) => f.FirmwareId === job.firmwareId)!.ModuleName
      return server
        .tasks(job.jobId)
        .filter((task) => task.DeviceName === deviceName && UNFINISHED_STATUSES.has(task.TaskStatus))
        .map((task) => ({ task, moduleName }))
    })

const jobsOf = (firmwareId: string) => emu.jobs.filter((job) => job.firmwareId === firmwareId)

const ndjson = (text: string): Array<Record<string, unknown>> =>
  text
    .trim()
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line))

/** Table rows split at runs of two or more spaces (every cell of the tables read here is non-empty). */
const tableRows = (text: string): Array<Array<string>> => {
  const lines = text.split("\n")
  const end = lines.indexOf("")
  return lines.slice(0, end === -1 ? undefined : end).map((line) => line.trim().split(/ {2,}/))
}

/** `label  value` lines of a `show` table. */
const recordTable = (text: string): Record<string, string> =>
  Object.fromEntries(
    text
      .trimEnd()
      .split("\n")
      .map((line) => {
        const [label, ...rest] = line.split(/ {2,}/)
        return [label!, rest.join("  ")]
      })
  )

// ---- firmware -----------------------------------------------------------------------------

describe("ota firmware list", () => {
  it("prints the first page as a table: id, name, product, versions, status, size, created; a footer", async () => {
    const result = await ota("firmware", "list")
    expectExit(result, 0)
    const [header, ...rows] = tableRows(result.stdout)
    expect(header).toEqual([
      "FIRMWARE ID",
      "NAME",
      "PRODUCT KEY",
      "VERSION",
      "STATUS",
      "SIZE",
      "CREATED (UTC)"
    ])
    const truth = emu.firmware.slice(0, 10)
    expect(rows.map((row) => row[0])).toEqual(truth.map((f) => f.FirmwareId))
    expect(rows.map((row) => row[1])).toEqual(truth.map((f) => f.FirmwareName))
    expect(rows.map((row) => row[2])).toEqual(truth.map((f) => f.ProductKey))
    expect(rows.map((row) => row[3])).toEqual(truth.map((f) => `${f.SrcVersion ?? "any"} → ${f.DestVersion}`))
    // Verified once a job uses it, unverified otherwise (the emulator's rule).
    expect(rows.map((row) => row[4])).toEqual(truth.map((f) => (f.Status === 1 ? "verified" : "unverified")))
    expect(rows.map((row) => row[5])).toEqual(
      truth.map((f) =>
        f.FirmwareSize >= 1024 * 1024
          ? `${(f.FirmwareSize / 1024 / 1024).toFixed(1)} MiB`
          : `${(f.FirmwareSize / 1024).toFixed(1)} KiB`
      )
    )
    expect(rows.map((row) => row[6])).toEqual(truth.map((f) => f.UtcCreate.slice(0, 19).replace("T", " ")))
    expect(result.stdout).toContain(
      "Page 1 of 25: firmware 1-10 of 250. Next: --page 2; every firmware: --all."
    )
  })

  it("prints the page asked for as JSON, and filters by --product and --dest-version", async () => {
    const page = await ota("firmware", "list", "--page", "3", "--page-size", "7", "-o", "json")
    expectExit(page, 0)
    expect(JSON.parse(page.stdout)).toEqual(emu.firmware.slice(14, 21).map(firmwareSummary))
    const lamp = await ota("firmware", "list", "--product", LAMP, "-o", "json")
    expectExit(lamp, 0)
    expect(JSON.parse(lamp.stdout)).toEqual(
      emu.firmware.filter((f) => f.ProductKey === LAMP).map(firmwareSummary)
    )
    const version = await ota("firmware", "list", "--dest-version", "1.0.42", "-o", "ndjson")
    expectExit(version, 0)
    expect(ndjson(version.stdout)).toEqual(
      emu.firmware.filter((f) => f.DestVersion === "1.0.42").map(firmwareSummary)
    )
    expect(ndjson(version.stdout)).toHaveLength(1)
  })

  it("--all delivers every firmware exactly once, in every format", async () => {
    const truth = emu.firmware.map(firmwareSummary)
    expect(truth).toHaveLength(250)
    emu.resetStats()
    const lines = await ota("firmware", "list", "--all", "-o", "ndjson")
    expectExit(lines, 0)
    expect(ndjson(lines.stdout)).toEqual(truth)
    // Pages of 100 by default: the fewest requests.
    expect(emu.stats().byAction.ListOTAFirmware).toBe(3)
    const small = await ota("firmware", "list", "--all", "--page-size", "7", "-o", "json")
    expectExit(small, 0)
    expect(JSON.parse(small.stdout)).toEqual(truth)
    const csv = await ota("firmware", "list", "--all", "-o", "csv")
    expectExit(csv, 0)
    const [header, ...rows] = parseCsv(csv.stdout)
    expect(header).toEqual(
      Object.keys(firmwareSummary(emu.firmware.find((f) => f.SrcVersion !== undefined)!))
    )
    expect(rows.map((row) => row[0])).toEqual(emu.firmware.map((f) => f.FirmwareId))
    expect(new Set(rows.map((row) => row[0])).size).toBe(250)
    const table = await ota("firmware", "list", "--all")
    expectExit(table, 0)
    expect(table.stdout.trimEnd().split("\n").at(-1)).toBe("250 firmware.")
    expect(tableRows(table.stdout)).toHaveLength(251)
  })

  it("--all from a later page, with --columns", async () => {
    const result = await ota(
      "firmware",
      "list",
      "--all",
      "--page",
      "3",
      "--page-size",
      "100",
      "--columns",
      "firmwareId,destVersion,version",
      "-o",
      "csv"
    )
    expectExit(result, 0)
    expect(parseCsv(result.stdout)).toEqual([
      ["firmwareId", "destVersion", "version"],
      ...emu.firmware
        .slice(200)
        .map((f) => [f.FirmwareId, f.DestVersion, `${f.SrcVersion ?? ""} → ${f.DestVersion}`])
    ])
  })

  it("an unknown product is the service's not-found answer, exit 4", async () => {
    const result = await ota("firmware", "list", "--product", "a1NoSuchPk9")
    expectRefused(result, "iot.prod.NotExistedProduct")
  })
})

describe("ota firmware show", () => {
  const firmware = () => emu.firmware.find((f) => f.FirmwareId === MCU_FW)!

  it("json: one object with every field, the download URL whole", async () => {
    const result = await ota("firmware", "show", MCU_FW, "-o", "json")
    expectExit(result, 0)
    expect(JSON.parse(result.stdout)).toEqual(firmwareDetail(firmware()))
    // One object, indented for reading.
    expect(result.stdout.startsWith("{\n  ")).toBe(true)
  })

  it("ndjson: one line; csv: a header and one record", async () => {
    const line = await ota("firmware", "show", MCU_FW, "-o", "ndjson")
    expectExit(line, 0)
    expect(line.stdout.split("\n")).toHaveLength(2)
    expect(JSON.parse(line.stdout)).toEqual(firmwareDetail(firmware()))
    const csv = await ota("firmware", "show", "-o", "csv", MCU_FW)
    expectExit(csv, 0)
    const [header, row, ...rest] = parseCsv(csv.stdout)
    expect(rest).toEqual([])
    expect(Object.fromEntries(header!.map((name, i) => [name, row![i]]))).toMatchObject({
      firmwareId: MCU_FW,
      moduleName: "mcu",
      srcVersion: "1.1.9",
      destVersion: "1.2.0",
      firmwareUrl: firmware().FirmwareUrl,
      firmwareSize: String(firmware().FirmwareSize)
    })
  })

  it("table: a label and a value per field, the URL's signed query hidden", async () => {
    const result = await ota("firmware", "show", MCU_FW)
    expectExit(result, 0)
    const f = firmware()
    const fields = recordTable(result.stdout)
    expect(fields).toMatchObject({
      "FIRMWARE ID": MCU_FW,
      NAME: f.FirmwareName,
      "PRODUCT KEY": LAMP,
      PRODUCT: f.ProductName,
      MODULE: "mcu",
      VERSION: "1.1.9 → 1.2.0",
      TYPE: "differential",
      STATUS: "verified",
      VERIFIED: "100%",
      "SIGN METHOD": f.SignMethod,
      SIGNATURE: f.FirmwareSign,
      URL: `${f.FirmwareUrl.split("?")[0]}?…`,
      "CREATED (UTC)": f.UtcCreate.slice(0, 19).replace("T", " ")
    })
    expect(f.FirmwareUrl).toContain("Signature=")
    expect(result.stdout).not.toContain("Signature=")
  })

  it("an unknown firmware is iot.ota.FirmwareNotFound, exit 4", async () => {
    const result = await ota("firmware", "show", "RdFwNoSuchFirmware0000000")
    expectRefused(result, "iot.ota.FirmwareNotFound")
  })
})

// ---- jobs ---------------------------------------------------------------------------------

describe("ota jobs list --firmware", () => {
  it("prints a table: id, status, type, target, tags, created, started; a footer", async () => {
    const result = await ota("jobs", "list", "--firmware", MAIN_FW)
    expectExit(result, 0)
    const [header, ...rows] = tableRows(result.stdout)
    expect(header).toEqual(["JOB ID", "STATUS", "TYPE", "TARGET", "TAGS", "CREATED (UTC)", "STARTED (UTC)"])
    const truth = jobsOf(MAIN_FW).map((job) => emu.job(job.jobId))
    expect(rows).toEqual(
      truth.map((job) => [
        job.JobId,
        job.JobStatus,
        job.JobType,
        `${job.TargetSelection}${job.GrayPercent === undefined ? "" : ` ${job.GrayPercent}%`} (${job.SelectionType.toLowerCase()})`,
        job.Tags!.OtaTagDTO.map((tag) => `${tag.Key}=${tag.Value}`).join(", "),
        job.UtcCreate.slice(0, 19).replace("T", " "),
        job.UtcStartTime.slice(0, 19).replace("T", " ")
      ])
    )
    expect(result.stdout).toContain("Page 1 of 1: jobs 1-2 of 2.")
  })

  it("--all delivers 250 jobs exactly once, in every format", async () => {
    const truth = jobsOf(MANY_FW).map((job) => jobSummary(emu.job(job.jobId)))
    expect(truth).toHaveLength(MANY_JOBS)
    emu.resetStats()
    const lines = await ota("jobs", "list", "--firmware", MANY_FW, "--all", "-o", "ndjson")
    expectExit(lines, 0)
    expect(ndjson(lines.stdout)).toEqual(truth)
    // Pages of 200, the listing's maximum.
    expect(emu.stats().byAction.ListOTAJobByFirmware).toBe(2)
    const json = await ota("jobs", "list", "-f", MANY_FW, "-a", "--page-size", "9", "-o", "json")
    expectExit(json, 0)
    expect(JSON.parse(json.stdout)).toEqual(truth)
    const csv = await ota("jobs", "list", "--firmware", MANY_FW, "--all", "-o", "csv")
    expectExit(csv, 0)
    const [header, ...rows] = parseCsv(csv.stdout)
    expect(header).toEqual([
      "jobId",
      "firmwareId",
      "productKey",
      "jobStatus",
      "jobType",
      "selectionType",
      "targetSelection",
      "tags",
      "utcCreate",
      "utcModified",
      "utcStartTime",
      "utcEndTime"
    ])
    expect(rows.map((row) => row[0])).toEqual(truth.map((job) => job.jobId))
    // A structured field is its JSON text: exact, one CSV field.
    expect(rows.map((row) => JSON.parse(row[7]!))).toEqual(truth.map((job) => job.tags))
    const table = await ota("jobs", "list", "--firmware", MANY_FW, "--all")
    expectExit(table, 0)
    expect(tableRows(table.stdout)).toHaveLength(MANY_JOBS + 1)
    expect(table.stdout.trimEnd().split("\n").at(-1)).toBe("250 jobs.")
  })

  it("one page as JSON", async () => {
    const result = await ota(
      "jobs",
      "list",
      "--firmware",
      MANY_FW,
      "--page",
      "4",
      "--page-size",
      "11",
      "-o",
      "json"
    )
    expectExit(result, 0)
    expect(JSON.parse(result.stdout)).toEqual(
      jobsOf(MANY_FW)
        .slice(33, 44)
        .map((job) => jobSummary(emu.job(job.jobId)))
    )
  })

  it("--details completes each job with QueryOTAJob: name and versions in the table, whole jobs in JSON", async () => {
    const truth = jobsOf(MAIN_FW).map((job) => emu.job(job.jobId))
    emu.resetStats()
    const json = await ota("jobs", "list", "--firmware", MAIN_FW, "--details", "-o", "json")
    expectExit(json, 0)
    expect(JSON.parse(json.stdout)).toEqual(truth.map(jobDetail))
    // One listing, one QueryOTAJob per job listed.
    expect(emu.stats().byAction).toEqual({ ListOTAJobByFirmware: 1, QueryOTAJob: truth.length })
    const table = await ota("jobs", "list", "--firmware", MAIN_FW, "--details")
    expectExit(table, 0)
    const [header, ...rows] = tableRows(table.stdout)
    expect(header).toEqual([
      "JOB ID",
      "NAME",
      "STATUS",
      "VERSION",
      "TARGET",
      "CREATED (UTC)",
      "STARTED (UTC)"
    ])
    expect(rows.map((row) => row.slice(0, 4))).toEqual(
      truth.map((job) => [
        job.JobId,
        job.Name,
        job.JobStatus,
        `${job.SrcVersions.SrcVersion.join(", ")} → ${job.DestVersion}`
      ])
    )
    const many = await ota(
      "jobs",
      "list",
      "--firmware",
      MANY_FW,
      "--details",
      "--all",
      "--page-size",
      "50",
      "-o",
      "ndjson"
    )
    expectExit(many, 0)
    expect(ndjson(many.stdout).map((job) => job.jobId)).toEqual(jobsOf(MANY_FW).map((job) => job.jobId))
    expect(ndjson(many.stdout)[249]).toEqual(jobDetail(emu.job(jobsOf(MANY_FW)[249]!.jobId)))
  })

  it("an unknown firmware is iot.ota.FirmwareNotFound, exit 4", async () => {
    const result = await ota("jobs", "list", "--firmware", "RdFwNoSuchFirmware0000000", "-o", "json")
    expectExit(result, 4)
    expect(result.stdout).toBe("")
    expect(result.stderr).toMatch(/^ota: iot\.ota\.FirmwareNotFound: /)
  })
})

describe("ota jobs list --device", () => {
  const device = () => emu.tasks("RdJobMain1")[0]!.DeviceName
  const jobsWith = (name: string, firmwareId?: string) =>
    emu.jobs
      .filter((job) => job.productKey === LAMP && (firmwareId === undefined || job.firmwareId === firmwareId))
      .filter((job) => emu.tasks(job.jobId).some((task) => task.DeviceName === name))
      .map((job) => jobSummary(emu.job(job.jobId)))

  it("with --firmware: that firmware's jobs that include the device, paged", async () => {
    const truth = jobsWith(device(), MAIN_FW)
    expect(truth).toHaveLength(2)
    const page = await ota(
      "jobs",
      "list",
      "--device",
      `${LAMP}/${device()}`,
      "--firmware",
      MAIN_FW,
      "-o",
      "json"
    )
    expectExit(page, 0)
    expect(JSON.parse(page.stdout)).toEqual(truth)
    const all = await ota(
      "jobs",
      "list",
      "-d",
      `${LAMP}/${device()}`,
      "-f",
      MAIN_FW,
      "--all",
      "--page-size",
      "1",
      "-o",
      "ndjson"
    )
    expectExit(all, 0)
    expect(ndjson(all.stdout)).toEqual(truth)
  })

  it("alone: every firmware of the product is searched, every job listed once", async () => {
    const truth = jobsWith(device())
    expect(truth).toHaveLength(3)
    emu.resetStats()
    const json = await ota("jobs", "list", "--device", `${LAMP}/${device()}`, "-o", "json")
    expectExit(json, 0)
    expect(JSON.parse(json.stdout)).toEqual(truth)
    // One firmware listing, one job listing per firmware of the product.
    expect(emu.stats().byAction).toEqual({ ListOTAFirmware: 1, ListOTAJobByDevice: 2 })
    const table = await ota("jobs", "list", "--device", `${LAMP}/${device()}`)
    expectExit(table, 0)
    const [header, ...rows] = tableRows(table.stdout)
    expect(header).toEqual([
      "JOB ID",
      "FIRMWARE ID",
      "STATUS",
      "TYPE",
      "TARGET",
      "TAGS",
      "CREATED (UTC)",
      "STARTED (UTC)"
    ])
    expect(rows.map((row) => [row[0], row[1]])).toEqual(truth.map((job) => [job.jobId, job.firmwareId]))
    expect(table.stdout).toContain(`3 jobs of device ${LAMP}/${device()}, over 2 firmware of its product.`)
  })

  it("--details with --device alone: every job of the device in full, with its firmware", async () => {
    const truth = jobsWith(device()).map((job) => emu.job(job.jobId as string))
    const table = await ota("jobs", "list", "--device", `${LAMP}/${device()}`, "--details")
    expectExit(table, 0)
    const [header, ...rows] = tableRows(table.stdout)
    expect(header).toEqual([
      "JOB ID",
      "FIRMWARE ID",
      "NAME",
      "STATUS",
      "VERSION",
      "TARGET",
      "CREATED (UTC)",
      "STARTED (UTC)"
    ])
    expect(rows.map((row) => [row[0], row[1], row[2]])).toEqual(
      truth.map((job) => [job.JobId, job.FirmwareId, job.Name])
    )
  })

  it("an unknown device or product is the service's not-found answer, exit 4", async () => {
    const device = await ota("jobs", "list", "--device", `${LAMP}/no-such-device`, "-o", "json")
    expectExit(device, 4)
    expect(device.stdout).toBe("")
    expect(device.stderr).toMatch(/^ota: iot\.device\.NotExistedDevice: /)
    const product = await ota("jobs", "list", "--device", "a1NoSuchPk9/lamp-1", "-f", MAIN_FW)
    expectExit(product, 4)
    expect(product.stderr).toMatch(/^ota: iot\.prod\.NotExistedProduct: /)
  })
})

describe("ota jobs show", () => {
  it("json: one object with every field QueryOTAJob answers", async () => {
    const result = await ota("jobs", "show", "RdJobMain2", "-o", "json")
    expectExit(result, 0)
    expect(JSON.parse(result.stdout)).toEqual(jobDetail(emu.job("RdJobMain2")))
  })

  it("table: name, status, versions, target, policy and times; ndjson and csv", async () => {
    const job = emu.job("RdJobMain2")
    const table = await ota("jobs", "show", "RdJobMain2")
    expectExit(table, 0)
    expect(recordTable(table.stdout)).toMatchObject({
      "JOB ID": "RdJobMain2",
      NAME: "2.0.0 wave 2",
      DESCRIPTION: job.JobDesc,
      STATUS: "IN_PROGRESS",
      TYPE: "UPGRADE_FIRMWARE",
      "FIRMWARE ID": MAIN_FW,
      "PRODUCT KEY": LAMP,
      VERSION: `${job.SrcVersions.SrcVersion.join(", ")} → 2.0.0`,
      "MAX PER MINUTE": String(job.MaximumPerMinute),
      PUSH: job.NeedPush ? "yes" : "no",
      TAGS: job.Tags!.OtaTagDTO.map((tag) => `${tag.Key}=${tag.Value}`).join(", "),
      "STARTED (UTC)": job.UtcStartTime.slice(0, 19).replace("T", " ")
    })
    const line = await ota("jobs", "show", "RdJobMain2", "-o", "ndjson")
    expectExit(line, 0)
    expect(ndjson(line.stdout)).toEqual([jobDetail(job)])
    const csv = await ota("jobs", "show", "RdJobMain2", "-o", "csv")
    expectExit(csv, 0)
    const [header, row] = parseCsv(csv.stdout)
    const fields = Object.fromEntries(header!.map((name, i) => [name, row![i]]))
    expect(fields).toMatchObject({
      jobId: "RdJobMain2",
      name: "2.0.0 wave 2",
      destVersion: "2.0.0",
      needPush: String(job.NeedPush)
    })
    expect(JSON.parse(fields.srcVersions!)).toEqual(job.SrcVersions.SrcVersion)
  })

  it("an unknown job is the service's not-found answer, exit 4", async () => {
    const result = await ota("jobs", "show", "RdJobNoSuchJob")
    expectRefused(result, "iot.ota.NotExistedJob")
  })
})

// ---- devices ------------------------------------------------------------------------------

describe("ota devices tasks", () => {
  const device = () => emu.tasks("RdJobMain1")[0]!.DeviceName

  it("json: the device's unfinished tasks over every job, with their module", async () => {
    const truth = unfinishedOf(emu, LAMP, device())
    // The device has unfinished tasks in at least two jobs, of two modules.
    expect(new Set(truth.map(({ moduleName }) => moduleName))).toEqual(new Set(["default", "mcu"]))
    const result = await ota("devices", "tasks", `${LAMP}/${device()}`, "-o", "json")
    expectExit(result, 0)
    expect(JSON.parse(result.stdout)).toEqual(
      truth.map(({ task, moduleName }) => unfinishedTask(task, moduleName))
    )
  })

  it("table: task id, job, status, module, versions, modified; a footer", async () => {
    const truth = unfinishedOf(emu, LAMP, device())
    const result = await ota("devices", "tasks", `${LAMP}/${device()}`)
    expectExit(result, 0)
    const [header, ...rows] = tableRows(result.stdout)
    expect(header).toEqual(["TASK ID", "JOB ID", "STATUS", "MODULE", "VERSION", "MODIFIED (UTC)"])
    expect(rows).toEqual(
      truth.map(({ task, moduleName }) => [
        task.TaskId,
        task.JobId,
        task.TaskStatus,
        moduleName,
        `${task.SrcVersion} → ${task.DestVersion}`,
        task.UtcModified.slice(0, 19).replace("T", " ")
      ])
    )
    expect(result.stdout).toContain(
      `${truth.length} unfinished task${truth.length === 1 ? "" : "s"} of device ${LAMP}/${device()}.`
    )
  })

  it("filters by repeated --status (any case) and by --module; ndjson and csv", async () => {
    const truth = unfinishedOf(emu, LAMP, device())
    const wanted = new Set(["QUEUED", "CONFIRM"])
    const byStatus = await ota(
      "devices",
      "tasks",
      `${LAMP}/${device()}`,
      "-s",
      "queued",
      "--status",
      "Confirm",
      "-o",
      "ndjson"
    )
    expectExit(byStatus, 0)
    expect(ndjson(byStatus.stdout)).toEqual(
      truth
        .filter(({ task }) => wanted.has(task.TaskStatus))
        .map(({ task, moduleName }) => unfinishedTask(task, moduleName))
    )
    const byModule = await ota(
      "devices",
      "tasks",
      `${LAMP}/${device()}`,
      "--module",
      "mcu",
      "-o",
      "csv",
      "--columns",
      "taskId,moduleName"
    )
    expectExit(byModule, 0)
    expect(parseCsv(byModule.stdout)).toEqual([
      ["taskId", "moduleName"],
      ...truth.filter(({ moduleName }) => moduleName === "mcu").map(({ task }) => [task.TaskId, "mcu"])
    ])
    const none = await ota("devices", "tasks", `${LAMP}/${device()}`, "--module", "no-such-module")
    expectExit(none, 0)
    expect(none.stdout).toBe(`No unfinished tasks.\n\n0 unfinished tasks of device ${LAMP}/${device()}.\n`)
    const empty = await ota(
      "devices",
      "tasks",
      `${LAMP}/${device()}`,
      "--module",
      "no-such-module",
      "-o",
      "json"
    )
    expect(empty.stdout).toBe("[]\n")
  })

  it("an unknown device or product is the service's not-found answer, exit 4", async () => {
    const device = await ota("devices", "tasks", `${LAMP}/no-such-device`)
    expectExit(device, 4)
    expect(device.stdout).toBe("")
    expect(device.stderr).toMatch(/^ota: iot\.device\.NotExistedDevice: /)
    const product = await ota("devices", "tasks", "a1NoSuchPk9/lamp-1", "-o", "json")
    expectExit(product, 4)
    expect(product.stderr).toMatch(/^ota: iot\.prod\.NotExistedProduct: /)
  })
})

// ---- Tuya's casing ------------------------------------------------------------------------

describe("Tuya's camelCase answers", () => {
  const inTuya = (...args: Array<string>) => runCli(home.dir, [...args, "--qps", "0"], { env: env(tuya.url) })

  it("decode to the same records in every command", async () => {
    const firmware = await inTuya("firmware", "list", "--all", "-o", "json")
    expectExit(firmware, 0)
    expect(JSON.parse(firmware.stdout)).toEqual(tuya.firmware.map(firmwareSummary))
    const shown = await inTuya("firmware", "show", MCU_FW, "-o", "json")
    expectExit(shown, 0)
    expect(JSON.parse(shown.stdout)).toEqual(
      firmwareDetail(tuya.firmware.find((f) => f.FirmwareId === MCU_FW)!)
    )
    const jobs = await inTuya("jobs", "list", "--firmware", MAIN_FW, "-o", "json")
    expectExit(jobs, 0)
    expect(JSON.parse(jobs.stdout)).toEqual(
      ["RdJobMain1", "RdJobMain2"].map((id) => jobSummary(tuya.job(id)))
    )
    const job = await inTuya("jobs", "show", "RdJobMain2", "-o", "json")
    expectExit(job, 0)
    expect(JSON.parse(job.stdout)).toEqual(jobDetail(tuya.job("RdJobMain2")))
    const name = tuya.tasks("RdJobMain1")[0]!.DeviceName
    const byDevice = await inTuya("jobs", "list", "--device", `${LAMP}/${name}`, "-o", "json")
    expectExit(byDevice, 0)
    expect(JSON.parse(byDevice.stdout).map((j: { jobId: string }) => j.jobId)).toEqual([
      "RdJobMain1",
      "RdJobMain2",
      "RdJobMcu"
    ])
    const tasks = await inTuya("devices", "tasks", `${LAMP}/${name}`, "-o", "json")
    expectExit(tasks, 0)
    expect(JSON.parse(tasks.stdout)).toEqual(
      unfinishedOf(tuya, LAMP, name).map(({ task, moduleName }) => unfinishedTask(task, moduleName))
    )
  })

  it("a not-found answer in camelCase is still the service's code, exit 4", async () => {
    const result = await inTuya("jobs", "show", "RdJobNoSuchJob")
    expectExit(result, 4)
    expect(result.stderr).toMatch(/^ota: iot\.ota\.NotExistedJob: /)
  })
})

// ---- a server that breaks the paging contract ---------------------------------------------

describe("a listing the server pages wrongly", () => {
  let server: Server
  let url = ""
  const firmware = (id: string) => ({
    FirmwareId: id,
    FirmwareName: `name-${id}`,
    ProductKey: "pk",
    DestVersion: "1.0.0",
    Status: 1,
    UtcCreate: "2024-05-01T10:00:00.000Z"
  })

  beforeAll(async () => {
    // Three packages over pages of two, but page 2 repeats one of page 1's.
    server = createServer((request, response) => {
      request.resume()
      const query = new URL(request.url ?? "/", "http://localhost").searchParams
      const page = Number(query.get("CurrentPage") ?? "1")
      const items = page === 1 ? [firmware("fw-a"), firmware("fw-b")] : [firmware("fw-b")]
      response.writeHead(200, { "content-type": "application/json" })
      response.end(
        JSON.stringify({
          RequestId: `REQ-${page}`,
          Success: true,
          Total: 3,
          PageSize: Number(query.get("PageSize") ?? "10"),
          PageCount: 2,
          CurrentPage: page,
          FirmwareInfo: { SimpleFirmwareInfo: items }
        })
      )
    })
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })

  afterAll(async () => {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  })

  it("ends --all with the typed PaginationError and exit 4, never a repeated item", async () => {
    const result = await runCli(
      home.dir,
      ["firmware", "list", "--all", "--page-size", "2", "-o", "ndjson", "--qps", "0"],
      {
        env: env(url)
      }
    )
    expectExit(result, 4)
    expect(result.stderr).toMatch(
      /^ota: PaginationError: ListOTAFirmware: page 2 held 1 of its 1 items already delivered; 2 of 3 items delivered \(request id REQ-2\)\n$/
    )
    // What was delivered before the broken page was delivered once.
    expect(ndjson(result.stdout).map((f) => f.firmwareId)).toEqual(["fw-a", "fw-b"])
  })
})
