/**
 * Tidies the help pages rendered by `@effect/cli`: its generic type lines
 * ("A user-defined piece of text.") and the full usage of every subcommand
 * in the COMMANDS list make `ota --help` several screens wide. The content
 * (options, descriptions) is untouched; anything that does not look like
 * those patterns passes through unchanged.
 */
import { stripAnsi } from "./text.js"

const NOISE = new Set([
  "A user-defined piece of text.",
  "A true or false value.",
  "An integer.",
  "A floating point number.",
  "This setting is optional."
])

const isNoise = (line: string): boolean => {
  const text = stripAnsi(line).trim()
  return NOISE.has(text) || text.startsWith("One of the following: ")
}

/** Whether a text printed on stdout is a help page (and not a completion script or a version). */
export const isHelpPage = (text: string): boolean => /(^|\n)USAGE\n/.test(stripAnsi(text))

/** The command words of a usage span: everything before the first option or argument. */
const commandWords = (usage: string): string => {
  const words: Array<string> = []
  for (const word of usage.split(" ")) {
    if (word === "" || /^[[(<-]/.test(word)) break
    words.push(word)
  }
  return words.join(" ")
}

/**
 * @param text the rendered help page
 * @param commandPath the command as typed, e.g. `ota tasks list`, shown in the USAGE line
 */
export const tidyHelp = (text: string, commandPath: string): string => {
  const out: Array<string> = []
  let section = ""
  const entries: Array<[string, string]> = []
  const flushEntries = () => {
    const width = Math.max(0, ...entries.map(([name]) => name.length))
    for (const [name, description] of entries) out.push(`  ${name.padEnd(width)}   ${description}`)
    entries.length = 0
  }
  for (const line of text.split("\n")) {
    const plain = stripAnsi(line)
    if (/^[A-Z]+$/.test(plain.trim())) {
      flushEntries()
      section = plain.trim()
    }
    if (isNoise(line)) continue
    if (section === "COMMANDS") {
      const entry = /^ {2}- (.+?) {2,}(\S.*)$/.exec(plain)
      if (entry !== null) {
        entries.push([commandWords(entry[1]!), entry[2]!])
        continue
      }
      if (plain.trim() === "" && entries.length > 0) continue
    }
    if (section === "USAGE" && plain.startsWith("$ ")) {
      const last = commandPath.split(" ").at(-1)
      const first = plain.slice(2).split(" ")[0] ?? ""
      if (first === last) {
        out.push(`$ ${commandPath}${plain.slice(2 + first.length)}`)
        continue
      }
    }
    out.push(line)
  }
  flushEntries()
  // Removed lines leave runs of blank lines behind.
  return out
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .replace(/\n+$/, "")
}
