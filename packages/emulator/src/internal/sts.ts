/**
 * Temporary credentials: the roles STS may hand out, the credentials issued so far, and the security tokens that
 * prove them. A token is self-describing and sealed with a key of this emulator (HMAC-SHA256), so a request
 * carrying one can be checked without trusting anything the client says: a token that does not open is
 * malformed, one that opens to another AccessKeyId is a mismatch, one past its expiration (or expired on
 * purpose with `expireCredentials`) is expired.
 */
import { Buffer } from "node:buffer"
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto"
import {
  type Failure,
  invalidSecurityToken,
  missingSecurityToken,
  type SecurityTokenProblem
} from "./errors.js"

/** `acs:ram::<account>:role/<name>`: the account id is digits; the name as RAM allows it. */
export const ROLE_ARN = /^acs:ram::(\d{1,32}):role\/([\w.@+=,-]{1,64})$/
/** `acs:ram::<account>:oidc-provider/<name>`. */
export const OIDC_PROVIDER_ARN = /^acs:ram::(\d{1,32}):oidc-provider\/([\w.@+=,-]{1,128})$/

export const MIN_DURATION_SECONDS = 900
export const DEFAULT_DURATION_SECONDS = 3600
export const DEFAULT_MAX_SESSION_SECONDS = 3600
export const MAX_SESSION_SECONDS = 43_200

export interface RoleDef {
  readonly arn: string
  readonly accountId: string
  readonly name: string
  /** RAM's numeric role id, which `AssumedRoleUser.AssumedRoleId` starts with. */
  readonly roleId: string
  readonly maxSessionSeconds: number
  /** AccessKeyIds and role ARNs (their sessions) that may call AssumeRole; undefined = anyone. */
  readonly trustedPrincipals: ReadonlySet<string> | undefined
  /** OIDC provider ARNs trusted by AssumeRoleWithOIDC; undefined = every provider. */
  readonly trustedOidcProviders: ReadonlySet<string> | undefined
  /** The external id the trust policy asks for, when it asks for one. */
  readonly externalId: string | undefined
}

export type IssuedVia = "AssumeRole" | "AssumeRoleWithOIDC" | "EcsMetadata" | "issueCredentials"

export interface IssuedRecord {
  readonly accessKeyId: string
  readonly accessKeySecret: string
  readonly securityToken: string
  readonly roleArn: string
  readonly sessionName: string
  readonly via: IssuedVia
  /** The OIDC token's subject, for AssumeRoleWithOIDC. */
  readonly subject: string | undefined
  readonly issuedAt: number
  /** Epoch ms, a whole second; `expireCredentials` moves it back to now. */
  expiresAt: number
}

export interface TokenCheck {
  /** The issued credential a valid token belongs to. */
  readonly record: IssuedRecord | undefined
  readonly failure: Failure | undefined
}

const KEY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz123456789"

const randomText = (length: number, alphabet = KEY_ALPHABET): string => {
  const bytes = randomBytes(length)
  let out = ""
  for (let i = 0; i < length; i++) out += alphabet[bytes[i]! % alphabet.length]
  return out
}

/** `YYYY-MM-DDThh:mm:ssZ`, as STS and the metadata service write times. */
export const stsTime = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z")

/** The prefix real tokens share; what follows is base64 of the sealed payload. */
const TOKEN_PREFIX = "CAIS"
const MAC_BYTES = 32
/** Real tokens run to several hundred characters; so do ours, so that no client gets away with a cap. */
const PADDING_BYTES = 300

interface TokenPayload {
  readonly v: 1
  /** AccessKeyId. */
  readonly k: string
  /** Role ARN. */
  readonly r: string
  /** Expiration, epoch seconds. */
  readonly e: number
  /** Padding. */
  readonly p: string
}

export interface IssuerSettings {
  /** The server clock, epoch ms. */
  readonly now: () => number
  /** Test-only: every credential lives this long, whatever was asked. */
  readonly lifetimeMs: number | undefined
}

/** Expired records are dropped once there are more than this many (a long-running emulator stays small). */
const PRUNE_ABOVE = 10_000

export class CredentialIssuer {
  private readonly records = new Map<string, IssuedRecord>()
  /** Seals tokens: a fresh key per emulator, so its tokens mean nothing to another one. */
  private readonly sealKey = randomBytes(32)

  constructor(private readonly settings: IssuerSettings) {}

  /** Issues a credential of `role` for `seconds` (or the test-only lifetime), expiring on a whole second. */
  issue(input: {
    readonly role: RoleDef
    readonly sessionName: string
    readonly seconds: number
    readonly via: IssuedVia
    readonly subject?: string | undefined
  }): IssuedRecord {
    const now = this.settings.now()
    const lifetime = this.settings.lifetimeMs ?? input.seconds * 1000
    // STS writes whole seconds; the credential stops working at exactly the time it names.
    const expiresAt = Math.floor((now + lifetime) / 1000) * 1000
    const accessKeyId = `STS.${randomText(25)}`
    const payload: TokenPayload = {
      v: 1,
      k: accessKeyId,
      r: input.role.arn,
      e: expiresAt / 1000,
      p: randomBytes(PADDING_BYTES).toString("base64")
    }
    const record: IssuedRecord = {
      accessKeyId,
      accessKeySecret: randomText(44),
      securityToken: this.seal(payload),
      roleArn: input.role.arn,
      sessionName: input.sessionName,
      via: input.via,
      subject: input.subject,
      issuedAt: now,
      expiresAt
    }
    if (this.records.size >= PRUNE_ABOVE) this.prune(now)
    this.records.set(accessKeyId, record)
    return record
  }

  /** The secret of an issued credential (expired or not: the token check says which). */
  secretOf(accessKeyId: string): string | undefined {
    return this.records.get(accessKeyId)?.accessKeySecret
  }

  /** The role ARN an issued AccessKeyId acts as. */
  roleOf(accessKeyId: string): string | undefined {
    return this.records.get(accessKeyId)?.roleArn
  }

  /**
   * Checks the token sent with an `STS.` AccessKeyId: present, sealed by us, for this key, not expired (in that
   * order, so that each failure names the first thing wrong).
   */
  check(accessKeyId: string, token: string | undefined): TokenCheck {
    const fail = (problem: SecurityTokenProblem): TokenCheck => ({
      record: undefined,
      failure: invalidSecurityToken(problem)
    })
    if (token === undefined || token === "") return { record: undefined, failure: missingSecurityToken() }
    const payload = this.open(token)
    if (payload === undefined) return fail("Malformed")
    if (payload.k !== accessKeyId) return fail("MismatchWithAccessKey")
    const record = this.records.get(accessKeyId)
    const expiresAt = record?.expiresAt ?? payload.e * 1000
    if (record === undefined || this.settings.now() >= expiresAt) return fail("Expired")
    return { record, failure: undefined }
  }

  /** Expires one issued credential, or all of them; returns how many were still valid. */
  expire(accessKeyId?: string): number {
    const now = this.settings.now()
    let count = 0
    for (const record of this.records.values()) {
      if (accessKeyId !== undefined && record.accessKeyId !== accessKeyId) continue
      if (record.expiresAt > now) {
        record.expiresAt = now
        count++
      }
    }
    return count
  }

  list(): ReadonlyArray<IssuedRecord> {
    return [...this.records.values()]
  }

  private prune(now: number): void {
    for (const [id, record] of this.records) if (record.expiresAt <= now) this.records.delete(id)
  }

  private mac(data: Buffer): Buffer {
    return createHmac("sha256", this.sealKey).update(data).digest()
  }

  /** `CAIS` + base64(length of payload (2 bytes) ‖ payload JSON ‖ HMAC-SHA256 of both). */
  private seal(payload: TokenPayload): string {
    const json = Buffer.from(JSON.stringify(payload), "utf8")
    const head = Buffer.alloc(2)
    head.writeUInt16BE(json.length)
    const body = Buffer.concat([head, json])
    return TOKEN_PREFIX + Buffer.concat([body, this.mac(body)]).toString("base64")
  }

  private open(token: string): TokenPayload | undefined {
    if (!token.startsWith(TOKEN_PREFIX) || token.length > 8192) return undefined
    const text = token.slice(TOKEN_PREFIX.length)
    const bytes = Buffer.from(text, "base64")
    // Node's decoder skips what is not base64; a token it would not write back the same way was altered.
    if (bytes.toString("base64") !== text || bytes.length < 2 + MAC_BYTES) return undefined
    const length = bytes.readUInt16BE(0)
    if (bytes.length !== 2 + length + MAC_BYTES) return undefined
    const body = bytes.subarray(0, 2 + length)
    if (!timingSafeEqual(this.mac(body), bytes.subarray(2 + length))) return undefined
    try {
      const payload = JSON.parse(body.subarray(2).toString("utf8")) as TokenPayload
      return payload.v === 1 && typeof payload.k === "string" && typeof payload.e === "number"
        ? payload
        : undefined
    } catch {
      return undefined
    }
  }
}

/** A role's definition from its options; `seed` makes its numeric id stable. */
export const roleDef = (
  spec: {
    readonly roleArn: string
    readonly maxSessionDurationSeconds?: number | undefined
    readonly trustedPrincipals?: ReadonlyArray<string> | undefined
    readonly trustedOidcProviders?: ReadonlyArray<string> | undefined
    readonly externalId?: string | undefined
  },
  roleId: string
): RoleDef => {
  const match = ROLE_ARN.exec(spec.roleArn)
  if (match === null) throw new RangeError(`not a role ARN: ${spec.roleArn}`)
  return {
    arn: spec.roleArn,
    accountId: match[1]!,
    name: match[2]!,
    roleId,
    maxSessionSeconds: spec.maxSessionDurationSeconds ?? DEFAULT_MAX_SESSION_SECONDS,
    trustedPrincipals: spec.trustedPrincipals === undefined ? undefined : new Set(spec.trustedPrincipals),
    trustedOidcProviders:
      spec.trustedOidcProviders === undefined ? undefined : new Set(spec.trustedOidcProviders),
    externalId: spec.externalId
  }
}
