/** A small HTTP client for the tests: raw requests, and signed V2 / V3 calls (ListOTATaskByJob unless told). */
import { randomUUID } from "node:crypto"
import * as http from "node:http"
import * as net from "node:net"
import { DEFAULT_CREDENTIALS, type Emulator } from "../../src/index.js"
import { sdkEncode, sha256, v2Sign, v3Sign } from "./signers.js"

export interface HttpResult {
  readonly status: number
  readonly headers: http.IncomingHttpHeaders
  readonly text: string
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are inspected dynamically in assertions
  readonly json: any
}

export interface RawOptions {
  readonly method?: string
  readonly path: string
  readonly headers?: Record<string, string | number>
  readonly body?: string | Buffer
}

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** One request on a fresh connection; rejects on transport errors (reset, premature close). */
export const request = (emulator: Emulator, options: RawOptions): Promise<HttpResult> =>
  new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: emulator.host,
        port: emulator.port,
        method: options.method ?? "GET",
        path: options.path,
        headers: options.headers,
        agent: false
      },
      (res) => {
        const chunks: Array<Buffer> = []
        res.on("data", (chunk: Buffer) => chunks.push(chunk))
        res.on("aborted", () => reject(new Error("response aborted")))
        res.on("error", reject)
        res.on("end", () => {
          if (!res.complete) return reject(new Error("response incomplete"))
          const text = Buffer.concat(chunks).toString("utf8")
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: parseJson(text) })
        })
      }
    )
    req.on("error", reject)
    if (options.body !== undefined) req.write(options.body)
    req.end()
  })

/** Writes raw bytes on a TCP connection and collects everything until the server closes it. */
export const rawExchange = (emulator: Emulator, payload: string | Buffer): Promise<string> =>
  new Promise((resolve, reject) => {
    const socket = net.connect(emulator.port, emulator.host)
    const chunks: Array<Buffer> = []
    socket.on("data", (chunk) => chunks.push(chunk))
    socket.on("error", reject)
    socket.on("close", () => resolve(Buffer.concat(chunks).toString("latin1")))
    socket.write(payload)
  })

export const timestamp = (offsetMs = 0): string =>
  new Date(Date.now() + offsetMs).toISOString().replace(/\.\d{3}Z$/, "Z")

export interface V2Options {
  /** Default ListOTATaskByJob. */
  readonly action?: string
  readonly method?: "GET" | "POST"
  /** POST only: which parameters go in the form body ("api" = the API parameters, the rest in the query). */
  readonly bodyParams?: "all" | "api"
  readonly accessKeyId?: string
  readonly secret?: string
  readonly timestampOffsetMs?: number
  readonly nonce?: string
  /** Applied to the common parameters before signing (e.g. drop one). */
  readonly editCommon?: (params: Record<string, string>) => void
  /** Encodes the wire form; default RFC 3986. */
  readonly encode?: (value: string) => string
}

export const commonV2 = (options: V2Options = {}): Record<string, string> => ({
  Action: options.action ?? "ListOTATaskByJob",
  Version: "2018-01-20",
  Format: "JSON",
  AccessKeyId: options.accessKeyId ?? DEFAULT_CREDENTIALS.accessKeyId,
  SignatureMethod: "HMAC-SHA1",
  SignatureVersion: "1.0",
  SignatureNonce: options.nonce ?? randomUUID(),
  Timestamp: timestamp(options.timestampOffsetMs)
})

const form = (params: Record<string, string>, encode: (value: string) => string): string =>
  Object.entries(params)
    .map(([name, value]) => `${encode(name)}=${encode(value)}`)
    .join("&")

/** A V2-signed call with `api` parameters (a GET unless told). */
export const callV2 = (
  emulator: Emulator,
  api: Record<string, string>,
  options: V2Options = {}
): Promise<HttpResult> => {
  const method = options.method ?? "GET"
  const common = commonV2(options)
  options.editCommon?.(common)
  const all = { ...common, ...api }
  all.Signature = v2Sign(method, all, options.secret ?? DEFAULT_CREDENTIALS.accessKeySecret)
  const encode = options.encode ?? sdkEncode
  if (method === "GET") return request(emulator, { path: `/?${form(all, encode)}` })
  const inBody = options.bodyParams === "api" ? api : all
  const inQuery = options.bodyParams === "api" ? { ...common, Signature: all.Signature } : {}
  const body = form(inBody, encode)
  return request(emulator, {
    method: "POST",
    path: Object.keys(inQuery).length === 0 ? "/" : `/?${form(inQuery, encode)}`,
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      "content-length": Buffer.byteLength(body)
    },
    body
  })
}

export interface V3Options {
  readonly method?: "GET" | "POST"
  /** Send the API parameters as a form body instead of the query. */
  readonly formBody?: boolean
  readonly accessKeyId?: string
  readonly secret?: string
  readonly dateOffsetMs?: number
  readonly nonce?: string
  readonly action?: string
  /** Default 2018-01-20. */
  readonly version?: string
  readonly extraHeaders?: Record<string, string>
  /** Changes the headers after signing (to break things). */
  readonly tamper?: (headers: Record<string, string>) => void
}

/** A V3-signed ListOTATaskByJob call, as the official SDK sends it: POST, parameters in the query. */
export const callV3 = async (
  emulator: Emulator,
  api: Record<string, string>,
  options: V3Options = {}
): Promise<HttpResult & { readonly canonicalRequest: string }> => {
  const method = options.method ?? "POST"
  const body = options.formBody === true ? form(api, sdkEncode) : ""
  const query = options.formBody === true ? {} : api
  const headers: Record<string, string> = {
    "x-acs-action": options.action ?? "ListOTATaskByJob",
    "x-acs-version": options.version ?? "2018-01-20",
    "x-acs-date": timestamp(options.dateOffsetMs),
    "x-acs-signature-nonce": options.nonce ?? randomUUID().replace(/-/g, ""),
    "x-acs-content-sha256": sha256(body),
    ...(options.formBody === true ? { "content-type": "application/x-www-form-urlencoded" } : {}),
    ...options.extraHeaders
  }
  const signed = v3Sign({
    method,
    host: `${emulator.host}:${emulator.port}`,
    query,
    headers,
    body,
    accessKeyId: options.accessKeyId ?? DEFAULT_CREDENTIALS.accessKeyId,
    secret: options.secret ?? DEFAULT_CREDENTIALS.accessKeySecret
  })
  const sent = { ...signed.headers, "content-length": String(Buffer.byteLength(body)) }
  options.tamper?.(sent)
  const queryText = form(query, sdkEncode)
  const result = await request(emulator, {
    method,
    path: queryText.length === 0 ? "/" : `/?${queryText}`,
    headers: sent,
    body
  })
  return { ...result, canonicalRequest: signed.canonicalRequest }
}

export const UUID = /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/

export const GATEWAY_ERROR_KEYS = ["RequestId", "HostId", "Code", "Message", "Recommend"]
export const API_ERROR_KEYS = ["RequestId", "Success", "Code", "ErrorMessage"]
