/**
 * One line for every usage error: the command, option or value at fault,
 * what is accepted, and a "did you mean" when something known is close.
 *
 * `@effect/cli` reports a structured `ValidationError`, but some of its
 * messages name neither the option nor the value ("Expected to find option",
 * "Received unknown argument", "Invalid subcommand for ota" when the bad word
 * followed `tasks`). So the arguments are checked against the command tree
 * (the options each command's `Usage` declares) to find the first problem; an
 * error about a value comes from the option's own parser (`flags.ts`), which
 * already says all of that, and is passed through.
 */
import type * as HelpDoc from "@effect/cli/HelpDoc"
import type * as Span from "@effect/cli/HelpDoc/Span"
import type * as CliValidation from "@effect/cli/ValidationError"
import { type ArgInfo, type CommandTree, type OptionInfo, pathName, resolve } from "./commandTree.js"
import { shown } from "./flags.js"
import { didYouMean, orList } from "./suggest.js"

/** The built-in flags of `@effect/cli`, accepted everywhere. */
const BUILT_INS = new Set(["--help", "-h", "--version", "--wizard", "--completions", "--log-level"])
const BUILT_INS_WITH_VALUE = new Set(["--completions", "--log-level"])

/** `@effect/cli` reads these after a switch as its value (`--all false`). */
const SWITCH_VALUES = new Set(["true", "1", "y", "yes", "on", "false", "0", "n", "no", "off"])

/** The plain text of a span. */
export const spanText = (span: Span.Span): string => {
  switch (span._tag) {
    case "Text":
    case "URI":
      return span.value
    case "Highlight":
    case "Strong":
    case "Weak":
      return spanText(span.value)
    case "Sequence":
      return spanText(span.left) + spanText(span.right)
  }
}

/** The plain text of a help document, paragraphs joined by spaces. */
export const docText = (doc: HelpDoc.HelpDoc): string => {
  switch (doc._tag) {
    case "Empty":
      return ""
    case "Header":
    case "Paragraph":
      return spanText(doc.value)
    case "Sequence":
      return [docText(doc.left), docText(doc.right)].filter((text) => text !== "").join(" ")
    case "Enumeration":
      return doc.elements.map(docText).join(" ")
    case "DescriptionList":
      return doc.definitions.map(([span, body]) => `${spanText(span)} ${docText(body)}`).join(" ")
  }
}

const optionList = (options: ReadonlyArray<OptionInfo>): string =>
  options.map((option) => option.flag).join(", ")

/** The first problem with the arguments after a leaf command's words, if any. */
const checkOptions = (
  where: string,
  options: ReadonlyArray<OptionInfo>,
  args: ReadonlyArray<ArgInfo>,
  rest: ReadonlyArray<string>
) => {
  const positional: Array<string> = []
  const byName = new Map<string, OptionInfo>()
  for (const option of options) for (const name of option.names) byName.set(name.toLowerCase(), option)
  const knownNames = options.flatMap((option) => option.names.filter((name) => name.startsWith("--")))
  const seen = new Map<OptionInfo, Array<string>>()
  const unknown = (token: string) =>
    `${shown(token)}: unknown option for ${where}${didYouMean(token, knownNames)}; its options: ${optionList(options)}`
  for (let i = 0; i < rest.length; i++) {
    const token = rest[i]!
    if (token !== "--" && (!token.startsWith("-") || token === "-") && positional.length < args.length) {
      positional.push(token)
      continue
    }
    if (token === "--" || !token.startsWith("-") || token === "-") {
      if (args.length > 0) {
        return `${shown(token)}: unexpected argument; ${where} takes ${args.map((arg) => arg.name).join(" ")} and options`
      }
      return `${shown(token)}: unexpected argument; ${where} takes options only${
        options.some((option) => option.required)
          ? ` (e.g. ${options
              .filter((option) => option.required)
              .map((option) => `${option.flag} ${option.placeholder}`)
              .join(" ")})`
          : ""
      }`
    }
    const equals = token.startsWith("--") ? token.indexOf("=") : -1
    const name = equals === -1 ? token : token.slice(0, equals)
    const inline = equals === -1 ? undefined : token.slice(equals + 1)
    if (BUILT_INS.has(name)) {
      if (BUILT_INS_WITH_VALUE.has(name) && inline === undefined) i++
      continue
    }
    // Clustered switches: -av is -a -v.
    if (!name.startsWith("--") && name.length > 2) {
      const letters = [...name.slice(1)].map((letter) => byName.get(`-${letter}`.toLowerCase()))
      const bad = letters.findIndex((option) => option === undefined || option.placeholder !== undefined)
      if (bad !== -1) return unknown(name)
      continue
    }
    const option = byName.get(name.toLowerCase())
    if (option === undefined) return unknown(name)
    let value: string | undefined
    if (option.placeholder === undefined) {
      if (inline !== undefined) {
        if (!SWITCH_VALUES.has(inline.toLowerCase())) {
          return `${option.flag} ${shown(inline)}: ${option.flag} is a switch; expected ${option.flag} alone, or =true / =false`
        }
        value = inline
      } else if (rest[i + 1] !== undefined && SWITCH_VALUES.has(rest[i + 1]!.toLowerCase()))
        value = rest[++i]!
      else value = "true"
    } else if (inline !== undefined) value = inline
    else if (i + 1 < rest.length) value = rest[++i]!
    else return `${option.flag} needs a value (${option.placeholder}) and none followed`
    const values = seen.get(option) ?? []
    values.push(value)
    seen.set(option, values)
    if (values.length > 1 && !option.repeatable) {
      return `${option.flag} given ${values.length} times (${values.map(shown).join(", ")}); it takes one value`
    }
  }
  const missing = [
    ...options
      .filter((option) => option.required && !seen.has(option))
      .map((option) => `${option.flag} ${option.placeholder}`),
    ...args
      .slice(positional.length)
      .filter((arg) => arg.required)
      .map((arg) => arg.name)
  ]
  if (missing.length > 0) return `missing ${orList(missing)}: required by ${where}`
  return undefined
}

/** Where a usage error points: the message and the command whose `--help` to suggest. */
export interface UsageProblem {
  readonly message: string
  readonly command: string
}

/**
 * The first problem in the arguments of a command line: an unknown command
 * word, an unknown or repeated option, a missing value, a missing required
 * option. `undefined` when the words and options are all well-formed (a bad
 * value is then the problem, which the option's parser reports).
 */
export const findProblem = (root: CommandTree, args: ReadonlyArray<string>): UsageProblem | undefined => {
  const { path, rest } = resolve(root, args)
  const node = path.at(-1)!
  const where = pathName(path)
  if (node.children.length > 0) {
    const word = rest.find((arg) => !BUILT_INS.has(arg))
    if (word === undefined) return undefined
    const names = node.children.map((child) => child.name)
    if (word.startsWith("-")) {
      return {
        message: `${shown(word)}: unknown option for ${where}; expected a command: ${orList(names)}`,
        command: where
      }
    }
    // Said as typed after `ota`, which the line already starts with (`ota: tasks lst: ...`).
    const typed = [...path.slice(1).map((step) => step.name), shown(word)].join(" ")
    return {
      message: `${typed}: unknown command${didYouMean(word, names)}; expected ${orList(names)}`,
      command: where
    }
  }
  const message = checkOptions(where, node.options, node.args, rest)
  return message === undefined ? undefined : { message, command: where }
}

/**
 * The message for a usage error of `@effect/cli`: the first problem found in
 * the arguments, else the error's own text (a value refused by an option's
 * parser, which names the option, the value and what is accepted).
 */
export const describeUsageError = (
  error: CliValidation.ValidationError,
  root: CommandTree,
  args: ReadonlyArray<string>
): UsageProblem => {
  const problem = findProblem(root, args)
  if (problem !== undefined) return problem
  const { path } = resolve(root, args)
  const text = "error" in error ? docText(error.error) : ""
  return { message: text === "" ? error._tag : text, command: pathName(path) }
}
