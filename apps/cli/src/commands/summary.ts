/**
 * `ota tasks summary`: how many tasks of a job are in each status, the share
 * done, and a bar chart.
 *
 * @since 0.1.0
 */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import type { OtaError } from "@iot-ota/core/IotError"
import { OtaClient } from "@iot-ota/core/OtaClient"
import * as Effect from "effect/Effect"
import { withClient } from "../internal/client.js"
import * as Flags from "../internal/flags.js"
import { clientOptions, jobOption } from "../internal/options.js"
import * as Output from "../internal/output.js"
import { fetchSummary, renderSummary, summaryJson } from "../internal/summary.js"
import { type TerminalInfo, terminalInfo } from "../internal/terminal.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface SummaryParams {
  readonly jobId: string
  readonly output: "table" | "json"
  readonly terminal: TerminalInfo
}

/**
 * Counts the job's tasks per status and prints them.
 *
 * @since 0.1.0
 * @category commands
 */
export const runSummary = (
  params: SummaryParams
): Effect.Effect<void, OtaError | Output.BrokenPipe, OtaClient> =>
  Effect.gen(function* () {
    const summary = yield* fetchSummary(yield* OtaClient, params.jobId)
    yield* Output.stdout(
      params.output === "json"
        ? `${JSON.stringify(summaryJson(summary), null, 2)}\n`
        : `${renderSummary(summary, params.terminal).join("\n")}\n`
    )
  })

/**
 * @since 0.1.0
 * @category commands
 */
export const summary = Command.make(
  "summary",
  {
    ...clientOptions,
    job: jobOption,
    output: Flags.choice({
      name: "output",
      alias: "o",
      pseudo: "format",
      values: ["table", "json"] as const,
      what: "an output format",
      description:
        "table (counts, shares, a bar per status; the default) or json ({ jobId, total, counts, other, done, doneShare })."
    }).pipe(Options.withDefault("table" as "table" | "json"))
  },
  (flags) =>
    withClient(flags, runSummary({ jobId: flags.job, output: flags.output, terminal: terminalInfo() }))
).pipe(
  Command.withDescription(
    "Count a job's tasks per status (from the Total of status-filtered queries), with the share done (SUCCEEDED, FAILED, CANCELED)."
  )
)
