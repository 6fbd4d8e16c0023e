/**
 * The one place that decides how `ota` ends: the exit code for every error,
 * and the single line printed for it on stderr.
 *
 * | code | meaning |
 * |---|---|
 * | 0 | ok (also: stdout closed by its reader, e.g. `| head`) |
 * | 1 | could not start (e.g. the emulator's port is taken), or an unexpected internal error |
 * | 2 | usage or validation: bad flag, bad value, missing configuration |
 * | 3 | authentication or signature rejected (wrong key or secret, clock skew) |
 * | 4 | any other API error (unknown job, throttled after retries, bad response) |
 * | 5 | network or timeout: no usable answer from the endpoint |
 * | 124 | `tasks watch --max-duration` elapsed before the rollout finished |
 * | 130 / 143 | interrupted by Ctrl-C (SIGINT) / SIGTERM |
 */
import * as CliValidation from "@effect/cli/ValidationError"
import {
  type ApiError,
  isAuthError,
  isClockSkewError,
  isOtaError,
  type OtaError
} from "@iot-ota/core/IotError"
import * as Data from "effect/Data"
import { BrokenPipe } from "./output.js"
import { serverText } from "./text.js"

/**
 * @since 0.1.0
 * @category models
 */
export const ExitCode = {
  Ok: 0,
  Internal: 1,
  Usage: 2,
  Auth: 3,
  Api: 4,
  Network: 5,
  NotFinished: 124,
  SigInt: 130,
  SigTerm: 143
} as const

/** A signal stopped the command; its cleanup has run. */
export class Interrupted extends Data.TaggedError("Interrupted")<{ readonly signal: "SIGINT" | "SIGTERM" }> {}

/** A failure of the CLI itself, with its message and exit code (e.g. the emulator's port is taken). */
export class CliError extends Data.TaggedError("CliError")<{
  readonly message: string
  readonly exitCode: number
}> {}

/**
 * The service refused the key pair or the signature made with it
 * (`SignatureDoesNotMatch`, `InvalidAccessKeyId.*`, `IncompleteSignature`):
 * the error, and where the CLI read the key pair from (never a value).
 */
export class CredentialsRefused extends Data.TaggedError("CredentialsRefused")<{
  readonly error: ApiError
  /** `the environment (OTA_ACCESS_KEY_ID / OTA_ACCESS_KEY_SECRET)`, `profile "prod" in ...`, `stdin ...` */
  readonly source: string
  readonly accessKeyId?: string | undefined
}> {}

/** `tasks watch --max-duration` elapsed with tasks still running. */
export class NotFinished extends Data.TaggedError("NotFinished")<{
  readonly message: string
}> {}

/** Exit code of an API error: 3 when the key, secret or signature was refused, else 4. */
const apiExitCode = (error: OtaError): number =>
  isAuthError(error) || isClockSkewError(error) ? ExitCode.Auth : ExitCode.Api

/**
 * The exit code for anything a command can fail with. Errors that carry a
 * server answer (an `ApiError`, a JSON body of the wrong shape) are 3 or 4;
 * errors where no usable answer came back (connection refused or reset,
 * timeout, a proxy's 5xx page, a body cut off) are 5.
 */
export const exitCodeFor = (error: unknown): number => {
  if (error instanceof BrokenPipe) return ExitCode.Ok
  if (error instanceof Interrupted) return error.signal === "SIGTERM" ? ExitCode.SigTerm : ExitCode.SigInt
  if (error instanceof NotFinished) return ExitCode.NotFinished
  if (error instanceof CliError) return error.exitCode
  if (error instanceof CredentialsRefused) return ExitCode.Auth
  if (CliValidation.isValidationError(error)) return ExitCode.Usage
  if (!isOtaError(error)) return ExitCode.Internal
  switch (error._tag) {
    case "ValidationError":
      return ExitCode.Usage
    case "ApiError":
      return apiExitCode(error)
    case "TransportError":
    case "TimeoutError":
      return ExitCode.Network
    case "HttpError":
    case "DecodeError":
      return error.retryable ? ExitCode.Network : ExitCode.Api
    case "CredentialsError":
      // No credential could be had: none configured anywhere is a setup mistake (like a missing
      // endpoint); an unreachable source is the network's; a refused or unusable one is auth.
      return error.reason === "NotConfigured"
        ? ExitCode.Usage
        : error.retryable
          ? ExitCode.Network
          : ExitCode.Auth
    case "PaginationError":
      // The server broke the paging contract: an answer came, but not a usable listing.
      return ExitCode.Api
  }
}

/** Input fields named by the client, as the flags a user typed. */
const FLAGS: Readonly<Record<string, string>> = {
  jobId: "--job",
  pageSize: "--page-size",
  currentPage: "--page",
  taskStatus: "--status",
  taskStatusList: "--status",
  deviceNames: "--device",
  firmwareId: "--firmware",
  productKey: "--product",
  destVersion: "--dest-version",
  moduleName: "--module",
  endpoint: "--endpoint",
  timeoutMs: "--timeout",
  maxAttempts: "--retries",
  qps: "--qps",
  signatureAlgorithm: "--signature-algorithm",
  profile: "--profile"
}

const flagFor = (field: string): string | undefined => FLAGS[field.replace(/\[\d+\]$/, "").split(".")[0]!]

/**
 * Input field names in a client message, as flags: "with taskStatus FAILED" → "with --status FAILED". Only
 * camelCase words are field names here; a plain word ("endpoint", "profile") is left as written.
 */
const asFlags = (message: string): string =>
  message.replace(/\b[a-z]+[A-Z][A-Za-z]*\b/g, (word) => (Object.hasOwn(FLAGS, word) ? FLAGS[word]! : word))

/** What to check when a key pair is refused, by code. */
const credentialHint = (refused: CredentialsRefused): string => {
  const code = refused.error.code.toLowerCase()
  const id = refused.accessKeyId === undefined ? "" : ` (AccessKeyId ${serverText(refused.accessKeyId, 64)})`
  const what = code.startsWith("invalidaccesskeyid")
    ? "that the AccessKey id is right, active, and meant for this endpoint's account and region"
    : "that the secret is the one paired with this AccessKey id and meant for this endpoint, copied whole without a stray space, quote or line break, and that this computer's clock is right"
  return `the key pair came from ${refused.source}${id}; check ${what}`
}

/**
 * The lines printed on stderr (without `ota: ` and the final newline): the
 * code or kind, the message and the request id when the server gave one;
 * for a refused key pair, a second line saying where it came from and what
 * to check. Server text is cleaned of control characters and capped. Never
 * holds the secret: no error of the client carries it, and URLs are not
 * printed.
 */
export const describeError = (error: unknown): string => {
  if (error instanceof NotFinished || error instanceof CliError) return error.message
  if (error instanceof Interrupted) return `interrupted (${error.signal})`
  if (error instanceof CredentialsRefused)
    return `${describeError(error.error)}\nota: ${credentialHint(error)}`
  if (!isOtaError(error)) {
    const message = error instanceof Error ? error.message : String(error)
    return `internal error: ${serverText(message)}`
  }
  const requestId =
    "requestId" in error && error.requestId !== undefined
      ? ` (request id ${serverText(error.requestId, 100)})`
      : ""
  switch (error._tag) {
    case "ApiError":
      return `${serverText(error.code, 100)}: ${serverText(error.message) || `HTTP ${error.httpStatus}`}${requestId}`
    case "ValidationError": {
      const flag = flagFor(error.field)
      return `ValidationError: ${serverText(error.message)}${flag === undefined ? "" : ` (${flag})`}`
    }
    case "PaginationError":
      // The client's words name its input fields ("taskStatus SUCCEEDED"); say the flags a user types.
      return `PaginationError: ${serverText(asFlags(error.message))}${requestId}`
    default:
      return `${error._tag}: ${serverText(error.message)}${requestId}`
  }
}
