import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
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
 * Decodes `input` with `schema`, failing with a `ValidationError`. Excess
 * keys are errors. Synchronous (an `Either`, which is also an Effect): input
 * schemas need no services, and a sync decode costs less than a fiber step.
 */
export const validate = <A, I>(schema: Schema.Schema<A, I>, subject: string) => {
  const decode = Schema.decodeUnknownEither(schema, { onExcessProperty: "error" })
  return (input: unknown): Either.Either<A, ValidationError> => {
    if (input === null || typeof input !== "object" || Array.isArray(input)) {
      return Either.left(
        new ValidationError({ field: subject, rule: "an object", message: `${subject} must be an object` })
      )
    }
    return Either.mapLeft(decode(input), (error) => toValidationError(error, input, subject))
  }
}
