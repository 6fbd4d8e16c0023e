import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as fc from "fast-check"
import {
  canonicalQuery,
  formatTimestamp,
  makeHmacSha1,
  percentEncode,
  rpcSignature,
  rpcStringToSign
} from "../src/Signer.js"
import { layerWebCrypto } from "../src/SigningCrypto.js"

/** Reference RFC 3986 encoder, written the slow obvious way: UTF-8 bytes, unreserved kept. */
const referenceEncode = (value: string): string => {
  let out = ""
  for (const byte of new TextEncoder().encode(value)) {
    const c = String.fromCharCode(byte)
    out += /[A-Za-z0-9\-_.~]/.test(c) ? c : "%" + byte.toString(16).toUpperCase().padStart(2, "0")
  }
  return out
}

const sign = (method: string, params: Record<string, string>, secret: string) =>
  rpcSignature(rpcStringToSign(method, canonicalQuery(params)), Redacted.make(secret)).pipe(
    Effect.provide(layerWebCrypto)
  )

// docs/protocol.md#v2-worked-examples, example A (ECS DescribeRegions, published).
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

// docs/protocol.md#v2-worked-examples, example E (ListOTATaskByJob, locally computed regression vector).
const exampleE = {
  ...exampleA,
  Action: "ListOTATaskByJob",
  Format: "JSON",
  Version: "2018-01-20",
  JobId: "7glPHmaDYLAYMD1HHutT02****",
  PageSize: "10",
  CurrentPage: "1"
}

describe("RPC signature (HMAC-SHA1) worked examples", () => {
  it("example A: string-to-sign and GET signature byte for byte", () => {
    expect(rpcStringToSign("GET", canonicalQuery(exampleA))).toBe(
      "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureVersion%3D1.0%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26"
    )
  })

  it.effect("example A: GET and POST signatures", () =>
    Effect.gen(function* () {
      expect(yield* sign("GET", exampleA, "testsecret")).toBe("OLeaidS1JvxuMvnyHOwuJ+uX5qY=")
      expect(yield* sign("POST", exampleA, "testsecret")).toBe("MxbnVAM4w6sft9xjVpe/GCKueuk=")
    })
  )

  it.effect("example B: the older `TimeStamp` spelling changes the signature", () =>
    Effect.gen(function* () {
      const { Timestamp, ...rest } = exampleA
      expect(yield* sign("GET", { ...rest, TimeStamp: Timestamp }, "testsecret")).toBe(
        "CT9X0VtwR86fNWSnsc6v8YGOjuE="
      )
    })
  )

  it.effect("example C: IoT Pub", () =>
    Effect.gen(function* () {
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
      expect(rpcStringToSign("GET", canonicalQuery(params))).toBe(
        "GET&%2F&AccessKeyId%3Dtestid%26Action%3DPub%26Format%3DXML%26MessageContent%3DaGVsbG93b3JsZA%253D%26ProductKey%3D12345abcdeZ%26Qos%3D0%26RegionId%3Dcn-shanghai%26ServiceCode%3Diot%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D0715a395-aedf-4a41-bab7-746b43d38d88%26SignatureVersion%3D1.0%26Timestamp%3D2017-10-02T09%253A39%253A41Z%26TopicFullName%3D%252FproductKey%252Ftestdevice%252Fget%26Version%3D2017-04-20"
      )
      expect(yield* sign("GET", params, "testsecret")).toBe("Y9eWn4nF8QPh3c4zAFkM/k/u7eA=")
    })
  )

  it.effect("example D: the SDK unit-test vector with an empty method", () =>
    Effect.gen(function* () {
      expect(rpcStringToSign("", canonicalQuery({ test: "ok" }))).toBe("&%2F&test%3Dok")
      expect(yield* sign("", { test: "ok" }, "accessKeySecret")).toBe("jHx/oHoHNrbVfhncHEvPdHXZwHU=")
    })
  )

  it.effect("example E: ListOTATaskByJob GET/POST, and DeviceNames.1..11 in lexicographic order", () =>
    Effect.gen(function* () {
      expect(canonicalQuery(exampleE)).toContain("JobId=7glPHmaDYLAYMD1HHutT02%2A%2A%2A%2A")
      expect(rpcStringToSign("GET", canonicalQuery(exampleE))).toContain("%252A%252A%252A%252A")
      expect(yield* sign("GET", exampleE, "testsecret")).toBe("UVVxmrjr1jR6IqAMCqgrQnNDwOI=")
      expect(yield* sign("POST", exampleE, "testsecret")).toBe("5GKrC+FDmE2D/aLskfQgkxlMhjc=")
      const { PageSize: _p, CurrentPage: _c, ...withoutPaging } = exampleE
      const devices = Object.fromEntries(
        Array.from({ length: 11 }, (_, i) => [`DeviceNames.${i + 1}`, `dev${i + 1}`])
      )
      const params = { ...withoutPaging, ...devices }
      const names = canonicalQuery(params)
        .split("&")
        .map((pair) => pair.split("=")[0])
        .filter((name) => name?.startsWith("DeviceNames"))
      expect(names).toEqual([1, 10, 11, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => `DeviceNames.${n}`))
      expect(yield* sign("GET", params, "testsecret")).toBe("l1usGpZd7V4DlqsxMrK4a/jLAVc=")
    })
  )
})

describe("percentEncode", () => {
  it("encodes the documented special cases", () => {
    expect(percentEncode(" ")).toBe("%20")
    expect(percentEncode("*")).toBe("%2A")
    expect(percentEncode("~")).toBe("~")
    expect(percentEncode("+/=&:")).toBe("%2B%2F%3D%26%3A")
    expect(percentEncode("!'()")).toBe("%21%27%28%29")
    expect(percentEncode("中")).toBe("%E4%B8%AD")
    expect(percentEncode("a\uD800b")).toBe("a%EF%BF%BDb")
  })

  it("matches the RFC 3986 rule on any string, unicode and lone surrogates included", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 40 }), (s) => {
        expect(percentEncode(s)).toBe(referenceEncode(s))
      }),
      { numRuns: 2000 }
    )
  })

  it("only ever emits unreserved characters and upper-case escapes", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 40 }), (s) => {
        expect(percentEncode(s)).toMatch(/^(?:[A-Za-z0-9\-_.~]|%[0-9A-F]{2})*$/)
      })
    )
  })
})

describe("canonicalQuery", () => {
  const entries = fc.uniqueArray(
    fc.tuple(fc.string({ unit: "binary", maxLength: 12 }), fc.string({ maxLength: 12 })),
    {
      selector: ([name]) => name,
      maxLength: 12
    }
  )

  it("does not depend on insertion order", () => {
    fc.assert(
      fc.property(
        entries.chain((list) =>
          fc.tuple(
            fc.constant(list),
            fc.shuffledSubarray(list, { minLength: list.length, maxLength: list.length })
          )
        ),
        ([list, shuffled]) => {
          expect(canonicalQuery(Object.fromEntries(shuffled))).toBe(canonicalQuery(Object.fromEntries(list)))
        }
      )
    )
  })

  it("sorts by raw name in UTF-16 code unit order and encodes both sides", () => {
    fc.assert(
      fc.property(entries, (list) => {
        const expected = [...list]
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          .map(([k, v]) => `${referenceEncode(k)}=${referenceEncode(v)}`)
          .join("&")
        expect(canonicalQuery(Object.fromEntries(list))).toBe(expected)
      })
    )
  })
})

describe("the HMAC-SHA1 signer", () => {
  it("formats timestamps without milliseconds", () => {
    expect(formatTimestamp(Date.UTC(2016, 1, 23, 12, 46, 24, 999))).toBe("2016-02-23T12:46:24Z")
  })

  it("formats any sequence of timestamps as toISOString does, same-second calls included", () => {
    // The last second's text is reused: repeats, steps back and pre-1970 times must not leak it.
    const millis = fc.integer({ min: -62_135_596_800_000, max: 253_402_300_799_999 })
    const nearby = fc.tuple(millis, fc.array(fc.integer({ min: -2_500, max: 2_500 }), { maxLength: 8 }))
    fc.assert(
      fc.property(fc.array(nearby, { maxLength: 6 }), (runs) => {
        for (const [start, steps] of runs) {
          for (const at of [start, ...steps.map((step) => start + step)]) {
            expect(formatTimestamp(at)).toBe(new Date(at).toISOString().slice(0, 19) + "Z")
          }
        }
      })
    )
  })

  it.effect("adds the common parameters, keeps the endpoint's port and path, and appends Signature", () =>
    Effect.gen(function* () {
      const signer = yield* makeHmacSha1
      const signed = yield* signer.sign(
        {
          endpoint: new URL("http://127.0.0.1:8686/proxy/"),
          method: "GET",
          action: "ListOTATaskByJob",
          version: "2018-01-20",
          params: { JobId: "job 1", "DeviceNames.1": "a*b" },
          regionId: "cn-shanghai"
        },
        {
          credentials: { accessKeyId: "testid", accessKeySecret: Redacted.make("testsecret") },
          timestamp: Date.UTC(2024, 10, 19, 9, 47, 43),
          nonce: "nonce-1"
        }
      )
      const url = new URL(signed.url)
      expect(url.origin + url.pathname).toBe("http://127.0.0.1:8686/proxy/")
      expect(signed.url).toContain("JobId=job%201")
      expect(signed.url).toContain("DeviceNames.1=a%2Ab")
      expect(signed.url).not.toContain("testsecret")
      const params = Object.fromEntries(url.searchParams)
      expect(params).toMatchObject({
        AccessKeyId: "testid",
        Action: "ListOTATaskByJob",
        Format: "JSON",
        RegionId: "cn-shanghai",
        SignatureMethod: "HMAC-SHA1",
        SignatureNonce: "nonce-1",
        SignatureVersion: "1.0",
        Timestamp: "2024-11-19T09:47:43Z",
        Version: "2018-01-20"
      })
      const { Signature, ...unsigned } = params
      expect(Signature).toBe(yield* sign("GET", unsigned, "testsecret"))
    }).pipe(Effect.provide(layerWebCrypto))
  )
})
