/**
 * The Promise / async-iterator client for runtimes with `fetch` and WebCrypto
 * and nothing else: Deno, Cloudflare Workers (workerd), Vercel / Next.js edge
 * routes, Bun and browsers. Nothing is read implicitly (no environment
 * variables, no file system), so the endpoint and the AccessKey pair are
 * passed as options or as an env-like object (a Worker's `env`,
 * `Deno.env.toObject()`).
 *
 * @since 0.1.0
 */
import * as ClientConfig from "@iot-ota/core/ClientConfig"
import * as ClientOptions from "@iot-ota/core/ClientOptions"
import * as Credentials from "@iot-ota/core/Credentials"
import { isOtaError, type OtaError, ValidationError } from "@iot-ota/core/IotError"
import { Operations } from "@iot-ota/core/Operations"
import * as CoreClient from "@iot-ota/core/OtaClient"
import { type LogSink, PromiseClient, withOperations } from "@iot-ota/core/PromiseClient"
import * as RpcClient from "@iot-ota/core/RpcClient"
import * as Settings from "@iot-ota/core/Settings"
import * as Transport from "@iot-ota/core/Transport"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"

/**
 * An env-like object read for `OTA_*` / `ALIBABA_CLOUD_*` settings: a
 * Cloudflare Worker's `env`, `Deno.env.toObject()`, Bun's or Next's environment.
 * Only string values are read, so a Worker's other bindings (KV namespaces,
 * service bindings) may sit beside them. Typed as `object` so that a Worker's
 * generated `Env` interface is accepted as it is.
 *
 * @example
 * ```ts
 * import { type EnvLike, OtaClient } from "@iot-ota/edge"
 *
 * // A Worker's env: the string bindings are read, the KV namespace beside them is ignored.
 * interface Env {
 *   readonly OTA_ENDPOINT: string
 *   readonly OTA_ACCESS_KEY_ID: string
 *   readonly OTA_ACCESS_KEY_SECRET: string
 *   readonly CACHE: object
 * }
 * const clientFor = (env: Env & EnvLike) => new OtaClient({ env })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type EnvLike = object

/**
 * Settings shared by both ways of building a client.
 *
 * @example
 * ```ts
 * import { OtaClient, type OtaClientSettings } from "@iot-ota/edge"
 *
 * const settings: OtaClientSettings = {
 *   signatureAlgorithm: "ACS3-HMAC-SHA256",
 *   timeoutMs: 5_000,
 *   maxAttempts: 5,
 *   qps: 5, // leave half of the account's quota to other callers
 *   userAgent: "fleet-dashboard/1.4",
 *   fetch: (input, init) => fetch(input, init) // e.g. an instrumented fetch
 * }
 * const client = new OtaClient({ ...settings, env: { OTA_ENDPOINT: "https://iot.cn-shanghai.aliyuncs.com" } })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface OtaClientSettings
  extends Omit<ClientOptions.ClientOptions, "endpoint" | "accessKeyId" | "accessKeySecret" | "credentials"> {
  /**
   * The `fetch` to send requests with, default `globalThis.fetch`: e.g. a
   * Worker service binding's `fetch`, or an instrumented one.
   */
  readonly fetch?: typeof globalThis.fetch | undefined
}

/**
 * Everything passed explicitly.
 *
 * @example
 * ```ts
 * import { OtaClient, type OtaClientExplicitOptions } from "@iot-ota/edge"
 *
 * declare const secrets: { readonly id: string; readonly secret: string } // e.g. from a secret store
 * const options: OtaClientExplicitOptions = {
 *   endpoint: "https://iot.cn-shanghai.aliyuncs.com",
 *   accessKeyId: secrets.id,
 *   accessKeySecret: secrets.secret,
 *   iotInstanceId: "iot-cn-0pp1n8t****"
 * }
 * const client = new OtaClient(options)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface OtaClientExplicitOptions extends OtaClientSettings {
  /** e.g. `https://iot.cn-shanghai.aliyuncs.com`; a bare host means https. */
  readonly endpoint: string | URL
  readonly accessKeyId: string
  readonly accessKeySecret: string | Redacted.Redacted<string>
  /** Fills in what the options leave out (see {@link OtaClientEnvOptions}). */
  readonly env?: EnvLike | undefined
}

/**
 * Settings read from an env-like object, explicit options winning: the
 * endpoint from `OTA_ENDPOINT` (or the regional endpoint of `OTA_REGION_ID` /
 * `ALIBABA_CLOUD_REGION_ID`), the pair from `OTA_ACCESS_KEY_ID` /
 * `OTA_ACCESS_KEY_SECRET` (else `ALIBABA_CLOUD_ACCESS_KEY_ID` /
 * `ALIBABA_CLOUD_ACCESS_KEY_SECRET`), plus `OTA_API_VERSION`,
 * `OTA_IOT_INSTANCE_ID` and `OTA_SIGNATURE_ALGORITHM`. The pair comes whole
 * from one place: giving either key as an option means both are options.
 *
 * @example
 * ```ts
 * import { OtaClient, type OtaClientEnvOptions } from "@iot-ota/edge"
 *
 * // Keys from Deno's environment, the endpoint given explicitly (it wins over OTA_ENDPOINT).
 * declare const Deno: { readonly env: { toObject(): Record<string, string> } }
 * const options: OtaClientEnvOptions = { env: Deno.env.toObject(), endpoint: "https://iot.cn-shanghai.aliyuncs.com" }
 * const client = new OtaClient(options)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface OtaClientEnvOptions extends OtaClientSettings {
  readonly env: EnvLike
  readonly endpoint?: string | URL | undefined
  readonly accessKeyId?: string | undefined
  readonly accessKeySecret?: string | Redacted.Redacted<string> | undefined
}

/**
 * The options of `new OtaClient(options)`, {@link layer} and {@link resolveOptions}: everything explicit
 * ({@link OtaClientExplicitOptions}), or an env-like object with optional overrides
 * ({@link OtaClientEnvOptions}).
 *
 * @example
 * ```ts
 * import { OtaClient, type OtaClientOptions } from "@iot-ota/edge"
 *
 * const fromEnv = (env: Record<string, string>): OtaClientOptions => ({ env, logLevel: "debug" })
 * const client = new OtaClient(fromEnv({ OTA_ENDPOINT: "https://iot.cn-shanghai.aliyuncs.com" }))
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type OtaClientOptions = OtaClientExplicitOptions | OtaClientEnvOptions | OtaClientProviderOptions

/**
 * Options with a credential provider (a vault, a Worker secret that
 * rotates, STS): called for a credential, and again before it expires.
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import { OtaClient } from "@iot-ota/edge"
 *
 * declare const vault: { read(path: string): Promise<{ id: string; secret: string }> }
 * const client = new OtaClient({
 *   endpoint: "https://iot.cn-shanghai.aliyuncs.com",
 *   credentials: async () => {
 *     const { id, secret } = await vault.read("ota/prod")
 *     return { accessKeyId: id, accessKeySecret: secret }
 *   }
 * })
 * ```
 */
export interface OtaClientProviderOptions extends OtaClientSettings {
  readonly endpoint: string | URL
  readonly credentials: NonNullable<ClientOptions.ClientOptions["credentials"]>
  readonly accessKeyId?: undefined
  readonly accessKeySecret?: undefined
  readonly env?: EnvLike | undefined
}

/** The string entries of an env-like object; empty strings count as unset, as in a shell. */
const envMap = (env: EnvLike | undefined): Map<string, string> => {
  const strings = new Map<string, string>()
  if (env === undefined) return strings
  if (env === null || typeof env !== "object") {
    throw new ValidationError({
      field: "env",
      rule: "an object",
      message: "env must be an object such as a Worker's env or Deno.env.toObject()"
    })
  }
  for (const [key, value] of Object.entries(env))
    if (typeof value === "string" && value !== "") strings.set(key, value)
  return strings
}

/**
 * Resolves options and the optional env-like object into a checked
 * configuration and credentials, explicit options winning. Throws a
 * `ValidationError` when something is missing or invalid.
 *
 * @example
 * ```ts
 * import { resolveOptions } from "@iot-ota/edge"
 *
 * // Checks a Worker's configuration at startup without building a client.
 * const { config, credentials } = resolveOptions({
 *   env: { OTA_ENDPOINT: "iot.cn-shanghai.aliyuncs.com", OTA_ACCESS_KEY_ID: "id", OTA_ACCESS_KEY_SECRET: "secret" }
 * })
 * console.log(config.endpoint.href, credentials.source)
 * // https://iot.cn-shanghai.aliyuncs.com/ the env bindings (OTA_ACCESS_KEY_ID / OTA_ACCESS_KEY_SECRET)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const resolveOptions = (options: OtaClientOptions): ClientOptions.Resolved => {
  if (options === null || typeof options !== "object") {
    throw new ValidationError({
      field: "options",
      rule: "an object",
      message: "OtaClient options must be an object with endpoint, accessKeyId and accessKeySecret (or env)"
    })
  }
  if (options.fetch !== undefined && typeof options.fetch !== "function") {
    throw new ValidationError({
      field: "fetch",
      rule: "a function",
      message: "fetch must be a function with the signature of globalThis.fetch"
    })
  }
  return ClientOptions.resolve(options, [Settings.fromEnvironment(envMap(options.env), "the env bindings")])
}

/** What every client layer needs besides the client itself; no SigningCrypto: the core then signs with WebCrypto. */
const dependencies = (resolved: ClientOptions.Resolved, fetch: typeof globalThis.fetch | undefined) =>
  Layer.mergeAll(
    Layer.succeed(Transport.Transport, Transport.makeFetch(fetch)),
    Layer.succeed(ClientConfig.ClientConfig, resolved.config),
    Layer.succeed(Credentials.Credentials, resolved.credentials)
  )

/**
 * The core client over `fetch` and WebCrypto, for Effect users.
 * Configuration is resolved as for `new OtaClient(options)`; invalid options
 * fail the layer with a `ValidationError`.
 *
 * @since 0.1.0
 * @category layers
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { OtaClient } from "@iot-ota/core/OtaClient"
 * import { layer } from "@iot-ota/edge/effect"
 * const program = Effect.flatMap(OtaClient, (client) => client.listOTATaskByJob({ jobId: "job-1" }))
 * export default {
 *   fetch: (_request: Request, env: object) =>
 *     Effect.runPromise(Effect.provide(program, layer({ env }))).then((page) => Response.json(page))
 * }
 * ```
 */
export const layer = (
  options: OtaClientOptions
): Layer.Layer<CoreClient.OtaClient | RpcClient.RpcClient, OtaError> =>
  Layer.unwrapEffect(
    Effect.suspend(() => {
      try {
        return Effect.succeed(
          CoreClient.layer.pipe(Layer.provide(dependencies(resolveOptions(options), options.fetch)))
        )
      } catch (error) {
        return isOtaError(error) ? Effect.fail(error) : Effect.die(error)
      }
    })
  )

const consoleSink: LogSink = (level, line) => {
  if (level === "debug") console.debug(line)
  else if (level === "info") console.info(line)
  else if (level === "warning") console.warn(line)
  else console.error(line)
}

/**
 * The client with only the generic calls (`call`, `paginate`,
 * `paginatePages`): operations are passed in, so a Worker bundle holds only
 * those it imports. {@link OtaClient} adds a named method for every operation.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { ListOTATaskByJob, OtaBaseClient } from "@iot-ota/edge"
 * export default {
 *   async fetch(_request: Request, env: Record<string, string>): Promise<Response> {
 *     const client = new OtaBaseClient({ env })
 *     try {
 *       const page = await client.call(ListOTATaskByJob, { jobId: "7glPHmaDYLAYMD1HHutT02", taskStatus: "FAILED" })
 *       return Response.json(page.tasks)
 *     } finally {
 *       await client.close()
 *     }
 *   }
 * }
 * ```
 */
export class OtaBaseClient extends PromiseClient {
  /** Throws a `ValidationError` when the options (or the env-like object) are incomplete or invalid. */
  constructor(options: OtaClientOptions) {
    const resolved = resolveOptions(options)
    super({
      make: RpcClient.make.pipe(
        Effect.provideService(ClientConfig.ClientConfig, resolved.config),
        Effect.provideService(Credentials.Credentials, resolved.credentials),
        Effect.provideService(Transport.Transport, Transport.makeFetch(options.fetch))
      ),
      config: resolved.config,
      credentials: resolved.credentials,
      logLevel: options.logLevel ?? "warning",
      logSink: consoleSink,
      onEvent: options.onEvent
    })
  }
}

/**
 * The IoT Platform OTA client over `fetch` and WebCrypto: a method for every
 * operation of the OTA read path besides the generic calls.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { OtaClient } from "@iot-ota/edge"
 * export default {
 *   async fetch(_request: Request, env: Record<string, string>): Promise<Response> {
 *     const client = new OtaClient({ env }) // OTA_ENDPOINT, OTA_ACCESS_KEY_ID, OTA_ACCESS_KEY_SECRET
 *     try {
 *       const page = await client.listOTATaskByJob({ jobId: "7glPHmaDYLAYMD1HHutT02", taskStatus: "FAILED" })
 *       return Response.json(page.tasks)
 *     } finally {
 *       await client.close()
 *     }
 *   }
 * }
 * ```
 */
export class OtaClient extends /* @__PURE__ */ withOperations(OtaBaseClient, Operations) {}
