/** Hand-made STS and metadata calls for the emulator's tests: signed AssumeRole, anonymous AssumeRoleWithOIDC. */
import { DEFAULT_CREDENTIALS, type Emulator, type IssuedCredentials } from "../../src/index.js"
import { callV2, callV3, type HttpResult, request, timestamp, type V2Options } from "./client.js"
import { sdkEncode } from "./signers.js"

export const STS_VERSION = "2015-04-01"

export interface Caller {
  readonly accessKeyId: string
  readonly accessKeySecret: string
  readonly securityToken?: string | undefined
}

export const DEFAULT_CALLER: Caller = DEFAULT_CREDENTIALS

/**
 * AssumeRole as the official Node library sends it: POST, the common parameters signed in the query, the API
 * parameters in a form body (or everything in a GET query with `method: "GET"`).
 */
export const assumeRole = (
  emulator: Emulator,
  api: Record<string, string>,
  caller: Caller = DEFAULT_CALLER,
  options: Pick<V2Options, "method" | "editCommon"> = {}
): Promise<HttpResult> =>
  callV2(
    emulator,
    { RoleSessionName: "emulator-test", ...api },
    {
      action: "AssumeRole",
      method: options.method ?? "POST",
      bodyParams: "api",
      accessKeyId: caller.accessKeyId,
      secret: caller.accessKeySecret,
      editCommon: (common) => {
        common.Version = STS_VERSION
        if (caller.securityToken !== undefined) common.SecurityToken = caller.securityToken
        options.editCommon?.(common)
      }
    }
  )

const form = (params: Record<string, string>): string =>
  Object.entries(params)
    .map(([name, value]) => `${sdkEncode(name)}=${sdkEncode(value)}`)
    .join("&")

/** AssumeRoleWithOIDC as the official libraries send it: unsigned, query `Action`/`Version`/`Format`/`Timestamp`. */
export const assumeRoleWithOidc = (
  emulator: Emulator,
  api: Record<string, string>,
  query: Record<string, string> = {}
): Promise<HttpResult> => {
  const body = form({ RoleSessionName: "emulator-oidc-test", ...api })
  const common = {
    Action: "AssumeRoleWithOIDC",
    Version: STS_VERSION,
    Format: "JSON",
    Timestamp: timestamp()
  }
  return request(emulator, {
    method: "POST",
    path: `/?${form({ ...common, ...query })}`,
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      "content-length": Buffer.byteLength(body)
    },
    body
  })
}

/** The credentials of a successful STS answer. */
export const credentialsOf = (result: HttpResult): IssuedCredentials => {
  if (result.status !== 200) throw new Error(`STS answered ${result.status}: ${result.text}`)
  const { AccessKeyId, AccessKeySecret, SecurityToken, Expiration } = result.json.Credentials
  return {
    accessKeyId: AccessKeyId,
    accessKeySecret: AccessKeySecret,
    securityToken: SecurityToken,
    expiration: Expiration
  }
}

/**
 * A V2 (GET) or V3 ListOTATaskByJob signed with temporary credentials; `sent` replaces their token (`null`:
 * none).
 */
export const listWith = (
  emulator: Emulator,
  algorithm: "V2" | "V3",
  credentials: Caller,
  jobId: string,
  sent?: string | null
): Promise<HttpResult> => {
  const token = sent === null ? undefined : (sent ?? credentials.securityToken)
  return algorithm === "V2"
    ? callV2(emulator, token === undefined ? { JobId: jobId } : { JobId: jobId, SecurityToken: token }, {
        accessKeyId: credentials.accessKeyId,
        secret: credentials.accessKeySecret
      })
    : callV3(
        emulator,
        { JobId: jobId },
        {
          accessKeyId: credentials.accessKeyId,
          secret: credentials.accessKeySecret,
          extraHeaders:
            token === undefined
              ? {}
              : { "x-acs-security-token": token, "x-acs-accesskey-id": credentials.accessKeyId }
        }
      )
}

/** A metadata request (`PUT` for the session token). */
export const metadata = (
  emulator: Emulator,
  path: string,
  headers: Record<string, string> = {},
  method = path === "/latest/api/token" ? "PUT" : "GET"
): Promise<HttpResult> => request(emulator, { method, path, headers })
