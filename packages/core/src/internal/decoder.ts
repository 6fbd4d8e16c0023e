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

const makeLiteralReader = (literals: ReadonlyArray<AST.LiteralValue>, ast: AST.AST): Reader => {
  const allowed = new Set<unknown>(literals)
  return (value, run) => {
    if (value === null || value === undefined) return ABSENT
    if (allowed.has(value)) return value
    // `"1"` for the literal 1, `1` for the literal "1".
    if (typeof value === "string" && allowed.has(Number(value))) return Number(value)
    if (typeof value === "number" && allowed.has(String(value))) return String(value)
    return fail(run, expectedOf(ast), value)
  }
}

const makeUnionReader =
  (members: ReadonlyArray<Reader>, ast: AST.AST): Reader =>
  (value, run) => {
    if (value === null || value === undefined) return ABSENT
    const scratch: Run = { failure: undefined }
    for (const member of members) {
      const result = member(value, scratch)
      if (result !== INVALID) return result
    }
    return fail(run, expectedOf(ast), value)
  }

const makeRefinementReader = (ast: AST.Refinement, from: Reader): Reader => {
  return (value, run) => {
    const result = from(value, run)
    if (result === INVALID) {
      // A failure at this level is described by the refinement (`a non-negative integer`).
      if (run.failure!.path.length === 0) fail(run, expectedOf(ast), value)
      return INVALID
    }
    if (result === ABSENT) return result
    return Option.isNone(ast.filter(result, {}, ast)) ? result : fail(run, expectedOf(ast), value)
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

/** How a field's value is read: the scalar kinds inline in the struct reader, anything else by its reader. */
const KIND_OTHER = 0
const KIND_STRING = 1
const KIND_NUMBER = 2
const KIND_DATE = 3

/** One field of a struct: where to find it and how to read it. */
interface Field {
  readonly name: string
  readonly index: number
  readonly bit: number
  /** The wire path after its first key, lower-cased (empty for a plain field). */
  readonly rest: ReadonlyArray<string> | undefined
  readonly kind: number
  readonly read: Reader
  readonly optional: boolean
  /** Fills a missing field (a Schema default). */
  readonly fallback: (() => unknown) | undefined
  /** The field's type, for a message naming what was expected (worded only on failure). */
  readonly type: AST.AST
  /** The first wire key as declared (a `Wire.from` path's first step), when it is not the field's name. */
  readonly declaredFirst: string | undefined
  /** A date field's last text and time: the tasks of a batch mostly share their timestamps. */
  lastText: string | undefined
  lastMillis: number
}

/** Struct keys resolved to fields; bounded so a hostile body cannot grow it. */
const KEY_CACHE_LIMIT = 256

/** A date field's value, reusing the field's last parse when the text repeats. */
const readDateField = (field: Field, value: unknown, run: Run): unknown => {
  if (typeof value === "string") {
    if (value === field.lastText) return new Date(field.lastMillis)
    const fast = plainIsoMillis(value)
    if (!Number.isNaN(fast)) {
      field.lastText = value
      field.lastMillis = fast
      return new Date(fast)
    }
  }
  return field.read(value, run)
}

/**
 * Builds a struct's output from its values by field index, with the fields of
 * `mask` present. Adding properties one by one under names held in variables
 * measured ~45 µs per page of 100 tasks, two thirds of decoding it; an object
 * literal is ~2 µs. So where the runtime allows it, each set of present fields
 * gets a function with that literal, made once; elsewhere (Cloudflare Workers
 * and pages with a CSP refuse code from strings) the properties are added one
 * by one.
 */
const makeBuilders = (
  fields: ReadonlyArray<Field>
): ((mask: number) => (values: ReadonlyArray<unknown>) => Record<string, unknown>) => {
  const builders = new Map<number, (values: ReadonlyArray<unknown>) => Record<string, unknown>>()
  let literals = true
  return (mask) => {
    let builder = builders.get(mask)
    if (builder === undefined) {
      const present = fields.filter((field) => (mask & field.bit) !== 0)
      if (literals) {
        try {
          // Names come from the operation's Schema (code, not data), each quoted by JSON.stringify.
          builder = new Function(
            "v",
            `return {${present.map((field) => `${JSON.stringify(field.name)}: v[${field.index}]`).join(", ")}}`
          ) as (values: ReadonlyArray<unknown>) => Record<string, unknown>
        } catch {
          literals = false
        }
      }
      builder ??= (values) => {
        const out: Record<string, unknown> = {}
        for (const field of present) out[field.name] = values[field.index]
        return out
      }
      if (builders.size < KEY_CACHE_LIMIT) builders.set(mask, builder)
    }
    return builder
  }
}

const makeStructReader = (fields: ReadonlyArray<Field>, firstKeys: ReadonlyArray<string>): Reader => {
  // Several fields may start at the same wire key (`Data.X`, `Data.Y`).
  const byKey = new Map<string, Array<Field>>()
  firstKeys.forEach((key, index) => {
    const list = byKey.get(key)
    if (list === undefined) byKey.set(key, [fields[index]!])
    else list.push(fields[index]!)
  })
  const cache = new Map<string, ReadonlyArray<Field> | null>()
  const lookup = (key: string): ReadonlyArray<Field> | null => {
    let found = cache.get(key)
    if (found === undefined) {
      found = byKey.get(key.toLowerCase()) ?? null
      if (cache.size < KEY_CACHE_LIMIT) cache.set(key, found)
    }
    return found
  }
  // The objects of a list share their key order: the keys of the last object read, by position, are
  // compared first (JSON.parse gives the same string for the same key), before any lookup.
  const order: Array<string> = []
  const orderFields: Array<ReadonlyArray<Field> | null> = []
  const count = fields.length
  const all = fields.reduce((bits, field) => bits | field.bit, 0)
  const many = count > 30
  const builderFor = many ? undefined : makeBuilders(fields)
  return (value, run) => {
    if (value === null || value === undefined) return ABSENT
    if (!isRecord(value)) return fail(run, "an object", value)
    const values: Array<unknown> = new Array(count)
    // Bits of the fields met (the first spelling of a key wins) and of those given a value.
    let seen = 0
    let set = 0
    const seenMany: Set<Field> | undefined = many ? new Set() : undefined
    let position = 0
    for (const key in value) {
      let matched: ReadonlyArray<Field> | null
      if (order[position] === key) matched = orderFields[position]!
      else {
        matched = lookup(key)
        if (position < KEY_CACHE_LIMIT) {
          order[position] = key
          orderFields[position] = matched
        }
      }
      position++
      if (matched === null) continue
      for (let k = 0; k < matched.length; k++) {
        const field = matched[k]!
        if (seenMany === undefined) {
          if ((seen & field.bit) !== 0) continue
          seen |= field.bit
        } else {
          if (seenMany.has(field)) continue
          seenMany.add(field)
        }
        const raw = field.rest === undefined ? value[key] : descend(value[key], field.rest)
        let result: unknown
        switch (field.kind) {
          case KIND_STRING:
            result = typeof raw === "string" ? raw : readString(raw, run)
            break
          case KIND_NUMBER:
            result = typeof raw === "number" && Number.isFinite(raw) ? raw : readNumber(raw, run)
            break
          case KIND_DATE:
            result = raw === null || raw === undefined ? ABSENT : readDateField(field, raw, run)
            break
          default:
            result = field.read(raw, run)
        }
        if (result === INVALID) {
          run.failure!.path.push(field.name)
          return INVALID
        }
        if (result !== ABSENT && !(field.optional && result === "")) {
          values[field.index] = result
          set |= field.bit
        }
      }
    }
    if (many || (set & all) !== all) {
      for (const field of fields) {
        if (many ? values[field.index] !== undefined : (set & field.bit) !== 0) continue
        if (field.fallback !== undefined) {
          values[field.index] = field.fallback()
          set |= field.bit
        } else if (!field.optional) {
          run.failure = new Failure(
            `expected ${expectedOf(field.type)}, got ${describeValue(seenValue(value, field))}`
          )
          run.failure.path.push(field.name)
          return INVALID
        }
      }
    }
    if (builderFor !== undefined) return builderFor(set)(values)
    const out: Record<string, unknown> = {}
    for (const field of fields) if (values[field.index] !== undefined) out[field.name] = values[field.index]
    return out
  }
}

/** Whether this runtime runs code made from strings (Cloudflare Workers and pages with a CSP refuse it). */
const CAN_GENERATE = (() => {
  try {
    return new Function("return true")() === true
  } catch {
    return false
  }
})()

/** The spellings of a wire key a reader expects (`taskId`: `TaskId`, `taskId`, `TaskID`, `taskID`). */
const spellings = (key: string): ReadonlyArray<string> => {
  const pascal = key.charAt(0).toUpperCase() + key.slice(1)
  const camel = key.charAt(0).toLowerCase() + key.slice(1)
  const id = (k: string) => (k.endsWith("Id") ? [k, `${k.slice(0, -2)}ID`] : [k])
  return [...new Set([...id(pascal), ...id(camel)])]
}

/**
 * The struct reader of {@link makeStructReader}, written out for one struct:
 * a `switch` over the key spellings it expects, each field read into a
 * local with its coercion inline, and the result built as one object literal.
 * The generic reader shares one body, and so one set of type feedback, for
 * every struct of every operation; this one is specialised like hand-written
 * code (a page of 100 tasks: ~60 µs against ~90). Names are quoted with
 * `JSON.stringify`; they come from the operation's Schema, never from a body.
 */
const generateStructReader = (
  fields: ReadonlyArray<Field>,
  firstKeys: ReadonlyArray<string>
): Reader | undefined => {
  const q = JSON.stringify
  const lowerToFirst = new Map<string, string>()
  fields.forEach((field, i) => {
    // The declared spelling of the first wire key: the path annotation's, or the field's name.
    const declared = (field.declaredFirst ?? field.name).trim()
    if (!lowerToFirst.has(firstKeys[i]!)) lowerToFirst.set(firstKeys[i]!, declared)
  })
  const groups = new Map<string, Array<number>>()
  firstKeys.forEach((key, i) => {
    const list = groups.get(key)
    if (list === undefined) groups.set(key, [i])
    else list.push(i)
  })
  const all = fields.reduce((bits, field) => bits | field.bit, 0)
  const cases: Array<string> = []
  let group = 0
  const groupOf = new Map<string, number>()
  for (const [lower, indexes] of groups) {
    groupOf.set(lower, group)
    const labels = spellings(lowerToFirst.get(lower)!)
      .map((spelling) => `case ${q(spelling)}:`)
      .join(" ")
    const reads = indexes.map((i) => {
      const field = fields[i]!
      const raw = field.rest === undefined ? "value[key]" : `H.descend(value[key], F[${i}].rest)`
      const coerce =
        field.kind === KIND_STRING
          ? `typeof raw === "string" ? raw : H.readString(raw, run)`
          : field.kind === KIND_NUMBER
            ? `typeof raw === "number" && Number.isFinite(raw) ? raw : H.readNumber(raw, run)`
            : field.kind === KIND_DATE
              ? `raw === null || raw === undefined ? H.ABSENT : H.readDateField(F[${i}], raw, run)`
              : `F[${i}].read(raw, run)`
      const keep = field.optional ? `r !== H.ABSENT && r !== ""` : `r !== H.ABSENT`
      return `if ((seen & ${field.bit}) === 0) { seen |= ${field.bit}; const raw = ${raw}; const r = ${coerce};
        if (r === H.INVALID) { run.failure.path.push(${q(field.name)}); return H.INVALID }
        if (${keep}) { v${i} = r; set |= ${field.bit} } };`
    })
    cases.push(`${labels} g = ${group}; break;`)
    group++
    cases.push(`/*group ${group - 1}*/`)
    cases.push(reads.join("\n"))
  }
  // The key switch picks a group, the group switch reads its fields.
  const keySwitch: Array<string> = []
  const groupSwitch: Array<string> = []
  for (let c = 0; c < cases.length; c += 3) {
    keySwitch.push(cases[c]!)
    groupSwitch.push(`case ${c / 3}: ${cases[c + 2]} break;`)
  }
  const missing = fields
    .map((field, i) =>
      field.fallback !== undefined
        ? `if ((set & ${field.bit}) === 0) { v${i} = F[${i}].fallback(); set |= ${field.bit} }`
        : field.optional
          ? ""
          : `if ((set & ${field.bit}) === 0) return H.missing(run, value, F[${i}])`
    )
    .filter((line) => line !== "")
    .join("\n")
  const always = fields
    .map((field, i) =>
      field.optional && field.fallback === undefined ? undefined : `${q(field.name)}: v${i}`
    )
    .filter((entry) => entry !== undefined)
  const optional = fields
    .map((field, i) =>
      field.optional && field.fallback === undefined
        ? `if ((set & ${field.bit}) !== 0) out[${q(field.name)}] = v${i}`
        : ""
    )
    .filter((line) => line !== "")
    .join("\n")
  const body = `return function readStruct(value, run) {
    if (value === null || value === undefined) return H.ABSENT
    if (!H.isRecord(value)) return H.fail(run, "an object", value)
    ${fields.map((_, i) => `let v${i}`).join("; ")}
    let seen = 0, set = 0
    for (const key in value) {
      let g
      switch (key) { ${keySwitch.join("\n")} default: g = H.groupOf(key) }
      switch (g) { ${groupSwitch.join("\n")} }
    }
    if ((set & ${all}) !== ${all}) { ${missing} }
    const out = { ${always.join(", ")} }
    ${optional}
    return out
  }`
  const groupByLower = new Map<string, number>()
  const helpers = {
    ABSENT,
    INVALID,
    isRecord,
    fail,
    readString,
    readNumber,
    readDateField,
    descend,
    missing: (run: Run, value: Record<string, unknown>, field: Field) => {
      run.failure = new Failure(
        `expected ${expectedOf(field.type)}, got ${describeValue(seenValue(value, field))}`
      )
      run.failure.path.push(field.name)
      return INVALID
    },
    // Spellings the switch does not list: matched case-insensitively, remembered (bounded).
    groupOf: (key: string): number => {
      let found = groupByLower.get(key)
      if (found === undefined) {
        found = groupOf.get(key.toLowerCase()) ?? -1
        if (groupByLower.size < KEY_CACHE_LIMIT) groupByLower.set(key, found)
      }
      return found
    }
  }
  try {
    return new Function("F", "H", body)(fields, helpers) as Reader
  } catch {
    return undefined
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

/** The kind of a field's type: scalars are read inline by the struct reader. */
const kindOf = (ast: AST.AST): number => {
  // An optional field's encoded type is `S | undefined`.
  if (ast._tag === "Union") {
    const defined = ast.types.filter((member) => member._tag !== "UndefinedKeyword")
    if (defined.length === 1) return kindOf(defined[0]!)
  }
  if (ast._tag === "StringKeyword") return KIND_STRING
  if (ast._tag === "NumberKeyword") return KIND_NUMBER
  if (isDate(ast)) return KIND_DATE
  return KIND_OTHER
}

const fieldOf = (
  property: AST.PropertySignature,
  index: number,
  read: Reader,
  fallback: (() => unknown) | undefined
) => {
  const declaredPath = Wire.pathOf(property)
  const path = (declaredPath ?? String(property.name)).split(".").map((key) => key.toLowerCase())
  const field: Field = {
    declaredFirst: declaredPath?.split(".")[0],
    name: String(property.name),
    index,
    bit: index < 30 ? 1 << index : 0,
    rest: path.length > 1 ? path.slice(1) : undefined,
    kind: kindOf(property.type),
    read,
    optional: property.isOptional,
    fallback,
    type: property.type,
    lastText: undefined,
    lastMillis: Number.NaN
  }
  return { field, first: path[0]! }
}

const compileStruct = (
  ast: AST.TypeLiteral,
  defaults: ReadonlyMap<PropertyKey, () => unknown>,
  generate: boolean
): Reader => {
  const compiled = ast.propertySignatures.map((property, index) =>
    fieldOf(property, index, compile(property.type, generate), defaults.get(property.name))
  )
  const fields = compiled.map((c) => c.field)
  const firstKeys = compiled.map((c) => c.first)
  return (
    (generate && fields.length <= 30 ? generateStructReader(fields, firstKeys) : undefined) ??
    makeStructReader(fields, firstKeys)
  )
}

/**
 * A struct with Schema defaults (`Schema.optionalWith(S, { default })`):
 * fields are read from its encoded side, named and annotated as on its
 * type side, and a missing one takes its default.
 */
const compileStructWithDefaults = (ast: AST.Transformation, generate: boolean): Reader | undefined => {
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
  return compileStruct(new AST.TypeLiteral(properties, ast.from.indexSignatures), defaults, generate)
}

const generatedReaders = new WeakMap<AST.AST, Reader>()
const genericReaders = new WeakMap<AST.AST, Reader>()

/**
 * The reader of any response AST (cached: schemas are compiled once).
 * `generate: false` gives the generic readers only, as on runtimes that
 * refuse code from strings (tests compare the two).
 */
export const compile = (ast: AST.AST, generate: boolean = CAN_GENERATE): Reader => {
  const cache = generate ? generatedReaders : genericReaders
  let reader = cache.get(ast)
  if (reader === undefined) {
    reader = build(ast, generate)
    cache.set(ast, reader)
  }
  return reader
}

const NO_DEFAULTS = new Map<PropertyKey, () => unknown>()

const build = (ast: AST.AST, generate: boolean): Reader => {
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
      return makeLiteralReader([ast.literal], ast)
    case "Union": {
      // `S | undefined`, the encoded side of a field with a default.
      const defined = ast.types.filter((member) => member._tag !== "UndefinedKeyword")
      if (defined.length === 1) return compile(defined[0]!, generate)
      if (ast.types.every((member) => member._tag === "Literal"))
        return makeLiteralReader(
          ast.types.map((member) => (member as AST.Literal).literal),
          ast
        )
      return makeUnionReader(
        ast.types.map((member) => compile(member, generate)),
        ast
      )
    }
    case "Refinement":
      return makeRefinementReader(ast, compile(ast.from, generate))
    case "TypeLiteral":
      return compileStruct(ast, NO_DEFAULTS, generate)
    case "Transformation": {
      const struct = compileStructWithDefaults(ast, generate)
      if (struct !== undefined) return struct
      break
    }
    case "TupleType":
      if (ast.elements.length === 0 && ast.rest.length === 1)
        return makeArrayReader(compile(ast.rest[0]!.type, generate))
      break
    case "Declaration":
      if (isDate(ast)) return makeDateReader()
      break
    case "Suspend": {
      let inner: Reader | undefined
      return (value, run) => {
        inner ??= compile(ast.f(), generate)
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
