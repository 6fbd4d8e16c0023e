/**
 * Named profiles in an INI file shared by `@iot-ota/node` and the `ota` CLI,
 * by default `~/.config/iot-ota/credentials` (`$XDG_CONFIG_HOME` honoured):
 *
 * ```ini
 * [default]
 * access_key_id = LTAI...
 * access_key_secret = ...
 * endpoint = https://iot.cn-shanghai.aliyuncs.com
 * region_id = cn-shanghai
 * signature_algorithm = HMAC-SHA1
 *
 * [staging]
 * ...
 * ```
 *
 * The file holds secrets, so a warning is emitted when group or others can
 * read it (fix with `chmod 600`).
 *
 * @since 0.1.0
 */
import { readFileSync, statSync } from "node:fs"
import { homedir } from "node:os"
import { join } from "node:path"
import { ValidationError } from "@iot-ota/core/IotError"

/**
 * The keys a profile may set (`access_key_id` in the file is `accessKeyId`
 * here).
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import * as Profile from "@iot-ota/node/Profile"
 *
 * const staging: Profile.ProfileValues | undefined = Profile.read({ profile: "staging" })
 * console.log(staging?.endpoint ?? "no endpoint in the profile")
 * ```
 */
export interface ProfileValues {
  readonly accessKeyId?: string
  readonly accessKeySecret?: string
  readonly endpoint?: string
  readonly regionId?: string
  readonly apiVersion?: string
  readonly iotInstanceId?: string
  readonly signatureAlgorithm?: string
  // How credentials are obtained, with the field names of Alibaba Cloud's CLI configuration
  // (`aliyun configure`); read by `CredentialProviders.fromProfile`.
  readonly mode?: string
  readonly stsToken?: string
  readonly ramRoleArn?: string
  readonly ramSessionName?: string
  readonly expiredSeconds?: string
  readonly externalId?: string
  readonly stsRegion?: string
  readonly stsEndpoint?: string
  readonly ramRoleName?: string
  readonly oidcProviderArn?: string
  readonly oidcTokenFile?: string
  readonly sourceProfile?: string
}

const KEYS: Readonly<Record<string, keyof ProfileValues>> = {
  access_key_id: "accessKeyId",
  access_key_secret: "accessKeySecret",
  endpoint: "endpoint",
  region_id: "regionId",
  api_version: "apiVersion",
  iot_instance_id: "iotInstanceId",
  signature_algorithm: "signatureAlgorithm",
  mode: "mode",
  sts_token: "stsToken",
  ram_role_arn: "ramRoleArn",
  ram_session_name: "ramSessionName",
  expired_seconds: "expiredSeconds",
  external_id: "externalId",
  sts_region: "stsRegion",
  sts_endpoint: "stsEndpoint",
  ram_role_name: "ramRoleName",
  oidc_provider_arn: "oidcProviderArn",
  oidc_token_file: "oidcTokenFile",
  source_profile: "sourceProfile"
}

/**
 * Where profiles are read from: `OTA_PROFILE_FILE`, else
 * `$XDG_CONFIG_HOME/iot-ota/credentials`, else `~/.config/iot-ota/credentials`.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import * as Profile from "@iot-ota/node/Profile"
 *
 * Profile.defaultProfileFile({ XDG_CONFIG_HOME: "/etc/xdg" }) // "/etc/xdg/iot-ota/credentials"
 * Profile.defaultProfileFile() // from process.env, e.g. "/home/me/.config/iot-ota/credentials"
 * ```
 */
export const defaultProfileFile = (env: Readonly<Record<string, string | undefined>> = process.env): string =>
  env.OTA_PROFILE_FILE ??
  join(
    env.XDG_CONFIG_HOME !== undefined && env.XDG_CONFIG_HOME !== ""
      ? env.XDG_CONFIG_HOME
      : join(homedir(), ".config"),
    "iot-ota",
    "credentials"
  )

/**
 * Parses the INI text into profiles. Unknown keys are errors, so a typo does
 * not silently leave a value unset (a `ValidationError` naming the line).
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import * as Profile from "@iot-ota/node/Profile"
 *
 * const profiles = Profile.parse("[default]\naccess_key_id = LTAI...\nregion_id = cn-shanghai\n")
 * profiles.default?.regionId // "cn-shanghai"
 * ```
 */
export const parse = (text: string, file = "profile file"): Record<string, ProfileValues> => {
  const profiles: Record<string, Record<string, string>> = {}
  let current: Record<string, string> | undefined
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim()
    if (line === "" || line.startsWith("#") || line.startsWith(";")) return
    const section = /^\[\s*(?:profile\s+)?([^\]\s]+)\s*\]$/.exec(line)
    if (section !== null) {
      current = profiles[section[1]!] ??= {}
      return
    }
    const pair = /^([A-Za-z_]+)\s*=\s*(.*)$/.exec(line)
    const key = pair === null ? undefined : KEYS[pair[1]!.toLowerCase()]
    if (pair === null || current === undefined || key === undefined) {
      throw new ValidationError({
        field: "profile",
        rule: "INI with [profile] sections and known keys",
        message: `${file}:${index + 1}: ${pair === null ? "not a key = value line" : current === undefined ? "key outside a [profile] section" : `unknown key ${pair[1]} (known: ${Object.keys(KEYS).join(", ")})`}`
      })
    }
    current[key] = pair[2]!.replace(/^(["'])(.*)\1$/, "$2")
  })
  return profiles
}

/**
 * Reads one profile. A missing file or profile is `undefined` unless the
 * profile was asked for by name, which is an error. Emits a
 * `IOT_OTA_PROFILE_PERMISSIONS` warning when the file is readable by group or
 * others.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import * as Profile from "@iot-ota/node/Profile"
 *
 * // OTA_PROFILE, else [default], from the default file; undefined when there is none.
 * const profile = Profile.read({})
 * // A profile asked for by name must exist: this throws a ValidationError otherwise.
 * const staging = Profile.read({ profile: "staging", file: "./ota-credentials" })
 * ```
 */
export const read = (options: {
  readonly profile?: string | undefined
  readonly file?: string | undefined
  readonly env?: Readonly<Record<string, string | undefined>>
}): ProfileValues | undefined => {
  const env = options.env ?? process.env
  const file = options.file ?? defaultProfileFile(env)
  const explicit = options.profile ?? env.OTA_PROFILE
  const name = explicit ?? "default"
  let text: string
  try {
    text = readFileSync(file, "utf8")
  } catch (error) {
    if (explicit === undefined && (error as NodeJS.ErrnoException).code === "ENOENT") return undefined
    throw new ValidationError({
      field: "profile",
      rule: "a readable profile file",
      message: `cannot read profile ${JSON.stringify(name)} from ${file}: ${(error as Error).message}`
    })
  }
  if (process.platform !== "win32" && (statSync(file).mode & 0o077) !== 0) {
    process.emitWarning(
      `${file} holds access key secrets but is readable by group or others; run: chmod 600 ${file}`,
      {
        code: "IOT_OTA_PROFILE_PERMISSIONS"
      }
    )
  }
  const profile = parse(text, file)[name]
  if (profile === undefined && explicit !== undefined) {
    throw new ValidationError({
      field: "profile",
      rule: "a profile present in the file",
      message: `profile ${JSON.stringify(name)} not found in ${file}`
    })
  }
  return profile
}
