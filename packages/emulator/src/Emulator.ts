/**
 * A local server that behaves like the IoT Platform endpoint for the OTA read API (`ListOTATaskByJob`,
 * `ListOTAFirmware`, `QueryOTAFirmware`, `ListOTAJobByFirmware`, `QueryOTAJob`, `ListOTAJobByDevice`,
 * `ListOTAUnfinishedTaskByDevice`): it verifies V2 and V3 signatures with its own code, enforces the documented
 * limits and a quota, serves one seeded dataset (products → firmware → jobs → tasks → devices, optionally a live
 * rollout), and injects faults on demand. It also issues temporary credentials (STS `AssumeRole` and
 * `AssumeRoleWithOIDC`, and an ECS instance metadata service) and verifies their security tokens.
 *
 * @since 0.1.0
 */
import { createServer } from "node:http"
import { performance } from "node:perf_hooks"
import { REGISTRY } from "./internal/actions/index.js"
import { wildcardHost } from "./internal/address.js"
import { World } from "./internal/dataset.js"
import { FaultPlan } from "./internal/faults.js"
import { MetadataService } from "./internal/metadata.js"
import {
  type Casing as CasingValue,
  DEFAULT_HEADERS_TIMEOUT_MS,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_MAX_SESSION_DURATION_SECONDS,
  DEFAULT_OIDC_AUDIENCE,
  DEFAULT_OIDC_ISSUER,
  DEFAULT_OIDC_SECRET,
  DEFAULT_QPS,
  DEFAULT_TIMESTAMP_WINDOW_MS,
  type FaultKind as FaultKindValue,
  DEFAULT_JOB_ID as JOB_ID,
  type JobStatus as JobStatusValue,
  FAULT_KINDS as KINDS,
  type MetadataTokens as MetadataTokensValue,
  QUOTA_MODES as MODES,
  DEFAULT_OIDC_PROVIDER_ARN as OIDC_PROVIDER_ARN_DEFAULT,
  type QuotaMode as QuotaModeValue,
  DEFAULT_ROLE_ARN as ROLE_ARN_DEFAULT,
  TASK_STATUSES as STATUSES,
  type TaskStatus as Status,
  DEFAULT_TASK_COUNT as TASK_COUNT,
  METADATA_TOKEN_MODES as TOKEN_MODES
} from "./internal/model.js"
import { mintOidcToken, type OidcProviderDef } from "./internal/oidc.js"
import { makeRandom } from "./internal/random.js"
import { STS } from "./internal/registry.js"
import { EmulatorCore } from "./internal/server.js"
import {
  CredentialIssuer,
  MAX_SESSION_SECONDS,
  OIDC_PROVIDER_ARN,
  ROLE_ARN,
  type RoleDef,
  roleDef,
  stsTime
} from "./internal/sts.js"

/**
 * The documented `TaskStatus` values.
 *
 * @example
 * ```ts
 * import type { TaskStatus } from "@iot-ota/emulator"
 *
 * const status: TaskStatus = "IN_PROGRESS"
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type TaskStatus = Status

/**
 * Every documented `TaskStatus`, in rollout order.
 *
 * @example
 * ```ts
 * import { startEmulator, TASK_STATUSES } from "@iot-ota/emulator"
 *
 * // One explicit task in each status.
 * const emu = await startEmulator({
 *   jobs: [{ jobId: "job-1", tasks: TASK_STATUSES.map((TaskStatus) => ({ TaskStatus })) }]
 * })
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const TASK_STATUSES: ReadonlyArray<TaskStatus> = STATUSES

/**
 * Response key style: `"alibaba"` = the API tables' PascalCase (`Data.SimpleOTATaskInfo`, `TaskId`);
 * `"tuya"` = the camelCase of Tuya's documented example response (`data.simpleOTATaskInfo`, `taskId`, `code: ""`).
 *
 * @example
 * ```ts
 * import { startEmulator } from "@iot-ota/emulator"
 *
 * // Answers `{ code: "", data: { simpleOTATaskInfo: [{ taskId, … }] } }`, like Tuya's documented example.
 * const emu = await startEmulator({ casing: "tuya" })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Casing = CasingValue

/**
 * The documented `JobStatus` values of an upgrade batch. The emulator answers `IN_PROGRESS` while any task of
 * the batch is unfinished and `COMPLETED` once every task is SUCCEEDED, FAILED or CANCELED.
 *
 * @example
 * ```ts
 * import { startEmulator, type JobStatus } from "@iot-ota/emulator"
 *
 * // Every task terminal: the batch is COMPLETED.
 * const emu = await startEmulator({ jobs: [{ jobId: "job-1", tasks: 100, statusMix: { SUCCEEDED: 9, FAILED: 1 } }] })
 * const status: JobStatus = emu.job("job-1").JobStatus // "COMPLETED"
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type JobStatus = JobStatusValue

/**
 * How the per-AccessKeyId quota counts. The service does not document its algorithm, so a client should be
 * tested against each:
 * - `"token-bucket"` (default): capacity `qps`, refilled at `qps` per second; a burst of `qps` passes at once.
 * - `"fixed-window"`: at most `qps` calls per calendar second.
 * - `"sliding-window"`: strict; never more than `qps` admitted calls in any 1,000 ms.
 *
 * @example
 * ```ts
 * import { type QuotaMode, startEmulator } from "@iot-ota/emulator"
 *
 * const quota: QuotaMode = "sliding-window"
 * const emu = await startEmulator({ qps: 10, quota })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type QuotaMode = QuotaModeValue

/**
 * Every {@link QuotaMode}.
 *
 * @example
 * ```ts
 * import { QUOTA_MODES, startEmulator } from "@iot-ota/emulator"
 *
 * for (const quota of QUOTA_MODES) {
 *   const emu = await startEmulator({ qps: 10, quota })
 *   // … run the client against emu.url, then check emu.stats().throttled …
 *   await emu.close()
 * }
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const QUOTA_MODES: ReadonlyArray<QuotaMode> = MODES

/**
 * Every action the emulator serves: the IoT Platform's ({@link IOT_ACTIONS}, Version 2018-01-20, also under
 * 2022-01-01) and STS's ({@link STS_ACTIONS}, Version 2015-04-01). Any other action, or an action under another
 * product's version, gets `InvalidApi.NotFound` (404).
 *
 * @example
 * ```ts
 * import { SUPPORTED_ACTIONS } from "@iot-ota/emulator"
 *
 * console.log(SUPPORTED_ACTIONS.includes("QueryOTAJob"), SUPPORTED_ACTIONS.includes("AssumeRole")) // true true
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const SUPPORTED_ACTIONS: ReadonlyArray<string> = REGISTRY.actions

/**
 * The IoT Platform actions the emulator serves (the OTA read path): what a client's operations table is
 * compared with.
 *
 * @example
 * ```ts
 * import { IOT_ACTIONS } from "@iot-ota/emulator"
 *
 * const clientActions = ["ListOTATaskByJob", "QueryOTAJob"]
 * console.log(clientActions.every((action) => IOT_ACTIONS.includes(action))) // true
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const IOT_ACTIONS: ReadonlyArray<string> = REGISTRY.byProduct.Iot ?? []

/**
 * The STS actions the emulator serves: `AssumeRole` (signed) and `AssumeRoleWithOIDC` (anonymous).
 *
 * @example
 * ```ts
 * import { STS_ACTIONS } from "@iot-ota/emulator"
 *
 * console.log(STS_ACTIONS) // ["AssumeRole", "AssumeRoleWithOIDC"]
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const STS_ACTIONS: ReadonlyArray<string> = REGISTRY.byProduct[STS.product] ?? []

/**
 * One device upgrade task, the emulator's ground truth. Serialised with these keys in `alibaba` casing and
 * camelCased in `tuya` casing. `Progress` and `Timeout` are strings, as on the wire
 * (docs/protocol.md#casing-and-types).
 *
 * @example
 * ```ts
 * import { startEmulator, type TaskRecord } from "@iot-ota/emulator"
 *
 * const emu = await startEmulator({ jobs: [{ jobId: "job-1", tasks: 200 }] })
 * const failed: ReadonlyArray<TaskRecord> = emu.tasks("job-1").filter((task) => task.TaskStatus === "FAILED")
 * console.log(failed.map((task) => `${task.DeviceName}: ${task.TaskDesc}`))
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface TaskRecord {
  readonly TaskId: string
  readonly JobId: string
  readonly IotId: string
  readonly DeviceName: string
  readonly ProductKey: string
  readonly ProductName: string
  readonly FirmwareId: string
  readonly SrcVersion: string
  readonly DestVersion: string
  /** One of {@link TASK_STATUSES}; explicit tasks may use other strings to test clients. */
  readonly TaskStatus: string
  /** Failure, timeout or cancellation detail. */
  readonly TaskDesc?: string
  /** Percent with two decimals, e.g. `"37.00"`. */
  readonly Progress: string
  /** Minutes, e.g. `"1440"`; absent when the batch has no timeout. */
  readonly Timeout?: string
  /** ISO 8601 UTC, `…:ss.000Z`. */
  readonly UtcCreate: string
  readonly UtcModified: string
}

/**
 * An explicit task: any field left out is generated from the seed.
 *
 * @example
 * ```ts
 * import { startEmulator, type TaskInput } from "@iot-ota/emulator"
 *
 * const tasks: ReadonlyArray<TaskInput> = [
 *   { DeviceName: "sensor-1", TaskStatus: "FAILED", TaskDesc: "download timeout" },
 *   { DeviceName: "sensor-2", TaskStatus: "IN_PROGRESS", Progress: "40.00" },
 *   {} // everything generated
 * ]
 * const emu = await startEmulator({ jobs: [{ jobId: "job-1", tasks }] })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type TaskInput = Partial<Omit<TaskRecord, "JobId">>

/**
 * An upgrade batch served by the emulator.
 *
 * @example
 * ```ts
 * import { type JobSpec, startEmulator } from "@iot-ota/emulator"
 *
 * const jobs: ReadonlyArray<JobSpec> = [
 *   { jobId: "static-job", tasks: 2500 },
 *   // Every task reaches SUCCEEDED or FAILED (10 % of them) within a minute of the start.
 *   { jobId: "live-job", tasks: 300, rollout: { durationMs: 60_000, failureRate: 0.1 } }
 * ]
 * const emu = await startEmulator({ jobs })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface JobSpec {
  readonly jobId: string
  /** A count of tasks generated from the seed, or explicit tasks. */
  readonly tasks: number | ReadonlyArray<TaskInput>
  /**
   * Rollout mode: from emulator start every task moves QUEUED → NOTIFIED → IN_PROGRESS (Progress rising) →
   * SUCCEEDED or FAILED, on a per-task schedule spread over `durationMs`. `failureRate` defaults to 0.08.
   */
  readonly rollout?: { readonly durationMs: number; readonly failureRate?: number }
  /**
   * The firmware this batch upgrades to: one of `firmware`, or any id (a firmware is then derived from the seed).
   * Jobs that name the same firmware are its batches. Default: a firmware of the job's own.
   */
  readonly firmwareId?: string
  /** The batch's `Name` in `QueryOTAJob`. Default: the firmware's name, as the docs describe that field. */
  readonly name?: string
  /**
   * Relative weights of the generated tasks' statuses, e.g. `{ SUCCEEDED: 9, FAILED: 1 }` for a finished
   * rollout (the batch is then `COMPLETED`). Default: a rollout well under way, ~60% SUCCEEDED, 7% FAILED, 3%
   * CANCELED, 10% IN_PROGRESS, 6% NOTIFIED, 10% QUEUED, 4% CONFIRM. A status whose tasks number more than
   * 100,000 cannot be listed to its end (the documented paging cap), so give a large job an even mix.
   */
  readonly statusMix?: Readonly<Partial<Record<TaskStatus, number>>>
}

/**
 * A product to serve. Products are implied by firmware; declare one to choose its name, or to list a product
 * that has no firmware yet.
 *
 * @example
 * ```ts
 * import { startEmulator } from "@iot-ota/emulator"
 *
 * const emu = await startEmulator({
 *   products: [{ productKey: "a1LampPro01", productName: "Lamp Pro" }],
 *   firmware: [{ firmwareId: "fw-lamp-2", productKey: "a1LampPro01", destVersion: "2.0.0" }],
 *   jobs: [{ jobId: "job-lamp", tasks: 300, firmwareId: "fw-lamp-2" }]
 * })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface ProductSpec {
  readonly productKey: string
  /** Default: one of a few realistic names, from the seed. */
  readonly productName?: string
}

/**
 * An update package (firmware). Jobs imply their firmware; declare one to choose its product and versions, to
 * give several jobs the same firmware, or to list a firmware that has no job (it is then not verified yet).
 * Everything left out is derived from the seed.
 *
 * @example
 * ```ts
 * import { startEmulator } from "@iot-ota/emulator"
 *
 * // One differential package rolled out in two waves.
 * const emu = await startEmulator({
 *   firmware: [{ firmwareId: "fw-1", srcVersion: "1.4.0", destVersion: "1.4.1", moduleName: "mcu" }],
 *   jobs: [
 *     { jobId: "wave-1", tasks: 50, firmwareId: "fw-1", statusMix: { SUCCEEDED: 1 } },
 *     { jobId: "wave-2", tasks: 500, firmwareId: "fw-1" }
 *   ]
 * })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface FirmwareSpec {
  readonly firmwareId: string
  /** The product it belongs to (declared in `products` or not). Default: a product of its own. */
  readonly productKey?: string
  /** `FirmwareName`. */
  readonly name?: string
  readonly destVersion?: string
  /** Makes it a differential package (`Type` 1) upgrading devices from this version. */
  readonly srcVersion?: string
  /** OTA module. Default `"default"`. */
  readonly moduleName?: string
}

/**
 * An update package as `QueryOTAFirmware` answers it (`ListOTAFirmware` leaves out `FirmwareUrl` and
 * `VerifyProgress`). `Type` 0 = full package, 1 = differential (with `SrcVersion`); `Status` 1 = verified (0 for
 * firmware without a job); `FirmwareSize` in bytes.
 *
 * @example
 * ```ts
 * import { type FirmwareRecord, startEmulator } from "@iot-ota/emulator"
 *
 * const emu = await startEmulator({ jobs: [{ jobId: "job-1", tasks: 10 }] })
 * const firmware: FirmwareRecord | undefined = emu.firmware[0]
 * console.log(firmware?.FirmwareId === emu.jobs[0]?.firmwareId) // true
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface FirmwareRecord {
  readonly FirmwareId: string
  readonly FirmwareName: string
  readonly FirmwareDesc: string
  readonly ProductKey: string
  readonly ProductName: string
  readonly ModuleName: string
  readonly SrcVersion?: string
  readonly DestVersion: string
  readonly Type: number
  readonly Status: number
  readonly VerifyProgress: number
  readonly FirmwareUrl: string
  readonly FirmwareSize: number
  readonly FirmwareSign: string
  readonly SignMethod: string
  readonly UtcCreate: string
  readonly UtcModified: string
}

/**
 * An upgrade batch as `QueryOTAJob` answers it (`Data`); the job lists answer a subset of these fields. Optional
 * fields are absent when they do not apply, as on the wire.
 *
 * @example
 * ```ts
 * import { type JobRecord, startEmulator } from "@iot-ota/emulator"
 *
 * const emu = await startEmulator({ jobs: [{ jobId: "job-1", tasks: 10 }] })
 * const job: JobRecord = emu.job("job-1")
 * console.log(job.JobStatus, job.DestVersion, job.SrcVersions.SrcVersion)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface JobRecord {
  readonly JobId: string
  readonly FirmwareId: string
  readonly ProductKey: string
  readonly Name: string
  readonly JobDesc: string
  readonly JobStatus: JobStatus
  readonly JobType: "UPGRADE_FIRMWARE" | "VERIFY_FIRMWARE"
  readonly SelectionType: "STATIC" | "DYNAMIC"
  readonly TargetSelection: string
  readonly DestVersion: string
  readonly SrcVersions: { readonly SrcVersion: ReadonlyArray<string> }
  /** Only for `TargetSelection` GRAY, e.g. `"25.00"`. */
  readonly GrayPercent?: string
  readonly OverwriteMode: number
  readonly MultiModuleMode: boolean
  readonly NeedPush: boolean
  readonly NeedConfirm: boolean
  readonly DownloadProtocol: string
  readonly MaximumPerMinute: number
  /** Minutes; the tasks' `Timeout` is the same number as a string. */
  readonly TimeoutInMinutes?: number
  /** Minutes between automatic retries. */
  readonly RetryInterval?: number
  readonly RetryCount?: number
  readonly UtcCreate: string
  readonly UtcModified: string
  readonly UtcStartTime: string
  /** Only once the batch has ended. */
  readonly UtcEndTime?: string
  readonly Tags?: { readonly OtaTagDTO: ReadonlyArray<{ readonly Key: string; readonly Value: string }> }
}

/**
 * Injectable faults. `Throttling` answers `Throttling.User` (400), `SystemException` answers
 * `iot.system.SystemException` with `Success: false` on HTTP 200, `HtmlError` a proxy's 502 HTML page,
 * `TruncatedJson` a 200 whose JSON stops half-way, `ConnectionReset` headers and half the body then a reset.
 *
 * @example
 * ```ts
 * import { type FaultKind, startEmulator } from "@iot-ota/emulator"
 *
 * const retried: ReadonlyArray<FaultKind> = ["ServiceUnavailable", "Throttling", "ConnectionReset"]
 * const emu = await startEmulator({ faults: { rate: 0.2, kinds: retried } })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type FaultKind = FaultKindValue

/**
 * Every {@link FaultKind}.
 *
 * @example
 * ```ts
 * import { FAULT_KINDS, startEmulator } from "@iot-ota/emulator"
 *
 * // The first eight calls get each fault once, in order; later calls are answered normally.
 * const emu = await startEmulator({ faults: { sequence: FAULT_KINDS, delayMs: 100 } })
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const FAULT_KINDS: ReadonlyArray<FaultKind> = KINDS

/**
 * Fault injection. Faults apply, whatever the action, only to requests that passed authentication, the nonce
 * check and the quota, i.e. calls the real service would have answered: a wrongly signed request never
 * consumes a scripted fault.
 *
 * @example
 * ```ts
 * import { startEmulator } from "@iot-ota/emulator"
 *
 * // The first call is throttled, the second answered, the third gets a 503.
 * const emu = await startEmulator({ faults: { sequence: ["Throttling", null, "ServiceUnavailable"] } })
 * // … later in the same test: one call in ten gets a seeded random fault.
 * emu.setFaults({ rate: 0.1, seed: 42 })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface FaultOptions {
  /** 0..1: seeded probability that a request (after `sequence` is used up) gets a fault. Default 0. */
  readonly rate?: number
  /** Kinds drawn uniformly (seeded) when `rate` fires. Default: all. */
  readonly kinds?: ReadonlyArray<FaultKind>
  /** Scripted: the n-th authenticated request gets `sequence[n]` (`null` = answer normally); then `rate` applies. */
  readonly sequence?: ReadonlyArray<FaultKind | null>
  /** How long `Delay` waits before answering normally. Default 2000 ms. */
  readonly delayMs?: number
  /** Seed of the fault draws. Default: the emulator's seed. */
  readonly seed?: number
}

/**
 * An AccessKey pair the emulator accepts. With a `securityToken` it is a temporary credential handed over by
 * hand: every request signed with it must carry exactly that token (else `MissingSecurityToken` or
 * `InvalidSecurityToken.MismatchWithAccessKey`); without one it is a long-term key, and a token sent with it is
 * not looked at. Credentials the emulator issues itself need no declaring (see {@link RoleSpec}).
 *
 * @example
 * ```ts
 * import { type EmulatorCredentials, startEmulator } from "@iot-ota/emulator"
 *
 * const ci: EmulatorCredentials = { accessKeyId: "ci-key-id", accessKeySecret: "ci-key-secret" }
 * const handedOver: EmulatorCredentials = { accessKeyId: "STS.ci", accessKeySecret: "s", securityToken: "CAIS-ci" }
 * const emu = await startEmulator({ credentials: [ci, handedOver] })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface EmulatorCredentials {
  readonly accessKeyId: string
  readonly accessKeySecret: string
  /** The token requests with this key must carry (a temporary credential declared by hand). */
  readonly securityToken?: string
}

/**
 * A RAM role STS may hand out credentials of (`AssumeRole`, `AssumeRoleWithOIDC`) and that may be the ECS
 * instance's role. Who may assume it: `trustedPrincipals` (AccessKeyIds, or role ARNs whose sessions may chain
 * into it; default anyone the emulator accepts), `trustedOidcProviders` (default every provider), and an
 * `externalId` the caller must send when set. Refused callers get `NoPermission` (403).
 *
 * @example
 * ```ts
 * import { DEFAULT_CREDENTIALS, type RoleSpec, startEmulator } from "@iot-ota/emulator"
 *
 * const roles: ReadonlyArray<RoleSpec> = [
 *   { roleArn: "acs:ram::1234567890123456:role/ota-reader", maxSessionDurationSeconds: 43_200 },
 *   // Reachable only by chaining: sessions of ota-reader may assume it, the AccessKey itself may not.
 *   { roleArn: "acs:ram::1234567890123456:role/ota-admin", trustedPrincipals: ["acs:ram::1234567890123456:role/ota-reader"] }
 * ]
 * const emu = await startEmulator({ roles, credentials: [DEFAULT_CREDENTIALS] })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface RoleSpec {
  /** `acs:ram::<account id>:role/<name>`. */
  readonly roleArn: string
  /** The longest `DurationSeconds` accepted, 3600..43200. Default 3600, as RAM's. */
  readonly maxSessionDurationSeconds?: number
  readonly trustedPrincipals?: ReadonlyArray<string>
  readonly trustedOidcProviders?: ReadonlyArray<string>
  readonly externalId?: string
}

/**
 * An OIDC identity provider STS trusts (`AssumeRoleWithOIDC`). Its tokens are JWTs signed with HMAC-SHA256
 * (`alg: HS256`) by `secret`, with `iss` = `issuer`, an `aud` among `clientIds`, and `exp`, `iat` and `sub`
 * claims; mint them with `emu.oidcToken()` or any JWT library.
 *
 * @example
 * ```ts
 * import { type OidcProviderSpec, startEmulator } from "@iot-ota/emulator"
 *
 * const provider: OidcProviderSpec = {
 *   arn: "acs:ram::1234567890123456:oidc-provider/ack-rrsa-c1",
 *   issuer: "https://oidc-ack.example",
 *   secret: "a-test-only-signing-key"
 * }
 * const emu = await startEmulator({ oidcProviders: [provider] })
 * const token = emu.oidcToken({ providerArn: provider.arn, subject: "system:serviceaccount:ota:reader" })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface OidcProviderSpec {
  /** `acs:ram::<account id>:oidc-provider/<name>`. */
  readonly arn: string
  /** Default `https://oidc.emulator.invalid`. */
  readonly issuer?: string
  /** The HS256 key. Default {@link DEFAULT_OIDC_PROVIDER}'s, a public test value. */
  readonly secret?: string
  /** Accepted audiences. Default `["sts.aliyuncs.com"]`, what ACK's projected tokens carry. */
  readonly clientIds?: ReadonlyArray<string>
}

/**
 * How the ECS metadata service treats session tokens: `"optional"` (default; issued on `PUT /latest/api/token`,
 * plain GETs answered too), `"required"` (the hardened mode only: a GET without a token gets 403), or
 * `"unsupported"` (an instance without the hardened mode: the token `PUT` gets 404).
 *
 * @example
 * ```ts
 * import { type MetadataTokens, startEmulator } from "@iot-ota/emulator"
 *
 * const metadataTokens: MetadataTokens = "required"
 * const emu = await startEmulator({ metadataTokens })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type MetadataTokens = MetadataTokensValue

/**
 * Every {@link MetadataTokens} mode.
 *
 * @example
 * ```ts
 * import { METADATA_TOKEN_MODES } from "@iot-ota/emulator"
 *
 * console.log(METADATA_TOKEN_MODES) // ["optional", "required", "unsupported"]
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const METADATA_TOKEN_MODES: ReadonlyArray<MetadataTokens> = TOKEN_MODES

/**
 * Temporary credentials as STS and the metadata service answer them: an `STS.` AccessKeyId, its secret, the
 * security token to send with it, and the expiration (`YYYY-MM-DDThh:mm:ssZ`).
 *
 * @example
 * ```ts
 * import { type IssuedCredentials, startEmulator } from "@iot-ota/emulator"
 *
 * const emu = await startEmulator()
 * const credentials: IssuedCredentials = emu.issueCredentials()
 * console.log(credentials.accessKeyId.startsWith("STS."), credentials.expiration)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface IssuedCredentials {
  readonly accessKeyId: string
  readonly accessKeySecret: string
  readonly securityToken: string
  readonly expiration: string
}

/**
 * One credential the emulator issued, as `emu.issuedCredentials()` lists it (no secret, no token).
 *
 * @example
 * ```ts
 * import { type IssuedCredentialInfo, startEmulator } from "@iot-ota/emulator"
 *
 * const emu = await startEmulator()
 * // … let a client assume a role …
 * const viaOidc: ReadonlyArray<IssuedCredentialInfo> = emu.issuedCredentials().filter((c) => c.via === "AssumeRoleWithOIDC")
 * console.log(viaOidc.map((c) => c.subject))
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface IssuedCredentialInfo {
  readonly accessKeyId: string
  readonly roleArn: string
  readonly sessionName: string
  /** What issued it: an STS action, the metadata service, or `emu.issueCredentials()`. */
  readonly via: "AssumeRole" | "AssumeRoleWithOIDC" | "EcsMetadata" | "issueCredentials"
  /** The OIDC token's `sub`, for `AssumeRoleWithOIDC`. */
  readonly subject?: string
  readonly expiration: string
  /** Whether it has expired by the server clock (or `expireCredentials`). */
  readonly expired: boolean
}

/**
 * What `emu.oidcToken()` puts in a token; every field has a working default.
 *
 * @example
 * ```ts
 * import { type OidcTokenOptions, startEmulator } from "@iot-ota/emulator"
 *
 * const emu = await startEmulator()
 * const options: OidcTokenOptions = { subject: "system:serviceaccount:ota:reader", expiresInSeconds: 7200 }
 * const token = emu.oidcToken(options)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface OidcTokenOptions {
  /** Default: the first provider. */
  readonly providerArn?: string
  /** Default `system:serviceaccount:default:emulator`. */
  readonly subject?: string
  /** Default the provider's first client id (`sts.aliyuncs.com`). */
  readonly audience?: string | ReadonlyArray<string>
  /** From the server clock; default 3600. Negative: a token that has already expired. */
  readonly expiresInSeconds?: number
  /** Default the provider's issuer (give another to test the refusal). */
  readonly issuer?: string
}

/**
 * The role, session and lifetime of `emu.issueCredentials()`.
 *
 * @example
 * ```ts
 * import { type IssueCredentialsOptions, startEmulator } from "@iot-ota/emulator"
 *
 * const emu = await startEmulator()
 * const options: IssueCredentialsOptions = { durationSeconds: 900, sessionName: "fixture" }
 * const { accessKeyId, accessKeySecret, securityToken } = emu.issueCredentials(options)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface IssueCredentialsOptions {
  /** Default: the first role. */
  readonly roleArn?: string
  /** Default 3600 (not checked against the role's maximum). */
  readonly durationSeconds?: number
  /** Default `emulator-fixture`. */
  readonly sessionName?: string
}

/**
 * Options of {@link startEmulator}; every field is optional.
 *
 * @example
 * ```ts
 * import { type EmulatorOptions, startEmulator } from "@iot-ota/emulator"
 *
 * const options: EmulatorOptions = {
 *   seed: 7,
 *   casing: "alibaba",
 *   qps: 0, // no rate limit: a test suite should not wait for the token bucket
 *   jobs: [{ jobId: "job-1", tasks: 1200 }],
 *   clockSkewMs: -5_000,
 *   logger: (line) => console.error(line)
 * }
 * const emu = await startEmulator(options)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface EmulatorOptions {
  /** 0 = any free port (default). */
  readonly port?: number
  /** Default `127.0.0.1`. */
  readonly host?: string
  /** Seeds the data and the fault draws. Default 1. */
  readonly seed?: number
  /** Default `"alibaba"`. */
  readonly casing?: Casing
  /** Default `[DEFAULT_CREDENTIALS]`. */
  readonly credentials?: ReadonlyArray<EmulatorCredentials>
  /** Default `[{ jobId: DEFAULT_JOB_ID, tasks: DEFAULT_TASK_COUNT }]`. */
  readonly jobs?: ReadonlyArray<JobSpec>
  /** Firmware to serve besides those the jobs imply (see {@link FirmwareSpec}). */
  readonly firmware?: ReadonlyArray<FirmwareSpec>
  /** Products to serve besides those the firmware implies (see {@link ProductSpec}). */
  readonly products?: ReadonlyArray<ProductSpec>
  /** Requests per second per AccessKeyId, over every action and connection. Default 10; 0 = off. */
  readonly qps?: number
  /** How `qps` is counted (see {@link QuotaMode}). Default `"token-bucket"`. */
  readonly quota?: QuotaMode
  readonly faults?: FaultOptions
  /** The server's clock is real time + this; it drives the timestamp window and the `Date` header. Default 0. */
  readonly clockSkewMs?: number
  /** Accepted distance between the request's timestamp and the server clock, either way. Default 15 min. */
  readonly timestampWindowMs?: number
  /** Larger bodies get 413. Default 64 KiB. */
  readonly maxBodyBytes?: number
  /** Longer request URIs get 414 (longer than 64 KiB of request line and headers: 431). Default 16 KiB. */
  readonly maxUrlBytes?: number
  /** A client that has not sent complete headers by then gets 408 and is disconnected. Default 10 s. */
  readonly headersTimeoutMs?: number
  /** One line per request: method, status, code, AccessKeyId, RequestId, time. Never secrets or signatures. */
  readonly logger?: (line: string) => void
  /** Roles STS hands out (see {@link RoleSpec}). Default `[{ roleArn: DEFAULT_ROLE_ARN }]`. */
  readonly roles?: ReadonlyArray<RoleSpec>
  /** OIDC providers STS trusts (see {@link OidcProviderSpec}). Default `[DEFAULT_OIDC_PROVIDER]`. */
  readonly oidcProviders?: ReadonlyArray<OidcProviderSpec>
  /**
   * The name of the RAM role attached to the "instance" whose metadata service the emulator serves under
   * `/latest/`; one of `roles`. Default the first role's name; `null`: no role attached.
   */
  readonly instanceRole?: string | null
  /** The metadata service's session-token mode (see {@link MetadataTokens}). Default `"optional"`. */
  readonly metadataTokens?: MetadataTokens
  /**
   * Test-only: every credential the emulator issues (STS and metadata) expires this long after it is issued,
   * whatever `DurationSeconds` asked (which is still checked against 900 s and the role's maximum), so a test
   * can watch credentials expire and be refreshed. Default: as asked (STS), 6 hours (metadata).
   */
  readonly credentialLifetimeMs?: number
  /**
   * The server clock in epoch milliseconds, before `clockSkewMs`. Default `Date.now`. It times everything the
   * client's clock meets: the timestamp window, the `Date` header, issued credentials' expiry, OIDC tokens and
   * metadata session tokens. A test that runs its client on a test clock gives the same clock here, so that
   * both agree when a credential has expired.
   */
  readonly clock?: () => number
  /**
   * Keep `stats().requestLog`, one entry per request the quota judged. Default `false`: the log grows with every
   * request until `resetStats()`.
   */
  readonly requestLog?: boolean
}

/**
 * One request as the quota saw it, in `stats().requestLog` (with the `requestLog` option): enough to count
 * requests per window as the server counted them, e.g. to check that clients sharing an account stayed within
 * its quota together.
 *
 * @example
 * ```ts
 * import { startEmulator } from "@iot-ota/emulator"
 *
 * const emu = await startEmulator({ qps: 10, quota: "sliding-window", requestLog: true })
 * // … run the clients …
 * const { requestLog } = emu.stats()
 * // Requests of the busiest second (admitted or not), counted from each arrival.
 * const busiest = Math.max(0, ...requestLog.map((e) => requestLog.filter((f) => f.at >= e.at && f.at < e.at + 1000).length))
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface RequestLogEntry {
  /**
   * When it arrived (its headers were read), in ms since the emulator started (monotonic): the time the quota
   * counts it at. A request whose body was still arriving when a later one was judged counts at that later time.
   */
  readonly at: number
  readonly accessKeyId: string
  readonly action: string
  /** Refused by the quota (`Throttling.User`). */
  readonly throttled: boolean
}

/**
 * Counters since start or the last `resetStats()`. `byCode` counts responses by outcome: `"OK"`, the error
 * Code (`"SignatureDoesNotMatch"`, …), or `"fault:<Kind>"` for injected faults (a `Delay` also counts its
 * final answer).
 *
 * @example
 * ```ts
 * import { startEmulator } from "@iot-ota/emulator"
 *
 * const emu = await startEmulator({ faults: { sequence: ["ServiceUnavailable"] } })
 * // … call the client …
 * const { requests, byCode, byAction, throttled } = emu.stats()
 * console.log(requests, byCode["OK"], byCode["fault:ServiceUnavailable"], byAction["QueryOTAJob"], throttled)
 * emu.resetStats()
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface EmulatorStats {
  readonly requests: number
  readonly byCode: Readonly<Record<string, number>>
  /** Admitted requests by `Action` (those that passed signature, nonce and quota checks). */
  readonly byAction: Readonly<Record<string, number>>
  /** Requests refused by the quota (`Throttling.User`; the `Throttling` fault is not counted here). */
  readonly throttled: number
  /** Nonces currently remembered. */
  readonly nonces: number
  /**
   * Metadata service requests by outcome: `token`, `role`, `credentials`, or `refused:<why>` (`plain`, `token`,
   * `ttl`, `no-tokens`, `no-role`, `not-found`, `method`). Not counted in `byCode` or `byAction`.
   */
  readonly metadata: Readonly<Record<string, number>>
  /**
   * With the `requestLog` option: every request the quota judged (it passed the signature, timestamp and nonce
   * checks), admitted or not, in arrival order. Empty without it.
   */
  readonly requestLog: ReadonlyArray<RequestLogEntry>
}

/**
 * A running emulator.
 *
 * @example
 * ```ts
 * import { startEmulator } from "@iot-ota/emulator"
 *
 * const emu = await startEmulator({ jobs: [{ jobId: "job-1", tasks: 500 }] })
 * try {
 *   console.log(emu.url, emu.credentials[0]?.accessKeyId, emu.jobs) // …, [{ jobId: "job-1", total: 500 }]
 *   // … point a client at emu.url, then compare what it listed with the ground truth:
 *   const expected = emu.tasks("job-1").map((task) => task.TaskId)
 * } finally {
 *   await emu.close()
 * }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Emulator {
  /**
   * E.g. `http://127.0.0.1:41234`, no trailing slash. When bound to every interface (`0.0.0.0`, `::`) it is the
   * loopback address, which a client can use (`http://0.0.0.0:…` is not an address to call).
   */
  readonly url: string
  readonly port: number
  /** The address bound, as given. */
  readonly host: string
  readonly credentials: ReadonlyArray<EmulatorCredentials>
  readonly jobs: ReadonlyArray<{
    readonly jobId: string
    readonly total: number
    readonly firmwareId: string
    readonly productKey: string
  }>
  /** Every firmware served, in `ListOTAFirmware` order. */
  readonly firmware: ReadonlyArray<FirmwareRecord>
  readonly products: ReadonlyArray<{ readonly productKey: string; readonly productName: string }>
  readonly quota: { readonly mode: QuotaMode; readonly qps: number }
  readonly stats: () => EmulatorStats
  readonly resetStats: () => void
  /** Replaces the fault options; a scripted sequence starts again from its first entry. */
  readonly setFaults: (faults: FaultOptions | undefined) => void
  /** The current tasks of a job (rollout applied): what a full listing returns. Throws for an unknown job. */
  readonly tasks: (jobId: string) => ReadonlyArray<TaskRecord>
  /** The job as `QueryOTAJob` answers it now. Throws for an unknown job. */
  readonly job: (jobId: string) => JobRecord
  /** The roles STS serves, with their longest session. */
  readonly roles: ReadonlyArray<{ readonly roleArn: string; readonly maxSessionDurationSeconds: number }>
  /** The OIDC providers STS trusts (their secrets are in the options, not here). */
  readonly oidcProviders: ReadonlyArray<{
    readonly arn: string
    readonly issuer: string
    readonly clientIds: ReadonlyArray<string>
  }>
  /** The metadata service under `${url}/latest/`: the instance's role name (undefined: none) and token mode. */
  readonly metadata: { readonly roleName: string | undefined; readonly tokens: MetadataTokens }
  /** A fresh OIDC token (an HS256 JWT) of a provider, timed by the server clock (see {@link OidcTokenOptions}). */
  readonly oidcToken: (options?: OidcTokenOptions) => string
  /** Issues temporary credentials directly, as a fixture (not a request: not in `stats()`). */
  readonly issueCredentials: (options?: IssueCredentialsOptions) => IssuedCredentials
  /**
   * Expires one issued credential (by AccessKeyId) or every one, now: requests signed with them get
   * `InvalidSecurityToken.Expired`, and the metadata service hands out a new one. Returns how many were valid.
   */
  readonly expireCredentials: (accessKeyId?: string) => number
  /** Every credential issued so far (STS, metadata, fixtures), oldest first. */
  readonly issuedCredentials: () => ReadonlyArray<IssuedCredentialInfo>
  /** Stops listening, drops open connections and pending delayed answers; resolves when closed. */
  readonly close: () => Promise<void>
}

/**
 * The AccessKey pair accepted when `credentials` is not given. Obviously fake.
 *
 * @example
 * ```ts
 * import { DEFAULT_CREDENTIALS, startEmulator } from "@iot-ota/emulator"
 *
 * const emu = await startEmulator()
 * process.env.OTA_ENDPOINT = emu.url
 * process.env.OTA_ACCESS_KEY_ID = DEFAULT_CREDENTIALS.accessKeyId
 * process.env.OTA_ACCESS_KEY_SECRET = DEFAULT_CREDENTIALS.accessKeySecret
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_CREDENTIALS: EmulatorCredentials = {
  accessKeyId: "emulator-access-key-id",
  accessKeySecret: "emulator-access-key-secret"
}

/**
 * The role STS serves when `roles` is not given, also the ECS instance's role by default. Obviously fake.
 *
 * @example
 * ```ts
 * import { DEFAULT_ROLE_ARN, startEmulator } from "@iot-ota/emulator"
 *
 * const emu = await startEmulator()
 * console.log(emu.roles[0]?.roleArn === DEFAULT_ROLE_ARN, emu.metadata.roleName) // true "emulator-role"
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_ROLE_ARN: string = ROLE_ARN_DEFAULT

/**
 * The OIDC provider STS trusts when `oidcProviders` is not given: its ARN, issuer, HS256 secret (public, like
 * the default AccessKey) and client ids.
 *
 * @example
 * ```ts
 * import { DEFAULT_OIDC_PROVIDER, DEFAULT_ROLE_ARN } from "@iot-ota/emulator"
 *
 * // What an ACK pod would have in its environment, pointed at the emulator.
 * const env = {
 *   ALIBABA_CLOUD_ROLE_ARN: DEFAULT_ROLE_ARN,
 *   ALIBABA_CLOUD_OIDC_PROVIDER_ARN: DEFAULT_OIDC_PROVIDER.arn
 * }
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_OIDC_PROVIDER: Required<OidcProviderSpec> = {
  arn: OIDC_PROVIDER_ARN_DEFAULT,
  issuer: DEFAULT_OIDC_ISSUER,
  secret: DEFAULT_OIDC_SECRET,
  clientIds: [DEFAULT_OIDC_AUDIENCE]
}

/**
 * The job served when `jobs` is not given (shaped like a platform JobId).
 *
 * @example
 * ```ts
 * import { DEFAULT_JOB_ID, DEFAULT_TASK_COUNT, startEmulator } from "@iot-ota/emulator"
 *
 * const emu = await startEmulator()
 * console.log(emu.jobs) // [{ jobId: DEFAULT_JOB_ID, total: DEFAULT_TASK_COUNT }]
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_JOB_ID: string = JOB_ID

/**
 * Task count of the default job.
 *
 * @example
 * ```ts
 * import { DEFAULT_JOB_ID, DEFAULT_TASK_COUNT, startEmulator } from "@iot-ota/emulator"
 *
 * const emu = await startEmulator()
 * console.log(emu.tasks(DEFAULT_JOB_ID).length === DEFAULT_TASK_COUNT) // true
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_TASK_COUNT: number = TASK_COUNT

const DEFAULTS = {
  host: "127.0.0.1",
  seed: 1,
  qps: DEFAULT_QPS,
  quota: "token-bucket",
  timestampWindowMs: DEFAULT_TIMESTAMP_WINDOW_MS,
  maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
  maxUrlBytes: 16 * 1024,
  maxHeaderBytes: 64 * 1024,
  headersTimeoutMs: DEFAULT_HEADERS_TIMEOUT_MS
} as const

const MAX_TASKS_PER_JOB = 1_000_000

const check = (ok: boolean, message: string): void => {
  if (!ok) throw new RangeError(`startEmulator: ${message}`)
}

const unique = (what: string, ids: ReadonlyArray<string>): void => {
  const seen = new Set<string>()
  for (const id of ids) {
    check(id.length > 0, `a ${what} must not be empty`)
    check(!seen.has(id), `${what} "${id}" is given twice`)
    seen.add(id)
  }
}

const validate = (options: EmulatorOptions, jobs: ReadonlyArray<JobSpec>): void => {
  const { port = 0, qps = DEFAULTS.qps, quota = DEFAULTS.quota } = options
  check(
    Number.isInteger(port) && port >= 0 && port <= 65535,
    `port must be an integer within 0..65535, got ${port}`
  )
  check(
    options.casing === undefined || options.casing === "alibaba" || options.casing === "tuya",
    "casing must be alibaba or tuya"
  )
  check(Number.isFinite(options.seed ?? 0), "seed must be a finite number")
  check(Number.isFinite(qps) && qps >= 0, `qps must be >= 0, got ${qps}`)
  check(QUOTA_MODES.includes(quota), `quota must be one of ${QUOTA_MODES.join(", ")}, got "${quota}"`)
  check(
    quota === "token-bucket" || Number.isInteger(qps),
    `qps must be a whole number with quota "${quota}", got ${qps}`
  )
  check(Number.isFinite(options.clockSkewMs ?? 0), "clockSkewMs must be a finite number")
  for (const [name, value] of [
    ["timestampWindowMs", options.timestampWindowMs],
    ["maxBodyBytes", options.maxBodyBytes],
    ["maxUrlBytes", options.maxUrlBytes],
    ["headersTimeoutMs", options.headersTimeoutMs]
  ] as const) {
    check(value === undefined || (Number.isFinite(value) && value > 0), `${name} must be > 0, got ${value}`)
  }
  const credentials = options.credentials ?? [DEFAULT_CREDENTIALS]
  check(credentials.length > 0, "credentials must not be empty")
  for (const pair of credentials) {
    check(
      pair.accessKeyId.length > 0 && pair.accessKeySecret.length > 0,
      "credentials need a non-empty id and secret"
    )
  }
  unique(
    "productKey",
    (options.products ?? []).map((product) => product.productKey)
  )
  unique(
    "firmwareId",
    (options.firmware ?? []).map((firmware) => firmware.firmwareId)
  )
  unique(
    "jobId",
    jobs.map((job) => job.jobId)
  )
  for (const job of jobs) {
    const count = typeof job.tasks === "number" ? job.tasks : job.tasks.length
    check(
      Number.isInteger(count) && count >= 0 && count <= MAX_TASKS_PER_JOB,
      `job "${job.jobId}": tasks must be an integer within 0..${MAX_TASKS_PER_JOB}`
    )
    check(job.firmwareId === undefined || job.firmwareId.length > 0, `job "${job.jobId}": empty firmwareId`)
    if (job.statusMix !== undefined) {
      const weights = Object.entries(job.statusMix)
      check(
        weights.every(
          ([status, weight]) => STATUSES.includes(status as TaskStatus) && weight !== undefined && weight >= 0
        ) && weights.some(([, weight]) => (weight ?? 0) > 0),
        `job "${job.jobId}": statusMix needs non-negative weights of documented statuses, one of them > 0`
      )
    }
    if (job.rollout !== undefined) {
      check(job.rollout.durationMs > 0, `job "${job.jobId}": rollout.durationMs must be > 0`)
      const rate = job.rollout.failureRate ?? 0
      check(rate >= 0 && rate <= 1, `job "${job.jobId}": rollout.failureRate must be within 0..1`)
    }
  }
  const roles = options.roles ?? [{ roleArn: DEFAULT_ROLE_ARN }]
  unique(
    "roleArn",
    roles.map((role) => role.roleArn)
  )
  for (const role of roles) {
    check(
      ROLE_ARN.test(role.roleArn),
      `"${role.roleArn}" is not a role ARN (acs:ram::<account id>:role/<name>)`
    )
    const max = role.maxSessionDurationSeconds
    check(
      max === undefined ||
        (Number.isInteger(max) && max >= DEFAULT_MAX_SESSION_DURATION_SECONDS && max <= MAX_SESSION_SECONDS),
      `role "${role.roleArn}": maxSessionDurationSeconds must be a whole number within 3600..43200, got ${max}`
    )
  }
  const providers = options.oidcProviders ?? [DEFAULT_OIDC_PROVIDER]
  unique(
    "OIDC provider arn",
    providers.map((provider) => provider.arn)
  )
  for (const provider of providers) {
    check(
      OIDC_PROVIDER_ARN.test(provider.arn),
      `"${provider.arn}" is not an OIDC provider ARN (acs:ram::<account id>:oidc-provider/<name>)`
    )
    check(provider.secret === undefined || provider.secret.length > 0, `${provider.arn}: empty secret`)
    check(
      provider.clientIds === undefined || provider.clientIds.length > 0,
      `${provider.arn}: clientIds must not be empty`
    )
  }
  if (typeof options.instanceRole === "string") {
    const name = options.instanceRole
    check(
      roles.some((role) => ROLE_ARN.exec(role.roleArn)?.[2] === name),
      `instanceRole "${name}" is not the name of one of the roles`
    )
  }
  check(
    options.metadataTokens === undefined || METADATA_TOKEN_MODES.includes(options.metadataTokens),
    `metadataTokens must be one of ${METADATA_TOKEN_MODES.join(", ")}`
  )
  check(
    options.credentialLifetimeMs === undefined ||
      (Number.isFinite(options.credentialLifetimeMs) && options.credentialLifetimeMs >= 1000),
    `credentialLifetimeMs must be >= 1000 (credentials expire on whole seconds), got ${options.credentialLifetimeMs}`
  )
  // Fails fast on bad fault options instead of at the first request.
  new FaultPlan(options.faults, options.seed ?? DEFAULTS.seed)
}

/**
 * Starts an emulator and resolves once it is listening.
 *
 * @example
 * ```ts
 * import { DEFAULT_CREDENTIALS, startEmulator } from "@iot-ota/emulator"
 *
 * const emu = await startEmulator({ jobs: [{ jobId: "job-1", tasks: 500 }], qps: 0 })
 * // … point a client at emu.url with DEFAULT_CREDENTIALS …
 * await emu.close()
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const startEmulator = async (options: EmulatorOptions = {}): Promise<Emulator> => {
  const jobSpecs = options.jobs ?? [{ jobId: DEFAULT_JOB_ID, tasks: DEFAULT_TASK_COUNT }]
  validate(options, jobSpecs)
  const seed = options.seed ?? DEFAULTS.seed
  const casing = options.casing ?? "alibaba"
  const clockSkewMs = options.clockSkewMs ?? 0
  const credentials = (options.credentials ?? [DEFAULT_CREDENTIALS]).map((pair) => ({ ...pair }))
  const quota = { mode: options.quota ?? DEFAULTS.quota, qps: options.qps ?? DEFAULTS.qps }
  const world = new World({
    seed,
    casing,
    products: options.products ?? [],
    firmware: options.firmware ?? [],
    jobs: jobSpecs,
    startedMono: performance.now(),
    startedWall: Date.now() + clockSkewMs
  })

  const clock = options.clock
  const serverNow = (): number => (clock?.() ?? Date.now()) + clockSkewMs
  const issuer = new CredentialIssuer({ now: serverNow, lifetimeMs: options.credentialLifetimeMs })
  const roleSpecs = options.roles ?? [{ roleArn: DEFAULT_ROLE_ARN }]
  const roleRandom = makeRandom(seed, "roles")
  const roles = new Map<string, RoleDef>(
    roleSpecs.map((spec) => [spec.roleArn, roleDef(spec, `3${roleRandom.chars(16, "0123456789")}`)])
  )
  const oidcProviders = new Map<string, OidcProviderDef>(
    (options.oidcProviders ?? [DEFAULT_OIDC_PROVIDER]).map((spec) => [
      spec.arn,
      {
        arn: spec.arn,
        issuer: spec.issuer ?? DEFAULT_OIDC_PROVIDER.issuer,
        secret: spec.secret ?? DEFAULT_OIDC_PROVIDER.secret,
        clientIds: [...(spec.clientIds ?? DEFAULT_OIDC_PROVIDER.clientIds)]
      }
    ])
  )
  const firstRole = roles.values().next().value as RoleDef | undefined
  const instanceRole =
    options.instanceRole === null
      ? undefined
      : options.instanceRole === undefined
        ? firstRole
        : [...roles.values()].find((role) => role.name === options.instanceRole)
  const metadataTokens = options.metadataTokens ?? "optional"
  const metadata = new MetadataService({ issuer, role: instanceRole, tokens: metadataTokens, now: serverNow })

  const core = new EmulatorCore({
    casing,
    seed,
    credentials: new Map(
      credentials.map((pair) => [
        pair.accessKeyId,
        { secret: pair.accessKeySecret, securityToken: pair.securityToken }
      ])
    ),
    world,
    registry: REGISTRY,
    qps: quota.qps,
    quota: quota.mode,
    clockSkewMs,
    clock,
    sts: { issuer, roles, oidcProviders },
    metadata,
    timestampWindowMs: options.timestampWindowMs ?? DEFAULTS.timestampWindowMs,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULTS.maxBodyBytes,
    maxUrlBytes: options.maxUrlBytes ?? DEFAULTS.maxUrlBytes,
    faults: options.faults,
    logger: options.logger,
    requestLog: options.requestLog === true
  })

  const headersTimeout = options.headersTimeoutMs ?? DEFAULTS.headersTimeoutMs
  const server = createServer(
    {
      maxHeaderSize: Math.max(DEFAULTS.maxHeaderBytes, (options.maxUrlBytes ?? 0) + 16 * 1024),
      headersTimeout,
      requestTimeout: Math.max(headersTimeout, 30_000),
      // How often Node looks for connections past those timeouts (its default is 30 s).
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(headersTimeout / 4))),
      noDelay: true
    },
    core.handle
  )
  server.on("clientError", core.onClientError)

  const host = options.host ?? DEFAULTS.host
  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error): void => reject(error)
    server.once("error", onError)
    server.listen({ port: options.port ?? 0, host }, () => {
      server.off("error", onError)
      resolve()
    })
  })
  const address = server.address()
  const port = typeof address === "object" && address !== null ? address.port : (options.port ?? 0)
  // Bound to every interface: the loopback address of the same family is one a client can call.
  const callable = wildcardHost(host) ? (host.includes(":") ? "::1" : "127.0.0.1") : host
  const urlHost = callable.includes(":") ? `[${callable}]` : callable

  const jobOf = (jobId: string) => {
    const job = world.catalog.jobs.get(jobId)
    if (job === undefined) throw new RangeError(`unknown job "${jobId}"`)
    return job
  }
  let closing: Promise<void> | undefined
  return {
    url: `http://${urlHost}:${port}`,
    port,
    host,
    credentials,
    jobs: [...world.catalog.jobs.values()].map((job) => ({
      jobId: job.jobId,
      total: world.source(job.jobId)?.total ?? 0,
      firmwareId: job.firmware.record.FirmwareId,
      productKey: job.product.productKey
    })),
    firmware: [...world.catalog.firmware.values()].map((def) => def.record),
    products: [...world.catalog.products.values()].map((product) => ({
      productKey: product.productKey,
      productName: product.productName
    })),
    quota,
    stats: () => core.stats(),
    resetStats: () => core.resetStats(),
    setFaults: (faults) => core.setFaults(faults),
    tasks: (jobId) => world.snapshot(jobOf(jobId).jobId, performance.now()) ?? [],
    job: (jobId) => world.jobRecord(jobOf(jobId), performance.now()),
    roles: [...roles.values()].map((role) => ({
      roleArn: role.arn,
      maxSessionDurationSeconds: role.maxSessionSeconds
    })),
    oidcProviders: [...oidcProviders.values()].map((provider) => ({
      arn: provider.arn,
      issuer: provider.issuer,
      clientIds: provider.clientIds
    })),
    metadata: { roleName: instanceRole?.name, tokens: metadataTokens },
    oidcToken: (tokenOptions = {}) => {
      const arn = tokenOptions.providerArn ?? oidcProviders.keys().next().value
      const provider = arn === undefined ? undefined : oidcProviders.get(arn)
      if (provider === undefined) throw new RangeError(`unknown OIDC provider "${arn}"`)
      const now = Math.floor(serverNow() / 1000)
      const audience = tokenOptions.audience ?? provider.clientIds[0] ?? DEFAULT_OIDC_AUDIENCE
      return mintOidcToken(provider, {
        iss: tokenOptions.issuer ?? provider.issuer,
        sub: tokenOptions.subject ?? "system:serviceaccount:default:emulator",
        aud: typeof audience === "string" ? audience : [...audience],
        iat: now,
        exp: now + (tokenOptions.expiresInSeconds ?? 3600)
      })
    },
    issueCredentials: (issueOptions = {}) => {
      const arn = issueOptions.roleArn ?? firstRole?.arn
      const role = arn === undefined ? undefined : roles.get(arn)
      if (role === undefined) throw new RangeError(`unknown role "${arn}"`)
      const seconds = issueOptions.durationSeconds ?? 3600
      if (!(Number.isInteger(seconds) && seconds >= 1))
        throw new RangeError(`durationSeconds must be a whole number >= 1, got ${seconds}`)
      const record = issuer.issue({
        role,
        sessionName: issueOptions.sessionName ?? "emulator-fixture",
        seconds,
        via: "issueCredentials"
      })
      return {
        accessKeyId: record.accessKeyId,
        accessKeySecret: record.accessKeySecret,
        securityToken: record.securityToken,
        expiration: stsTime(record.expiresAt)
      }
    },
    expireCredentials: (accessKeyId) => issuer.expire(accessKeyId),
    issuedCredentials: () => {
      const now = serverNow()
      return issuer.list().map((record) => ({
        accessKeyId: record.accessKeyId,
        roleArn: record.roleArn,
        sessionName: record.sessionName,
        via: record.via,
        ...(record.subject === undefined ? {} : { subject: record.subject }),
        expiration: stsTime(record.expiresAt),
        expired: record.expiresAt <= now
      }))
    },
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        core.shutdown()
        server.close(() => resolve())
        server.closeAllConnections()
      })
      return closing
    }
  }
}
