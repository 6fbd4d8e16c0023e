/**
 * CSV per RFC 4180: fields holding a comma, a double quote, CR or LF are
 * quoted, quotes inside are doubled, and records end with CRLF (the RFC's line
 * break, which spreadsheet programs expect).
 */

/** The record separator. */
export const CRLF = "\r\n"

/** One field, quoted only when needed. */
export const csvField = (value: string): string =>
  /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value

/** One record, CRLF-terminated. */
export const csvRecord = (fields: ReadonlyArray<string>): string => fields.map(csvField).join(",") + CRLF
