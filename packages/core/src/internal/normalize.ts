/**
 * Tolerant readers for response bodies seen in the wild: Alibaba PascalCase
 * and Tuya camelCase keys, `Id`/`ID` suffixes, numbers sent as strings, and
 * timestamps like `"2024-11-11 T11:11:11.000Z"`.
 */

const keyCache = new Map<string, string>()

/** `TaskID` / `TaskId` / `taskId` → `taskId`; `SimpleOTATaskInfo` → `simpleOTATaskInfo`. */
export const canonicalKey = (key: string): string => {
  let canonical = keyCache.get(key)
  if (canonical === undefined) {
    canonical = key.endsWith("ID") ? key.slice(0, -2) + "Id" : key
    canonical = canonical.charAt(0).toLowerCase() + canonical.slice(1)
    if (keyCache.size < 4096) keyCache.set(key, canonical)
  }
  return canonical
}

/** A number from a JSON number or a numeric string; `undefined` for null, "" or absent. */
export const toOptionalNumber = (
  value: string | number | null | undefined
): number | undefined | "invalid" => {
  if (value === null || value === undefined) return undefined
  if (typeof value === "number") return Number.isFinite(value) ? value : "invalid"
  // `Number` ignores the same surrounding whitespace `trim` removes; only a
  // zero can come from a blank string, so only then is the string trimmed.
  const parsed = Number(value)
  if (parsed === 0 && value.trim() === "") return undefined
  return Number.isFinite(parsed) ? parsed : "invalid"
}

// ISO 8601 with the variations the docs show: a space before or instead of
// the `T`, optional fraction, optional `Z`/offset (UTC when absent).
const TIMESTAMP =
  /^(\d{4}-\d{2}-\d{2})\s*[T ]\s*(\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)\s*(Z|[+-]\d{2}:?\d{2})?$/i

/** A `Date` from the timestamp spellings seen in the wild, or epoch milliseconds. */
export const toOptionalDate = (value: string | number | null | undefined): Date | undefined | "invalid" => {
  if (value === null || value === undefined) return undefined
  if (typeof value === "number") return Number.isFinite(value) ? new Date(value) : "invalid"
  const trimmed = value.trim()
  if (trimmed === "") return undefined
  if (/^\d{10,16}$/.test(trimmed)) return new Date(Number(trimmed))
  const match = TIMESTAMP.exec(trimmed)
  if (match === null) return "invalid"
  const fraction = match[2]!.replace(/\.(\d{1,3})\d*$/, ".$1")
  const zone = match[3] === undefined ? "Z" : match[3].toUpperCase().replace(/^([+-]\d{2})(\d{2})$/, "$1:$2")
  const date = new Date(`${match[1]}T${fraction}${zone}`)
  return Number.isNaN(date.getTime()) ? "invalid" : date
}
