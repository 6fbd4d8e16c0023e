/**
 * An operation is data: an Action name, a Schema for the caller's input, a
 * Schema from the validated request to the flat wire parameters, and a
 * Schema for the response body. The client pipeline is written once against
 * this shape, so adding the next OTA action is one new file in
 * `src/operations/`.
 *
 * @since 0.1.0
 */
import type * as Schema from "effect/Schema"
import type { WireParams } from "./Signer.js"

/**
 * How to walk the pages of a paginated operation.
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import { ListOTATaskByJob } from "@iot-ota/core/operations/ListOTATaskByJob"
 *
 * const { pagination } = ListOTATaskByJob
 * pagination.maxPageSize // 100
 * pagination.withPage({ jobId: "job-1", pageSize: 10, currentPage: 1 }, 3, 100)
 * // { jobId: "job-1", pageSize: 100, currentPage: 3 }
 * ```
 */
export interface Pagination<Request, Output, Item> {
  /** The items of one page. */
  readonly items: (output: Output) => ReadonlyArray<Item>
  /** Total number of items over all pages, as the server reports it. */
  readonly total: (output: Output) => number
  /** The request for another page. Never mutates `request`. */
  readonly withPage: (request: Request, page: number, pageSize: number) => Request
  readonly page: (request: Request) => number
  readonly pageSize: (request: Request) => number
  /** The largest page size the server accepts. */
  readonly maxPageSize: number
  /** The server refuses `page * pageSize` above this. */
  readonly maxOffset: number
  /** A stable identity, used to drop an item served twice when data shifts between pages. */
  readonly itemKey: (item: Item) => string
}

/**
 * An API action described as data; `RpcClient.execute` runs any of them.
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import type { Operation } from "@iot-ota/core/Operation"
 * import type { ListOTATaskByJob } from "@iot-ota/core/operations/ListOTATaskByJob"
 * import { RpcClient } from "@iot-ota/core/RpcClient"
 *
 * // Runs any operation inside a log span named after its action.
 * const call = <I, R, O>(operation: Operation<I, R, O>, input: I) =>
 *   Effect.flatMap(RpcClient, (rpc) => rpc.execute(operation, input)).pipe(Effect.withLogSpan(operation.action))
 *
 * type Input = Operation.Input<typeof ListOTATaskByJob> // ListOTATaskByJobInput
 * ```
 */
export interface Operation<Input, Request, Output> {
  /** The `Action` parameter. */
  readonly action: string
  /** Decodes and checks the caller's input, applying defaults. */
  readonly input: Schema.Schema<Request, Input>
  /** Encodes a checked request to the flat wire parameters (`DeviceNames.1`, ...). */
  readonly params: Schema.Schema<Request, WireParams>
  /** Decodes a successful JSON body. */
  readonly response: Schema.Schema<Output, unknown>
  /** Span attributes describing one call. */
  readonly spanAttributes: (request: Request) => Readonly<Record<string, string | number | boolean>>
  /**
   * Whether the input has an `iotInstanceId` field that takes the client's
   * configured `iotInstanceId` when the call leaves it out (Enterprise
   * instances need it on every call).
   */
  readonly acceptsIotInstanceId: boolean
}

/**
 * An operation whose results come in pages, which the client can walk to the
 * end (`RpcClient.pageCursor`, `OtaClient.pages` and `items`).
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import type { PaginatedOperation } from "@iot-ota/core/Operation"
 * import { OtaClient } from "@iot-ota/core/OtaClient"
 *
 * // Counts the items of any paginated listing, each once.
 * const countAll = <I, R, O, T>(operation: PaginatedOperation<I, R, O, T>, input: I) =>
 *   Effect.flatMap(OtaClient, (client) => Stream.runCount(client.items(operation, input)))
 * ```
 */
export interface PaginatedOperation<Input, Request, Output, Item> extends Operation<Input, Request, Output> {
  readonly pagination: Pagination<Request, Output, Item>
}

/**
 * Helper types.
 *
 * @since 0.1.0
 * @category models
 */
export declare namespace Operation {
  /** Any operation. */
  // biome-ignore lint/suspicious/noExplicitAny: variance helper for heterogeneous collections
  export type Any = Operation<any, any, any>
  /** The caller's input type. */
  export type Input<O> = O extends Operation<infer I, infer _R, infer _O> ? I : never
  /** The validated request type. */
  export type Request<O> = O extends Operation<infer _I, infer R, infer _O> ? R : never
  /** The decoded output type. */
  export type Output<O> = O extends Operation<infer _I, infer _R, infer Out> ? Out : never
}
