/**
 * Keeps secrets typed on the command line out of error messages.
 */

const SECRET_FLAG = /^--?[\w-]*secret[\w-]*(?:=(.*))?$/i

/**
 * Replaces the value of every `*secret*` flag in `message` with `<redacted>`.
 * A parse error echoes the argument it choked on, and someone who tried to
 * pass a secret as a flag (`--access-key-secret=...`) must not find it in a
 * CI log.
 */
export const redactSecretArgs = (message: string, args: ReadonlyArray<string>): string => {
  let text = message
  args.forEach((arg, i) => {
    const match = SECRET_FLAG.exec(arg)
    if (match === null) return
    const value = match[1] ?? args[i + 1]
    if (value !== undefined && value !== "" && !value.startsWith("-"))
      text = text.replaceAll(value, "<redacted>")
  })
  return text
}
