/**
 * The options every command that talks to the API accepts (`--endpoint`,
 * `--profile`, `--timeout`, ...), and the flags of a listing (`--job`,
 * `--output`, `--columns`) shared by several commands. Declared with the
 * constructors of `flags.ts`, so that their errors and help read alike.
 */

import * as Args from "@effect/cli/Args"
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import { type Column, type ColumnSet, TASKS } from "./columns.js"
import * as Flags from "./flags.js"
import { OUTPUT_FORMATS, type OutputFormat } from "./listing.js"

/** The signature algorithms the client implements. */
export const SIGNATURE_ALGORITHMS = ["HMAC-SHA1", "ACS3-HMAC-SHA256"] as const

/**
 * Connection and credential options of every API command. The secret is
 * deliberately not among them: it comes from the environment, the profile
 * file or stdin (`--secret-stdin`), never from a flag that `ps` or the shell
 * history would show.
 */
export const clientOptions = {
  endpoint: Flags.text({
    name: "endpoint",
    pseudo: "url",
    description:
      "API endpoint, e.g. https://iot.cn-shanghai.aliyuncs.com (default: OTA_ENDPOINT, else the profile's endpoint, else built from OTA_REGION_ID)"
  }).pipe(Options.optional),
  profile: Flags.text({
    name: "profile",
    pseudo: "name",
    description:
      "Profile of the profile file (OTA_PROFILE_FILE, default ~/.config/iot-ota/credentials) to take the endpoint, key and algorithm from; a named profile wins over the environment (default: OTA_PROFILE, else [default])"
  }).pipe(Options.optional),
  secretStdin: Flags.boolean({
    name: "secret-stdin",
    description:
      "Read the AccessKey secret from stdin (one line, piped: `pass show ota | ota ...`). Its id comes from --access-key-id, else OTA_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_ID, else the profile"
  }),
  accessKeyId: Flags.text({
    name: "access-key-id",
    pseudo: "id",
    description: "AccessKey id to pair with --secret-stdin (the id is not secret; the secret never is a flag)"
  }).pipe(Options.optional),
  timeout: Flags.duration({
    name: "timeout",
    minMs: 1,
    maxMs: 600_000,
    description: "Per-attempt timeout, up to 10m (default 10s)."
  }).pipe(Options.optional),
  retries: Flags.integer({
    name: "retries",
    min: 0,
    max: 9,
    description: "Retries of a failed call when the error is transient, 0 to 9 (default 2; 0 = none)"
  }).pipe(Options.optional),
  qps: Flags.float({
    name: "qps",
    min: 0,
    max: 10_000,
    description: "Client-side calls per second, 0 to 10000 (default 10, the documented quota; 0 = no limit)"
  }).pipe(Options.optional),
  signatureAlgorithm: Flags.choice({
    name: "signature-algorithm",
    pseudo: "algorithm",
    values: SIGNATURE_ALGORITHMS,
    what: "a signature algorithm",
    description:
      "Request signature: HMAC-SHA1 (RPC query signature, default) or ACS3-HMAC-SHA256 (V3, headers); default: OTA_SIGNATURE_ALGORITHM or the profile's signature_algorithm."
  }).pipe(Options.optional),
  verbose: Flags.boolean({
    name: "verbose",
    alias: "v",
    description:
      "Print each HTTP attempt (duration, request id or error) and a summary on stderr; never URLs or secrets"
  })
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
export const jobOption = Flags.text({
  name: "job",
  alias: "j",
  pseudo: "id",
  description: "The upgrade batch (JobId)"
})

/** `--columns a,b,c` for a column set, checked when parsed; `defaults` says what each format shows without it. */
export const columnsOptionFor = <A>(
  set: ColumnSet<A>,
  defaults: string
): Options.Options<Option.Option<ReadonlyArray<Column<A>>>> =>
  Flags.text({
    name: "columns",
    pseudo: "a,b,c",
    description: `Columns for table, csv, json and ndjson, among: ${set.columns.map((column) => column.name).join(", ")}. Default: ${defaults}`
  }).pipe(
    Options.mapEffect((spec) => {
      const parsed = set.parse(spec)
      return "error" in parsed
        ? Flags.invalidValue(`--columns ${Flags.shown(spec)}: ${parsed.error}`)
        : Effect.succeed(parsed.columns)
    }),
    Options.optional
  )

/** `--columns a,b,c` of `ota tasks list`. */
export const columnsOption = columnsOptionFor(
  TASKS,
  "table deviceName,taskStatus,progress,version,utcModified,taskDesc; csv every field; json/ndjson whole tasks"
)

/** Parsed {@link columnsOption}. */
export type ColumnsFlag = Option.Option<ReadonlyArray<Column>>

/**
 * `--page`, `--page-size` and `--all` of a paged listing of `many` (`jobs`), whose pages hold at most
 * `maxPageSize`; `--all` lists `every` (default: each `one` of the filter).
 */
export const pagingOptions = (spec: {
  readonly one: string
  readonly many: string
  readonly maxPageSize: number
  readonly every?: string | undefined
}) => ({
  page: Flags.integer({
    name: "page",
    min: 1,
    max: 100_000,
    description: "Page to print (default 1); with --all, the page to start from"
  }).pipe(Options.optional),
  pageSize: Flags.integer({
    name: "page-size",
    min: 1,
    max: spec.maxPageSize,
    description: `${spec.many[0]!.toUpperCase()}${spec.many.slice(1)} per page, 1 to ${spec.maxPageSize} (default 10; with --all, ${spec.maxPageSize}, the fewest requests)`
  }).pipe(Options.optional),
  all: Flags.boolean({
    name: "all",
    alias: "a",
    description: `Every ${spec.every ?? `${spec.one} (of the filter)`}, each once, streamed page by page; a progress bar on stderr when it is a terminal`
  })
})

/** `--output` of a listing or a record. */
export const outputOption = (what: string) =>
  Flags.choice({
    name: "output",
    alias: "o",
    pseudo: "format",
    values: OUTPUT_FORMATS,
    what: "an output format",
    description: `table (aligned, for terminals; the default), json (${what}), ndjson (one per line), csv (RFC 4180, header row, CRLF).`
  }).pipe(Options.withDefault("table" as OutputFormat))

/**
 * A required positional id (`ota firmware show ID`): refused when blank,
 * naming what it is.
 */
export const idArgument = (spec: {
  readonly name: string
  readonly what: string
  readonly description: string
}) =>
  Args.text({ name: spec.name }).pipe(
    Args.withDescription(spec.description),
    Args.mapEffect((typed) =>
      typed.trim() === ""
        ? Effect.fail(HelpDoc.p(`${Flags.shown(typed)}: not ${spec.what}; expected a non-blank ${spec.name}`))
        : Effect.succeed(typed)
    )
  )

/** A device named as `ProductKey/DeviceName`. */
export interface DeviceRef {
  readonly productKey: string
  readonly deviceName: string
}

/** The form a device is named in, for messages and help. */
export const DEVICE_FORM = "ProductKey/DeviceName, e.g. a1GUfrM3kLp/lamp-0001"

/**
 * Reads `PK/NAME`: split at the first `/` (device names cannot hold one),
 * both halves non-blank; else the problem, saying the expected form.
 */
export const parseDevice = (typed: string): DeviceRef | { readonly problem: string } => {
  const text = typed.trim()
  const at = text.indexOf("/")
  const productKey = at === -1 ? "" : text.slice(0, at).trim()
  const deviceName = at === -1 ? "" : text.slice(at + 1).trim()
  if (productKey === "" || deviceName === "") {
    return {
      problem: `${Flags.shown(typed)}: not a device; expected ${DEVICE_FORM}${at === -1 && text !== "" ? " (the ProductKey is missing)" : ""}`
    }
  }
  return { productKey, deviceName }
}

/** `--device PK/NAME`. */
export const deviceOption = (description: string) =>
  Flags.text({ name: "device", alias: "d", pseudo: "pk/name", description }).pipe(
    Options.mapEffect((typed) => {
      const device = parseDevice(typed)
      return "problem" in device ? Flags.invalidValue(`--device ${device.problem}`) : Effect.succeed(device)
    })
  )

/** A `PK/NAME` argument (`ota devices tasks PK/NAME`). */
export const deviceArgument = (description: string) =>
  Args.text({ name: "pk/name" }).pipe(
    Args.withDescription(description),
    Args.mapEffect((typed) => {
      const device = parseDevice(typed)
      return "problem" in device ? Effect.fail(HelpDoc.p(device.problem)) : Effect.succeed(device)
    })
  )
