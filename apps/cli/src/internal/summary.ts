/**
 * A job's tasks counted per status. The API has no aggregate call, so each
 * count is the `Total` of a one-item query filtered by that status (plus one
 * unfiltered query for the job's total): 8 small calls, issued together and
 * paced by the client's rate limiter.
 */
import type { OtaError } from "@iot-ota/core/IotError"
import type { OtaClientService } from "@iot-ota/core/OtaClient"
import { TASK_STATUSES, TERMINAL_STATUSES } from "@iot-ota/core/operations/ListOTATaskByJob"
import * as Effect from "effect/Effect"
import { bar, meter, percent } from "./bar.js"
import { renderTable } from "./table.js"
import { paint, paintStatus, type TerminalInfo } from "./terminal.js"

/** Counts of one job. */
export interface JobSummary {
  readonly jobId: string
  readonly total: number
  /** One entry per documented status, in rollout order. */
  readonly counts: Readonly<Record<string, number>>
  /** Tasks in a status the API added after this client (the total minus the known counts). */
  readonly other: number
  /** Tasks in a terminal status: SUCCEEDED, FAILED or CANCELED. */
  readonly done: number
  /** `done / total`, 0 for an empty job. */
  readonly doneShare: number
}

/** Counts the tasks of a job per status. */
export const fetchSummary = (client: OtaClientService, jobId: string): Effect.Effect<JobSummary, OtaError> =>
  Effect.all(
    [
      client.listOTATaskByJob({ jobId, pageSize: 1 }),
      ...TASK_STATUSES.map((taskStatus) => client.listOTATaskByJob({ jobId, taskStatus, pageSize: 1 }))
    ],
    { concurrency: "unbounded" }
  ).pipe(
    Effect.map(([all, ...byStatus]) => {
      const counts: Record<string, number> = {}
      TASK_STATUSES.forEach((status, i) => {
        counts[status] = byStatus[i]!.total
      })
      const known = Object.values(counts).reduce((a, b) => a + b, 0)
      const done = TASK_STATUSES.filter((s) => TERMINAL_STATUSES.has(s)).reduce((n, s) => n + counts[s]!, 0)
      return {
        jobId,
        total: all.total,
        counts,
        // The queries are not one snapshot: during a rollout the sum may differ
        // slightly from the total, so "other" never goes below zero.
        other: Math.max(0, all.total - known),
        done,
        doneShare: all.total === 0 ? 0 : Math.min(1, done / all.total)
      }
    })
  )

/**
 * Whether every task is in a terminal status (an empty job counts as
 * finished). The counts come from separate queries, so during a rollout they
 * can overlap for a moment: finished also needs no task counted elsewhere.
 */
export const isFinished = (summary: JobSummary): boolean =>
  summary.done >= summary.total &&
  summary.other === 0 &&
  Object.entries(summary.counts).every(([status, count]) => TERMINAL_STATUSES.has(status) || count === 0)

/** The JSON form of `ota tasks summary --output json`. */
export const summaryJson = (summary: JobSummary): Record<string, unknown> => ({
  jobId: summary.jobId,
  total: summary.total,
  counts: summary.counts,
  other: summary.other,
  done: summary.done,
  doneShare: summary.doneShare
})

/** `Done 180 of 240 (75.0%): 170 succeeded, 10 failed, 0 canceled` */
export const doneLine = (summary: JobSummary, color: boolean): string =>
  `Done ${summary.done} of ${summary.total} (${percent(summary.doneShare)}): ` +
  [
    paintStatus(color, "SUCCEEDED", `${summary.counts.SUCCEEDED ?? 0} succeeded`),
    paintStatus(color, "FAILED", `${summary.counts.FAILED ?? 0} failed`),
    paintStatus(color, "CANCELED", `${summary.counts.CANCELED ?? 0} canceled`)
  ].join(", ")

/** The summary as a table with a bar per status, for a terminal or a log. */
export const renderSummary = (summary: JobSummary, terminal: TerminalInfo): Array<string> => {
  const rows: Array<[string, number]> = TASK_STATUSES.map((status) => [status, summary.counts[status] ?? 0])
  if (summary.other > 0) rows.push(["OTHER", summary.other])
  const barWidth = Math.max(10, Math.min(40, (terminal.columns ?? 80) - 32))
  const table = renderTable(
    [
      { header: "STATUS", align: "left", shrink: 0 },
      { header: "TASKS", align: "right", shrink: 0 },
      { header: "SHARE", align: "right", shrink: 0 },
      { header: "", align: "left", shrink: 1 }
    ],
    rows.map(([status, count]) => {
      const share = summary.total === 0 ? 0 : count / summary.total
      return [status, String(count), percent(share), bar(share, barWidth, terminal.stdoutIsTTY)]
    }),
    {
      width: terminal.columns,
      style: ({ row, column }, text) =>
        column === 0 || column === 3 ? paintStatus(terminal.color, rows[row]![0], text) : text,
      styleHeader: (line) => paint(terminal.color, "bold", line)
    }
  )
  return [
    `Job ${summary.jobId}: ${summary.total} ${summary.total === 1 ? "task" : "tasks"}`,
    "",
    ...table,
    "",
    doneLine(summary, terminal.color)
  ]
}

/** `[██████░░░░] 45.0% done (108/240)` */
export const progressLine = (summary: JobSummary, width: number, unicode: boolean): string =>
  `[${meter(summary.doneShare, width, unicode)}] ${percent(summary.doneShare)} done (${summary.done}/${summary.total})`
