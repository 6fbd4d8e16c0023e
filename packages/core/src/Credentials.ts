/**
 * What requests are signed with, and where it comes from.
 *
 * A {@link Credential} is an AccessKey pair, plus a security token and an
 * expiration when it is temporary (STS). A credentials *provider*
 * ({@link CredentialsService}) hands the client a credential for each attempt
 * and says where it got it (`source`, for messages; never a secret). This
 * module holds the runtime-neutral providers: static keys (explicit or from
 * the environment), a user function, and the combinators {@link cached}
 * (refresh before expiry, single-flight) and {@link chain} (first source that
 * has credentials). STS role assumption is in `CredentialProviders`.
 *
 * Secrets and tokens are `Redacted` from the moment they are read, and every
 * id, secret and token is trimmed of surrounding white space (a secret pasted
 * with a trailing newline used to sign wrongly).
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as SynchronizedRef from "effect/SynchronizedRef"
import { CredentialsError, type CredentialsErrorReason, ValidationError } from "./IotError.js"

/**
 * One credential: an AccessKey pair, plus a security token and its
 * expiration when the credential is temporary (STS).
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import { Redacted } from "effect"
 * import type { Credential } from "@iot-ota/core/Credentials"
 *
 * const temporary: Credential = {
 *   accessKeyId: "STS.NUxxxx",
 *   accessKeySecret: Redacted.make("..."),
 *   securityToken: Redacted.make("CAIS..."),
 *   expiration: new Date("2030-01-01T00:00:00Z")
 * }
 * String(temporary.securityToken) // "<redacted>"
 * ```
 */
export interface Credential {
  readonly accessKeyId: string
  readonly accessKeySecret: Redacted.Redacted<string>
  /** Present on temporary (STS) credentials: sent as `SecurityToken` (V2) or `x-acs-security-token` (V3). */
  readonly securityToken?: Redacted.Redacted<string> | undefined
  /** When the credential stops working; absent for long-lived keys. */
  readonly expiration?: Date | undefined
}

/**
 * A credentials provider: the client asks it for a credential on every
 * attempt, so `get` must be cheap when nothing needs refreshing (see
 * {@link cached}).
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import { Effect, Redacted } from "effect"
 * import type { CredentialsService } from "@iot-ota/core/Credentials"
 *
 * // A fixed pair, written out by hand (Credentials.fromStatic does this, and checks it).
 * const provider: CredentialsService = {
 *   source: "hand-written",
 *   get: Effect.succeed({ accessKeyId: "LTAI...", accessKeySecret: Redacted.make("...") })
 * }
 * ```
 */
export interface CredentialsService {
  /**
   * Where credentials come from, for messages and `--verbose`: e.g.
   * `options`, `env OTA_ACCESS_KEY_ID`, `profile prod (~/.config/iot-ota/credentials)`,
   * `ecs-metadata role app-role`, `assume-role acs:ram::…:role/x`. Never a secret.
   */
  readonly source: string
  /** The credential for the next attempt (called on every attempt; cheap when cached). */
  readonly get: Effect.Effect<Credential, CredentialsError>
  /**
   * The server refused `credential` as expired (`InvalidSecurityToken.Expired`)
   * before the time this provider had for it: its clock runs ahead, or the
   * token was cut short. A provider that can fetch another drops it, so the
   * next `get` fetches; the client then sends the request once more. Leave
   * it out when the credential cannot be replaced (the refusal is then the
   * call's error). Drop nothing when `credential` is no longer the one held:
   * another call has already replaced it.
   */
  readonly invalidate?: ((credential: Credential) => Effect.Effect<void>) | undefined
}

/**
 * A provider of one fixed credential, which it also is: `accessKeyId` can be
 * read without running `get` (what the Promise clients show as
 * `client.accessKeyId`).
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import * as Credentials from "@iot-ota/core/Credentials"
 *
 * const provider: Credentials.StaticCredentials = Effect.runSync(
 *   Credentials.make({ accessKeyId: "LTAI...", accessKeySecret: "..." })
 * )
 * provider.accessKeyId // "LTAI..."
 * provider.source // "options"
 * ```
 */
export interface StaticCredentials extends CredentialsService, Credential {}

/**
 * The credentials provider requests are signed with, as a service.
 *
 * @since 0.1.0
 * @category tags
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import * as Credentials from "@iot-ota/core/Credentials"
 *
 * // Which key is in use and where it came from, for a startup log line (never the secret).
 * const describe = Effect.flatMap(Credentials.Credentials, (provider) =>
 *   Effect.map(provider.get, (credential) => `${credential.accessKeyId} from ${provider.source}`)
 * )
 * Effect.runSync(Effect.provide(describe, Credentials.layer({ accessKeyId: "LTAI...", accessKeySecret: "..." })))
 * // "LTAI... from options"
 * ```
 */
export class Credentials extends Context.Tag("@iot-ota/core/Credentials")<
  Credentials,
  CredentialsService
>() {}

/**
 * A credential as a provider function or a caller hands it over: plain
 * strings (or `Redacted`), trimmed and wrapped in `Redacted` on the way in.
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import type { CredentialInput } from "@iot-ota/core/Credentials"
 *
 * const fromVault = async (): Promise<CredentialInput> => ({
 *   accessKeyId: "STS.NUxxxx",
 *   accessKeySecret: "...",
 *   securityToken: "CAIS...",
 *   expiration: new Date(Date.now() + 3_600_000)
 * })
 * ```
 */
export interface CredentialInput {
  readonly accessKeyId: string
  readonly accessKeySecret: string | Redacted.Redacted<string>
  readonly securityToken?: string | Redacted.Redacted<string> | undefined
  readonly expiration?: Date | undefined
}

/** A string or `Redacted` string without surrounding white space; `undefined` when empty or not a string. */
const trimmed = (value: unknown): string | undefined => {
  const raw = Redacted.isRedacted(value) ? Redacted.value(value) : value
  if (typeof raw !== "string") return undefined
  const text = raw.trim()
  return text === "" ? undefined : text
}

/** The trimmed secret as `Redacted`, keeping the caller's `Redacted` when nothing was trimmed. */
const redactedTrimmed = (value: unknown): Redacted.Redacted<string> | undefined => {
  const text = trimmed(value)
  if (text === undefined) return undefined
  return Redacted.isRedacted(value) && Redacted.value(value as Redacted.Redacted<string>) === text
    ? (value as Redacted.Redacted<string>)
    : Redacted.make(text)
}

type Checked =
  | { readonly _tag: "Right"; readonly credential: Credential }
  | { readonly _tag: "Left"; readonly field: keyof Credential; readonly problem: string }

/** Trims, wraps and checks what a caller or a provider function handed over. */
const check = (input: unknown): Checked => {
  const values = (typeof input === "object" && input !== null ? input : {}) as Record<string, unknown>
  const accessKeyId = trimmed(values.accessKeyId)
  if (accessKeyId === undefined)
    return { _tag: "Left", field: "accessKeyId", problem: "accessKeyId is missing or empty" }
  const accessKeySecret = redactedTrimmed(values.accessKeySecret)
  if (accessKeySecret === undefined)
    return { _tag: "Left", field: "accessKeySecret", problem: "accessKeySecret is missing or empty" }
  const securityToken = redactedTrimmed(values.securityToken)
  const expiration = values.expiration
  if (expiration !== undefined && !(expiration instanceof Date && !Number.isNaN(expiration.getTime()))) {
    return { _tag: "Left", field: "expiration", problem: "expiration is not a valid Date" }
  }
  return {
    _tag: "Right",
    credential: {
      accessKeyId,
      accessKeySecret,
      ...(securityToken === undefined ? {} : { securityToken }),
      ...(expiration === undefined ? {} : { expiration })
    }
  }
}

const credentialsError = (
  provider: string,
  reason: CredentialsErrorReason,
  message: string,
  retryable = reason === "Unavailable"
): CredentialsError => new CredentialsError({ provider, reason, message, retryable })

/**
 * The error of a provider whose source holds nothing (variables unset, no
 * file): a {@link chain} moves on to its next member.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import * as Credentials from "@iot-ota/core/Credentials"
 *
 * declare const env: Record<string, string | undefined>
 * const fromMountedKeys: Credentials.CredentialsService = {
 *   source: "mounted keys",
 *   get:
 *     env.KEY_ID === undefined
 *       ? Effect.fail(Credentials.notConfigured("mounted keys", "KEY_ID is not set"))
 *       : Effect.die("read them here")
 * }
 * ```
 */
export const notConfigured = (provider: string, message: string): CredentialsError =>
  credentialsError(provider, "NotConfigured", message)

/** The provider of one checked credential; an expiration, when given, is enforced. */
const staticService = (credential: Credential, source: string): StaticCredentials => {
  const expiresAt = credential.expiration?.getTime()
  const get: Effect.Effect<Credential, CredentialsError> =
    expiresAt === undefined
      ? Effect.succeed(credential)
      : Effect.flatMap(Clock.currentTimeMillis, (now) =>
          now < expiresAt
            ? Effect.succeed(credential)
            : Effect.fail(
                credentialsError(
                  source,
                  "Invalid",
                  `the credential expired at ${credential.expiration!.toISOString()}; supply fresh credentials (or a provider that refreshes them)`
                )
              )
        )
  return { ...credential, source, get }
}

/**
 * Checks and builds a static provider from explicit values (the client's
 * `accessKeyId` / `accessKeySecret` / `securityToken` options). Values are
 * trimmed; a secret or token given as a plain string is wrapped in `Redacted`
 * at once. Fails with a `ValidationError` naming the missing field.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import * as Credentials from "@iot-ota/core/Credentials"
 *
 * // A temporary credential handed over by hand: it is not refreshed.
 * const provider = Effect.runSync(
 *   Credentials.make({ accessKeyId: "STS.NUxxxx", accessKeySecret: "...\n", securityToken: "CAIS..." })
 * )
 * ```
 */
export const make = (values: {
  readonly accessKeyId: string | undefined
  readonly accessKeySecret: string | Redacted.Redacted<string> | undefined
  readonly securityToken?: string | Redacted.Redacted<string> | undefined
  /** Where the values came from, default `options`. */
  readonly source?: string | undefined
}): Effect.Effect<StaticCredentials, ValidationError> => {
  const checked = check(values)
  if (checked._tag === "Right")
    return Effect.succeed(staticService(checked.credential, values.source ?? "options"))
  return Effect.fail(
    checked.field === "accessKeyId"
      ? new ValidationError({
          field: "accessKeyId",
          rule: "a non-empty string",
          message:
            "accessKeyId is missing: pass it explicitly or set OTA_ACCESS_KEY_ID (or ALIBABA_CLOUD_ACCESS_KEY_ID)"
        })
      : new ValidationError({
          field: "accessKeySecret",
          rule: "a non-empty string",
          message:
            "accessKeySecret is missing: pass it explicitly or set OTA_ACCESS_KEY_SECRET (or ALIBABA_CLOUD_ACCESS_KEY_SECRET)"
        })
  )
}

/**
 * A static provider from explicit values, as a layer.
 *
 * @since 0.1.0
 * @category layers
 * @example
 * ```ts
 * import { Redacted } from "effect"
 * import * as Credentials from "@iot-ota/core/Credentials"
 *
 * declare const secrets: { readonly id: string; readonly secret: string } // e.g. from a secret manager
 * const CredentialsLive = Credentials.layer({
 *   accessKeyId: secrets.id,
 *   accessKeySecret: Redacted.make(secrets.secret)
 * })
 * ```
 */
export const layer = (values: {
  readonly accessKeyId: string
  readonly accessKeySecret: string | Redacted.Redacted<string>
  readonly securityToken?: string | Redacted.Redacted<string> | undefined
}): Layer.Layer<Credentials, ValidationError> => Layer.effect(Credentials, make(values))

/**
 * A static provider from the current `ConfigProvider` (the environment by
 * default): `OTA_ACCESS_KEY_ID` / `OTA_ACCESS_KEY_SECRET` /
 * `OTA_SECURITY_TOKEN`, falling back to `ALIBABA_CLOUD_ACCESS_KEY_ID` /
 * `ALIBABA_CLOUD_ACCESS_KEY_SECRET` / `ALIBABA_CLOUD_SECURITY_TOKEN`. A
 * complete `OTA_*` pair wins; an id and a secret from different families are
 * only paired when one family is incomplete, and the token always comes from
 * the family of the id. The `source` names the id's variable.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { ConfigProvider, Effect } from "effect"
 * import * as Credentials from "@iot-ota/core/Credentials"
 *
 * const settings = ConfigProvider.fromMap(
 *   new Map([["ALIBABA_CLOUD_ACCESS_KEY_ID", "id"], ["ALIBABA_CLOUD_ACCESS_KEY_SECRET", "secret"]])
 * )
 * const provider = Effect.runSync(Effect.withConfigProvider(Credentials.fromConfig, settings))
 * provider.source // "env ALIBABA_CLOUD_ACCESS_KEY_ID"
 * ```
 */
export const fromConfig: Effect.Effect<StaticCredentials, ValidationError> = Effect.gen(function* () {
  const family = (prefix: string) =>
    Config.all([
      Config.option(Config.string(`${prefix}_ACCESS_KEY_ID`)),
      Config.option(Config.redacted(`${prefix}_ACCESS_KEY_SECRET`)),
      Config.option(Config.redacted(`${prefix}_SECURITY_TOKEN`))
    ])
  const [ota, alibaba] = yield* Effect.all([family("OTA"), family("ALIBABA_CLOUD")]).pipe(Effect.orDie)
  const present = <A>(value: Option.Option<A>): value is Option.Some<A> =>
    Option.isSome(value) && trimmed(value.value) !== undefined
  // Take a complete pair from one family: OTA_* first, then ALIBABA_CLOUD_*.
  const pick = present(ota[0]) && present(ota[1]) ? ota : alibaba
  const idFamily = present(pick[0]) ? pick : ota
  const secretFamily = present(pick[1]) ? pick : ota
  const name = idFamily === ota ? "OTA_ACCESS_KEY_ID" : "ALIBABA_CLOUD_ACCESS_KEY_ID"
  return yield* make({
    accessKeyId: Option.getOrUndefined(idFamily[0]),
    accessKeySecret: Option.getOrUndefined(secretFamily[1]),
    securityToken: Option.getOrUndefined(idFamily[2]),
    source: `env ${name}`
  })
})

/**
 * Static credentials from the current `ConfigProvider` (see {@link fromConfig}).
 *
 * @since 0.1.0
 * @category layers
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import * as Credentials from "@iot-ota/core/Credentials"
 *
 * // Fails with a ValidationError naming the variables to set when the environment has no pair.
 * const source = Effect.map(Credentials.Credentials, (provider) => provider.source).pipe(
 *   Effect.provide(Credentials.layerConfig)
 * )
 * ```
 */
export const layerConfig: Layer.Layer<Credentials, ValidationError> = Layer.effect(Credentials, fromConfig)

/**
 * Static credentials from an env-like record, such as a Cloudflare Worker's
 * `env` or `Deno.env.toObject()`, with the same names as {@link fromConfig}.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import * as Credentials from "@iot-ota/core/Credentials"
 * const provider = Effect.runSync(
 *   Credentials.fromRecord({ OTA_ACCESS_KEY_ID: "id", OTA_ACCESS_KEY_SECRET: "secret", OTA_SECURITY_TOKEN: "CAIS..." })
 * )
 * ```
 */
export const fromRecord = (
  env: Readonly<Record<string, unknown>>
): Effect.Effect<StaticCredentials, ValidationError> => {
  const strings = new Map<string, string>()
  for (const [key, value] of Object.entries(env)) if (typeof value === "string") strings.set(key, value)
  return Effect.withConfigProvider(fromConfig, ConfigProvider.fromMap(strings))
}

/**
 * A provider of one fixed credential, long-lived or temporary. Values are
 * trimmed and wrapped in `Redacted`; an `expiration`, when given, is
 * enforced (`get` fails once it has passed). Fails with an `Invalid`
 * `CredentialsError` when the id or the secret is missing.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import * as Credentials from "@iot-ota/core/Credentials"
 *
 * const provider = Credentials.fromStatic(
 *   { accessKeyId: "STS.NUxxxx", accessKeySecret: "...", securityToken: "CAIS..." },
 *   { source: "deploy secrets" }
 * )
 * ```
 */
export const fromStatic = (
  input: CredentialInput,
  options?: { readonly source?: string | undefined }
): Effect.Effect<StaticCredentials, CredentialsError> => {
  const source = options?.source ?? "static"
  const checked = check(input)
  return checked._tag === "Right"
    ? Effect.succeed(staticService(checked.credential, source))
    : Effect.fail(credentialsError(source, "Invalid", checked.problem))
}

class FunctionTimeout extends Error {}

/** What a caller's exception says, without control characters and within bounds. */
const describeThrown = (error: unknown): string => {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, " ").slice(0, 300)
}

/**
 * Options of {@link cached} and of the providers that cache.
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import type { CacheOptions } from "@iot-ota/core/Credentials"
 *
 * // Refresh 10 minutes before expiry.
 * const options: CacheOptions = { refreshMarginMs: 10 * 60_000 }
 * ```
 */
export interface CacheOptions {
  /**
   * How long before `expiration` to refresh, default {@link DEFAULT_REFRESH_MARGIN_MS}
   * (15 minutes), at most half of the credential's lifetime.
   */
  readonly refreshMarginMs?: number | undefined
}

/**
 * A provider that calls an async function for credentials (the client's
 * `credentials` option): for edge runtimes, vaults and anything the other
 * providers do not cover. The function returns plain strings (trimmed and
 * wrapped in `Redacted` here) and, for temporary credentials, an
 * `expiration`; it is called again before that (see {@link cached}), and
 * only once when there is none. A function that throws is a retryable
 * `Unavailable` error; a result without an id or a secret is `Invalid`.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import * as Credentials from "@iot-ota/core/Credentials"
 *
 * declare const vault: { read(path: string): Promise<{ id: string; secret: string; token: string; expires: string }> }
 * const provider = Credentials.fromFunction(
 *   async () => {
 *     const lease = await vault.read("alicloud/creds/iot-reader")
 *     return {
 *       accessKeyId: lease.id,
 *       accessKeySecret: lease.secret,
 *       securityToken: lease.token,
 *       expiration: new Date(lease.expires)
 *     }
 *   },
 *   { source: "vault alicloud/creds/iot-reader" }
 * )
 * ```
 */
export const fromFunction = (
  fn: () => Promise<CredentialInput> | CredentialInput,
  options?: CacheOptions & {
    readonly source?: string | undefined
    /** How long one call may take before it counts as failed, default 30000 (a hung vault must not hang every call). */
    readonly timeoutMs?: number | undefined
  }
): Effect.Effect<CredentialsService> => {
  const source = options?.source ?? "function"
  const timeoutMs = options?.timeoutMs ?? 30_000
  return cached(
    {
      source,
      get: Effect.flatMap(
        Effect.tryPromise({
          // A real-time deadline: Effect's clock may be a test clock that only moves when told to.
          try: () => {
            let timer: ReturnType<typeof setTimeout> | undefined
            return Promise.race([
              Promise.resolve().then(fn),
              new Promise<never>((_, reject) => {
                timer = setTimeout(() => reject(new FunctionTimeout()), timeoutMs)
              })
            ]).finally(() => clearTimeout(timer))
          },
          catch: (error) =>
            credentialsError(
              source,
              "Unavailable",
              error instanceof FunctionTimeout
                ? `the credentials function gave no answer within ${timeoutMs} ms`
                : `the credentials function failed: ${describeThrown(error)}`
            )
        }),
        (input) => {
          const checked = check(input)
          return checked._tag === "Right"
            ? Effect.succeed(checked.credential)
            : Effect.fail(
                credentialsError(
                  source,
                  "Invalid",
                  `the credentials function returned no usable credential: ${checked.problem}`
                )
              )
        }
      )
    },
    options
  )
}

/**
 * The default {@link CacheOptions.refreshMarginMs}: credentials are
 * refreshed 15 minutes before they expire, as the official credentials
 * libraries do (leeway for a clock that runs slow), or halfway through their
 * lifetime when that is sooner: STS credentials may live only 15 minutes.
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import { DEFAULT_REFRESH_MARGIN_MS } from "@iot-ota/core/Credentials"
 *
 * DEFAULT_REFRESH_MARGIN_MS // 900000
 * ```
 */
export const DEFAULT_REFRESH_MARGIN_MS = 15 * 60_000

/** After a failed refresh while the old credential still works, wait this long before the next try. */
const RETRY_REFRESH_AFTER_MS = 10_000

/** Log annotations of a failed refresh: the error's reason and message (never a secret). */
const failureOf = (exit: Exit.Exit<unknown, CredentialsError>): Record<string, string> => {
  if (Exit.isSuccess(exit)) return {}
  const failure = Cause.failureOption(exit.cause)
  return Option.isSome(failure)
    ? { reason: failure.value.reason, error: failure.value.message }
    : { error: "the refresh was interrupted or died" }
}

interface Entry {
  readonly credential: Credential
  /** From here on, the next `get` starts a refresh. */
  readonly refreshAt: number
  /** From here on, the credential is not handed out. */
  readonly expiresAt: number
}

interface CacheState {
  readonly entry: Entry | undefined
  readonly inflight: Deferred.Deferred<Credential, CredentialsError> | undefined
  /** No background refresh before this time (set after a failed one). */
  readonly quietUntil: number
}

/**
 * Caches a provider's credential until shortly before it expires:
 *
 * - `get` is a clock read and a comparison while the credential is fresh;
 * - from `expiration` minus the margin, the next `get` starts **one**
 *   refresh (single-flight: concurrent callers never start another); while
 *   it runs, callers keep the current credential as long as it has not
 *   expired, and wait for the refresh only when it has;
 * - the refresh runs on its own fiber: a caller interrupted while waiting
 *   does not cancel it for the others;
 * - a failed refresh is reported (a `CredentialsError`) only to callers with
 *   no valid credential left; otherwise it is logged and retried after 10 s;
 * - `invalidate` drops the held credential when the server refused it as
 *   expired before its time; the next `get` then waits for a new one.
 *
 * A credential without `expiration` is kept for the provider's lifetime.
 *
 * @since 0.1.0
 * @category combinators
 * @example
 * ```ts
 * import { Effect, Redacted } from "effect"
 * import * as Credentials from "@iot-ota/core/Credentials"
 *
 * declare const fetchFromBroker: Effect.Effect<Credentials.Credential, never>
 * const provider = Credentials.cached(
 *   { source: "broker", get: fetchFromBroker },
 *   { refreshMarginMs: 10 * 60_000 }
 * )
 * ```
 */
export const cached = (
  provider: CredentialsService,
  options?: CacheOptions
): Effect.Effect<CredentialsService> =>
  Effect.map(
    SynchronizedRef.make<CacheState>({ entry: undefined, inflight: undefined, quietUntil: 0 }),
    (state) => {
      const margin = Math.max(0, options?.refreshMarginMs ?? DEFAULT_REFRESH_MARGIN_MS)

      const entryOf = (credential: Credential, now: number): Entry => {
        const expiresAt = credential.expiration?.getTime() ?? Number.POSITIVE_INFINITY
        return {
          credential,
          expiresAt,
          refreshAt: expiresAt - Math.min(margin, (expiresAt - now) / 2)
        }
      }

      /** One refresh, on its own fiber: fetch, store, then wake the waiters. */
      const refresh = (done: Deferred.Deferred<Credential, CredentialsError>) =>
        Effect.gen(function* () {
          const exit = yield* Effect.exit(
            Effect.flatMap(provider.get, (credential) =>
              Effect.flatMap(Clock.currentTimeMillis, (now) => {
                const entry = entryOf(credential, now)
                return entry.expiresAt > now
                  ? Effect.succeed(entry)
                  : Effect.fail(
                      credentialsError(
                        provider.source,
                        "Invalid",
                        `the new credential had already expired (at ${credential.expiration!.toISOString()}); is this machine's clock right?`
                      )
                    )
              })
            )
          )
          const now = yield* Clock.currentTimeMillis
          const keptOld = yield* SynchronizedRef.modify(state, (current): readonly [boolean, CacheState] =>
            Exit.isSuccess(exit)
              ? [false, { entry: exit.value, inflight: undefined, quietUntil: 0 }]
              : [
                  current.entry !== undefined && now < current.entry.expiresAt,
                  { ...current, inflight: undefined, quietUntil: now + RETRY_REFRESH_AFTER_MS }
                ]
          )
          if (keptOld && Exit.isFailure(exit)) {
            yield* Effect.logWarning(
              "credential refresh failed; the current credential is used until it expires"
            ).pipe(Effect.annotateLogs({ provider: provider.source }), Effect.annotateLogs(failureOf(exit)))
          }
          yield* Deferred.done(
            done,
            Exit.map(exit, (entry) => entry.credential)
          )
        })

      type Next =
        | { readonly _tag: "Serve"; readonly credential: Credential }
        | { readonly _tag: "Await"; readonly done: Deferred.Deferred<Credential, CredentialsError> }

      /** Decides under the lock: serve what is held, start a refresh, or wait for the one running. */
      const decide = (now: number) =>
        SynchronizedRef.modifyEffect(state, (current): Effect.Effect<readonly [Next, CacheState]> => {
          const { entry, inflight } = current
          if (entry !== undefined && now < entry.refreshAt)
            return Effect.succeed([{ _tag: "Serve", credential: entry.credential }, current])
          const usable = entry !== undefined && now < entry.expiresAt
          const start = inflight === undefined && (!usable || now >= current.quietUntil)
          const running = start
            ? Effect.tap(Deferred.make<Credential, CredentialsError>(), (done) =>
                Effect.forkDaemon(refresh(done))
              )
            : Effect.succeed(inflight)
          return Effect.map(running, (done): readonly [Next, CacheState] => [
            // Without a running refresh there is nothing to wait for: the held credential is still usable.
            usable || done === undefined
              ? { _tag: "Serve", credential: entry!.credential }
              : { _tag: "Await", done },
            { ...current, inflight: done }
          ])
        })

      const get: Effect.Effect<Credential, CredentialsError> = Effect.flatMap(
        Clock.currentTimeMillis,
        (now) =>
          Effect.flatMap(SynchronizedRef.get(state), ({ entry }) =>
            entry !== undefined && now < entry.refreshAt
              ? Effect.succeed(entry.credential)
              : Effect.flatMap(Effect.uninterruptible(decide(now)), (next) =>
                  next._tag === "Serve" ? Effect.succeed(next.credential) : Deferred.await(next.done)
                )
          )
      )

      const invalidate = (credential: Credential): Effect.Effect<void> =>
        SynchronizedRef.update(state, (current) =>
          current.entry?.credential === credential ? { ...current, entry: undefined, quietUntil: 0 } : current
        )

      return {
        get source() {
          return provider.source
        },
        get,
        invalidate
      }
    }
  )

/**
 * A provider built on first use, by an effect that may fail (reading a file
 * or an environment): the build runs once when it succeeds, and again on the
 * next `get` when it failed. Builds never overlap.
 *
 * @since 0.1.0
 * @category combinators
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import * as Credentials from "@iot-ota/core/Credentials"
 *
 * // The keys are read when the first request needs them, not at startup.
 * declare const readMountedSecret: Effect.Effect<Credentials.CredentialInput>
 * const provider = Credentials.lazy(
 *   "mounted secret",
 *   Effect.flatMap(readMountedSecret, (input) => Credentials.fromStatic(input, { source: "mounted secret" }))
 * )
 * ```
 */
export const lazy = (
  source: string,
  build: Effect.Effect<CredentialsService, CredentialsError>
): Effect.Effect<CredentialsService> =>
  Effect.map(SynchronizedRef.make<CredentialsService | undefined>(undefined), (built) => {
    // Read synchronously by `source`; the ref is what orders the builds.
    let known: CredentialsService | undefined
    const provider = SynchronizedRef.modifyEffect(built, (current) =>
      current !== undefined
        ? Effect.succeed([current, current] as const)
        : Effect.map(build, (made) => {
            known = made
            return [made, made] as const
          })
    )
    return {
      get source() {
        return known?.source ?? source
      },
      get: Effect.suspend(() =>
        known !== undefined ? known.get : Effect.flatMap(provider, (made) => made.get)
      ),
      invalidate: (credential) => Effect.suspend(() => known?.invalidate?.(credential) ?? Effect.void)
    }
  })

/**
 * Tries providers in order and keeps the first that yields a credential
 * (it is asked directly from then on). A member that fails as
 * `NotConfigured` (nothing there) is skipped; any other failure stops the
 * chain, so that a configured source that is broken never silently hands
 * over to a different identity. The final error lists what every member
 * tried said. Members may be given as providers or as effects that build one.
 *
 * @since 0.1.0
 * @category combinators
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import * as Credentials from "@iot-ota/core/Credentials"
 *
 * // A broker first; keys baked into the deployment as a fallback only when no broker is configured.
 * declare const brokerUrl: string | undefined
 * const provider = Credentials.chain([
 *   brokerUrl === undefined
 *     ? { source: "broker", get: Effect.fail(Credentials.notConfigured("broker", "no broker URL configured")) }
 *     : Credentials.fromFunction(async () => (await fetch(brokerUrl)).json(), { source: `broker ${brokerUrl}` }),
 *   Credentials.fromStatic({ accessKeyId: "LTAI...", accessKeySecret: "..." }, { source: "deployment" })
 * ])
 * ```
 */
export const chain = (
  members: ReadonlyArray<CredentialsService | Effect.Effect<CredentialsService, CredentialsError>>,
  options?: { readonly source?: string | undefined }
): Effect.Effect<CredentialsService> =>
  Effect.gen(function* () {
    const providers: Array<CredentialsService> = []
    for (const member of members) {
      if (!Effect.isEffect(member)) {
        providers.push(member)
        continue
      }
      const built = yield* Effect.either(member)
      providers.push(
        built._tag === "Right" ? built.right : { source: built.left.provider, get: Effect.fail(built.left) }
      )
    }
    const label = options?.source ?? `chain (${providers.map((p) => p.source).join(", ")})`
    const chosen = yield* Ref.make<CredentialsService | undefined>(undefined)

    const tryFrom = (
      index: number,
      failures: ReadonlyArray<CredentialsError>
    ): Effect.Effect<Credential, CredentialsError> => {
      if (index >= providers.length) {
        return Effect.fail(
          credentialsError(
            label,
            "NotConfigured",
            failures.length === 0
              ? "the chain has no providers"
              : `no credentials found: ${failures.map((f) => `${f.provider}: ${f.message}`).join("; ")}`
          )
        )
      }
      const provider = providers[index]!
      return Effect.matchEffect(provider.get, {
        onSuccess: (credential) => Effect.as(Ref.set(chosen, provider), credential),
        onFailure: (error) =>
          error.reason === "NotConfigured"
            ? tryFrom(index + 1, [...failures, error])
            : Effect.fail(
                failures.length === 0
                  ? error
                  : credentialsError(
                      error.provider,
                      error.reason,
                      `${error.message} (skipped before it: ${failures.map((f) => `${f.provider}: ${f.message}`).join("; ")})`,
                      error.retryable
                    )
              )
      })
    }

    let current: CredentialsService | undefined
    return {
      get source() {
        return current?.source ?? label
      },
      get: Effect.flatMap(Ref.get(chosen), (provider) => {
        current = provider
        return provider !== undefined
          ? provider.get
          : Effect.tap(tryFrom(0, []), () =>
              Effect.map(Ref.get(chosen), (picked) => {
                current = picked
              })
            )
      }),
      invalidate: (credential) =>
        Effect.flatMap(Ref.get(chosen), (provider) => provider?.invalidate?.(credential) ?? Effect.void)
    }
  })
