import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as AST from "effect/SchemaAST"
import { ValidationError } from "../IotError.js"

const describe = (value: unknown): string => {
  if (typeof value === "string") return JSON.stringify(value.length > 60 ? value.slice(0, 57) + "..." : value)
  if (typeof value === "number" || typeof value === "boolean" || value === null || value === undefined) {
    return String(value)
  }
  if (Array.isArray(value)) return `a list of ${value.length}`
  return typeof value
}

const fieldName = (path: ReadonlyArray<PropertyKey>): string =>
  path.reduce<string>(
    (name, key) =>
      typeof key === "number" ? `${name}[${key}]` : name === "" ? String(key) : `${name}.${String(key)}`,
    ""
  )

const valueAt = (input: unknown, path: ReadonlyArray<PropertyKey>): unknown => {
  let current = input
  for (const key of path) {
    if (current === null || typeof current !== "object") return undefined
    current = (current as Record<PropertyKey, unknown>)[key]
  }
  return current
}

/**
 * Turns the first issue of a parse error into a `ValidationError` that names
 * the field, the rule and the value received. Values are shown truncated; the
 * schemas given here never contain secrets (those are `Redacted`).
 */
export const toValidationError = (
  error: ParseResult.ParseError,
  input: unknown,
  subject: string
): ValidationError => {
  const issue = ParseResult.ArrayFormatter.formatErrorSync(error)[0]
  const path = issue?.path ?? []
  const field = path.length === 0 ? subject : fieldName(path)
  if (issue === undefined)
    return new ValidationError({ field, rule: "valid", message: `${subject} is invalid` })
  switch (issue._tag) {
    case "Missing":
      return new ValidationError({ field, rule: "required", message: `${field} is required` })
    case "Unexpected":
      return new ValidationError({
        field,
        rule: "a known field",
        message: `${field} is not a known field of ${subject}`
      })
    default: {
      const rule = issue.message.startsWith("Expected ")
        ? issue.message.slice("Expected ".length)
        : issue.message
      return new ValidationError({
        field,
        rule,
        message: `${field} must be ${rule}, got ${describe(valueAt(input, path))}`
      })
    }
  }
}

/** Whether an AST can hold an object with keys of its own (whose excess keys a strict decode would refuse). */
const mayHoldStruct = (ast: AST.AST): boolean => {
  switch (ast._tag) {
    case "TypeLiteral":
    case "Suspend":
      return true
    case "Union":
      return ast.types.some(mayHoldStruct)
    case "TupleType":
      return (
        ast.elements.some((element) => mayHoldStruct(element.type)) ||
        ast.rest.some((rest) => mayHoldStruct(rest.type))
      )
    case "Refinement":
      return mayHoldStruct(ast.from)
    case "Transformation":
      return mayHoldStruct(ast.from) || mayHoldStruct(ast.to)
    case "Declaration":
      return ast.typeParameters.some(mayHoldStruct)
    default:
      return false
  }
}

/**
 * The field names of a flat struct input (no index signature, no nested
 * objects), or `undefined` for any other schema.
 */
const flatStructKeys = (schema: Schema.Schema.Any): ReadonlySet<PropertyKey> | undefined => {
  const encoded = AST.encodedAST(schema.ast)
  if (encoded._tag !== "TypeLiteral" || encoded.indexSignatures.length > 0) return undefined
  if (encoded.propertySignatures.some((field) => mayHoldStruct(field.type))) return undefined
  return new Set(encoded.propertySignatures.map((field) => field.name))
}

/**
 * Decodes `input` with `schema`, failing with a `ValidationError`. Excess
 * keys are errors. Synchronous (an `Either`, which is also an Effect): input
 * schemas need no services, and a sync decode costs less than a fiber step.
 *
 * Schema's own excess-key check matches every key against a union of the
 * field names: a third of a 3 µs check. For a flat struct the keys are
 * looked up in a set instead, and only an input with an unknown key goes
 * through the strict decode (the same result either way: without excess
 * keys, strict and default decoding agree).
 */
export const validate = <A, I>(schema: Schema.Schema<A, I>, subject: string) => {
  const strict = Schema.decodeUnknownEither(schema, { onExcessProperty: "error" })
  const known = flatStructKeys(schema)
  const lenient = known === undefined ? strict : Schema.decodeUnknownEither(schema)
  return (input: unknown): Either.Either<A, ValidationError> => {
    if (input === null || typeof input !== "object" || Array.isArray(input)) {
      return Either.left(
        new ValidationError({ field: subject, rule: "an object", message: `${subject} must be an object` })
      )
    }
    let decode = lenient
    if (known !== undefined) {
      for (const key of Reflect.ownKeys(input)) {
        if (!known.has(key)) {
          decode = strict
          break
        }
      }
    }
    return Either.mapLeft(decode(input), (error) => toValidationError(error, input, subject))
  }
}
