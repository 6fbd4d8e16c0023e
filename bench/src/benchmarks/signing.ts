/**
 * (6) Signing: V2 (HMAC-SHA1) signatures per second for the same 1,000
 * realistic requests (job ids, pages, status and device-name filters with
 * characters that need encoding, fresh nonces and timestamps):
 * - the core `Signer` (`makeHmacSha1`) over the default WebCrypto `SigningCrypto` (async);
 * - the same signer over `@iot-ota/node`'s `NodeSigningCrypto` (what the Node client uses);
 * - bare `createHmac("sha1")` over the precomputed strings-to-sign (the HMAC alone);
 * - a bare hand-written V2 signer (canonicalise + createHmac), the same work as the core signer.
 * Before measuring, every signer's output is checked to be identical.
 */
import { createHmac, randomUUID } from "node:crypto"
import * as Credentials from "@iot-ota/core/Credentials"
import {
  canonicalQuery,
  makeHmacSha1,
  rpcParams,
  rpcStringToSign,
  type SignerService,
  type SigningContext,
  type UnsignedRequest
} from "@iot-ota/core/Signer"
import { makeWebCrypto, SigningCrypto, type SigningCryptoService } from "@iot-ota/core/SigningCrypto"
import { DEFAULT_CREDENTIALS } from "@iot-ota/emulator"
import * as NodeSigningCrypto from "@iot-ota/node/NodeSigningCrypto"
import * as Effect from "effect/Effect"
import type { BenchContext } from "../internal/context.js"
import { signV2Query } from "../internal/floor.js"
import { alternate, type Contender, median, round } from "../internal/measure.js"
import type { BenchmarkResult, Row } from "../internal/report.js"

const COUNT = 1_000
/** Each run signs the 1,000 requests this many times, so even the fastest run lasts tens of ms. */
const PASSES = 5
const STATUSES = ["FAILED", "IN_PROGRESS", "SUCCEEDED", "QUEUED", "CANCELED"]
const DEVICES = [
  "thermo-00042",
  "lock_00007@lab",
  "meter:00019.v2",
  "gateway 12 (hall)",
  "cam-0815*",
  "sensor~ä"
]
const ID_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

interface Input {
  readonly request: UnsignedRequest
  readonly context: SigningContext
  /** Every parameter but `Signature`, as the core signer would send them. */
  readonly params: Readonly<Record<string, string>>
  readonly stringToSign: string
}

/** A small seeded generator, so every run signs the same requests. */
const lcg = (seed: number) => {
  let state = seed >>> 0
  return (n: number): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0
    return state % n
  }
}

const makeInputs = (): ReadonlyArray<Input> => {
  const next = lcg(6)
  const credentials = Effect.runSync(
    Effect.flatMap(Credentials.make(DEFAULT_CREDENTIALS), (provider) => Effect.orDie(provider.get))
  )
  const endpoint = new URL("https://iot.cn-shanghai.aliyuncs.com/")
  const baseTime = Date.UTC(2025, 0, 15, 8, 0, 0)
  return Array.from({ length: COUNT }, (_, i) => {
    let jobId = ""
    for (let k = 0; k < 22; k++) jobId += ID_CHARS[next(ID_CHARS.length)]
    const params: Record<string, string> = {
      JobId: jobId + "02" + "demo",
      PageSize: next(2) === 0 ? "100" : "50",
      CurrentPage: String(1 + next(1000))
    }
    if (next(3) === 0) params.TaskStatus = STATUSES[next(STATUSES.length)]!
    if (next(4) === 0) {
      const names = 1 + next(3)
      for (let d = 1; d <= names; d++) params[`DeviceNames.${d}`] = DEVICES[next(DEVICES.length)]!
    }
    if (next(5) === 0) params.IotInstanceId = "iot-cn-0pp1n8t****"
    const request: UnsignedRequest = {
      endpoint,
      method: "GET",
      action: "ListOTATaskByJob",
      version: "2018-01-20",
      params,
      regionId: next(2) === 0 ? "cn-shanghai" : undefined
    }
    const context: SigningContext = { credentials, timestamp: baseTime + i * 997, nonce: randomUUID() }
    const wire = rpcParams(request, context)
    return { request, context, params: wire, stringToSign: rpcStringToSign("GET", canonicalQuery(wire)) }
  })
}

const coreSigner = (crypto: SigningCryptoService): SignerService =>
  Effect.runSync(Effect.provideService(makeHmacSha1, SigningCrypto, crypto))

const signAll = (signer: SignerService, inputs: ReadonlyArray<Input>): Effect.Effect<ReadonlyArray<string>> =>
  Effect.forEach(inputs, ({ request, context }) => Effect.map(signer.sign(request, context), (s) => s.url))

const queryOf = (url: string): string => url.slice(url.indexOf("?") + 1)

export const run = async (ctx: BenchContext): Promise<BenchmarkResult> => {
  const inputs = makeInputs()
  const secret = DEFAULT_CREDENTIALS.accessKeySecret
  const webCrypto = coreSigner(makeWebCrypto())
  const nodeCrypto = coreSigner(NodeSigningCrypto.make())

  // The contenders must produce the same signatures, or the comparison is void.
  const viaWeb = (await Effect.runPromise(signAll(webCrypto, inputs))).map(queryOf)
  const viaNode = (await Effect.runPromise(signAll(nodeCrypto, inputs))).map(queryOf)
  const viaBare = inputs.map((input) => signV2Query(input.params, secret))
  for (let i = 0; i < COUNT; i++) {
    if (viaWeb[i] !== viaNode[i] || viaNode[i] !== viaBare[i]) {
      throw new Error(`signing: the signers disagree on request ${i}`)
    }
  }

  const names = {
    web: "core Signer, WebCrypto SigningCrypto",
    node: "core Signer, NodeSigningCrypto",
    hmac: "bare createHmac on the string-to-sign",
    bare: "bare V2 signer (canonicalise + createHmac)"
  } as const
  const repeat = async (once: () => Promise<void> | void): Promise<number> => {
    for (let p = 0; p < PASSES; p++) await once()
    return COUNT * PASSES
  }
  const contenders: ReadonlyArray<Contender> = [
    {
      name: names.web,
      run: () => repeat(() => Effect.runPromise(Effect.asVoid(signAll(webCrypto, inputs))))
    },
    {
      name: names.node,
      run: () => repeat(() => Effect.runPromise(Effect.asVoid(signAll(nodeCrypto, inputs))))
    },
    {
      name: names.hmac,
      run: () =>
        repeat(() => {
          for (const input of inputs)
            createHmac("sha1", secret + "&")
              .update(input.stringToSign)
              .digest("base64")
        })
    },
    {
      name: names.bare,
      run: () =>
        repeat(() => {
          for (const input of inputs) signV2Query(input.params, secret)
        })
    }
  ]
  ctx.log(
    `signing: ${contenders.length} signers x ${COUNT * PASSES} signatures, 3 warm-up runs + ${ctx.rounds} rounds`
  )
  const { samples } = await alternate(contenders, {
    rounds: ctx.rounds,
    warmups: 3,
    expected: COUNT * PASSES
  })
  const perSecond = (name: string): number =>
    round((COUNT * PASSES) / (median((samples.get(name) ?? []).map((s) => s.wallMs)) / 1000), 0)
  const rates = {
    web: perSecond(names.web),
    node: perSecond(names.node),
    hmac: perSecond(names.hmac),
    bare: perSecond(names.bare)
  }
  const ratios = {
    "bare createHmac / core (WebCrypto)": round(rates.hmac / rates.web, 2),
    "bare createHmac / core (NodeSigningCrypto)": round(rates.hmac / rates.node, 2),
    "bare V2 signer / core (NodeSigningCrypto)": round(rates.bare / rates.node, 2),
    "core (NodeSigningCrypto) / core (WebCrypto)": round(rates.node / rates.web, 2)
  }
  const rows: Array<Row> = [
    { name: `signing: ${names.web}`, value: rates.web, unit: "sig/s" },
    { name: `signing: ${names.node}`, value: rates.node, unit: "sig/s" },
    { name: `signing: ${names.hmac}`, value: rates.hmac, unit: "sig/s" },
    { name: `signing: ${names.bare}`, value: rates.bare, unit: "sig/s" },
    ...Object.entries(ratios).map(([name, value]) => ({ name: `signing: ${name}`, value, unit: "x" }))
  ]
  return {
    name: "signing",
    title: "Signing (6)",
    measuredAt: new Date().toISOString(),
    rows,
    notes: [
      `per signature: core WebCrypto ${round(1e6 / rates.web, 2)} µs, core NodeSigningCrypto ${round(1e6 / rates.node, 2)} µs, bare V2 signer ${round(1e6 / rates.bare, 2)} µs, createHmac alone ${round(1e6 / rates.hmac, 2)} µs.`
    ],
    data: {
      requests: COUNT,
      passesPerRun: PASSES,
      rounds: ctx.rounds,
      signaturesPerSecond: rates,
      ratios,
      raw: Object.fromEntries(
        [...samples].map(([name, list]) => [
          name,
          list.map((s) => ({ wallMs: round(s.wallMs), items: s.items }))
        ])
      )
    }
  }
}
