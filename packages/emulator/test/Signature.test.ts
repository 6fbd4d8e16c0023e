import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as Signature from "../src/Signature.js"
import { sdkEncode, sha256, v2Sign, v2StringToSign, v3Sign } from "./helpers/signers.js"

// docs/protocol.md#v2-worked-examples, example A (ECS DescribeRegions), secret "testsecret".
const exampleA = {
  AccessKeyId: "testid",
  Action: "DescribeRegions",
  Format: "XML",
  SignatureMethod: "HMAC-SHA1",
  SignatureNonce: "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
  SignatureVersion: "1.0",
  Timestamp: "2016-02-23T12:46:24Z",
  Version: "2014-05-26"
}

describe("percentEncode (protocol.md#percent-encoding)", () => {
  it.each([
    [" ", "%20"],
    ["*", "%2A"],
    ["~", "~"],
    ["+", "%2B"],
    ["/", "%2F"],
    ["=", "%3D"],
    ["&", "%26"],
    [":", "%3A"],
    ["!'()", "%21%27%28%29"],
    ["中", "%E4%B8%AD"],
    ["AZaz09-_.~", "AZaz09-_.~"]
  ])("%j -> %j", (input, expected) => {
    expect(Signature.percentEncode(input)).toBe(expected)
  })

  it("encodes a lone surrogate as U+FFFD, like TextEncoder", () => {
    expect(Signature.percentEncode("a\uD800")).toBe("a%EF%BF%BD")
  })
})

describe("V2 published examples (protocol.md#v2-worked-examples)", () => {
  it("A: string-to-sign and GET signature; the POST variant differs only by method", () => {
    expect(Signature.rpcStringToSign("GET", exampleA)).toBe(
      "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureVersion%3D1.0%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26"
    )
    expect(Signature.rpcSignature("GET", exampleA, "testsecret")).toBe("OLeaidS1JvxuMvnyHOwuJ+uX5qY=")
    expect(Signature.rpcSignature("POST", exampleA, "testsecret")).toBe("MxbnVAM4w6sft9xjVpe/GCKueuk=")
  })

  it("B: the older TimeStamp spelling changes the signature", () => {
    const { Timestamp, ...rest } = exampleA
    expect(Signature.rpcSignature("GET", { ...rest, TimeStamp: Timestamp }, "testsecret")).toBe(
      "CT9X0VtwR86fNWSnsc6v8YGOjuE="
    )
  })

  it("C: IoT Pub example, values with = and / double-encoded in the string-to-sign", () => {
    const params = {
      AccessKeyId: "testid",
      Action: "Pub",
      Format: "XML",
      MessageContent: "aGVsbG93b3JsZA=",
      ProductKey: "12345abcdeZ",
      Qos: "0",
      RegionId: "cn-shanghai",
      ServiceCode: "iot",
      SignatureMethod: "HMAC-SHA1",
      SignatureNonce: "0715a395-aedf-4a41-bab7-746b43d38d88",
      SignatureVersion: "1.0",
      Timestamp: "2017-10-02T09:39:41Z",
      TopicFullName: "/productKey/testdevice/get",
      Version: "2017-04-20"
    }
    expect(Signature.rpcStringToSign("GET", params)).toBe(
      "GET&%2F&AccessKeyId%3Dtestid%26Action%3DPub%26Format%3DXML%26MessageContent%3DaGVsbG93b3JsZA%253D%26ProductKey%3D12345abcdeZ%26Qos%3D0%26RegionId%3Dcn-shanghai%26ServiceCode%3Diot%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D0715a395-aedf-4a41-bab7-746b43d38d88%26SignatureVersion%3D1.0%26Timestamp%3D2017-10-02T09%253A39%253A41Z%26TopicFullName%3D%252FproductKey%252Ftestdevice%252Fget%26Version%3D2017-04-20"
    )
    expect(Signature.rpcSignature("GET", params, "testsecret")).toBe("Y9eWn4nF8QPh3c4zAFkM/k/u7eA=")
  })

  it("D: SDK unit-test vector with an empty method", () => {
    expect(Signature.rpcStringToSign("", { test: "ok" })).toBe("&%2F&test%3Dok")
    expect(Signature.rpcSignature("", { test: "ok" }, "accessKeySecret")).toBe("jHx/oHoHNrbVfhncHEvPdHXZwHU=")
  })

  describe("E: ListOTATaskByJob regression vectors", () => {
    const base = {
      ...exampleA,
      Action: "ListOTATaskByJob",
      Format: "JSON",
      Version: "2018-01-20",
      JobId: "7glPHmaDYLAYMD1HHutT02****"
    }

    it("GET and POST with paging, * encoded as %2A then %252A", () => {
      const params = { ...base, PageSize: "10", CurrentPage: "1" }
      expect(Signature.canonicalQuery(params)).toContain("JobId=7glPHmaDYLAYMD1HHutT02%2A%2A%2A%2A")
      expect(Signature.rpcStringToSign("GET", params)).toContain("%252A%252A%252A%252A")
      expect(Signature.rpcSignature("GET", params, "testsecret")).toBe("UVVxmrjr1jR6IqAMCqgrQnNDwOI=")
      expect(Signature.rpcSignature("POST", params, "testsecret")).toBe("5GKrC+FDmE2D/aLskfQgkxlMhjc=")
    })

    it("eleven device names sort lexicographically (.1, .10, .11, .2, …)", () => {
      const names = Object.fromEntries(
        Array.from({ length: 11 }, (_, i) => [`DeviceNames.${i + 1}`, `dev${i + 1}`])
      )
      const params = { ...base, ...names }
      const order = Signature.canonicalQuery(params)
        .split("&")
        .map((pair) => pair.split("=")[0])
        .filter((name) => name?.startsWith("DeviceNames"))
      expect(order).toEqual([1, 10, 11, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => `DeviceNames.${n}`))
      expect(Signature.rpcSignature("GET", params, "testsecret")).toBe("l1usGpZd7V4DlqsxMrK4a/jLAVc=")
    })
  })
})

describe("V3 worked examples (protocol.md#v3-worked-examples)", () => {
  it("A: the fixed-value RunInstances example, byte for byte", () => {
    const parts: Signature.V3RequestParts = {
      method: "POST",
      query: { ImageId: "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd", RegionId: "cn-shanghai" },
      headers: {
        host: "ecs.cn-shanghai.aliyuncs.com",
        "x-acs-action": "RunInstances",
        "x-acs-content-sha256": Signature.EMPTY_PAYLOAD_SHA256,
        "x-acs-date": "2023-10-26T10:22:32Z",
        "x-acs-signature-nonce": "3156853299f313e23d1673dc12e1703d",
        "x-acs-version": "2014-05-26"
      },
      hashedPayload: Signature.EMPTY_PAYLOAD_SHA256
    }
    const canonical = Signature.v3CanonicalRequest(parts)
    expect(canonical).toBe(
      [
        "POST",
        "/",
        "ImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai",
        "host:ecs.cn-shanghai.aliyuncs.com",
        "x-acs-action:RunInstances",
        "x-acs-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "x-acs-date:2023-10-26T10:22:32Z",
        "x-acs-signature-nonce:3156853299f313e23d1673dc12e1703d",
        "x-acs-version:2014-05-26",
        "",
        "host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version",
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
      ].join("\n")
    )
    expect(Signature.v3StringToSign(canonical)).toBe(
      "ACS3-HMAC-SHA256\n7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259"
    )
    expect(Signature.v3Signature(parts, "YourAccessKeySecret")).toBe(
      "06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0"
    )
    expect(Signature.v3Authorization(parts, "YourAccessKeyId", "YourAccessKeySecret")).toBe(
      "ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0"
    )
  })

  it("B: OpenApiUtil getAuthorization vector: empty value, repeated header merged and sorted", () => {
    // The SDK test left method and pathname unset; its canonical request printed them as "undefined" and "".
    const parts: Signature.V3RequestParts = {
      method: "undefined",
      pathname: "",
      query: { test: "ok", empty: "" },
      headers: { "x-acs-TEST": "https", "x-acs-test": "http" },
      hashedPayload: "55e12e91650d2fec56ec74e1d3e4ddbfce2ef3a65890c2a19ecf88a307e76a23"
    }
    expect(Signature.v3CanonicalRequest(parts)).toBe(
      "undefined\n\nempty=&test=ok\nx-acs-test:http,https\n\nx-acs-test\n55e12e91650d2fec56ec74e1d3e4ddbfce2ef3a65890c2a19ecf88a307e76a23"
    )
    expect(Signature.v3Signature(parts, "secret")).toBe(
      "0f2d549523cf082c83bb8135b5863614f7fe16ca7c2c7fc537e74d67374eeeac"
    )
  })

  it("the empty payload hash is SHA-256 of nothing", () => {
    expect(Signature.sha256Hex("")).toBe(Signature.EMPTY_PAYLOAD_SHA256)
    expect(Signature.sha256Hex(new Uint8Array())).toBe(Signature.EMPTY_PAYLOAD_SHA256)
  })
})

describe("cross-check with the independent test signer", () => {
  // Printable ASCII plus a few multi-byte characters: what real parameter values contain.
  const value = fc.string({
    unit: fc.oneof(
      fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
      fc.constantFrom("中", "é", "😀")
    )
  })
  const params = fc.dictionary(fc.stringMatching(/^[A-Za-z][A-Za-z0-9.]{0,15}$/), value, {
    minKeys: 1,
    maxKeys: 12
  })

  it("V2: same string-to-sign and signature for random parameter sets", () => {
    fc.assert(
      fc.property(params, fc.constantFrom("GET", "POST"), value, (input, method, secret) => {
        expect(Signature.rpcStringToSign(method, input)).toBe(v2StringToSign(method, input))
        expect(Signature.rpcSignature(method, input, secret)).toBe(v2Sign(method, input, secret))
      }),
      { numRuns: 500 }
    )
  })

  it("V3: same Authorization for random query parameters", () => {
    fc.assert(
      fc.property(params, value, (query, secret) => {
        const headers = {
          "x-acs-action": "ListOTATaskByJob",
          "x-acs-version": "2018-01-20",
          "x-acs-date": "2024-01-01T00:00:00Z",
          "x-acs-signature-nonce": "n",
          "x-acs-content-sha256": sha256("")
        }
        const ours = Signature.v3Authorization(
          { method: "POST", query, headers: { ...headers, host: "h:1" }, hashedPayload: sha256("") },
          "ak",
          secret
        )
        const theirs = v3Sign({
          method: "POST",
          host: "h:1",
          query,
          headers,
          body: "",
          accessKeyId: "ak",
          secret
        })
        expect(ours).toBe(theirs.headers.authorization)
      }),
      { numRuns: 300 }
    )
  })

  it("percentEncode agrees with the SDK recipe on any well-formed string", () => {
    fc.assert(
      fc.property(value, (text) => {
        expect(Signature.percentEncode(text)).toBe(sdkEncode(text))
      })
    )
  })
})
