/**
 * `ota emulator`: the local OTA API endpoint of `@iot-ota/emulator` in the
 * foreground. Its options are built from the emulator's own flag
 * declarations (`@iot-ota/emulator/Flags`) and their values are checked by the
 * emulator's own `optionsFromFlags`, so `ota emulator` and `ota-emulator`
 * accept the same flags with the same messages. Stops on Ctrl-C or SIGTERM
 * with exit code 0.
 *
 * @since 0.1.0
 */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import { ValidationError } from "@iot-ota/core/IotError"
import { describeFlag, EMULATOR_FLAGS, type FlagDeclaration, type FlagValues } from "@iot-ota/emulator/Flags"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { CliError } from "../internal/exitCode.js"
import * as Output from "../internal/output.js"

type Signal = "SIGINT" | "SIGTERM"

/**
 * Listens for SIGINT/SIGTERM from now on (synchronously, so a signal sent as soon as the banner is out is caught),
 * until the scope closes.
 */
const listenForSignals = Effect.acquireRelease(
  Effect.sync(() => {
    let stop: (signal: Signal) => void = () => undefined
    const received = new Promise<Signal>((resolve) => {
      stop = resolve
    })
    const onInt = (): void => stop("SIGINT")
    const onTerm = (): void => stop("SIGTERM")
    process.once("SIGINT", onInt)
    process.once("SIGTERM", onTerm)
    return {
      received,
      remove: () => {
        process.off("SIGINT", onInt)
        process.off("SIGTERM", onTerm)
      }
    }
  }),
  (listening) => Effect.sync(listening.remove)
)

type FlagOption = Options.Options<boolean | ReadonlyArray<string> | Option.Option<string>>

/** One declared flag as an `@effect/cli` option: text values, checked later by the emulator. */
const toOption = (flag: FlagDeclaration): FlagOption => {
  const line = describeFlag(flag)
  const description = line.charAt(0).toUpperCase() + line.slice(1)
  if (flag.kind === "boolean") return Options.boolean(flag.name).pipe(Options.withDescription(description))
  const text = Options.text(flag.name).pipe(
    Options.withPseudoName(flag.placeholder),
    Options.withDescription(description)
  )
  return flag.repeatable === true ? Options.repeated(text) : Options.optional(text)
}

const flags: Readonly<Record<string, FlagOption>> = Object.fromEntries(
  EMULATOR_FLAGS.map((flag) => [flag.name, toOption(flag)])
)

/** The parsed options as the emulator's flag values (absent flags left out). */
const toValues = (parsed: Readonly<Record<string, unknown>>): FlagValues => {
  const values: Record<string, string | ReadonlyArray<string> | boolean> = {}
  for (const [name, value] of Object.entries(parsed)) {
    if (Option.isOption(value)) {
      if (Option.isSome(value)) values[name] = String(value.value)
    } else if (typeof value === "boolean" || typeof value === "string") {
      values[name] = value
    } else if (Array.isArray(value) && value.length > 0) {
      values[name] = value.map(String)
    }
  }
  return values
}

/**
 * Starts the emulator from flag values, prints its banner (and any warning on
 * stderr), and serves until SIGINT or SIGTERM.
 *
 * @since 0.1.0
 * @category commands
 */
export const runEmulator = (values: FlagValues) =>
  Effect.scoped(
    Effect.gen(function* () {
      const Emulator = yield* Effect.promise(() => import("@iot-ota/emulator"))
      const args = yield* Effect.try({
        try: () => Emulator.Flags.optionsFromFlags(values),
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
      const signals = yield* listenForSignals
      const warnings = Emulator.Cli.formatWarnings(emulator, "ota emulator")
      if (warnings !== "") yield* Output.stderr(warnings)
      yield* Output.stdout(Emulator.Cli.formatBanner(emulator, "ota emulator"))
      const signal = yield* Effect.promise(() => signals.received)
      yield* Output.stdout(`ota emulator: stopping (${signal})\n`)
    })
  )

/**
 * @since 0.1.0
 * @category commands
 */
export const emulator = Command.make("emulator", flags, (parsed) => runEmulator(toValues(parsed))).pipe(
  Command.withDescription(
    "Run the local emulator of the OTA read API (tasks, jobs, firmware; signature checks, paging, quota, faults, live rollouts) in the foreground and print its URL and test credentials. Durations take a unit (500ms, 2s, 1m). Ctrl-C stops it."
  )
)
