/**
 * The error catalogue: every failure the emulator answers with, its HTTP status and body shape.
 * Where sources disagree on a status, docs/protocol.md#statuses-where-the-docs-disagree says which one the
 * emulator answers; the README lists each code with its source.
 */
import type { Casing } from "../Emulator.js"

/**
 * `gateway`: errors of the Alibaba Cloud POP gateway (auth, limits, routing, 5xx), body
 * `{RequestId, HostId, Code, Message, Recommend}`. `api`: errors of the IoT service itself, body
 * `{RequestId, Success:false, Code, ErrorMessage}`.
 */
export type ErrorShape = "gateway" | "api"

export interface Failure {
  readonly status: number
  readonly code: string
  readonly message: string
  readonly shape: ErrorShape
}

const gateway = (status: number, code: string, message: string): Failure => ({
  status,
  code,
  message,
  shape: "gateway"
})
const api = (status: number, code: string, message: string): Failure => ({
  status,
  code,
  message,
  shape: "api"
})

export const missingParameter = (name: string): Failure =>
  gateway(
    400,
    "MissingParameter",
    `The input parameter "${name}" that is mandatory for processing this request is not supplied.`
  )

export const invalidParameter = (name: string, detail: string): Failure =>
  gateway(400, "InvalidParameter", `The specified parameter "${name}" is not valid: ${detail}`)

export const malformedParameters = (detail: string): Failure =>
  gateway(400, "InvalidParameter", `The request parameters are malformed: ${detail}`)

export const invalidApi = (action: string, version: string): Failure =>
  gateway(
    404,
    "InvalidApi.NotFound",
    `Specified api is not found, please check your url and method. (Action "${action}", Version "${version}")`
  )

export const invalidAccessKeyId = (): Failure =>
  gateway(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")

export const signatureDoesNotMatch = (serverSide: string): Failure =>
  gateway(400, "SignatureDoesNotMatch", `Specified signature does not match our calculation. ${serverSide}`)

export const incompleteSignature = (detail: string): Failure =>
  gateway(400, "IncompleteSignature", `The request signature does not conform to Aliyun standards. ${detail}`)

export const timestampFormat = (name: string): Failure =>
  gateway(
    400,
    "InvalidTimeStamp.Format",
    `Specified time stamp or date value is not well formatted. (${name})`
  )

export const timestampExpired = (): Failure =>
  gateway(400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired.")

export const nonceUsed = (): Failure =>
  gateway(400, "SignatureNonceUsed", "Specified signature nonce was used already.")

export const throttlingUser = (): Failure =>
  gateway(400, "Throttling.User", "Request was denied due to user flow control.")

export const internalError = (): Failure =>
  gateway(
    500,
    "InternalError",
    "The request processing has failed due to some unknown error, exception or failure."
  )

export const serviceUnavailable = (): Failure =>
  gateway(503, "ServiceUnavailable", "The request has failed due to a temporary failure of the server.")

export const unsupportedMethod = (method: string): Failure =>
  gateway(405, "UnsupportedHTTPMethod", `The HTTP method ${method} is not supported; use GET or POST.`)

export const notFoundPath = (): Failure =>
  gateway(
    404,
    "InvalidApi.NotFound",
    "Specified api is not found, please check your url and method. (RPC APIs live at /)"
  )

export const uriTooLong = (limit: number): Failure =>
  gateway(414, "RequestURITooLong", `The request URI exceeds ${limit} bytes.`)

export const bodyTooLarge = (limit: number): Failure =>
  gateway(413, "RequestEntityTooLarge", `The request body exceeds ${limit} bytes.`)

export const invalidPageParams = (detail: string): Failure =>
  api(400, "iot.common.InvalidPageParams", `The specified page size or page number is invalid. ${detail}`)

/**
 * A documented API parameter that is absent: `Missing{Name}`, the shape of the ListOTAJobByDevice sample
 * (`MissingFirmwareId`, "FirmwareId is mandatory for this action").
 */
export const missingApiParameter = (name: string): Failure =>
  api(400, `Missing${name}`, `${name} is mandatory for this action.`)

/** No documented code exists for an unknown JobId; this follows `iot.device.NotExistedDevice` (README). */
export const jobNotFound = (jobId: string): Failure =>
  api(200, "iot.ota.NotExistedJob", `The specified update batch does not exist. (JobId "${jobId}")`)

/** Documented for the sibling operations ModifyOTAFirmware and UpdateOTAJob (README). */
export const firmwareNotFound = (firmwareId: string): Failure =>
  api(200, "iot.ota.FirmwareNotFound", `The specified firmware does not exist. (FirmwareId "${firmwareId}")`)

/** Documented for ListOTAUnfinishedTaskByDevice. */
export const productNotFound = (productKey: string): Failure =>
  api(200, "iot.prod.NotExistedProduct", `The specified product does not exist. (ProductKey "${productKey}")`)

/** Documented for ListOTAUnfinishedTaskByDevice. */
export const deviceNotFound = (detail: string): Failure =>
  api(200, "iot.device.NotExistedDevice", `The specified device does not exist. (${detail})`)

/** Documented for ListOTAUnfinishedTaskByDevice: neither IotId nor ProductKey + DeviceName. */
export const emptyDeviceInfo = (): Failure =>
  api(400, "iot.ota.EmptyDeviceInfoParams", "Specify IotId, or ProductKey and DeviceName.")

/** Documented for ListOTAUnfinishedTaskByDevice: a status outside CONFIRM, QUEUED, NOTIFIED, IN_PROGRESS. */
export const invalidTaskStatus = (detail: string): Failure =>
  api(400, "iot.firmware.InvalidTaskStatus", `The task status is invalid. ${detail}`)

export const systemException = (): Failure =>
  api(200, "iot.system.SystemException", "A system exception occurred.")

/**
 * Token errors of the gateway (docs/credentials.md §2): the codes are documented, the HTTP status is not; the
 * emulator answers 400 for all four.
 */
export type SecurityTokenProblem = "Expired" | "MismatchWithAccessKey" | "Malformed"

const TOKEN_MESSAGES: Readonly<Record<SecurityTokenProblem, string>> = {
  Expired: "Specified SecurityToken is expired.",
  MismatchWithAccessKey: "Specified SecurityToken mismatch with the AccessKey.",
  Malformed: "Specified SecurityToken is malformed."
}

export const missingSecurityToken = (): Failure =>
  gateway(400, "MissingSecurityToken", "SecurityToken is mandatory for this action.")

export const invalidSecurityToken = (problem: SecurityTokenProblem): Failure =>
  gateway(400, `InvalidSecurityToken.${problem}`, TOKEN_MESSAGES[problem])

// STS (2015-04-01): its errors are `{RequestId, HostId, Code, Message, Recommend}`, the gateway's shape.

/** A required STS parameter is absent: `Missing{Name}`, as the RPC services name it. */
export const stsMissing = (name: string): Failure =>
  gateway(400, `Missing${name}`, `${name} is mandatory for this action.`)

export const stsInvalid = (name: string, detail: string): Failure =>
  gateway(400, `InvalidParameter.${name}`, `The parameter ${name} is wrongly formed. ${detail}`)

/** The documented message still says "15min/1hr" whatever the role allows; the bounds follow it. */
export const stsInvalidDuration = (min: number, max: number): Failure =>
  gateway(
    400,
    "InvalidParameter.DurationSeconds",
    `The Min/Max value of DurationSeconds is 15min/1hr. (this role accepts ${min} to ${max} seconds)`
  )

export const stsRoleNotFound = (roleArn: string): Failure =>
  gateway(404, "EntityNotExist.Role", `The role not exists: ${roleArn}.`)

export const stsNoPermission = (detail: string): Failure =>
  gateway(
    403,
    "NoPermission",
    `You are not authorized to do this action. You should be authorized by RAM. (${detail})`
  )

/** AssumeRoleWithOIDC's refusals (the STS error centre): 401 `AuthenticationFail.*`. */
export const oidcFailure = (code: string, message: string): Failure =>
  gateway(401, `AuthenticationFail.${code}`, message)

const recommend = (code: string, requestId: string): string =>
  `https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(code)}&product=Iot&requestId=${requestId}`

/** The JSON body of `failure`, keys in the casing of the emulator. */
export const failureBody = (failure: Failure, casing: Casing, requestId: string, hostId: string): string => {
  if (failure.shape === "api") {
    return casing === "alibaba"
      ? JSON.stringify({
          RequestId: requestId,
          Success: false,
          Code: failure.code,
          ErrorMessage: failure.message
        })
      : JSON.stringify({ code: failure.code, errorMessage: failure.message, requestId, success: false })
  }
  return casing === "alibaba"
    ? JSON.stringify({
        RequestId: requestId,
        HostId: hostId,
        Code: failure.code,
        Message: failure.message,
        Recommend: recommend(failure.code, requestId)
      })
    : JSON.stringify({
        requestId,
        hostId,
        code: failure.code,
        message: failure.message,
        recommend: recommend(failure.code, requestId)
      })
}
