/**
 * Help pages, composed from `@effect/cli`'s structured help: the `Usage` of
 * the command (rendered by `Usage.enumerate`, so optional options read
 * `[--page n]`, repeatable ones `[--device name...]` and required ones plain)
 * and its `HelpDoc`, of which each option keeps the description it was
 * declared with (the generic type line before it, "A user-defined piece of
 * text.", and the notes after it are left out: the usage line says what is
 * optional or repeatable). A command with subcommands lists them one per
 * line with their descriptions, from the command tree.
 */
import type * as CliConfig from "@effect/cli/CliConfig"
import * as CommandDescriptor from "@effect/cli/CommandDescriptor"
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as Usage from "@effect/cli/Usage"
import * as Option from "effect/Option"
import { type CommandTree, descendants } from "./commandTree.js"
import { spanText } from "./usageError.js"

/** The blocks of a document in reading order (sequences flattened). */
const blocksOf = (doc: HelpDoc.HelpDoc): Array<HelpDoc.HelpDoc> =>
  doc._tag === "Sequence"
    ? [...blocksOf(doc.left), ...blocksOf(doc.right)]
    : doc._tag === "Empty"
      ? []
      : [doc]

const isHeader = (doc: HelpDoc.HelpDoc, title: string): boolean =>
  doc._tag === "Header" && spanText(doc.value) === title

/**
 * An option's entry with only its declared description. `@effect/cli` builds
 * each entry as the value type's line, then the description, then notes
 * added by `optional`, `repeated` and `withDefault`.
 */
const declaredDescription = (entry: HelpDoc.HelpDoc): HelpDoc.HelpDoc => blocksOf(entry)[1] ?? HelpDoc.empty

const pruneOptions = (doc: HelpDoc.HelpDoc): HelpDoc.HelpDoc =>
  HelpDoc.mapDescriptionList(doc, (span, entry) => [span, declaredDescription(entry)])

/** The text under a command's DESCRIPTION header. */
export const descriptionOf = (node: CommandTree, config: CliConfig.CliConfig): string => {
  const blocks = blocksOf(CommandDescriptor.getHelp(node.descriptor, config))
  const at = blocks.findIndex((block) => isHeader(block, "DESCRIPTION"))
  const body = at === -1 ? undefined : blocks[at + 1]
  return body !== undefined && body._tag === "Paragraph" ? spanText(body.value) : ""
}

/** `  tasks list   List the upgrade tasks ...`, one line per command below `node`. */
const commandLines = (node: CommandTree, config: CliConfig.CliConfig): Array<string> => {
  const rows = descendants(node).map(({ words, node: child }) => [
    words.join(" "),
    descriptionOf(child, config)
  ])
  const width = Math.max(0, ...rows.map(([words]) => words!.length))
  return rows.map(([words, description]) => `  ${words!.padEnd(width)}   ${description}`.trimEnd())
}

/** What a help page is made of. */
export interface HelpPage {
  /** The commands from the root to the one the page is about. */
  readonly path: ReadonlyArray<CommandTree>
  /** `ota 0.1.0` */
  readonly title: string
}

/** `ota tasks list --job id [--status status] ...`; `ota tasks <command>` for a group. */
const usageOf = (path: ReadonlyArray<CommandTree>): Usage.Usage => {
  const node = path.at(-1)!
  const parents = path.slice(0, -1).map((parent) => Usage.named([parent.name], Option.none()))
  const own = CommandDescriptor.getUsage(node.descriptor)
  const tail = node.children.length > 0 ? [own, Usage.named(["<command>"], Option.none())] : [own]
  return [...parents, ...tail].reduce((left, right) => Usage.concat(left, right))
}

/**
 * The help page as text, with ANSI styles (bold headers); strip them when
 * colour is off.
 */
export const renderHelp = (page: HelpPage, config: CliConfig.CliConfig): string => {
  const node = page.path.at(-1)!
  const usage = Usage.enumerate(usageOf(page.path), config).map((span) => HelpDoc.p(`$ ${spanText(span)}`))
  const parts: Array<string> = [
    page.title,
    HelpDoc.toAnsiText(HelpDoc.blocks([HelpDoc.h1("USAGE"), ...usage])).trimEnd()
  ]
  // The command's own help: description, options, the list of subcommands.
  const blocks = blocksOf(CommandDescriptor.getHelp(node.descriptor, config))
  let doc: Array<HelpDoc.HelpDoc> = []
  const flush = () => {
    if (doc.length > 0) parts.push(HelpDoc.toAnsiText(HelpDoc.blocks(doc)).trimEnd())
    doc = []
  }
  for (let i = 0; i < blocks.length; i++) {
    const block = blocks[i]!
    if (isHeader(block, "COMMANDS")) {
      // The generic list repeats every subcommand's full usage; one line each reads better.
      flush()
      parts.push(HelpDoc.toAnsiText(HelpDoc.h1("COMMANDS")).trimEnd(), commandLines(node, config).join("\n"))
      if (blocks[i + 1]?._tag === "Enumeration") i++
      continue
    }
    doc.push(pruneOptions(block))
  }
  flush()
  return `${parts.join("\n\n")}\n`
}
