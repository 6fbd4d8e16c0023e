/** The one table from failures to exit codes and error lines. */
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as CliValidation from "@effect/cli/ValidationError"
import {
  ApiError,
  CredentialsError,
  DecodeError,
  HttpError,
  PaginationError,
  TimeoutError,
  TransportError,
  ValidationError
} from "@iot-ota/core/IotError"
import { describe, expect, it } from "vitest"
import {
  CliError,
  CredentialsRefused,
  describeError,
  exitCodeFor,
  Interrupted,
  NotFinished
} from "../src/internal/exitCode.js"
import { BrokenPipe } from "../src/internal/output.js"

const api = (code: string, httpStatus = 400, retryable = false) =>
  new ApiError({ code, message: `${code} happened`, requestId: "REQ-1", httpStatus, retryable })

const credentials = (reason: CredentialsError["reason"]) =>
  new CredentialsError({ provider: "p", reason, message: "m", retryable: reason === "Unavailable" })

describe("exitCodeFor", () => {
  it.each([
    ["a command-line parse error", CliValidation.invalidValue(HelpDoc.p("bad")), 2],
    ["a ValidationError", new ValidationError({ field: "pageSize", rule: "1..100", message: "m" }), 2],
    ["SignatureDoesNotMatch", api("SignatureDoesNotMatch"), 3],
    ["InvalidAccessKeyId.NotFound", api("InvalidAccessKeyId.NotFound", 404), 3],
    ["Forbidden.RAM", api("Forbidden.RAM", 403), 3],
    ["a rejected timestamp", api("InvalidTimeStamp.Expired"), 3],
    ["an expired security token", api("InvalidSecurityToken.Expired"), 3],
    ["no credentials anywhere in the chain", credentials("NotConfigured"), 2],
    ["STS refusing the role", credentials("Refused"), 3],
    ["a profile the provider cannot use", credentials("Invalid"), 3],
    ["STS or the metadata service unreachable", credentials("Unavailable"), 5],
    ["an unknown job", api("iot.ota.NotExistedJob", 200), 4],
    ["throttling after retries", api("Throttling.User", 400, true), 4],
    ["ServiceUnavailable after retries", api("ServiceUnavailable", 503, true), 4],
    [
      "a JSON body of the wrong shape",
      new DecodeError({ message: "m", httpStatus: 200, excerpt: "{}", retryable: false }),
      4
    ],
    ["a non-JSON 404", new HttpError({ message: "m", httpStatus: 404, excerpt: "", retryable: false }), 4],
    [
      "a proxy's 502 page",
      new HttpError({ message: "m", httpStatus: 502, excerpt: "<html>", retryable: true }),
      5
    ],
    ["a body cut off", new DecodeError({ message: "m", httpStatus: 200, excerpt: "{", retryable: true }), 5],
    ["a refused connection", new TransportError({ message: "ECONNREFUSED" }), 5],
    ["a timeout", new TimeoutError({ timeoutMs: 200, message: "m" }), 5],
    ["a closed stdout", new BrokenPipe(), 0],
    ["Ctrl-C", new Interrupted({ signal: "SIGINT" }), 130],
    ["SIGTERM", new Interrupted({ signal: "SIGTERM" }), 143],
    ["a watch past --max-duration", new NotFinished({ message: "m" }), 124],
    ["a CLI failure", new CliError({ message: "port taken", exitCode: 1 }), 1],
    ["a bug", new TypeError("x is undefined"), 1]
  ])("%s → %i", (_, error, code) => {
    expect(exitCodeFor(error)).toBe(code)
  })
})

describe("describeError", () => {
  it("gives the code, the message and the request id of an API error", () => {
    expect(describeError(api("SignatureDoesNotMatch"))).toBe(
      "SignatureDoesNotMatch: SignatureDoesNotMatch happened (request id REQ-1)"
    )
  })

  it("names the flag of an invalid input field", () => {
    const error = new ValidationError({
      field: "deviceNames[3]",
      rule: "non-empty",
      message: 'deviceNames[3] must be a non-empty string, got ""'
    })
    expect(describeError(error)).toBe(
      'ValidationError: deviceNames[3] must be a non-empty string, got "" (--device)'
    )
  })

  it("keeps server text on one line without escape sequences", () => {
    const error = new ApiError({
      code: "Odd\nCode",
      message: "line one\nline two \u001b[2J",
      httpStatus: 500,
      retryable: false
    })
    expect(describeError(error)).toBe("Odd Code: line one line two ")
  })

  it("caps server text and says where a refused key pair came from, never its secret", () => {
    const long = new ApiError({
      code: "X",
      message: "m".repeat(10_000),
      requestId: "R\u001b[2J",
      httpStatus: 400,
      retryable: false
    })
    expect(describeError(long)).toBe(`X: ${"m".repeat(500)}… (request id R)`)
    const refused = new CredentialsRefused({
      error: api("SignatureDoesNotMatch"),
      source: "the environment (OTA_ACCESS_KEY_ID / OTA_ACCESS_KEY_SECRET)",
      accessKeyId: "LTAI-id"
    })
    expect(exitCodeFor(refused)).toBe(3)
    expect(describeError(refused).split("\n")).toEqual([
      "SignatureDoesNotMatch: SignatureDoesNotMatch happened (request id REQ-1)",
      "ota: the key pair came from the environment (OTA_ACCESS_KEY_ID / OTA_ACCESS_KEY_SECRET) (AccessKeyId LTAI-id); check that the secret is the one paired with this AccessKey id and meant for this endpoint, copied whole without a stray space, quote or line break, and that this computer's clock is right"
    ])
  })

  it("says a listing too large to page in the flags a user types, not the client's field names", () => {
    const error = new PaginationError({
      reason: "TooLarge",
      message:
        "ListOTATaskByJob: this listing has 250000 items, 120000 of them with taskStatus SUCCEEDED: more than the 100000 the server pages through in one listing; 0 of 250000 items delivered",
      page: 1,
      delivered: 0,
      total: 250000
    })
    expect(describeError(error)).toBe(
      "PaginationError: ListOTATaskByJob: this listing has 250000 items, 120000 of them with --status SUCCEEDED: more than the 100000 the server pages through in one listing; 0 of 250000 items delivered"
    )
    expect(exitCodeFor(error)).toBe(4)
  })

  it("turns only camelCase field names into flags: plain words that are also option names stay words", () => {
    const error = new PaginationError({
      reason: "TooLarge",
      message: "the endpoint pages through at most 100000 items; narrow it with a taskStatus filter",
      page: 1,
      delivered: 0,
      total: 250000
    })
    expect(describeError(error)).toBe(
      "PaginationError: the endpoint pages through at most 100000 items; narrow it with a --status filter"
    )
  })

  it("describes other failures by kind", () => {
    expect(describeError(new TransportError({ message: "connect ECONNREFUSED 127.0.0.1:1" }))).toBe(
      "TransportError: connect ECONNREFUSED 127.0.0.1:1"
    )
    expect(describeError(new TypeError("boom"))).toBe("internal error: boom")
  })
})
