/**
 * The vocabulary an operation declaration is written in: which wire
 * parameter a request field is sent as, where a response field is found when
 * its place differs from its name, and the field rules the OTA API shares
 * (non-blank ids, page sizes, page numbers, repeat lists).
 *
 * Responses need no annotation for the usual case: a domain field `taskId` is
 * read from `TaskId`, `taskId` or `TaskID` (keys match case-insensitively),
 * and numbers, dates and lists are read tolerantly (see `Operation.decoder`).
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import type * as AST from "effect/SchemaAST"

/**
 * Annotation key of a request field's wire parameter name (`JobId`).
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import { SchemaAST } from "effect"
 * import * as Wire from "@iot-ota/core/Wire"
 *
 * const JobId = Wire.NonBlank.pipe(Wire.param("JobId"))
 * SchemaAST.getAnnotation<string>(JobId.ast, Wire.ParamId) // Option.some("JobId")
 * ```
 */
export const ParamId: unique symbol = Symbol.for("@iot-ota/core/Wire/Param")

/**
 * Annotation key of a response field's wire path (`Data.SimpleOTATaskInfo`).
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import { Schema, SchemaAST } from "effect"
 * import * as Wire from "@iot-ota/core/Wire"
 *
 * const Tasks = Schema.Array(Schema.Struct({ taskId: Schema.String })).pipe(Wire.from("Data.SimpleOTATaskInfo"))
 * SchemaAST.getAnnotation<string>(Tasks.ast, Wire.PathId) // Option.some("Data.SimpleOTATaskInfo")
 * ```
 */
export const PathId: unique symbol = Symbol.for("@iot-ota/core/Wire/Path")

/** Anything annotatable: a Schema or a property signature (`Schema.optional(...)`). */
type Annotatable = { readonly annotations: (annotations: never) => unknown }

/**
 * Declares the wire parameter a request field is sent as. A list field is
 * sent as a repeat list (`DeviceNames.1` … `DeviceNames.N`).
 *
 * @since 0.1.0
 * @category combinators
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import * as Wire from "@iot-ota/core/Wire"
 *
 * const Input = Schema.Struct({
 *   jobId: Wire.NonBlank.pipe(Wire.param("JobId")),
 *   iotInstanceId: Schema.optional(Wire.NonBlank).pipe(Wire.param("IotInstanceId"))
 * })
 * ```
 */
export const param =
  (name: string) =>
  <S extends Annotatable>(self: S): S =>
    (self.annotations as (a: object) => S)({ [ParamId]: name })

/**
 * Declares where a response field is found, as a dotted path of wire keys
 * from its parent object (each key matched case-insensitively). Needed only
 * when the place differs from the field's name, e.g. a list wrapped in an
 * extra object. A list read through a path also accepts the list at any
 * step of it (`Data` holding the list directly) and a single object for a
 * one-element list (what XML-to-JSON gateways make of one).
 *
 * @since 0.1.0
 * @category combinators
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import * as Wire from "@iot-ota/core/Wire"
 *
 * const Page = Schema.Struct({
 *   total: Schema.Number,
 *   tasks: Schema.Array(Schema.Struct({ taskId: Schema.String })).pipe(Wire.from("Data.SimpleOTATaskInfo"))
 * })
 * ```
 */
export const from =
  (path: string) =>
  <S extends Annotatable>(self: S): S =>
    (self.annotations as (a: object) => S)({ [PathId]: path })

/**
 * The wire parameter name of a property, if declared.
 *
 * @since 0.1.0
 * @category accessors
 * @example
 * ```ts
 * import { Schema, SchemaAST } from "effect"
 * import * as Wire from "@iot-ota/core/Wire"
 *
 * const ast = Schema.typeSchema(Schema.Struct({ jobId: Wire.NonBlank.pipe(Wire.param("JobId")) })).ast
 * if (SchemaAST.isTypeLiteral(ast)) Wire.paramName(ast.propertySignatures[0]!) // "JobId"
 * ```
 */
export const paramName = (property: AST.PropertySignature): string | undefined =>
  annotation(property, ParamId)

/**
 * The wire path of a property, if declared.
 *
 * @since 0.1.0
 * @category accessors
 * @example
 * ```ts
 * import { Schema, SchemaAST } from "effect"
 * import * as Wire from "@iot-ota/core/Wire"
 *
 * const ast = Schema.Struct({ tasks: Schema.Array(Schema.String).pipe(Wire.from("Data.List")) }).ast
 * if (SchemaAST.isTypeLiteral(ast)) Wire.pathOf(ast.propertySignatures[0]!) // "Data.List"
 * ```
 */
export const pathOf = (property: AST.PropertySignature): string | undefined => annotation(property, PathId)

const annotation = (property: AST.PropertySignature, id: symbol): string | undefined => {
  const own = property.annotations[id]
  if (typeof own === "string") return own
  const onType = property.type.annotations[id]
  return typeof onType === "string" ? onType : undefined
}

/** A refinement's failure message names the rule; the client adds the field and the value. */
const rule = (text: string) => ({ message: () => ({ message: text, override: true }) })

/**
 * A string with something other than whitespace in it (ids, names).
 *
 * @since 0.1.0
 * @category schemas
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import * as Wire from "@iot-ota/core/Wire"
 *
 * Schema.is(Wire.NonBlank)(" ") // false
 * ```
 */
export const NonBlank = Schema.String.pipe(Schema.filter((s) => s.trim().length > 0)).annotations(
  rule("a non-empty string")
)

/**
 * A page number: an integer of at least 1.
 *
 * @since 0.1.0
 * @category schemas
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import * as Wire from "@iot-ota/core/Wire"
 *
 * Schema.is(Wire.PageNumber)(0) // false
 * ```
 */
export const PageNumber = Schema.Number.pipe(Schema.int(), Schema.greaterThanOrEqualTo(1)).annotations(
  rule("an integer of at least 1")
)

/**
 * A page size from 1 to `max`.
 *
 * @since 0.1.0
 * @category schemas
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import * as Wire from "@iot-ota/core/Wire"
 *
 * Schema.is(Wire.PageSize(100))(101) // false
 * ```
 */
export const PageSize = (max: number) =>
  Schema.Number.pipe(Schema.int(), Schema.between(1, max)).annotations(rule(`an integer from 1 to ${max}`))

/**
 * A repeat list of 1 to `max` items (sent as `Name.1` … `Name.N`).
 *
 * @since 0.1.0
 * @category schemas
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import * as Wire from "@iot-ota/core/Wire"
 *
 * const DeviceNames = Wire.List(Wire.NonBlank, 50, "device names")
 * Schema.is(DeviceNames)([]) // false
 * ```
 */
export const List = <A, I>(item: Schema.Schema<A, I>, max: number, what: string) =>
  // The length rule's message applies only when the length is wrong, so an
  // invalid item is still reported at its own index.
  Schema.Array(item).pipe(
    Schema.filter((items) => items.length >= 1 && items.length <= max, {
      message: () => `a list of 1 to ${max} ${what}`
    })
  )

/**
 * A response string that the server may also send as a number (ids).
 * Equivalent to `Schema.String`: the decoder always accepts numbers for
 * strings; this name documents the intent.
 *
 * @since 0.1.0
 * @category schemas
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import * as Wire from "@iot-ota/core/Wire"
 *
 * const Firmware = Schema.Struct({ firmwareId: Wire.Id })
 * ```
 */
export const Id = Schema.String

/**
 * A response string that is empty when the server leaves it out (the field
 * is always present in the result).
 *
 * @since 0.1.0
 * @category schemas
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import * as Wire from "@iot-ota/core/Wire"
 *
 * const Task = Schema.Struct({ taskId: Schema.String, jobId: Wire.OrEmpty })
 * ```
 */
export const OrEmpty = Schema.optionalWith(Schema.String, { default: () => "" })

/**
 * An optional response field that is absent when the server leaves it out
 * (or sends null or an empty string).
 *
 * @since 0.1.0
 * @category schemas
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import * as Wire from "@iot-ota/core/Wire"
 *
 * const Task = Schema.Struct({ progress: Wire.optional(Schema.Number) })
 * ```
 */
export const optional = <S extends Schema.Schema.Any>(schema: S) =>
  Schema.optionalWith(schema, { exact: true })

/**
 * A count (totals, page numbers and sizes in responses): a non-negative integer.
 *
 * @since 0.1.0
 * @category schemas
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import * as Wire from "@iot-ota/core/Wire"
 *
 * const Page = Schema.Struct({ total: Wire.Count })
 * ```
 */
export const Count = Schema.Number.pipe(Schema.int(), Schema.nonNegative()).annotations(
  rule("a non-negative integer")
)
