/**
 * `ota demo`: a real rollout in one command, with no account and no network.
 * It starts the emulator in-process with a seeded catalogue (firmware, their
 * jobs, one of them a live rollout) and the documented 10 calls/s quota, then
 * drills down firmware → job → tasks against it over HTTP, exactly as the
 * commands run against the cloud: `firmware list`, `jobs list`, `jobs show`,
 * `tasks summary`, `tasks list` and a `tasks watch`.
 *
 * @since 0.1.0
 */

import { tmpdir } from "node:os"
import { basename, isAbsolute, join, relative } from "node:path"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import type { OtaError } from "@iot-ota/core/IotError"
import * as CoreClient from "@iot-ota/core/OtaClient"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schedule from "effect/Schedule"
import { runLogged } from "../internal/client.js"
import { durationFlag, formatDuration } from "../internal/duration.js"
import { CliError, NotFinished } from "../internal/exitCode.js"
import * as Flags from "../internal/flags.js"
import { type AttemptRecorder, attemptEventOfClient } from "../internal/logger.js"
import * as Output from "../internal/output.js"
import { paint, type TerminalInfo, terminalInfo } from "../internal/terminal.js"
import { runFirmwareList } from "./firmware.js"
import { runJobShow, runJobsList } from "./jobs.js"
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
 * The firmware the demo's rollout installs.
 *
 * @since 0.1.0
 * @category models
 */
export const DEMO_FIRMWARE_ID = "DemoFw241glPHmaDYLAYM0241"

const LAMP = "a1Dm7LpQx2k"
const GATEWAY = "a1Gw3TcRf8n"
const PREVIOUS_FIRMWARE_ID = "DemoFw240glPHmaDYLAYM0240"
const GATEWAY_FIRMWARE_ID = "DemoFwGw1glPHmaDYLAYM0113"

/**
 * The demo's catalogue: two products, three firmware, four jobs. The new
 * firmware has a finished canary batch and the live rollout; the others a
 * finished batch each. Names and devices come from the emulator's seed.
 */
const catalogue = (devices: number, rolloutMs: number) => ({
  products: [{ productKey: LAMP }, { productKey: GATEWAY }],
  firmware: [
    { firmwareId: DEMO_FIRMWARE_ID, productKey: LAMP, destVersion: "2.4.1", srcVersion: "2.4.0" },
    { firmwareId: PREVIOUS_FIRMWARE_ID, productKey: LAMP, destVersion: "2.4.0", srcVersion: "2.3.2" },
    { firmwareId: GATEWAY_FIRMWARE_ID, productKey: GATEWAY, destVersion: "1.1.3", srcVersion: "1.1.2" }
  ],
  jobs: [
    {
      jobId: "DemoCanary7glPHmaDYLAYM01",
      tasks: Math.min(24, devices),
      firmwareId: DEMO_FIRMWARE_ID,
      name: "2.4.1 canary",
      statusMix: { SUCCEEDED: 23, FAILED: 1 }
    },
    {
      jobId: DEMO_JOB_ID,
      tasks: devices,
      firmwareId: DEMO_FIRMWARE_ID,
      name: "2.4.1 wave 2",
      rollout: { durationMs: rolloutMs, failureRate: 0.06 }
    },
    {
      jobId: "DemoWave1glPHmaDYLAYM0240",
      tasks: 120,
      firmwareId: PREVIOUS_FIRMWARE_ID,
      name: "2.4.0 fleet-wide",
      statusMix: { SUCCEEDED: 96, FAILED: 3, CANCELED: 1 }
    },
    {
      jobId: "DemoGw113glPHmaDYLAYM0113",
      tasks: 40,
      firmwareId: GATEWAY_FIRMWARE_ID,
      name: "1.1.3 gateways",
      statusMix: { SUCCEEDED: 1 }
    }
  ]
})

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
  credentials: { readonly accessKeyId: string; readonly accessKeySecret: string },
  record: AttemptRecorder["record"]
): Layer.Layer<CoreClient.OtaClient, OtaError> =>
  Layer.unwrapEffect(
    Effect.map(
      Effect.promise(() => import("@iot-ota/node/OtaClient")),
      (Node) =>
        Node.layer({
          endpoint: url,
          accessKeyId: credentials.accessKeyId,
          accessKeySecret: credentials.accessKeySecret,
          env: {},
          profileFile: join(tmpdir(), `iot-ota-demo-${process.pid}-no-profile`),
          onEvent: (event) => record(attemptEventOfClient(event))
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
 * Waits (polling quietly) until the rollout has at least one device upgrading
 * and one failed, or `boundMs` has passed.
 */
const untilUnderWay = (jobId: string, boundMs: number) =>
  Effect.flatMap(CoreClient.OtaClient, (client) =>
    Effect.all(
      [
        client.listOTATaskByJob({ jobId, taskStatus: "FAILED", pageSize: 1 }),
        client.listOTATaskByJob({ jobId, taskStatus: "IN_PROGRESS", pageSize: 1 })
      ],
      { concurrency: 2 }
    ).pipe(
      Effect.repeat({
        schedule: Schedule.spaced(Duration.millis(250)),
        until: ([failed, upgrading]) => failed.total > 0 && upgrading.total > 0
      }),
      Effect.timeoutOption(Duration.millis(boundMs)),
      Effect.asVoid
    )
  )

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
              ...catalogue(params.devices, params.rolloutMs)
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
          `The emulator listens on ${emulator.url}: ${emulator.firmware.length} firmware and their jobs, one of them (${DEMO_JOB_ID}) upgrading ${params.devices} devices over ${formatDuration(params.rolloutMs)}; ` +
          "signatures checked, quota 10 calls/s. Every step below is a real signed HTTP call: firmware → job → tasks."
      )
      const credentials = emulator.credentials[0]!
      const listing = { jobId: DEMO_JOB_ID, all: false, output: "table", pageSize: 5, terminal } as const
      const steps = Effect.gen(function* () {
        yield* section(
          "1/6",
          "ota firmware list",
          "The update packages (firmware) of the account: versions, product, verification, size."
        )
        yield* runFirmwareList({ all: false, output: "table", terminal })
        yield* section(
          "2/6",
          `ota jobs list --firmware ${DEMO_FIRMWARE_ID}`,
          "The batches (jobs) that install 2.4.1: a finished canary, and a rollout under way."
        )
        yield* runJobsList({ firmwareId: DEMO_FIRMWARE_ID, all: false, output: "table", terminal })
        yield* section(
          "3/6",
          `ota jobs show ${DEMO_JOB_ID}`,
          "The rollout in full: its name, versions, target and retry policy."
        )
        yield* runJobShow({ jobId: DEMO_JOB_ID, output: "table", terminal })
        yield* section(
          "4/6",
          `ota tasks summary --job ${DEMO_JOB_ID}`,
          "Its devices' tasks per status: the Total of one status-filtered query per status."
        )
        yield* runSummary({ jobId: DEMO_JOB_ID, output: "table", terminal })
        // At the very start every task is still queued; the listing waits
        // until the rollout has devices upgrading and failing, and shows those.
        yield* untilUnderWay(DEMO_JOB_ID, params.rolloutMs / 2)
        yield* section(
          "5/6",
          `ota tasks list --job ${DEMO_JOB_ID} --status FAILED --page-size 5`,
          "Filters: the devices that failed, with the reason the device reported (TaskDesc), then some still upgrading. --all streams every task; --output json|ndjson|csv exports them."
        )
        yield* runList({ ...listing, status: "FAILED" })
        yield* say(
          `\n${paint(terminal.color, "bold", `$ ota tasks list --job ${DEMO_JOB_ID} --status IN_PROGRESS --page-size 5`)}\n`
        )
        yield* runList({ ...listing, status: "IN_PROGRESS" })
        yield* section(
          "6/6",
          `ota tasks watch --job ${DEMO_JOB_ID} --interval ${durationFlag(params.intervalMs)}`,
          "Following the rollout until every task is finished, under the job's name, status and versions; failed devices appear with their TaskDesc."
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
      yield* runLogged(params.verbose, (record) =>
        Effect.provide(steps, emulatorClient(emulator.url, credentials, record))
      )
      const ota = invokedAs()
      const hints: ReadonlyArray<[string, string]> = [
        [
          `${ota} emulator --rollout 5m`,
          "a longer rollout to explore; its banner prints the variables to export"
        ],
        [`${ota} tasks list --help`, "every option (filters, --all, --output, --columns)"],
        [`${ota} devices tasks --help`, "why is one device stuck? its unfinished tasks, over every job"],
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
    devices: Flags.integer({
      name: "devices",
      min: 1,
      max: 100_000,
      description: "Devices in the simulated rollout, 1 to 100000 (default 240)"
    }).pipe(Options.withDefault(240)),
    rollout: Flags.duration({
      name: "rollout",
      minMs: 1000,
      maxMs: 3_600_000,
      description: "How long the simulated rollout takes, 1s to 1h (default 20s)."
    }).pipe(Options.withDefault(20_000)),
    interval: Flags.duration({
      name: "interval",
      minMs: 200,
      maxMs: 60_000,
      description: "Refresh interval of the watch step, 200ms to 1m (default 2s)."
    }).pipe(Options.withDefault(2000)),
    verbose: Flags.boolean({ name: "verbose", alias: "v", description: "Print each HTTP attempt on stderr" })
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
    "Start the emulator with a seeded catalogue and a simulated rollout, and drill down against it: firmware list, the firmware's jobs, the rollout job, its tasks' summary, list and watch. Offline, in about half a minute."
  )
)
