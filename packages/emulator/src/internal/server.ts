/**
 * The HTTP side: request intake (limits, body reading, hostile input), authentication (temporary credentials'
 * security tokens included), throttling, routing to the action's handler, fault injection, and writing responses
 * with the server clock's `Date`. Everything here applies to every action alike. Paths under `/latest/` go to
 * the ECS metadata service instead.
 */
import { Buffer } from "node:buffer"
import { randomUUID } from "node:crypto"
import { type IncomingMessage, type ServerResponse, STATUS_CODES } from "node:http"
import { performance } from "node:perf_hooks"
import type { Duplex } from "node:stream"
import type { Casing, EmulatorStats, FaultKind, FaultOptions, RequestLogEntry } from "../Emulator.js"
import { type AuthContext, type AuthResult, parseTimestamp, verifyV2, verifyV3 } from "./auth.js"
import type { World } from "./dataset.js"
import {
  bodyTooLarge,
  type Failure,
  failureBody,
  internalError,
  invalidSecurityToken,
  malformedParameters,
  missingSecurityToken,
  notFoundPath,
  serviceUnavailable,
  systemException,
  throttlingUser,
  timestampExpired,
  timestampFormat,
  unsupportedMethod,
  uriTooLong
} from "./errors.js"
import { FaultPlan } from "./faults.js"
import { parseFormInto } from "./form.js"
import { makeQuota, NonceStore, type Quota } from "./limits.js"
import { isMetadataPath, type MetadataService } from "./metadata.js"
import type { QuotaMode } from "./model.js"
import { type ActionHandler, type ActionRegistry, STS, type StsState } from "./registry.js"

/** A declared AccessKey pair: long-term, or temporary when it names the token that must come with it. */
export interface DeclaredKey {
  readonly secret: string
  readonly securityToken: string | undefined
}

export interface CoreSettings {
  readonly casing: Casing
  readonly seed: number
  readonly credentials: ReadonlyMap<string, DeclaredKey>
  readonly world: World
  readonly registry: ActionRegistry
  readonly qps: number
  readonly quota: QuotaMode
  readonly clockSkewMs: number
  /** The server clock before the skew, epoch ms; default `Date.now`. */
  readonly clock: (() => number) | undefined
  readonly sts: StsState
  readonly metadata: MetadataService
  readonly timestampWindowMs: number
  readonly maxBodyBytes: number
  readonly maxUrlBytes: number
  readonly faults: FaultOptions | undefined
  readonly logger: ((line: string) => void) | undefined
  /** Keep `stats().requestLog`. */
  readonly requestLog: boolean
}

const JSON_TYPE = "application/json;charset=utf-8"
const HTML_TYPE = "text/html"
const EMPTY = Buffer.alloc(0)

/** What a proxy in front of the real service answers when its upstream fails (Tengine is Alibaba's nginx). */
const HTML_ERROR_PAGE = Buffer.from(
  [
    "<!DOCTYPE html>",
    "<html>",
    "<head><title>502 Bad Gateway</title></head>",
    "<body>",
    "<center><h1>502 Bad Gateway</h1></center>",
    "<hr><center>Tengine</center>",
    "</body>",
    "</html>",
    ""
  ].join("\r\n")
)

interface Exchange {
  readonly req: IncomingMessage
  readonly res: ServerResponse
  readonly requestId: string
  /** `performance.now()` when the request's headers were read: its arrival, as far as the quota is concerned. */
  readonly startedAt: number
  accessKeyId: string | undefined
  /** STS answers in its own (PascalCase) keys whatever the emulator's casing. */
  casing: Casing
}

interface Reply {
  readonly status: number
  readonly body: Buffer
  readonly contentType: string
  /** The `stats().byCode` key: "OK", an error Code, or "fault:<Kind>". */
  readonly statKey: string
  readonly close?: boolean
}

const isFormBody = (req: IncomingMessage): boolean => {
  const type = req.headers["content-type"]
  return type?.toLowerCase().startsWith("application/x-www-form-urlencoded") === true
}

const utf8 = new TextDecoder("utf-8", { fatal: true })

/** A request that passed the gateway's checks: what its handler needs. */
interface Admitted {
  readonly handler: ActionHandler
  readonly params: Record<string, string>
  /** `""` for an anonymous call. */
  readonly accessKeyId: string
}

const STS_VERSIONS: ReadonlySet<string> = new Set(STS.versions)

export class EmulatorCore {
  private requests = 0
  private throttled = 0
  private byCode: Record<string, number> = {}
  private byAction: Record<string, number> = {}
  private metadataCounts: Record<string, number> = {}
  private requestLog: Array<RequestLogEntry> = []
  private readonly startedAt = performance.now()
  /** The latest arrival the quota judged: a request whose body came late is judged no earlier than that. */
  private lastJudged = Number.NEGATIVE_INFINITY
  private faults: FaultPlan
  private readonly quota: Quota
  private readonly nonces: NonceStore
  private readonly auth: AuthContext<ActionHandler>
  private readonly timers = new Set<ReturnType<typeof setTimeout>>()
  private dateSecond = Number.NaN
  private dateText = ""
  private closed = false

  constructor(private readonly settings: CoreSettings) {
    this.faults = new FaultPlan(settings.faults, settings.seed)
    this.quota = makeQuota(settings.quota, settings.qps)
    this.nonces = new NonceStore(settings.timestampWindowMs)
    this.auth = {
      secretOf: (accessKeyId) =>
        settings.credentials.get(accessKeyId)?.secret ?? settings.sts.issuer.secretOf(accessKeyId),
      tokenFailure: (accessKeyId, token) => this.tokenFailure(accessKeyId, token),
      resolve: (action, version) => settings.registry.lookup(action, version),
      serverNow: () => this.serverNow(),
      windowMs: settings.timestampWindowMs,
      nonces: this.nonces
    }
  }

  serverNow(): number {
    return (this.settings.clock?.() ?? Date.now()) + this.settings.clockSkewMs
  }

  /**
   * A declared pair that names a token needs exactly that one; a declared long-term pair ignores any token;
   * an `STS.` key needs a token this emulator issued for it, unexpired.
   */
  private tokenFailure(accessKeyId: string, token: string | undefined): Failure | undefined {
    const sent = token === "" ? undefined : token
    const declared = this.settings.credentials.get(accessKeyId)
    if (declared !== undefined) {
      if (declared.securityToken === undefined) return undefined
      if (sent === undefined) return missingSecurityToken()
      return sent === declared.securityToken ? undefined : invalidSecurityToken("MismatchWithAccessKey")
    }
    if (!accessKeyId.startsWith("STS.")) return undefined
    return this.settings.sts.issuer.check(accessKeyId, sent).failure
  }

  stats(): EmulatorStats {
    return {
      requests: this.requests,
      byCode: { ...this.byCode },
      byAction: { ...this.byAction },
      throttled: this.throttled,
      nonces: this.nonces.size,
      metadata: { ...this.metadataCounts },
      requestLog: [...this.requestLog]
    }
  }

  resetStats(): void {
    this.requests = 0
    this.throttled = 0
    this.byCode = {}
    this.byAction = {}
    this.metadataCounts = {}
    this.requestLog = []
  }

  setFaults(faults: FaultOptions | undefined): void {
    this.faults = new FaultPlan(faults, this.settings.seed)
  }

  /** Stops answering delayed requests; the HTTP server itself is closed by the caller. */
  shutdown(): void {
    this.closed = true
    for (const timer of this.timers) clearTimeout(timer)
    this.timers.clear()
  }

  readonly handle = (req: IncomingMessage, res: ServerResponse): void => {
    const startedAt = performance.now()
    this.requests++
    const exchange: Exchange = {
      req,
      res,
      requestId: this.newRequestId(),
      startedAt,
      accessKeyId: undefined,
      casing: this.settings.casing
    }
    const url = req.url ?? "/"
    const mark = url.indexOf("?")
    const path = mark === -1 ? url : url.slice(0, mark)
    // An over-long URI goes the normal way, to its 414.
    if (isMetadataPath(path) && url.length <= this.settings.maxUrlBytes)
      this.guard(exchange, () => this.metadata(exchange, path))
    else this.guard(exchange, () => this.receive(exchange))
  }

  /** The ECS metadata service: plain text or JSON, no signature, counted in `stats().metadata`. */
  private metadata(exchange: Exchange, path: string): void {
    const { req, res } = exchange
    // Nothing it answers reads a body; one sent anyway is drained, not buffered.
    req.resume()
    const reply = this.settings.metadata.handle(req.method ?? "", path, req.headers)
    this.metadataCounts[reply.outcome] = (this.metadataCounts[reply.outcome] ?? 0) + 1
    res.sendDate = false
    res.writeHead(reply.status, {
      "Content-Type": reply.contentType,
      "Content-Length": reply.body.length,
      Date: this.dateHeader()
    })
    res.end(reply.body)
    this.log(exchange, reply.status, `metadata:${reply.outcome}`)
  }

  /**
   * Malformed HTTP, oversized headers and slow clients never reach `handle`: Node reports them here. The
   * answer is written on the raw socket, then the connection closes; other connections are unaffected.
   */
  readonly onClientError = (error: Error & { code?: string }, socket: Duplex): void => {
    if (error.code === "ECONNRESET" || !socket.writable) {
      socket.destroy()
      return
    }
    this.requests++
    const [status, code, message] =
      error.code === "HPE_HEADER_OVERFLOW"
        ? [431, "RequestHeaderFieldsTooLarge", "The request line and headers exceed the size limit."]
        : error.code === "ERR_HTTP_REQUEST_TIMEOUT"
          ? [408, "RequestTimeout", "The request was not received in time."]
          : [400, "BadRequest", `The request is not valid HTTP/1.1 (${error.code ?? "parse error"}).`]
    const requestId = this.newRequestId()
    const body = failureBody({ status, code, message, shape: "gateway" }, this.settings.casing, requestId, "")
    this.count(code)
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: ${JSON_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Date: ${this.dateHeader()}\r\nx-acs-request-id: ${requestId}\r\nConnection: close\r\n\r\n${body}`
    )
    this.settings.logger?.(`- - ${status} ${code}`)
  }

  private newRequestId(): string {
    // Alibaba RequestIds are upper-case UUIDs; the Tuya example shows a lower-case one.
    const id = randomUUID()
    return this.settings.casing === "alibaba" ? id.toUpperCase() : id
  }

  /** Any exception in our own code becomes a 500 InternalError; the server keeps serving. */
  private guard(exchange: Exchange, step: () => void): void {
    try {
      step()
    } catch (error) {
      this.settings.logger?.(`internal error: ${error instanceof Error ? error.message : String(error)}`)
      if (!exchange.res.headersSent) this.send(exchange, this.failure(exchange, internalError()))
      else exchange.res.destroy()
    }
  }

  private receive(exchange: Exchange): void {
    const { req } = exchange
    const target = this.target(exchange)
    if (typeof target !== "string") {
      this.send(exchange, target)
      return
    }
    const length = req.headers["content-length"]
    const hasBody = (length !== undefined && length !== "0") || req.headers["transfer-encoding"] !== undefined
    if (!hasBody) {
      this.process(exchange, target, EMPTY)
      return
    }
    const limit = this.settings.maxBodyBytes
    const refuse = (): Reply => ({ ...this.failure(exchange, bodyTooLarge(limit)), close: true })
    if (length !== undefined && Number(length) > limit) {
      // Refuse before reading, and close: the rest of the body is never drained.
      this.send(exchange, refuse())
      return
    }
    const chunks: Array<Buffer> = []
    let size = 0
    let refused = false
    req.on("data", (chunk: Buffer) => {
      if (refused) return
      size += chunk.length
      if (size > limit) {
        refused = true
        this.guard(exchange, () => this.send(exchange, refuse()))
      } else {
        chunks.push(chunk)
      }
    })
    req.on("end", () => {
      if (!refused) this.guard(exchange, () => this.process(exchange, target, Buffer.concat(chunks, size)))
    })
    req.on("error", () => req.destroy())
  }

  /** The query string of a request to a route we serve, or the error reply. */
  private target(exchange: Exchange): Reply | string {
    const method = exchange.req.method ?? ""
    if (method !== "GET" && method !== "POST") return this.failure(exchange, unsupportedMethod(method))
    const url = exchange.req.url ?? "/"
    if (url.length > this.settings.maxUrlBytes) {
      return this.failure(exchange, uriTooLong(this.settings.maxUrlBytes))
    }
    const mark = url.indexOf("?")
    const path = mark === -1 ? url : url.slice(0, mark)
    if (path !== "/") return this.failure(exchange, notFoundPath())
    return mark === -1 ? "" : url.slice(mark + 1)
  }

  private process(exchange: Exchange, queryText: string, body: Buffer): void {
    const admitted = this.admit(exchange, queryText, body)
    if (!admitted.ok) {
      this.send(exchange, admitted.reply)
      return
    }
    const fault = this.faults.next()
    if (fault === null) this.send(exchange, this.answer(exchange, admitted.value))
    else this.inject(exchange, fault, admitted.value)
  }

  /** Parameters, authentication, nonce and quota: what the gateway checks before the API runs. */
  private admit(
    exchange: Exchange,
    queryText: string,
    body: Buffer
  ): { readonly ok: true; readonly value: Admitted } | { readonly ok: false; readonly reply: Reply } {
    const { req } = exchange
    const reject = (failure: Failure) => ({ ok: false as const, reply: this.failure(exchange, failure) })
    const query: Record<string, string> = Object.create(null)
    const queryFailure = parseFormInto(queryText, query, "query string")
    if (queryFailure !== undefined) return reject(queryFailure)

    let params = query
    if (body.length > 0 && isFormBody(req)) {
      let text: string
      try {
        text = utf8.decode(body)
      } catch {
        return reject(malformedParameters("the form body is not valid UTF-8"))
      }
      params = Object.assign(Object.create(null), query)
      const bodyFailure = parseFormInto(text, params, "form body")
      if (bodyFailure !== undefined) return reject(bodyFailure)
    }

    const version = params.Version ?? req.headers["x-acs-version"]
    if (typeof version === "string" && STS_VERSIONS.has(version)) exchange.casing = "alibaba"
    const authorization = req.headers.authorization
    if (authorization === undefined && params.AccessKeyId === undefined) {
      const anonymous = this.admitAnonymous(params)
      if (anonymous !== undefined) {
        if (!anonymous.ok) return reject(anonymous.failure)
        return { ok: true, value: anonymous.value }
      }
    }
    const auth: AuthResult<ActionHandler> =
      authorization?.startsWith("ACS3-") === true
        ? verifyV3(this.auth, {
            method: req.method ?? "",
            authorization,
            headers: req.headersDistinct,
            query,
            body
          })
        : verifyV2(this.auth, req.method ?? "", params)
    exchange.accessKeyId = auth.accessKeyId
    if (!auth.ok) return reject(auth.failure)
    // Judged at arrival, not now: a pause of this process (a GC, the machine busy) while it read the request and
    // checked its signature must not bunch requests that arrived apart.
    const arrived = Math.max(exchange.startedAt, this.lastJudged)
    this.lastJudged = arrived
    // Wall-clock milliseconds from the monotonic clock: fixed quota windows align on whole seconds.
    const within = this.quota.take(auth.accessKeyId, performance.timeOrigin + arrived)
    if (this.settings.requestLog)
      this.requestLog.push({
        at: arrived - this.startedAt,
        accessKeyId: auth.accessKeyId,
        action: auth.api.action,
        throttled: !within
      })
    if (!within) {
      this.throttled++
      return reject(throttlingUser())
    }
    this.nonces.remember(auth.nonceKey, Date.now())
    const action = auth.api.action
    this.byAction[action] = (this.byAction[action] ?? 0) + 1
    return { ok: true, value: { handler: auth.api, params, accessKeyId: auth.accessKeyId } }
  }

  /**
   * An action callable without an AccessKey (AssumeRoleWithOIDC), called without one: no signature, nonce or
   * quota; a `Timestamp`, when sent, must still be well-formed and within the window. Undefined when the action
   * needs a signature (the normal checks then say what is missing).
   */
  private admitAnonymous(
    params: Record<string, string>
  ):
    | { readonly ok: true; readonly value: Admitted }
    | { readonly ok: false; readonly failure: Failure }
    | undefined {
    const handler = this.settings.registry.lookup(params.Action ?? "", params.Version ?? "")
    if (handler?.anonymous !== true) return undefined
    const timestamp = params.Timestamp
    if (timestamp !== undefined) {
      const sentAt = parseTimestamp(timestamp)
      if (Number.isNaN(sentAt)) return { ok: false, failure: timestampFormat("Timestamp") }
      if (Math.abs(this.serverNow() - sentAt) > this.settings.timestampWindowMs)
        return { ok: false, failure: timestampExpired() }
    }
    this.byAction[handler.action] = (this.byAction[handler.action] ?? 0) + 1
    return { ok: true, value: { handler, params, accessKeyId: "" } }
  }

  /** The handler's answer (a 200 body or its failure). */
  private answer(exchange: Exchange, admitted: Admitted): Reply {
    const { accessKeyId } = admitted
    const result = admitted.handler.handle({
      params: admitted.params,
      world: this.settings.world,
      casing: this.settings.casing,
      requestId: exchange.requestId,
      now: performance.now(),
      accessKeyId,
      principal:
        accessKeyId === "" ? undefined : (this.settings.sts.issuer.roleOf(accessKeyId) ?? accessKeyId),
      serverNow: this.serverNow(),
      sts: this.settings.sts
    })
    if (!result.ok) return this.failure(exchange, result.failure)
    return { status: 200, body: result.body, contentType: JSON_TYPE, statKey: "OK" }
  }

  private inject(exchange: Exchange, fault: FaultKind, admitted: Admitted): void {
    if (fault === "ConnectionReset") {
      this.resetMidResponse(exchange, this.answer(exchange, admitted))
    } else if (fault === "Delay") {
      this.count("fault:Delay")
      const timer = setTimeout(() => {
        this.timers.delete(timer)
        if (!this.closed) this.guard(exchange, () => this.send(exchange, this.answer(exchange, admitted)))
      }, this.faults.delayMs)
      this.timers.add(timer)
    } else {
      this.send(exchange, { ...this.faultReply(exchange, fault, admitted), statKey: `fault:${fault}` })
    }
  }

  private faultReply(
    exchange: Exchange,
    fault: Exclude<FaultKind, "ConnectionReset" | "Delay">,
    admitted: Admitted
  ): Reply {
    switch (fault) {
      case "ServiceUnavailable":
        return this.failure(exchange, serviceUnavailable())
      case "InternalError":
        return this.failure(exchange, internalError())
      case "Throttling":
        return this.failure(exchange, throttlingUser())
      case "SystemException":
        return this.failure(exchange, systemException())
      case "HtmlError":
        return { status: 502, body: HTML_ERROR_PAGE, contentType: HTML_TYPE, statKey: "" }
      case "TruncatedJson": {
        // A complete HTTP message whose JSON stops half-way: a decode error, not a transport error.
        const reply = this.answer(exchange, admitted)
        return { ...reply, body: reply.body.subarray(0, Math.max(1, Math.floor(reply.body.length / 2))) }
      }
    }
  }

  /** Headers and part of the body go out with the full Content-Length, then the socket is reset. */
  private resetMidResponse(exchange: Exchange, reply: Reply): void {
    const { res } = exchange
    this.count("fault:ConnectionReset")
    res.sendDate = false
    res.writeHead(reply.status, this.headers(exchange, reply))
    const socket = res.socket
    res.write(reply.body.subarray(0, Math.floor(reply.body.length / 2)), () => {
      if (socket === null) return
      if (typeof socket.resetAndDestroy === "function") socket.resetAndDestroy()
      else socket.destroy()
    })
    this.log(exchange, reply.status, "fault:ConnectionReset")
  }

  private failure(exchange: Exchange, failure: Failure): Reply {
    const hostId = exchange.req.headers.host ?? ""
    return {
      status: failure.status,
      body: Buffer.from(failureBody(failure, exchange.casing, exchange.requestId, hostId)),
      contentType: JSON_TYPE,
      statKey: failure.code
    }
  }

  private headers(exchange: Exchange, reply: Reply): Record<string, string | number> {
    const headers: Record<string, string | number> = {
      "Content-Type": reply.contentType,
      "Content-Length": reply.body.length,
      Date: this.dateHeader(),
      "x-acs-request-id": exchange.requestId
    }
    if (reply.close === true) headers.Connection = "close"
    return headers
  }

  private send(exchange: Exchange, reply: Reply): void {
    const { res } = exchange
    if (res.headersSent || res.destroyed) return
    this.count(reply.statKey)
    // Node's own Date header uses the real clock; ours carries the configured skew.
    res.sendDate = false
    res.writeHead(reply.status, this.headers(exchange, reply))
    res.end(reply.body)
    this.log(exchange, reply.status, reply.statKey)
  }

  private count(key: string): void {
    this.byCode[key] = (this.byCode[key] ?? 0) + 1
  }

  /** RFC 7231 date of the server clock, formatted once per second. */
  private dateHeader(): string {
    const now = this.serverNow()
    const second = Math.floor(now / 1000)
    if (second !== this.dateSecond) {
      this.dateSecond = second
      this.dateText = new Date(second * 1000).toUTCString()
    }
    return this.dateText
  }

  private log(exchange: Exchange, status: number, statKey: string): void {
    const logger = this.settings.logger
    if (logger === undefined) return
    // Never the query string: it carries the signature.
    const elapsed = (performance.now() - exchange.startedAt).toFixed(1)
    logger(
      `${exchange.req.method} ${status} ${statKey} ak=${exchange.accessKeyId ?? "-"} id=${exchange.requestId} ${elapsed}ms`
    )
  }
}
