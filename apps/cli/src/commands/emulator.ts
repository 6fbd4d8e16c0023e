/**
 * `ota emulator`: the local ListOTATaskByJob endpoint of `@iot-ota/emulator`
 * in the foreground, with the same flags as its `ota-emulator` bin (parsed
 * by the emulator's own parser, so both behave alike). Stops on Ctrl-C or
 * SIGTERM with exit code 0.
 *
 * @since 0.1.0
 */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import { ValidationError } from "@iot-ota/core/IotError"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { CliError } from "../internal/exitCode.js"
import * as Output from "../internal/output.js"
import { waitForSignal } from "../internal/signals.js"

const text = (name: string, pseudo: string, description: string) =>
  Options.text(name).pipe(
    Options.withPseudoName(pseudo),
    Options.withDescription(description),
    Options.optional
  )

/** The `ota-emulator` flags, described as in its usage text. */
const flags = {
  port: text("port", "n", "Port to listen on, 0 = any free port (default 0)"),
  host: text("host", "address", "Address to bind (default 127.0.0.1)"),
  seed: text("seed", "n", "Seed of the generated data and of fault draws (default 1)"),
  casing: text(
    "casing",
    "alibaba|tuya",
    "Response keys: PascalCase (alibaba, default) or the spec example's camelCase (tuya)"
  ),
  qps: text("qps", "n", "Per-AccessKeyId request limit, 0 = off (default 10)"),
  job: Options.text("job").pipe(
    Options.withPseudoName("id[:tasks]"),
    Options.withDescription("Serve this job, repeatable (default EmuDemo7glPHmaDYLAYM02demo:250)"),
    Options.repeated
  ),
  rollout: text(
    "rollout",
    "ms",
    "Rollout mode: tasks advance to SUCCEEDED/FAILED over <ms> milliseconds from start"
  ),
  rolloutFailureRate: text(
    "rollout-failure-rate",
    "r",
    "Share of tasks that fail in rollout mode, 0..1 (default 0.08)"
  ),
  faultRate: text(
    "fault-rate",
    "r",
    "Probability 0..1 that an authenticated request gets a fault (default 0)"
  ),
  faults: text(
    "faults",
    "kind,...",
    "Kinds drawn by --fault-rate (default all): ServiceUnavailable, InternalError, Throttling, SystemException, ConnectionReset, Delay, TruncatedJson, HtmlError"
  ),
  faultSequence: text(
    "fault-sequence",
    "kind,...",
    'Scripted faults for the first requests; "-" answers normally'
  ),
  faultDelay: text("fault-delay", "ms", "How long a Delay fault waits (default 2000)"),
  accessKeyId: text(
    "access-key-id",
    "id",
    "Accepted AccessKeyId (with --access-key-secret; default a fixed fake pair)"
  ),
  accessKeySecret: text(
    "access-key-secret",
    "secret",
    "Its secret: the emulator's own test credentials, not a real key"
  ),
  clockSkew: text("clock-skew", "ms", "The server clock = real time + <ms> (may be negative)"),
  timestampWindow: text(
    "timestamp-window",
    "ms",
    "Accepted timestamp distance either way (default 900000 = 15 min)"
  ),
  maxBodyBytes: text("max-body-bytes", "n", "Larger request bodies get 413 (default 65536)"),
  headersTimeout: text(
    "headers-timeout",
    "ms",
    "Clients slower than this to send headers get 408 (default 10000)"
  ),
  log: Options.boolean("log").pipe(
    Options.withDescription("Print one line per request on stderr (never secrets or signatures)")
  )
}

type Flags = {
  readonly [K in keyof typeof flags]: (typeof flags)[K] extends Options.Options<infer A> ? A : never
}

const FLAG_NAMES: Readonly<Record<Exclude<keyof Flags, "job" | "log">, string>> = {
  port: "port",
  host: "host",
  seed: "seed",
  casing: "casing",
  qps: "qps",
  rollout: "rollout",
  rolloutFailureRate: "rollout-failure-rate",
  faultRate: "fault-rate",
  faults: "faults",
  faultSequence: "fault-sequence",
  faultDelay: "fault-delay",
  accessKeyId: "access-key-id",
  accessKeySecret: "access-key-secret",
  clockSkew: "clock-skew",
  timestampWindow: "timestamp-window",
  maxBodyBytes: "max-body-bytes",
  headersTimeout: "headers-timeout"
}

/** The flags back as `ota-emulator` arguments (`--name=value`, so negative numbers pass). */
const toArgv = (parsed: Flags): Array<string> => {
  const argv: Array<string> = []
  for (const [key, name] of Object.entries(FLAG_NAMES) as Array<[keyof typeof FLAG_NAMES, string]>) {
    const value = parsed[key]
    if (Option.isSome(value)) argv.push(`--${name}=${value.value}`)
  }
  for (const job of parsed.job) argv.push(`--job=${job}`)
  if (parsed.log) argv.push("--log")
  return argv
}

/**
 * Starts the emulator from `ota-emulator` arguments, prints its banner, and
 * serves until SIGINT or SIGTERM.
 *
 * @since 0.1.0
 * @category commands
 */
export const runEmulator = (argv: ReadonlyArray<string>) =>
  Effect.scoped(
    Effect.gen(function* () {
      const Emulator = yield* Effect.promise(() => import("@iot-ota/emulator"))
      const args = yield* Effect.try({
        try: () => Emulator.Cli.parseEmulatorArgs(argv),
        catch: (error) =>
          new ValidationError({
            field: "emulator",
            rule: "valid emulator flags",
            message: error instanceof Error ? error.message : String(error)
          })
      })
      const options = args.log
        ? { ...args.options, logger: (line: string) => void process.stderr.write(`${line}\n`) }
        : args.options
      const emulator = yield* Effect.acquireRelease(
        Effect.tryPromise({
          try: () => Emulator.startEmulator(options),
          catch: (error) =>
            new CliError({
              message: `cannot start the emulator: ${error instanceof Error ? error.message : String(error)}`,
              exitCode: error instanceof RangeError ? 2 : 1
            })
        }),
        (emulator) => Effect.promise(() => emulator.close())
      )
      yield* Output.stdout(Emulator.Cli.formatBanner(emulator).replaceAll("ota-emulator", "ota emulator"))
      const signal = yield* waitForSignal
      yield* Output.stdout(`ota emulator: stopping (${signal})\n`)
    })
  )

/**
 * @since 0.1.0
 * @category commands
 */
export const emulator = Command.make("emulator", flags, (parsed) => runEmulator(toArgv(parsed))).pipe(
  Command.withDescription(
    "Run the local ListOTATaskByJob emulator in the foreground (signature checks, paging, quota, faults, live rollouts) and print its URL and test credentials. Ctrl-C stops it."
  )
)
