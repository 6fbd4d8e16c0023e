/**
 * What AssumeRole and AssumeRoleWithOIDC share: reading the role, session name, duration and policy with STS's
 * rules and codes (docs/credentials.md §1), and the answer's shape.
 */
import { Buffer } from "node:buffer"
import { type Failure, stsInvalid, stsInvalidDuration, stsMissing, stsRoleNotFound } from "../errors.js"
import type { Params } from "../params.js"
import type { ActionAnswer, StsState } from "../registry.js"
import {
  DEFAULT_DURATION_SECONDS,
  type IssuedRecord,
  type IssuedVia,
  MIN_DURATION_SECONDS,
  ROLE_ARN,
  type RoleDef,
  stsTime
} from "../sts.js"

export type Read<A> =
  | { readonly ok: true; readonly value: A }
  | { readonly ok: false; readonly failure: Failure }

const ok = <A>(value: A): Read<A> => ({ ok: true, value })
const fail = <A>(failure: Failure): Read<A> => ({ ok: false, failure })

export const requiredParam = (params: Params, name: string): Read<string> => {
  const value = params[name]
  return value === undefined || value === "" ? fail(stsMissing(name)) : ok(value)
}

const SESSION_NAME = /^[\w.@-]{2,64}$/
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/

export interface RoleRequest {
  readonly role: RoleDef
  readonly sessionName: string
  readonly durationSeconds: number
}

/** `RoleArn`, `RoleSessionName`, `Policy`, the role, then `DurationSeconds` within 900 s and the role's maximum. */
export const readRoleRequest = (params: Params, sts: StsState): Read<RoleRequest> => {
  const roleArn = requiredParam(params, "RoleArn")
  if (!roleArn.ok) return roleArn
  if (!ROLE_ARN.test(roleArn.value))
    return fail(stsInvalid("RoleArn", "Expected acs:ram::<account id>:role/<role name>."))
  const sessionName = requiredParam(params, "RoleSessionName")
  if (!sessionName.ok) return sessionName
  if (!SESSION_NAME.test(sessionName.value))
    return fail(stsInvalid("RoleSessionName", "Expected 2 to 64 characters of A-Z a-z 0-9 . @ - _."))
  const policy = params.Policy
  if (policy !== undefined && policy !== "") {
    if (Buffer.byteLength(policy, "utf8") > 2048)
      return fail(stsInvalid("PolicySize", "The policy is longer than 2048 bytes."))
    let parsed: unknown
    try {
      parsed = JSON.parse(policy)
    } catch {
      parsed = undefined
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
      return fail(stsInvalid("PolicyGrammar", "The policy is not a JSON policy document."))
  }
  const role = sts.roles.get(roleArn.value)
  if (role === undefined) return fail(stsRoleNotFound(roleArn.value))
  const durationText = params.DurationSeconds
  let durationSeconds = DEFAULT_DURATION_SECONDS
  if (durationText !== undefined && durationText !== "") {
    durationSeconds = /^\d{1,9}$/.test(durationText) ? Number(durationText) : Number.NaN
    if (!(durationSeconds >= MIN_DURATION_SECONDS && durationSeconds <= role.maxSessionSeconds))
      return fail(stsInvalidDuration(MIN_DURATION_SECONDS, role.maxSessionSeconds))
  }
  return ok({ role, sessionName: sessionName.value, durationSeconds })
}

export const readExternalId = (params: Params): Read<string | undefined> => {
  const externalId = params.ExternalId
  if (externalId === undefined || externalId === "") return ok(undefined)
  return EXTERNAL_ID.test(externalId)
    ? ok(externalId)
    : fail(stsInvalid("ExternalId", "Expected 2 to 1224 characters of A-Z a-z 0-9 + = , . @ : / - _."))
}

/** Issues the credential and writes STS's answer (`OIDCTokenInfo` for AssumeRoleWithOIDC). */
export const issueAnswer = (
  sts: StsState,
  requestId: string,
  request: RoleRequest,
  via: IssuedVia,
  extra: { readonly subject?: string; readonly oidcTokenInfo?: Record<string, string> } = {}
): ActionAnswer => {
  const record: IssuedRecord = sts.issuer.issue({
    role: request.role,
    sessionName: request.sessionName,
    seconds: request.durationSeconds,
    via,
    subject: extra.subject
  })
  const body = {
    RequestId: requestId,
    ...(extra.oidcTokenInfo === undefined ? {} : { OIDCTokenInfo: extra.oidcTokenInfo }),
    AssumedRoleUser: {
      AssumedRoleId: `${request.role.roleId}:${request.sessionName}`,
      Arn: `acs:ram::${request.role.accountId}:role/${request.role.name.toLowerCase()}/${request.sessionName}`
    },
    Credentials: {
      AccessKeyId: record.accessKeyId,
      AccessKeySecret: record.accessKeySecret,
      SecurityToken: record.securityToken,
      Expiration: stsTime(record.expiresAt)
    }
  }
  return { ok: true, body: Buffer.from(JSON.stringify(body)) }
}
