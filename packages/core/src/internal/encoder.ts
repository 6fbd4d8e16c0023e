/**
 * The request encoder, compiled once from an operation's input Schema: each
 * field of the checked request goes to the wire parameter it declares
 * (`Wire.param`), lists as repeat lists (`DeviceNames.1` … `DeviceNames.N`),
 * numbers and booleans as text. Absent fields are never sent.
 */
import * as AST from "effect/SchemaAST"
import * as Wire from "../Wire.js"

/** One request field on the wire. */
export interface ParamField {
  readonly name: string
  readonly wire: string
  readonly list: boolean
}

/** The type-side struct of an input schema (through refinements such as an offset rule). */
export const requestStruct = (ast: AST.AST): AST.TypeLiteral => {
  const type = AST.typeAST(ast)
  let current: AST.AST = type
  while (current._tag === "Refinement") current = current.from
  if (current._tag !== "TypeLiteral")
    throw new Error(`an operation's input must be a Struct, got ${String(ast)}`)
  return current
}

const isList = (ast: AST.AST): boolean => {
  let current = ast
  // An optional field's type is `S | undefined`.
  if (current._tag === "Union") {
    const defined = current.types.filter((member) => member._tag !== "UndefinedKeyword")
    if (defined.length === 1) current = defined[0]!
  }
  while (current._tag === "Refinement") current = current.from
  return current._tag === "TupleType"
}

/** The wire fields of an input schema; every field must declare its parameter name. */
export const paramFields = (ast: AST.AST): ReadonlyArray<ParamField> =>
  requestStruct(ast).propertySignatures.map((property) => {
    const wire = Wire.paramName(property)
    if (wire === undefined)
      throw new Error(`input field ${String(property.name)} declares no wire name (Wire.param("Name"))`)
    return { name: String(property.name), wire, list: isList(property.type) }
  })

/** The encoder of a checked request. */
export const makeEncoder = (
  fields: ReadonlyArray<ParamField>
): ((request: Readonly<Record<string, unknown>>) => Record<string, string>) => {
  return (request) => {
    const params: Record<string, string> = {}
    for (let f = 0; f < fields.length; f++) {
      const field = fields[f]!
      const value = request[field.name]
      if (value === undefined) continue
      if (field.list) {
        const items = value as ReadonlyArray<unknown>
        for (let i = 0; i < items.length; i++) params[`${field.wire}.${i + 1}`] = String(items[i])
      } else params[field.wire] = String(value)
    }
    return params
  }
}
