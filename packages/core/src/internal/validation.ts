import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import type * as AST from "effect/SchemaAST"
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

/**
 * A fast path compiled from a Schema's AST: the decoded value when the input
 * is plainly valid, `undefined` when it is not (or when the checker cannot
 * tell), in which case Schema decodes it and reports the error. Valid input,
 * the common case, then never touches the Schema parser: compiling and
 * warming it measured ~7 ms in a fresh process, on the first call of every
 * client. Each refinement is checked with its own filter, so the rules are
 * the Schema's own.
 */
type Fast = (input: unknown) => { readonly value: unknown } | undefined

const PASS = (value: unknown) => ({ value })

const fastOf = (ast: AST.AST): Fast | undefined => {
  switch (ast._tag) {
    case "StringKeyword":
      return (u) => (typeof u === "string" ? PASS(u) : undefined)
    case "NumberKeyword":
      return (u) => (typeof u === "number" ? PASS(u) : undefined)
    case "BooleanKeyword":
      return (u) => (typeof u === "boolean" ? PASS(u) : undefined)
    case "UndefinedKeyword":
      return (u) => (u === undefined ? PASS(u) : undefined)
    case "Literal": {
      const literal = ast.literal
      return (u) => (u === literal ? PASS(u) : undefined)
    }
    case "Union": {
      const members = ast.types.map(fastOf)
      if (members.some((member) => member === undefined)) return undefined
      return (u) => {
        for (const member of members) {
          const result = member!(u)
          if (result !== undefined) return result
        }
        return undefined
      }
    }
    case "Refinement": {
      const from = fastOf(ast.from)
      if (from === undefined) return undefined
      return (u) => {
        const result = from(u)
        return result !== undefined && Option.isNone(ast.filter(result.value, {}, ast)) ? result : undefined
      }
    }
    case "TupleType": {
      if (ast.elements.length !== 0 || ast.rest.length !== 1) return undefined
      const item = fastOf(ast.rest[0]!.type)
      if (item === undefined) return undefined
      return (u) => {
        if (!Array.isArray(u)) return undefined
        const out: Array<unknown> = new Array(u.length)
        for (let i = 0; i < u.length; i++) {
          const result = item(u[i])
          if (result === undefined) return undefined
          out[i] = result.value
        }
        return PASS(out)
      }
    }
    case "Declaration": {
      // `Schema.instanceOf(URL)` and the like: their own check, synchronous for plain declarations.
      if (ast.typeParameters.length > 0) return undefined
      const parse = ast.decodeUnknown()
      return (u) => {
        const result = parse(u, {}, ast)
        return Either.isEither(result) && Either.isRight(result) ? PASS(result.right) : undefined
      }
    }
    case "TypeLiteral":
      return fastStruct(ast, new Map())
    case "Transformation": {
      if (
        ast.from._tag !== "TypeLiteral" ||
        ast.to._tag !== "TypeLiteral" ||
        ast.transformation._tag !== "TypeLiteralTransformation"
      )
        return undefined
      // Fields with Schema defaults (`optionalWith(S, { default })`): read from the encoded side.
      const defaults = new Map<PropertyKey, () => unknown>()
      for (const pst of ast.transformation.propertySignatureTransformations) {
        if (pst.from !== pst.to) return undefined
        const decode = pst.decode
        defaults.set(pst.to, () => Option.getOrUndefined(decode(Option.none())))
      }
      return fastStruct(ast.from, defaults)
    }
    default:
      return undefined
  }
}

const fastStruct = (
  ast: AST.TypeLiteral,
  defaults: ReadonlyMap<PropertyKey, () => unknown>
): Fast | undefined => {
  if (ast.indexSignatures.length > 0) return undefined
  const fields: Array<{
    readonly name: PropertyKey
    readonly check: Fast
    readonly optional: boolean
    readonly fallback: (() => unknown) | undefined
  }> = []
  for (const property of ast.propertySignatures) {
    const check = fastOf(property.type)
    if (check === undefined) return undefined
    fields.push({
      name: property.name,
      check,
      optional: property.isOptional,
      fallback: defaults.get(property.name)
    })
  }
  const known = new Set(fields.map((field) => field.name))
  return (u) => {
    if (u === null || typeof u !== "object" || Array.isArray(u)) return undefined
    const input = u as Record<PropertyKey, unknown>
    // An unknown key is an error the Schema reports.
    for (const key of Reflect.ownKeys(input)) if (!known.has(key)) return undefined
    const out: Record<PropertyKey, unknown> = {}
    for (const field of fields) {
      const raw = input[field.name]
      if (raw === undefined) {
        if (field.fallback !== undefined) out[field.name] = field.fallback()
        else if (!field.optional) return undefined
        else if (field.name in input) out[field.name] = undefined
        continue
      }
      const result = field.check(raw)
      if (result === undefined) return undefined
      out[field.name] = result.value
    }
    return PASS(out)
  }
}

/**
 * Checks input against a Schema: the decoded value, or a `ValidationError`
 * naming the field, the rule and the value. Plainly valid input takes a fast
 * path compiled from the Schema (see {@link Fast}); anything else is decoded
 * by Schema itself, strictly (unknown keys are errors), for its message.
 */
export const validate = <A, I>(schema: Schema.Schema<A, I>, subject: string) => {
  const strict = Schema.decodeUnknownEither(schema, { onExcessProperty: "error" })
  let fast: Fast | undefined | null = null
  return (input: unknown): Either.Either<A, ValidationError> => {
    if (input === null || typeof input !== "object" || Array.isArray(input)) {
      return Either.left(
        new ValidationError({ field: subject, rule: "an object", message: `${subject} must be an object` })
      )
    }
    if (fast === null) fast = fastOf(schema.ast)
    const quick = fast?.(input)
    if (quick !== undefined) return Either.right(quick.value as A)
    return Either.mapLeft(strict(input), (error) => toValidationError(error, input, subject))
  }
}
