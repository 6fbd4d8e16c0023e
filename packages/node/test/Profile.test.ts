import { chmodSync, mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Redacted } from "effect"
import { afterEach, describe, expect, it, vi } from "vitest"
import { Profile, resolveOptions } from "../src/effect.js"

const dir = mkdtempSync(join(tmpdir(), "iot-ota-profile-"))
const writeProfile = (text: string, mode = 0o600) => {
  const file = join(dir, `credentials-${Math.random().toString(36).slice(2)}`)
  writeFileSync(file, text)
  chmodSync(file, mode)
  return file
}

const PROFILES = `
# shared with the ota CLI
[default]
access_key_id = default-id
access_key_secret = default-secret
endpoint = https://iot.cn-shanghai.aliyuncs.com

[profile staging]
access_key_id = "staging-id"
access_key_secret = 'staging-secret'
region_id = cn-hangzhou
signature_algorithm = ACS3-HMAC-SHA256
`

afterEach(() => {
  vi.restoreAllMocks()
})

describe("Profile.parse", () => {
  it("reads sections, quotes and comments", () => {
    expect(Profile.parse(PROFILES)).toEqual({
      default: {
        accessKeyId: "default-id",
        accessKeySecret: "default-secret",
        endpoint: "https://iot.cn-shanghai.aliyuncs.com"
      },
      staging: {
        accessKeyId: "staging-id",
        accessKeySecret: "staging-secret",
        regionId: "cn-hangzhou",
        signatureAlgorithm: "ACS3-HMAC-SHA256"
      }
    })
  })

  it("rejects unknown keys and stray lines with the line number", () => {
    expect(() => Profile.parse("[default]\naccess_key = x", "f")).toThrow(/f:2: unknown key access_key/)
    expect(() => Profile.parse("endpoint = x", "f")).toThrow(/f:1: key outside a \[profile\] section/)
    expect(() => Profile.parse("[default]\njust words", "f")).toThrow(/f:2: not a key = value line/)
  })
})

describe("Profile.read", () => {
  it("uses the default profile, or a named one", () => {
    const file = writeProfile(PROFILES)
    expect(Profile.read({ file, env: {} })?.accessKeyId).toBe("default-id")
    expect(Profile.read({ file, profile: "staging", env: {} })?.accessKeyId).toBe("staging-id")
    expect(Profile.read({ file, env: { OTA_PROFILE: "staging" } })?.accessKeyId).toBe("staging-id")
  })

  it("a missing file is fine unless a profile was named", () => {
    expect(Profile.read({ file: join(dir, "absent"), env: {} })).toBeUndefined()
    expect(() => Profile.read({ file: join(dir, "absent"), profile: "x", env: {} })).toThrow(
      /cannot read profile "x"/
    )
    expect(() => Profile.read({ file: writeProfile(PROFILES), profile: "nope", env: {} })).toThrow(
      /profile "nope" not found/
    )
  })

  it("warns when the file is readable by group or others", () => {
    const warn = vi.spyOn(process, "emitWarning").mockImplementation(() => {})
    Profile.read({ file: writeProfile(PROFILES, 0o644), env: {} })
    expect(warn).toHaveBeenCalledWith(expect.stringContaining("chmod 600"), {
      code: "IOT_OTA_PROFILE_PERMISSIONS"
    })
    warn.mockClear()
    Profile.read({ file: writeProfile(PROFILES, 0o600), env: {} })
    expect(warn).not.toHaveBeenCalled()
  })

  it("honours XDG_CONFIG_HOME and OTA_PROFILE_FILE for the default location", () => {
    expect(Profile.defaultProfileFile({ XDG_CONFIG_HOME: "/x" })).toBe("/x/iot-ota/credentials")
    expect(Profile.defaultProfileFile({ OTA_PROFILE_FILE: "/y/creds" })).toBe("/y/creds")
  })
})

describe("resolveOptions precedence", () => {
  const file = writeProfile(PROFILES)

  it("explicit options win over everything", () => {
    const { config, credentials } = resolveOptions({
      endpoint: "https://explicit.example.com",
      accessKeyId: "explicit-id",
      accessKeySecret: "explicit-secret",
      profileFile: file,
      env: {
        OTA_ENDPOINT: "https://env.example.com",
        OTA_ACCESS_KEY_ID: "env-id",
        OTA_ACCESS_KEY_SECRET: "env-secret"
      }
    })
    expect(config.endpoint.host).toBe("explicit.example.com")
    expect([credentials.accessKeyId, Redacted.value(credentials.accessKeySecret)]).toEqual([
      "explicit-id",
      "explicit-secret"
    ])
  })

  it("the environment wins over the default profile, as a pair", () => {
    const { config, credentials } = resolveOptions({
      profileFile: file,
      env: { ALIBABA_CLOUD_ACCESS_KEY_ID: "ali-id", ALIBABA_CLOUD_ACCESS_KEY_SECRET: "ali-secret" }
    })
    expect(config.endpoint.host).toBe("iot.cn-shanghai.aliyuncs.com") // from the profile
    expect([credentials.accessKeyId, Redacted.value(credentials.accessKeySecret)]).toEqual([
      "ali-id",
      "ali-secret"
    ])
  })

  it("a named profile wins over the environment", () => {
    const { config, credentials } = resolveOptions({
      profile: "staging",
      profileFile: file,
      env: { OTA_ACCESS_KEY_ID: "env-id", OTA_ACCESS_KEY_SECRET: "env-secret" }
    })
    expect(credentials.accessKeyId).toBe("staging-id")
    expect(config.endpoint.href).toBe("https://iot.cn-hangzhou.aliyuncs.com/")
    expect(config.signatureAlgorithm).toBe("ACS3-HMAC-SHA256")
  })

  it("names what is missing", () => {
    expect(() => resolveOptions({ profileFile: join(dir, "absent"), env: {} })).toThrow(/endpoint is missing/)
    expect(() =>
      resolveOptions({ endpoint: "https://x.example.com", profileFile: join(dir, "absent"), env: {} })
    ).toThrow(expect.objectContaining({ _tag: "ValidationError", field: "accessKeyId" }))
  })

  it("reports the node runtime in the User-Agent", () => {
    const { config } = resolveOptions({ profileFile: file, env: {} })
    expect(config.userAgent).toMatch(/^iot-ota\/\S+ \(node\/\d+\.\d+\.\d+\)$/)
  })
})
