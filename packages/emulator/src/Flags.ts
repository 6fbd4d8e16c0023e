/**
 * The emulator's command-line flags, declared once as data. The `ota-emulator` bin derives its parser and its
 * usage text from {@link EMULATOR_FLAGS}; `ota emulator` derives its `@effect/cli` options from the same list and
 * hands the values to {@link optionsFromFlags}, so both accept the same flags with the same checks and messages.
 * This module loads nothing but constants, so a CLI can import it eagerly.
 *
 * @since 0.1.0
 */
import type { EmulatorOptions, FaultOptions, JobSpec } from "./Emulator.js"
import {
  DEFAULT_FAULT_DELAY_MS,
  DEFAULT_HEADERS_TIMEOUT_MS,
  DEFAULT_JOB_ID,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_MAX_SESSION_DURATION_SECONDS,
  DEFAULT_OIDC_PROVIDER_ARN,
  DEFAULT_QPS,
  DEFAULT_ROLE_ARN,
  DEFAULT_ROLLOUT_FAILURE_RATE,
  DEFAULT_TASK_COUNT,
  DEFAULT_TIMESTAMP_WINDOW_MS,
  FAULT_KINDS,
  type FaultKind,
  METADATA_TOKEN_MODES,
  type MetadataTokens,
  QUOTA_MODES,
  type QuotaMode
} from "./internal/model.js"

/**
 * How a flag's text is read:
 * - `string`: as given;
 * - `integer` / `number`: a decimal number within `min`..`max`;
 * - `rate`: a number within 0..1;
 * - `duration`: a number **with a unit** (`500ms`, `2s`, `1.5m`, `1h`); a bare number is refused;
 * - `choice`: one of `choices`;
 * - `list`: comma-separated `choices` (plus `-` where the flag allows it);
 * - `boolean`: present or not, takes no value.
 *
 * @example
 * ```ts
 * import { Flags } from "@iot-ota/emulator"
 *
 * const durations = Flags.EMULATOR_FLAGS.filter((flag) => flag.kind === "duration").map((flag) => flag.name)
 * // ["rollout", "fault-delay", "clock-skew", "timestamp-window", "headers-timeout", "max-session-duration", "credential-lifetime"]
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type FlagKind = "string" | "integer" | "number" | "rate" | "duration" | "choice" | "list" | "boolean"

/**
 * One flag: everything its parser, its help line and a CLI framework need.
 *
 * @example
 * ```ts
 * import { Flags } from "@iot-ota/emulator"
 *
 * const delay: Flags.FlagDeclaration = {
 *   name: "fault-delay",
 *   kind: "duration",
 *   placeholder: "duration",
 *   description: "how long a Delay fault waits before answering",
 *   default: "2s",
 *   min: 0
 * }
 * console.log(Flags.describeFlag(delay)) // "how long a Delay fault waits before answering (default 2s; …)"
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface FlagDeclaration {
  /** The long name, without dashes: `--fault-delay` is `"fault-delay"`. */
  readonly name: string
  readonly kind: FlagKind
  /** The value's name in help texts: `--fault-delay <duration>`. */
  readonly placeholder: string
  /** What it does, lower-case, without the default or the units (those are added from the fields below). */
  readonly description: string
  /** The default as a user would type it (`"2s"`, `"10"`); absent when there is none. */
  readonly default?: string
  /** The unit of a number (`"requests per second"`, `"bytes"`); durations name theirs by themselves. */
  readonly units?: string
  /** `choice` and `list` values. */
  readonly choices?: ReadonlyArray<string>
  /** May be given more than once; the values are kept in order. */
  readonly repeatable?: boolean
  /** Inclusive bounds of a number or duration (in milliseconds). */
  readonly min?: number
  readonly max?: number
}

const DURATION_UNITS = "units: ms, s, m, h, e.g. 500ms, 2s, 1m"

/**
 * Every flag of `ota-emulator` and `ota emulator` (`--help` is added by each command line itself).
 *
 * @example
 * ```ts
 * import { Flags } from "@iot-ota/emulator"
 *
 * for (const flag of Flags.EMULATOR_FLAGS) console.log(`--${flag.name} <${flag.placeholder}>`)
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const EMULATOR_FLAGS: ReadonlyArray<FlagDeclaration> = [
  {
    name: "port",
    kind: "integer",
    placeholder: "n",
    description: "port to listen on, 0 = any free port",
    default: "0",
    min: 0,
    max: 65535
  },
  {
    name: "host",
    kind: "string",
    placeholder: "address",
    description:
      "address to bind; 0.0.0.0 or :: makes the emulator and its test key reachable from the network (a warning is printed)",
    default: "127.0.0.1"
  },
  {
    name: "seed",
    kind: "integer",
    placeholder: "n",
    description: "seed of the generated data and of the fault draws",
    default: "1"
  },
  {
    name: "casing",
    kind: "choice",
    placeholder: "alibaba|tuya",
    description: "response keys: the API tables' PascalCase (alibaba) or the Tuya example's camelCase (tuya)",
    default: "alibaba",
    choices: ["alibaba", "tuya"]
  },
  {
    name: "qps",
    kind: "number",
    placeholder: "n",
    description: "quota per AccessKeyId over every action, 0 = off",
    default: String(DEFAULT_QPS),
    units: "requests per second",
    min: 0
  },
  {
    name: "quota",
    kind: "choice",
    placeholder: "mode",
    description:
      "how --qps is counted: token-bucket (bursts of --qps pass), fixed-window (--qps per calendar second) or sliding-window (strict: never more than --qps in any 1000 ms)",
    default: "token-bucket",
    choices: QUOTA_MODES
  },
  {
    name: "job",
    kind: "string",
    placeholder: "id[:tasks]",
    description: "serve this job (its firmware and product are derived from the seed), repeatable",
    default: `${DEFAULT_JOB_ID}:${DEFAULT_TASK_COUNT}`,
    repeatable: true
  },
  {
    name: "rollout",
    kind: "duration",
    placeholder: "duration",
    description: "rollout mode: every job's tasks advance to SUCCEEDED or FAILED within this time from start",
    min: 1
  },
  {
    name: "rollout-failure-rate",
    kind: "rate",
    placeholder: "r",
    description: "share of tasks that fail in rollout mode, 0..1",
    default: String(DEFAULT_ROLLOUT_FAILURE_RATE)
  },
  {
    name: "fault-rate",
    kind: "rate",
    placeholder: "r",
    description: "probability 0..1 that an admitted request gets a fault",
    default: "0"
  },
  {
    name: "faults",
    kind: "list",
    placeholder: "kind,...",
    description: "kinds drawn by --fault-rate (default all)",
    choices: FAULT_KINDS
  },
  {
    name: "fault-sequence",
    kind: "list",
    placeholder: "kind,...",
    description: 'scripted faults for the first admitted requests; "-" answers normally',
    choices: [...FAULT_KINDS, "-"]
  },
  {
    name: "fault-delay",
    kind: "duration",
    placeholder: "duration",
    description: "how long a Delay fault waits before answering",
    default: `${DEFAULT_FAULT_DELAY_MS / 1000}s`,
    min: 0
  },
  {
    name: "access-key-id",
    kind: "string",
    placeholder: "id",
    description: "accepted AccessKeyId, with --access-key-secret (default: a fixed, public test pair)"
  },
  {
    name: "access-key-secret",
    kind: "string",
    placeholder: "secret",
    description: "its secret: the emulator's own test credential, never a real key"
  },
  {
    name: "clock-skew",
    kind: "duration",
    placeholder: "duration",
    description:
      'the server clock = real time + this (timestamp window, Date header); a negative value needs "=": --clock-skew=-1m',
    default: "0s"
  },
  {
    name: "timestamp-window",
    kind: "duration",
    placeholder: "duration",
    description: "accepted distance between a request's timestamp and the server clock, either way",
    default: `${DEFAULT_TIMESTAMP_WINDOW_MS / 60_000}m`,
    min: 1
  },
  {
    name: "max-body-bytes",
    kind: "integer",
    placeholder: "n",
    description: "larger request bodies get 413",
    default: String(DEFAULT_MAX_BODY_BYTES),
    units: "bytes",
    min: 1
  },
  {
    name: "headers-timeout",
    kind: "duration",
    placeholder: "duration",
    description: "clients slower than this to send their headers get 408",
    default: `${DEFAULT_HEADERS_TIMEOUT_MS / 1000}s`,
    min: 1
  },
  {
    name: "role",
    kind: "string",
    placeholder: "arn",
    description:
      "a RAM role STS hands out (AssumeRole, AssumeRoleWithOIDC), acs:ram::<account>:role/<name>; the first is also the metadata service's instance role; repeatable",
    default: DEFAULT_ROLE_ARN,
    repeatable: true
  },
  {
    name: "max-session-duration",
    kind: "duration",
    placeholder: "duration",
    description: "the longest DurationSeconds every --role accepts, whole seconds",
    default: `${DEFAULT_MAX_SESSION_DURATION_SECONDS / 3600}h`,
    min: 3_600_000,
    max: 43_200_000
  },
  {
    name: "oidc-provider",
    kind: "string",
    placeholder: "arn",
    description:
      "the OIDC provider STS trusts for AssumeRoleWithOIDC; its tokens are HS256 JWTs signed with --oidc-secret (see the README)",
    default: DEFAULT_OIDC_PROVIDER_ARN
  },
  {
    name: "oidc-secret",
    kind: "string",
    placeholder: "secret",
    description:
      "the HS256 key of --oidc-provider's tokens: a test value, never a real key (default: a public one)"
  },
  {
    name: "instance-role",
    kind: "string",
    placeholder: "name",
    description:
      'the RAM role the ECS metadata service under /latest/ hands out, the name of a --role ("none": no role; default the first --role)'
  },
  {
    name: "metadata-tokens",
    kind: "choice",
    placeholder: "mode",
    description:
      "metadata session tokens: optional (issued, not required), required (hardened mode: plain requests get 403) or unsupported (the token PUT gets 404)",
    default: "optional",
    choices: METADATA_TOKEN_MODES
  },
  {
    name: "credential-lifetime",
    kind: "duration",
    placeholder: "duration",
    description:
      "test-only: every credential the emulator issues expires this long after it is issued, whatever DurationSeconds asked (default: as asked; 6h from the metadata service)",
    min: 1000
  },
  {
    name: "log",
    kind: "boolean",
    placeholder: "",
    description: "print one line per request on stderr (never secrets or signatures)"
  }
]

/**
 * A flag given a value it does not accept, an unknown flag, or flags that do not go together. The message names
 * the flag and says what it accepts.
 *
 * @example
 * ```ts
 * import { Cli } from "@iot-ota/emulator"
 *
 * try {
 *   Cli.parseEmulatorArgs(["--rollout", "60000"])
 * } catch (error) {
 *   // --rollout: "60000" has no unit; write e.g. 60000ms or 60s (units: ms, s, m, h)
 *   if (error instanceof Cli.CliUsageError) console.error(error.message)
 * }
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class CliUsageError extends Error {
  readonly _tag = "CliUsageError"
}

/**
 * A flag's help line without the flag itself: its description, default, units and accepted values.
 *
 * @example
 * ```ts
 * import { Flags } from "@iot-ota/emulator"
 *
 * const qps = Flags.EMULATOR_FLAGS.find((flag) => flag.name === "qps")
 * if (qps !== undefined) console.log(Flags.describeFlag(qps))
 * // quota per AccessKeyId over every action, 0 = off (default 10; unit: requests per second)
 * ```
 *
 * @since 0.1.0
 * @category formatting
 */
export const describeFlag = (flag: FlagDeclaration): string => {
  const notes: Array<string> = []
  if (flag.default !== undefined) notes.push(`default ${flag.default}`)
  if (flag.kind === "duration") notes.push(DURATION_UNITS)
  if (flag.units !== undefined) notes.push(`unit: ${flag.units}`)
  if (flag.kind === "list" && flag.choices !== undefined) notes.push(`kinds: ${flag.choices.join(", ")}`)
  return notes.length === 0 ? flag.description : `${flag.description} (${notes.join("; ")})`
}

const DURATION = /^(-?)(\d+(?:\.\d+)?)(ms|s|m|h)$/
const MS_PER_UNIT: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }

/**
 * Milliseconds from a duration with a unit (`500ms`, `2s`, `1.5m`, `1h`, `-30s`); throws {@link CliUsageError}
 * naming `flag` when the text has no unit or is not a duration.
 *
 * @example
 * ```ts
 * import { Flags } from "@iot-ota/emulator"
 *
 * Flags.parseDuration("rollout", "90s") // 90000
 * Flags.parseDuration("rollout", "90") // throws: --rollout: "90" has no unit; write e.g. 90ms or 90s …
 * ```
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseDuration = (flag: string, text: string): number => {
  const trimmed = text.trim()
  const match = DURATION.exec(trimmed)
  if (match === null) {
    if (/^-?\d+(?:\.\d+)?$/.test(trimmed)) {
      throw new CliUsageError(
        `--${flag}: "${text}" has no unit; write e.g. ${trimmed}ms or ${trimmed}s (units: ms, s, m, h)`
      )
    }
    throw new CliUsageError(`--${flag}: "${text}" is not a duration (${DURATION_UNITS})`)
  }
  const ms = Math.round(Number(match[2]) * (MS_PER_UNIT[match[3] ?? "ms"] ?? 1))
  return match[1] === "-" ? -ms : ms
}

/**
 * The values a command line collected, by flag name: a string (or several for a repeatable flag), `true` for
 * a boolean flag that is present; absent or `undefined` when not given.
 *
 * @example
 * ```ts
 * import { Flags } from "@iot-ota/emulator"
 *
 * const values: Flags.FlagValues = { job: ["job-1:500"], qps: "0", log: true }
 * const { options } = Flags.optionsFromFlags(values)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type FlagValues = Readonly<Record<string, string | ReadonlyArray<string> | boolean | undefined>>

/**
 * What the flags ask for: emulator options, and `--log` (the caller decides where request lines go).
 *
 * @example
 * ```ts
 * import { Flags, startEmulator } from "@iot-ota/emulator"
 *
 * const args: Flags.EmulatorFlags = Flags.optionsFromFlags({ job: ["job-1:500"], log: true })
 * const emu = await startEmulator(args.log ? { ...args.options, logger: console.error } : args.options)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface EmulatorFlags {
  readonly log: boolean
  readonly options: EmulatorOptions
}

const declared = new Map(EMULATOR_FLAGS.map((flag) => [flag.name, flag]))

const text = (values: FlagValues, name: string): string | undefined => {
  const value = values[name]
  if (value === undefined || typeof value === "boolean") return undefined
  return typeof value === "string" ? value : value[value.length - 1]
}

const texts = (values: FlagValues, name: string): ReadonlyArray<string> | undefined => {
  const value = values[name]
  if (value === undefined || typeof value === "boolean") return undefined
  if (typeof value === "string") return [value]
  return value.length === 0 ? undefined : value
}

const flagOf = (name: string): FlagDeclaration => {
  const flag = declared.get(name)
  if (flag === undefined) throw new Error(`undeclared flag --${name}`)
  return flag
}

const checkRange = (flag: FlagDeclaration, raw: string, value: number, shown: string): number => {
  if ((flag.min !== undefined && value < flag.min) || (flag.max !== undefined && value > flag.max)) {
    const range =
      flag.max === undefined
        ? `>= ${flag.min}`
        : flag.min === undefined
          ? `<= ${flag.max}`
          : `${flag.min}..${flag.max}`
    throw new CliUsageError(`--${flag.name}: "${raw}" is out of range (${range}${shown})`)
  }
  return value
}

/** A number-valued flag (integer, number, rate, duration in ms), checked against its declaration. */
const numberFlag = (values: FlagValues, name: string): number | undefined => {
  const flag = flagOf(name)
  const raw = text(values, name)
  if (raw === undefined) return undefined
  if (flag.kind === "duration") return checkRange(flag, raw, parseDuration(name, raw), " ms")
  const value = Number(raw)
  const integer = flag.kind === "integer"
  if (raw.trim() === "" || !Number.isFinite(value) || (integer && !Number.isInteger(value))) {
    throw new CliUsageError(`--${name}: "${raw}" is not ${integer ? "an integer" : "a number"}`)
  }
  if (flag.kind === "rate" && (value < 0 || value > 1)) {
    throw new CliUsageError(`--${name}: "${raw}" is not a rate within 0..1`)
  }
  return checkRange(flag, raw, value, "")
}

const choiceFlag = <A extends string>(values: FlagValues, name: string): A | undefined => {
  const flag = flagOf(name)
  const raw = text(values, name)
  if (raw === undefined) return undefined
  if (!(flag.choices ?? []).includes(raw)) {
    throw new CliUsageError(`--${name}: expected ${(flag.choices ?? []).join(" or ")}, got "${raw}"`)
  }
  return raw as A
}

const listFlag = (values: FlagValues, name: string): ReadonlyArray<string> | undefined => {
  const flag = flagOf(name)
  const raw = text(values, name)
  if (raw === undefined) return undefined
  const items = raw
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item.length > 0)
  for (const item of items) {
    if (!(flag.choices ?? []).includes(item)) {
      throw new CliUsageError(`--${name}: unknown fault "${item}"; expected one of ${FAULT_KINDS.join(", ")}`)
    }
  }
  return items
}

/** `id` or `id:count`; an id may itself contain `:` when no count follows. */
const jobFlag = (raw: string): { jobId: string; tasks: number } => {
  const colon = raw.lastIndexOf(":")
  const suffix = colon === -1 ? "" : raw.slice(colon + 1)
  if (colon !== -1 && /^\d+$/.test(suffix)) return { jobId: raw.slice(0, colon), tasks: Number(suffix) }
  return { jobId: raw, tasks: DEFAULT_TASK_COUNT }
}

/**
 * Turns flag values into emulator options, checking each value against its declaration and the flags that go
 * together. Throws {@link CliUsageError}. Flags not given are left out, so the emulator's defaults apply.
 *
 * @example
 * ```ts
 * import { Flags } from "@iot-ota/emulator"
 *
 * const { options } = Flags.optionsFromFlags({ job: ["job-1:500"], rollout: "2m", quota: "sliding-window" })
 * // options: { quota: "sliding-window", jobs: [{ jobId: "job-1", tasks: 500, rollout: { durationMs: 120000 } }] }
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const optionsFromFlags = (values: FlagValues): EmulatorFlags => {
  for (const name of Object.keys(values)) {
    if (!declared.has(name)) throw new CliUsageError(`unknown option --${name}`)
  }
  const port = numberFlag(values, "port")
  const seed = numberFlag(values, "seed")
  const qps = numberFlag(values, "qps")
  const quota = choiceFlag<QuotaMode>(values, "quota")
  const casing = choiceFlag<"alibaba" | "tuya">(values, "casing")
  const rolloutMs = numberFlag(values, "rollout")
  const failureRate = numberFlag(values, "rollout-failure-rate")
  const clockSkewMs = numberFlag(values, "clock-skew")
  const timestampWindowMs = numberFlag(values, "timestamp-window")
  const maxBodyBytes = numberFlag(values, "max-body-bytes")
  const headersTimeoutMs = numberFlag(values, "headers-timeout")
  const maxSessionMs = numberFlag(values, "max-session-duration")
  const credentialLifetimeMs = numberFlag(values, "credential-lifetime")
  const metadataTokens = choiceFlag<MetadataTokens>(values, "metadata-tokens")
  const roleArns = texts(values, "role")
  const oidcProvider = text(values, "oidc-provider")
  const oidcSecret = text(values, "oidc-secret")
  const instanceRole = text(values, "instance-role")
  if (maxSessionMs !== undefined && maxSessionMs % 1000 !== 0) {
    throw new CliUsageError(`--max-session-duration: ${maxSessionMs}ms is not a whole number of seconds`)
  }
  const host = text(values, "host")
  const keyId = text(values, "access-key-id")
  const keySecret = text(values, "access-key-secret")
  if ((keyId === undefined) !== (keySecret === undefined)) {
    throw new CliUsageError("--access-key-id and --access-key-secret go together")
  }
  if (failureRate !== undefined && rolloutMs === undefined) {
    throw new CliUsageError("--rollout-failure-rate needs --rollout")
  }
  if (quota !== undefined && quota !== "token-bucket" && qps !== undefined && !Number.isInteger(qps)) {
    throw new CliUsageError(`--qps: ${qps} must be a whole number with --quota ${quota}`)
  }

  const rollout =
    rolloutMs === undefined
      ? undefined
      : failureRate === undefined
        ? { durationMs: rolloutMs }
        : { durationMs: rolloutMs, failureRate }
  const jobTexts = texts(values, "job")
  const jobs: Array<JobSpec> | undefined =
    jobTexts === undefined && rollout === undefined
      ? undefined
      : (jobTexts ?? [DEFAULT_JOB_ID]).map((raw) => {
          const job = jobFlag(raw)
          return rollout === undefined ? job : { ...job, rollout }
        })

  const faultRate = numberFlag(values, "fault-rate")
  const faultDelay = numberFlag(values, "fault-delay")
  const faultKinds = listFlag(values, "faults") as ReadonlyArray<FaultKind> | undefined
  const sequence = listFlag(values, "fault-sequence")?.map((kind) =>
    kind === "-" ? null : (kind as FaultKind)
  )
  const faults: FaultOptions | undefined =
    faultRate === undefined && faultKinds === undefined && sequence === undefined && faultDelay === undefined
      ? undefined
      : {
          ...(faultRate === undefined ? {} : { rate: faultRate }),
          ...(faultKinds === undefined ? {} : { kinds: faultKinds }),
          ...(sequence === undefined ? {} : { sequence }),
          ...(faultDelay === undefined ? {} : { delayMs: faultDelay })
        }

  const options: EmulatorOptions = {
    ...(port === undefined ? {} : { port }),
    ...(host === undefined ? {} : { host }),
    ...(seed === undefined ? {} : { seed }),
    ...(casing === undefined ? {} : { casing }),
    ...(qps === undefined ? {} : { qps }),
    ...(quota === undefined ? {} : { quota }),
    ...(jobs === undefined ? {} : { jobs }),
    ...(faults === undefined ? {} : { faults }),
    ...(keyId === undefined || keySecret === undefined
      ? {}
      : { credentials: [{ accessKeyId: keyId, accessKeySecret: keySecret }] }),
    ...(clockSkewMs === undefined ? {} : { clockSkewMs }),
    ...(timestampWindowMs === undefined ? {} : { timestampWindowMs }),
    ...(maxBodyBytes === undefined ? {} : { maxBodyBytes }),
    ...(headersTimeoutMs === undefined ? {} : { headersTimeoutMs }),
    ...(roleArns === undefined && maxSessionMs === undefined
      ? {}
      : {
          roles: (roleArns ?? [DEFAULT_ROLE_ARN]).map((roleArn) =>
            maxSessionMs === undefined
              ? { roleArn }
              : { roleArn, maxSessionDurationSeconds: maxSessionMs / 1000 }
          )
        }),
    ...(oidcProvider === undefined && oidcSecret === undefined
      ? {}
      : {
          oidcProviders: [
            {
              arn: oidcProvider ?? DEFAULT_OIDC_PROVIDER_ARN,
              ...(oidcSecret === undefined ? {} : { secret: oidcSecret })
            }
          ]
        }),
    ...(instanceRole === undefined ? {} : { instanceRole: instanceRole === "none" ? null : instanceRole }),
    ...(metadataTokens === undefined ? {} : { metadataTokens }),
    ...(credentialLifetimeMs === undefined ? {} : { credentialLifetimeMs })
  }
  return { log: values.log === true, options }
}
