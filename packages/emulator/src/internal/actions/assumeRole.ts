/**
 * STS AssumeRole: temporary credentials of a role for a caller that signs with an AccessKey (a RAM user's key,
 * or temporary credentials of another role with their `SecurityToken`: role chaining). The gateway has already
 * verified the signature and the token; here the role's trust policy decides.
 */
import { stsNoPermission } from "../errors.js"
import { defineAction, failed, STS } from "../registry.js"
import { issueAnswer, readExternalId, readRoleRequest } from "./stsCommon.js"

export const assumeRole = defineAction({
  action: "AssumeRole",
  family: STS,
  handle: ({ params, requestId, principal, sts }) => {
    const request = readRoleRequest(params, sts)
    if (!request.ok) return request
    const externalId = readExternalId(params)
    if (!externalId.ok) return externalId
    const { role } = request.value
    if (principal === undefined) return failed(stsNoPermission("AssumeRole must be signed"))
    if (role.trustedPrincipals !== undefined && !role.trustedPrincipals.has(principal))
      return failed(stsNoPermission(`the role's trust policy does not name ${principal}`))
    if (role.externalId !== undefined && externalId.value !== role.externalId)
      return failed(stsNoPermission("the role's trust policy asks for another ExternalId"))
    return issueAnswer(sts, requestId, request.value, "AssumeRole")
  }
})
