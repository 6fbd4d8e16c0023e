/**
 * The Promise / async-iterator client for Node. One managed Effect runtime
 * per client holds the HTTP connection pool (undici), the rate limiter and
 * the retry quota; `close()` releases them.
 *
 * @since 0.1.0
 */

import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as ClientConfig from "@iot-ota/core/ClientConfig"
import * as Credentials from "@iot-ota/core/Credentials"
import type { OtaError } from "@iot-ota/core/IotError"
import * as CoreClient from "@iot-ota/core/OtaClient"
import { type LogLevelName, type LogSink, PromiseClient } from "@iot-ota/core/PromiseClient"
import type { SignatureAlgorithm } from "@iot-ota/core/Signer"
import * as Cause from "effect/Cause"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import * as NodeSigningCrypto from "./NodeSigningCrypto.js"
import * as Profile from "./Profile.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface OtaClientOptions {
  /** e.g. `https://iot.cn-shanghai.aliyuncs.com`; else `OTA_ENDPOINT`, the profile, or the region's endpoint. */
  readonly endpoint?: string | undefined
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
  readonly signatureAlgorithm?: SignatureAlgorithm | undefined
  /** Allow plain `http://` to a non-loopback host. */
  readonly allowInsecureHttp?: boolean | undefined
  /** Appended to the User-Agent. */
  readonly userAgent?: string | undefined
  /** A named profile of the profile file (else `OTA_PROFILE`, else `default`). */
  readonly profile?: string | undefined
  /** The profile file (else `OTA_PROFILE_FILE`, else `~/.config/iot-ota/credentials`). */
  readonly profileFile?: string | undefined
  /** Where `OTA_*` / `ALIBABA_CLOUD_*` are read from (default `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>> | undefined
  /**
   * The client's own log lines (retries, clock skew, data shifting between
   * pages): `"warning"` (default) writes warnings to stderr, `"debug"` adds
   * one line per attempt with its duration and request id, `"none"` is silent.
   */
  readonly logLevel?: LogLevelName | undefined
}

const PROFILE_ENV: Readonly<Record<keyof Profile.ProfileValues, string>> = {
  accessKeyId: "OTA_ACCESS_KEY_ID",
  accessKeySecret: "OTA_ACCESS_KEY_SECRET",
  endpoint: "OTA_ENDPOINT",
  regionId: "OTA_REGION_ID",
  apiVersion: "OTA_API_VERSION",
  iotInstanceId: "OTA_IOT_INSTANCE_ID",
  signatureAlgorithm: "OTA_SIGNATURE_ALGORITHM"
}
const CREDENTIAL_ENV = [
  "OTA_ACCESS_KEY_ID",
  "OTA_ACCESS_KEY_SECRET",
  "ALIBABA_CLOUD_ACCESS_KEY_ID",
  "ALIBABA_CLOUD_ACCESS_KEY_SECRET"
]

const definedOnly = <A extends object>(value: A): { [K in keyof A]?: Exclude<A[K], undefined> } =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as never

/** Throws the typed error itself rather than a wrapper, so callers can match on `_tag`. */
const runSyncOrThrow = <A, E>(effect: Effect.Effect<A, E>): A => {
  const exit = Effect.runSyncExit(effect)
  if (Exit.isSuccess(exit)) return exit.value
  throw Cause.squash(exit.cause)
}

/**
 * Resolves options, environment and profile into a checked configuration and
 * credentials. Precedence: explicit options, then the environment, then the
 * profile file — except that a profile named explicitly (option or
 * `OTA_PROFILE`) wins over the environment. Throws a `ValidationError` when
 * something is missing or invalid.
 *
 * @since 0.1.0
 * @category constructors
 */
export const resolveOptions = (
  options: OtaClientOptions = {}
): {
  readonly config: ClientConfig.ClientConfigService
  readonly credentials: Credentials.CredentialsService
} => {
  const env = options.env ?? process.env
  const named = options.profile ?? env.OTA_PROFILE
  const profile = Profile.read({ profile: options.profile, file: options.profileFile, env }) ?? {}
  const fromProfile: Record<string, string> = {}
  for (const [key, value] of Object.entries(profile)) {
    if (value !== undefined) fromProfile[PROFILE_ENV[key as keyof Profile.ProfileValues]] = value
  }
  const fromEnv: Record<string, string> = {}
  for (const [key, value] of Object.entries(env))
    if (value !== undefined && value !== "") fromEnv[key] = value
  const profileHasCredentials =
    fromProfile.OTA_ACCESS_KEY_ID !== undefined || fromProfile.OTA_ACCESS_KEY_SECRET !== undefined
  const envHasCredentials = CREDENTIAL_ENV.some((name) => fromEnv[name] !== undefined)
  // Credentials come as a pair from one source, never half from each.
  if (named !== undefined && profileHasCredentials) for (const name of CREDENTIAL_ENV) delete fromEnv[name]
  if (named === undefined && envHasCredentials) {
    delete fromProfile.OTA_ACCESS_KEY_ID
    delete fromProfile.OTA_ACCESS_KEY_SECRET
  }
  const merged = named === undefined ? { ...fromProfile, ...fromEnv } : { ...fromEnv, ...fromProfile }
  const provider = ConfigProvider.fromMap(new Map(Object.entries(merged)))
  const config = runSyncOrThrow(
    Effect.withConfigProvider(
      ClientConfig.fromConfig(
        definedOnly({
          endpoint: options.endpoint,
          apiVersion: options.apiVersion,
          regionId: options.regionId,
          iotInstanceId: options.iotInstanceId,
          timeoutMs: options.timeoutMs,
          maxAttempts: options.maxAttempts,
          qps: options.qps,
          signatureAlgorithm: options.signatureAlgorithm,
          allowInsecureHttp: options.allowInsecureHttp,
          userAgent: options.userAgent,
          runtime: `node/${process.versions.node}`
        })
      ),
      provider
    )
  )
  const explicitCredentials = options.accessKeyId !== undefined || options.accessKeySecret !== undefined
  const credentials = runSyncOrThrow(
    explicitCredentials
      ? Credentials.make({ accessKeyId: options.accessKeyId, accessKeySecret: options.accessKeySecret })
      : Effect.withConfigProvider(Credentials.fromConfig, provider)
  )
  return { config, credentials }
}

/**
 * The core client over Node's undici transport and `node:crypto`, for Effect
 * users. Configuration is resolved as for `new OtaClient(options)`.
 *
 * @since 0.1.0
 * @category layers
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { OtaClient } from "@iot-ota/core/OtaClient"
 * import { layer } from "@iot-ota/node/OtaClient"
 * const program = Effect.flatMap(OtaClient, (client) => client.listOTATaskByJob({ jobId: "job-1" }))
 * Effect.runPromise(Effect.provide(program, layer({ endpoint: "https://iot.cn-shanghai.aliyuncs.com" })))
 * ```
 */
export const layer = (options: OtaClientOptions = {}): Layer.Layer<CoreClient.OtaClient, OtaError> =>
  Layer.unwrapEffect(
    Effect.try({
      try: () => resolveOptions(options),
      catch: (error) => error as OtaError
    }).pipe(Effect.map(layerFromResolved))
  )

const layerFromResolved = (resolved: ReturnType<typeof resolveOptions>): Layer.Layer<CoreClient.OtaClient> =>
  CoreClient.layer.pipe(
    Layer.provide(NodeHttpClient.layerUndici),
    Layer.provide(NodeSigningCrypto.layer),
    Layer.provide(Layer.succeed(ClientConfig.ClientConfig, resolved.config)),
    Layer.provide(Layer.succeed(Credentials.Credentials, resolved.credentials))
  )

const stderrSink: LogSink = (_, line) => {
  process.stderr.write(line + "\n")
}

/**
 * A ListOTATaskByJob client for Node.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { OtaClient } from "@iot-ota/node"
 * const client = new OtaClient({ endpoint: "https://iot.cn-shanghai.aliyuncs.com" }) // keys from env or profile
 * const page = await client.listOTATaskByJob({ jobId: "7glPHmaDYLAYMD1HHutT02", taskStatus: "FAILED" })
 * for await (const task of client.paginateOTATaskByJob({ jobId: "7glPHmaDYLAYMD1HHutT02" })) console.log(task.deviceName)
 * await client.close()
 * ```
 */
export class OtaClient extends PromiseClient {
  /** Throws a `ValidationError` when the options, environment or profile are incomplete or invalid. */
  constructor(options: OtaClientOptions = {}) {
    const resolved = resolveOptions(options)
    super({
      layer: layerFromResolved(resolved),
      config: resolved.config,
      accessKeyId: resolved.credentials.accessKeyId,
      logLevel: options.logLevel ?? "warning",
      logSink: stderrSink
    })
  }
}
