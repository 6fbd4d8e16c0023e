/**
 * An operation is declared data: its `Action`, its input as a Schema whose
 * fields carry their wire names (`Wire.param`), its output as a Schema of the
 * domain shape, and, for listings, the names of its paging fields. Everything
 * else — the wire encoder, the tolerant response decoder, input checks, span
 * attributes, whether the client's `iotInstanceId` applies, method names and
 * the paginator — is derived here from the declaration, once per operation.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as AST from "effect/SchemaAST"
import { ValidationError } from "./IotError.js"
import { compile, decodeWith } from "./internal/decoder.js"
import { makeEncoder, paramFields, requestStruct } from "./internal/encoder.js"
import { validate } from "./internal/validation.js"

/**
 * An API action described as data.
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import * as Operation from "@iot-ota/core/Operation"
 * import * as Wire from "@iot-ota/core/Wire"
 *
 * // A read operation of your own, served by the same engine.
 * export const QueryProduct = Operation.make({
 *   action: "QueryProduct",
 *   input: Schema.Struct({ productKey: Wire.NonBlank.pipe(Wire.param("ProductKey")) }),
 *   output: Schema.Struct({
 *     requestId: Wire.optional(Schema.String),
 *     product: Schema.Struct({ productKey: Schema.String, productName: Schema.String }).pipe(Wire.from("Data"))
 *   })
 * })
 * ```
 */
export interface Operation<A extends string = string, I = any, R = any, O = any> {
  /** The `Action` parameter. */
  readonly action: A
  /** The caller's input (encoded side) and the checked request with defaults (type side). */
  readonly input: Schema.Schema<R, I>
  /** The result: a Schema of the domain shape, read tolerantly from the body. */
  readonly output: Schema.Schema<O, any>
}

/** Any paging declaration, whatever its request, result and item types (for generic code). */
// biome-ignore lint/suspicious/noExplicitAny: a variance helper for heterogeneous operations
type AnyPaging = Paging<any, any, any>

/** Keys of `A` whose values are assignable to `V`. */
type KeysOf<A, V> = { [K in keyof A]-?: A[K] extends V ? K : never }[keyof A] & string

/**
 * How a listing pages, by field names: the request's page and page size
 * (echoed under the same names in the result, when the server echoes them),
 * the result's items and total, and the server's limits.
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import type { Paging } from "@iot-ota/core/Operation"
 *
 * interface ProductRequest { readonly currentPage: number; readonly pageSize: number }
 * interface Product { readonly productKey: string }
 * interface ProductPage extends ProductRequest { readonly total: number; readonly products: ReadonlyArray<Product> }
 *
 * // Each name is checked against the types: `items: "total"` or `itemKey: "name"` would not compile.
 * const paging = {
 *   items: "products", total: "total", page: "currentPage", pageSize: "pageSize",
 *   maxPageSize: 200, maxOffset: 100_000, itemKey: "productKey"
 * } as const satisfies Paging<ProductRequest, ProductPage, Product>
 * ```
 */
export interface Paging<R, O, T> {
  /** The result field holding one page's items. */
  readonly items: KeysOf<O, ReadonlyArray<T>>
  /** The result field with the number of items over all pages. */
  readonly total: KeysOf<O, number>
  /** The page number field (request and result). */
  readonly page: KeysOf<R, number> & KeysOf<O, number>
  /** The page size field (request and result). */
  readonly pageSize: KeysOf<R, number> & KeysOf<O, number>
  /** A result field for the page count, computed when the server leaves it out. */
  readonly pageCount?: KeysOf<O, number> | undefined
  /** The largest page size the server accepts. */
  readonly maxPageSize: number
  /** The server refuses `page × pageSize` above this. */
  readonly maxOffset: number
  /** An item field that identifies it, for exactly-once delivery. */
  readonly itemKey: KeysOf<T, string>
  /**
   * A filter field to list by, value after value, when a listing is larger
   * than `maxOffset` and the caller gave no value of it.
   */
  readonly partition?:
    | { readonly field: KeysOf<R, string | undefined>; readonly values: ReadonlyArray<string> }
    | undefined
}

/**
 * An operation whose results come in pages.
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import type { PagedOperation } from "@iot-ota/core/Operation"
 * import { ListOTATaskByJob } from "@iot-ota/core/operations/ListOTATaskByJob"
 *
 * // The fewest requests a full listing of `total` items takes, for any listing.
 * const requestsFor = (operation: PagedOperation, total: number) =>
 *   Math.max(1, Math.ceil(total / operation.paging.maxPageSize))
 * requestsFor(ListOTATaskByJob, 250) // 3
 * ```
 */
export interface PagedOperation<
  A extends string = string,
  I = any,
  R = any,
  O = any,
  T = any,
  P extends Paging<R, O, T> = Paging<R, O, T>
> extends Operation<A, I, R, O> {
  readonly paging: P
}

/**
 * Helper types.
 *
 * @since 0.1.0
 * @category models
 */
export declare namespace Operation {
  /** The caller's input type. */
  export type Input<Op> = Op extends Operation<string, infer I, any, any> ? I : never
  /** The checked request type. */
  export type Request<Op> = Op extends Operation<string, any, infer R, any> ? R : never
  /** The result type. */
  export type Output<Op> = Op extends Operation<string, any, any, infer O> ? O : never
  /** The item type of a listing. */
  export type Item<Op> = Op extends PagedOperation<string, any, any, any, infer T> ? T : never
  /** A listing's input: it starts at the first page, so the page number is not the caller's. */
  export type PaginateInput<Op> = Op extends PagedOperation ? Omit<Input<Op>, Op["paging"]["page"]> : never
}

/**
 * Declares an operation.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import * as Operation from "@iot-ota/core/Operation"
 * import * as Wire from "@iot-ota/core/Wire"
 *
 * const QueryOTAJobStatus = Operation.make({
 *   action: "QueryOTAJob",
 *   input: Schema.Struct({ jobId: Wire.NonBlank.pipe(Wire.param("JobId")) }),
 *   output: Schema.Struct({ status: Schema.String.pipe(Wire.from("Data.JobStatus")) })
 * })
 * ```
 */
export const make = <const A extends string, I, R, O>(declaration: {
  readonly action: A
  readonly input: Schema.Schema<R, I>
  readonly output: Schema.Schema<O, any>
}): Operation<A, I, R, O> => declaration

/**
 * Declares a listing.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import * as Operation from "@iot-ota/core/Operation"
 * import * as Wire from "@iot-ota/core/Wire"
 *
 * const ListProducts = Operation.paged({
 *   action: "QueryProductList",
 *   input: Schema.Struct({
 *     currentPage: Schema.optionalWith(Wire.PageNumber, { default: () => 1 }).pipe(Wire.param("CurrentPage")),
 *     pageSize: Schema.optionalWith(Wire.PageSize(200), { default: () => 10 }).pipe(Wire.param("PageSize"))
 *   }),
 *   output: Schema.Struct({
 *     total: Schema.Number.pipe(Wire.from("Data.Total")),
 *     currentPage: Schema.Number.pipe(Wire.from("Data.CurrentPage")),
 *     pageSize: Schema.Number.pipe(Wire.from("Data.PageSize")),
 *     products: Schema.Array(Schema.Struct({ productKey: Schema.String })).pipe(Wire.from("Data.List.ProductInfo"))
 *   }),
 *   paging: {
 *     items: "products", total: "total", page: "currentPage", pageSize: "pageSize",
 *     maxPageSize: 200, maxOffset: 100_000, itemKey: "productKey"
 *   }
 * })
 * ```
 */
export const paged = <const A extends string, I, R, O, const P extends Paging<R, O, any>>(declaration: {
  readonly action: A
  readonly input: Schema.Schema<R, I>
  readonly output: Schema.Schema<O, any>
  readonly paging: P
}): PagedOperation<A, I, R, O, ItemOf<O, P["items"]>, P> => declaration as never

/** The item type of a listing's items field. */
type ItemOf<O, K> = K extends keyof O ? (O[K] extends ReadonlyArray<infer T> ? T : never) : never

/**
 * Whether an operation is a listing.
 *
 * @since 0.1.0
 * @category guards
 * @example
 * ```ts
 * import * as Operation from "@iot-ota/core/Operation"
 * import { ListOTATaskByJob } from "@iot-ota/core/operations/ListOTATaskByJob"
 *
 * Operation.isPaged(ListOTATaskByJob) // true
 * ```
 */
export const isPaged = (operation: Operation): operation is PagedOperation =>
  (operation as Partial<PagedOperation>).paging !== undefined

/**
 * The method name of an operation: its action with a lower-case first letter.
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import type { MethodName } from "@iot-ota/core/Operation"
 * import type { OtaClientService } from "@iot-ota/core/OtaClient"
 *
 * // The Effect client's method for an action, by the action's name.
 * type QueryJob = OtaClientService[MethodName<"QueryOTAJob">] // client.queryOTAJob
 * ```
 */
export type MethodName<A extends string> = Uncapitalize<A>

/**
 * The name of a listing's item iterator: `List…` becomes `paginate…`
 * (`ListOTATaskByJob` → `paginateOTATaskByJob`).
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import type { PaginateName } from "@iot-ota/core/Operation"
 * import type { Operations } from "@iot-ota/core/Operations"
 * import type { PromiseMethods } from "@iot-ota/core/PromiseClient"
 *
 * // The Promise clients' item iterator of a listing, by the listing's action.
 * type PaginateFirmware = PromiseMethods<Operations>[PaginateName<"ListOTAFirmware">] // client.paginateOTAFirmware
 * ```
 */
export type PaginateName<A extends string> = A extends `List${infer Rest}`
  ? `paginate${Rest}`
  : `paginate${A}`

/**
 * The name of a listing's Effect Stream of items: `List…` becomes `stream…`.
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import type { StreamName } from "@iot-ota/core/Operation"
 * import type { OtaClientService } from "@iot-ota/core/OtaClient"
 *
 * // The Effect client's Stream of a listing's items, by the listing's action.
 * type StreamJobs = OtaClientService[StreamName<"ListOTAJobByFirmware">] // client.streamOTAJobByFirmware
 * ```
 */
export type StreamName<A extends string> = A extends `List${infer Rest}` ? `stream${Rest}` : `stream${A}`

/**
 * Method names of an action, as the clients generate them.
 *
 * @since 0.1.0
 * @category accessors
 * @example
 * ```ts
 * import * as Operation from "@iot-ota/core/Operation"
 *
 * Operation.names("ListOTATaskByJob")
 * // { method: "listOTATaskByJob", paginate: "paginateOTATaskByJob", stream: "streamOTATaskByJob" }
 * ```
 */
export const names = <A extends string>(
  action: A
): { readonly method: MethodName<A>; readonly paginate: PaginateName<A>; readonly stream: StreamName<A> } => {
  const rest = action.startsWith("List") ? action.slice(4) : action
  return {
    method: (action.charAt(0).toLowerCase() + action.slice(1)) as MethodName<A>,
    paginate: `paginate${rest}` as PaginateName<A>,
    stream: `stream${rest}` as StreamName<A>
  }
}

/** What is derived from a declaration, once. */
interface Derived {
  readonly check: (input: unknown) => Either.Either<unknown, ValidationError>
  readonly encode: (request: unknown) => Record<string, string>
  readonly decode: (
    body: unknown,
    request: unknown
  ) => { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly problem: string }
  readonly attributes: (request: unknown) => Record<string, string | number | boolean>
  readonly iotInstanceIdField: string | undefined
}

const derivedCache = new WeakMap<Operation, Derived>()

const derived = (operation: Operation): Derived => {
  let found = derivedCache.get(operation)
  if (found === undefined) {
    found = derive(operation)
    derivedCache.set(operation, found)
  }
  return found
}

const derive = (operation: Operation): Derived => {
  const fields = paramFields(operation.input.ast)
  const encode = makeEncoder(fields)
  const validateInput = validate(operation.input, operation.action)
  const paging = isPaged(operation) ? operation.paging : undefined
  const check = paging === undefined ? validateInput : withOffsetRule(validateInput, paging)
  const scalars = requestStruct(operation.input.ast).propertySignatures.map((property) => ({
    name: String(property.name),
    attribute: `ota.${String(property.name)}`,
    list: fields.find((field) => field.name === property.name)?.list ?? false
  }))
  const reader = compile(
    paging === undefined ? operation.output.ast : echoesOptional(operation.output.ast, paging)
  )
  return {
    check,
    encode: encode as Derived["encode"],
    decode:
      paging === undefined
        ? (body) => decodeWith(reader, body)
        : (body, request) => {
            const result = decodeWith(reader, body)
            if (result.ok)
              fillEchoes(result.value as Record<string, unknown>, request as Record<string, unknown>, paging)
            return result
          },
    attributes: (request) => {
      const out: Record<string, string | number | boolean> = {}
      const values = request as Record<string, unknown>
      for (const scalar of scalars) {
        const value = values[scalar.name]
        if (value === undefined) continue
        if (scalar.list) out[`${scalar.attribute}.count`] = (value as ReadonlyArray<unknown>).length
        else if (typeof value === "string" || typeof value === "number" || typeof value === "boolean")
          out[scalar.attribute] = value
      }
      return out
    },
    iotInstanceIdField: fields.find((field) => field.wire === "IotInstanceId")?.name
  }
}

/** A listing's page rule: `page × pageSize` within the server's offset cap. */
const withOffsetRule =
  (check: (input: unknown) => Either.Either<unknown, ValidationError>, paging: AnyPaging) =>
  (input: unknown): Either.Either<unknown, ValidationError> =>
    Either.flatMap(check(input), (request) => {
      const values = request as Record<string, number>
      const page = values[paging.page]!
      const size = values[paging.pageSize]!
      return page * size <= paging.maxOffset
        ? Either.right(request)
        : Either.left(
            new ValidationError({
              field: paging.page,
              rule: `such that ${paging.page} × ${paging.pageSize} is at most ${paging.maxOffset} (the server's paging limit)`,
              message: `${paging.page} × ${paging.pageSize} must be at most ${paging.maxOffset} (the server's paging limit), got ${page} × ${size}`
            })
          )
    })

/** The result schema with its page echoes optional: servers leave them out, and the request knows them. */
const echoesOptional = (ast: AST.AST, paging: AnyPaging): AST.AST => {
  const echoes = new Set<PropertyKey>(
    [paging.page, paging.pageSize, paging.pageCount].filter((x) => x !== undefined)
  )
  const relax = (struct: AST.TypeLiteral) =>
    new AST.TypeLiteral(
      struct.propertySignatures.map((p) =>
        echoes.has(p.name) ? new AST.PropertySignature(p.name, p.type, true, p.isReadonly, p.annotations) : p
      ),
      struct.indexSignatures,
      struct.annotations
    )
  if (ast._tag === "TypeLiteral") return relax(ast)
  if (ast._tag === "Transformation" && ast.from._tag === "TypeLiteral" && ast.to._tag === "TypeLiteral")
    return new AST.Transformation(relax(ast.from), relax(ast.to), ast.transformation, ast.annotations)
  throw new Error("a listing's output must be a Struct")
}

/** Page number and size from the request when the server did not echo them; the page count computed. */
const fillEchoes = (page: Record<string, unknown>, request: Record<string, unknown>, paging: AnyPaging) => {
  // Without a request (a recorded body decoded alone), the first page of its own length.
  if (page[paging.page] === undefined) page[paging.page] = request[paging.page] ?? 1
  if (page[paging.pageSize] === undefined)
    page[paging.pageSize] =
      request[paging.pageSize] ?? Math.max(1, (page[paging.items] as ReadonlyArray<unknown>).length)
  if (paging.pageCount !== undefined && page[paging.pageCount] === undefined) {
    const size = page[paging.pageSize] as number
    page[paging.pageCount] = size > 0 ? Math.ceil((page[paging.total] as number) / size) : 0
  }
}

/**
 * Checks a caller's input against the operation's input Schema (and, for
 * listings, the offset cap): the checked request with defaults, or a
 * `ValidationError` naming the field, the rule and the value.
 *
 * @since 0.1.0
 * @category accessors
 * @example
 * ```ts
 * import { Either } from "effect"
 * import * as Operation from "@iot-ota/core/Operation"
 * import { ListOTATaskByJob } from "@iot-ota/core/operations/ListOTATaskByJob"
 *
 * Operation.check(ListOTATaskByJob, { jobId: "job-1" })
 * // Either.right({ jobId: "job-1", pageSize: 10, currentPage: 1 })
 * Either.isLeft(Operation.check(ListOTATaskByJob, { jobId: "job-1", pageSize: 500 })) // true
 * ```
 */
export const check = <Op extends Operation>(
  operation: Op,
  input: unknown
): Either.Either<Operation.Request<Op>, ValidationError> =>
  derived(operation).check(input) as Either.Either<Operation.Request<Op>, ValidationError>

/**
 * The wire parameters of a checked request (absent fields are not sent).
 *
 * @since 0.1.0
 * @category accessors
 * @example
 * ```ts
 * import * as Operation from "@iot-ota/core/Operation"
 * import { ListOTATaskByJob } from "@iot-ota/core/operations/ListOTATaskByJob"
 *
 * Operation.encode(ListOTATaskByJob, { jobId: "job-1", pageSize: 10, currentPage: 1, deviceNames: ["a", "b"] })
 * // { JobId: "job-1", PageSize: "10", CurrentPage: "1", "DeviceNames.1": "a", "DeviceNames.2": "b" }
 * ```
 */
export const encode = <Op extends Operation>(
  operation: Op,
  request: Operation.Request<Op>
): Record<string, string> => derived(operation).encode(request)

/**
 * Decodes a success body: the result, or the first problem with its path
 * (`tasks[3].progress: expected a number, got "half"`). For a listing, the
 * request fills the page echoes the server left out.
 *
 * @since 0.1.0
 * @category accessors
 * @example
 * ```ts
 * import * as Operation from "@iot-ota/core/Operation"
 * import { QueryOTAJob } from "@iot-ota/core/operations/QueryOTAJob"
 *
 * const result = Operation.decode(QueryOTAJob, { RequestId: "r-1", Data: { JobId: "j-1", JobStatus: "IN_PROGRESS" } })
 * if (result.ok) result.value.job.jobStatus // "IN_PROGRESS"
 * ```
 */
export const decode = <Op extends Operation>(
  operation: Op,
  body: unknown,
  request?: Operation.Request<Op>
):
  | { readonly ok: true; readonly value: Operation.Output<Op> }
  | { readonly ok: false; readonly problem: string } =>
  derived(operation).decode(body, request ?? {}) as never

/**
 * The response as a Schema from any JSON value, for code that decodes
 * recorded bodies with `Schema.decodeUnknown*`.
 *
 * @since 0.1.0
 * @category schemas
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import * as Operation from "@iot-ota/core/Operation"
 * import { ListOTATaskByJob } from "@iot-ota/core/operations/ListOTATaskByJob"
 *
 * const page = Schema.decodeUnknownSync(Operation.responseSchema(ListOTATaskByJob))({
 *   Total: 0, PageSize: 10, CurrentPage: 1, Data: { SimpleOTATaskInfo: [] }
 * })
 * page.pageCount // 0
 * ```
 */
export const responseSchema = <Op extends Operation>(
  operation: Op
): Schema.Schema<Operation.Output<Op>, unknown> =>
  Schema.transformOrFail(Schema.Unknown, Schema.typeSchema(operation.output), {
    strict: true,
    decode: (body, _, ast) => {
      const result = derived(operation).decode(body, {})
      return result.ok
        ? ParseResult.succeed(result.value)
        : ParseResult.fail(new ParseResult.Type(ast, body, result.problem))
    },
    encode: (value, _, ast) =>
      ParseResult.fail(new ParseResult.Forbidden(ast, value, "responses are decode-only"))
  }) as never

/**
 * Span attributes of one call: `ota.<field>` for each scalar request field,
 * `ota.<field>.count` for lists.
 *
 * @since 0.1.0
 * @category accessors
 * @example
 * ```ts
 * import * as Operation from "@iot-ota/core/Operation"
 * import { ListOTATaskByJob } from "@iot-ota/core/operations/ListOTATaskByJob"
 *
 * Operation.spanAttributes(ListOTATaskByJob, { jobId: "j", pageSize: 10, currentPage: 2 })
 * // { "ota.jobId": "j", "ota.pageSize": 10, "ota.currentPage": 2 }
 * ```
 */
export const spanAttributes = <Op extends Operation>(
  operation: Op,
  request: Operation.Request<Op>
): Record<string, string | number | boolean> => derived(operation).attributes(request)

/**
 * The input field sent as `IotInstanceId`, if the operation has one: the
 * client's configured instance applies to it when a call leaves it out.
 *
 * @since 0.1.0
 * @category accessors
 * @example
 * ```ts
 * import * as Operation from "@iot-ota/core/Operation"
 * import { ListOTATaskByJob } from "@iot-ota/core/operations/ListOTATaskByJob"
 *
 * Operation.iotInstanceIdField(ListOTATaskByJob) // "iotInstanceId"
 * ```
 */
export const iotInstanceIdField = (operation: Operation): string | undefined =>
  derived(operation).iotInstanceIdField
