/**
 * Fake credential issuers for the provider tests, over real HTTP on 127.0.0.1: an STS that answers
 * `AssumeRole` (verifying the V2 signature with its own encoder and node:crypto, and answering a bad one as
 * the real STS does: `SignatureDoesNotMatch` quoting its string to sign, security token included) and
 * `AssumeRoleWithOIDC`, and an ECS instance metadata service (session tokens, role listing, role
 * credentials). They speak the real services' shapes, so the emulator's endpoints can replace them.
 *
 * Expirations are computed from `now()`, which the tests tie to their (test) clock. Answers can be held
 * until `release()`, and every request is recorded; `waitForRequests(n)` resolves on the n-th.
 */
import { createHmac } from "node:crypto"
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"

/**
 * What the official JS SDKs do to `encodeURIComponent`'s output (docs/protocol.md#percent-encoding): written
 * apart from the core's encoder.
 */
const encode = (text: string): string =>
  encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)

/** The V2 string to sign over query and form parameters together, `Signature` left out. */
export const v2StringToSign = (method: string, params: Readonly<Record<string, string>>): string => {
  const canonical = Object.keys(params)
    .filter((name) => name !== "Signature")
    .sort()
    .map((name) => `${encode(name)}=${encode(params[name]!)}`)
    .join("&")
  return `${method}&${encode("/")}&${encode(canonical)}`
}

export const v2Signature = (stringToSign: string, secret: string): string =>
  createHmac("sha1", `${secret}&`).update(stringToSign, "utf8").digest("base64")

/** `YYYY-MM-DDThh:mm:ssZ`, as STS writes `Expiration`. */
export const stsTime = (millis: number): string => new Date(millis).toISOString().replace(/\.\d{3}Z$/, "Z")

export interface Issued {
  readonly accessKeyId: string
  readonly accessKeySecret: string
  readonly securityToken: string
}

/** The n-th credential an issuer hands out (1-based). */
export const issuedBy =
  (prefix: string) =>
  (n: number): Issued => ({
    accessKeyId: `${prefix}.key-${n}`,
    accessKeySecret: `${prefix}-secret-${n}-0123456789abcdef`,
    securityToken: `${prefix}-token-${n}-CAISxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx+/=`
  })

export interface RecordedRequest {
  readonly method: string
  readonly path: string
  readonly query: Readonly<Record<string, string>>
  readonly form: Readonly<Record<string, string>>
  readonly headers: IncomingHttpHeaders
}

export interface CannedAnswer {
  readonly status: number
  readonly body: string
  readonly headers?: Readonly<Record<string, string>>
}

interface Recorder {
  readonly url: string
  readonly requests: Array<RecordedRequest>
  /** Resolves once `n` requests have arrived. */
  readonly waitForRequests: (n: number) => Promise<void>
  /** Lets held answers go (and every later one, until `hold()`). */
  readonly release: () => void
  /** Holds every answer from now on, until `release()`. */
  readonly hold: () => void
  readonly close: () => Promise<void>
}

const readBody = (request: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Array<Buffer> = []
    request.on("data", (chunk: Buffer) => chunks.push(chunk))
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")))
    request.on("error", reject)
  })

/** A node:http server on 127.0.0.1 that records requests and answers through `handle`, holding answers when asked. */
const serve = async (
  hold: boolean,
  handle: (request: RecordedRequest, n: number) => CannedAnswer | "hang"
): Promise<Recorder> => {
  const requests: Array<RecordedRequest> = []
  const waiters: Array<{ readonly n: number; readonly resolve: () => void }> = []
  let released = !hold
  const held: Array<() => void> = []
  const hanging = new Set<ServerResponse>()
  const server = createServer((request, response) => {
    void readBody(request).then((body) => {
      const url = new URL(request.url ?? "/", "http://127.0.0.1")
      const recorded: RecordedRequest = {
        method: request.method ?? "GET",
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        form: request.headers["content-type"]?.startsWith("application/x-www-form-urlencoded")
          ? Object.fromEntries(new URLSearchParams(body))
          : {},
        headers: request.headers
      }
      requests.push(recorded)
      const n = requests.length
      for (const waiter of waiters.filter((w) => w.n <= n)) {
        waiters.splice(waiters.indexOf(waiter), 1)
        waiter.resolve()
      }
      const answer = () => {
        const canned = handle(recorded, n)
        if (canned === "hang") {
          hanging.add(response)
          return
        }
        response.writeHead(canned.status, { "content-type": "application/json", ...canned.headers })
        response.end(canned.body)
      }
      if (released) answer()
      else held.push(answer)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    waitForRequests: (n) =>
      requests.length >= n ? Promise.resolve() : new Promise((resolve) => waiters.push({ n, resolve })),
    release: () => {
      released = true
      for (const answer of held.splice(0)) answer()
    },
    hold: () => {
      released = false
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const response of hanging) response.destroy()
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}

const json = (status: number, body: unknown): CannedAnswer => ({ status, body: JSON.stringify(body) })

export interface FakeStsOptions {
  /** The issuer's clock, in epoch ms: expirations are `now() + lifetime`. */
  readonly now: () => number
  /** Base AccessKey id → secret: who may call `AssumeRole`. */
  readonly keys?: Readonly<Record<string, string>>
  /** The n-th credential issued (1-based), default `issuedBy("STS")`. */
  readonly issue?: (n: number) => Issued
  /** The lifetime of an issued credential, default `DurationSeconds`. */
  readonly lifetimeMs?: (durationSeconds: number) => number
  /** Which OIDC tokens are good, default any. */
  readonly acceptOidcToken?: (token: string) => boolean
  /** Answers of its own (hostile cases) for the n-th request; `undefined` = the normal answer. */
  readonly answer?: (request: RecordedRequest, n: number) => CannedAnswer | "hang" | undefined
  /** Hold every answer until `release()`. */
  readonly hold?: boolean
}

export interface FakeSts extends Recorder {
  /** The credentials issued so far, in order. */
  readonly issued: Array<Issued>
}

/** A fake STS (`AssumeRole`, `AssumeRoleWithOIDC`, version 2015-04-01, JSON). */
export const startFakeSts = async (options: FakeStsOptions): Promise<FakeSts> => {
  const issue = options.issue ?? issuedBy("STS")
  const issued: Array<Issued> = []
  const credentials = (durationSeconds: number, requestId: string): CannedAnswer => {
    const credential = issue(issued.length + 1)
    issued.push(credential)
    const lifetime = options.lifetimeMs?.(durationSeconds) ?? durationSeconds * 1000
    return json(200, {
      RequestId: requestId,
      AssumedRoleUser: { Arn: "acs:ram::1:role/fake/session", AssumedRoleId: "3000:session" },
      Credentials: {
        AccessKeyId: credential.accessKeyId,
        AccessKeySecret: credential.accessKeySecret,
        SecurityToken: credential.securityToken,
        Expiration: stsTime(options.now() + lifetime)
      }
    })
  }
  const recorder = await serve(options.hold ?? false, (request, n) => {
    const own = options.answer?.(request, n)
    if (own !== undefined) return own
    const params = { ...request.query, ...request.form }
    const requestId = `sts-request-${n}`
    const duration = Number(params.DurationSeconds ?? 3600)
    if (params.Version !== "2015-04-01" || params.Format !== "JSON")
      return json(400, { Code: "InvalidParameter", Message: "Version or Format", RequestId: requestId })
    if (params.Action === "AssumeRole") {
      const secret = options.keys?.[params.AccessKeyId ?? ""]
      if (secret === undefined)
        return json(404, {
          Code: "InvalidAccessKeyId.NotFound",
          Message: "Specified access key is not found.",
          RequestId: requestId
        })
      const stringToSign = v2StringToSign(request.method, params)
      if (v2Signature(stringToSign, secret) !== params.Signature) {
        return json(400, {
          Code: "SignatureDoesNotMatch",
          Message: `Specified signature is not matched with our calculation. server string to sign is:${stringToSign}`,
          RequestId: requestId
        })
      }
      if (!params.RoleArn)
        return json(400, { Code: "MissingRoleArn", Message: "RoleArn is mandatory.", RequestId: requestId })
      return credentials(duration, requestId)
    }
    if (params.Action === "AssumeRoleWithOIDC") {
      const token = params.OIDCToken ?? ""
      if (!(options.acceptOidcToken?.(token) ?? true))
        return json(400, {
          Code: "InvalidParameter.OIDCToken",
          Message: `The OIDC token ${token} is invalid.`,
          RequestId: requestId
        })
      if (!params.RoleArn || !params.OIDCProviderArn)
        return json(400, {
          Code: "MissingParameter",
          Message: "RoleArn and OIDCProviderArn are mandatory.",
          RequestId: requestId
        })
      return credentials(duration, requestId)
    }
    return json(404, { Code: "InvalidAction.NotFound", Message: `${params.Action}`, RequestId: requestId })
  })
  return { ...recorder, issued }
}

export interface FakeMetadataOptions {
  readonly now: () => number
  /** The RAM role attached to the instance; none when undefined. */
  readonly role: string | undefined
  /**
   * `required`: requests without a valid session token get 401 (hardened only); `optional`: tokens issued,
   * not required; `unsupported`: `PUT /latest/api/token` is 403 (an instance without the hardened mode).
   */
  readonly tokens: "required" | "optional" | "unsupported"
  readonly issue?: (n: number) => Issued
  /** Lifetime of an issued credential, default 6 hours. */
  readonly lifetimeMs?: number
  readonly answer?: (request: RecordedRequest, n: number) => CannedAnswer | "hang" | undefined
  readonly hold?: boolean
}

export interface FakeMetadata extends Recorder {
  readonly issued: Array<Issued>
}

const CREDENTIALS_PATH = "/latest/meta-data/ram/security-credentials/"

/** A fake ECS instance metadata service. */
export const startFakeMetadata = async (options: FakeMetadataOptions): Promise<FakeMetadata> => {
  const issue = options.issue ?? issuedBy("ECS")
  const issued: Array<Issued> = []
  const sessionTokens = new Set<string>()
  const text = (status: number, body: string): CannedAnswer => ({
    status,
    body,
    headers: { "content-type": "text/plain" }
  })
  const recorder = await serve(options.hold ?? false, (request, n) => {
    const own = options.answer?.(request, n)
    if (own !== undefined) return own
    if (request.path === "/latest/api/token") {
      if (request.method !== "PUT") return text(405, "method not allowed")
      if (options.tokens === "unsupported") return text(403, "forbidden")
      if (request.headers["x-aliyun-ecs-metadata-token-ttl-seconds"] === undefined)
        return text(400, "missing ttl")
      const token = `metadata-session-${n}`
      sessionTokens.add(token)
      return text(200, token)
    }
    const sent = request.headers["x-aliyun-ecs-metadata-token"]
    if (sent !== undefined && !sessionTokens.has(String(sent))) return text(401, "invalid token")
    if (options.tokens === "required" && sent === undefined) return text(401, "token required")
    if (request.path === CREDENTIALS_PATH)
      return options.role === undefined ? text(404, "") : text(200, `${options.role}\n`)
    if (request.path.startsWith(CREDENTIALS_PATH) && options.role !== undefined) {
      if (decodeURIComponent(request.path.slice(CREDENTIALS_PATH.length)) !== options.role)
        return text(404, "not found")
      const credential = issue(issued.length + 1)
      issued.push(credential)
      const now = options.now()
      return json(200, {
        AccessKeyId: credential.accessKeyId,
        AccessKeySecret: credential.accessKeySecret,
        Expiration: stsTime(now + (options.lifetimeMs ?? 6 * 3_600_000)),
        SecurityToken: credential.securityToken,
        LastUpdated: stsTime(now),
        Code: "Success"
      })
    }
    return text(404, "not found")
  })
  return { ...recorder, issued }
}
