/**
 * Providers of temporary (STS) credentials over `fetch`, for every runtime:
 *
 * - {@link fromAssumeRole}: STS `AssumeRole` signed with a base credential
 *   (a RAM user's key, or another provider);
 * - {@link fromOidc}: STS `AssumeRoleWithOIDC` with an OIDC token (ACK RRSA,
 *   GitHub Actions, any identity provider trusted by the RAM role);
 * - {@link fromEcsMetadata}: the ECS instance metadata service (a RAM role
 *   attached to the instance). Needs a network path to the metadata address,
 *   so not for Workers; `@iot-ota/node` wraps it with the environment's
 *   settings.
 *
 * Each returns a provider that caches its credential and refreshes it before
 * it expires (see `Credentials.cached`), and fails with a `CredentialsError`
 * naming the provider and the reason, never a secret or a token.
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { parseEndpoint } from "./ClientConfig.js"
import {
  type CacheOptions,
  type Credential,
  type CredentialsService,
  cached,
  notConfigured
} from "./Credentials.js"
import { CredentialsError, type CredentialsErrorReason, isRetryableCode } from "./IotError.js"
import { scrub, secretsOf } from "./internal/credentialErrors.js"
import {
  type CredentialHttpAnswer,
  type CredentialHttpFailure,
  printable,
  send
} from "./internal/credentialHttp.js"
import { canonicalQuery, formatTimestamp, percentEncode, rpcSignature, rpcStringToSign } from "./Signer.js"
import { makeWebCrypto, SigningCrypto } from "./SigningCrypto.js"

/**
 * How to reach STS. The endpoint is `endpoint` when given, else
 * `https://sts.<regionId>.aliyuncs.com` (`sts-vpc.` with `vpc`), else
 * `https://sts.aliyuncs.com`, as the official credentials library does.
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import type { StsOptions } from "@iot-ota/core/CredentialProviders"
 *
 * // The regional endpoint inside a VPC, a shorter deadline, refreshed 10 minutes ahead.
 * const sts: StsOptions = { regionId: "cn-shanghai", vpc: true, timeoutMs: 5_000, refreshMarginMs: 600_000 }
 * ```
 */
export interface StsOptions extends CacheOptions {
  /** e.g. `https://sts.cn-shanghai.aliyuncs.com`, or a local emulator's URL. */
  readonly endpoint?: string | URL | undefined
  readonly regionId?: string | undefined
  /** Use the VPC endpoint of `regionId`. */
  readonly vpc?: boolean | undefined
  /** Per request, default 10000. */
  readonly timeoutMs?: number | undefined
  /** The `fetch` to call STS with, default `globalThis.fetch`. */
  readonly fetch?: typeof globalThis.fetch | undefined
  /** Allow plain `http://` to a non-loopback endpoint. */
  readonly allowInsecureHttp?: boolean | undefined
}

/**
 * What role to assume and for how long.
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import type { RoleOptions } from "@iot-ota/core/CredentialProviders"
 *
 * const role: RoleOptions = {
 *   roleArn: "acs:ram::1234567890123456:role/iot-ota-reader",
 *   roleSessionName: "fleet-dashboard",
 *   durationSeconds: 3600
 * }
 * ```
 */
export interface RoleOptions {
  /** e.g. `acs:ram::1234567890123456:role/iot-ota-reader`. */
  readonly roleArn: string
  /** Shows in the audit trail; default `iot-ota-<milliseconds>`. Letters, digits and `.@-_`, 2 to 64. */
  readonly roleSessionName?: string | undefined
  /** 900 (15 minutes) up to the role's maximum; default 3600. */
  readonly durationSeconds?: number | undefined
  /** A policy (JSON text) that narrows the role's permissions for this session. */
  readonly policy?: string | undefined
}

/** The version of the STS API the providers call. */
const STS_VERSION = "2015-04-01"
const DEFAULT_DURATION_SECONDS = 3600
const MIN_DURATION_SECONDS = 900
const DEFAULT_STS_TIMEOUT_MS = 10_000

const credentialsError = (
  provider: string,
  reason: CredentialsErrorReason,
  message: string,
  retryable = reason === "Unavailable"
) => new CredentialsError({ provider, reason, message, retryable })

/**
 * The STS endpoint for the given options (see {@link StsOptions}).
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { stsEndpoint } from "@iot-ota/core/CredentialProviders"
 *
 * Effect.runSync(stsEndpoint({})).href // "https://sts.aliyuncs.com/"
 * Effect.runSync(stsEndpoint({ regionId: "cn-hangzhou", vpc: true })).href // "https://sts-vpc.cn-hangzhou.aliyuncs.com/"
 * ```
 */
export const stsEndpoint = (options: StsOptions, provider = "sts"): Effect.Effect<URL, CredentialsError> => {
  const endpoint =
    options.endpoint ??
    (options.regionId === undefined || options.regionId.trim() === ""
      ? "https://sts.aliyuncs.com"
      : `https://sts${options.vpc === true ? "-vpc" : ""}.${options.regionId.trim()}.aliyuncs.com`)
  return Effect.mapError(parseEndpoint(endpoint, options.allowInsecureHttp ?? false), (error) =>
    credentialsError(provider, "Invalid", `STS ${error.message}`)
  )
}

interface CheckedRole {
  readonly roleArn: string
  readonly roleSessionName: string | undefined
  readonly durationSeconds: number
  readonly policy: string | undefined
}

const SESSION_NAME = /^[\w.@-]{2,64}$/

const checkRole = (options: RoleOptions, provider: string): Effect.Effect<CheckedRole, CredentialsError> => {
  const invalid = (message: string) => Effect.fail(credentialsError(provider, "Invalid", message))
  const roleArn = typeof options.roleArn === "string" ? options.roleArn.trim() : ""
  if (roleArn === "") return invalid("roleArn is missing")
  const durationSeconds = options.durationSeconds ?? DEFAULT_DURATION_SECONDS
  if (!Number.isInteger(durationSeconds) || durationSeconds < MIN_DURATION_SECONDS)
    return invalid(
      `durationSeconds must be an integer of at least ${MIN_DURATION_SECONDS}, got ${durationSeconds}`
    )
  const roleSessionName = options.roleSessionName?.trim() || undefined
  if (roleSessionName !== undefined && !SESSION_NAME.test(roleSessionName))
    return invalid("roleSessionName must be 2 to 64 letters, digits or . @ - _")
  const policy = options.policy?.trim() || undefined
  return Effect.succeed({ roleArn, roleSessionName, durationSeconds, policy })
}

const StsCredentials = Schema.Struct({
  Credentials: Schema.Struct({
    AccessKeyId: Schema.String,
    AccessKeySecret: Schema.String,
    SecurityToken: Schema.String,
    Expiration: Schema.String
  })
})
const decodeStsCredentials = Schema.decodeUnknownOption(Schema.parseJson(StsCredentials))

const StsError = Schema.Struct({
  Code: Schema.String,
  Message: Schema.optional(Schema.String),
  RequestId: Schema.optional(Schema.String)
})
const decodeStsError = Schema.decodeUnknownOption(Schema.parseJson(StsError))

/** A credential from the strings an issuer sent, trimmed; `undefined` when a field is empty or the date is not one. */
const issued = (fields: {
  readonly AccessKeyId: string
  readonly AccessKeySecret: string
  readonly SecurityToken: string
  readonly Expiration: string
}): Credential | undefined => {
  const accessKeyId = fields.AccessKeyId.trim()
  const secret = fields.AccessKeySecret.trim()
  const token = fields.SecurityToken.trim()
  const expiration = new Date(fields.Expiration.trim())
  if (accessKeyId === "" || secret === "" || token === "" || Number.isNaN(expiration.getTime()))
    return undefined
  return {
    accessKeyId,
    accessKeySecret: Redacted.make(secret),
    securityToken: Redacted.make(token),
    expiration
  }
}

const httpFailure = (provider: string, failure: CredentialHttpFailure): CredentialsError =>
  credentialsError(provider, failure.kind === "too-large" ? "Invalid" : "Unavailable", failure.message)

/**
 * Reads STS's answer to `action`: the issued credential, or an error with
 * STS's code, its message (scrubbed of `secrets`) and request id.
 */
const readStsAnswer = (
  provider: string,
  action: string,
  answer: CredentialHttpAnswer,
  secrets: ReadonlyArray<string>
): Effect.Effect<Credential, CredentialsError> => {
  if (answer.status >= 200 && answer.status < 300) {
    const credential = Option.flatMapNullable(decodeStsCredentials(answer.body), (body) =>
      issued(body.Credentials)
    )
    return Option.isSome(credential)
      ? Effect.succeed(credential.value)
      : Effect.fail(
          credentialsError(
            provider,
            "Invalid",
            `STS ${action} answered HTTP ${answer.status} without usable Credentials`
          )
        )
  }
  if (answer.status >= 300 && answer.status < 400)
    return Effect.fail(
      credentialsError(
        provider,
        "Invalid",
        `STS ${action} answered with a redirect (HTTP ${answer.status}), not followed`
      )
    )
  const transient = answer.status === 429 || answer.status >= 500
  const error = decodeStsError(answer.body)
  if (Option.isNone(error)) {
    return Effect.fail(
      credentialsError(
        provider,
        transient ? "Unavailable" : "Invalid",
        `STS ${action} answered HTTP ${answer.status} with a body that is not an STS error`
      )
    )
  }
  const { Code: code, Message: message, RequestId: requestId } = error.value
  const retryable = transient || isRetryableCode(code)
  const said = message === undefined ? "" : `: ${printable(scrub(message, secrets))}`
  return Effect.fail(
    credentialsError(
      provider,
      retryable ? "Unavailable" : "Refused",
      `STS ${action} refused: ${printable(code, 100)}${said}${requestId === undefined ? "" : ` (request id ${printable(requestId, 100)})`}`
    )
  )
}

/** The session name when none is configured: unique per process and time, as the official library's. */
const defaultSessionName = Effect.map(Clock.currentTimeMillis, (now) => `iot-ota-${now}`)

/**
 * Options of {@link fromAssumeRole}.
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import type { AssumeRoleOptions } from "@iot-ota/core/CredentialProviders"
 * import * as Credentials from "@iot-ota/core/Credentials"
 *
 * const base = Effect.runSync(Credentials.make({ accessKeyId: "LTAI...", accessKeySecret: "..." }))
 * const options: AssumeRoleOptions = { base, roleArn: "acs:ram::1234567890123456:role/iot-ota-reader" }
 * ```
 */
export interface AssumeRoleOptions extends RoleOptions, StsOptions {
  /** The credential STS `AssumeRole` is signed with: a RAM user's key, or any other provider. */
  readonly base: CredentialsService
  /** The external id the role's trust policy asks for, if any. */
  readonly externalId?: string | undefined
}

/**
 * Temporary credentials of a RAM role, from STS `AssumeRole` signed
 * (HMAC-SHA1) with the `base` provider's credential. Cached, and assumed
 * again before they expire. The `source` is `assume-role <roleArn> (base:
 * <base source>)`. Fails (when built) with an `Invalid` `CredentialsError`
 * for a missing role, a duration under 900 s or a bad endpoint.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { Effect, Layer } from "effect"
 * import * as CredentialProviders from "@iot-ota/core/CredentialProviders"
 * import * as Credentials from "@iot-ota/core/Credentials"
 *
 * // A RAM user's key from the environment assumes the role the client works as.
 * const CredentialsLive = Layer.effect(
 *   Credentials.Credentials,
 *   Effect.flatMap(Effect.orDie(Credentials.fromConfig), (base) =>
 *     CredentialProviders.fromAssumeRole({
 *       base,
 *       roleArn: "acs:ram::1234567890123456:role/iot-ota-reader",
 *       regionId: "cn-shanghai"
 *     })
 *   )
 * )
 * ```
 */
export const fromAssumeRole = (
  options: AssumeRoleOptions
): Effect.Effect<CredentialsService, CredentialsError> =>
  Effect.gen(function* () {
    // The base's source may change (a role discovered, a chain member chosen): read it when needed.
    const sourceNow = () => `assume-role ${String(options.roleArn).trim()} (base: ${options.base.source})`
    const role = yield* checkRole(options, sourceNow())
    const endpoint = yield* stsEndpoint(options, sourceNow())
    const crypto = Option.getOrElse(yield* Effect.serviceOption(SigningCrypto), () => makeWebCrypto())
    const fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init))
    const timeoutMs = options.timeoutMs ?? DEFAULT_STS_TIMEOUT_MS
    const externalId = options.externalId?.trim() || undefined

    const assume = Effect.gen(function* () {
      const base = yield* options.base.get
      const now = yield* Clock.currentTimeMillis
      const query: Record<string, string> = {
        Action: "AssumeRole",
        Version: STS_VERSION,
        Format: "JSON",
        AccessKeyId: base.accessKeyId,
        SignatureMethod: "HMAC-SHA1",
        SignatureVersion: "1.0",
        SignatureNonce: globalThis.crypto.randomUUID(),
        Timestamp: formatTimestamp(now)
      }
      if (base.securityToken !== undefined) query.SecurityToken = Redacted.value(base.securityToken)
      const body: Record<string, string> = {
        RoleArn: role.roleArn,
        RoleSessionName: role.roleSessionName ?? (yield* defaultSessionName),
        DurationSeconds: String(role.durationSeconds)
      }
      if (role.policy !== undefined) body.Policy = role.policy
      if (externalId !== undefined) body.ExternalId = externalId
      // The signature covers the query and the form body together, with the real method.
      const signature = yield* rpcSignature(
        rpcStringToSign("POST", canonicalQuery({ ...query, ...body })),
        base.accessKeySecret
      ).pipe(Effect.provideService(SigningCrypto, crypto))
      const url = new URL(endpoint)
      url.search = `${canonicalQuery(query)}&Signature=${percentEncode(signature)}`
      const answer = yield* Effect.mapError(
        send(fetchImpl, {
          method: "POST",
          url,
          headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
          body: canonicalQuery(body),
          timeoutMs
        }),
        (failure) => httpFailure(sourceNow(), failure)
      )
      return yield* readStsAnswer(sourceNow(), "AssumeRole", answer, secretsOf(base))
    })
    return yield* cached(
      {
        get source() {
          return sourceNow()
        },
        get: assume
      },
      options
    )
  })

/**
 * Options of {@link fromOidc}.
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import type { OidcOptions } from "@iot-ota/core/CredentialProviders"
 *
 * declare const readToken: () => Promise<string>
 * const options: OidcOptions = {
 *   roleArn: "acs:ram::1234567890123456:role/iot-ota-reader",
 *   oidcProviderArn: "acs:ram::1234567890123456:oidc-provider/ack-rrsa-c1234",
 *   token: readToken
 * }
 * ```
 */
export interface OidcOptions extends RoleOptions, StsOptions {
  /** e.g. `acs:ram::1234567890123456:oidc-provider/ack-rrsa-c1234`. */
  readonly oidcProviderArn: string
  /**
   * The OIDC token (a JWT), asked for again on every refresh: tokens are
   * rotated (ACK rewrites its token file hourly). It may fail with a
   * `CredentialsError` of its own; any other exception is `Unavailable`.
   */
  readonly token: () => Promise<string> | string
}

/**
 * Temporary credentials of a RAM role, from STS `AssumeRoleWithOIDC` with an
 * OIDC token (not signed: the token is the proof). Cached, and assumed again
 * with a fresh token before they expire. The `source` is `oidc <roleArn>`.
 * The token never appears in errors, even when STS quotes it.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import * as CredentialProviders from "@iot-ota/core/CredentialProviders"
 *
 * // A Worker trusted by a RAM role through an OIDC identity provider.
 * declare const env: { readonly ROLE_ARN: string; readonly OIDC_PROVIDER_ARN: string; readonly ID_TOKEN: string }
 * const provider = CredentialProviders.fromOidc({
 *   roleArn: env.ROLE_ARN,
 *   oidcProviderArn: env.OIDC_PROVIDER_ARN,
 *   token: () => env.ID_TOKEN,
 *   regionId: "cn-shanghai"
 * })
 * ```
 */
export const fromOidc = (options: OidcOptions): Effect.Effect<CredentialsService, CredentialsError> =>
  Effect.gen(function* () {
    const source = `oidc ${String(options.roleArn).trim()}`
    const role = yield* checkRole(options, source)
    const oidcProviderArn = typeof options.oidcProviderArn === "string" ? options.oidcProviderArn.trim() : ""
    if (oidcProviderArn === "")
      return yield* Effect.fail(credentialsError(source, "Invalid", "oidcProviderArn is missing"))
    const endpoint = yield* stsEndpoint(options, source)
    const fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init))
    const timeoutMs = options.timeoutMs ?? DEFAULT_STS_TIMEOUT_MS

    const readToken = Effect.flatMap(
      Effect.tryPromise({
        try: () => Promise.resolve().then(options.token),
        catch: (error) =>
          error instanceof CredentialsError
            ? error
            : credentialsError(
                source,
                "Unavailable",
                `reading the OIDC token failed: ${printable(String(error instanceof Error ? error.message : error))}`
              )
      }),
      (token) => {
        const text = typeof token === "string" ? token.trim() : ""
        return text === ""
          ? Effect.fail(credentialsError(source, "Invalid", "the OIDC token is empty"))
          : Effect.succeed(text)
      }
    )

    const assume = Effect.gen(function* () {
      const token = yield* readToken
      const now = yield* Clock.currentTimeMillis
      const query = {
        Action: "AssumeRoleWithOIDC",
        Version: STS_VERSION,
        Format: "JSON",
        Timestamp: formatTimestamp(now)
      }
      const body: Record<string, string> = {
        OIDCProviderArn: oidcProviderArn,
        OIDCToken: token,
        RoleArn: role.roleArn,
        RoleSessionName: role.roleSessionName ?? (yield* defaultSessionName),
        DurationSeconds: String(role.durationSeconds)
      }
      if (role.policy !== undefined) body.Policy = role.policy
      const url = new URL(endpoint)
      url.search = canonicalQuery(query)
      const answer = yield* Effect.mapError(
        send(fetchImpl, {
          method: "POST",
          url,
          headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
          // The token goes in the body, never the URL.
          body: canonicalQuery(body),
          timeoutMs
        }),
        (failure) => httpFailure(source, failure)
      )
      return yield* readStsAnswer(source, "AssumeRoleWithOIDC", answer, [token])
    })
    return yield* cached({ source, get: assume }, options)
  })

/**
 * Options of {@link fromEcsMetadata}.
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import type { EcsMetadataOptions } from "@iot-ota/core/CredentialProviders"
 *
 * // The role named, the hardened mode required.
 * const options: EcsMetadataOptions = { roleName: "iot-ota-reader", disableImdsV1: true }
 * ```
 */
export interface EcsMetadataOptions extends CacheOptions {
  /** The RAM role attached to the instance; discovered from the metadata service when absent. */
  readonly roleName?: string | undefined
  /** Default `http://100.100.100.200`; tests and emulators point it elsewhere. */
  readonly endpoint?: string | URL | undefined
  /**
   * Refuse the plain mode: every request must carry a metadata session token
   * (the hardened mode, which a request forged through an SSRF cannot get).
   * Default false: when the service refuses to issue a token (an older
   * instance), requests go without one, as the official library does.
   */
  readonly disableImdsV1?: boolean | undefined
  /** Per request, default 1000 (the metadata service is one hop away). */
  readonly timeoutMs?: number | undefined
  /** The lifetime asked for the metadata session token, default 21600 (6 hours). */
  readonly metadataTokenTtlSeconds?: number | undefined
  /** The `fetch` to call the metadata service with, default `globalThis.fetch`. */
  readonly fetch?: typeof globalThis.fetch | undefined
}

/**
 * The address of the ECS instance metadata service.
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import { ECS_METADATA_ENDPOINT } from "@iot-ota/core/CredentialProviders"
 *
 * ECS_METADATA_ENDPOINT // "http://100.100.100.200"
 * ```
 */
export const ECS_METADATA_ENDPOINT = "http://100.100.100.200"

const CREDENTIALS_PATH = "/latest/meta-data/ram/security-credentials/"

const EcsCredentials = Schema.Struct({
  Code: Schema.optional(Schema.String),
  AccessKeyId: Schema.String,
  AccessKeySecret: Schema.String,
  SecurityToken: Schema.String,
  Expiration: Schema.String
})
const decodeEcsCredentials = Schema.decodeUnknownOption(Schema.parseJson(EcsCredentials))

/**
 * Temporary credentials of the RAM role attached to the ECS instance, from
 * the instance metadata service: first a metadata session token (`PUT
 * /latest/api/token`, the hardened mode), then the role's credentials with
 * it; without a token only when the service refuses to issue one and
 * `disableImdsV1` is not set. The role is discovered when not named. Cached,
 * and fetched again before they expire. The `source` is `ecs-metadata role
 * <name>`. When the service never answered and no role was named, the error
 * is `NotConfigured` (this is not an ECS instance), so a chain moves on.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { Effect, Layer } from "effect"
 * import * as CredentialProviders from "@iot-ota/core/CredentialProviders"
 * import * as Credentials from "@iot-ota/core/Credentials"
 *
 * // Deno or Bun on an ECS instance with a RAM role (Node: @iot-ota/node's fromEcsMetadata reads the environment too).
 * const CredentialsLive = Layer.effect(
 *   Credentials.Credentials,
 *   CredentialProviders.fromEcsMetadata({ roleName: "iot-ota-reader", disableImdsV1: true })
 * )
 * ```
 */
export const fromEcsMetadata = (
  options: EcsMetadataOptions = {}
): Effect.Effect<CredentialsService, CredentialsError> =>
  Effect.gen(function* () {
    const configuredRole = options.roleName?.trim() || undefined
    let role = configuredRole
    const sourceNow = () => (role === undefined ? "ecs-metadata" : `ecs-metadata role ${role}`)
    let base: URL
    try {
      base = new URL(options.endpoint ?? ECS_METADATA_ENDPOINT)
      if (base.protocol !== "http:" && base.protocol !== "https:") throw new Error("not http")
    } catch {
      return yield* Effect.fail(
        credentialsError(sourceNow(), "Invalid", "the metadata endpoint must be an http(s) URL")
      )
    }
    const fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init))
    const timeoutMs = options.timeoutMs ?? 1000
    const ttl = String(options.metadataTokenTtlSeconds ?? 21_600)
    const disableImdsV1 = options.disableImdsV1 === true
    /** Whether the service has ever answered: until it has, "no answer" means "not on ECS". */
    let answered = false

    const request = (method: "GET" | "PUT", path: string, headers: Record<string, string>) =>
      Effect.mapError(
        Effect.tap(send(fetchImpl, { method, url: new URL(path, base), headers, timeoutMs }), () =>
          Effect.sync(() => {
            answered = true
          })
        ),
        (failure): CredentialsError =>
          !answered && configuredRole === undefined && failure.kind !== "too-large"
            ? notConfigured(
                sourceNow(),
                `no instance metadata service at ${base.host} (${failure.message}); not an ECS instance?`
              )
            : httpFailure(sourceNow(), failure)
      )

    /** The session token, or none in the plain mode. */
    const sessionToken = Effect.flatMap(
      request("PUT", "/latest/api/token", { "x-aliyun-ecs-metadata-token-ttl-seconds": ttl }),
      (answer): Effect.Effect<Option.Option<string>, CredentialsError> => {
        const token = answer.body.trim()
        if (answer.status === 200 && token !== "") return Effect.succeed(Option.some(token))
        if (disableImdsV1) {
          return Effect.fail(
            credentialsError(
              sourceNow(),
              answer.status >= 500 ? "Unavailable" : "Refused",
              `the metadata service issued no session token (HTTP ${answer.status}) and the plain mode is disabled`
            )
          )
        }
        return Effect.as(
          Effect.logDebug("the metadata service issued no session token; using the plain mode").pipe(
            Effect.annotateLogs({ status: answer.status })
          ),
          Option.none()
        )
      }
    )

    const withToken = (token: Option.Option<string>): Record<string, string> =>
      Option.isSome(token) ? { "x-aliyun-ecs-metadata-token": token.value } : {}

    const failed = (what: string, answer: CredentialHttpAnswer, notFound: CredentialsErrorReason) =>
      credentialsError(
        sourceNow(),
        answer.status === 404
          ? notFound
          : answer.status >= 500 || answer.status === 429
            ? "Unavailable"
            : "Invalid",
        `${what}: the metadata service answered HTTP ${answer.status}`
      )

    const discoverRole = (token: Option.Option<string>) =>
      Effect.flatMap(request("GET", CREDENTIALS_PATH, withToken(token)), (answer) => {
        const name = answer.body
          .split("\n")
          .map((line) => line.trim())
          .find((line) => line !== "")
        if (answer.status !== 200 || name === undefined)
          return Effect.fail(
            answer.status === 200 || answer.status === 404
              ? notConfigured(sourceNow(), "no RAM role is attached to this instance")
              : failed("listing the instance's RAM roles", answer, "NotConfigured")
          )
        role = name
        return Effect.succeed(name)
      })

    const fetchCredential = Effect.gen(function* () {
      const token = yield* sessionToken
      const name = role ?? (yield* discoverRole(token))
      const answer = yield* request("GET", CREDENTIALS_PATH + encodeURIComponent(name), withToken(token))
      if (answer.status !== 200)
        return yield* Effect.fail(failed(`the credentials of role ${name}`, answer, "Invalid"))
      const body = decodeEcsCredentials(answer.body)
      const credential = Option.flatMapNullable(body, (fields) =>
        fields.Code === undefined || fields.Code === "Success" ? issued(fields) : undefined
      )
      if (Option.isNone(credential))
        return yield* Effect.fail(
          credentialsError(
            sourceNow(),
            "Invalid",
            `the metadata service's answer for role ${name} holds no usable credential`
          )
        )
      return credential.value
    })

    return yield* cached(
      {
        get source() {
          return sourceNow()
        },
        get: fetchCredential
      },
      options
    )
  })
