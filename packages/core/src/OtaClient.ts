/**
 * The client as an Effect service: every call of `RpcClient`, plus the
 * listings as Streams (pages, or tasks each delivered once).
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type { ClientConfig } from "./ClientConfig.js"
import type { Credentials } from "./Credentials.js"
import type { OtaError } from "./IotError.js"
import type { PaginatedOperation } from "./Operation.js"
import {
  ListOTATaskByJob,
  type ListOTATaskByJobInput,
  type OtaTask,
  type OtaTaskPage
} from "./operations/ListOTATaskByJob.js"
import * as Pagination from "./Pagination.js"
import * as RpcClient from "./RpcClient.js"
import type { Transport } from "./Transport.js"

/**
 * The client: every call of `RpcClientService`, plus listings as Streams.
 * Streams stop their requests when they are interrupted or end early.
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import { Chunk, Effect, Stream } from "effect"
 * import type { OtaClientService } from "@iot-ota/core/OtaClient"
 *
 * // The devices whose upgrade failed.
 * const failedDevices = (client: OtaClientService, jobId: string) =>
 *   client.streamOTATaskByJob({ jobId, taskStatus: "FAILED" }).pipe(
 *     Stream.map((task) => task.deviceName),
 *     Stream.runCollect,
 *     Effect.map(Chunk.toReadonlyArray)
 *   )
 * ```
 */
export interface OtaClientService extends RpcClient.RpcClientService {
  /** Every page of a paginated operation, in order. */
  readonly pages: <I, R, O, T>(
    operation: PaginatedOperation<I, R, O, T>,
    input: I,
    options?: Pagination.PaginationOptions
  ) => Stream.Stream<O, OtaError>
  /** Every item of a paginated operation, in order, each once. */
  readonly items: <I, R, O, T>(
    operation: PaginatedOperation<I, R, O, T>,
    input: I,
    options?: Pagination.PaginationOptions
  ) => Stream.Stream<T, OtaError>
  /** Every page of a job's tasks. */
  readonly listOTATaskByJobPages: (
    input: ListOTATaskByJobInput,
    options?: Pagination.PaginationOptions
  ) => Stream.Stream<OtaTaskPage, OtaError>
  /** Every task of a job (or of a status / device filter), each once. */
  readonly streamOTATaskByJob: (
    input: ListOTATaskByJobInput,
    options?: Pagination.PaginationOptions
  ) => Stream.Stream<OtaTask, OtaError>
}

/**
 * The client as a service: provide it with {@link layer} (or `layer` from
 * `@iot-ota/node`).
 *
 * @since 0.1.0
 * @category tags
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { OtaClient } from "@iot-ota/core/OtaClient"
 *
 * const program = Effect.gen(function* () {
 *   const client = yield* OtaClient
 *   yield* client
 *     .streamOTATaskByJob({ jobId: "job-1" })
 *     .pipe(Stream.runForEach((task) => Effect.log(`${task.deviceName}: ${task.taskStatus}`)))
 * })
 * ```
 */
export class OtaClient extends Context.Tag("@iot-ota/core/OtaClient")<OtaClient, OtaClientService>() {}

/**
 * Adds Streams to an `RpcClient`: they share its rate limiter, retry quota
 * and configuration.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import * as OtaClient from "@iot-ota/core/OtaClient"
 * import type { RpcClientService } from "@iot-ota/core/RpcClient"
 *
 * declare const rpc: RpcClientService // e.g. built with RpcClient.make
 * const tasks = OtaClient.fromRpcClient(rpc).streamOTATaskByJob({ jobId: "job-1" })
 * ```
 */
export const fromRpcClient = (rpc: RpcClient.RpcClientService): OtaClientService => {
  const drain = <A>(cursor: Pagination.Cursor<A>): Stream.Stream<A, OtaError> =>
    Stream.repeatEffectOption(
      Effect.flatMap(Effect.mapError(cursor.next, Option.some), (next) =>
        Option.isSome(next) ? Effect.succeed(next.value) : Effect.fail(Option.none())
      )
    )
  const pages: OtaClientService["pages"] = (operation, input, options) =>
    Stream.unwrapScoped(Effect.map(rpc.pageCursor(operation, input, options), drain))
  const items: OtaClientService["items"] = (operation, input, options) =>
    Stream.unwrapScoped(
      Effect.map(rpc.pageCursor(operation, input, options), (cursor) =>
        drain(Pagination.itemCursor(operation, cursor, options))
      )
    ).pipe(Stream.flattenIterables)
  return {
    ...rpc,
    pages,
    items,
    listOTATaskByJobPages: (input, options) => pages(ListOTATaskByJob, input, options),
    streamOTATaskByJob: (input, options) => items(ListOTATaskByJob, input, options)
  }
}

/**
 * The client over the `RpcClient` in context.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import * as OtaClient from "@iot-ota/core/OtaClient"
 *
 * // The first ten tasks: taking fewer stops the requests for the rest.
 * const firstTen = Effect.flatMap(OtaClient.make, (client) =>
 *   client.streamOTATaskByJob({ jobId: "job-1" }).pipe(Stream.take(10), Stream.runCollect)
 * )
 * ```
 */
export const make: Effect.Effect<OtaClientService, never, RpcClient.RpcClient> = Effect.map(
  RpcClient.RpcClient,
  fromRpcClient
)

/**
 * The client over a `Transport`, with its credentials and configuration.
 * It also provides the `RpcClient` it runs on.
 *
 * @since 0.1.0
 * @category layers
 * @example
 * ```ts
 * import { Effect, Layer, Stream } from "effect"
 * import * as ClientConfig from "@iot-ota/core/ClientConfig"
 * import * as Credentials from "@iot-ota/core/Credentials"
 * import * as OtaClient from "@iot-ota/core/OtaClient"
 * import * as Transport from "@iot-ota/core/Transport"
 *
 * const program = Effect.flatMap(OtaClient.OtaClient, (client) =>
 *   Stream.runCount(client.streamOTATaskByJob({ jobId: "job-1", taskStatus: "FAILED" }))
 * )
 * // `fetch`, with endpoint and keys from the OTA_* environment variables.
 * const ClientLive = OtaClient.layer.pipe(
 *   Layer.provide(Layer.mergeAll(Transport.layerFetch, Credentials.layerConfig, ClientConfig.layerConfig()))
 * )
 * const failed = await Effect.runPromise(Effect.provide(program, ClientLive))
 * ```
 */
export const layer: Layer.Layer<
  OtaClient | RpcClient.RpcClient,
  never,
  Transport | Credentials | ClientConfig
> = Layer.effect(OtaClient, make).pipe(Layer.provideMerge(RpcClient.layer))

/**
 * The client over an existing `RpcClient`, sharing its rate limiter and
 * retry quota.
 *
 * @since 0.1.0
 * @category layers
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import * as OtaClient from "@iot-ota/core/OtaClient"
 * import * as RpcClient from "@iot-ota/core/RpcClient"
 *
 * // Both services from one RpcClient: one rate limit for every call, streamed or not.
 * const Clients = OtaClient.layerFromRpcClient.pipe(Layer.provideMerge(RpcClient.layer))
 * ```
 */
export const layerFromRpcClient: Layer.Layer<OtaClient, never, RpcClient.RpcClient> = Layer.effect(
  OtaClient,
  make
)
