/**
 * The action registry: the emulator answers a request by looking up its `Action` and `Version` here. Everything
 * before the lookup (request limits, signature, timestamp, nonce, quota) and after it (fault injection, the
 * `Date` header, statistics) is the same for every action, so an action is only its handler.
 *
 * Adding an action:
 * 1. declare its API family once (`{ product: "Iot", versions: [...] }`, `STS`) unless it exists;
 * 2. write `actions/<action>.ts` exporting `defineAction({ action, family, handle })`, where `handle` reads
 *    `context.params` (every request parameter, decoded) and returns `ok(body)` or `failed(failure)`;
 * 3. add it to the table in `actions/index.ts`. It is then routed, signed, throttled, faulted and listed in
 *    `SUPPORTED_ACTIONS` like the others. Handlers that need more of the server get it through a field of
 *    `ActionContext` (the STS actions use `sts`, `principal` and `serverNow`).
 */
import type { Buffer } from "node:buffer"
import type { Casing } from "../Emulator.js"
import type { World } from "./dataset.js"
import type { Failure } from "./errors.js"
import type { OidcProviderDef } from "./oidc.js"
import type { Params } from "./params.js"
import type { CredentialIssuer, RoleDef } from "./sts.js"

/** One product's RPC API: an action is routed only with one of these `Version`s. */
export interface ApiFamily {
  readonly product: string
  readonly versions: ReadonlyArray<string>
}

/** IoT Platform; 2022-01-01 is the version Tuya's compatible endpoint also documents. */
export const IOT: ApiFamily = { product: "Iot", versions: ["2018-01-20", "2022-01-01"] }

/** STS, Version 2015-04-01: `AssumeRole` and `AssumeRoleWithOIDC`. */
export const STS: ApiFamily = { product: "Sts", versions: ["2015-04-01"] }

/** What the STS actions issue credentials from: the roles, the OIDC providers and the issuer. */
export interface StsState {
  readonly issuer: CredentialIssuer
  readonly roles: ReadonlyMap<string, RoleDef>
  readonly oidcProviders: ReadonlyMap<string, OidcProviderDef>
}

/** What a handler gets: the request, the data and the server's view of time, nothing else. */
export interface ActionContext {
  /** Every request parameter (query and form body, common ones included), percent-decoded. */
  readonly params: Params
  readonly world: World
  readonly casing: Casing
  readonly requestId: string
  /** One `performance.now()` reading per request, so that every part of an answer agrees. */
  readonly now: number
  /** The verified caller; `""` for an anonymous call. */
  readonly accessKeyId: string
  /**
   * Who the caller is, for trust policies: its AccessKeyId, or for temporary credentials the role ARN they act
   * as; undefined for an anonymous call.
   */
  readonly principal: string | undefined
  /** The server clock (epoch ms): what issued credentials and OIDC tokens are timed by. */
  readonly serverNow: number
  readonly sts: StsState
}

export type ActionAnswer =
  | { readonly ok: true; readonly body: Buffer }
  | { readonly ok: false; readonly failure: Failure }

export interface ActionHandler {
  readonly action: string
  readonly family: ApiFamily
  /**
   * Callable without an AccessKey (AssumeRoleWithOIDC: the OIDC token is the proof): a request with no
   * `AccessKeyId` and no `Authorization` skips the signature, nonce and quota checks.
   */
  readonly anonymous?: boolean
  readonly handle: (context: ActionContext) => ActionAnswer
}

export const defineAction = (handler: ActionHandler): ActionHandler => handler

export const answer = (body: Buffer): ActionAnswer => ({ ok: true, body })
export const failed = (failure: Failure): ActionAnswer => ({ ok: false, failure })

export class ActionRegistry {
  /** Version → action → handler. */
  private readonly byVersion = new Map<string, Map<string, ActionHandler>>()
  readonly actions: ReadonlyArray<string>
  /** Product → its actions, in table order. */
  readonly byProduct: Readonly<Record<string, ReadonlyArray<string>>>

  constructor(handlers: ReadonlyArray<ActionHandler>) {
    for (const handler of handlers) {
      for (const version of handler.family.versions) {
        let actions = this.byVersion.get(version)
        if (actions === undefined) {
          actions = new Map()
          this.byVersion.set(version, actions)
        }
        if (actions.has(handler.action)) throw new Error(`two handlers for ${handler.action} (${version})`)
        actions.set(handler.action, handler)
      }
    }
    this.actions = [...new Set(handlers.map((handler) => handler.action))]
    const byProduct: Record<string, Array<string>> = {}
    for (const handler of handlers) {
      const actions = (byProduct[handler.family.product] ??= [])
      if (!actions.includes(handler.action)) actions.push(handler.action)
    }
    this.byProduct = byProduct
  }

  lookup(action: string, version: string): ActionHandler | undefined {
    return this.byVersion.get(version)?.get(action)
  }
}
