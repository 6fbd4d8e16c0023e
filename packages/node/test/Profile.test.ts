import { chmodSync, mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Redacted } from "effect"
import * as Effect from "effect/Effect"
import { afterEach, describe, expect, it, vi } from "vitest"
import { Profile, resolveOptions } from "../src/effect.js"

/** Resolves options with the credential itself (not its provider), for assertions. */
const resolved = (options: Parameters<typeof resolveOptions>[0]) => {
  const { config, credentials } = resolveOptions(options)
  return { config, credentials: Effect.runSync(Effect.orDie(credentials.get)) }
}

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
  // A broken guard would leave these on Object.prototype for every later test: keep its failure local.
  for (const key of ["endpoint", "accessKeyId", "accessKeySecret"]) {
    delete (Object.prototype as Record<string, unknown>)[key]
  }
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

describe("Profile.parse against hostile files", () => {
  it.each(["[__proto__]", "[constructor]", "[prototype]", "[profile __proto__]", "[ constructor ]"])(
    "refuses the section %s with a ValidationError naming the line, and Object.prototype stays clean",
    (header) => {
      const text = `[default]\nregion_id = cn-shanghai\n${header}\nendpoint = https://attacker.example\n`
      expect(() => Profile.parse(text, "f")).toThrow(
        expect.objectContaining({
          _tag: "ValidationError",
          field: "profile",
          message: expect.stringMatching(/^f:3: \[\w+\] is not allowed as a profile name$/)
        })
      )
      expect(({} as Record<string, unknown>).endpoint).toBeUndefined()
    }
  )

  it.each(["__proto__", "constructor", "prototype", "CONSTRUCTOR"])("refuses the key %s", (key) => {
    expect(() => Profile.parse(`[default]\n${key} = x\n`, "f")).toThrow(`f:2: ${key} is not allowed as a key`)
    expect(() => Profile.parse(`${key} = x\n`, "f")).toThrow(`f:1: ${key} is not allowed as a key`)
  })

  it("returns profiles without a prototype, so inherited names are not profiles", () => {
    const profiles = Profile.parse(PROFILES)
    expect(Object.getPrototypeOf(profiles)).toBeNull()
    expect(Object.getPrototypeOf(profiles.default)).toBeNull()
    expect(profiles.toString).toBeUndefined()
    expect(profiles.hasOwnProperty).toBeUndefined()
  })

  it("trims spaces, tabs, CRs and LFs around every value, quoted or not, with either line ending", () => {
    const text =
      '[default]\r\naccess_key_id = id-1 \t\r\r\naccess_key_secret = " secret-1\r" \r\n' +
      "[unix]\naccess_key_secret = 'secret-2\t\r'\nendpoint =\thttps://iot.example \r\n"
    expect(Profile.parse(text)).toEqual({
      default: { accessKeyId: "id-1", accessKeySecret: "secret-1" },
      unix: { accessKeySecret: "secret-2", endpoint: "https://iot.example" }
    })
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

  it.each(["constructor", "__proto__", "prototype", "toString", "hasOwnProperty"])(
    "an inherited name like %s is a profile not found",
    (name) => {
      expect(() => Profile.read({ file: writeProfile(PROFILES), profile: name, env: {} })).toThrow(
        `profile ${JSON.stringify(name)} not found`
      )
      expect(() => Profile.read({ file: writeProfile(PROFILES), env: { OTA_PROFILE: name } })).toThrow(
        `profile ${JSON.stringify(name)} not found`
      )
    }
  )

  it("a [__proto__] section fails the read and never gives a client the attacker's endpoint", () => {
    const hostile = writeProfile(
      "[__proto__]\nendpoint = https://attacker.example\n[default]\naccess_key_id = id\n"
    )
    expect(() => resolveOptions({ profileFile: hostile, env: {} })).toThrow(/\[__proto__\] is not allowed/)
    // A later client with no endpoint anywhere still has none.
    const clean = writeProfile("[default]\naccess_key_id = id\naccess_key_secret = secret\n")
    expect(() => resolveOptions({ profileFile: clean, env: {} })).toThrow(/endpoint is missing/)
    expect(({} as Record<string, unknown>).endpoint).toBeUndefined()
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
    const { config, credentials } = resolved({
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
    const { config, credentials } = resolved({
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
    const { config, credentials } = resolved({
      profile: "staging",
      profileFile: file,
      env: { OTA_ACCESS_KEY_ID: "env-id", OTA_ACCESS_KEY_SECRET: "env-secret" }
    })
    expect(credentials.accessKeyId).toBe("staging-id")
    expect(config.endpoint.href).toBe("https://iot.cn-hangzhou.aliyuncs.com/")
    expect(config.signatureAlgorithm).toBe("ACS3-HMAC-SHA256")
  })

  it("names what is missing", async () => {
    expect(() => resolveOptions({ profileFile: join(dir, "absent"), env: {} })).toThrow(/endpoint is missing/)
    // Without a key anywhere, the standard chain is asked on the first call; its error names every source tried.
    const { credentials } = resolveOptions({
      endpoint: "https://x.example.com",
      profileFile: join(dir, "absent"),
      env: { HOME: dir, ALIBABA_CLOUD_ECS_METADATA_DISABLED: "true" }
    })
    expect(credentials.source).toMatch(/default chain/)
    const error = await Effect.runPromise(Effect.flip(credentials.get))
    expect(error).toMatchObject({ _tag: "CredentialsError", reason: "NotConfigured" })
    for (const source of ["env", "profile", "aliyun", "ecs-metadata"]) expect(error.message).toContain(source)
  })

  it("reports the node runtime in the User-Agent", () => {
    const { config } = resolveOptions({ profileFile: file, env: {} })
    expect(config.userAgent).toMatch(/^iot-ota\/\S+ \(node\/\d+\.\d+\.\d+\)$/)
  })
})
