/**
 * The `ota` command tree and its runner: parses the command line with
 * `@effect/cli` (built-in `--help`, `--version`, `--completions`), runs the
 * command, and turns its outcome into an exit code and, on failure, one line
 * on stderr.
 *
 * @since 0.1.0
 */

import * as CliConfig from "@effect/cli/CliConfig"
import * as Command from "@effect/cli/Command"
import * as CliValidation from "@effect/cli/ValidationError"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodePath from "@effect/platform-node/NodePath"
import * as NodeTerminal from "@effect/platform-node/NodeTerminal"
import * as Cause from "effect/Cause"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { demo } from "./commands/demo.js"
import { emulator } from "./commands/emulator.js"
import { list } from "./commands/list.js"
import { summary } from "./commands/summary.js"
import { watch } from "./commands/watch.js"
import { describeError, ExitCode, exitCodeFor } from "./internal/exitCode.js"
import { isHelpPage, tidyHelp } from "./internal/help.js"
import { makeCliLogger } from "./internal/logger.js"
import { redactSecretArgs } from "./internal/redact.js"
import { colorEnabled } from "./internal/terminal.js"
import { stripAnsi } from "./internal/text.js"
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
  Command.withSubcommands([list, summary, watch])
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
    "See where each device of an OTA upgrade batch stands (IoT Platform ListOTATaskByJob, Alibaba Cloud or Tuya). " +
      "Every command takes --help; `ota --completions bash|zsh|fish` prints a completion script; `ota --version`. " +
      "Exit codes: 0 ok, 2 usage/validation, 3 auth/signature, 4 other API error, 5 network/timeout, 124 watch not finished, 130 Ctrl-C."
  ),
  Command.withSubcommands([tasks, emulator, demo])
)

const cli = Command.run(ota, { name: "ota", version: VERSION, executable: "ota" })

/** The command path typed, for the usage hint (`ota tasks list`). */
const commandPath = (args: ReadonlyArray<string>): string => {
  const words = ["ota"]
  const [first, second] = args
  if (first === "tasks" || first === "emulator" || first === "demo") words.push(first)
  if (first === "tasks" && (second === "list" || second === "summary" || second === "watch"))
    words.push(second)
  return words.join(" ")
}

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
  const usage: Array<string> = []
  const colorOut = colorEnabled(process.stdout, process.env)
  const program = Effect.flatMap(Console.consoleWith(Effect.succeed), (base) =>
    cli(["node", "ota", ...args]).pipe(
      // Help, version and completions go to stdout, plain unless colour is on;
      // parse errors are collected and printed as one line below.
      Effect.withConsole({
        ...base,
        log: (...parts: ReadonlyArray<unknown>) =>
          Effect.sync(() => {
            const raw = parts.map(String).join(" ")
            const text = isHelpPage(raw) ? tidyHelp(raw, commandPath(args)) : raw
            process.stdout.write(`${colorOut ? text : stripAnsi(text)}\n`)
          }),
        error: (...parts: ReadonlyArray<unknown>) =>
          Effect.sync(() => {
            usage.push(stripAnsi(parts.map(String).join(" ")))
          })
      })
    )
  ).pipe(
    Effect.provide(
      Layer.mergeAll(
        NodeFileSystem.layer,
        NodePath.layer,
        NodeTerminal.layer,
        CliConfig.layer({ showBuiltIns: false, showTypes: false }),
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
    if (CliValidation.isValidationError(error)) {
      const message = redactSecretArgs(usage.join(" ").replace(/\s+/g, " ").trim() || error._tag, args)
      process.stderr.write(`ota: ${message}\nRun '${commandPath(args)} --help' for usage.\n`)
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
