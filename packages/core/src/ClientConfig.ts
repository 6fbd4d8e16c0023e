/**
 * Where and how the client talks to the service: endpoint, API version,
 * region, timeouts, retries, the client-side rate limit and the signature
 * algorithm. Checked once when the client is built.
 *
 * @since 0.1.0
 */
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { ValidationError } from "./IotError.js"
import { validate } from "./internal/validation.js"
import { VERSION } from "./internal/version.js"
import * as Settings from "./Settings.js"
import type { SignatureAlgorithm } from "./Signer.js"
import { DEFAULT_MAX_RESPONSE_BYTES } from "./Transport.js"

/**
 * The resolved configuration: every default filled in, the endpoint parsed.
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import * as ClientConfig from "@iot-ota/core/ClientConfig"
 *
 * const config: ClientConfig.ClientConfigService = Effect.runSync(
 *   ClientConfig.make({ endpoint: "iot.cn-shanghai.aliyuncs.com" })
 * )
 * config.endpoint.href // "https://iot.cn-shanghai.aliyuncs.com/"
 * config.maxAttempts // 3
 * config.qps // 10
 * ```
 */
export interface ClientConfigService {
  /** Base URL requests go to (origin plus optional path prefix). */
  readonly endpoint: URL
  /** API `Version`, default `2018-01-20`. */
  readonly apiVersion: string
  /** Always `JSON`: the IoT default is XML. */
  readonly format: "JSON"
  readonly regionId: string | undefined
  /** Sent with every call unless the call gives its own. */
  readonly iotInstanceId: string | undefined
  /** Per attempt. */
  readonly timeoutMs: number
  /** Attempts per call, the first included (AWS semantics). */
  readonly maxAttempts: number
  /** Client-side calls per second shared by every call of the client; 0 = off. */
  readonly qps: number
  readonly signatureAlgorithm: SignatureAlgorithm
  readonly userAgent: string
  /** The largest response body accepted, in bytes (default 16 MiB); a larger one is refused. */
  readonly maxResponseBytes: number
  /** Whether the endpoint was given without a scheme and taken as `https://` (for hints when TLS fails). */
  readonly endpointSchemeAssumed: boolean
}

/**
 * The configuration as a service, read by `RpcClient.make` when the client
 * is built.
 *
 * @since 0.1.0
 * @category tags
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import * as ClientConfig from "@iot-ota/core/ClientConfig"
 *
 * const region = Effect.map(ClientConfig.ClientConfig, (config) => config.regionId ?? "none")
 * const ConfigLive = ClientConfig.layer({ endpoint: "iot.cn-shanghai.aliyuncs.com", regionId: "cn-shanghai" })
 * Effect.runSync(Effect.provide(region, ConfigLive)) // "cn-shanghai"
 * ```
 */
export class ClientConfig extends Context.Tag("@iot-ota/core/ClientConfig")<
  ClientConfig,
  ClientConfigService
>() {}

/**
 * The API `Version` sent when none is configured: the one ListOTATaskByJob
 * is documented under.
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import * as ClientConfig from "@iot-ota/core/ClientConfig"
 *
 * const config = Effect.runSync(ClientConfig.make({ endpoint: "iot.cn-shanghai.aliyuncs.com" }))
 * config.apiVersion === ClientConfig.DEFAULT_API_VERSION // true
 * ```
 */
export const DEFAULT_API_VERSION = "2018-01-20"

/**
 * The documented per-account quota of ListOTATaskByJob, and the default
 * client-side rate limit.
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import * as ClientConfig from "@iot-ota/core/ClientConfig"
 *
 * // Two services share one account: each takes half of the quota.
 * const options: ClientConfig.ClientConfigOptions = {
 *   endpoint: "https://iot.cn-shanghai.aliyuncs.com",
 *   qps: ClientConfig.DEFAULT_QPS / 2
 * }
 * ```
 */
export const DEFAULT_QPS = 10

const rule = (text: string) => ({ message: () => ({ message: text, override: true }) })

/**
 * What callers may set. Only `endpoint` is required.
 *
 * @since 0.1.0
 * @category schemas
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { ClientConfigOptions } from "@iot-ota/core/ClientConfig"
 *
 * // Options read from a JSON file, checked before a client is built.
 * const options = Schema.decodeUnknownSync(ClientConfigOptions)(
 *   JSON.parse('{ "endpoint": "https://iot.cn-shanghai.aliyuncs.com", "timeoutMs": 5000 }')
 * )
 * ```
 */
export const ClientConfigOptions = Schema.Struct({
  endpoint: Schema.Union(Schema.String, Schema.instanceOf(URL)).annotations(rule("a URL string")),
  apiVersion: Schema.optional(
    Schema.String.pipe(Schema.pattern(/^\d{4}-\d{2}-\d{2}$/)).annotations(rule("a date like 2018-01-20"))
  ),
  regionId: Schema.optional(Schema.NonEmptyTrimmedString.annotations(rule("a region id like cn-shanghai"))),
  iotInstanceId: Schema.optional(Schema.NonEmptyTrimmedString.annotations(rule("a non-empty string"))),
  timeoutMs: Schema.optional(
    Schema.Number.pipe(Schema.int(), Schema.between(1, 600_000)).annotations(
      rule("an integer number of milliseconds from 1 to 600000")
    )
  ),
  maxAttempts: Schema.optional(
    Schema.Number.pipe(Schema.int(), Schema.between(1, 10)).annotations(rule("an integer from 1 to 10"))
  ),
  qps: Schema.optional(
    Schema.Number.pipe(Schema.between(0, 10_000)).annotations(rule("a number from 0 (off) to 10000"))
  ),
  signatureAlgorithm: Schema.optional(
    Schema.Literal("HMAC-SHA1", "ACS3-HMAC-SHA256").annotations(rule("HMAC-SHA1 or ACS3-HMAC-SHA256"))
  ),
  allowInsecureHttp: Schema.optional(Schema.Boolean.annotations(rule("a boolean"))),
  maxResponseBytes: Schema.optional(
    Schema.Number.pipe(Schema.int(), Schema.between(1024, 2 ** 30)).annotations(
      rule("an integer number of bytes from 1024 to 1073741824")
    )
  ),
  /** Appended to the User-Agent, e.g. `my-dashboard/1.2`. */
  userAgent: Schema.optional(Schema.String),
  /** The runtime named in the User-Agent, e.g. `node/20.20.2`; detected when absent. */
  runtime: Schema.optional(Schema.String)
})

/**
 * The options as callers write them (see the schema of the same name).
 *
 * @since 0.1.0
 * @category models
 */
export type ClientConfigOptions = typeof ClientConfigOptions.Encoded

const LOOPBACK_HOSTS = new Set(["localhost", "[::1]", "::1"])

/**
 * Whether a host name is this machine (`localhost`, `127.0.0.0/8`, `::1`).
 * Plain HTTP is allowed to these without `allowInsecureHttp`.
 *
 * @since 0.1.0
 * @category guards
 * @example
 * ```ts
 * import { isLoopbackHost } from "@iot-ota/core/ClientConfig"
 *
 * isLoopbackHost("127.0.0.1") // true
 * isLoopbackHost("emulator.localhost") // true
 * isLoopbackHost("iot.cn-shanghai.aliyuncs.com") // false
 * ```
 */
export const isLoopbackHost = (hostname: string): boolean =>
  LOOPBACK_HOSTS.has(hostname) || hostname.endsWith(".localhost") || /^127(?:\.\d{1,3}){3}$/.test(hostname)

/** Whatever sits before an `@` in the authority may be a password: never echo it. */
const withoutUserInfo = (text: string): string => text.replace(/^([^/?#]*\/\/)[^?#]*@/, "$1<redacted>@")

const endpointError = (message: string, rule: string) =>
  new ValidationError({ field: "endpoint", rule, message })

/**
 * Parses and checks an endpoint. A bare host (`iot.cn-shanghai.aliyuncs.com`)
 * means HTTPS. Plain HTTP is refused except to loopback hosts or with
 * `allowInsecureHttp`, because the signed query would travel in clear text.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { parseEndpoint } from "@iot-ota/core/ClientConfig"
 *
 * Effect.runSync(parseEndpoint("iot.cn-shanghai.aliyuncs.com")).href // "https://iot.cn-shanghai.aliyuncs.com/"
 * Effect.runSync(parseEndpoint("http://127.0.0.1:8080")).href // "http://127.0.0.1:8080/"
 * // Plain http to another host fails with a ValidationError unless allowed explicitly:
 * Effect.runSync(parseEndpoint("http://10.0.0.5:8080", true)).href // "http://10.0.0.5:8080/"
 * ```
 */
export const parseEndpoint = (
  endpoint: string | URL,
  allowInsecureHttp = false
): Effect.Effect<URL, ValidationError> => {
  const text = typeof endpoint === "string" ? endpoint.trim() : endpoint.href
  if (text === "") return Effect.fail(endpointError("endpoint is required", "a URL"))
  let url: URL
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`)
  } catch {
    return Effect.fail(
      endpointError(
        `endpoint must be a URL such as https://iot.cn-shanghai.aliyuncs.com, got ${JSON.stringify(withoutUserInfo(text))}`,
        "a URL"
      )
    )
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    return Effect.fail(
      endpointError(`endpoint must use https (or http to a loopback host), got ${url.protocol}`, "https")
    )
  }
  if (url.username !== "" || url.password !== "") {
    return Effect.fail(endpointError("endpoint must not contain credentials", "no user info"))
  }
  if (url.search !== "" || url.hash !== "") {
    return Effect.fail(endpointError("endpoint must not contain a query string or fragment", "no query"))
  }
  if (url.protocol === "http:" && !allowInsecureHttp && !isLoopbackHost(url.hostname)) {
    return Effect.fail(
      endpointError(
        `endpoint ${url.origin} uses plain http to a non-loopback host; use https, or set allowInsecureHttp: true if you really mean it`,
        "https unless loopback or allowInsecureHttp"
      )
    )
  }
  if (!url.pathname.endsWith("/")) url.pathname += "/"
  return Effect.succeed(url)
}

const detectRuntime = (): string => {
  const g = globalThis as {
    Deno?: { version?: { deno?: string } }
    Bun?: { version?: string }
    EdgeRuntime?: unknown
    navigator?: { userAgent?: string }
  }
  if (g.Deno?.version?.deno !== undefined) return `deno/${g.Deno.version.deno}`
  // Vercel's edge runtime (Next.js `runtime = "edge"`) names itself in a global.
  if (typeof g.EdgeRuntime === "string" && g.EdgeRuntime !== "") return g.EdgeRuntime
  if (g.Bun?.version !== undefined) return `bun/${g.Bun.version}`
  const ua = g.navigator?.userAgent
  if (ua === "Cloudflare-Workers") return "workerd"
  if (ua?.startsWith("Node.js/")) return `node/${ua.slice("Node.js/".length)}`
  return ua === undefined ? "unknown" : "browser"
}

const decodeOptions = validate(ClientConfigOptions, "client options")

/**
 * Checks options and fills in defaults.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import * as ClientConfig from "@iot-ota/core/ClientConfig"
 * const config = Effect.runSync(ClientConfig.make({ endpoint: "https://iot.cn-shanghai.aliyuncs.com" }))
 * ```
 */
export const make = (options: ClientConfigOptions): Effect.Effect<ClientConfigService, ValidationError> =>
  Effect.gen(function* () {
    const checked = yield* decodeOptions(options)
    const endpoint = yield* parseEndpoint(checked.endpoint, checked.allowInsecureHttp ?? false)
    const runtime = checked.runtime ?? detectRuntime()
    return {
      endpoint,
      apiVersion: checked.apiVersion ?? DEFAULT_API_VERSION,
      format: "JSON",
      regionId: checked.regionId,
      iotInstanceId: checked.iotInstanceId,
      timeoutMs: checked.timeoutMs ?? 10_000,
      maxAttempts: checked.maxAttempts ?? 3,
      qps: checked.qps ?? DEFAULT_QPS,
      signatureAlgorithm: checked.signatureAlgorithm ?? "HMAC-SHA1",
      maxResponseBytes: checked.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
      endpointSchemeAssumed:
        typeof checked.endpoint === "string" && !/^[a-z][a-z0-9+.-]*:\/\//i.test(checked.endpoint.trim()),
      userAgent: `iot-ota/${VERSION} (${runtime})${checked.userAgent === undefined ? "" : ` ${checked.userAgent}`}`
    } satisfies ClientConfigService
  })

/**
 * The checked configuration as a layer; building it fails with a
 * `ValidationError` when the options are invalid.
 *
 * @since 0.1.0
 * @category layers
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import * as ClientConfig from "@iot-ota/core/ClientConfig"
 * import * as Credentials from "@iot-ota/core/Credentials"
 * import * as OtaClient from "@iot-ota/core/OtaClient"
 * import * as Transport from "@iot-ota/core/Transport"
 *
 * const ClientLive = OtaClient.layer.pipe(
 *   Layer.provide(
 *     Layer.mergeAll(
 *       ClientConfig.layer({ endpoint: "https://iot.cn-shanghai.aliyuncs.com", timeoutMs: 5_000 }),
 *       Credentials.layerConfig,
 *       Transport.layerFetch
 *     )
 *   )
 * )
 * ```
 */
export const layer = (options: ClientConfigOptions): Layer.Layer<ClientConfig, ValidationError> =>
  Layer.effect(ClientConfig, make(options))

/**
 * The configuration from merged settings (see `Settings.merge`) and the
 * options settings cannot carry (timeouts, retries, rate): the endpoint is
 * built from the region when only a region is given.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import * as ClientConfig from "@iot-ota/core/ClientConfig"
 * import * as Settings from "@iot-ota/core/Settings"
 *
 * const merged = Settings.merge([Settings.fromEnvironment({ OTA_REGION_ID: "cn-shanghai" })])
 * Effect.runSync(ClientConfig.fromSettings(merged, { timeoutMs: 5_000 })).endpoint.href
 * // "https://iot.cn-shanghai.aliyuncs.com/"
 * ```
 */
export const fromSettings = (
  merged: Settings.Merged,
  options: { readonly [K in keyof ClientConfigOptions]?: ClientConfigOptions[K] | undefined } = {}
): Effect.Effect<ClientConfigService, ValidationError> => {
  const { values } = merged
  const regionId = options.regionId ?? values.regionId
  const endpoint =
    options.endpoint ??
    values.endpoint ??
    (regionId === undefined ? undefined : `https://iot.${regionId}.aliyuncs.com`)
  if (endpoint === undefined)
    return Effect.fail(
      endpointError(
        "endpoint is missing: pass it explicitly or set OTA_ENDPOINT (or OTA_REGION_ID)",
        "required"
      )
    )
  const checked: Record<string, unknown> = { ...withoutUndefined(options), endpoint }
  if (regionId !== undefined) checked.regionId = regionId
  for (const key of ["apiVersion", "iotInstanceId", "signatureAlgorithm"] as const)
    if (checked[key] === undefined && values[key] !== undefined) checked[key] = values[key]
  return make(checked as ClientConfigOptions)
}

/**
 * Options from the current `ConfigProvider` (the environment by default):
 * `OTA_ENDPOINT` (or the regional Alibaba endpoint built from
 * `OTA_REGION_ID` / `ALIBABA_CLOUD_REGION_ID`), `OTA_API_VERSION`,
 * `OTA_IOT_INSTANCE_ID`, `OTA_SIGNATURE_ALGORITHM`. `overrides` win over the
 * environment.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { ConfigProvider, Effect } from "effect"
 * import * as ClientConfig from "@iot-ota/core/ClientConfig"
 *
 * const settings = ConfigProvider.fromMap(new Map([["OTA_REGION_ID", "cn-shanghai"]]))
 * const config = Effect.runSync(
 *   ClientConfig.fromConfig({ timeoutMs: 5_000 }).pipe(Effect.withConfigProvider(settings))
 * )
 * config.endpoint.href // "https://iot.cn-shanghai.aliyuncs.com/": built from the region
 * ```
 */
export const fromConfig = (
  overrides: Partial<ClientConfigOptions> = {}
): Effect.Effect<ClientConfigService, ValidationError> =>
  Effect.flatMap(environmentFromConfig, (env) =>
    fromSettings(Settings.merge([Settings.fromEnvironment(env)]), overrides)
  )

/**
 * Every variable `Settings.ENVIRONMENT` names, read from the current
 * `ConfigProvider`.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { ConfigProvider, Effect } from "effect"
 * import { environmentFromConfig } from "@iot-ota/core/ClientConfig"
 *
 * const env = Effect.runSync(
 *   environmentFromConfig.pipe(Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["OTA_ENDPOINT", "x"]]))))
 * )
 * env.get("OTA_ENDPOINT") // "x"
 * ```
 */
export const environmentFromConfig: Effect.Effect<ReadonlyMap<string, string>> = Effect.map(
  Effect.orDie(
    Config.all(
      Object.values(Settings.ENVIRONMENT)
        .flat()
        .map((name) => Config.map(Config.option(Config.string(name)), (value) => [name, value] as const))
    )
  ),
  (entries) => {
    const env = new Map<string, string>()
    for (const [name, value] of entries) if (Option.isSome(value)) env.set(name, value.value)
    return env
  }
)

const withoutUndefined = <A extends object>(value: A): Partial<A> =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<A>

/**
 * Configuration from the current `ConfigProvider` (see {@link fromConfig}).
 *
 * @since 0.1.0
 * @category layers
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import * as ClientConfig from "@iot-ota/core/ClientConfig"
 * import * as Credentials from "@iot-ota/core/Credentials"
 *
 * // Endpoint and keys from OTA_* environment variables, with a shorter timeout than the default.
 * const SettingsLive = Layer.merge(ClientConfig.layerConfig({ timeoutMs: 5_000 }), Credentials.layerConfig)
 * ```
 */
export const layerConfig = (
  overrides: Partial<ClientConfigOptions> = {}
): Layer.Layer<ClientConfig, ValidationError> => Layer.effect(ClientConfig, fromConfig(overrides))
