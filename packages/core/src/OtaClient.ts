/**
 * The client as an Effect service: any declared operation (`call`), listings
 * as Streams (`pages`, `items`), and a named method for every operation of
 * the operations table (`listOTATaskByJob`, `listOTATaskByJobPages`,
 * `streamOTATaskByJob`, `queryOTAJob`, …), generated from it.
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
import * as Operation from "./Operation.js"
import { Operations } from "./Operations.js"
import * as Pagination from "./Pagination.js"
import * as RpcClient from "./RpcClient.js"
import type { Transport } from "./Transport.js"

/**
 * The generic calls of the client.
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import { Stream } from "effect"
 * import { ListOTATaskByJob } from "@iot-ota/core/operations/ListOTATaskByJob"
 * import type { OtaClientBase } from "@iot-ota/core/OtaClient"
 *
 * // The generic calls take any declared operation, one of your own included.
 * const failedCount = (client: OtaClientBase, jobId: string) =>
 *   Stream.runCount(client.items(ListOTATaskByJob, { jobId, taskStatus: "FAILED" }, { concurrency: 2 }))
 * ```
 */
export interface OtaClientBase extends RpcClient.RpcClientService {
  /** Every page of a listing, in order. */
  readonly pages: <Op extends Operation.PagedOperation>(
    operation: Op,
    input: Operation.Operation.Input<Op>,
    options?: Pagination.PaginationOptions
  ) => Stream.Stream<Operation.Operation.Output<Op>, OtaError>
  /** Every item of a listing, in order, each once. */
  readonly items: <Op extends Operation.PagedOperation>(
    operation: Op,
    input: Operation.Operation.Input<Op>,
    options?: Pagination.PaginationOptions
  ) => Stream.Stream<Operation.Operation.Item<Op>, OtaError>
}

/**
 * The named methods generated for a table of operations: `<action>` for every
 * operation, and `<action>Pages` / `stream<Rest>` for listings.
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import type { QueryOTAJob } from "@iot-ota/core/operations/QueryOTAJob"
 * import type { OperationMethods } from "@iot-ota/core/OtaClient"
 *
 * // Asks only for the method it uses: the full client (`OtaClientService`) fits, and so does a test double.
 * const jobStatus = (client: OperationMethods<{ QueryOTAJob: typeof QueryOTAJob }>, jobId: string) =>
 *   Effect.map(client.queryOTAJob({ jobId }), ({ job }) => job.jobStatus)
 * ```
 */
export type OperationMethods<Ops extends Record<string, Operation.Operation>> = {
  readonly [K in keyof Ops & string as Operation.MethodName<K>]: (
    input: Operation.Operation.Input<Ops[K]>
  ) => Effect.Effect<Operation.Operation.Output<Ops[K]>, OtaError>
} & {
  readonly [K in keyof Ops & string as Ops[K] extends Operation.PagedOperation
    ? `${Operation.MethodName<K>}Pages`
    : never]: (
    input: Operation.Operation.Input<Ops[K]>,
    options?: Pagination.PaginationOptions
  ) => Stream.Stream<Operation.Operation.Output<Ops[K]>, OtaError>
} & {
  readonly [K in keyof Ops & string as Ops[K] extends Operation.PagedOperation
    ? Operation.StreamName<K>
    : never]: (
    input: Operation.Operation.Input<Ops[K]>,
    options?: Pagination.PaginationOptions
  ) => Stream.Stream<Operation.Operation.Item<Ops[K]>, OtaError>
}

/**
 * The client: generic calls plus a method for every declared operation.
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
export interface OtaClientService extends OtaClientBase, OperationMethods<typeof Operations> {}

/**
 * The client as a service: provide it with {@link layer} (or `layer` from
 * `@iot-ota/node` / `@iot-ota/edge`).
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
 *   const { job } = yield* client.queryOTAJob({ jobId: "job-1" })
 *   yield* client
 *     .streamOTATaskByJob({ jobId: job.jobId })
 *     .pipe(Stream.runForEach((task) => Effect.log(`${task.deviceName}: ${task.taskStatus}`)))
 * })
 * ```
 */
export class OtaClient extends Context.Tag("@iot-ota/core/OtaClient")<OtaClient, OtaClientService>() {}

const drain = <A>(cursor: Pagination.Cursor<A>): Stream.Stream<A, OtaError> =>
  Stream.repeatEffectOption(
    Effect.flatMap(Effect.mapError(cursor.next, Option.some), (next) =>
      Option.isSome(next) ? Effect.succeed(next.value) : Effect.fail(Option.none())
    )
  )

/**
 * Adds Streams and the generated methods of `operations` to an `RpcClient`:
 * they share its rate limiter, retry quota and configuration.
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
  const pages: OtaClientBase["pages"] = (operation, input, options) =>
    Stream.unwrapScoped(Effect.map(rpc.pageCursor(operation, input, options), drain))
  const items: OtaClientBase["items"] = (operation, input, options) =>
    Stream.flattenIterables(
      Stream.unwrapScoped(
        Effect.map(rpc.pageCursor(operation, input, options), (cursor) =>
          drain(Pagination.itemCursor(operation, cursor))
        )
      )
    ) as never
  const client: Record<string, unknown> = { ...rpc, pages, items }
  for (const operation of Object.values(Operations) as ReadonlyArray<Operation.Operation>) {
    const name = Operation.names(operation.action)
    client[name.method] = (input: unknown) => rpc.call(operation, input)
    if (Operation.isPaged(operation)) {
      client[`${name.method}Pages`] = (input: unknown, options?: Pagination.PaginationOptions) =>
        pages(operation, input, options)
      client[name.stream] = (input: unknown, options?: Pagination.PaginationOptions) =>
        items(operation, input, options)
    }
  }
  return client as unknown as OtaClientService
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
 * const Clients = OtaClient.layerFromRpcClient.pipe(Layer.provideMerge(RpcClient.layer))
 * ```
 */
export const layerFromRpcClient: Layer.Layer<OtaClient, never, RpcClient.RpcClient> = Layer.effect(
  OtaClient,
  make
)
