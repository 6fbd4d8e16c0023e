/**
 * From a profile's values (what `Profile.read` returns) to a credentials provider, by the profile's `mode`.
 * Modes and field names follow Alibaba Cloud's CLI configuration (`aliyun configure`, `~/.aliyun/config.json`):
 *
 * | mode (aliases)                          | fields                                                              |
 * |-----------------------------------------|---------------------------------------------------------------------|
 * | `AK` (`access_key`)                     | `access_key_id`, `access_key_secret`                                |
 * | `StsToken` (`sts`)                      | the same plus `sts_token`                                           |
 * | `RamRoleArn` (`ram_role_arn`)           | the keys plus `ram_role_arn`, [`ram_session_name`, `expired_seconds`, `external_id`, `sts_region`, `sts_endpoint`] |
 * | `EcsRamRole` (`ecs_ram_role`)           | [`ram_role_name`]                                                   |
 * | `OIDC` (`oidc_role_arn`)                | `ram_role_arn`, `oidc_provider_arn`, `oidc_token_file`, [`ram_session_name`, `expired_seconds`, `sts_region`, `sts_endpoint`] |
 * | `ChainableRamRoleArn`                   | `source_profile`, `ram_role_arn`, [...as RamRoleArn]                |
 *
 * Without `mode`: `StsToken` when `sts_token` is set, else `AK`. Modes compare case-insensitively, `_`
 * ignored, as the CLI's `NormalizeMode` does (which also makes `ram_role_arn` and `ecs_ram_role` the same
 * modes as `RamRoleArn` and `EcsRamRole`; `sts`, `access_key` and `oidc_role_arn` are the names of the
 * official credentials library's types).
 */
import { readFile } from "node:fs/promises"
import * as CredentialProviders from "@iot-ota/core/CredentialProviders"
import * as Credentials from "@iot-ota/core/Credentials"
import { CredentialsError } from "@iot-ota/core/IotError"
import * as Effect from "effect/Effect"
import type { ProfileValues } from "../Profile.js"

export type ProfileMode = "AK" | "StsToken" | "RamRoleArn" | "EcsRamRole" | "OIDC" | "ChainableRamRoleArn"

const MODES: Readonly<Record<string, ProfileMode>> = {
  ak: "AK",
  accesskey: "AK",
  ststoken: "StsToken",
  sts: "StsToken",
  ramrolearn: "RamRoleArn",
  ecsramrole: "EcsRamRole",
  oidc: "OIDC",
  oidcrolearn: "OIDC",
  chainableramrolearn: "ChainableRamRoleArn"
}

export const SUPPORTED_MODES = "AK, StsToken, RamRoleArn, EcsRamRole, OIDC, ChainableRamRoleArn"

/** The fields of a profile of the `aliyun` CLI's `config.json` that name credentials, as `ProfileValues`. */
const CLI_FIELDS: Readonly<Record<string, keyof ProfileValues>> = {
  mode: "mode",
  access_key_id: "accessKeyId",
  access_key_secret: "accessKeySecret",
  sts_token: "stsToken",
  ram_role_arn: "ramRoleArn",
  ram_session_name: "ramSessionName",
  expired_seconds: "expiredSeconds",
  external_id: "externalId",
  sts_region: "stsRegion",
  sts_endpoint: "stsEndpoint",
  ram_role_name: "ramRoleName",
  oidc_provider_arn: "oidcProviderArn",
  oidc_token_file: "oidcTokenFile",
  source_profile: "sourceProfile"
}

/** A profile object of the `aliyun` CLI's `config.json` as `ProfileValues` (numbers as text, unknown fields dropped). */
export const fromCliProfile = (profile: Readonly<Record<string, unknown>>): ProfileValues => {
  const values: Record<string, string> = Object.create(null)
  for (const [field, key] of Object.entries(CLI_FIELDS)) {
    const value = profile[field]
    // The CLI writes 0 and "" for fields it leaves unset.
    if (typeof value === "string" && value !== "") values[key] = value
    else if (typeof value === "number" && value !== 0) values[key] = String(value)
  }
  return values
}

/** What building a profile's provider needs besides its values. */
export interface ProfileContext {
  /** e.g. `profile prod (~/.config/iot-ota/credentials)`. */
  readonly label: (name: string) => string
  /** Another profile of the same file (for `source_profile`); undefined when absent. */
  readonly read: (name: string) => ProfileValues | undefined
  /** The ECS metadata provider, with the environment's settings. */
  readonly ecsMetadata: (
    options: CredentialProviders.EcsMetadataOptions
  ) => Effect.Effect<Credentials.CredentialsService, CredentialsError>
  /** STS options from the environment (an endpoint override), under the profile's own. */
  readonly sts: CredentialProviders.StsOptions
}

const invalid = (provider: string, message: string) =>
  new CredentialsError({ provider, reason: "Invalid", message, retryable: false })

export const modeOf = (values: ProfileValues): ProfileMode | string => {
  const given = values.mode?.trim()
  if (given === undefined || given === "") return values.stsToken?.trim() ? "StsToken" : "AK"
  return MODES[given.toLowerCase().replaceAll("_", "")] ?? given
}

/** Whether the profile says anything about credentials at all. */
export const hasCredentials = (values: ProfileValues): boolean =>
  [values.mode, values.accessKeyId, values.accessKeySecret, values.stsToken, values.ramRoleArn].some(
    (value) => value !== undefined && value.trim() !== ""
  )

/** Reads an OIDC token file afresh on every call (ACK rotates it); a missing file is `Invalid`, naming the path. */
export const tokenFile = (path: string, provider: () => string) => async (): Promise<string> => {
  try {
    return await readFile(path, "utf8")
  } catch (error) {
    throw invalid(
      provider(),
      `cannot read the OIDC token file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`
    )
  }
}

/** Names the provider by its profile, keeping what the inner provider says (a role discovered, …). */
const labelled = (label: string, inner: Credentials.CredentialsService): Credentials.CredentialsService => ({
  get source() {
    return `${label}: ${inner.source}`
  },
  get: inner.get
})

const durationOf = (
  values: ProfileValues,
  label: string
): Effect.Effect<number | undefined, CredentialsError> => {
  const text = values.expiredSeconds?.trim()
  if (text === undefined || text === "") return Effect.succeed(undefined)
  return /^\d+$/.test(text)
    ? Effect.succeed(Number(text))
    : Effect.fail(
        invalid(label, `expired_seconds must be a whole number of seconds, got ${JSON.stringify(text)}`)
      )
}

const required = (
  label: string,
  mode: string,
  fields: ReadonlyArray<readonly [string, string | undefined]>
): Effect.Effect<void, CredentialsError> => {
  const missing = fields
    .filter(([, value]) => value === undefined || value.trim() === "")
    .map(([name]) => name)
  return missing.length === 0
    ? Effect.void
    : Effect.fail(invalid(label, `mode ${mode} needs ${missing.join(", ")}`))
}

const stsOptions = (values: ProfileValues, context: ProfileContext): CredentialProviders.StsOptions => ({
  ...context.sts,
  ...(values.stsEndpoint?.trim() ? { endpoint: values.stsEndpoint.trim() } : {}),
  ...(values.stsRegion?.trim() ? { regionId: values.stsRegion.trim() } : {})
})

/** The provider of the named profile's credentials. `visited` guards `source_profile` cycles. */
export const providerFor = (
  name: string,
  values: ProfileValues,
  context: ProfileContext,
  visited: ReadonlyArray<string> = []
): Effect.Effect<Credentials.CredentialsService, CredentialsError> =>
  Effect.gen(function* () {
    const label = context.label(name)
    const mode = modeOf(values)
    const keys = (source: string) =>
      Effect.flatMap(
        required(label, mode, [
          ["access_key_id", values.accessKeyId],
          ["access_key_secret", values.accessKeySecret]
        ]),
        () =>
          Credentials.fromStatic(
            {
              accessKeyId: values.accessKeyId!,
              accessKeySecret: values.accessKeySecret!,
              securityToken: values.stsToken
            },
            { source }
          )
      )
    const assumeRole = (base: Credentials.CredentialsService) =>
      Effect.gen(function* () {
        yield* required(label, mode, [["ram_role_arn", values.ramRoleArn]])
        const durationSeconds = yield* durationOf(values, label)
        return labelled(
          label,
          yield* CredentialProviders.fromAssumeRole({
            ...stsOptions(values, context),
            base,
            roleArn: values.ramRoleArn!,
            roleSessionName: values.ramSessionName,
            durationSeconds,
            externalId: values.externalId
          })
        )
      })
    switch (mode) {
      case "AK":
        return yield* keys(label)
      case "StsToken":
        yield* required(label, mode, [["sts_token", values.stsToken]])
        return yield* keys(label)
      case "RamRoleArn":
        return yield* assumeRole(yield* keys("its access_key_id"))
      case "ChainableRamRoleArn": {
        yield* required(label, mode, [["source_profile", values.sourceProfile]])
        const source = values.sourceProfile!.trim()
        if (source === name || visited.includes(source))
          return yield* Effect.fail(
            invalid(label, `source_profile loops: ${[...visited, name, source].join(" → ")}`)
          )
        const sourceValues = context.read(source)
        if (sourceValues === undefined)
          return yield* Effect.fail(
            invalid(label, `source_profile ${JSON.stringify(source)} is not in the file`)
          )
        return yield* assumeRole(yield* providerFor(source, sourceValues, context, [...visited, name]))
      }
      case "EcsRamRole":
        return labelled(
          label,
          yield* context.ecsMetadata(
            values.ramRoleName?.trim() ? { roleName: values.ramRoleName.trim() } : {}
          )
        )
      case "OIDC": {
        yield* required(label, mode, [
          ["ram_role_arn", values.ramRoleArn],
          ["oidc_provider_arn", values.oidcProviderArn],
          ["oidc_token_file", values.oidcTokenFile]
        ])
        const durationSeconds = yield* durationOf(values, label)
        const path = values.oidcTokenFile!.trim()
        return labelled(
          label,
          yield* CredentialProviders.fromOidc({
            ...stsOptions(values, context),
            roleArn: values.ramRoleArn!,
            oidcProviderArn: values.oidcProviderArn!,
            token: tokenFile(path, () => label),
            roleSessionName: values.ramSessionName,
            durationSeconds
          })
        )
      }
      default:
        return yield* Effect.fail(
          invalid(label, `unknown mode ${JSON.stringify(mode)} (supported: ${SUPPORTED_MODES})`)
        )
    }
  })
