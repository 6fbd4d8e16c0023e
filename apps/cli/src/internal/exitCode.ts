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
import { isAuthError, isClockSkewError, isOtaError, type OtaError } from "@iot-ota/core/IotError"
import * as Data from "effect/Data"
import { BrokenPipe } from "./output.js"
import { sanitize } from "./text.js"

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
      return error.retryable ? ExitCode.Network : ExitCode.Auth
  }
}

/** Input fields named by the client, as the flags a user typed. */
const FLAGS: Readonly<Record<string, string>> = {
  jobId: "--job",
  pageSize: "--page-size",
  currentPage: "--page",
  taskStatus: "--status",
  deviceNames: "--device",
  endpoint: "--endpoint",
  timeoutMs: "--timeout",
  maxAttempts: "--retries",
  qps: "--qps",
  signatureAlgorithm: "--signature-algorithm",
  profile: "--profile"
}

const flagFor = (field: string): string | undefined => FLAGS[field.replace(/\[\d+\]$/, "").split(".")[0]!]

/**
 * The line printed on stderr (without `ota: ` and the newline): the code or
 * kind, the message and the request id when the server gave one. Never holds
 * the secret: no error of the client carries it, and URLs are not printed.
 */
export const describeError = (error: unknown): string => {
  if (error instanceof NotFinished || error instanceof CliError) return error.message
  if (error instanceof Interrupted) return `interrupted (${error.signal})`
  if (!isOtaError(error)) {
    const message = error instanceof Error ? error.message : String(error)
    return `internal error: ${sanitize(message)}`
  }
  const requestId =
    "requestId" in error && error.requestId !== undefined ? ` (request id ${error.requestId})` : ""
  switch (error._tag) {
    case "ApiError":
      return `${sanitize(error.code)}: ${sanitize(error.message) || `HTTP ${error.httpStatus}`}${requestId}`
    case "ValidationError": {
      const flag = flagFor(error.field)
      return `ValidationError: ${sanitize(error.message)}${flag === undefined ? "" : ` (${flag})`}`
    }
    default:
      return `${error._tag}: ${sanitize(error.message)}${requestId}`
  }
}
