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

const KEYS: ReadonlyMap<string, keyof ProfileValues> = new Map([
  ["access_key_id", "accessKeyId"],
  ["access_key_secret", "accessKeySecret"],
  ["endpoint", "endpoint"],
  ["region_id", "regionId"],
  ["api_version", "apiVersion"],
  ["iot_instance_id", "iotInstanceId"],
  ["signature_algorithm", "signatureAlgorithm"],
  ["mode", "mode"],
  ["sts_token", "stsToken"],
  ["ram_role_arn", "ramRoleArn"],
  ["ram_session_name", "ramSessionName"],
  ["expired_seconds", "expiredSeconds"],
  ["external_id", "externalId"],
  ["sts_region", "stsRegion"],
  ["sts_endpoint", "stsEndpoint"],
  ["ram_role_name", "ramRoleName"],
  ["oidc_provider_arn", "oidcProviderArn"],
  ["oidc_token_file", "oidcTokenFile"],
  ["source_profile", "sourceProfile"]
])

/** Names that reach `Object.prototype` through an ordinary object: refused as sections and keys. */
const RESERVED_NAMES: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"])

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
 * not silently leave a value unset (a `ValidationError` naming the line), and
 * so are the names `__proto__`, `constructor` and `prototype`, as sections or
 * keys. Values are trimmed of surrounding whitespace, inside quotes too (a
 * secret pasted with a trailing CR would sign wrongly). The result and each
 * profile have no prototype, so no section name can reach `Object.prototype`.
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
  const profiles: Record<string, Record<string, string>> = Object.create(null)
  let current: Record<string, string> | undefined
  const invalid = (index: number, rule: string, problem: string): ValidationError =>
    new ValidationError({ field: "profile", rule, message: `${file}:${index + 1}: ${problem}` })
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim()
    if (line === "" || line.startsWith("#") || line.startsWith(";")) return
    const section = /^\[\s*(?:profile\s+)?([^\]\s]+)\s*\]$/.exec(line)
    if (section !== null) {
      const name = section[1]!
      if (RESERVED_NAMES.has(name)) {
        throw invalid(
          index,
          "a profile name other than __proto__, constructor or prototype",
          `[${name}] is not allowed as a profile name`
        )
      }
      current = Object.hasOwn(profiles, name)
        ? profiles[name]!
        : (profiles[name] = Object.create(null) as Record<string, string>)
      return
    }
    const pair = /^([A-Za-z_]+)\s*=\s*([\s\S]*)$/.exec(line)
    const rule = "INI with [profile] sections and known keys"
    if (pair === null) throw invalid(index, rule, "not a key = value line")
    const name = pair[1]!.toLowerCase()
    if (RESERVED_NAMES.has(name)) throw invalid(index, rule, `${pair[1]} is not allowed as a key`)
    if (current === undefined) throw invalid(index, rule, "key outside a [profile] section")
    const key = KEYS.get(name)
    if (key === undefined) {
      throw invalid(index, rule, `unknown key ${pair[1]} (known: ${[...KEYS.keys()].join(", ")})`)
    }
    // `[\s\S]`, not `.`: a CR pasted inside the quotes is whitespace to trim, not the end of the match.
    current[key] = pair[2]!.replace(/^(["'])([\s\S]*)\1$/, "$2").trim()
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
  const profiles = parse(text, file)
  const profile = Object.hasOwn(profiles, name) ? profiles[name] : undefined
  if (profile === undefined && explicit !== undefined) {
    throw new ValidationError({
      field: "profile",
      rule: "a profile present in the file",
      message: `profile ${JSON.stringify(name)} not found in ${file}`
    })
  }
  return profile
}
