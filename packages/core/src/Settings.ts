/**
 * Where a client's settings come from, and which source wins: the one place
 * the precedence is decided. Each runtime plugs in its own sources, in its
 * own order (Node: explicit options, a named profile, the environment, the
 * default profile; edge: explicit options, then a Worker's `env` bindings;
 * the CLI: its flags first); {@link merge} takes each setting from the first
 * source that has it, and the credential (id, secret, token) whole from the
 * first source that has any part of it, never half from each. Values are
 * trimmed: a secret pasted with a trailing newline signs wrongly.
 *
 * @since 0.1.0
 */

/**
 * A setting a source can supply.
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import * as Settings from "@iot-ota/core/Settings"
 *
 * // What a deployment check reports as missing.
 * const missing = (merged: Settings.Merged, required: ReadonlyArray<Settings.SettingName>) =>
 *   required.filter((name) => merged.values[name] === undefined)
 * missing(Settings.merge([Settings.fromEnvironment({})]), ["endpoint", "accessKeyId"]) // ["endpoint", "accessKeyId"]
 * ```
 */
export type SettingName =
  | "endpoint"
  | "regionId"
  | "apiVersion"
  | "iotInstanceId"
  | "signatureAlgorithm"
  | "accessKeyId"
  | "accessKeySecret"
  | "securityToken"

/**
 * Settings from one place.
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import type { SettingsSource } from "@iot-ota/core/Settings"
 *
 * const fromVault: SettingsSource = {
 *   name: "vault secret ota/prod",
 *   values: { accessKeyId: "LTAI...", accessKeySecret: "...", endpoint: "https://iot.cn-shanghai.aliyuncs.com" }
 * }
 * ```
 */
export interface SettingsSource {
  /** For messages: `"the client options"`, `"the environment"`, `profile "prod" in ~/.config/iot-ota/credentials`. */
  readonly name: string
  readonly values: Readonly<Partial<Record<SettingName, string | undefined>>>
  /** How this source names its credential, when more precise than `name` (`the environment (OTA_ACCESS_KEY_ID / …)`). */
  readonly credentialsName?: string | undefined
}

/**
 * The environment variables of each setting, in order of preference.
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import { ENVIRONMENT } from "@iot-ota/core/Settings"
 *
 * // A setup hint that stays in step with what the client reads.
 * const hint = `set ${ENVIRONMENT.accessKeyId.join(" or ")} and ${ENVIRONMENT.accessKeySecret.join(" or ")}`
 * // "set OTA_ACCESS_KEY_ID or ALIBABA_CLOUD_ACCESS_KEY_ID and OTA_ACCESS_KEY_SECRET or ALIBABA_CLOUD_ACCESS_KEY_SECRET"
 * ```
 */
export const ENVIRONMENT: Readonly<Record<SettingName, ReadonlyArray<string>>> = {
  endpoint: ["OTA_ENDPOINT"],
  regionId: ["OTA_REGION_ID", "ALIBABA_CLOUD_REGION_ID"],
  apiVersion: ["OTA_API_VERSION"],
  iotInstanceId: ["OTA_IOT_INSTANCE_ID"],
  signatureAlgorithm: ["OTA_SIGNATURE_ALGORITHM"],
  accessKeyId: ["OTA_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_ID"],
  accessKeySecret: ["OTA_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_ACCESS_KEY_SECRET"],
  securityToken: ["OTA_SECURITY_TOKEN", "ALIBABA_CLOUD_SECURITY_TOKEN"]
}

const clean = (value: unknown): string | undefined => {
  if (typeof value !== "string") return undefined
  const trimmed = value.trim()
  return trimmed === "" ? undefined : trimmed
}

/**
 * Settings from environment variables (a process environment, a Worker's
 * `env`, `Deno.env.toObject()`). The credential comes whole from one family:
 * `OTA_*` when it has a key, else `ALIBABA_CLOUD_*`.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import * as Settings from "@iot-ota/core/Settings"
 *
 * const source = Settings.fromEnvironment({ OTA_ENDPOINT: "https://iot.cn-shanghai.aliyuncs.com", OTA_ACCESS_KEY_ID: "id " })
 * source.values.accessKeyId // "id": trimmed
 * ```
 */
export const fromEnvironment = (
  env: Readonly<Record<string, unknown>> | ReadonlyMap<string, string>,
  name = "the environment"
): SettingsSource => {
  const get = (key: string): string | undefined =>
    clean(env instanceof Map ? env.get(key) : (env as Readonly<Record<string, unknown>>)[key])
  const values: Partial<Record<SettingName, string>> = {}
  for (const setting of [
    "endpoint",
    "regionId",
    "apiVersion",
    "iotInstanceId",
    "signatureAlgorithm"
  ] as const) {
    for (const key of ENVIRONMENT[setting]) {
      const value = get(key)
      if (value !== undefined) {
        values[setting] = value
        break
      }
    }
  }
  const family = (index: number) => ({
    accessKeyId: get(ENVIRONMENT.accessKeyId[index]!),
    accessKeySecret: get(ENVIRONMENT.accessKeySecret[index]!),
    securityToken: get(ENVIRONMENT.securityToken[index]!)
  })
  const ota = family(0)
  const useOta = ota.accessKeyId !== undefined || ota.accessKeySecret !== undefined
  const pair = useOta ? ota : family(1)
  const index = useOta ? 0 : 1
  if (pair.accessKeyId !== undefined) values.accessKeyId = pair.accessKeyId
  if (pair.accessKeySecret !== undefined) values.accessKeySecret = pair.accessKeySecret
  if (pair.securityToken !== undefined) values.securityToken = pair.securityToken
  return {
    name,
    values,
    credentialsName: `${name} (${ENVIRONMENT.accessKeyId[index]} / ${ENVIRONMENT.accessKeySecret[index]})`
  }
}

/**
 * Settings merged from sources in order of precedence.
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import * as Settings from "@iot-ota/core/Settings"
 *
 * // For a startup log line: where the credential came from, never its value.
 * const describe = (merged: Settings.Merged) =>
 *   `endpoint ${merged.values.endpoint ?? "(none)"}, credentials from ${merged.credentialsFrom ?? "nowhere"}`
 * ```
 */
export interface Merged {
  readonly values: Readonly<Partial<Record<SettingName, string>>>
  /** The source the credential came from, if any did. */
  readonly credentialsFrom: string | undefined
}

const CREDENTIAL: ReadonlyArray<SettingName> = ["accessKeyId", "accessKeySecret", "securityToken"]

/**
 * Merges sources, the first one winning for each setting; the credential
 * comes whole from the first source with any part of it.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import * as Settings from "@iot-ota/core/Settings"
 *
 * const merged = Settings.merge([
 *   { name: "the client options", values: { endpoint: "https://iot.cn-hangzhou.aliyuncs.com" } },
 *   Settings.fromEnvironment({ OTA_ENDPOINT: "https://other", OTA_ACCESS_KEY_ID: "id", OTA_ACCESS_KEY_SECRET: "s" })
 * ])
 * merged.values.endpoint // "https://iot.cn-hangzhou.aliyuncs.com"
 * merged.credentialsFrom // "the environment (OTA_ACCESS_KEY_ID / OTA_ACCESS_KEY_SECRET)"
 * ```
 */
export const merge = (sources: ReadonlyArray<SettingsSource>): Merged => {
  const values: Partial<Record<SettingName, string>> = {}
  let credentialsFrom: string | undefined
  for (const source of sources) {
    for (const [setting, raw] of Object.entries(source.values) as Array<[SettingName, string | undefined]>) {
      const value = clean(raw)
      if (value === undefined || CREDENTIAL.includes(setting)) continue
      values[setting] ??= value
    }
    if (
      credentialsFrom === undefined &&
      (clean(source.values.accessKeyId) !== undefined || clean(source.values.accessKeySecret) !== undefined)
    ) {
      credentialsFrom = source.credentialsName ?? source.name
      for (const setting of CREDENTIAL) {
        const value = clean(source.values[setting])
        if (value !== undefined) values[setting] = value
      }
    }
  }
  return { values, credentialsFrom }
}
