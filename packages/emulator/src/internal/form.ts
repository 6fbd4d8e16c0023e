/**
 * Parsing of `application/x-www-form-urlencoded` text: URL query strings and POST form bodies.
 * Decodes first (`+` is a space, `%XY` are UTF-8 bytes) so that verification re-encodes canonically and never
 * signs raw wire text.
 */
import { type Failure, invalidParameter, malformedParameters } from "./errors.js"

const PLUS = /\+/g

const decodeComponent = (raw: string): string | undefined => {
  const spaced = raw.indexOf("+") === -1 ? raw : raw.replace(PLUS, " ")
  if (spaced.indexOf("%") === -1) return spaced
  try {
    // Throws on a malformed escape (`%ZZ`, `%4`) and on bytes that are not UTF-8 (`%C3%28`).
    return decodeURIComponent(spaced)
  } catch {
    return undefined
  }
}

const hasRawNonAscii = (text: string): boolean => {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code > 0x7e || code < 0x20) return true
  }
  return false
}

/**
 * Adds the parameters of `text` to `into`. A name seen twice, here or in an earlier call (query then body), is
 * rejected rather than guessed at: the real gateway's choice is undocumented and a signature cannot cover both.
 */
export const parseFormInto = (
  text: string,
  into: Record<string, string>,
  where: string
): Failure | undefined => {
  if (text.length === 0) return undefined
  if (hasRawNonAscii(text)) {
    return malformedParameters(`the ${where} contains characters that are not percent-encoded`)
  }
  let start = 0
  while (start <= text.length) {
    let end = text.indexOf("&", start)
    if (end === -1) end = text.length
    if (end > start) {
      const eq = text.indexOf("=", start)
      const hasValue = eq !== -1 && eq < end
      const rawName = text.slice(start, hasValue ? eq : end)
      const name = decodeComponent(rawName)
      const value = hasValue ? decodeComponent(text.slice(eq + 1, end)) : ""
      if (name === undefined || value === undefined) {
        return malformedParameters(
          `invalid percent-encoding or UTF-8 in the ${where} near "${text.slice(start, Math.min(end, start + 40))}"`
        )
      }
      if (name.length === 0) return malformedParameters(`a parameter in the ${where} has an empty name`)
      if (Object.hasOwn(into, name)) return invalidParameter(name, "the parameter is given more than once")
      into[name] = value
    }
    start = end + 1
  }
  return undefined
}
