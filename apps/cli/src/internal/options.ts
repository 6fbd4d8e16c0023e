/**
 * The options every command that talks to the API accepts (`--endpoint`,
 * `--profile`, `--timeout`, ...), and the flags of a listing (`--job`,
 * `--output`, `--columns`) shared by several commands. Declared with the
 * constructors of `flags.ts`, so that their errors and help read alike.
 */

import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import { type Column, parseColumns } from "./columns.js"
import * as Flags from "./flags.js"

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

/** `--columns a,b,c`, checked when parsed. */
export const columnsOption = Flags.text({
  name: "columns",
  pseudo: "a,b,c",
  description:
    "Columns for table, csv, json and ndjson, among: taskId, jobId, iotId, deviceName, productKey, productName, firmwareId, srcVersion, destVersion, version (src → dest), taskStatus, progress, taskDesc, timeout, utcCreate, utcModified. Default: table deviceName,taskStatus,progress,version,utcModified,taskDesc; csv every field; json/ndjson whole tasks"
}).pipe(
  Options.mapEffect((spec) => {
    const parsed = parseColumns(spec)
    return "error" in parsed
      ? Flags.invalidValue(`--columns ${Flags.shown(spec)}: ${parsed.error}`)
      : Effect.succeed(parsed.columns)
  }),
  Options.optional
)

/** Parsed {@link columnsOption}. */
export type ColumnsFlag = Option.Option<ReadonlyArray<Column>>
