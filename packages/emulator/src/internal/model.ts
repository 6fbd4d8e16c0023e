/**
 * Values shared by the public modules and the internals. They live here, apart from `Emulator.ts`, so that
 * `Flags.ts` (imported eagerly by the `ota` CLI) can use them without loading the server.
 */

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

/** A task in one of these will not move again. */
export const TERMINAL_STATUSES: ReadonlySet<string> = new Set(["SUCCEEDED", "FAILED", "CANCELED"])

/** The statuses `ListOTAUnfinishedTaskByDevice` answers for (its documented `TaskStatus` values). */
export const UNFINISHED_STATUSES = ["CONFIRM", "QUEUED", "NOTIFIED", "IN_PROGRESS"] as const

/** The documented `JobStatus` values of an upgrade batch. */
export const JOB_STATUSES = ["PLANNED", "IN_PROGRESS", "COMPLETED", "CANCELED"] as const

export type JobStatus = (typeof JOB_STATUSES)[number]

export type FaultKind =
  | "ServiceUnavailable"
  | "InternalError"
  | "Throttling"
  | "SystemException"
  | "ConnectionReset"
  | "Delay"
  | "TruncatedJson"
  | "HtmlError"

export const FAULT_KINDS: ReadonlyArray<FaultKind> = [
  "ServiceUnavailable",
  "InternalError",
  "Throttling",
  "SystemException",
  "ConnectionReset",
  "Delay",
  "TruncatedJson",
  "HtmlError"
]

export const isFaultKind = (value: unknown): value is FaultKind =>
  typeof value === "string" && (FAULT_KINDS as ReadonlyArray<string>).includes(value)

export type QuotaMode = "token-bucket" | "fixed-window" | "sliding-window"

export const QUOTA_MODES: ReadonlyArray<QuotaMode> = ["token-bucket", "fixed-window", "sliding-window"]

export type Casing = "alibaba" | "tuya"

export const DEFAULT_JOB_ID = "EmuDemo7glPHmaDYLAYM02demo"
export const DEFAULT_TASK_COUNT = 250
export const DEFAULT_QPS = 10
export const DEFAULT_FAULT_DELAY_MS = 2000
export const DEFAULT_TIMESTAMP_WINDOW_MS = 15 * 60 * 1000
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024
export const DEFAULT_HEADERS_TIMEOUT_MS = 10_000
export const DEFAULT_ROLLOUT_FAILURE_RATE = 0.08

/** The role STS serves (and the instance's role) when none is given. The account id is obviously fake. */
export const DEFAULT_ROLE_ARN = "acs:ram::1234567890123456:role/emulator-role"
export const DEFAULT_OIDC_PROVIDER_ARN = "acs:ram::1234567890123456:oidc-provider/emulator-oidc"
export const DEFAULT_OIDC_ISSUER = "https://oidc.emulator.invalid"
/** The HS256 key of the default OIDC provider: public, like the default AccessKey. */
export const DEFAULT_OIDC_SECRET = "emulator-oidc-signing-secret"
/** The audience ACK's projected tokens carry (docs/credentials.md §4). */
export const DEFAULT_OIDC_AUDIENCE = "sts.aliyuncs.com"
export const DEFAULT_MAX_SESSION_DURATION_SECONDS = 3600

export type MetadataTokens = "optional" | "required" | "unsupported"

export const METADATA_TOKEN_MODES: ReadonlyArray<MetadataTokens> = ["optional", "required", "unsupported"]
