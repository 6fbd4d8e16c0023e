import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as fc from "fast-check"
import {
  authorization,
  canonicalHeaders,
  canonicalRequest,
  EMPTY_PAYLOAD_SHA256,
  makeAcs3HmacSha256
} from "../src/SignerV3.js"
import { layerWebCrypto } from "../src/SigningCrypto.js"

describe("ACS3-HMAC-SHA256 worked examples (protocol.md#v3-worked-examples)", () => {
  it.effect("A: the V3 documentation's fixed values, byte for byte", () =>
    Effect.gen(function* () {
      const request = {
        method: "POST",
        canonicalUri: "/",
        query: { ImageId: "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd", RegionId: "cn-shanghai" },
        headers: [
          ["host", "ecs.cn-shanghai.aliyuncs.com"],
          ["x-acs-action", "RunInstances"],
          ["x-acs-version", "2014-05-26"],
          ["x-acs-date", "2023-10-26T10:22:32Z"],
          ["x-acs-signature-nonce", "3156853299f313e23d1673dc12e1703d"],
          ["x-acs-content-sha256", EMPTY_PAYLOAD_SHA256]
        ] as const,
        hashedPayload: EMPTY_PAYLOAD_SHA256
      }
      expect(canonicalRequest(request).text).toBe(
        [
          "POST",
          "/",
          "ImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai",
          "host:ecs.cn-shanghai.aliyuncs.com",
          "x-acs-action:RunInstances",
          `x-acs-content-sha256:${EMPTY_PAYLOAD_SHA256}`,
          "x-acs-date:2023-10-26T10:22:32Z",
          "x-acs-signature-nonce:3156853299f313e23d1673dc12e1703d",
          "x-acs-version:2014-05-26",
          "",
          "host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version",
          EMPTY_PAYLOAD_SHA256
        ].join("\n")
      )
      const result = yield* authorization({
        accessKeyId: "YourAccessKeyId",
        accessKeySecret: Redacted.make("YourAccessKeySecret"),
        request
      })
      expect(result.stringToSign).toBe(
        "ACS3-HMAC-SHA256\n7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259"
      )
      expect(result.authorization).toBe(
        "ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0"
      )
    }).pipe(Effect.provide(layerWebCrypto))
  )

  it.effect("B: the SDK's getAuthorization test (repeated header names, empty value)", () =>
    Effect.gen(function* () {
      const payload = "55e12e91650d2fec56ec74e1d3e4ddbfce2ef3a65890c2a19ecf88a307e76a23"
      const request = {
        method: "undefined",
        canonicalUri: "",
        query: { test: "ok", empty: "" },
        headers: [
          ["x-acs-TEST", "https"],
          ["x-acs-test", "http"]
        ] as const,
        hashedPayload: payload
      }
      expect(canonicalRequest(request).text).toBe(
        `undefined\n\nempty=&test=ok\nx-acs-test:http,https\n\nx-acs-test\n${payload}`
      )
      const result = yield* authorization({
        accessKeyId: "acesskey",
        accessKeySecret: Redacted.make("secret"),
        request
      })
      expect(result.authorization).toBe(
        "ACS3-HMAC-SHA256 Credential=acesskey,SignedHeaders=x-acs-test,Signature=0f2d549523cf082c83bb8135b5863614f7fe16ca7c2c7fc537e74d67374eeeac"
      )
    }).pipe(Effect.provide(layerWebCrypto))
  )
})

describe("V3 canonicalisation properties", () => {
  const headerName = fc.oneof(
    fc.constantFrom("host", "content-type", "Host", "Content-Type"),
    fc.stringMatching(/^[a-z0-9-]{1,10}$/).map((s) => `x-acs-${s}`),
    fc.stringMatching(/^[a-z0-9-]{1,10}$/).map((s) => `X-Acs-${s.toUpperCase()}`),
    fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/)
  )
  const headers = fc.array(
    fc.tuple(
      headerName,
      fc.string({ maxLength: 10 }).map((v) => ` ${v.trim()} `)
    ),
    {
      maxLength: 10
    }
  )

  it("header order and name case do not change the canonical headers", () => {
    fc.assert(
      fc.property(
        headers.chain((list) =>
          fc.tuple(
            fc.constant(list),
            fc.shuffledSubarray(list, { minLength: list.length, maxLength: list.length })
          )
        ),
        ([list, shuffled]) => {
          const flipCase = shuffled.map(
            ([n, v]) => [n === n.toLowerCase() ? n.toUpperCase() : n.toLowerCase(), v] as const
          )
          expect(canonicalHeaders(flipCase)).toEqual(canonicalHeaders(list))
        }
      )
    )
  })

  it("signs exactly host, content-type and x-acs-* headers, lower-cased, sorted, trimmed", () => {
    fc.assert(
      fc.property(headers, (list) => {
        const { canonical, signedHeaders } = canonicalHeaders(list)
        const names = signedHeaders === "" ? [] : signedHeaders.split(";")
        expect(names).toEqual([...names].sort())
        for (const name of names)
          expect(name === "host" || name === "content-type" || name.startsWith("x-acs-")).toBe(true)
        const expectedNames = new Set(
          list
            .map(([n]) => n.toLowerCase())
            .filter((n) => n === "host" || n === "content-type" || n.startsWith("x-acs-"))
        )
        expect(new Set(names)).toEqual(expectedNames)
        for (const line of canonical.split("\n").filter((l) => l !== "")) {
          const value = line.slice(line.indexOf(":") + 1)
          expect(value).toBe(value.trim())
        }
      })
    )
  })

  it("the query part is the RFC 3986 canonical query, independent of order", () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.string({ unit: "grapheme", maxLength: 8 }),
          fc.string({ unit: "grapheme", maxLength: 8 })
        ),
        (query) => {
          const reversed = Object.fromEntries(Object.entries(query).reverse())
          const a = canonicalRequest({
            method: "GET",
            canonicalUri: "/",
            query,
            headers: [],
            hashedPayload: ""
          })
          const b = canonicalRequest({
            method: "GET",
            canonicalUri: "/",
            query: reversed,
            headers: [],
            hashedPayload: ""
          })
          expect(a.text).toBe(b.text)
          expect(a.text.split("\n")[2]).toMatch(/^(?:[A-Za-z0-9\-_.~%=&])*$/)
        }
      )
    )
  })
})

describe("the V3 signer", () => {
  it.effect("puts API params in the query and common params in signed x-acs-* headers", () =>
    Effect.gen(function* () {
      const signer = yield* makeAcs3HmacSha256
      const signed = yield* signer.sign(
        {
          endpoint: new URL("http://127.0.0.1:41823/"),
          method: "GET",
          action: "ListOTATaskByJob",
          version: "2018-01-20",
          params: { JobId: "job*1", "DeviceNames.1": "a b" }
        },
        {
          credentials: { accessKeyId: "id", accessKeySecret: Redacted.make("secret") },
          timestamp: Date.UTC(2024, 0, 2, 3, 4, 5),
          nonce: "n-1"
        }
      )
      expect(signed.url).toBe("http://127.0.0.1:41823/?DeviceNames.1=a%20b&JobId=job%2A1")
      expect(signed.headers).toMatchObject({
        "x-acs-action": "ListOTATaskByJob",
        "x-acs-version": "2018-01-20",
        "x-acs-date": "2024-01-02T03:04:05Z",
        "x-acs-signature-nonce": "n-1",
        "x-acs-content-sha256": EMPTY_PAYLOAD_SHA256
      })
      expect(signed.headers.authorization).toMatch(
        /^ACS3-HMAC-SHA256 Credential=id,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=[0-9a-f]{64}$/
      )
      const expected = yield* authorization({
        accessKeyId: "id",
        accessKeySecret: Redacted.make("secret"),
        request: {
          method: "GET",
          canonicalUri: "/",
          query: { JobId: "job*1", "DeviceNames.1": "a b" },
          headers: [
            ["host", "127.0.0.1:41823"],
            ...Object.entries(signed.headers).filter(([n]) => n !== "authorization")
          ],
          hashedPayload: EMPTY_PAYLOAD_SHA256
        }
      })
      expect(signed.headers.authorization).toBe(expected.authorization)
    }).pipe(Effect.provide(layerWebCrypto))
  )
})
