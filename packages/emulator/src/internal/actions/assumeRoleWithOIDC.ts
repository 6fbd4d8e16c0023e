/**
 * STS AssumeRoleWithOIDC: temporary credentials of a role for the holder of an OIDC token from a provider the
 * role trusts. Anonymous: no AccessKey, no signature; the token is the proof (docs/credentials.md §1.2).
 */
import { oidcFailure } from "../errors.js"
import { verifyOidcToken } from "../oidc.js"
import { defineAction, failed, STS } from "../registry.js"
import { OIDC_PROVIDER_ARN, stsTime } from "../sts.js"
import { issueAnswer, readRoleRequest, requiredParam } from "./stsCommon.js"

export const assumeRoleWithOIDC = defineAction({
  action: "AssumeRoleWithOIDC",
  family: STS,
  anonymous: true,
  handle: ({ params, requestId, serverNow, sts }) => {
    const providerArn = requiredParam(params, "OIDCProviderArn")
    if (!providerArn.ok) return providerArn
    const token = requiredParam(params, "OIDCToken")
    if (!token.ok) return token
    const request = readRoleRequest(params, sts)
    if (!request.ok) return request
    const provider = OIDC_PROVIDER_ARN.test(providerArn.value)
      ? sts.oidcProviders.get(providerArn.value)
      : undefined
    if (provider === undefined)
      return failed(oidcFailure("NoPermission", "No such OIDC Provider registered."))
    if (token.value.length < 4 || token.value.length > 20_000)
      return failed(oidcFailure("OIDCToken.Invalid", "The OIDC token must be 4 to 20000 characters."))
    const verified = verifyOidcToken(provider, token.value, serverNow)
    if (!verified.ok) return failed(verified.failure)
    const { role } = request.value
    if (role.trustedOidcProviders !== undefined && !role.trustedOidcProviders.has(provider.arn))
      return failed(oidcFailure("NoPermission", `The role ${role.arn} does not trust ${provider.arn}.`))
    const { claims } = verified
    return issueAnswer(sts, requestId, request.value, "AssumeRoleWithOIDC", {
      subject: claims.sub,
      oidcTokenInfo: {
        Subject: claims.sub,
        Issuer: claims.iss,
        ClientIds: (typeof claims.aud === "string" ? [claims.aud] : claims.aud).join(","),
        ExpirationTime: stsTime(claims.exp * 1000),
        IssuanceTime: stsTime(claims.iat * 1000),
        VerificationInfo: "Success"
      }
    })
  }
})
