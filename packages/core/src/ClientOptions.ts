/**
 * The options every runtime's Promise client accepts, and their resolution
 * against settings from the environment (a process environment, a profile, a
 * Worker's `env`): explicit options win, and the AccessKey pair always comes
 * whole from one place.
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Redacted from "effect/Redacted"
import * as ClientConfig from "./ClientConfig.js"
import * as Credentials from "./Credentials.js"
import { type CredentialsError, ValidationError } from "./IotError.js"
import type { LogLevelName } from "./PromiseClient.js"
import type { AttemptEvent } from "./RpcClient.js"
import * as Settings from "./Settings.js"
import type { SignatureAlgorithm } from "./Signer.js"

/**
 * What a credential provider function returns.
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import type { ClientOptions, ProvidedCredential } from "@iot-ota/core/ClientOptions"
 *
 * declare const vault: { read: (path: string) => Promise<{ id: string; secret: string; token: string; expiresAt: string }> }
 * // A rotating STS credential: the client asks again before `expiration`.
 * const fromVault = async (): Promise<ProvidedCredential> => {
 *   const secret = await vault.read("ota/prod")
 *   return {
 *     accessKeyId: secret.id,
 *     accessKeySecret: secret.secret,
 *     securityToken: secret.token,
 *     expiration: new Date(secret.expiresAt)
 *   }
 * }
 * const options: ClientOptions = { endpoint: "https://iot.cn-shanghai.aliyuncs.com", credentials: fromVault }
 * ```
 */
export interface ProvidedCredential {
  readonly accessKeyId: string
  readonly accessKeySecret: string
  readonly securityToken?: string | undefined
  /** When the credential stops working; the provider is called again before then. */
  readonly expiration?: Date | undefined
}

/**
 * What a runtime package's `OtaClient` constructor accepts. Every field is
 * optional: what is left out comes from the runtime's other sources (see
 * `Settings`).
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import type { ClientOptions } from "@iot-ota/core/ClientOptions"
 *
 * // Keys from the environment; an Enterprise instance, a patient retry budget, per-attempt logs.
 * const options: ClientOptions = {
 *   endpoint: "https://iot.cn-shanghai.aliyuncs.com",
 *   iotInstanceId: "iot-cn-0pp1n8t****",
 *   timeoutMs: 5_000,
 *   maxAttempts: 5,
 *   logLevel: "debug"
 * }
 * ```
 */
export interface ClientOptions {
  /** e.g. `https://iot.cn-shanghai.aliyuncs.com`; a bare host means https. */
  readonly endpoint?: string | URL | undefined
  readonly accessKeyId?: string | undefined
  readonly accessKeySecret?: string | Redacted.Redacted<string> | undefined
  /** The security token of a temporary (STS) credential. */
  readonly securityToken?: string | Redacted.Redacted<string> | undefined
  /**
   * Where credentials come from, instead of the keys: a function called for a
   * credential and again before the one it gave expires (a vault, a rotating
   * Worker secret), or a provider (`fromAssumeRole(...)`, `fromOidc(...)`,
   * `fromEcsMetadata(...)`, `defaultChain()`, …), as built or as the Effect
   * that builds it.
   */
  readonly credentials?:
    | (() => Promise<ProvidedCredential> | ProvidedCredential)
    | Credentials.CredentialsService
    | Effect.Effect<Credentials.CredentialsService, CredentialsError>
    | undefined
  readonly apiVersion?: string | undefined
  readonly regionId?: string | undefined
  readonly iotInstanceId?: string | undefined
  /** Per attempt, default 10000. */
  readonly timeoutMs?: number | undefined
  /** Attempts per call including the first, default 3. */
  readonly maxAttempts?: number | undefined
  /** Client-side calls per second, default 10 (the documented quota); 0 = off. */
  readonly qps?: number | undefined
  /** `"HMAC-SHA1"` (default, query signature) or `"ACS3-HMAC-SHA256"` (V3, header signature). */
  readonly signatureAlgorithm?: SignatureAlgorithm | undefined
  /** Allow plain `http://` to a non-loopback host. */
  readonly allowInsecureHttp?: boolean | undefined
  /** Appended to the User-Agent, e.g. `my-dashboard/1.2`. */
  readonly userAgent?: string | undefined
  /** The largest response body accepted, in bytes (default 16 MiB). */
  readonly maxResponseBytes?: number | undefined
  /**
   * The client's own log lines (retries, clock skew): `"warning"` (default),
   * `"debug"` (plus one line per attempt with its duration and request id)
   * or `"none"`. Never the signed URL or the secret.
   */
  readonly logLevel?: LogLevelName | undefined
  /** Called after every attempt, for statistics and metrics. */
  readonly onEvent?: ((event: AttemptEvent) => void) | undefined
}

/**
 * A checked configuration and credentials.
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import * as ClientOptions from "@iot-ota/core/ClientOptions"
 * import * as Settings from "@iot-ota/core/Settings"
 *
 * // For a startup log line: where the client will connect and whose keys it signs with, never a secret.
 * const describe = ({ config, credentials }: ClientOptions.Resolved) =>
 *   `${config.endpoint.host}, credentials from ${credentials.source}`
 * declare const env: Record<string, string | undefined> // a Worker's env, Deno.env.toObject(), …
 * console.log(describe(ClientOptions.resolve({}, [Settings.fromEnvironment(env)])))
 * ```
 */
export interface Resolved {
  readonly config: ClientConfig.ClientConfigService
  readonly credentials: Credentials.CredentialsService
}

/**
 * Runs a synchronous effect, throwing its typed error itself (not a wrapper),
 * so that callers can match on `_tag`.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { runSyncOrThrow } from "@iot-ota/core/ClientOptions"
 * import * as Credentials from "@iot-ota/core/Credentials"
 * import { ValidationError } from "@iot-ota/core/IotError"
 *
 * try {
 *   runSyncOrThrow(Credentials.make({ accessKeyId: "", accessKeySecret: "secret" }))
 * } catch (error) {
 *   if (error instanceof ValidationError) console.error(error.field) // "accessKeyId"
 * }
 * ```
 */
export const runSyncOrThrow = <A, E>(effect: Effect.Effect<A, E>): A => {
  const exit = Effect.runSyncExit(effect)
  if (Exit.isSuccess(exit)) return exit.value
  throw Cause.squash(exit.cause)
}

/**
 * The explicit options as the first settings source.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import * as ClientOptions from "@iot-ota/core/ClientOptions"
 *
 * ClientOptions.optionsSource({ accessKeyId: "id" }).values.accessKeyId // "id"
 * ```
 */
export const optionsSource = (options: ClientOptions): Settings.SettingsSource => ({
  name: "the client options",
  values: {
    endpoint: options.endpoint instanceof URL ? options.endpoint.href : options.endpoint,
    regionId: options.regionId,
    apiVersion: options.apiVersion,
    iotInstanceId: options.iotInstanceId,
    signatureAlgorithm: options.signatureAlgorithm,
    accessKeyId: options.accessKeyId,
    accessKeySecret: Redacted.isRedacted(options.accessKeySecret)
      ? Redacted.value(options.accessKeySecret)
      : options.accessKeySecret,
    securityToken: Redacted.isRedacted(options.securityToken)
      ? Redacted.value(options.securityToken)
      : options.securityToken
  }
})

/**
 * Resolves options against a runtime's other settings sources, in order of
 * precedence after the options themselves (see `Settings.merge`). Throws a
 * `ValidationError` naming what is missing or invalid. Without a credential
 * anywhere, `fallback` supplies one (Node: its default provider chain).
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import * as ClientOptions from "@iot-ota/core/ClientOptions"
 * import * as Settings from "@iot-ota/core/Settings"
 *
 * const { config, credentials } = ClientOptions.resolve({ accessKeyId: "id", accessKeySecret: "secret" }, [
 *   Settings.fromEnvironment({ OTA_ENDPOINT: "https://iot.cn-shanghai.aliyuncs.com" })
 * ])
 * credentials.source // "the client options"
 * ```
 */
export const resolve = (
  options: ClientOptions,
  sources: ReadonlyArray<Settings.SettingsSource>,
  extra: {
    readonly runtime?: string | undefined
    readonly fallback?: (() => Credentials.CredentialsService) | undefined
  } = {}
): Resolved => {
  if (options === null || typeof options !== "object")
    throw new ValidationError({
      field: "options",
      rule: "an object",
      message: "client options must be an object"
    })
  const merged = Settings.merge([optionsSource(options), ...sources])
  // Explicit options are checked as given (a blank region is a mistake); blank
  // values from the environment or a profile count as unset, as in a shell.
  const config = runSyncOrThrow(
    ClientConfig.fromSettings(merged, {
      endpoint: options.endpoint,
      regionId: options.regionId,
      apiVersion: options.apiVersion,
      iotInstanceId: options.iotInstanceId,
      signatureAlgorithm: options.signatureAlgorithm,
      timeoutMs: options.timeoutMs,
      maxAttempts: options.maxAttempts,
      qps: options.qps,
      allowInsecureHttp: options.allowInsecureHttp,
      userAgent: options.userAgent,
      maxResponseBytes: options.maxResponseBytes,
      runtime: extra.runtime
    })
  )
  return { config, credentials: resolveCredentials(options, merged, extra.fallback) }
}

const resolveCredentials = (
  options: ClientOptions,
  merged: Settings.Merged,
  fallback: (() => Credentials.CredentialsService) | undefined
): Credentials.CredentialsService => {
  if (options.credentials !== undefined) {
    const given: unknown = options.credentials
    const provider = Effect.isEffect(given)
      ? runSyncOrThrow(given as Effect.Effect<Credentials.CredentialsService, CredentialsError>)
      : given !== null && typeof given === "object" && "get" in given && "source" in given
        ? (given as Credentials.CredentialsService)
        : undefined
    if (provider === undefined && typeof given !== "function")
      throw new ValidationError({
        field: "credentials",
        rule: "a function or a credential provider",
        message:
          "credentials must be a function returning { accessKeyId, accessKeySecret, securityToken?, expiration? }, or a provider such as fromAssumeRole(...)"
      })
    if (options.accessKeyId !== undefined || options.accessKeySecret !== undefined)
      throw new ValidationError({
        field: "credentials",
        rule: "either keys or a provider",
        message: "give either accessKeyId/accessKeySecret or a credentials provider, not both"
      })
    return (
      provider ??
      runSyncOrThrow(
        Credentials.fromFunction(given as () => Promise<ProvidedCredential> | ProvidedCredential, {
          source: "the credentials function"
        })
      )
    )
  }
  // A key given explicitly makes the options the source of the whole credential, even a blank one.
  if (options.accessKeyId !== undefined || options.accessKeySecret !== undefined)
    return runSyncOrThrow(
      Credentials.make({
        accessKeyId: options.accessKeyId,
        accessKeySecret: options.accessKeySecret,
        securityToken: options.securityToken,
        source: "the client options"
      })
    )
  if (merged.credentialsFrom === undefined && fallback !== undefined) return fallback()
  return runSyncOrThrow(
    Credentials.make({
      accessKeyId: merged.values.accessKeyId,
      accessKeySecret: merged.values.accessKeySecret,
      securityToken: merged.values.securityToken,
      source: merged.credentialsFrom ?? "the client options"
    })
  )
}
