/**
 * The options every runtime's Promise client accepts, and their resolution
 * against settings from the environment (a process environment, a profile, a
 * Worker's `env`): explicit options win, and the AccessKey pair always comes
 * whole from one place.
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Redacted from "effect/Redacted"
import * as ClientConfig from "./ClientConfig.js"
import * as Credentials from "./Credentials.js"
import type { LogLevelName } from "./PromiseClient.js"
import type { SignatureAlgorithm } from "./Signer.js"

/**
 * What a runtime package's `OtaClient` constructor accepts. Every field is
 * optional: what is left out comes from the environment (see {@link resolve}).
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
  /**
   * The client's own log lines (retries, clock skew, data shifting between
   * pages): `"warning"` (default), `"debug"` (plus one line per attempt with
   * its duration and request id) or `"none"`. Never the signed URL or the secret.
   */
  readonly logLevel?: LogLevelName | undefined
}

/**
 * A checked configuration and credentials.
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import * as ClientOptions from "@iot-ota/core/ClientOptions"
 *
 * const resolved: ClientOptions.Resolved = ClientOptions.resolve(
 *   { endpoint: "https://iot.cn-shanghai.aliyuncs.com" },
 *   new Map([["OTA_ACCESS_KEY_ID", "id"], ["OTA_ACCESS_KEY_SECRET", "secret"]])
 * )
 * resolved.credentials.accessKeyId // "id"
 * resolved.config.timeoutMs // 10000
 * ```
 */
export interface Resolved {
  readonly config: ClientConfig.ClientConfigService
  readonly credentials: Credentials.StaticCredentials
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
 * Resolves options against `settings` (names as in `ClientConfig.fromConfig`
 * and `Credentials.fromConfig`: `OTA_ENDPOINT`, `OTA_ACCESS_KEY_ID`, ...).
 * The pair comes from the options if either key is given there, else from
 * the settings. Throws a `ValidationError` naming what is missing or invalid.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import * as ClientOptions from "@iot-ota/core/ClientOptions"
 * const { config } = ClientOptions.resolve({ accessKeyId: "id", accessKeySecret: "secret" }, new Map([["OTA_ENDPOINT", "https://iot.cn-shanghai.aliyuncs.com"]]))
 * ```
 */
export const resolve = (
  options: ClientOptions,
  settings: ReadonlyMap<string, string>,
  runtime?: string | undefined
): Resolved => {
  // Never the default ConfigProvider: only the settings given are read.
  const provider = ConfigProvider.fromMap(settings as Map<string, string>)
  const overrides: Partial<ClientConfig.ClientConfigOptions> = {}
  const put = <K extends keyof ClientConfig.ClientConfigOptions>(
    key: K,
    value: ClientConfig.ClientConfigOptions[K] | undefined
  ) => {
    if (value !== undefined) overrides[key] = value
  }
  put("endpoint", options.endpoint)
  put("apiVersion", options.apiVersion)
  put("regionId", options.regionId)
  put("iotInstanceId", options.iotInstanceId)
  put("timeoutMs", options.timeoutMs)
  put("maxAttempts", options.maxAttempts)
  put("qps", options.qps)
  put("signatureAlgorithm", options.signatureAlgorithm)
  put("allowInsecureHttp", options.allowInsecureHttp)
  put("userAgent", options.userAgent)
  put("runtime", runtime)
  const config = runSyncOrThrow(Effect.withConfigProvider(ClientConfig.fromConfig(overrides), provider))
  const explicitPair = options.accessKeyId !== undefined || options.accessKeySecret !== undefined
  const credentials = runSyncOrThrow(
    explicitPair
      ? Credentials.make({ accessKeyId: options.accessKeyId, accessKeySecret: options.accessKeySecret })
      : Effect.withConfigProvider(Credentials.fromConfig, provider)
  )
  return { config, credentials }
}
