/**
 * An ECS instance metadata service, as far as credentials go (docs/credentials.md §3), on the emulator's own
 * listener under `/latest/`:
 *
 * - `PUT /latest/api/token` with `X-aliyun-ecs-metadata-token-ttl-seconds: 1..21600` → a session token (text);
 * - `GET /latest/meta-data/ram/security-credentials/` → the instance's RAM role name (text);
 * - `GET /latest/meta-data/ram/security-credentials/<role>` → `{ AccessKeyId, AccessKeySecret, Expiration,
 *   SecurityToken, LastUpdated, Code: "Success" }`.
 *
 * A GET that carries `X-aliyun-ecs-metadata-token` needs a valid, unexpired session token (401 otherwise). In the
 * `required` mode (hardened only) a GET without one is refused with 403; in `unsupported` (an instance without
 * the hardened mode) the token PUT answers 404. The role's credentials are kept and handed out again until less
 * than an hour of them remains, then replaced (a client that asks again gets the same credential meanwhile).
 */
import { Buffer } from "node:buffer"
import { randomBytes } from "node:crypto"
import type { IncomingHttpHeaders } from "node:http"
import type { MetadataTokens } from "./model.js"
import type { CredentialIssuer, IssuedRecord, RoleDef } from "./sts.js"
import { stsTime } from "./sts.js"

/** The lifetime of an instance role's credentials: six hours, as the documentation's sample shows. */
export const INSTANCE_CREDENTIAL_SECONDS = 6 * 3600
/** A held credential is replaced once less than this remains. */
const RENEW_BEFORE_MS = 3_600_000
const MAX_TOKEN_TTL_SECONDS = 21_600

const CREDENTIALS_PATH = "/latest/meta-data/ram/security-credentials/"
const TOKEN_PATH = "/latest/api/token"

export interface MetadataReply {
  readonly status: number
  readonly body: Buffer
  readonly contentType: string
  /** For stats and the log line: `token`, `role`, `credentials`, or why it was refused. */
  readonly outcome: string
}

export interface MetadataSettings {
  readonly issuer: CredentialIssuer
  /** The role attached to the instance; none when undefined. */
  readonly role: RoleDef | undefined
  readonly tokens: MetadataTokens
  readonly now: () => number
}

const text = (status: number, body: string, outcome: string): MetadataReply => ({
  status,
  body: Buffer.from(body),
  contentType: "text/plain",
  outcome
})

const header = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const value = headers[name]
  return Array.isArray(value) ? value[0] : value
}

export const isMetadataPath = (path: string): boolean => path.startsWith("/latest/")

export class MetadataService {
  /** Session token → its expiry (server clock, ms). */
  private readonly sessions = new Map<string, number>()
  private held: IssuedRecord | undefined

  constructor(private readonly settings: MetadataSettings) {}

  handle(method: string, path: string, headers: IncomingHttpHeaders): MetadataReply {
    const now = this.settings.now()
    if (path === TOKEN_PATH) {
      if (method !== "PUT") return text(405, "405 Method Not Allowed", "refused:method")
      if (this.settings.tokens === "unsupported") return text(404, "404 Not Found", "refused:no-tokens")
      const ttlText = header(headers, "x-aliyun-ecs-metadata-token-ttl-seconds") ?? ""
      const ttl = /^\d{1,6}$/.test(ttlText) ? Number(ttlText) : Number.NaN
      if (!(ttl >= 1 && ttl <= MAX_TOKEN_TTL_SECONDS))
        return text(
          400,
          "400 Bad Request: X-aliyun-ecs-metadata-token-ttl-seconds must be 1..21600",
          "refused:ttl"
        )
      if (this.sessions.size >= 1000)
        for (const [token, until] of this.sessions) if (until <= now) this.sessions.delete(token)
      const token = randomBytes(33).toString("base64url")
      this.sessions.set(token, now + ttl * 1000)
      return text(200, token, "token")
    }
    if (method !== "GET") return text(405, "405 Method Not Allowed", "refused:method")
    const sent = header(headers, "x-aliyun-ecs-metadata-token")
    if (sent !== undefined) {
      const until = this.sessions.get(sent)
      if (until === undefined || until <= now) return text(401, "401 Unauthorized", "refused:token")
    } else if (this.settings.tokens === "required") {
      return text(403, "403 Forbidden: a metadata session token is required", "refused:plain")
    }
    const role = this.settings.role
    if (path === CREDENTIALS_PATH) {
      return role === undefined ? text(404, "404 Not Found", "refused:no-role") : text(200, role.name, "role")
    }
    if (path.startsWith(CREDENTIALS_PATH)) {
      let name: string
      try {
        name = decodeURIComponent(path.slice(CREDENTIALS_PATH.length))
      } catch {
        return text(404, "404 Not Found", "refused:not-found")
      }
      if (role === undefined || name !== role.name) return text(404, "404 Not Found", "refused:not-found")
      const record = this.credential(role, now)
      const body = {
        AccessKeyId: record.accessKeyId,
        AccessKeySecret: record.accessKeySecret,
        Expiration: stsTime(record.expiresAt),
        SecurityToken: record.securityToken,
        LastUpdated: stsTime(record.issuedAt),
        Code: "Success"
      }
      return {
        status: 200,
        body: Buffer.from(JSON.stringify(body)),
        contentType: "application/json",
        outcome: "credentials"
      }
    }
    return text(404, "404 Not Found", "refused:not-found")
  }

  /** The held credential, or a new one once less than an hour of it remains (or it was expired on purpose). */
  private credential(role: RoleDef, now: number): IssuedRecord {
    const held = this.held
    if (
      held !== undefined &&
      held.expiresAt - now > Math.min(RENEW_BEFORE_MS, (held.expiresAt - held.issuedAt) / 2)
    )
      return held
    this.held = this.settings.issuer.issue({
      role,
      sessionName: "ecs-instance",
      seconds: INSTANCE_CREDENTIAL_SECONDS,
      via: "EcsMetadata"
    })
    return this.held
  }
}
