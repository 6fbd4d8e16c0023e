/**
 * The `ota-emulator` command line. Its flags mirror {@link EmulatorOptions}; `parseEmulatorArgs` and
 * `runEmulatorCli` are exported so that `ota emulator` can offer the same flags.
 *
 * @since 0.1.0
 */
import { parseArgs } from "node:util"
import {
  DEFAULT_JOB_ID,
  DEFAULT_TASK_COUNT,
  type Emulator,
  type EmulatorOptions,
  FAULT_KINDS,
  type FaultKind,
  type FaultOptions,
  type JobSpec,
  startEmulator
} from "./Emulator.js"

/**
 * Help text of `ota-emulator`.
 *
 * @example
 * ```ts
 * import { Cli } from "@iot-ota/emulator"
 *
 * process.stdout.write(Cli.emulatorUsage)
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const emulatorUsage = `Usage: ota-emulator [options]

Starts a local ListOTATaskByJob endpoint (Alibaba Cloud / Tuya IoT OTA API) and prints its URL and the
AccessKey it accepts. Stops cleanly on Ctrl+C (SIGINT) or SIGTERM.

Options:
  --port <n>                   port to listen on, 0 = any free port (default 0)
  --host <address>             address to bind (default 127.0.0.1)
  --seed <n>                   seed of the generated data and of fault draws (default 1)
  --casing <alibaba|tuya>      response keys: PascalCase (Alibaba) or the spec example's camelCase (Tuya)
  --qps <n>                    per-AccessKeyId request limit, 0 = off (default 10)
  --job <id[:tasks]>           serve this job, repeatable (default ${DEFAULT_JOB_ID}:${DEFAULT_TASK_COUNT})
  --rollout <ms>               rollout mode: tasks advance to SUCCEEDED/FAILED over <ms> from start
  --rollout-failure-rate <r>   share of tasks that fail in rollout mode, 0..1 (default 0.08)
  --fault-rate <r>             probability 0..1 that an authenticated request gets a fault (default 0)
  --faults <kind,...>          kinds drawn by --fault-rate (default all): ${FAULT_KINDS.join(", ")}
  --fault-sequence <kind,...>  scripted faults for the first requests; "-" answers normally
  --fault-delay <ms>           how long a Delay fault waits (default 2000)
  --access-key-id <id>         accepted AccessKeyId (with --access-key-secret; default a fixed fake pair)
  --access-key-secret <secret> its secret: these are the emulator's own test credentials, not a real key
  --clock-skew <ms>            the server clock = real time + <ms> (timestamp window and Date header);
                               a negative value needs "=": --clock-skew=-60000
  --timestamp-window <ms>      accepted timestamp distance either way (default 900000 = 15 min)
  --max-body-bytes <n>         larger request bodies get 413 (default 65536)
  --headers-timeout <ms>       clients slower than this to send headers get 408 (default 10000)
  --log                        print one line per request on stderr (never secrets or signatures)
  -h, --help                   show this help
`

/**
 * A command-line mistake; the message says which flag.
 *
 * @example
 * ```ts
 * import { Cli } from "@iot-ota/emulator"
 *
 * try {
 *   Cli.parseEmulatorArgs(["--qps", "fast"])
 * } catch (error) {
 *   if (error instanceof Cli.CliUsageError) console.error(error.message) // --qps: invalid value "fast"
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
 * The result of parsing `ota-emulator` flags.
 *
 * @example
 * ```ts
 * import { Cli, startEmulator } from "@iot-ota/emulator"
 *
 * const args: Cli.EmulatorCliArgs = Cli.parseEmulatorArgs(process.argv.slice(2))
 * if (args.help) process.stdout.write(Cli.emulatorUsage)
 * else await startEmulator(args.log ? { ...args.options, logger: console.error } : args.options)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface EmulatorCliArgs {
  readonly help: boolean
  /** `--log`: the caller decides where request lines go. */
  readonly log: boolean
  readonly options: EmulatorOptions
}

const number = (
  flag: string,
  text: string | undefined,
  check: (n: number) => boolean
): number | undefined => {
  if (text === undefined) return undefined
  const value = Number(text)
  if (text.trim() === "" || !Number.isFinite(value) || !check(value)) {
    throw new CliUsageError(`--${flag}: invalid value "${text}"`)
  }
  return value
}

const faultKind = (flag: string, text: string): FaultKind => {
  const kind = FAULT_KINDS.find((candidate) => candidate === text)
  if (kind === undefined) {
    throw new CliUsageError(`--${flag}: unknown fault "${text}"; expected one of ${FAULT_KINDS.join(", ")}`)
  }
  return kind
}

const list = (text: string): Array<string> =>
  text
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item.length > 0)

/** `id` or `id:count`; an id may itself contain `:` when no count follows. */
const jobFlag = (text: string): { jobId: string; tasks: number } => {
  const colon = text.lastIndexOf(":")
  const suffix = colon === -1 ? "" : text.slice(colon + 1)
  if (colon !== -1 && /^\d+$/.test(suffix)) return { jobId: text.slice(0, colon), tasks: Number(suffix) }
  return { jobId: text, tasks: DEFAULT_TASK_COUNT }
}

/**
 * Parses `ota-emulator` flags (without the leading `node script`) into {@link EmulatorOptions}.
 * Throws {@link CliUsageError} on an unknown flag or a bad value.
 *
 * @example
 * ```ts
 * import { Cli } from "@iot-ota/emulator"
 *
 * const { options } = Cli.parseEmulatorArgs(["--port", "8080", "--job", "job-1:500", "--qps", "0"])
 * // options: { port: 8080, qps: 0, jobs: [{ jobId: "job-1", tasks: 500 }] }
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const parseEmulatorArgs = (argv: ReadonlyArray<string>): EmulatorCliArgs => {
  let values: ReturnType<typeof parse>["values"]
  try {
    values = parse(argv).values
  } catch (error) {
    throw new CliUsageError(error instanceof Error ? error.message : String(error))
  }
  const nonNegative = (n: number): boolean => n >= 0
  const positive = (n: number): boolean => n > 0
  const rate = (n: number): boolean => n >= 0 && n <= 1

  const port = number("port", values.port, (n) => Number.isInteger(n) && n >= 0 && n <= 65535)
  const seed = number("seed", values.seed, () => true)
  const qps = number("qps", values.qps, nonNegative)
  const rolloutMs = number("rollout", values.rollout, positive)
  const failureRate = number("rollout-failure-rate", values["rollout-failure-rate"], rate)
  const clockSkewMs = number("clock-skew", values["clock-skew"], () => true)
  const timestampWindowMs = number("timestamp-window", values["timestamp-window"], positive)
  const maxBodyBytes = number("max-body-bytes", values["max-body-bytes"], positive)
  const headersTimeoutMs = number("headers-timeout", values["headers-timeout"], positive)
  const casing = values.casing
  if (casing !== undefined && casing !== "alibaba" && casing !== "tuya") {
    throw new CliUsageError(`--casing: expected alibaba or tuya, got "${casing}"`)
  }
  const keyId = values["access-key-id"]
  const keySecret = values["access-key-secret"]
  if ((keyId === undefined) !== (keySecret === undefined)) {
    throw new CliUsageError("--access-key-id and --access-key-secret go together")
  }
  if (failureRate !== undefined && rolloutMs === undefined) {
    throw new CliUsageError("--rollout-failure-rate needs --rollout")
  }

  const rollout =
    rolloutMs === undefined
      ? undefined
      : failureRate === undefined
        ? { durationMs: rolloutMs }
        : { durationMs: rolloutMs, failureRate }
  const jobs: Array<JobSpec> | undefined =
    values.job === undefined && rollout === undefined
      ? undefined
      : (values.job ?? [DEFAULT_JOB_ID]).map((text) => {
          const job = jobFlag(text)
          return rollout === undefined ? job : { ...job, rollout }
        })

  const faultRate = number("fault-rate", values["fault-rate"], rate)
  const faultDelay = number("fault-delay", values["fault-delay"], nonNegative)
  const faultKinds =
    values.faults === undefined ? undefined : list(values.faults).map((k) => faultKind("faults", k))
  const sequence =
    values["fault-sequence"] === undefined
      ? undefined
      : list(values["fault-sequence"]).map((k) => (k === "-" ? null : faultKind("fault-sequence", k)))
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
    ...(values.host === undefined ? {} : { host: values.host }),
    ...(seed === undefined ? {} : { seed }),
    ...(casing === undefined ? {} : { casing }),
    ...(qps === undefined ? {} : { qps }),
    ...(jobs === undefined ? {} : { jobs }),
    ...(faults === undefined ? {} : { faults }),
    ...(keyId === undefined || keySecret === undefined
      ? {}
      : { credentials: [{ accessKeyId: keyId, accessKeySecret: keySecret }] }),
    ...(clockSkewMs === undefined ? {} : { clockSkewMs }),
    ...(timestampWindowMs === undefined ? {} : { timestampWindowMs }),
    ...(maxBodyBytes === undefined ? {} : { maxBodyBytes }),
    ...(headersTimeoutMs === undefined ? {} : { headersTimeoutMs })
  }
  return { help: values.help === true, log: values.log === true, options }
}

const parse = (argv: ReadonlyArray<string>) =>
  parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      port: { type: "string" },
      host: { type: "string" },
      seed: { type: "string" },
      casing: { type: "string" },
      qps: { type: "string" },
      job: { type: "string", multiple: true },
      rollout: { type: "string" },
      "rollout-failure-rate": { type: "string" },
      "fault-rate": { type: "string" },
      faults: { type: "string" },
      "fault-sequence": { type: "string" },
      "fault-delay": { type: "string" },
      "access-key-id": { type: "string" },
      "access-key-secret": { type: "string" },
      "clock-skew": { type: "string" },
      "timestamp-window": { type: "string" },
      "max-body-bytes": { type: "string" },
      "headers-timeout": { type: "string" },
      log: { type: "boolean" },
      help: { type: "boolean", short: "h" }
    }
  })

/**
 * The lines printed once the emulator listens: its URL first, then the accepted credentials and jobs.
 *
 * @example
 * ```ts
 * import { Cli, startEmulator } from "@iot-ota/emulator"
 *
 * const emu = await startEmulator()
 * process.stdout.write(Cli.formatBanner(emu)) // "ota-emulator listening on http://127.0.0.1:…"
 * ```
 *
 * @since 0.1.0
 * @category formatting
 */
export const formatBanner = (emulator: Emulator): string => {
  const pair = emulator.credentials[0]
  const lines = [`ota-emulator listening on ${emulator.url}`]
  for (const credentials of emulator.credentials) {
    lines.push(
      `  AccessKeyId:     ${credentials.accessKeyId}`,
      `  AccessKeySecret: ${credentials.accessKeySecret}`
    )
  }
  for (const job of emulator.jobs) lines.push(`  job ${job.jobId}: ${job.total} tasks`)
  if (pair !== undefined) {
    lines.push(
      "Point a client at it, e.g.:",
      `  export OTA_ENDPOINT=${emulator.url} OTA_ACCESS_KEY_ID=${pair.accessKeyId} OTA_ACCESS_KEY_SECRET=${pair.accessKeySecret}`
    )
  }
  lines.push("Stop with Ctrl+C (SIGINT) or SIGTERM.")
  return `${lines.join("\n")}\n`
}

/**
 * Where {@link runEmulatorCli} writes, and what stops it besides SIGINT/SIGTERM.
 *
 * @example
 * ```ts
 * import { Cli } from "@iot-ota/emulator"
 *
 * const lines: Array<string> = []
 * const io: Cli.EmulatorCliIo = { stdout: (text) => lines.push(text), signal: AbortSignal.timeout(5_000) }
 * await Cli.runEmulatorCli(["--job", "job-1:10"], io)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface EmulatorCliIo {
  readonly stdout?: (text: string) => void
  readonly stderr?: (text: string) => void
  /** Stops the emulator when aborted (for embedding and tests). */
  readonly signal?: AbortSignal
}

/**
 * Runs `ota-emulator`: parses `argv`, starts the emulator, prints the banner, and serves until SIGINT, SIGTERM
 * or `io.signal`. Resolves to the exit code: 0 after a clean stop, 2 for a usage error, 1 if it cannot start.
 *
 * @example
 * ```ts
 * import { Cli } from "@iot-ota/emulator"
 *
 * // What the `ota-emulator` bin does:
 * process.exitCode = await Cli.runEmulatorCli(process.argv.slice(2))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const runEmulatorCli = async (
  argv: ReadonlyArray<string>,
  io: EmulatorCliIo = {}
): Promise<number> => {
  const stdout = io.stdout ?? ((text: string) => void process.stdout.write(text))
  const stderr = io.stderr ?? ((text: string) => void process.stderr.write(text))
  let args: EmulatorCliArgs
  try {
    args = parseEmulatorArgs(argv)
  } catch (error) {
    stderr(`ota-emulator: ${error instanceof Error ? error.message : String(error)}\n\n${emulatorUsage}`)
    return 2
  }
  if (args.help) {
    stdout(emulatorUsage)
    return 0
  }
  let emulator: Emulator
  try {
    emulator = await startEmulator(
      args.log ? { ...args.options, logger: (line) => stderr(`${line}\n`) } : args.options
    )
  } catch (error) {
    stderr(`ota-emulator: cannot start: ${error instanceof Error ? error.message : String(error)}\n`)
    return 1
  }
  stdout(formatBanner(emulator))
  const listeners: Array<() => void> = []
  const reason = await new Promise<string>((resolve) => {
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      const listener = (): void => resolve(signal)
      process.once(signal, listener)
      listeners.push(() => process.off(signal, listener))
    }
    if (io.signal?.aborted === true) resolve("abort")
    io.signal?.addEventListener("abort", () => resolve("abort"), { once: true })
  })
  for (const remove of listeners) remove()
  await emulator.close()
  stdout(`ota-emulator stopped (${reason})\n`)
  return 0
}
