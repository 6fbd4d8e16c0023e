import { describe, expect, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import * as Credentials from "../src/Credentials.js"

const fromEnv = (env: Record<string, string>) =>
  Effect.runSync(
    Effect.either(
      Effect.withConfigProvider(
        Effect.flatMap(Credentials.fromConfig, (provider) => Effect.orDie(provider.get)),
        ConfigProvider.fromMap(new Map(Object.entries(env)))
      )
    )
  )

describe("Credentials", () => {
  it("prefers OTA_* over ALIBABA_CLOUD_*", () => {
    const creds = fromEnv({
      OTA_ACCESS_KEY_ID: "ota-id",
      OTA_ACCESS_KEY_SECRET: "ota-secret",
      ALIBABA_CLOUD_ACCESS_KEY_ID: "ali-id",
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: "ali-secret"
    })
    expect(
      Either.isRight(creds) && [creds.right.accessKeyId, Redacted.value(creds.right.accessKeySecret)]
    ).toEqual(["ota-id", "ota-secret"])
  })

  it("falls back to ALIBABA_CLOUD_* as a pair", () => {
    const creds = fromEnv({
      ALIBABA_CLOUD_ACCESS_KEY_ID: "ali-id",
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: "ali-secret"
    })
    expect(Either.isRight(creds) && creds.right.accessKeyId).toBe("ali-id")
  })

  it("does not pair an OTA id with an Alibaba secret when the OTA pair is complete", () => {
    const creds = fromEnv({
      OTA_ACCESS_KEY_ID: "ota-id",
      OTA_ACCESS_KEY_SECRET: "ota-secret",
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: "x"
    })
    expect(Either.isRight(creds) && Redacted.value(creds.right.accessKeySecret)).toBe("ota-secret")
  })

  it("names the missing variable", () => {
    const creds = fromEnv({ OTA_ACCESS_KEY_ID: "id" })
    expect(
      Either.isLeft(creds) && [creds.left.field, creds.left.message.includes("OTA_ACCESS_KEY_SECRET")]
    ).toEqual(["accessKeySecret", true])
    const none = fromEnv({})
    expect(Either.isLeft(none) && none.left.field).toBe("accessKeyId")
  })

  it("reads an env-like record, such as a Worker's env", () => {
    const creds = Effect.runSync(
      Effect.flatMap(
        Credentials.fromRecord({ OTA_ACCESS_KEY_ID: "id", OTA_ACCESS_KEY_SECRET: "sec", OTHER: 1 }),
        (provider) => Effect.orDie(provider.get)
      )
    )
    expect(creds.accessKeyId).toBe("id")
  })

  it("keeps the secret redacted when printed or serialised", () => {
    const creds = Effect.runSync(
      Effect.flatMap(Credentials.make({ accessKeyId: "id", accessKeySecret: "super-secret" }), (provider) =>
        Effect.orDie(provider.get)
      )
    )
    expect(String(creds.accessKeySecret)).toBe("<redacted>")
    expect(JSON.stringify(creds)).not.toContain("super-secret")
  })
})
