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
 * @since 0.1.0
 * @category models
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
 * @since 0.1.0
 * @category tags
 */
export class OtaClient extends Context.Tag("@iot-ota/core/OtaClient")<OtaClient, OtaClientService>() {}

/**
 * Adds Streams to an `RpcClient`.
 *
 * @since 0.1.0
 * @category constructors
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
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<OtaClientService, never, RpcClient.RpcClient> = Effect.map(
  RpcClient.RpcClient,
  fromRpcClient
)

/**
 * The client over a `Transport`, with its credentials and configuration.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<
  OtaClient | RpcClient.RpcClient,
  never,
  Transport | Credentials | ClientConfig
> = Layer.effect(OtaClient, make).pipe(Layer.provideMerge(RpcClient.layer))

/**
 * The client over an existing `RpcClient`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerFromRpcClient: Layer.Layer<OtaClient, never, RpcClient.RpcClient> = Layer.effect(
  OtaClient,
  make
)
