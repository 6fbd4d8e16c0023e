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
 * @since 0.1.0
 * @category models
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
 * @since 0.1.0
 * @category models
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
