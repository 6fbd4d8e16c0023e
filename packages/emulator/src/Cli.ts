/**
 * The `ota-emulator` command line. Its flags are declared once in `Flags.ts` (which `ota emulator` shares);
 * this module parses them from argv, prints the usage text derived from them, and runs the emulator in the
 * foreground.
 *
 * @since 0.1.0
 */
import { parseArgs } from "node:util"
import { DEFAULT_CREDENTIALS, type Emulator, type EmulatorOptions, startEmulator } from "./Emulator.js"
import { CliUsageError, describeFlag, EMULATOR_FLAGS, optionsFromFlags } from "./Flags.js"
import { externalAddresses, wildcardHost } from "./internal/address.js"

export { CliUsageError } from "./Flags.js"

const flagColumn = (flag: (typeof EMULATOR_FLAGS)[number]): string =>
  flag.kind === "boolean" ? `--${flag.name}` : `--${flag.name} <${flag.placeholder}>`

const LINE_WIDTH = 110

/**
 * `text` broken into lines of at most `width` characters, on spaces. A line never starts with a word that
 * starts with `-` (it would read as another flag): the word before it moves down too.
 */
const wrap = (text: string, width: number): Array<string> => {
  const lines: Array<string> = []
  let line: Array<string> = []
  const length = (words: ReadonlyArray<string>) => words.join(" ").length
  for (const word of text.split(" ")) {
    if (line.length > 0 && length(line) + 1 + word.length > width) {
      const carried = word.startsWith("-") && line.length > 1 ? line.splice(-1) : []
      lines.push(line.join(" "))
      line = [...carried, word]
    } else {
      line.push(word)
    }
  }
  return [...lines, line.join(" ")]
}

const usageLines = (): string => {
  const rows: Array<readonly [string, string]> = [
    ...EMULATOR_FLAGS.map((flag) => [flagColumn(flag), describeFlag(flag)] as const),
    ["-h, --help", "show this help"]
  ]
  const width = Math.max(...rows.map(([flag]) => flag.length)) + 2
  return rows
    .flatMap(([flag, text]) =>
      wrap(text, LINE_WIDTH - width - 2).map((part, i) => `  ${(i === 0 ? flag : "").padEnd(width)}${part}`)
    )
    .join("\n")
}

/**
 * Help text of `ota-emulator`, derived from `Flags.EMULATOR_FLAGS`.
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

Starts a local endpoint of the Alibaba Cloud / Tuya IoT Platform OTA read API (ListOTATaskByJob, ListOTAFirmware,
QueryOTAFirmware, ListOTAJobByFirmware, QueryOTAJob, ListOTAJobByDevice, ListOTAUnfinishedTaskByDevice) and prints
its URL and the AccessKey it accepts. The same address serves STS (AssumeRole, AssumeRoleWithOIDC) and an ECS
instance metadata service under /latest/, for temporary credentials. Stops cleanly on Ctrl+C (SIGINT) or SIGTERM.

Durations take a unit: 500ms, 2s, 1.5m, 1h (a bare number is refused).

Options:
${usageLines()}
`

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

type ParserOptions = Record<string, { type: "string" | "boolean"; multiple?: boolean; short?: string }>

const parserOptions: ParserOptions = Object.fromEntries([
  ...EMULATOR_FLAGS.map((flag) => [
    flag.name,
    flag.kind === "boolean"
      ? { type: "boolean" as const }
      : { type: "string" as const, ...(flag.repeatable === true ? { multiple: true } : {}) }
  ]),
  ["help", { type: "boolean" as const, short: "h" }]
])

/**
 * Parses `ota-emulator` flags (without the leading `node script`) into {@link EmulatorOptions}.
 * Throws {@link CliUsageError} on an unknown flag or a bad value.
 *
 * @example
 * ```ts
 * import { Cli } from "@iot-ota/emulator"
 *
 * const { options } = Cli.parseEmulatorArgs(["--port", "8080", "--job", "job-1:500", "--rollout", "2m"])
 * // options: { port: 8080, jobs: [{ jobId: "job-1", tasks: 500, rollout: { durationMs: 120000 } }] }
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const parseEmulatorArgs = (argv: ReadonlyArray<string>): EmulatorCliArgs => {
  let values: Record<string, string | ReadonlyArray<string> | boolean | undefined>
  try {
    const parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: parserOptions
    })
    values = parsed.values as Record<string, string | ReadonlyArray<string> | boolean | undefined>
  } catch (error) {
    throw new CliUsageError(error instanceof Error ? error.message : String(error))
  }
  const { help, ...flags } = values
  return { help: help === true, ...optionsFromFlags(flags) }
}

/**
 * The lines printed once the emulator listens: its URL first, then the accepted credentials, the data and the
 * quota. An emulator bound to every interface shows a loopback URL and this machine's addresses.
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
export const formatBanner = (emulator: Emulator, program = "ota-emulator"): string => {
  const pair = emulator.credentials[0]
  const everywhere = wildcardHost(emulator.host)
  const lines = [
    `${program} listening on ${emulator.url}${everywhere ? ` (bound to ${emulator.host || "every interface"})` : ""}`
  ]
  if (everywhere) {
    for (const address of externalAddresses(emulator.host)) {
      const host = address.includes(":") ? `[${address}]` : address
      lines.push(`  also reachable at http://${host}:${emulator.port}`)
    }
  }
  for (const credentials of emulator.credentials) {
    lines.push(
      `  AccessKeyId:     ${credentials.accessKeyId}`,
      `  AccessKeySecret: ${credentials.accessKeySecret}`
    )
  }
  for (const job of emulator.jobs) {
    lines.push(
      `  job ${job.jobId}: ${job.total} tasks (firmware ${job.firmwareId}, product ${job.productKey})`
    )
  }
  const { mode, qps } = emulator.quota
  lines.push(`  quota: ${qps === 0 ? "off" : `${qps} requests per second per AccessKeyId (${mode})`}`)
  for (const role of emulator.roles) {
    lines.push(`  STS role ${role.roleArn} (sessions up to ${role.maxSessionDurationSeconds} s)`)
  }
  for (const provider of emulator.oidcProviders) {
    lines.push(`  OIDC provider ${provider.arn} (HS256 tokens, issuer ${provider.issuer})`)
  }
  const { roleName, tokens } = emulator.metadata
  lines.push(
    `  ECS metadata: ${emulator.url}/latest/meta-data/ (${roleName === undefined ? "no role" : `role ${roleName}`}, session tokens ${tokens})`
  )
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
 * The warning for stderr when the emulator is reachable from the network (bound to `0.0.0.0` or `::`), or `""`.
 *
 * @example
 * ```ts
 * import { Cli, startEmulator } from "@iot-ota/emulator"
 *
 * const emu = await startEmulator({ host: "0.0.0.0" })
 * process.stderr.write(Cli.formatWarnings(emu)) // "ota-emulator: warning: bound to 0.0.0.0, …"
 * ```
 *
 * @since 0.1.0
 * @category formatting
 */
export const formatWarnings = (emulator: Emulator, program = "ota-emulator"): string => {
  if (!wildcardHost(emulator.host)) return ""
  const publicKey = emulator.credentials.some((pair) => pair.accessKeyId === DEFAULT_CREDENTIALS.accessKeyId)
  const key = publicKey
    ? `the public default test key (${DEFAULT_CREDENTIALS.accessKeyId}), which anyone can look up`
    : "the AccessKey given on the command line"
  return (
    `${program}: warning: bound to ${emulator.host || "every interface"}: any machine that can reach this one ` +
    `can call the emulator with ${key}. Use --host 127.0.0.1 unless other machines must reach it.\n`
  )
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
 * Runs `ota-emulator`: parses `argv`, starts the emulator, prints the banner (and on stderr any warning), and
 * serves until SIGINT, SIGTERM or `io.signal`. Resolves to the exit code: 0 after a clean stop, 2 for a usage
 * error, 1 if it cannot start.
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
  const warnings = formatWarnings(emulator)
  if (warnings !== "") stderr(warnings)
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
