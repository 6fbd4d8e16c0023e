/** Reading the timestamps the API sends, in every spelling seen in the wild. */

// ISO 8601 with the variations the docs show: a space before or instead of
// the `T`, optional fraction, optional `Z`/offset (UTC when absent).
const TIMESTAMP =
  /^(\d{4}-\d{2}-\d{2})\s*[T ]\s*(\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)\s*(Z|[+-]\d{2}:?\d{2})?$/i

/** Epoch milliseconds of any accepted spelling, or NaN. */
export const looseMillis = (value: string | number): number => {
  if (typeof value === "number") return Number.isFinite(value) ? value : Number.NaN
  const fast = plainIsoMillis(value)
  if (!Number.isNaN(fast)) return fast
  const trimmed = value.trim()
  if (/^\d{10,16}$/.test(trimmed)) return Number(trimmed)
  const match = TIMESTAMP.exec(trimmed)
  if (match === null) return Number.NaN
  const fraction = match[2]!.replace(/\.(\d{1,3})\d*$/, ".$1")
  const zone = match[3] === undefined ? "Z" : match[3].toUpperCase().replace(/^([+-]\d{2})(\d{2})$/, "$1:$2")
  return new Date(`${match[1]}T${fraction}${zone}`).getTime()
}

/** Two ASCII digits at `at` as a number, or -1. */
const twoDigits = (s: string, at: number): number => {
  const tens = s.charCodeAt(at) - 48
  const ones = s.charCodeAt(at + 1) - 48
  return tens >= 0 && tens <= 9 && ones >= 0 && ones <= 9 ? tens * 10 + ones : -1
}

/**
 * `YYYY-MM-DDThh:mm:ssZ` or `YYYY-MM-DDThh:mm:ss.sssZ` read digit by digit
 * (a page holds hundreds of timestamps; see bench/README.md), NaN for any
 * other spelling. Accepted values give exactly what `new Date(text)` gives,
 * including its roll-over of days 29-31; anything it would refuse is NaN here.
 */
export const plainIsoMillis = (s: string): number => {
  const length = s.length
  if (
    (length !== 20 && length !== 24) ||
    s.charCodeAt(4) !== 45 /* - */ ||
    s.charCodeAt(7) !== 45 ||
    s.charCodeAt(10) !== 84 /* T */ ||
    s.charCodeAt(13) !== 58 /* : */ ||
    s.charCodeAt(16) !== 58 ||
    s.charCodeAt(length - 1) !== 90 /* Z */ ||
    (length === 24 && s.charCodeAt(19) !== 46) /* . */
  )
    return Number.NaN
  const century = twoDigits(s, 0)
  const yearOfCentury = twoDigits(s, 2)
  const month = twoDigits(s, 5)
  const day = twoDigits(s, 8)
  const hour = twoDigits(s, 11)
  const minute = twoDigits(s, 14)
  const second = twoDigits(s, 17)
  const millis = length === 24 ? twoDigits(s, 20) * 10 + s.charCodeAt(22) - 48 : 0
  if (
    century < 0 ||
    yearOfCentury < 0 ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > 31 ||
    hour > 23 ||
    hour < 0 ||
    minute < 0 ||
    minute > 59 ||
    second < 0 ||
    second > 59 ||
    millis < 0 ||
    millis > 999 ||
    (length === 24 && (s.charCodeAt(22) < 48 || s.charCodeAt(22) > 57))
  )
    return Number.NaN
  // Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
  const year = century * 100 + yearOfCentury - (month <= 2 ? 1 : 0)
  const era = Math.floor(year / 400)
  const yearOfEra = year - era * 400
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear
  const days = era * 146_097 + dayOfEra - 719_468
  return days * 86_400_000 + hour * 3_600_000 + minute * 60_000 + second * 1000 + millis
}
