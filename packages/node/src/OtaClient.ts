/**
 * The Promise / async-iterator client for Node. One managed Effect runtime
 * per client holds the HTTP connection pool (undici), the rate limiter and
 * the retry quota; `close()` releases them.
 *
 * @since 0.1.0
 */

import * as ClientConfig from "@iot-ota/core/ClientConfig"
import * as ClientOptions from "@iot-ota/core/ClientOptions"
import * as Credentials from "@iot-ota/core/Credentials"
import { type OtaError, ValidationError } from "@iot-ota/core/IotError"
import * as CoreClient from "@iot-ota/core/OtaClient"
import { type LogSink, PromiseClient } from "@iot-ota/core/PromiseClient"
import * as RpcClient from "@iot-ota/core/RpcClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as NodeSigningCrypto from "./NodeSigningCrypto.js"
import * as Profile from "./Profile.js"
import * as UndiciTransport from "./UndiciTransport.js"

/**
 * The shared client options, plus where Node finds what they leave out.
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import { OtaClient, type OtaClientOptions } from "@iot-ota/node"
 *
 * // Keys and endpoint from the [staging] profile; the rest given here.
 * const options: OtaClientOptions = { profile: "staging", timeoutMs: 5_000, logLevel: "debug" }
 * const client = new OtaClient(options)
 * ```
 */
export interface OtaClientOptions extends ClientOptions.ClientOptions {
  /** A named profile of the profile file (else `OTA_PROFILE`, else `default`). */
  readonly profile?: string | undefined
  /** The profile file (else `OTA_PROFILE_FILE`, else `~/.config/iot-ota/credentials`). */
  readonly profileFile?: string | undefined
  /** Where `OTA_*` / `ALIBABA_CLOUD_*` are read from (default `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>> | undefined
}

const PROFILE_ENV: Readonly<Partial<Record<keyof Profile.ProfileValues, string>>> = {
  accessKeyId: "OTA_ACCESS_KEY_ID",
  accessKeySecret: "OTA_ACCESS_KEY_SECRET",
  stsToken: "OTA_SECURITY_TOKEN",
  endpoint: "OTA_ENDPOINT",
  regionId: "OTA_REGION_ID",
  apiVersion: "OTA_API_VERSION",
  iotInstanceId: "OTA_IOT_INSTANCE_ID",
  signatureAlgorithm: "OTA_SIGNATURE_ALGORITHM"
}
const CREDENTIAL_ENV = [
  "OTA_ACCESS_KEY_ID",
  "OTA_ACCESS_KEY_SECRET",
  "OTA_SECURITY_TOKEN",
  "ALIBABA_CLOUD_ACCESS_KEY_ID",
  "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
  "ALIBABA_CLOUD_SECURITY_TOKEN"
]
/** Profile modes that hold the keys themselves; the others need a credentials provider (`fromProfile`). */
const STATIC_MODES: ReadonlySet<string> = new Set(["ak", "access_key", "ststoken", "sts"])

/**
 * Resolves options, environment and profile into a checked configuration and
 * credentials. Precedence: explicit options, then the environment, then the
 * profile file — except that a profile named explicitly (option or
 * `OTA_PROFILE`) wins over the environment. Throws a `ValidationError` when
 * something is missing or invalid.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { resolveOptions } from "@iot-ota/node"
 *
 * // Checks the configuration at startup without opening a connection.
 * const { config, credentials } = resolveOptions({
 *   env: { OTA_ENDPOINT: "iot.cn-shanghai.aliyuncs.com", OTA_ACCESS_KEY_ID: "id", OTA_ACCESS_KEY_SECRET: "secret" }
 * })
 * console.log(config.endpoint.href, credentials.accessKeyId) // "https://iot.cn-shanghai.aliyuncs.com/ id"
 * ```
 */
export const resolveOptions = (options: OtaClientOptions = {}): ClientOptions.Resolved => {
  const env = options.env ?? process.env
  const named = options.profile ?? env.OTA_PROFILE
  const profile = Profile.read({ profile: options.profile, file: options.profileFile, env }) ?? {}
  const fromProfile: Record<string, string> = {}
  for (const [key, value] of Object.entries(profile)) {
    const name = PROFILE_ENV[key as keyof Profile.ProfileValues]
    if (value !== undefined && name !== undefined) fromProfile[name] = value
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
    delete fromProfile.OTA_SECURITY_TOKEN
  }
  // A role mode's keys are the base for STS, not the credential to sign with: never sign with them here.
  const mode = profile.mode?.trim().toLowerCase()
  if (
    mode !== undefined &&
    !STATIC_MODES.has(mode) &&
    options.accessKeyId === undefined &&
    (named !== undefined || !envHasCredentials)
  ) {
    throw new ValidationError({
      field: "profile",
      rule: "a profile mode this client can sign with",
      message: `profile mode ${JSON.stringify(profile.mode)} needs a credentials provider: pass credentials from CredentialProviders.fromProfile()`
    })
  }
  const merged = named === undefined ? { ...fromProfile, ...fromEnv } : { ...fromEnv, ...fromProfile }
  const resolved = ClientOptions.resolve(
    options,
    new Map(Object.entries(merged)),
    `node/${process.versions.node}`
  )
  // The profile's keys travel under OTA_* names: say where they really came from (what a refused signature reports).
  const keysFromProfile =
    options.accessKeyId === undefined &&
    options.accessKeySecret === undefined &&
    fromProfile.OTA_ACCESS_KEY_ID !== undefined &&
    merged.OTA_ACCESS_KEY_ID === fromProfile.OTA_ACCESS_KEY_ID
  if (!keysFromProfile) return resolved
  const file = options.profileFile ?? Profile.defaultProfileFile(env)
  return {
    ...resolved,
    credentials: { ...resolved.credentials, source: `profile ${named ?? "default"} (${file})` }
  }
}

/**
 * The core client (`OtaClient`, with Streams, and `RpcClient`) over Node's
 * undici transport and `node:crypto`, for Effect
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
export const layer = (
  options: OtaClientOptions = {}
): Layer.Layer<CoreClient.OtaClient | RpcClient.RpcClient, OtaError> =>
  Layer.unwrapEffect(
    Effect.try({
      try: () => resolveOptions(options),
      catch: (error) => error as OtaError
    }).pipe(Effect.map(layerFromResolved))
  )

/** What every client layer needs besides the client itself: transport, crypto, configuration, credentials. */
const dependencies = (resolved: ReturnType<typeof resolveOptions>) =>
  Layer.mergeAll(
    UndiciTransport.layer,
    NodeSigningCrypto.layer,
    Layer.succeed(ClientConfig.ClientConfig, resolved.config),
    Layer.succeed(Credentials.Credentials, resolved.credentials)
  )

const layerFromResolved = (
  resolved: ReturnType<typeof resolveOptions>
): Layer.Layer<CoreClient.OtaClient | RpcClient.RpcClient> =>
  CoreClient.layer.pipe(Layer.provide(dependencies(resolved)))

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
      layer: RpcClient.layer.pipe(Layer.provide(dependencies(resolved))),
      config: resolved.config,
      accessKeyId: resolved.credentials.accessKeyId,
      logLevel: options.logLevel ?? "warning",
      logSink: stderrSink
    })
  }
}
