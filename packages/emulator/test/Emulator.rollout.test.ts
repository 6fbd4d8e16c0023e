import { describe, expect, it } from "vitest"
import { startEmulator, type TaskRecord } from "../src/index.js"
import { callV2 } from "./helpers/client.js"

const JOB = "job-rollout"
// Long enough that a busy CI machine still sees the early states; the test only waits for it once.
const DURATION_MS = 2500

const RANK: Record<string, number> = { QUEUED: 1, NOTIFIED: 2, IN_PROGRESS: 3, SUCCEEDED: 4, FAILED: 4 }

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe("rollout mode", () => {
  it("advances every task QUEUED -> NOTIFIED -> IN_PROGRESS -> SUCCEEDED/FAILED, never backwards", async () => {
    const emu = await startEmulator({
      qps: 0,
      seed: 9,
      jobs: [{ jobId: JOB, tasks: 80, rollout: { durationMs: DURATION_MS, failureRate: 0.2 } }]
    })
    try {
      const snapshots: Array<ReadonlyArray<TaskRecord>> = []
      const started = Date.now()
      while (Date.now() - started < DURATION_MS + 300) {
        snapshots.push(emu.tasks(JOB))
        await sleep(40)
      }
      snapshots.push(emu.tasks(JOB))

      const seenStatuses = new Set<string>()
      for (let i = 0; i < 80; i++) {
        let rank = 0
        let progress = -1
        for (const snapshot of snapshots) {
          const task = snapshot[i] as TaskRecord
          seenStatuses.add(task.TaskStatus)
          const current = RANK[task.TaskStatus] ?? -1
          expect(current, task.TaskStatus).toBeGreaterThanOrEqual(rank)
          if (task.TaskStatus === "IN_PROGRESS") {
            expect(Number(task.Progress)).toBeGreaterThanOrEqual(progress)
            progress = Number(task.Progress)
          }
          rank = current
        }
      }
      expect(seenStatuses).toContain("IN_PROGRESS")
      expect(seenStatuses).toContain("QUEUED")

      // Once durationMs has passed, every task has finished.
      const final = snapshots.at(-1) ?? []
      for (const task of final) {
        expect(["SUCCEEDED", "FAILED"]).toContain(task.TaskStatus)
        if (task.TaskStatus === "SUCCEEDED") expect(task.Progress).toBe("100.00")
        if (task.TaskStatus === "FAILED") expect(task.TaskDesc).toBeTruthy()
        expect(Date.parse(task.UtcModified)).toBeGreaterThanOrEqual(Date.parse(task.UtcCreate))
      }
      expect(final.some((task) => task.TaskStatus === "FAILED")).toBe(true)

      // The API agrees with the ground truth once the rollout is over.
      const listed = await callV2(emu, { JobId: JOB, PageSize: "100" })
      expect(listed.json.Data.SimpleOTATaskInfo).toEqual(emu.tasks(JOB))
      const failed = await callV2(emu, { JobId: JOB, TaskStatus: "FAILED", PageSize: "100" })
      expect(failed.json.Total).toBe(final.filter((task) => task.TaskStatus === "FAILED").length)
    } finally {
      await emu.close()
    }
  })

  it("the job is IN_PROGRESS while any task is unfinished and COMPLETED once all are terminal, in every answer", async () => {
    const emu = await startEmulator({
      qps: 0,
      seed: 3,
      jobs: [{ jobId: "live", tasks: 40, rollout: { durationMs: 1500, failureRate: 0.2 } }]
    })
    const terminal = (status: string) => ["SUCCEEDED", "FAILED", "CANCELED"].includes(status)
    try {
      // Read in the same turn as the start: no task can have finished yet.
      expect(emu.job("live")).toMatchObject({ JobStatus: "IN_PROGRESS" })
      expect(emu.job("live").UtcEndTime).toBeUndefined()
      let status = "IN_PROGRESS"
      while (status !== "COMPLETED") {
        // The job first, its tasks after: states only move forward, so a task still running now means the job
        // was running when asked, and a completed job means every task is terminal now.
        const job = (await callV2(emu, { JobId: "live" }, { action: "QueryOTAJob" })).json.Data
        const tasks = (await callV2(emu, { JobId: "live", PageSize: "100" })).json.Data.SimpleOTATaskInfo
        status = job.JobStatus
        if (status === "COMPLETED") {
          expect(tasks.every((task: TaskRecord) => terminal(task.TaskStatus))).toBe(true)
          expect(Date.parse(job.UtcEndTime)).toBeGreaterThanOrEqual(
            Math.max(...tasks.map((task: TaskRecord) => Date.parse(task.UtcModified)))
          )
        } else {
          expect(status).toBe("IN_PROGRESS")
        }
        if (tasks.some((task: TaskRecord) => !terminal(task.TaskStatus))) expect(status).toBe("IN_PROGRESS")
        if (status !== "COMPLETED") await sleep(100)
      }
      const firmwareId = emu.jobs[0]?.firmwareId ?? ""
      const listed = await callV2(
        emu,
        { FirmwareId: firmwareId, PageSize: "10", CurrentPage: "1" },
        { action: "ListOTAJobByFirmware" }
      )
      expect(listed.json.Data.SimpleOTAJobInfo[0]).toMatchObject({ JobId: "live", JobStatus: "COMPLETED" })
      expect(emu.job("live").JobStatus).toBe("COMPLETED")
    } finally {
      await emu.close()
    }
  })

  it("the schedule and identities are deterministic for a seed", async () => {
    const options = { qps: 0, seed: 4, jobs: [{ jobId: JOB, tasks: 20, rollout: { durationMs: 60_000 } }] }
    const [a, b] = await Promise.all([startEmulator(options), startEmulator(options)])
    try {
      expect(a.tasks(JOB).map((t) => [t.TaskId, t.DeviceName])).toEqual(
        b.tasks(JOB).map((t) => [t.TaskId, t.DeviceName])
      )
    } finally {
      await Promise.all([a.close(), b.close()])
    }
  })
})
