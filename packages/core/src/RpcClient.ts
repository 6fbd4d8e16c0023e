/**
 * The request engine, built like `@effect/platform`'s `HttpClient`: one
 * `execute` (sign → send → classify) wrapped by small policies, each a
 * function from an executor to an executor, each testable alone:
 *
 * - {@link rateLimited}: every attempt waits for the client's rate limiter,
 *   and tells it when the server throttled;
 * - {@link withAttemptEvents}: one event per attempt (duration, outcome) for
 *   logs, statistics and metrics;
 * - {@link correctingClockSkew}: a timestamp the server rejects is corrected
 *   from its `Date` header and the attempt made once more;
 * - {@link refreshingExpiredCredentials}: a security token the server finds
 *   expired before its time is replaced and the attempt made once more;
 * - {@link retrying}: retryable failures are retried under a `RetryPolicy`
 *   and a client-wide retry quota, honouring `Retry-After`;
 * - {@link traced}: the call in one span.
 *
 * On top, `RpcClient` runs any declared `Operation`: check the input, encode
 * it, execute, decode the result — and walks listings page by page.
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as FiberRef from "effect/FiberRef"
import { dual } from "effect/Function"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import type * as Scope from "effect/Scope"
import { ClientConfig, type ClientConfigService } from "./ClientConfig.js"
import { type Credential, Credentials, type CredentialsService } from "./Credentials.js"
import {
  DecodeError,
  type HttpError,
  isClockSkewError,
  isThrottling,
  type OtaError,
  type TimeoutError,
  TransportError
} from "./IotError.js"
import { classify, excerpt, retryAfterMillis } from "./internal/classify.js"
import { annotateError } from "./internal/credentialErrors.js"
import { Nonce, randomUUID } from "./Nonce.js"
import * as Operation from "./Operation.js"
import * as Pagination from "./Pagination.js"
import * as RateLimiter from "./RateLimiter.js"
import * as RetryPolicy from "./RetryPolicy.js"
import { makeHmacSha1, NO_HEADERS, Signer, type SignerService, type WireParams } from "./Signer.js"
import { makeAcs3HmacSha256 } from "./SignerV3.js"
import { makeWebCrypto, SigningCrypto } from "./SigningCrypto.js"
import { Transport, type TransportRequest } from "./Transport.js"

/**
 * One RPC request: an action and its wire parameters (common parameters and
 * the signature are added by the executor, afresh on every attempt).
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import type { RpcRequest } from "@iot-ota/core/RpcClient"
 *
 * // What the engine sends for QueryOTAJob("job-1"): the operation's wire parameters only.
 * const request: RpcRequest = { action: "QueryOTAJob", params: { JobId: "job-1" } }
 * ```
 */
export interface RpcRequest {
  readonly action: string
  readonly params: WireParams
  /** Span attributes of the call, computed only when it is traced. */
  readonly attributes?: (() => Readonly<Record<string, string | number | boolean>>) | undefined
}

/**
 * A successful response: the parsed JSON body and its request id.
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import type { RpcResponse } from "@iot-ota/core/RpcClient"
 *
 * const describe = (response: RpcResponse): string =>
 *   `HTTP ${response.status}, request ${response.requestId ?? "without an id"}, ${response.text.length} characters`
 * ```
 */
export interface RpcResponse {
  readonly body: unknown
  /** The body as received (for error excerpts). */
  readonly text: string
  readonly requestId: string | undefined
  readonly status: number
}

/**
 * Runs a request: one attempt, or a whole call once policies wrap it.
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import type { Execute } from "@iot-ota/core/RpcClient"
 *
 * // A policy of your own: log each call's action.
 * const logged = (execute: Execute): Execute => (request) =>
 *   Effect.tap(execute(request), () => Effect.log(`called ${request.action}`))
 * ```
 */
export type Execute = (request: RpcRequest) => Effect.Effect<RpcResponse, OtaError>

/**
 * What one attempt did, for logs, statistics and metrics (see {@link AttemptEvents}).
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import type { AttemptEvent } from "@iot-ota/core/RpcClient"
 *
 * const line = (event: AttemptEvent): string =>
 *   event._tag === "AttemptSucceeded"
 *     ? `${event.action} #${event.attempt} ok in ${event.durationMs} ms`
 *     : `${event.action} #${event.attempt} failed: ${event.error.message}`
 * ```
 */
export type AttemptEvent =
  | {
      readonly _tag: "AttemptSucceeded"
      readonly action: string
      readonly attempt: number
      readonly durationMs: number
      readonly requestId: string | undefined
    }
  | {
      readonly _tag: "AttemptFailed"
      readonly action: string
      readonly attempt: number
      readonly durationMs: number
      readonly error: OtaError
    }

/**
 * Where attempt events go. Optional: without it, no events are made.
 *
 * @since 0.1.0
 * @category tags
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import { AttemptEvents } from "@iot-ota/core/RpcClient"
 *
 * let failed = 0
 * const counting = Layer.succeed(AttemptEvents, (event) => {
 *   if (event._tag === "AttemptFailed") failed++
 * })
 * ```
 */
export class AttemptEvents extends Context.Tag("@iot-ota/core/AttemptEvents")<
  AttemptEvents,
  (event: AttemptEvent) => void
>() {}

/** The server's clock minus ours, shared by the attempts of a client. */
interface ClockOffset {
  millis: number
}

/**
 * The server's `Date` of the response an error came from, kept on the error
 * (not enumerable, never serialised) for {@link correctingClockSkew}. A symbol
 * property rather than a `WeakMap`: Effect may hand errors on through a
 * `Proxy` that adds span information, which reads through to the original.
 */
const ServerDate = Symbol.for("@iot-ota/core/RpcClient/ServerDate")
const serverDateOf = (error: OtaError): number | undefined =>
  (error as unknown as { [ServerDate]?: number })[ServerDate]

/** The credential an `ApiError` was answered to, kept like {@link ServerDate} for {@link refreshingExpiredCredentials}. */
const SignedWith = Symbol.for("@iot-ota/core/RpcClient/SignedWith")
const signedWithOf = (error: OtaError): Credential | undefined =>
  (error as unknown as { [SignedWith]?: Credential })[SignedWith]

const notRateLimited = (): void => {}

/**
 * How the executor tells the rate limiter that an attempt's request has
 * left: set by {@link rateLimited} around each attempt, run by
 * {@link makeExecute} as the request is written (or handed to a transport
 * that cannot tell).
 */
const currentSent = FiberRef.unsafeMake<() => void>(notRateLimited)

/**
 * The base executor: signs afresh (new timestamp, nonce and credential),
 * sends a GET and classifies the response. `clockOffset` is read at signing
 * time, so {@link correctingClockSkew} can move it. Under
 * {@link rateLimited}, it tells the limiter when the request leaves: when
 * the transport reports it written (`reportsSent`), or else as it hands the
 * request to the transport.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { Clock, Effect } from "effect"
 * import * as ClientConfig from "@iot-ota/core/ClientConfig"
 * import * as Credentials from "@iot-ota/core/Credentials"
 * import { randomUUID } from "@iot-ota/core/Nonce"
 * import { makeExecute } from "@iot-ota/core/RpcClient"
 * import { makeHmacSha1 } from "@iot-ota/core/Signer"
 * import { layerWebCrypto } from "@iot-ota/core/SigningCrypto"
 * import { makeFetch } from "@iot-ota/core/Transport"
 *
 * // One signed attempt, without retries or rate limiting (the emulator's default keys).
 * const attempt = Effect.gen(function* () {
 *   const execute = makeExecute({
 *     config: yield* ClientConfig.make({ endpoint: "http://127.0.0.1:8080" }),
 *     credentials: yield* Credentials.make({ accessKeyId: "test-key-id", accessKeySecret: "test-key-secret" }),
 *     transport: makeFetch(),
 *     signer: yield* Effect.provide(makeHmacSha1, layerWebCrypto),
 *     nonce: randomUUID,
 *     clock: yield* Effect.clock
 *   })
 *   return yield* execute({ action: "QueryOTAJob", params: { JobId: "job-1" } })
 * })
 * ```
 */
export const makeExecute = (services: {
  readonly config: ClientConfigService
  readonly credentials: CredentialsService
  readonly transport: Transport["Type"]
  readonly signer: SignerService
  readonly nonce: Nonce["Type"]
  readonly clock: Clock.Clock
  readonly clockOffset?: { millis: number } | undefined
}): Execute => {
  const { config, credentials, transport, signer, nonce, clock } = services
  const offset = services.clockOffset ?? { millis: 0 }
  const baseHeaders: Readonly<Record<string, string>> = {
    "user-agent": config.userAgent,
    accept: "application/json"
  }
  const send = (transportRequest: TransportRequest, sent: () => void) =>
    sent === notRateLimited
      ? transport.send(transportRequest)
      : transport.reportsSent === true
        ? transport.send({ ...transportRequest, onSent: sent })
        : Effect.zipRight(Effect.sync(sent), transport.send(transportRequest))
  return (request) =>
    Effect.flatMap(credentials.get, (credential) =>
      Effect.flatMap(nonce.next, (signatureNonce) =>
        Effect.flatMap(
          signer.sign(
            {
              endpoint: config.endpoint,
              method: "GET",
              action: request.action,
              version: config.apiVersion,
              params: request.params,
              regionId: config.regionId
            },
            {
              credentials: credential,
              timestamp: clock.unsafeCurrentTimeMillis() + offset.millis,
              nonce: signatureNonce
            }
          ),
          (signed) =>
            Effect.flatMap(
              withSchemeHint(
                config,
                Effect.flatMap(FiberRef.get(currentSent), (sent) =>
                  send(
                    {
                      method: "GET",
                      url: signed.url,
                      headers:
                        signed.headers === NO_HEADERS ? baseHeaders : { ...baseHeaders, ...signed.headers },
                      timeoutMs: config.timeoutMs,
                      maxResponseBytes: config.maxResponseBytes
                    },
                    sent
                  )
                )
              ),
              (response) => {
                const date = response.header("date")
                const classified = classify(
                  response.status,
                  response.body,
                  retryAfterMillis(response.header("retry-after"), date)
                )
                if (classified._tag === "Success")
                  return Effect.succeed({
                    body: classified.body,
                    text: response.body,
                    requestId: classified.requestId,
                    status: response.status
                  })
                // Server text scrubbed of the secret and token (a signature mismatch quotes the string to
                // sign); a refused credential says where it came from and what to check.
                const error = annotateError(classified.error, credential, credentials.source)
                if (date !== undefined) {
                  const millis = Date.parse(date)
                  if (!Number.isNaN(millis)) Object.defineProperty(error, ServerDate, { value: millis })
                }
                if (error._tag === "ApiError" && credential.securityToken !== undefined)
                  Object.defineProperty(error, SignedWith, { value: credential })
                return Effect.fail(error)
              }
            )
        )
      )
    )
}

/**
 * An endpoint given without a scheme was taken as `https://`; when TLS then
 * fails (a plain-HTTP server answers "wrong version number"), say so.
 */
const withSchemeHint = <A>(
  config: ClientConfigService,
  send: Effect.Effect<A, TransportError | TimeoutError | HttpError>
): Effect.Effect<A, TransportError | TimeoutError | HttpError> =>
  config.endpointSchemeAssumed
    ? Effect.mapError(send, (error) =>
        error._tag === "TransportError" && TLS_FAILURE.test(error.message)
          ? new TransportError({
              message: `${error.message}; the endpoint was given without a scheme and taken as ${config.endpoint.origin}: if the server speaks plain HTTP, write http://${config.endpoint.host}`
            })
          : error
      )
    : send

const TLS_FAILURE = /wrong version number|EPROTO|SSL|TLS|certificate/i

/**
 * Every attempt goes through the rate limiter (signing included, so the
 * timestamp is fresh when the request leaves), and the limiter hears how the
 * server answered: throttled (`Throttling.*`, HTTP 429) or not. Attempts that
 * got no answer (a network failure, a timeout) tell it nothing.
 *
 * A limiter with `takeUntilSent` (the in-memory ones) is told when each
 * request leaves, which {@link makeExecute} reports; an executor of your own
 * that does not is counted as leaving when it ends, so the limiter lets
 * nothing else through while it runs.
 *
 * @since 0.1.0
 * @category combinators
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import * as RateLimiter from "@iot-ota/core/RateLimiter"
 * import { type Execute, rateLimited } from "@iot-ota/core/RpcClient"
 *
 * declare const execute: Execute
 * // Five calls a second, spaced, whatever the callers do.
 * const limited = Effect.map(RateLimiter.spaced({ qps: 5 }), (limiter) => rateLimited(execute, limiter))
 * ```
 */
export const rateLimited: {
  (limiter: RateLimiter.RateLimiterService): (execute: Execute) => Execute
  (execute: Execute, limiter: RateLimiter.RateLimiterService): Execute
} = dual(
  2,
  (execute: Execute, limiter: RateLimiter.RateLimiterService): Execute =>
    (request) =>
      Effect.tapBoth(
        limiter.takeUntilSent === undefined
          ? limiter.take(execute(request))
          : limiter.takeUntilSent((sent) => Effect.locally(execute(request), currentSent, sent)),
        {
          onSuccess: () => limiter.feedback({ throttled: false }),
          onFailure: (error) =>
            error._tag === "TransportError" ||
            error._tag === "TimeoutError" ||
            error._tag === "CredentialsError"
              ? Effect.void
              : limiter.feedback({ throttled: isThrottling(error) })
        }
      )
)

/**
 * Reports each attempt (its number within the call, duration and outcome)
 * to `emit`.
 *
 * @since 0.1.0
 * @category combinators
 * @example
 * ```ts
 * import { type Execute, withAttemptEvents } from "@iot-ota/core/RpcClient"
 *
 * declare const execute: Execute
 * const observed = withAttemptEvents(execute, (event) => {
 *   if (event._tag === "AttemptFailed") console.warn(`${event.action} attempt ${event.attempt}: ${event.error._tag}`)
 * })
 * ```
 */
export const withAttemptEvents: {
  (emit: (event: AttemptEvent) => void): (execute: Execute) => Execute
  (execute: Execute, emit: (event: AttemptEvent) => void): Execute
} = dual(
  2,
  (execute: Execute, emit: (event: AttemptEvent) => void): Execute =>
    (request) =>
      Effect.flatMap(Clock.currentTimeMillis, (start) =>
        Effect.flatMap(FiberRef.get(currentAttempt), (attempt) =>
          Effect.onExit(execute(request), (exit) =>
            Effect.map(Clock.currentTimeMillis, (end) => {
              const durationMs = end - start
              emit(
                exit._tag === "Success"
                  ? {
                      _tag: "AttemptSucceeded",
                      action: request.action,
                      attempt,
                      durationMs,
                      requestId: exit.value.requestId
                    }
                  : {
                      _tag: "AttemptFailed",
                      action: request.action,
                      attempt,
                      durationMs,
                      error: Option.getOrElse(
                        Option.fromNullable(exit.cause._tag === "Fail" ? exit.cause.error : undefined),
                        () => interruptedAttempt
                      )
                    }
              )
            })
          )
        )
      )
)

const interruptedAttempt = new DecodeError({
  message: "the attempt was interrupted",
  httpStatus: 0,
  excerpt: "",
  retryable: false
})

/** The number of the attempt running in this fiber (set by {@link retrying}). */
const currentAttempt = FiberRef.unsafeMake(1)

/**
 * The attempt once more, right away, after `repair`, when it failed with an
 * error `when` accepts: what the server refused can be put right (the clock
 * offset, the credential), so no backoff and no retry quota. Once only: the
 * second attempt's failure is the result.
 */
const onceMoreAfter =
  (
    execute: Execute,
    when: (error: OtaError) => boolean,
    repair: (error: OtaError) => Effect.Effect<void>
  ): Execute =>
  (request) =>
    Effect.catchIf(execute(request), when, (error) => Effect.zipRight(repair(error), execute(request)))

/**
 * When the server rejects the request's timestamp and tells its own time in
 * a `Date` header, the offset is corrected (for every later call of the
 * client too) and the attempt made once more.
 *
 * @since 0.1.0
 * @category combinators
 * @example
 * ```ts
 * import { correctingClockSkew, type Execute } from "@iot-ota/core/RpcClient"
 *
 * declare const execute: Execute
 * // Shared by every call of one client: corrected once, used by all later calls.
 * const offset = { millis: 0 }
 * const skewTolerant = correctingClockSkew(execute, offset)
 * ```
 */
export const correctingClockSkew: {
  (offset: ClockOffset): (execute: Execute) => Execute
  (execute: Execute, offset: ClockOffset): Execute
} = dual(
  2,
  (execute: Execute, offset: ClockOffset): Execute =>
    onceMoreAfter(
      execute,
      (error) => isClockSkewError(error) && serverDateOf(error) !== undefined,
      (error) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) => {
          offset.millis = serverDateOf(error)! - now
          return Effect.logWarning("the server rejected our timestamp; retrying with its clock").pipe(
            Effect.annotateLogs({ clockOffsetMs: offset.millis })
          )
        })
    )
)

/**
 * When the server refuses a security token as expired
 * (`InvalidSecurityToken.Expired`) that the credentials provider still held
 * for valid (its clock runs ahead of ours, or the token was cut short), asks
 * the provider to drop it (`invalidate`) and makes the attempt once more
 * with the credential it fetches instead. Once only: refused again, the
 * call ends with that error. Providers that cannot replace a credential
 * (static keys) have no `invalidate`, and the refusal is the call's error.
 *
 * @since 0.1.1
 * @category combinators
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import * as Credentials from "@iot-ota/core/Credentials"
 * import { type Execute, refreshingExpiredCredentials } from "@iot-ota/core/RpcClient"
 *
 * declare const execute: Execute // signs with `provider`'s credential
 * declare const provider: Credentials.CredentialsService
 * const renewing: Execute = refreshingExpiredCredentials(execute, provider)
 * ```
 */
export const refreshingExpiredCredentials: {
  (credentials: CredentialsService): (execute: Execute) => Execute
  (execute: Execute, credentials: CredentialsService): Execute
} = dual(
  2,
  (execute: Execute, credentials: CredentialsService): Execute =>
    credentials.invalidate === undefined
      ? execute
      : onceMoreAfter(
          execute,
          (error) =>
            error._tag === "ApiError" &&
            error.code.toLowerCase() === "invalidsecuritytoken.expired" &&
            signedWithOf(error) !== undefined,
          (error) =>
            Effect.zipRight(
              credentials.invalidate!(signedWithOf(error)!),
              Effect.logWarning(
                "the server found the security token expired before its time; retrying with a new one"
              ).pipe(Effect.annotateLogs({ provider: credentials.source }))
            )
        )
)

/**
 * Retries retryable failures under `policy` (or the `RetryPolicy` in the
 * call's context) and the client-wide `quota`. A `Retry-After` from the
 * server is waited for when it is within the policy's longest delay; a
 * longer one ends the call with the error, which carries it.
 *
 * @since 0.1.0
 * @category combinators
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import * as RetryPolicy from "@iot-ota/core/RetryPolicy"
 * import { type Execute, retrying } from "@iot-ota/core/RpcClient"
 *
 * declare const execute: Execute
 * const policy = RetryPolicy.standard({ maxAttempts: 5 })
 * const retried = Effect.map(RetryPolicy.makeQuota(policy.quotaCapacity), (quota) => retrying(execute, policy, quota))
 * ```
 */
export const retrying: {
  (policy: RetryPolicy.RetryPolicyService, quota: RetryPolicy.RetryQuota): (execute: Execute) => Execute
  (execute: Execute, policy: RetryPolicy.RetryPolicyService, quota: RetryPolicy.RetryQuota): Execute
} = dual(
  3,
  (execute: Execute, clientPolicy: RetryPolicy.RetryPolicyService, quota: RetryPolicy.RetryQuota): Execute =>
    (request) =>
      Effect.flatMap(Effect.serviceOption(RetryPolicy.RetryPolicy), (given) => {
        const policy = Option.getOrElse(given, () => clientPolicy)
        // The first attempt runs bare; the retry schedule (a driver, `Ref`s)
        // is only built once an attempt fails.
        return Effect.flatMap(
          Effect.catchAll(execute(request), (first) => {
            if (!first.retryable || policy.maxAttempts <= 1) return Effect.fail(first)
            let attempt = 1
            let replay: OtaError | undefined = first
            const next = Effect.suspend(() => {
              if (replay !== undefined) {
                const error = replay
                replay = undefined
                return Effect.fail(error)
              }
              return Effect.locally(execute(request), currentAttempt, ++attempt)
            })
            return Effect.flatMap(Ref.make(0), (spent) =>
              Effect.flatMap(Effect.retry(next, RetryPolicy.schedule(policy, quota, spent)), (response) =>
                Effect.as(
                  Effect.flatMap(Ref.get(spent), (tokens) => quota.release(policy, tokens)),
                  { ...response, attempts: attempt }
                )
              )
            )
          }),
          (response) =>
            (response as { attempts?: number }).attempts === undefined
              ? Effect.as(quota.release(policy, 0), response)
              : Effect.succeed(response)
        )
      })
)

/**
 * Runs each call in an `ota.<Action>` client span with the request's
 * attributes, the number of attempts and the request id; with tracing
 * disabled (`Effect.withTracerEnabled(false)`) no span is made.
 *
 * @since 0.1.0
 * @category combinators
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { type Execute, traced } from "@iot-ota/core/RpcClient"
 *
 * declare const execute: Execute
 * // Each call becomes an "ota.QueryOTAJob" span under the caller's span.
 * const call = Effect.withSpan(traced(execute)({ action: "QueryOTAJob", params: { JobId: "job-1" } }), "refresh")
 * ```
 */
export const traced =
  (execute: Execute): Execute =>
  (request) =>
    Effect.flatMap(FiberRef.get(FiberRef.currentTracerEnabled), (enabled) =>
      enabled
        ? Effect.useSpan(
            `ota.${request.action}`,
            {
              kind: "client",
              captureStackTrace: false,
              attributes: {
                "rpc.system": "alibaba-cloud-rpc",
                "rpc.method": request.action,
                ...request.attributes?.()
              }
            },
            (span) =>
              Effect.withParentSpan(
                Effect.tapBoth(execute(request), {
                  onSuccess: (response) =>
                    Effect.sync(() => {
                      span.attribute("ota.attempts", (response as { attempts?: number }).attempts ?? 1)
                      if (response.requestId !== undefined)
                        span.attribute("ota.requestId", response.requestId)
                    }),
                  onFailure: (error) =>
                    Effect.sync(() => {
                      span.attribute("ota.error", error._tag)
                      if ("code" in error) span.attribute("ota.code", error.code)
                      if ("requestId" in error && error.requestId !== undefined)
                        span.attribute("ota.requestId", error.requestId)
                    })
                }),
                span
              )
          )
        : execute(request)
    )

/**
 * The request engine's service: the composed executor, and any operation
 * run through it.
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { QueryOTAJob } from "@iot-ota/core/operations/QueryOTAJob"
 * import { RpcClient } from "@iot-ota/core/RpcClient"
 *
 * // Any declared operation runs through the same engine.
 * const job = Effect.flatMap(RpcClient, (engine) => engine.call(QueryOTAJob, { jobId: "job-1" }))
 * ```
 */
export interface RpcClientService {
  readonly config: ClientConfigService
  /** Where the credentials come from (for messages; never a secret). */
  readonly credentialsSource: string
  /** The composed executor: every policy applied. */
  readonly execute: Execute
  /** Runs an operation: check the input, encode, execute, decode. */
  readonly call: <Op extends Operation.Operation>(
    operation: Op,
    input: Operation.Operation.Input<Op>
  ) => Effect.Effect<Operation.Operation.Output<Op>, OtaError>
  /** A cursor over every page of a listing; the input is checked at once, pages in flight belong to the scope. */
  readonly pageCursor: <Op extends Operation.PagedOperation>(
    operation: Op,
    input: Operation.Operation.PaginateInput<Op> | Operation.Operation.Input<Op>,
    options?: Pagination.PaginationOptions
  ) => Effect.Effect<Pagination.Cursor<Operation.Operation.Output<Op>>, OtaError, Scope.Scope>
}

/**
 * The request engine as a service.
 *
 * @since 0.1.0
 * @category tags
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { RpcClient } from "@iot-ota/core/RpcClient"
 *
 * const where = Effect.map(RpcClient, (engine) => `${engine.config.endpoint.href} with ${engine.credentialsSource}`)
 * ```
 */
export class RpcClient extends Context.Tag("@iot-ota/core/RpcClient")<RpcClient, RpcClientService>() {}

/**
 * Runs operations through an executor: the client's `iotInstanceId` applies
 * when a call leaves it out, and a result that is not the documented shape is
 * a `DecodeError` (not retried: the same answer would come again).
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import * as ClientConfig from "@iot-ota/core/ClientConfig"
 * import { QueryOTAJob } from "@iot-ota/core/operations/QueryOTAJob"
 * import { type Execute, fromExecute } from "@iot-ota/core/RpcClient"
 *
 * // An engine over an executor of your own (here: every call answered from a fixture).
 * declare const fixture: Execute
 * const job = Effect.flatMap(ClientConfig.make({ endpoint: "http://127.0.0.1:8080" }), (config) =>
 *   fromExecute(fixture, config, "fixture").call(QueryOTAJob, { jobId: "job-1" })
 * )
 * ```
 */
export const fromExecute = (
  execute: Execute,
  config: ClientConfigService,
  credentialsSource: string
): RpcClientService => {
  const check = (operation: Operation.Operation, input: unknown) => {
    const field = Operation.iotInstanceIdField(operation)
    return Operation.check(
      operation,
      field !== undefined &&
        config.iotInstanceId !== undefined &&
        input !== null &&
        typeof input === "object" &&
        (input as Record<string, unknown>)[field] === undefined
        ? { ...input, [field]: config.iotInstanceId }
        : input
    )
  }
  const run = (operation: Operation.Operation, request: unknown): Effect.Effect<unknown, OtaError> =>
    Effect.flatMap(
      execute({
        action: operation.action,
        params: Operation.encode(operation, request),
        attributes: () => Operation.spanAttributes(operation, request)
      }),
      (response) => {
        const decoded = Operation.decode(operation, response.body, request)
        return decoded.ok
          ? Effect.succeed(decoded.value)
          : Effect.fail(
              new DecodeError({
                message: `the ${operation.action} response is not the documented shape: ${decoded.problem}`,
                httpStatus: response.status,
                excerpt: excerpt(response.text),
                ...(response.requestId === undefined ? {} : { requestId: response.requestId }),
                retryable: false
              })
            )
      }
    )
  const call = ((operation: Operation.Operation, input: unknown) => {
    const checked = check(operation, input)
    return Either.isLeft(checked) ? Effect.fail(checked.left) : run(operation, checked.right)
  }) as RpcClientService["call"]
  const pageCursor = ((
    operation: Operation.PagedOperation,
    input: unknown,
    options?: Pagination.PaginationOptions
  ) =>
    Pagination.pageCursor(operation, {
      input,
      check: (value) => check(operation, value),
      fetch: (request) => run(operation, request),
      options
    })) as RpcClientService["pageCursor"]
  return { config, credentialsSource, execute, call, pageCursor }
}

/**
 * Builds the engine from its services with the default policies:
 * `traced(retrying(correctingClockSkew(withAttemptEvents?(rateLimited(base)))))`.
 * `Signer`, `SigningCrypto`, `Nonce`, `RetryPolicy`, `RateLimiter` and
 * `AttemptEvents` are optional: when absent, the algorithm named in the
 * config over WebCrypto, random UUIDs, the standard retry policy and the
 * default rate limiter for `config.qps` are used, and no events are made.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { Effect, Layer } from "effect"
 * import * as ClientConfig from "@iot-ota/core/ClientConfig"
 * import * as Credentials from "@iot-ota/core/Credentials"
 * import { QueryOTAJob } from "@iot-ota/core/operations/QueryOTAJob"
 * import * as RpcClient from "@iot-ota/core/RpcClient"
 * import * as Transport from "@iot-ota/core/Transport"
 *
 * const job = Effect.scoped(
 *   Effect.flatMap(RpcClient.make, (engine) => engine.call(QueryOTAJob, { jobId: "job-1" }))
 * ).pipe(
 *   Effect.provide(
 *     Layer.mergeAll(
 *       ClientConfig.layer({ endpoint: "http://127.0.0.1:8080" }),
 *       Credentials.layer({ accessKeyId: "test-key-id", accessKeySecret: "test-key-secret" }),
 *       Transport.layerFetch
 *     )
 *   )
 * )
 * ```
 */
export const make: Effect.Effect<
  RpcClientService,
  never,
  Transport | Credentials | ClientConfig | Scope.Scope
> = Effect.gen(function* () {
  const config = yield* ClientConfig
  const credentials = yield* Credentials
  const transport = yield* Transport
  const crypto = Option.getOrElse(yield* Effect.serviceOption(SigningCrypto), () => makeWebCrypto())
  const signer = yield* Option.match(yield* Effect.serviceOption(Signer), {
    onSome: Effect.succeed,
    onNone: () =>
      (config.signatureAlgorithm === "ACS3-HMAC-SHA256" ? makeAcs3HmacSha256 : makeHmacSha1).pipe(
        Effect.provideService(SigningCrypto, crypto)
      )
  })
  const nonce = Option.getOrElse(yield* Effect.serviceOption(Nonce), () => randomUUID)
  const policy = Option.getOrElse(yield* Effect.serviceOption(RetryPolicy.RetryPolicy), () =>
    RetryPolicy.standard({ maxAttempts: config.maxAttempts })
  )
  const quota = yield* RetryPolicy.makeQuota(policy.quotaCapacity)
  // Per client: the default limiter adapts to this client's own throttling answers.
  const limiter = yield* Option.match(yield* Effect.serviceOption(RateLimiter.RateLimiter), {
    onSome: Effect.succeed,
    onNone: () =>
      config.qps > 0 ? RateLimiter.adaptive({ qps: config.qps }) : Effect.succeed(RateLimiter.unlimited)
  })
  const events = yield* Effect.serviceOption(AttemptEvents)
  const clock = yield* Effect.clock
  const offset: ClockOffset = { millis: 0 }
  const signed = makeExecute({ config, credentials, transport, signer, nonce, clock, clockOffset: offset })
  const base = limiter === RateLimiter.unlimited ? signed : rateLimited(signed, limiter)
  const observed = Option.isSome(events) ? withAttemptEvents(base, events.value) : base
  const execute = traced(
    retrying(correctingClockSkew(refreshingExpiredCredentials(observed, credentials), offset), policy, quota)
  )
  return fromExecute(execute, config, credentials.source)
})

/**
 * The engine, given a transport, credentials and configuration.
 *
 * @since 0.1.0
 * @category layers
 * @example
 * ```ts
 * import { Effect, Layer } from "effect"
 * import * as ClientConfig from "@iot-ota/core/ClientConfig"
 * import * as Credentials from "@iot-ota/core/Credentials"
 * import { QueryOTAJob } from "@iot-ota/core/operations/QueryOTAJob"
 * import * as RpcClient from "@iot-ota/core/RpcClient"
 * import * as Transport from "@iot-ota/core/Transport"
 *
 * const EngineLive = RpcClient.layer.pipe(
 *   Layer.provide(
 *     Layer.mergeAll(
 *       ClientConfig.layer({ endpoint: "http://127.0.0.1:8080" }),
 *       Credentials.layer({ accessKeyId: "test-key-id", accessKeySecret: "test-key-secret" }),
 *       Transport.layerFetch
 *     )
 *   )
 * )
 * const job = Effect.flatMap(RpcClient.RpcClient, (engine) => engine.call(QueryOTAJob, { jobId: "job-1" }))
 * Effect.runPromise(Effect.provide(job, EngineLive))
 * ```
 */
export const layer: Layer.Layer<RpcClient, never, Transport | Credentials | ClientConfig> = Layer.scoped(
  RpcClient,
  make
)
