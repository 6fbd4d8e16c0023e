/**
 * Temporary credentials on the wire: the security token signed as `SecurityToken` (HMAC-SHA1) or as the
 * `x-acs-security-token` header (ACS3-HMAC-SHA256, with `x-acs-accesskey-id`, as the official SDK sends
 * them), checked against vectors recomputed here with node:crypto and an encoder of this file's own; then
 * over HTTP against the emulator, whose verifier is a third implementation.
 *
 * The two vectors were also confirmed with the official `@alicloud/openapi-util` 0.3.3 (`getRPCSignature`,
 * `getAuthorization`), once, outside the suite.
 */

import { createHash, createHmac } from "node:crypto"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { type Emulator, startEmulator } from "@iot-ota/emulator"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as ClientConfig from "../src/ClientConfig.js"
import * as Credentials from "../src/Credentials.js"
import type { OtaError } from "../src/IotError.js"
import { ListOTATaskByJob } from "../src/operations/ListOTATaskByJob.js"
import * as RpcClient from "../src/RpcClient.js"
import {
  makeHmacSha1,
  type SignatureAlgorithm,
  type SigningContext,
  type UnsignedRequest
} from "../src/Signer.js"
import { makeAcs3HmacSha256 } from "../src/SignerV3.js"
import { layerWebCrypto } from "../src/SigningCrypto.js"
import * as Transport from "../src/Transport.js"

const KEY_ID = "STS.NUgYrLnoC37mZZCNnAbez2Lk5"
const SECRET = "testsecret"
const TOKEN =
  "CAIS8gF1q6Ft5B2yfSjIr5bSEsj4ja5D0ZSBd0f/sjJhfstDjP3xrjz2IHtMe3BoA+gft/4zmW5W7vsYlqB6T55OSAmcNZEoPgyq+ttlMdBWH0d+S8dbaWA=="
const TIMESTAMP = Date.parse("2016-02-23T12:46:24Z")
const NONCE = "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"

const request: UnsignedRequest = {
  endpoint: new URL("https://iot.cn-shanghai.aliyuncs.com/"),
  method: "GET",
  action: "ListOTATaskByJob",
  version: "2018-01-20",
  params: { JobId: "7glPHmaDYLAYMD1HHutT02****", PageSize: "10", CurrentPage: "1" }
}
const context: SigningContext = {
  credentials: {
    accessKeyId: KEY_ID,
    accessKeySecret: Redacted.make(SECRET),
    securityToken: Redacted.make(TOKEN)
  },
  timestamp: TIMESTAMP,
  nonce: NONCE
}

// --- An implementation of both signatures written for this file, node:crypto only. ---
// (docs/protocol.md: Signature V2 and Signature V3)
const enc = (text: string) =>
  encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
const canonical = (params: Readonly<Record<string, string>>) =>
  Object.keys(params)
    .sort()
    .map((name) => `${enc(name)}=${enc(params[name]!)}`)
    .join("&")
const v2 = (params: Readonly<Record<string, string>>, secret: string) =>
  createHmac("sha1", `${secret}&`)
    .update(`GET&%2F&${enc(canonical(params))}`)
    .digest("base64")
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex")
const v3 = (
  query: Readonly<Record<string, string>>,
  headers: Readonly<Record<string, string>>,
  secret: string
) => {
  const names = Object.keys(headers).sort()
  const canonicalRequest = [
    "GET",
    "/",
    canonical(query),
    names.map((name) => `${name}:${headers[name]!.trim()}\n`).join(""),
    names.join(";"),
    sha256("")
  ].join("\n")
  return {
    signedHeaders: names.join(";"),
    signature: createHmac("sha256", secret)
      .update(`ACS3-HMAC-SHA256\n${sha256(canonicalRequest)}`)
      .digest("hex")
  }
}

describe("the security token in signatures", () => {
  it.effect("HMAC-SHA1: SecurityToken is a signed query parameter (golden vector)", () =>
    Effect.gen(function* () {
      const signed = yield* Effect.flatMap(makeHmacSha1, (signer) => signer.sign(request, context))
      const { Signature, ...params } = Object.fromEntries(new URL(signed.url).searchParams)
      expect(params.SecurityToken).toBe(TOKEN)
      expect(signed.url).toContain(`SecurityToken=${enc(TOKEN)}`)
      expect(Signature).toBe(v2(params, SECRET))
      expect(Signature).toBe("oHMs1nEKZdoN/UT4ct+7eon0OGI=")
      // Without the token the same request signs differently: the token is covered.
      const { SecurityToken: _, ...withoutToken } = params
      expect(v2(withoutToken, SECRET)).not.toBe(Signature)
    }).pipe(Effect.provide(layerWebCrypto))
  )

  it.effect(
    "ACS3-HMAC-SHA256: x-acs-security-token and x-acs-accesskey-id are signed headers (golden vector)",
    () =>
      Effect.gen(function* () {
        const signed = yield* Effect.flatMap(makeAcs3HmacSha256, (signer) => signer.sign(request, context))
        expect(signed.url).not.toContain(TOKEN.slice(0, 20))
        const { authorization, ...headers } = signed.headers
        expect(headers["x-acs-security-token"]).toBe(TOKEN)
        expect(headers["x-acs-accesskey-id"]).toBe(KEY_ID)
        const expected = v3(
          Object.fromEntries(new URL(signed.url).searchParams),
          { host: "iot.cn-shanghai.aliyuncs.com", ...headers },
          SECRET
        )
        expect(authorization).toBe(
          `ACS3-HMAC-SHA256 Credential=${KEY_ID},SignedHeaders=${expected.signedHeaders},Signature=${expected.signature}`
        )
        expect(expected.signedHeaders).toBe(
          "host;x-acs-accesskey-id;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-security-token;x-acs-signature-nonce;x-acs-version"
        )
        expect(expected.signature).toBe("e8891e7220a6c85de77791da1d566fd38b0d4b9afd6621ca3e2af92d57b23daf")
      }).pipe(Effect.provide(layerWebCrypto))
  )

  it.effect("a long-lived key signs exactly as before: no token parameter or header", () =>
    Effect.gen(function* () {
      const longLived: SigningContext = {
        ...context,
        credentials: { accessKeyId: "testid", accessKeySecret: Redacted.make(SECRET) }
      }
      const v2Signed = yield* Effect.flatMap(makeHmacSha1, (signer) => signer.sign(request, longLived))
      expect(new URL(v2Signed.url).searchParams.has("SecurityToken")).toBe(false)
      const v3Signed = yield* Effect.flatMap(makeAcs3HmacSha256, (signer) => signer.sign(request, longLived))
      expect(
        Object.keys(v3Signed.headers).filter(
          (name) => name.includes("security-token") || name.includes("accesskey-id")
        )
      ).toEqual([])
    }).pipe(Effect.provide(layerWebCrypto))
  )
})

/** The `fetch` transport, keeping what each request carried (to check where the token went). */
const recordingTransport = () => {
  const sent: Array<Transport.TransportRequest> = []
  const inner = Transport.makeFetch()
  return {
    sent,
    layer: Layer.succeed(Transport.Transport, {
      send: (request: Transport.TransportRequest) =>
        Effect.suspend(() => {
          sent.push(request)
          return inner.send(request)
        })
    })
  }
}

const rpcLayer = (
  emulator: Emulator,
  algorithm: SignatureAlgorithm,
  credentials: Layer.Layer<Credentials.Credentials, never>,
  transport: Layer.Layer<Transport.Transport>
) =>
  RpcClient.layer.pipe(
    Layer.provide(transport),
    Layer.provide(credentials),
    Layer.provide(
      ClientConfig.layer({
        endpoint: emulator.url,
        qps: 0,
        maxAttempts: 1,
        signatureAlgorithm: algorithm,
        runtime: "test"
      })
    ),
    Layer.orDie
  )

const firstPage = Effect.flatMap(RpcClient.RpcClient, (rpc) =>
  rpc.call(ListOTATaskByJob, { jobId: "job-sts", pageSize: 5 })
)

describe("the emulator accepts requests signed with a temporary credential", () => {
  let emulator: Emulator
  beforeAll(async () => {
    emulator = await startEmulator({
      credentials: [{ accessKeyId: KEY_ID, accessKeySecret: SECRET }],
      jobs: [{ jobId: "job-sts", tasks: 12 }],
      qps: 0
    })
  })
  afterAll(() => emulator.close())

  for (const algorithm of ["HMAC-SHA1", "ACS3-HMAC-SHA256"] as const) {
    it.effect(`${algorithm}: the page comes back, and the token went where the algorithm puts it`, () =>
      Effect.gen(function* () {
        const transport = recordingTransport()
        const credentials = Credentials.layer({
          accessKeyId: KEY_ID,
          accessKeySecret: `${SECRET}\n`,
          securityToken: ` ${TOKEN}\r\n`
        }).pipe(Layer.orDie)
        const page = yield* Effect.provide(
          firstPage,
          rpcLayer(emulator, algorithm, credentials, transport.layer)
        )
        expect(page.tasks).toHaveLength(5)
        const [sent] = transport.sent
        if (algorithm === "HMAC-SHA1") {
          expect(new URL(sent!.url).searchParams.get("SecurityToken")).toBe(TOKEN)
        } else {
          expect(sent!.headers["x-acs-security-token"]).toBe(TOKEN)
          expect(sent!.url).not.toContain("SecurityToken")
        }
      })
    )

    it.effect(
      `${algorithm}: a refused signature is reported with the source and what to check, never the token`,
      () =>
        Effect.gen(function* () {
          const transport = recordingTransport()
          const credentials = Credentials.layer({
            accessKeyId: KEY_ID,
            accessKeySecret: "not-the-secret",
            securityToken: TOKEN
          }).pipe(Layer.orDie)
          const error: OtaError = yield* Effect.flip(
            Effect.provide(firstPage, rpcLayer(emulator, algorithm, credentials, transport.layer))
          )
          expect(error).toMatchObject({ _tag: "ApiError", code: "SignatureDoesNotMatch" })
          expect(error.message).toContain(
            `[credentials from options: check that the AccessKey secret is the one of AccessKey ${KEY_ID}, without a stray space or line break, and that the security token was issued with it, and that this computer's clock is right]`
          )
          // The emulator, as the service does, quotes its string to sign: the token in it is scrubbed.
          expect(error.message).toContain("<redacted>")
          for (const text of [error.message, JSON.stringify(error), String(error)]) {
            expect(text).not.toContain(TOKEN)
            expect(text).not.toContain(enc(TOKEN))
            expect(text).not.toContain(enc(enc(TOKEN)))
            expect(text).not.toContain("not-the-secret")
          }
        })
    )
  }
})
