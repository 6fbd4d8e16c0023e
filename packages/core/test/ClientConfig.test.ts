import { describe, expect, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ClientConfig from "../src/ClientConfig.js"

const make = (options: ClientConfig.ClientConfigOptions) =>
  Effect.runSync(Effect.either(ClientConfig.make(options)))
const withEnv = <A, E>(env: Record<string, string>, effect: Effect.Effect<A, E>) =>
  Effect.runSync(
    Effect.either(Effect.withConfigProvider(effect, ConfigProvider.fromMap(new Map(Object.entries(env)))))
  )

describe("ClientConfig.make", () => {
  it("fills in the defaults", () => {
    const config = make({ endpoint: "https://iot.cn-shanghai.aliyuncs.com", runtime: "node/20" })
    expect(Either.isRight(config)).toBe(true)
    if (Either.isRight(config)) {
      expect(config.right).toMatchObject({
        apiVersion: "2018-01-20",
        format: "JSON",
        timeoutMs: 10_000,
        maxAttempts: 3,
        qps: 10,
        signatureAlgorithm: "HMAC-SHA1"
      })
      expect(config.right.endpoint.href).toBe("https://iot.cn-shanghai.aliyuncs.com/")
      expect(config.right.userAgent).toMatch(/^iot-ota\/\d+\.\d+\.\d+\S* \(node\/20\)$/)
    }
  })

  it.each([
    ["iot.cn-shanghai.aliyuncs.com", "https://iot.cn-shanghai.aliyuncs.com/"],
    ["https://si-abc.tuyacloud.com:8686/", "https://si-abc.tuyacloud.com:8686/"],
    ["http://127.0.0.1:4000", "http://127.0.0.1:4000/"],
    ["http://localhost:4000/base", "http://localhost:4000/base/"],
    ["http://[::1]:4000/", "http://[::1]:4000/"]
  ])("accepts the endpoint %s", (endpoint, href) => {
    const config = make({ endpoint })
    expect(Either.isRight(config) && config.right.endpoint.href).toBe(href)
  })

  it.each([
    ["not a url at all", "endpoint must be a URL"],
    ["", "endpoint is required"],
    ["ftp://example.com", "endpoint must use https"],
    ["http://iot.example.com", "plain http to a non-loopback host"],
    ["https://user:pw@example.com", "must not contain credentials"],
    ["https://example.com/?a=1", "must not contain a query string"]
  ])("rejects the endpoint %j", (endpoint, message) => {
    const config = make({ endpoint })
    expect(Either.isLeft(config)).toBe(true)
    if (Either.isLeft(config)) {
      expect(config.left).toMatchObject({ _tag: "ValidationError", field: "endpoint" })
      expect(config.left.message).toContain(message)
    }
  })

  it("allows plain http to any host with allowInsecureHttp", () => {
    expect(Either.isRight(make({ endpoint: "http://iot.example.com", allowInsecureHttp: true }))).toBe(true)
  })

  it.each([
    [{ timeoutMs: 0 }, "timeoutMs"],
    [{ maxAttempts: 0 }, "maxAttempts"],
    [{ maxAttempts: 1.5 }, "maxAttempts"],
    [{ qps: -1 }, "qps"],
    [{ signatureAlgorithm: "HMAC-MD5" }, "signatureAlgorithm"],
    [{ apiVersion: "v2" }, "apiVersion"],
    [{ regionId: "" }, "regionId"],
    [{ endpiont: "typo" }, "endpiont"]
  ])("rejects %j naming the field", (options, field) => {
    const config = make({ endpoint: "https://example.com", ...options } as ClientConfig.ClientConfigOptions)
    expect(Either.isLeft(config) && config.left.field).toBe(field)
  })
})

describe("ClientConfig.fromConfig", () => {
  it("reads OTA_ENDPOINT and friends, explicit values winning", () => {
    const config = withEnv(
      {
        OTA_ENDPOINT: "https://env.example.com",
        OTA_API_VERSION: "2022-01-01",
        OTA_SIGNATURE_ALGORITHM: "ACS3-HMAC-SHA256"
      },
      ClientConfig.fromConfig({ apiVersion: "2018-01-20" })
    )
    expect(
      Either.isRight(config) && [
        config.right.endpoint.host,
        config.right.apiVersion,
        config.right.signatureAlgorithm
      ]
    ).toEqual(["env.example.com", "2018-01-20", "ACS3-HMAC-SHA256"])
  })

  it("derives the regional Alibaba endpoint from a region id", () => {
    const config = withEnv({ ALIBABA_CLOUD_REGION_ID: "cn-shanghai" }, ClientConfig.fromConfig())
    expect(Either.isRight(config) && [config.right.endpoint.href, config.right.regionId]).toEqual([
      "https://iot.cn-shanghai.aliyuncs.com/",
      "cn-shanghai"
    ])
  })

  it("says how to set a missing endpoint", () => {
    const config = withEnv({}, ClientConfig.fromConfig())
    expect(Either.isLeft(config) && config.left.message).toContain("OTA_ENDPOINT")
  })
})
