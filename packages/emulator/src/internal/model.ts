/** Values shared by the public module and the internals (kept here to avoid an import cycle at runtime). */

/** The documented TaskStatus values (spec table), in rollout order. */
export const TASK_STATUSES = [
  "CONFIRM",
  "QUEUED",
  "NOTIFIED",
  "IN_PROGRESS",
  "SUCCEEDED",
  "FAILED",
  "CANCELED"
] as const

export type TaskStatus = (typeof TASK_STATUSES)[number]
