/**
 * The tolerant response decoder, compiled once from any response Schema.
 *
 * The service answers in Alibaba PascalCase or Tuya camelCase, with `ID` or
 * `Id`, numbers as strings, ids as numbers, several timestamp spellings,
 * lists wrapped in an extra object or sent as a single object, nulls, and
 * keys this SDK does not know. Operations declare only the domain shape; this
 * module reads the Schema's AST once into a tree of small readers (a key
 * table per struct, one coercion per field) so decoding a page is one pass
 * over the body with no second validation: the output is valid by
 * construction. It fails fast, at the first problem, with its path.
 */
import * as Option from "effect/Option"
import * as AST from "effect/SchemaAST"
import * as Wire from "../Wire.js"
import { looseMillis, plainIsoMillis } from "./dates.js"

/** A reader's "nothing here" (missing, null, or empty where empty means unset). */
export const ABSENT: unique symbol = Symbol("absent")
/** A reader's "not the documented shape": `Failure` holds the reason. */
export const INVALID: unique symbol = Symbol("invalid")

/** The first problem met, with its path built while the failure unwinds. */
export class Failure {
  path: Array<string | number> = []
  constructor(readonly message: string) {}
  /** `tasks[3].progress: expected a number, got "half"` */
  toString(): string {
    let where = ""
    for (let i = this.path.length - 1; i >= 0; i--) {
      const segment = this.path[i]!
      where += typeof segment === "number" ? `[${segment}]` : where === "" ? segment : `.${segment}`
    }
    return where === "" ? this.message : `${where}: ${this.message}`
  }
}

/** One decoding run's failure slot (decoding is synchronous, so one per run). */
interface Run {
  failure: Failure | undefined
}

type Reader = (value: unknown, run: Run) => unknown

/** A short description of a JSON value that never recurses: bodies can nest deeper than the stack. */
export const describeValue = (value: unknown): string => {
  if (value === undefined) return "nothing"
  if (typeof value === "string") return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value)
  if (value === null || typeof value !== "object") return String(value)
  return Array.isArray(value) ? `a list of ${value.length}` : "an object"
}

const fail = (run: Run, expected: string, value: unknown): typeof INVALID => {
  run.failure = new Failure(`expected ${expected}, got ${describeValue(value)}`)
  return INVALID
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === "object" && !Array.isArray(value)

/** What a node expects, for messages: its own message or description, else a name for its kind. */
export const expectedOf = (ast: AST.AST): string => {
  const message = AST.getMessageAnnotation(ast)
  if (Option.isSome(message)) {
    const text = message.value(undefined as never)
    if (typeof text === "string") return text
    if (typeof text === "object" && text !== null && "message" in text && typeof text.message === "string")
      return text.message
  }
  const description = AST.getDescriptionAnnotation(ast)
  if (Option.isSome(description)) return description.value
  switch (ast._tag) {
    case "StringKeyword":
      return "a string"
    case "NumberKeyword":
      return "a number"
    case "BooleanKeyword":
      return "a boolean"
    case "TypeLiteral":
    case "Transformation":
      return "an object"
    case "TupleType":
      return "a list"
    case "Declaration":
      return isDate(ast) ? "a timestamp" : String(ast)
    case "Literal":
      return JSON.stringify(ast.literal)
    case "Union":
      return ast.types.map(expectedOf).join(" or ")
    case "Refinement":
      return expectedOf(ast.from)
    default:
      return String(ast)
  }
}

const isDate = (ast: AST.AST): boolean =>
  ast._tag === "Declaration" && Option.getOrUndefined(AST.getIdentifierAnnotation(ast)) === "DateFromSelf"

const readString: Reader = (value, run) => {
  if (typeof value === "string") return value
  if (value === null || value === undefined) return ABSENT
  // Ids arrive as numbers from some gateways (`"TaskId": 7`).
  if (typeof value === "number" && Number.isFinite(value)) return String(value)
  return fail(run, "a string", value)
}

const readNumber: Reader = (value, run) => {
  if (typeof value === "number") return Number.isFinite(value) ? value : fail(run, "a number", value)
  if (value === null || value === undefined) return ABSENT
  if (typeof value === "string") {
    // `Number` ignores the surrounding whitespace `trim` removes; only a
    // zero can come from a blank string, so only then is it checked.
    const parsed = Number(value)
    if (parsed === 0 && value.trim() === "") return ABSENT
    if (Number.isFinite(parsed)) return parsed
  }
  return fail(run, "a number", value)
}

const readBoolean: Reader = (value, run) => {
  if (typeof value === "boolean") return value
  if (value === null || value === undefined) return ABSENT
  if (value === "true" || value === "True" || value === "TRUE") return true
  if (value === "false" || value === "False" || value === "FALSE") return false
  return fail(run, "a boolean", value)
}

/**
 * Timestamps: most of a page's share a few values (the tasks of a batch are
 * created together), so the last text read and its time are kept per field.
 */
const makeDateReader = (): Reader => {
  let lastText: string | undefined
  let lastMillis = Number.NaN
  return (value, run) => {
    if (value === null || value === undefined) return ABSENT
    if (typeof value === "string") {
      if (value === lastText) return new Date(lastMillis)
      const fast = plainIsoMillis(value)
      if (!Number.isNaN(fast)) {
        lastText = value
        lastMillis = fast
        return new Date(fast)
      }
      if (value.trim() === "") return ABSENT
    } else if (typeof value !== "number") return fail(run, "a timestamp", value)
    const millis = looseMillis(value)
    return Number.isNaN(millis) ? fail(run, "a timestamp", value) : new Date(millis)
  }
}

const makeLiteralReader = (literals: ReadonlyArray<AST.LiteralValue>, expected: string): Reader => {
  const allowed = new Set<unknown>(literals)
  return (value, run) => {
    if (value === null || value === undefined) return ABSENT
    if (allowed.has(value)) return value
    // `"1"` for the literal 1, `1` for the literal "1".
    if (typeof value === "string" && allowed.has(Number(value))) return Number(value)
    if (typeof value === "number" && allowed.has(String(value))) return String(value)
    return fail(run, expected, value)
  }
}

const makeUnionReader =
  (members: ReadonlyArray<Reader>, expected: string): Reader =>
  (value, run) => {
    if (value === null || value === undefined) return ABSENT
    const scratch: Run = { failure: undefined }
    for (const member of members) {
      const result = member(value, scratch)
      if (result !== INVALID) return result
    }
    return fail(run, expected, value)
  }

const makeRefinementReader = (ast: AST.Refinement, from: Reader): Reader => {
  const expected = expectedOf(ast)
  return (value, run) => {
    const result = from(value, run)
    if (result === INVALID) {
      // A failure at this level is described by the refinement (`a non-negative integer`).
      if (run.failure!.path.length === 0) fail(run, expected, value)
      return INVALID
    }
    if (result === ABSENT) return result
    return Option.isNone(ast.filter(result, {}, ast)) ? result : fail(run, expected, value)
  }
}

/** Lists: a list, a list wrapped alone in an object (`{ "OtaTagDTO": [...] }`), or one object for a one-item list. */
const makeArrayReader =
  (item: Reader): Reader =>
  (value, run) => {
    if (value === null || value === undefined) return ABSENT
    let list: ReadonlyArray<unknown>
    if (Array.isArray(value)) list = value
    else if (isRecord(value)) {
      const keys = Object.keys(value)
      const only = keys.length === 1 ? value[keys[0]!] : undefined
      if (Array.isArray(only)) list = only
      else if (keys.length === 1 && (only === null || only === undefined)) return []
      else if (keys.length === 0) return []
      else list = [value]
    } else return fail(run, "a list", value)
    const out: Array<unknown> = new Array(list.length)
    for (let i = 0; i < list.length; i++) {
      const result = item(list[i], run)
      if (result === INVALID) return withIndex(run, i)
      if (result === ABSENT) {
        fail(run, "a list item", list[i])
        return withIndex(run, i)
      }
      out[i] = result
    }
    return out
  }

const withIndex = (run: Run, index: number): typeof INVALID => {
  run.failure!.path.push(index)
  return INVALID
}

/** One field of a struct: where to find it and how to read it. */
interface Field {
  readonly name: string
  /** The wire path after its first key, lower-cased (empty for a plain field). */
  readonly rest: ReadonlyArray<string>
  readonly read: Reader
  readonly optional: boolean
  /** Fills a missing field (a Schema default). */
  readonly fallback: (() => unknown) | undefined
  readonly expected: string
}

/** Struct keys resolved to field indexes; bounded so a hostile body cannot grow it. */
const KEY_CACHE_LIMIT = 256

const makeStructReader = (fields: ReadonlyArray<Field>, firstKeys: ReadonlyArray<string>): Reader => {
  // Several fields may start at the same wire key (`Data.X`, `Data.Y`).
  const byKey = new Map<string, Array<number>>()
  firstKeys.forEach((key, index) => {
    const list = byKey.get(key)
    if (list === undefined) byKey.set(key, [index])
    else list.push(index)
  })
  const cache = new Map<string, ReadonlyArray<number> | undefined>()
  const lookup = (key: string): ReadonlyArray<number> | undefined => {
    let found = cache.get(key)
    if (found === undefined && !cache.has(key)) {
      found = byKey.get(key.toLowerCase())
      if (cache.size < KEY_CACHE_LIMIT) cache.set(key, found)
    }
    return found
  }
  const count = fields.length
  return (value, run) => {
    if (value === null || value === undefined) return ABSENT
    if (!isRecord(value)) return fail(run, "an object", value)
    const out: Record<string, unknown> = {}
    // Field bits (or a list past 31 fields) keep "the first spelling of a key wins".
    let seen = 0
    const seenMany: Array<boolean> | undefined = count > 31 ? new Array(count).fill(false) : undefined
    for (const key in value) {
      const indexes = lookup(key)
      if (indexes === undefined) continue
      for (let k = 0; k < indexes.length; k++) {
        const index = indexes[k]!
        if (seenMany === undefined) {
          if ((seen & (1 << index)) !== 0) continue
          seen |= 1 << index
        } else {
          if (seenMany[index]) continue
          seenMany[index] = true
        }
        const field = fields[index]!
        let raw = value[key]
        if (field.rest.length > 0) raw = descend(raw, field.rest)
        const result = field.read(raw, run)
        if (result === INVALID) {
          run.failure!.path.push(field.name)
          return INVALID
        }
        if (result !== ABSENT && !(field.optional && result === "")) out[field.name] = result
      }
    }
    for (let index = 0; index < count; index++) {
      const field = fields[index]!
      if (out[field.name] !== undefined) continue
      if (field.fallback !== undefined) out[field.name] = field.fallback()
      else if (!field.optional) {
        run.failure = new Failure(`expected ${field.expected}, got ${describeValue(seenValue(value, field))}`)
        run.failure.path.push(field.name)
        return INVALID
      }
    }
    return out
  }
}

/** The raw value a missing required field had (null, "" or nothing), for its message. */
const seenValue = (value: Record<string, unknown>, field: Field): unknown => {
  const lower = field.name.toLowerCase()
  for (const key in value) if (key.toLowerCase() === lower) return value[key]
  return undefined
}

/** Follows a wire path; a list met on the way is taken as the destination (a list sent without its wrapper). */
const descend = (value: unknown, rest: ReadonlyArray<string>): unknown => {
  let current = value
  for (const step of rest) {
    if (!isRecord(current)) return current
    let next: unknown
    for (const key in current) {
      if (key.toLowerCase() === step) {
        next = current[key]
        break
      }
    }
    current = next
  }
  return current
}

const fieldOf = (property: AST.PropertySignature, read: Reader, fallback: (() => unknown) | undefined) => {
  const path = (Wire.pathOf(property) ?? String(property.name)).split(".").map((key) => key.toLowerCase())
  const field: Field = {
    name: String(property.name),
    rest: path.slice(1),
    read,
    optional: property.isOptional,
    fallback,
    expected: expectedOf(property.type)
  }
  return { field, first: path[0]! }
}

const compileStruct = (ast: AST.TypeLiteral, defaults: ReadonlyMap<PropertyKey, () => unknown>): Reader => {
  const compiled = ast.propertySignatures.map((property) =>
    fieldOf(property, compile(property.type), defaults.get(property.name))
  )
  return makeStructReader(
    compiled.map((c) => c.field),
    compiled.map((c) => c.first)
  )
}

/**
 * A struct with Schema defaults (`Schema.optionalWith(S, { default })`):
 * fields are read from its encoded side, named and annotated as on its
 * type side, and a missing one takes its default.
 */
const compileStructWithDefaults = (ast: AST.Transformation): Reader | undefined => {
  if (
    ast.from._tag !== "TypeLiteral" ||
    ast.to._tag !== "TypeLiteral" ||
    ast.transformation._tag !== "TypeLiteralTransformation"
  )
    return undefined
  const defaults = new Map<PropertyKey, () => unknown>()
  for (const pst of ast.transformation.propertySignatureTransformations) {
    const decode = pst.decode
    defaults.set(pst.to, () => Option.getOrUndefined(decode(Option.none())))
  }
  const toProperties = new Map(ast.to.propertySignatures.map((p) => [p.name, p]))
  const properties = ast.from.propertySignatures.map((from) => {
    const to = toProperties.get(from.name)
    return to === undefined
      ? from
      : new AST.PropertySignature(from.name, from.type, from.isOptional, from.isReadonly, {
          ...to.annotations,
          ...from.annotations
        })
  })
  return compileStruct(new AST.TypeLiteral(properties, ast.from.indexSignatures), defaults)
}

const compiledReaders = new WeakMap<AST.AST, Reader>()

/** The reader of any response AST (cached: schemas are compiled once). */
export const compile = (ast: AST.AST): Reader => {
  let reader = compiledReaders.get(ast)
  if (reader === undefined) {
    reader = build(ast)
    compiledReaders.set(ast, reader)
  }
  return reader
}

const NO_DEFAULTS = new Map<PropertyKey, () => unknown>()

const build = (ast: AST.AST): Reader => {
  switch (ast._tag) {
    case "StringKeyword":
      return readString
    case "NumberKeyword":
      return readNumber
    case "BooleanKeyword":
      return readBoolean
    case "UnknownKeyword":
    case "AnyKeyword":
      return (value) => (value === undefined ? ABSENT : value)
    case "Literal":
      return makeLiteralReader([ast.literal], expectedOf(ast))
    case "Union": {
      // `S | undefined`, the encoded side of a field with a default.
      const defined = ast.types.filter((member) => member._tag !== "UndefinedKeyword")
      if (defined.length === 1) return compile(defined[0]!)
      if (ast.types.every((member) => member._tag === "Literal"))
        return makeLiteralReader(
          ast.types.map((member) => (member as AST.Literal).literal),
          expectedOf(ast)
        )
      return makeUnionReader(ast.types.map(compile), expectedOf(ast))
    }
    case "Refinement":
      return makeRefinementReader(ast, compile(ast.from))
    case "TypeLiteral":
      return compileStruct(ast, NO_DEFAULTS)
    case "Transformation": {
      const struct = compileStructWithDefaults(ast)
      if (struct !== undefined) return struct
      break
    }
    case "TupleType":
      if (ast.elements.length === 0 && ast.rest.length === 1)
        return makeArrayReader(compile(ast.rest[0]!.type))
      break
    case "Declaration":
      if (isDate(ast)) return makeDateReader()
      break
    case "Suspend": {
      let inner: Reader | undefined
      return (value, run) => {
        inner ??= compile(ast.f())
        return inner(value, run)
      }
    }
  }
  throw new Error(`the response decoder does not support ${String(ast)} (${ast._tag})`)
}

/**
 * Decodes a body with a compiled reader: the value, or the first problem.
 */
export const decodeWith = (
  reader: Reader,
  body: unknown
): { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly problem: string } => {
  const run: Run = { failure: undefined }
  const result = reader(body, run)
  if (result === INVALID) return { ok: false, problem: run.failure?.toString() ?? "not the documented shape" }
  if (result === ABSENT) return { ok: false, problem: `expected an object, got ${describeValue(body)}` }
  return { ok: true, value: result }
}
