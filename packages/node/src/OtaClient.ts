/**
 * The Promise / async-iterator client for Node. One managed Effect runtime
 * per client holds the HTTP connection pool (`node:http`), the rate limiter and
 * the retry quota; `close()` releases them.
 *
 * @since 0.1.0
 */

import * as ClientConfig from "@iot-ota/core/ClientConfig"
import * as ClientOptions from "@iot-ota/core/ClientOptions"
import * as Credentials from "@iot-ota/core/Credentials"
import type { OtaError } from "@iot-ota/core/IotError"
import { Operations } from "@iot-ota/core/Operations"
import * as CoreClient from "@iot-ota/core/OtaClient"
import { type LogSink, PromiseClient, withOperations } from "@iot-ota/core/PromiseClient"
import * as RpcClient from "@iot-ota/core/RpcClient"
import * as Settings from "@iot-ota/core/Settings"
import { SigningCrypto } from "@iot-ota/core/SigningCrypto"
import { Transport } from "@iot-ota/core/Transport"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as CredentialProviders from "./CredentialProviders.js"
import * as NodeHttpTransport from "./NodeHttpTransport.js"
import * as NodeSigningCrypto from "./NodeSigningCrypto.js"
import * as Profile from "./Profile.js"

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

/**
 * Where Node finds the settings the options leave out, in order of
 * precedence: a profile named explicitly (`profile` or `OTA_PROFILE`) wins
 * over the environment, and the environment over the `default` profile.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { settingsSources } from "@iot-ota/node"
 *
 * settingsSources({ env: { OTA_ENDPOINT: "https://iot.cn-shanghai.aliyuncs.com" } }).map((source) => source.name)
 * // ["the environment"] (no profile file)
 * ```
 */
export const settingsSources = (options: OtaClientOptions = {}): ReadonlyArray<Settings.SettingsSource> =>
  profileAndSources(options).sources

/** Modes whose keys sign requests themselves; the others are a base for STS (see `CredentialProviders`). */
const STATIC_MODES: ReadonlySet<string> = new Set(["ak", "access_key", "ststoken", "sts"])

const profileAndSources = (options: OtaClientOptions) => {
  const env = options.env ?? process.env
  const named = options.profile ?? env.OTA_PROFILE
  const file = options.profileFile ?? Profile.defaultProfileFile(env)
  const profile = Profile.read({ profile: options.profile, file, env })
  const fromEnv = Settings.fromEnvironment(env)
  if (profile === undefined) return { env, named, file, roleMode: false, sources: [fromEnv] }
  const mode = profile.mode?.trim().toLowerCase()
  const roleMode = mode !== undefined && !STATIC_MODES.has(mode)
  // A role mode's keys are the base credential of an STS call, never the credential to sign with.
  const fromProfile: Settings.SettingsSource = {
    name: `profile ${JSON.stringify(named ?? "default")} in ${file}`,
    values: {
      endpoint: profile.endpoint,
      regionId: profile.regionId,
      apiVersion: profile.apiVersion,
      iotInstanceId: profile.iotInstanceId,
      signatureAlgorithm: profile.signatureAlgorithm,
      ...(roleMode
        ? {}
        : {
            accessKeyId: profile.accessKeyId,
            accessKeySecret: profile.accessKeySecret,
            securityToken: profile.stsToken
          })
    }
  }
  return {
    env,
    named,
    file,
    roleMode,
    sources: named === undefined ? [fromEnv, fromProfile] : [fromProfile, fromEnv]
  }
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
 * @example
 * ```ts
 * import { resolveOptions } from "@iot-ota/node"
 *
 * // Checks the configuration at startup without opening a connection.
 * const { config, credentials } = resolveOptions({
 *   env: { OTA_ENDPOINT: "iot.cn-shanghai.aliyuncs.com", OTA_ACCESS_KEY_ID: "id", OTA_ACCESS_KEY_SECRET: "secret" }
 * })
 * console.log(config.endpoint.href, credentials.source)
 * // https://iot.cn-shanghai.aliyuncs.com/ the environment (OTA_ACCESS_KEY_ID / OTA_ACCESS_KEY_SECRET)
 * ```
 */
export const resolveOptions = (options: OtaClientOptions = {}): ClientOptions.Resolved => {
  const { env, named, file, roleMode, sources } = profileAndSources(options)
  const providerOptions = { env, file, ...(named === undefined ? {} : { profile: named }) }
  const explicit =
    options.accessKeyId !== undefined ||
    options.accessKeySecret !== undefined ||
    options.credentials !== undefined
  const envHasKeys = Settings.fromEnvironment(env).values.accessKeyId !== undefined
  const resolved = ClientOptions.resolve(options, sources, {
    runtime: `node/${process.versions.node}`,
    // No key anywhere: the standard chain (RRSA OIDC, a profile's role, the Alibaba CLI, ECS metadata),
    // asked lazily, on the first call.
    fallback: () => Effect.runSync(CredentialProviders.defaultChain(providerOptions))
  })
  // A profile in a role mode (named, or the default one with no keys in the environment) assumes its role.
  return roleMode && !explicit && (named !== undefined || !envHasKeys)
    ? { ...resolved, credentials: Effect.runSync(CredentialProviders.fromProfile(providerOptions)) }
    : resolved
}

/**
 * The core client (`OtaClient`, with Streams, and `RpcClient`) over Node's
 * `node:http` transport and `node:crypto`, for Effect
 * users. Configuration is resolved as for `new OtaClient(options)`.
 *
 * @since 0.1.0
 * @category layers
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { OtaClient } from "@iot-ota/core/OtaClient"
 * import { layer } from "@iot-ota/node/effect"
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
    }).pipe(Effect.map((resolved) => layerFromResolved(resolved, options)))
  )

/** What every client layer needs besides the client itself: transport, crypto, configuration, credentials. */
const dependencies = (resolved: ClientOptions.Resolved) =>
  Layer.mergeAll(
    NodeHttpTransport.layer,
    NodeSigningCrypto.layer,
    Layer.succeed(ClientConfig.ClientConfig, resolved.config),
    Layer.succeed(Credentials.Credentials, resolved.credentials)
  )

/**
 * The Effect client from settings already resolved (see `resolveOptions`),
 * with an optional attempt-event hook.
 *
 * @since 0.1.0
 * @category layers
 * @example
 * ```ts
 * import { layerFromResolved, resolveOptions } from "@iot-ota/node/effect"
 *
 * const resolved = resolveOptions({ endpoint: "https://iot.cn-shanghai.aliyuncs.com" })
 * console.error(`credentials from ${resolved.credentials.source}`)
 * // One line per failed attempt, for metrics; the layer provides `OtaClient` and `RpcClient`.
 * const ClientLive = layerFromResolved(resolved, {
 *   onEvent: (event) => {
 *     if (event._tag === "AttemptFailed") console.error(`${event.action} attempt ${event.attempt}: ${event.error._tag}`)
 *   }
 * })
 * ```
 */
export const layerFromResolved = (
  resolved: ClientOptions.Resolved,
  options: { readonly onEvent?: ((event: RpcClient.AttemptEvent) => void) | undefined } = {}
): Layer.Layer<CoreClient.OtaClient | RpcClient.RpcClient> =>
  CoreClient.layer.pipe(
    Layer.provide(dependencies(resolved)),
    Layer.provide(
      options.onEvent === undefined ? Layer.empty : Layer.succeed(RpcClient.AttemptEvents, options.onEvent)
    )
  )

const stderrSink: LogSink = (_, line) => {
  process.stderr.write(line + "\n")
}

/**
 * The Node client with only the generic calls (`call`, `paginate`,
 * `paginatePages`): operations are passed in, so a bundle holds only those
 * it imports. {@link OtaClient} adds a named method for every operation.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { ListOTATaskByJob, OtaBaseClient } from "@iot-ota/node"
 *
 * const client = new OtaBaseClient({ endpoint: "https://iot.cn-shanghai.aliyuncs.com" })
 * for await (const task of client.paginate(ListOTATaskByJob, { jobId: "7glPHmaDYLAYMD1HHutT02" })) console.log(task.deviceName)
 * await client.close()
 * ```
 */
export class OtaBaseClient extends PromiseClient {
  /** Throws a `ValidationError` when the options, environment or profile are incomplete or invalid. */
  constructor(options: OtaClientOptions = {}) {
    const resolved = resolveOptions(options)
    super({
      make: RpcClient.make.pipe(
        Effect.provideService(ClientConfig.ClientConfig, resolved.config),
        Effect.provideService(Credentials.Credentials, resolved.credentials),
        Effect.provideService(SigningCrypto, NodeSigningCrypto.make()),
        Effect.provideServiceEffect(Transport, NodeHttpTransport.make())
      ),
      config: resolved.config,
      credentials: resolved.credentials,
      logLevel: options.logLevel ?? "warning",
      logSink: stderrSink,
      onEvent: options.onEvent
    })
  }
}

/**
 * The IoT Platform OTA client for Node: a method for every operation of the
 * OTA read path (`listOTATaskByJob`, `paginateOTATaskByJob`, `queryOTAJob`,
 * …) besides the generic calls.
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
export class OtaClient extends /* @__PURE__ */ withOperations(OtaBaseClient, Operations) {}
