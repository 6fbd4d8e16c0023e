/**
 * Where Node finds credentials: the environment, the profile file, the ECS
 * instance metadata service, and the default chain over them. The
 * runtime-neutral providers (`fromStatic`, `fromFunction`, `fromAssumeRole`,
 * `fromOidc`, `chain`, `cached`) are re-exported here, so one import covers
 * every source.
 *
 * The default chain, in order (the official credentials library's order,
 * with our own profile file ahead of the `aliyun` CLI's configuration, and
 * without its shared `~/.alibabacloud/credentials` file and credentials URI):
 *
 * 1. environment keys: `OTA_ACCESS_KEY_ID` / `OTA_ACCESS_KEY_SECRET` /
 *    `OTA_SECURITY_TOKEN`, else the `ALIBABA_CLOUD_*` names;
 * 2. environment OIDC (ACK RRSA): `ALIBABA_CLOUD_ROLE_ARN`,
 *    `ALIBABA_CLOUD_OIDC_PROVIDER_ARN`, `ALIBABA_CLOUD_OIDC_TOKEN_FILE`;
 * 3. our profile file (`OTA_PROFILE`, else `[default]`), in any of its modes;
 * 4. the `aliyun` CLI's profile (`ALIBABA_CLOUD_PROFILE`, else its current one);
 * 5. the ECS instance metadata service (the instance's RAM role).
 *
 * A source with nothing configured is skipped; one that is configured but
 * fails stops the chain with its error (it never falls through to another
 * identity).
 *
 * @since 0.1.0
 */
import { readFileSync } from "node:fs"
import { homedir } from "node:os"
import { join } from "node:path"
import * as CoreProviders from "@iot-ota/core/CredentialProviders"
import * as Credentials from "@iot-ota/core/Credentials"
import { CredentialsError, ValidationError } from "@iot-ota/core/IotError"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { fromCliProfile, hasCredentials, modeOf, providerFor, tokenFile } from "./internal/profileModes.js"
import * as Profile from "./Profile.js"

export {
  /**
   * Temporary credentials of a RAM role from STS `AssumeRole` (see `@iot-ota/core/CredentialProviders`).
   *
   * @since 0.1.0
   * @category constructors
   * @example
   * ```ts
   * import { Effect } from "effect"
   * import { fromAssumeRole, fromEnv } from "@iot-ota/node/CredentialProviders"
   *
   * const provider = Effect.flatMap(fromEnv(), (base) =>
   *   fromAssumeRole({ base, roleArn: "acs:ram::1234567890123456:role/iot-ota-reader" })
   * )
   * ```
   */
  fromAssumeRole,
  /**
   * Temporary credentials of a RAM role from STS `AssumeRoleWithOIDC` (see `@iot-ota/core/CredentialProviders`).
   *
   * @since 0.1.0
   * @category constructors
   * @example
   * ```ts
   * import { readFile } from "node:fs/promises"
   * import { fromOidc } from "@iot-ota/node/CredentialProviders"
   *
   * const provider = fromOidc({
   *   roleArn: "acs:ram::1234567890123456:role/iot-ota-reader",
   *   oidcProviderArn: "acs:ram::1234567890123456:oidc-provider/github",
   *   token: () => readFile("/run/secrets/id-token", "utf8")
   * })
   * ```
   */
  fromOidc
} from "@iot-ota/core/CredentialProviders"
export {
  /**
   * Caches a provider's credential and refreshes it before it expires (see `@iot-ota/core/Credentials`).
   *
   * @since 0.1.0
   * @category combinators
   * @example
   * ```ts
   * import { Effect, Redacted } from "effect"
   * import { cached } from "@iot-ota/node/CredentialProviders"
   *
   * declare const fetchFromBroker: Effect.Effect<{ accessKeyId: string; accessKeySecret: Redacted.Redacted<string> }>
   * const provider = cached({ source: "broker", get: fetchFromBroker })
   * ```
   */
  cached,
  /**
   * The first provider that has credentials (see `@iot-ota/core/Credentials`).
   *
   * @since 0.1.0
   * @category combinators
   * @example
   * ```ts
   * import { chain, fromEnv, fromProfile } from "@iot-ota/node/CredentialProviders"
   *
   * // The environment, then a named profile; no metadata service.
   * const provider = chain([fromEnv(), fromProfile({ profile: "ci" })])
   * ```
   */
  chain,
  /**
   * A provider over an async function (see `@iot-ota/core/Credentials`).
   *
   * @since 0.1.0
   * @category constructors
   * @example
   * ```ts
   * import { fromFunction } from "@iot-ota/node/CredentialProviders"
   *
   * declare const vault: { read(path: string): Promise<{ id: string; secret: string; token: string; expires: string }> }
   * const provider = fromFunction(async () => {
   *   const lease = await vault.read("alicloud/creds/iot-reader")
   *   return { accessKeyId: lease.id, accessKeySecret: lease.secret, securityToken: lease.token, expiration: new Date(lease.expires) }
   * })
   * ```
   */
  fromFunction,
  /**
   * A provider of one fixed credential (see `@iot-ota/core/Credentials`).
   *
   * @since 0.1.0
   * @category constructors
   * @example
   * ```ts
   * import { fromStatic } from "@iot-ota/node/CredentialProviders"
   *
   * const provider = fromStatic({ accessKeyId: "LTAI...", accessKeySecret: "..." }, { source: "deploy secrets" })
   * ```
   */
  fromStatic
} from "@iot-ota/core/Credentials"

/**
 * Where the Node providers read their settings (default `process.env`).
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import { fromEnv, type EnvOptions } from "@iot-ota/node/CredentialProviders"
 *
 * const options: EnvOptions = { env: { OTA_ACCESS_KEY_ID: "id", OTA_ACCESS_KEY_SECRET: "secret" } }
 * const provider = fromEnv(options)
 * ```
 */
export interface EnvOptions {
  readonly env?: Readonly<Record<string, string | undefined>> | undefined
}

const notConfigured = Credentials.notConfigured
const invalid = (provider: string, message: string) =>
  new CredentialsError({ provider, reason: "Invalid", message, retryable: false })

/** A provider that only says why it has nothing. */
const failing = (error: CredentialsError): Credentials.CredentialsService => ({
  source: error.provider,
  get: Effect.fail(error)
})

const value = (env: Readonly<Record<string, string | undefined>>, name: string): string | undefined => {
  const text = env[name]?.trim()
  return text === undefined || text === "" ? undefined : text
}

const isTrue = (text: string | undefined) => text?.trim().toLowerCase() === "true"

/**
 * STS settings from the environment: `ALIBABA_CLOUD_STS_REGION`,
 * `ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED` (as the official library),
 * `ALIBABA_CLOUD_STS_ENDPOINT` (as ACK injects it), and `OTA_STS_ENDPOINT`
 * (an STS of your own, such as an emulator's; it wins).
 */
const stsFromEnv = (env: Readonly<Record<string, string | undefined>>): CoreProviders.StsOptions => {
  // ACK's pod-identity webhook (0.4.0 and later) injects ALIBABA_CLOUD_STS_ENDPOINT; the aliyun CLI reads it too.
  const endpoint = value(env, "OTA_STS_ENDPOINT") ?? value(env, "ALIBABA_CLOUD_STS_ENDPOINT")
  const regionId = value(env, "ALIBABA_CLOUD_STS_REGION")
  return {
    ...(endpoint === undefined ? {} : { endpoint }),
    ...(regionId === undefined ? {} : { regionId }),
    ...(isTrue(env.ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED) ? { vpc: true } : {})
  }
}

const KEY_FAMILIES = ["OTA", "ALIBABA_CLOUD"] as const

/**
 * Credentials from the environment: a key pair (`OTA_ACCESS_KEY_ID` /
 * `OTA_ACCESS_KEY_SECRET` / `OTA_SECURITY_TOKEN`, else the
 * `ALIBABA_CLOUD_*` names), else the OIDC settings of ACK RRSA
 * (`ALIBABA_CLOUD_ROLE_ARN`, `ALIBABA_CLOUD_OIDC_PROVIDER_ARN`,
 * `ALIBABA_CLOUD_OIDC_TOKEN_FILE`, optionally
 * `ALIBABA_CLOUD_ROLE_SESSION_NAME`, `ALIBABA_CLOUD_STS_REGION`,
 * `ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED`, `ALIBABA_CLOUD_STS_ENDPOINT`), whose token file is read again on
 * every refresh. The environment is read once, when the provider is built.
 * Nothing set: `NotConfigured`; half a pair or part of the OIDC settings:
 * `Invalid`, naming what is missing.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { fromEnv } from "@iot-ota/node/CredentialProviders"
 *
 * const provider = Effect.runSync(fromEnv())
 * console.log(provider.source) // e.g. "env OTA_ACCESS_KEY_ID"
 * ```
 */
export const fromEnv = (options: EnvOptions = {}): Effect.Effect<Credentials.CredentialsService> =>
  Effect.suspend(() => {
    const env = options.env ?? process.env
    for (const family of KEY_FAMILIES) {
      const id = value(env, `${family}_ACCESS_KEY_ID`)
      const secret = value(env, `${family}_ACCESS_KEY_SECRET`)
      if (id !== undefined && secret !== undefined) {
        return Effect.orDie(
          Credentials.fromStatic(
            {
              accessKeyId: id,
              accessKeySecret: secret,
              securityToken: value(env, `${family}_SECURITY_TOKEN`)
            },
            { source: `env ${family}_ACCESS_KEY_ID` }
          )
        )
      }
    }
    for (const family of KEY_FAMILIES) {
      const id = value(env, `${family}_ACCESS_KEY_ID`)
      const secret = value(env, `${family}_ACCESS_KEY_SECRET`)
      if (id !== undefined || secret !== undefined) {
        const [set, unset] =
          id !== undefined ? ["ACCESS_KEY_ID", "ACCESS_KEY_SECRET"] : ["ACCESS_KEY_SECRET", "ACCESS_KEY_ID"]
        return Effect.succeed(
          failing(invalid(`env ${family}_${set}`, `${family}_${set} is set but ${family}_${unset} is not`))
        )
      }
    }
    const oidc = {
      ALIBABA_CLOUD_ROLE_ARN: value(env, "ALIBABA_CLOUD_ROLE_ARN"),
      ALIBABA_CLOUD_OIDC_PROVIDER_ARN: value(env, "ALIBABA_CLOUD_OIDC_PROVIDER_ARN"),
      ALIBABA_CLOUD_OIDC_TOKEN_FILE: value(env, "ALIBABA_CLOUD_OIDC_TOKEN_FILE")
    }
    const source = "env ALIBABA_CLOUD_OIDC_TOKEN_FILE"
    if (
      oidc.ALIBABA_CLOUD_OIDC_PROVIDER_ARN !== undefined ||
      oidc.ALIBABA_CLOUD_OIDC_TOKEN_FILE !== undefined
    ) {
      const missing = Object.entries(oidc)
        .filter(([, set]) => set === undefined)
        .map(([name]) => name)
      if (missing.length > 0)
        return Effect.succeed(
          failing(invalid(source, `OIDC credentials need ${missing.join(" and ")} as well`))
        )
      const path = oidc.ALIBABA_CLOUD_OIDC_TOKEN_FILE!
      return Effect.map(
        Effect.either(
          CoreProviders.fromOidc({
            ...stsFromEnv(env),
            roleArn: oidc.ALIBABA_CLOUD_ROLE_ARN!,
            oidcProviderArn: oidc.ALIBABA_CLOUD_OIDC_PROVIDER_ARN!,
            token: tokenFile(path, () => source),
            roleSessionName: value(env, "ALIBABA_CLOUD_ROLE_SESSION_NAME")
          })
        ),
        (built): Credentials.CredentialsService =>
          built._tag === "Left"
            ? failing(built.left)
            : {
                get source() {
                  return `${source}: ${built.right.source}`
                },
                get: built.right.get,
                invalidate: built.right.invalidate
              }
      )
    }
    return Effect.succeed(
      failing(
        notConfigured(
          "env",
          "none of OTA_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_OIDC_TOKEN_FILE is set"
        )
      )
    )
  })

/** `/home/me/.config/…` as `~/.config/…`, for messages. */
const tilde = (path: string): string => {
  const home = homedir()
  return home !== "" && path.startsWith(`${home}/`) ? `~${path.slice(home.length)}` : path
}

/**
 * Options of {@link fromEcsMetadata}: the core's, plus the environment to
 * read defaults from.
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import type { EcsMetadataOptions } from "@iot-ota/node/CredentialProviders"
 *
 * const options: EcsMetadataOptions = { roleName: "iot-ota-reader", disableImdsV1: true }
 * ```
 */
export interface EcsMetadataOptions extends CoreProviders.EcsMetadataOptions, EnvOptions {}

/**
 * Temporary credentials of the ECS instance's RAM role, from the metadata
 * service (see `@iot-ota/core/CredentialProviders`), with defaults from the
 * environment as the official library reads them:
 * `ALIBABA_CLOUD_ECS_METADATA` (the role name),
 * `ALIBABA_CLOUD_IMDSV1_DISABLED=true` (hardened mode only),
 * `ALIBABA_CLOUD_ECS_METADATA_DISABLED=true` (never ask: `NotConfigured`);
 * and `OTA_ECS_METADATA_ENDPOINT` (another address, such as an emulator's).
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { Effect, Layer } from "effect"
 * import * as Credentials from "@iot-ota/core/Credentials"
 * import { fromEcsMetadata } from "@iot-ota/node/CredentialProviders"
 *
 * // On ECS: the instance's RAM role, hardened mode required.
 * const CredentialsLive = Layer.effect(Credentials.Credentials, fromEcsMetadata({ disableImdsV1: true }))
 * ```
 */
export const fromEcsMetadata = (
  options: EcsMetadataOptions = {}
): Effect.Effect<Credentials.CredentialsService, CredentialsError> =>
  Effect.suspend(() => {
    const env = options.env ?? process.env
    if (isTrue(env.ALIBABA_CLOUD_ECS_METADATA_DISABLED)) {
      return Effect.succeed(
        failing(notConfigured("ecs-metadata", "disabled by ALIBABA_CLOUD_ECS_METADATA_DISABLED"))
      )
    }
    const roleName = options.roleName ?? value(env, "ALIBABA_CLOUD_ECS_METADATA")
    const endpoint = options.endpoint ?? value(env, "OTA_ECS_METADATA_ENDPOINT")
    const { env: _, ...core } = options
    return CoreProviders.fromEcsMetadata({
      ...core,
      ...(roleName === undefined ? {} : { roleName }),
      ...(endpoint === undefined ? {} : { endpoint }),
      disableImdsV1: options.disableImdsV1 ?? isTrue(env.ALIBABA_CLOUD_IMDSV1_DISABLED)
    })
  })

/**
 * Options of {@link fromProfile}.
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import { fromProfile, type ProfileOptions } from "@iot-ota/node/CredentialProviders"
 *
 * const options: ProfileOptions = { profile: "prod", file: "/etc/iot-ota/credentials" }
 * const provider = fromProfile(options)
 * ```
 */
export interface ProfileOptions extends EnvOptions {
  /** The profile (else `OTA_PROFILE`, else `default`). */
  readonly profile?: string | undefined
  /** The profile file (else `OTA_PROFILE_FILE`, else `~/.config/iot-ota/credentials`). */
  readonly file?: string | undefined
  /** For `EcsRamRole` profiles: metadata service options besides the role name. */
  readonly ecsMetadata?: CoreProviders.EcsMetadataOptions | undefined
}

/**
 * Credentials from a profile of the profile file, in any of its modes,
 * which follow Alibaba Cloud's CLI configuration (`mode` and field names as
 * `aliyun configure` writes them):
 *
 * ```ini
 * [default]                        ; AK (the mode when none is given)
 * access_key_id = LTAI...
 * access_key_secret = ...
 *
 * [temporary]
 * mode = StsToken                  ; or sts
 * access_key_id = STS.NU...
 * access_key_secret = ...
 * sts_token = CAIS...
 *
 * [reader]
 * mode = RamRoleArn                ; or ram_role_arn: the keys assume the role
 * access_key_id = LTAI...
 * access_key_secret = ...
 * ram_role_arn = acs:ram::1234567890123456:role/iot-ota-reader
 * ram_session_name = laptop        ; optional, as are expired_seconds, external_id, sts_region, sts_endpoint
 *
 * [instance]
 * mode = EcsRamRole                ; or ecs_ram_role; ram_role_name optional (discovered)
 *
 * [pod]
 * mode = OIDC                      ; or oidc_role_arn
 * ram_role_arn = acs:ram::1234567890123456:role/iot-ota-reader
 * oidc_provider_arn = acs:ram::1234567890123456:oidc-provider/ack-rrsa-c1234
 * oidc_token_file = /var/run/secrets/ack.alibabacloud.com/rrsa-tokens/token
 *
 * [chained]
 * mode = ChainableRamRoleArn       ; the credentials of source_profile assume the role
 * source_profile = reader
 * ram_role_arn = acs:ram::1234567890123456:role/other
 * ```
 *
 * The file is read on the first `get`. No file, or no such profile when
 * none was named, or a profile without credentials: `NotConfigured`. A named
 * profile that is missing, an unknown mode or a missing field: `Invalid`.
 * The `source` is `profile <name> (<file>)`, followed by the role provider's.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { fromProfile } from "@iot-ota/node/CredentialProviders"
 *
 * const provider = Effect.runSync(fromProfile({ profile: "reader" }))
 * const credential = await Effect.runPromise(provider.get)
 * ```
 */
export const fromProfile = (options: ProfileOptions = {}): Effect.Effect<Credentials.CredentialsService> =>
  Effect.suspend(() => {
    const env = options.env ?? process.env
    const file = options.file ?? Profile.defaultProfileFile(env)
    const name = options.profile ?? value(env, "OTA_PROFILE") ?? "default"
    const label = (profile: string) => `profile ${profile} (${tilde(file)})`
    const read = (profile: string | undefined) =>
      Effect.try({
        try: () => Profile.read({ profile, file, env }),
        catch: (error) =>
          invalid(label(profile ?? name), error instanceof ValidationError ? error.message : String(error))
      })
    return Credentials.lazy(
      label(name),
      Effect.gen(function* () {
        const values = yield* read(options.profile)
        if (values === undefined)
          return yield* Effect.fail(
            notConfigured(label(name), `no [${name}] profile (or no file) at ${tilde(file)}`)
          )
        if (!hasCredentials(values))
          return yield* Effect.fail(notConfigured(label(name), "the profile holds no credentials"))
        yield* Effect.logDebug("credentials from a profile").pipe(
          Effect.annotateLogs({ profile: name, mode: modeOf(values) })
        )
        return yield* providerFor(name, values, {
          label,
          read: (other) => {
            try {
              return Profile.read({ profile: other, file, env })
            } catch {
              return undefined
            }
          },
          ecsMetadata: (ecs) => fromEcsMetadata({ ...options.ecsMetadata, ...ecs, env }),
          sts: stsFromEnv(env)
        })
      })
    )
  })

/**
 * Options of {@link fromAliyunCli}.
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import { type AliyunCliOptions, fromAliyunCli } from "@iot-ota/node/CredentialProviders"
 *
 * const options: AliyunCliOptions = { profile: "ota" }
 * const provider = fromAliyunCli(options)
 * ```
 */
export interface AliyunCliOptions extends EnvOptions {
  /** The profile (else `ALIBABA_CLOUD_PROFILE`, else the file's `current`). */
  readonly profile?: string | undefined
  /** The CLI's configuration, default `~/.aliyun/config.json`. */
  readonly file?: string | undefined
  /** For `EcsRamRole` profiles: metadata service options besides the role name. */
  readonly ecsMetadata?: CoreProviders.EcsMetadataOptions | undefined
}

const CliConfig = Schema.Struct({
  current: Schema.optional(Schema.String),
  profiles: Schema.Array(Schema.Record({ key: Schema.String, value: Schema.Unknown }))
})
const decodeCliConfig = Schema.decodeUnknownEither(Schema.parseJson(CliConfig))

/**
 * Credentials from a profile of the `aliyun` CLI (`aliyun configure`,
 * `~/.aliyun/config.json`), as the official library reads it: the profile
 * `ALIBABA_CLOUD_PROFILE`, else the file's `current`; skipped when
 * `ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true`. The modes of {@link fromProfile}
 * (the same field names); the CLI's browser and process modes (`CloudSSO`,
 * `OAuth`, `External`, …) are refused as `Invalid`. The file is read on the
 * first `get`; no file is `NotConfigured`.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { fromAliyunCli } from "@iot-ota/node/CredentialProviders"
 *
 * // On a laptop where `aliyun configure` was run.
 * const provider = Effect.runSync(fromAliyunCli())
 * ```
 */
export const fromAliyunCli = (
  options: AliyunCliOptions = {}
): Effect.Effect<Credentials.CredentialsService> =>
  Effect.suspend(() => {
    const env = options.env ?? process.env
    const file = options.file ?? join(homedir(), ".aliyun", "config.json")
    const source = `aliyun-cli (${tilde(file)})`
    if (isTrue(env.ALIBABA_CLOUD_CLI_PROFILE_DISABLED))
      return Effect.succeed(failing(notConfigured(source, "disabled by ALIBABA_CLOUD_CLI_PROFILE_DISABLED")))
    const label = (profile: string) => `aliyun-cli profile ${profile} (${tilde(file)})`
    return Credentials.lazy(
      source,
      Effect.gen(function* () {
        let text: string
        try {
          text = readFileSync(file, "utf8")
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code
          return yield* Effect.fail(
            code === "ENOENT"
              ? notConfigured(source, `no ${tilde(file)}`)
              : invalid(source, `cannot read ${tilde(file)}: ${code ?? (error as Error).message}`)
          )
        }
        const config = decodeCliConfig(text)
        if (config._tag === "Left")
          return yield* Effect.fail(
            invalid(source, "the file is not the aliyun CLI's configuration (JSON with profiles)")
          )
        const profiles = new Map<string, Profile.ProfileValues>()
        for (const profile of config.right.profiles)
          if (typeof profile.name === "string") profiles.set(profile.name, fromCliProfile(profile))
        const name = options.profile ?? value(env, "ALIBABA_CLOUD_PROFILE") ?? config.right.current
        if (name === undefined || name === "")
          return yield* Effect.fail(notConfigured(source, "no profile named and no current profile"))
        const values = profiles.get(name)
        if (values === undefined)
          return yield* Effect.fail(invalid(label(name), "no such profile in the file"))
        if (!hasCredentials(values))
          return yield* Effect.fail(notConfigured(label(name), "the profile holds no credentials"))
        return yield* providerFor(name, values, {
          label,
          read: (other) => profiles.get(other),
          ecsMetadata: (ecs) => fromEcsMetadata({ ...options.ecsMetadata, ...ecs, env }),
          sts: stsFromEnv(env)
        })
      })
    )
  })

/**
 * Options of {@link defaultChain}.
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import { defaultChain, type DefaultChainOptions } from "@iot-ota/node/CredentialProviders"
 *
 * const options: DefaultChainOptions = { profile: "prod", ecsMetadata: { disableImdsV1: true } }
 * const provider = defaultChain(options)
 * ```
 */
export interface DefaultChainOptions extends ProfileOptions {
  /** The `aliyun` CLI's configuration, default `~/.aliyun/config.json` (its profile: `ALIBABA_CLOUD_PROFILE` or `current`). */
  readonly aliyunCliFile?: string | undefined
}

/**
 * The default chain: environment keys, environment OIDC (ACK RRSA), our
 * profile file, the `aliyun` CLI's profile, the ECS metadata service — the
 * official credentials library's order (which reads the CLI's configuration
 * where we read our profile file first, then its shared credentials file,
 * and a credentials URI last). The first source that is configured is used
 * from then on; see the module's notes for what stops the chain.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { Effect, Layer } from "effect"
 * import * as Credentials from "@iot-ota/core/Credentials"
 * import { defaultChain } from "@iot-ota/node/CredentialProviders"
 *
 * // Works unchanged on a laptop (env or profile), on ECS (instance role) and on ACK (RRSA).
 * const CredentialsLive = Layer.effect(Credentials.Credentials, defaultChain())
 * ```
 */
export const defaultChain = (
  options: DefaultChainOptions = {}
): Effect.Effect<Credentials.CredentialsService> =>
  Credentials.chain(
    [
      fromEnv(options),
      fromProfile(options),
      fromAliyunCli({ file: options.aliyunCliFile, env: options.env, ecsMetadata: options.ecsMetadata }),
      fromEcsMetadata({ ...options.ecsMetadata, env: options.env })
    ],
    { source: "default chain (env, profile, aliyun-cli, ecs-metadata)" }
  )
