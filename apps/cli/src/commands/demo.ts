/**
 * `ota demo`: a real rollout in one command, with no account and no network.
 * It starts the emulator in-process with a seeded live rollout and the
 * documented 10 calls/s quota, then runs `tasks summary`, `tasks list` and a
 * `tasks watch` against it over HTTP, exactly as they run against the cloud.
 *
 * @since 0.1.0
 */

import { tmpdir } from "node:os"
import { basename, isAbsolute, join, relative } from "node:path"
import * as Command from "@effect/cli/Command"
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as Options from "@effect/cli/Options"
import * as CliValidation from "@effect/cli/ValidationError"
import type { OtaError } from "@iot-ota/core/IotError"
import type { OtaClient } from "@iot-ota/core/OtaClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { runLogged } from "../internal/client.js"
import { durationFlag, formatDuration } from "../internal/duration.js"
import { CliError, NotFinished } from "../internal/exitCode.js"
import { durationOption } from "../internal/options.js"
import * as Output from "../internal/output.js"
import { paint, type TerminalInfo, terminalInfo } from "../internal/terminal.js"
import { runList } from "./list.js"
import { runSummary } from "./summary.js"
import { runWatch } from "./watch.js"

/**
 * The demo's job id.
 *
 * @since 0.1.0
 * @category models
 */
export const DEMO_JOB_ID = "DemoRollout7glPHmaDYLAYM2"

/**
 * @since 0.1.0
 * @category models
 */
export interface DemoParams {
  readonly devices: number
  readonly rolloutMs: number
  readonly intervalMs: number
  readonly verbose: boolean
  readonly terminal: TerminalInfo
}

/**
 * The client for the emulator's URL and test key. The demo must never read a
 * real key: the environment is replaced by an empty one and the profile file
 * by one that does not exist.
 */
const emulatorClient = (
  url: string,
  credentials: { readonly accessKeyId: string; readonly accessKeySecret: string }
): Layer.Layer<OtaClient, OtaError> =>
  Layer.unwrapEffect(
    Effect.map(
      Effect.promise(() => import("@iot-ota/node/OtaClient")),
      (Node) =>
        Node.layer({
          endpoint: url,
          accessKeyId: credentials.accessKeyId,
          accessKeySecret: credentials.accessKeySecret,
          env: {},
          profileFile: join(tmpdir(), `iot-ota-demo-${process.pid}-no-profile`)
        })
    )
  )

/** How to run `ota` again the way it was just run: `ota` when installed, else `node <path>` (e.g. after `pnpm demo`). */
const invokedAs = (): string => {
  const script = process.argv[1]
  if (script === undefined || basename(script) === "ota") return "ota"
  const path = relative(process.cwd(), script)
  return `node ${path.startsWith("..") || isAbsolute(path) ? script : path}`
}

/**
 * Runs the demo: emulator up, three sections, emulator down.
 *
 * @since 0.1.0
 * @category commands
 */
export const runDemo = (params: DemoParams) =>
  Effect.scoped(
    Effect.gen(function* () {
      const { terminal } = params
      const started = Date.now()
      const say = (text: string) => Output.stdout(`${text}\n`)
      const section = (step: string, command: string, explanation: string) =>
        say(
          `\n${paint(terminal.color, "bold", `── ${step}  ${command}`)}\n${paint(terminal.color, "dim", explanation)}\n`
        )
      const Emulator = yield* Effect.promise(() => import("@iot-ota/emulator"))
      const emulator = yield* Effect.acquireRelease(
        Effect.tryPromise({
          try: () =>
            Emulator.startEmulator({
              seed: 2024,
              qps: 10,
              jobs: [
                {
                  jobId: DEMO_JOB_ID,
                  tasks: params.devices,
                  rollout: { durationMs: params.rolloutMs, failureRate: 0.06 }
                }
              ]
            }),
          catch: (error) =>
            new CliError({
              message: `cannot start the demo's emulator: ${error instanceof Error ? error.message : String(error)}`,
              exitCode: 1
            })
        }),
        (emulator) => Effect.promise(() => emulator.close())
      )
      yield* say(
        `${paint(terminal.color, "bold", "ota demo")}: a firmware rollout on a local emulator of the IoT Platform OTA API (no account, no network).\n` +
          `The emulator listens on ${emulator.url}: job ${DEMO_JOB_ID}, ${params.devices} devices upgrading over ${formatDuration(params.rolloutMs)}, ` +
          "signatures checked, quota 10 calls/s. Every step below is a real signed HTTP call."
      )
      const credentials = emulator.credentials[0]!
      const steps = Effect.gen(function* () {
        yield* section(
          "1/3",
          `ota tasks summary --job ${DEMO_JOB_ID}`,
          "Tasks per status: the Total of one status-filtered query per status."
        )
        yield* runSummary({ jobId: DEMO_JOB_ID, output: "table", terminal })
        yield* section(
          "2/3",
          `ota tasks list --job ${DEMO_JOB_ID}`,
          "The first page of tasks. --all streams every task; --output json|ndjson|csv exports them."
        )
        yield* runList({ jobId: DEMO_JOB_ID, all: false, output: "table", terminal })
        yield* section(
          "3/3",
          `ota tasks watch --job ${DEMO_JOB_ID} --interval ${durationFlag(params.intervalMs)}`,
          "Following the rollout until every task is finished; failed devices appear with their TaskDesc."
        )
        yield* runWatch({
          jobId: DEMO_JOB_ID,
          intervalMs: params.intervalMs,
          // The rollout ends by itself; the bound only keeps the demo short on a very slow machine.
          maxDurationMs: params.rolloutMs + 15_000,
          terminal
        }).pipe(
          Effect.catchIf(
            (error): error is NotFinished => error instanceof NotFinished,
            (error) => say(error.message)
          )
        )
      })
      yield* runLogged(params.verbose, Effect.provide(steps, emulatorClient(emulator.url, credentials)))
      const ota = invokedAs()
      const hints: ReadonlyArray<[string, string]> = [
        [
          `${ota} emulator --rollout 300000`,
          "a longer rollout to explore; its banner prints the variables to export"
        ],
        [`${ota} tasks list --help`, "every option (filters, --all, --output, --columns)"],
        [`${ota} --completions bash`, "shell completion (also zsh, fish)"]
      ]
      const width = Math.max(...hints.map(([command]) => command.length))
      yield* say(
        `\nDemo finished in ${formatDuration(Date.now() - started)}. Next:\n` +
          hints.map(([command, what]) => `  ${command.padEnd(width)}   ${what}`).join("\n")
      )
    })
  )

/**
 * @since 0.1.0
 * @category commands
 */
export const demo = Command.make(
  "demo",
  {
    devices: Options.integer("devices").pipe(
      Options.withPseudoName("n"),
      Options.mapEffect((n) =>
        n >= 1 && n <= 100_000
          ? Effect.succeed(n)
          : Effect.fail(CliValidation.invalidValue(HelpDoc.p(`--devices: expected 1 to 100000, got ${n}`)))
      ),
      Options.withDescription("Devices in the simulated rollout (default 240)"),
      Options.withDefault(240)
    ),
    rollout: durationOption("rollout", 1000, 3_600_000).pipe(
      Options.withDescription("How long the simulated rollout takes (default 20s)"),
      Options.withDefault(20_000)
    ),
    interval: durationOption("interval", 200, 60_000).pipe(
      Options.withDescription("Refresh interval of the watch step (default 2s)"),
      Options.withDefault(2000)
    ),
    verbose: Options.boolean("verbose").pipe(
      Options.withAlias("v"),
      Options.withDescription("Print each HTTP attempt on stderr")
    )
  },
  (flags) =>
    runDemo({
      devices: flags.devices,
      rolloutMs: flags.rollout,
      intervalMs: flags.interval,
      verbose: flags.verbose,
      terminal: terminalInfo()
    })
).pipe(
  Command.withDescription(
    "Start the emulator with a simulated rollout and run summary, list and watch against it: a real rollout in one command, offline, in about half a minute."
  )
)
