/**
 * The AccessKey pair requests are signed with. The secret is `Redacted`
 * everywhere: it prints as `<redacted>` and is only unwrapped at the moment a
 * signature is computed.
 *
 * @since 0.1.0
 */
import * as Config from "effect/Config"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { type CredentialsError, ValidationError } from "./IotError.js"

/**
 * One credential: an AccessKey pair, and for temporary (STS) credentials a
 * security token and an expiry.
 *
 * @since 0.1.0
 * @category models
 */
export interface Credential {
  readonly accessKeyId: string
  readonly accessKeySecret: Redacted.Redacted<string>
  readonly securityToken?: Redacted.Redacted<string> | undefined
  readonly expiration?: Date | undefined
}

/**
 * Where requests get their credential: asked on every attempt.
 *
 * @since 0.1.0
 * @category models
 */
export interface CredentialsService {
  /** Where credentials come from, for messages (never a secret). */
  readonly source: string
  /** The credential for the next attempt. */
  readonly get: Effect.Effect<Credential, CredentialsError>
}

/**
 * The credentials requests are signed with, as a service.
 *
 * @since 0.1.0
 * @category tags
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import * as Credentials from "@iot-ota/core/Credentials"
 *
 * // Which key is in use, for a startup log line.
 * const keyId = Effect.map(Credentials.Credentials, (credentials) => credentials.accessKeyId)
 * Effect.runSync(Effect.provide(keyId, Credentials.layer({ accessKeyId: "LTAI...", accessKeySecret: "..." })))
 * ```
 */
export class Credentials extends Context.Tag("@iot-ota/core/Credentials")<
  Credentials,
  CredentialsService
>() {}

/**
 * Checks and builds credentials. A secret given as a plain string is wrapped
 * in `Redacted` at once.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import * as Credentials from "@iot-ota/core/Credentials"
 * const creds = Effect.runSync(Credentials.make({ accessKeyId: "LTAI...", accessKeySecret: "..." }))
 * ```
 */
export const make = (values: {
  readonly accessKeyId: string | undefined
  readonly accessKeySecret: string | Redacted.Redacted<string> | undefined
  readonly securityToken?: string | Redacted.Redacted<string> | undefined
  readonly expiration?: Date | undefined
  readonly source?: string | undefined
}): Effect.Effect<CredentialsService, ValidationError> => {
  const { accessKeyId, accessKeySecret } = values
  if (typeof accessKeyId !== "string" || accessKeyId.trim() === "") {
    return Effect.fail(
      new ValidationError({
        field: "accessKeyId",
        rule: "a non-empty string",
        message:
          "accessKeyId is missing: pass it explicitly or set OTA_ACCESS_KEY_ID (or ALIBABA_CLOUD_ACCESS_KEY_ID)"
      })
    )
  }
  const secret = Redacted.isRedacted(accessKeySecret)
    ? accessKeySecret
    : typeof accessKeySecret === "string"
      ? Redacted.make(accessKeySecret.trim())
      : undefined
  if (secret === undefined || Redacted.value(secret) === "") {
    return Effect.fail(
      new ValidationError({
        field: "accessKeySecret",
        rule: "a non-empty string",
        message:
          "accessKeySecret is missing: pass it explicitly or set OTA_ACCESS_KEY_SECRET (or ALIBABA_CLOUD_ACCESS_KEY_SECRET)"
      })
    )
  }
  const token =
    values.securityToken === undefined || Redacted.isRedacted(values.securityToken)
      ? values.securityToken
      : values.securityToken.trim() === ""
        ? undefined
        : Redacted.make(values.securityToken.trim())
  const credential: Credential = {
    accessKeyId: accessKeyId.trim(),
    accessKeySecret: secret,
    ...(token === undefined ? {} : { securityToken: token }),
    ...(values.expiration === undefined ? {} : { expiration: values.expiration })
  }
  return Effect.succeed({ source: values.source ?? "the client options", get: Effect.succeed(credential) })
}

/**
 * Credentials from explicit values.
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
}): Layer.Layer<Credentials, ValidationError> => Layer.effect(Credentials, make(values))

/**
 * Reads the pair from the current `ConfigProvider` (the environment by
 * default): `OTA_ACCESS_KEY_ID` / `OTA_ACCESS_KEY_SECRET`, falling back to
 * `ALIBABA_CLOUD_ACCESS_KEY_ID` / `ALIBABA_CLOUD_ACCESS_KEY_SECRET`. Each
 * name is looked up separately, so an id and a secret from different families
 * are never mixed unless one family is incomplete.
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
 * const credentials = Effect.runSync(Effect.withConfigProvider(Credentials.fromConfig, settings))
 * credentials.accessKeyId // "id"
 * ```
 */
export const fromConfig: Effect.Effect<CredentialsService, ValidationError> = Effect.gen(function* () {
  const [ota, alibaba] = yield* Effect.all([
    Config.all([
      Config.option(Config.string("OTA_ACCESS_KEY_ID")),
      Config.option(Config.redacted("OTA_ACCESS_KEY_SECRET"))
    ]),
    Config.all([
      Config.option(Config.string("ALIBABA_CLOUD_ACCESS_KEY_ID")),
      Config.option(Config.redacted("ALIBABA_CLOUD_ACCESS_KEY_SECRET"))
    ])
  ]).pipe(Effect.orDie)
  // Take a complete pair from one family: OTA_* first, then ALIBABA_CLOUD_*.
  const pick = ota[0]._tag === "Some" && ota[1]._tag === "Some" ? ota : alibaba
  const accessKeyId =
    pick[0]._tag === "Some" ? pick[0].value : ota[0]._tag === "Some" ? ota[0].value : undefined
  const accessKeySecret =
    pick[1]._tag === "Some" ? pick[1].value : ota[1]._tag === "Some" ? ota[1].value : undefined
  return yield* make({ accessKeyId, accessKeySecret })
})

/**
 * Credentials from the current `ConfigProvider` (see {@link fromConfig}).
 *
 * @since 0.1.0
 * @category layers
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import * as Credentials from "@iot-ota/core/Credentials"
 *
 * // Fails with a ValidationError naming the variables to set when the environment has no pair.
 * const keyId = Effect.map(Credentials.Credentials, (credentials) => credentials.accessKeyId).pipe(
 *   Effect.provide(Credentials.layerConfig)
 * )
 * ```
 */
export const layerConfig: Layer.Layer<Credentials, ValidationError> = Layer.effect(Credentials, fromConfig)

/**
 * Credentials from an env-like record, such as a Cloudflare Worker's `env`
 * or `Deno.env.toObject()`, with the same names as {@link fromConfig}.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import * as Credentials from "@iot-ota/core/Credentials"
 * const creds = Effect.runSync(Credentials.fromRecord({ OTA_ACCESS_KEY_ID: "id", OTA_ACCESS_KEY_SECRET: "secret" }))
 * ```
 */
export const fromRecord = (
  env: Readonly<Record<string, unknown>>
): Effect.Effect<CredentialsService, ValidationError> => {
  const strings = new Map<string, string>()
  for (const [key, value] of Object.entries(env)) if (typeof value === "string") strings.set(key, value)
  return Effect.withConfigProvider(fromConfig, ConfigProvider.fromMap(strings))
}
