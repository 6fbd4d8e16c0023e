/**
 * The options every command that talks to the API accepts (`--endpoint`,
 * `--profile`, `--timeout`, ...), their parsing, and the flags of a listing
 * (`--job`, `--output`, `--columns`) shared by several commands.
 */

import * as HelpDoc from "@effect/cli/HelpDoc"
import * as Options from "@effect/cli/Options"
import * as CliValidation from "@effect/cli/ValidationError"
import * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import { type Column, parseColumns } from "./columns.js"
import { parseDuration } from "./duration.js"

const invalid = (message: string) => Effect.fail(CliValidation.invalidValue(HelpDoc.p(message)))

/** A duration flag (`500ms`, `10s`, `2m`; a bare number is seconds) within bounds, in milliseconds. */
export const durationOption = (name: string, minMs: number, maxMs: number) =>
  Options.text(name).pipe(
    Options.withPseudoName("duration"),
    Options.mapEffect((text) => {
      const ms = parseDuration(text)
      if (ms === undefined) return invalid(`--${name}: "${text}" is not a duration such as 500ms, 10s or 2m`)
      if (ms < minMs || ms > maxMs) {
        return invalid(`--${name}: ${text} is out of range (${minMs} ms to ${maxMs / 1000} s)`)
      }
      return Effect.succeed(ms)
    })
  )

/** The signature algorithms the client implements. */
export const SIGNATURE_ALGORITHMS = ["HMAC-SHA1", "ACS3-HMAC-SHA256"] as const

/**
 * Connection and credential options of every API command. The secret is
 * deliberately not among them: it comes from the environment, the profile
 * file or stdin (`--secret-stdin`), never from a flag that `ps` or the shell
 * history would show.
 */
export const clientOptions = {
  endpoint: Options.text("endpoint").pipe(
    Options.withPseudoName("url"),
    Options.withDescription(
      "API endpoint, e.g. https://iot.cn-shanghai.aliyuncs.com (default: OTA_ENDPOINT, else the profile's endpoint, else built from OTA_REGION_ID)"
    ),
    Options.optional
  ),
  profile: Options.text("profile").pipe(
    Options.withPseudoName("name"),
    Options.withDescription(
      "Profile of the profile file (OTA_PROFILE_FILE, default ~/.config/iot-ota/credentials) to take the endpoint, key and algorithm from; a named profile wins over the environment (default: OTA_PROFILE, else [default])"
    ),
    Options.optional
  ),
  secretStdin: Options.boolean("secret-stdin").pipe(
    Options.withDescription(
      "Read the AccessKey secret from stdin (one line, piped: `pass show ota | ota ...`). Its id comes from --access-key-id, else OTA_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_ID, else the profile"
    )
  ),
  accessKeyId: Options.text("access-key-id").pipe(
    Options.withPseudoName("id"),
    Options.withDescription(
      "AccessKey id to pair with --secret-stdin (the id is not secret; the secret never is a flag)"
    ),
    Options.optional
  ),
  timeout: durationOption("timeout", 1, 600_000).pipe(
    Options.withDescription("Per-attempt timeout, e.g. 500ms or 10s (default 10s)"),
    Options.optional
  ),
  retries: Options.integer("retries").pipe(
    Options.withPseudoName("n"),
    Options.mapEffect((n) =>
      n >= 0 && n <= 9 ? Effect.succeed(n) : invalid(`--retries: expected 0 to 9, got ${n}`)
    ),
    Options.withDescription("Retries of a failed call when the error is transient (default 2; 0 = none)"),
    Options.optional
  ),
  qps: Options.float("qps").pipe(
    Options.withPseudoName("n"),
    Options.mapEffect((n) =>
      n >= 0 && n <= 10_000 ? Effect.succeed(n) : invalid(`--qps: expected 0 (off) to 10000, got ${n}`)
    ),
    Options.withDescription("Client-side calls per second (default 10, the documented quota; 0 = no limit)"),
    Options.optional
  ),
  signatureAlgorithm: Options.choice("signature-algorithm", SIGNATURE_ALGORITHMS).pipe(
    Options.withDescription(
      "Request signature: HMAC-SHA1 (RPC query signature, default) or ACS3-HMAC-SHA256 (V3, headers); default: OTA_SIGNATURE_ALGORITHM or the profile's signature_algorithm"
    ),
    Options.optional
  ),
  verbose: Options.boolean("verbose").pipe(
    Options.withAlias("v"),
    Options.withDescription(
      "Print each HTTP attempt (duration, request id or error) and a summary on stderr; never URLs or secrets"
    )
  )
}

/** Parsed {@link clientOptions}. */
export interface ClientFlags {
  readonly endpoint: Option.Option<string>
  readonly profile: Option.Option<string>
  readonly secretStdin: boolean
  readonly accessKeyId: Option.Option<string>
  readonly timeout: Option.Option<number>
  readonly retries: Option.Option<number>
  readonly qps: Option.Option<number>
  readonly signatureAlgorithm: Option.Option<(typeof SIGNATURE_ALGORITHMS)[number]>
  readonly verbose: boolean
}

/** `--job`, required by every tasks command. */
export const jobOption = Options.text("job").pipe(
  Options.withAlias("j"),
  Options.withPseudoName("id"),
  Options.withDescription("The upgrade batch (JobId)")
)

/** `--columns a,b,c`, checked when parsed. */
export const columnsOption = Options.text("columns").pipe(
  Options.withPseudoName("a,b,c"),
  Options.mapEffect((spec) => {
    const parsed = parseColumns(spec)
    return "error" in parsed ? invalid(`--columns: ${parsed.error}`) : Effect.succeed(parsed.columns)
  }),
  Options.withDescription(
    "Columns for table, csv, json and ndjson, among: taskId, jobId, iotId, deviceName, productKey, productName, firmwareId, srcVersion, destVersion, version (src → dest), taskStatus, progress, taskDesc, timeout, utcCreate, utcModified. Default: table deviceName,taskStatus,progress,version,utcModified,taskDesc; csv every field; json/ndjson whole tasks"
  ),
  Options.optional
)

/** Parsed {@link columnsOption}. */
export type ColumnsFlag = Option.Option<ReadonlyArray<Column>>
