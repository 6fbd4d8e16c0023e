/**
 * The read path in a real runtime, the Node side: two emulators serving one seeded catalogue (Alibaba's
 * PascalCase and Tuya's camelCase), the request that asks the runtime program (`runtime/readPath.ts`) to call
 * every read operation against both with both signature algorithms, and the check of its answers against
 * the emulators' ground truth (`emu.firmware`, `emu.job(id)`, `emu.tasks(id)`).
 */
import { DEFAULT_CREDENTIALS, type Emulator, startEmulator } from "@iot-ota/emulator"
import { expect } from "vitest"
import {
  firmwareDetail,
  firmwareSummary,
  jobDetail,
  jobSummary,
  UNFINISHED_STATUSES,
  unfinishedTask
} from "../../../core/test/helpers/groundTruth.js"
import type { ReadPathAnswers, ReadPathOutcome, ReadPathRequest } from "../runtime/readPath.js"

const LAMP = "a1EdgeLamp1"
const MAIN_FW = "EdgeFwMain000000000000241"
const MCU_FW = "EdgeFwMcu0000000000000120"
const JOBS = ["EdgeJobWave1", "EdgeJobWave2", "EdgeJobWave3"]

/** Twelve packages (two pages of 7), three jobs of one firmware, one of another module; a device in all four. */
const catalogue = (casing: "alibaba" | "tuya") => ({
  qps: 0,
  seed: 19,
  casing,
  products: [{ productKey: LAMP }, { productKey: "a1EdgeHub02" }],
  firmware: [
    { firmwareId: MAIN_FW, productKey: LAMP, destVersion: "2.4.1", srcVersion: "2.4.0" },
    { firmwareId: MCU_FW, productKey: LAMP, destVersion: "1.2.0", moduleName: "mcu" },
    ...Array.from({ length: 10 }, (_, i) => ({
      firmwareId: `EdgeFwHub${String(i).padStart(16, "0")}`,
      productKey: "a1EdgeHub02",
      destVersion: `3.0.${i}`
    }))
  ],
  jobs: [
    { jobId: JOBS[0]!, tasks: 12, firmwareId: MAIN_FW, name: "2.4.1 canary", statusMix: { SUCCEEDED: 1 } },
    {
      jobId: JOBS[1]!,
      tasks: 20,
      firmwareId: MAIN_FW,
      name: "2.4.1 wave 2",
      statusMix: { QUEUED: 1, IN_PROGRESS: 1, NOTIFIED: 1 }
    },
    { jobId: JOBS[2]!, tasks: 8, firmwareId: MAIN_FW },
    { jobId: "EdgeJobMcu", tasks: 10, firmwareId: MCU_FW, statusMix: { CONFIRM: 1 } }
  ]
})

/** The emulators, one per casing. */
export interface ReadPathEmulators {
  readonly alibaba: Emulator
  readonly tuya: Emulator
  readonly close: () => Promise<void>
}

export const startReadPathEmulators = async (): Promise<ReadPathEmulators> => {
  const [alibaba, tuya] = await Promise.all([
    startEmulator(catalogue("alibaba")),
    startEmulator(catalogue("tuya"))
  ])
  return { alibaba, tuya, close: async () => void (await Promise.all([alibaba.close(), tuya.close()])) }
}

const ALGORITHMS = ["HMAC-SHA1", "ACS3-HMAC-SHA256"] as const

/** Both casings, both signature algorithms: four configurations, labelled `casing algorithm`. */
export const readPathRequest = (emus: ReadPathEmulators): ReadPathRequest => ({
  targets: (["alibaba", "tuya"] as const).flatMap((casing) =>
    ALGORITHMS.map((signatureAlgorithm) => ({
      label: `${casing} ${signatureAlgorithm}`,
      options: {
        endpoint: emus[casing].url,
        accessKeyId: DEFAULT_CREDENTIALS.accessKeyId,
        accessKeySecret: DEFAULT_CREDENTIALS.accessKeySecret,
        signatureAlgorithm,
        qps: 0,
        logLevel: "none" as const
      },
      productKey: LAMP,
      deviceName: emus[casing].tasks(JOBS[0]!)[0]!.DeviceName,
      firmwareId: MAIN_FW,
      jobId: JOBS[1]!
    }))
  )
})

/** What every configuration against `emu` must answer. */
export const expectedAnswers = (emu: Emulator, deviceName: string): ReadPathAnswers => {
  const moduleOf = (firmwareId: string) => emu.firmware.find((f) => f.FirmwareId === firmwareId)!.ModuleName
  const lampJobs = emu.jobs.filter((job) => job.productKey === LAMP)
  return {
    firmware: emu.firmware.map(firmwareSummary),
    firmwarePage: {
      total: 2,
      pageCount: 1,
      firmware: emu.firmware.filter((f) => f.ProductKey === LAMP).map(firmwareSummary)
    },
    firmwareDetail: firmwareDetail(emu.firmware.find((f) => f.FirmwareId === MAIN_FW)!),
    jobsByFirmware: JOBS.map((id) => jobSummary(emu.job(id))),
    job: jobDetail(emu.job(JOBS[1]!)),
    jobsByDevice: lampJobs
      .filter(
        (job) => job.firmwareId === MAIN_FW && emu.tasks(job.jobId).some((t) => t.DeviceName === deviceName)
      )
      .map((job) => jobSummary(emu.job(job.jobId))),
    unfinished: lampJobs.flatMap((job) =>
      emu
        .tasks(job.jobId)
        .filter((task) => task.DeviceName === deviceName && UNFINISHED_STATUSES.has(task.TaskStatus))
        .map((task) => unfinishedTask(task, moduleOf(job.firmwareId)))
    ),
    notFound: {
      queryOTAJob: "iot.ota.NotExistedJob",
      queryOTAFirmware: "iot.ota.FirmwareNotFound",
      listOTAJobByFirmware: "iot.ota.FirmwareNotFound",
      listOTAJobByDevice: "iot.device.NotExistedDevice",
      listOTAUnfinishedTaskByDevice: "iot.device.NotExistedDevice",
      listOTAFirmware: "iot.prod.NotExistedProduct"
    }
  }
}

/**
 * Checks the runtime's outcomes: every configuration answered, and answered the ground truth of its
 * emulator; the device's answers are not empty (so the comparison compares something).
 */
export const expectReadPath = (outcomes: ReadonlyArray<ReadPathOutcome>, emus: ReadPathEmulators): void => {
  const request = readPathRequest(emus)
  expect(outcomes.map((outcome) => outcome.label)).toEqual(request.targets.map((target) => target.label))
  for (const [i, outcome] of outcomes.entries()) {
    if (!outcome.ok) throw new Error(`${outcome.label}: ${outcome.error.tag}: ${outcome.error.message}`)
    const target = request.targets[i]!
    const emu = target.label.startsWith("tuya") ? emus.tuya : emus.alibaba
    const expected = expectedAnswers(emu, target.deviceName)
    expect(expected.jobsByDevice.length, target.label).toBeGreaterThan(1)
    expect(expected.unfinished.length, target.label).toBeGreaterThan(1)
    expect(outcome.answers, target.label).toEqual(expected)
  }
}
