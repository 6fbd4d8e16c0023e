/**
 * The `ota` command tree and its runner: parses the command line with
 * `@effect/cli` (built-in `--help`, `--version`, `--completions`), runs the
 * command, and turns its outcome into an exit code and, on failure, one line
 * on stderr (a usage error adds where to look; a refused key pair, where it
 * came from).
 *
 * @since 0.1.0
 */

import * as BuiltInOptions from "@effect/cli/BuiltInOptions"
import * as CliConfig from "@effect/cli/CliConfig"
import * as Command from "@effect/cli/Command"
import * as CommandDescriptor from "@effect/cli/CommandDescriptor"
import * as CommandDirective from "@effect/cli/CommandDirective"
import * as CliValidation from "@effect/cli/ValidationError"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodePath from "@effect/platform-node/NodePath"
import * as NodeTerminal from "@effect/platform-node/NodeTerminal"
import * as Cause from "effect/Cause"
import * as Console from "effect/Console"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { demo } from "./commands/demo.js"
import { deviceTasks } from "./commands/devices.js"
import { emulator } from "./commands/emulator.js"
import { firmwareList, firmwareShow } from "./commands/firmware.js"
import { jobsList, jobsShow } from "./commands/jobs.js"
import { list } from "./commands/list.js"
import { summary } from "./commands/summary.js"
import { watch } from "./commands/watch.js"
import { type CommandTree, commandTree, pathName, resolve, withSubcommands } from "./internal/commandTree.js"
import { describeError, ExitCode, exitCodeFor } from "./internal/exitCode.js"
import { renderHelp } from "./internal/help.js"
import { makeCliLogger } from "./internal/logger.js"
import * as Output from "./internal/output.js"
import { redactSecretArgs } from "./internal/redact.js"
import { colorEnabled } from "./internal/terminal.js"
import { sanitize, stripAnsi } from "./internal/text.js"
import { describeUsageError, findProblem, type UsageProblem } from "./internal/usageError.js"
import { VERSION } from "./internal/version.js"

/**
 * `ota tasks list|summary|watch`.
 *
 * @example
 * ```ts
 * import * as Command from "@effect/cli/Command"
 * import { Cli } from "@iot-ota/cli"
 *
 * // Embed the task commands under another tool's root command.
 * const fleet = Command.make("fleet").pipe(Command.withSubcommands([Cli.tasks]))
 * ```
 *
 * @since 0.1.0
 * @category commands
 */
export const tasks = Command.make("tasks").pipe(
  Command.withDescription("List, summarise and watch the upgrade tasks of an OTA job (batch)."),
  withSubcommands([list, summary, watch])
)

/**
 * `ota firmware list|show`: the update packages.
 *
 * @example
 * ```ts
 * import * as Command from "@effect/cli/Command"
 * import { Cli } from "@iot-ota/cli"
 *
 * const fleet = Command.make("fleet").pipe(Command.withSubcommands([Cli.firmware, Cli.jobs, Cli.tasks]))
 * ```
 *
 * @since 0.1.0
 * @category commands
 */
export const firmware = Command.make("firmware").pipe(
  Command.withDescription("List the update packages (firmware), or show one in full."),
  withSubcommands([firmwareList, firmwareShow])
)

/**
 * `ota jobs list|show`: the upgrade batches.
 *
 * @example
 * ```ts
 * import * as Command from "@effect/cli/Command"
 * import { Cli } from "@iot-ota/cli"
 *
 * const fleet = Command.make("fleet").pipe(Command.withSubcommands([Cli.jobs]))
 * ```
 *
 * @since 0.1.0
 * @category commands
 */
export const jobs = Command.make("jobs").pipe(
  Command.withDescription("List the upgrade batches (jobs) of a firmware or a device, or show one in full."),
  withSubcommands([jobsList, jobsShow])
)

/**
 * `ota devices tasks`: one device's unfinished tasks.
 *
 * @example
 * ```ts
 * import * as Command from "@effect/cli/Command"
 * import { Cli } from "@iot-ota/cli"
 *
 * const fleet = Command.make("fleet").pipe(Command.withSubcommands([Cli.devices]))
 * ```
 *
 * @since 0.1.0
 * @category commands
 */
export const devices = Command.make("devices").pipe(
  Command.withDescription("A device's upgrade tasks that have not finished, over every job."),
  withSubcommands([deviceTasks])
)

/**
 * The root command.
 *
 * @example
 * ```ts
 * import * as Command from "@effect/cli/Command"
 * import { Cli } from "@iot-ota/cli"
 *
 * // Run the command tree with your own name and version (Cli.run does this for `ota`).
 * const runFleetOta = Command.run(Cli.ota, { name: "fleet-ota", version: "1.0.0" })
 * ```
 *
 * @since 0.1.0
 * @category commands
 */
export const ota = Command.make("ota").pipe(
  Command.withDescription(
    "Drill down a firmware rollout on the IoT Platform OTA API (Alibaba Cloud or Tuya): firmware → jobs (batches) → each device's task. " +
      "Every command takes --help; `ota --completions bash|zsh|fish` prints a completion script; `ota --version`. " +
      "Exit codes: 0 ok, 2 usage/validation, 3 auth/signature, 4 other API error, 5 network/timeout, 124 watch not finished, 130 Ctrl-C."
  ),
  withSubcommands([firmware, jobs, tasks, devices, emulator, demo])
)

const cli = Command.run(ota, { name: "ota", version: VERSION, executable: "ota" })

/** The command tree, for usage errors and help pages. */
const tree: CommandTree = commandTree(ota)

/**
 * How `@effect/cli` parses and renders: case-insensitive option names, no
 * built-ins in every OPTIONS list, and a usage line that shows each option's
 * value (`--job id`) under its long name only.
 */
const CLI_CONFIG = CliConfig.make({ showBuiltIns: false, showTypes: true, showAllNames: false })

/**
 * `ota firmware list --version 2.4.1`: `--version` is the built-in that prints
 * ota's version, so the filter is `--dest-version`; followed by a value on a
 * command that has that filter, it is a usage error, not a version printed
 * with exit 0 as if the listing had been empty.
 */
const versionAsFilter = (node: CommandTree, args: ReadonlyArray<string>): UsageProblem | undefined => {
  const at = args.indexOf("--version")
  const value = at === -1 ? undefined : args[at + 1]
  if (value === undefined || value.startsWith("-")) return undefined
  if (!node.options.some((option) => option.flag === "--dest-version")) return undefined
  return {
    message: `--version ${value}: --version prints ota's version; to filter by version use --dest-version ${value}`,
    command: pathName(resolve(tree, args).path)
  }
}

/** A usage error, found before the command ran: printed with a pointer to the command's `--help`. */
class UsageFailure extends Data.TaggedError("UsageFailure")<UsageProblem> {}

/**
 * Parses the arguments and acts on the outcome: help and the version are
 * printed here (help pages are composed from the command's structured usage
 * and help, see `internal/help.ts`); a command runs through `@effect/cli`'s
 * runner; a usage error becomes one line naming what is wrong.
 */
const runCommandLine = (args: ReadonlyArray<string>, colorOut: boolean) =>
  Effect.gen(function* () {
    const print = (text: string) => Output.stdout(colorOut ? text : stripAnsi(text))
    const parsed = yield* Effect.either(
      CommandDescriptor.parse(
        ota.descriptor as CommandDescriptor.Command<unknown>,
        ["ota", ...args],
        CLI_CONFIG
      )
    )
    if (Either.isLeft(parsed)) {
      return yield* Effect.fail(new UsageFailure(describeUsageError(parsed.left, tree, args)))
    }
    const directive = parsed.right
    const { path } = resolve(tree, args)
    const help = () => print(renderHelp({ path, title: `ota ${VERSION}` }, CLI_CONFIG))
    if (CommandDirective.isBuiltIn(directive)) {
      if (BuiltInOptions.isShowHelp(directive.option)) return yield* help()
      if (BuiltInOptions.isShowVersion(directive.option)) {
        const misread = versionAsFilter(path.at(-1)!, args)
        if (misread !== undefined) return yield* Effect.fail(new UsageFailure(misread))
        return yield* print(`${VERSION}\n`)
      }
    } else if (directive.leftover.length > 0) {
      return yield* Effect.fail(
        new UsageFailure(
          findProblem(tree, args) ?? {
            message: `${directive.leftover[0]}: unexpected argument`,
            command: pathName(path)
          }
        )
      )
    } else if (path.at(-1)!.children.length > 0) {
      // A command that only groups others (`ota tasks`), given none of them.
      return yield* help()
    }
    // Commands, completions and the other built-ins run through @effect/cli's
    // runner, which parses again (a pure, fast step).
    return yield* cli(["node", "ota", ...args]).pipe(
      Effect.catchIf(CliValidation.isValidationError, (error) =>
        Effect.fail(new UsageFailure(describeUsageError(error, tree, args)))
      )
    )
  })

/**
 * Runs `ota` with the arguments after `node script`, resolving to the exit
 * code (see the README's table). Writes to the process's stdout and stderr.
 *
 * @example
 * ```ts
 * import { Cli } from "@iot-ota/cli"
 *
 * // What the `ota` bin does.
 * process.exitCode = await Cli.run(process.argv.slice(2))
 * // In a test: the exit code of one invocation (0 ok, 2 usage, 3 auth, 4 API, 5 network).
 * const code = await Cli.run(["tasks", "list", "--job", "job-1", "--output", "json"])
 * ```
 *
 * @since 0.1.0
 * @category runners
 */
export const run = async (args: ReadonlyArray<string>): Promise<number> => {
  // A reader that goes away (`| head`) surfaces as a failed write, handled by
  // the writers; without a listener Node would also throw it as an event.
  process.stdout.on("error", () => {})
  process.stderr.on("error", () => {})
  const colorOut = colorEnabled(process.stdout, process.env)
  const program = Effect.flatMap(Console.consoleWith(Effect.succeed), (base) =>
    runCommandLine(args, colorOut).pipe(
      // What @effect/cli prints itself (completion scripts) goes to stdout;
      // its rendering of parse errors is replaced by one line of ours.
      Effect.withConsole({
        ...base,
        log: (...parts: ReadonlyArray<unknown>) =>
          Effect.sync(() => {
            const text = parts.map(String).join(" ")
            process.stdout.write(`${colorOut ? text : stripAnsi(text)}\n`)
          }),
        error: () => Effect.void
      })
    )
  ).pipe(
    Effect.provide(
      Layer.mergeAll(
        NodeFileSystem.layer,
        NodePath.layer,
        NodeTerminal.layer,
        Layer.succeed(CliConfig.CliConfig, CLI_CONFIG),
        makeCliLogger(false, (line) => process.stderr.write(line)).layer
      )
    )
  )
  // The root fiber always succeeds with the exit, so that Effect does not
  // also report a failed command as an "unhandled error".
  const exit = await Effect.runPromise(Effect.exit(program))
  if (Exit.isSuccess(exit)) return ExitCode.Ok
  const failure = Cause.failureOption(exit.cause)
  if (Option.isSome(failure)) {
    const error = failure.value
    if (error instanceof UsageFailure) {
      const message = redactSecretArgs(sanitize(error.message), args)
      process.stderr.write(`ota: ${message}\nRun '${error.command} --help' for usage.\n`)
      return ExitCode.Usage
    }
    const code = exitCodeFor(error)
    if (code !== ExitCode.Ok) process.stderr.write(`ota: ${describeError(error)}\n`)
    return code
  }
  if (Cause.isInterruptedOnly(exit.cause)) return ExitCode.SigInt
  const defect = Cause.squash(exit.cause)
  process.stderr.write(`ota: ${describeError(defect)}\n`)
  if (process.env.OTA_DEBUG !== undefined && defect instanceof Error)
    process.stderr.write(`${defect.stack}\n`)
  return ExitCode.Internal
}
