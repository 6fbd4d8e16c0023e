/**
 * The `ota` command tree as data: each command's words, its options (read
 * from `@effect/cli`'s structured `Usage`, never from rendered help) and its
 * subcommands. Usage errors and help pages are worked out from it.
 */
import * as Command from "@effect/cli/Command"
import type * as Descriptor from "@effect/cli/CommandDescriptor"
import * as CommandDescriptor from "@effect/cli/CommandDescriptor"
import type * as Usage from "@effect/cli/Usage"
import * as HashSet from "effect/HashSet"
import * as Option from "effect/Option"

/** One option of a command, as its usage declares it. */
export interface OptionInfo {
  /** Every name, long ones first: `["--status", "-s"]`. */
  readonly names: ReadonlyArray<string>
  /** The name shown in messages: the first long one. */
  readonly flag: string
  /** What the value looks like (`id`, `duration`), or `undefined` for a switch. */
  readonly placeholder: string | undefined
  readonly required: boolean
  readonly repeatable: boolean
}

/** One positional argument of a command (`<firmware-id>`), as its usage declares it. */
export interface ArgInfo {
  /** `<firmware-id>` */
  readonly name: string
  readonly required: boolean
}

/** A command and its subcommands. */
export interface CommandTree {
  readonly name: string
  readonly descriptor: Descriptor.Command<unknown>
  readonly options: ReadonlyArray<OptionInfo>
  readonly args: ReadonlyArray<ArgInfo>
  readonly children: ReadonlyArray<CommandTree>
}

/** The positional arguments in a usage tree, in order. */
export const argsOf = (usage: Usage.Usage): Array<ArgInfo> => {
  const out: Array<ArgInfo> = []
  const walk = (node: Usage.Usage, optional: boolean): void => {
    switch (node._tag) {
      case "Named":
        for (const name of node.names) if (name.startsWith("<")) out.push({ name, required: !optional })
        return
      case "Optional":
        walk(node.usage, true)
        return
      case "Repeated":
        walk(node.usage, optional)
        return
      case "Alternation":
        walk(node.left, true)
        walk(node.right, true)
        return
      case "Concat":
        walk(node.left, optional)
        walk(node.right, optional)
        return
      default:
        return
    }
  }
  walk(usage, false)
  return out
}

/** The options in a usage tree, with whether each is optional and repeatable. */
export const optionsOf = (usage: Usage.Usage): Array<OptionInfo> => {
  const out: Array<OptionInfo> = []
  const walk = (node: Usage.Usage, optional: boolean, repeated: boolean): void => {
    switch (node._tag) {
      case "Named": {
        if (!node.names.some((name) => name.startsWith("-"))) return
        const names = [...node.names].sort((a, b) => Number(b.startsWith("--")) - Number(a.startsWith("--")))
        out.push({
          names,
          flag: names[0]!,
          placeholder: Option.getOrUndefined(node.acceptedValues),
          // A switch without a value is never required: absent means false.
          required: !optional && Option.isSome(node.acceptedValues),
          repeatable: repeated
        })
        return
      }
      case "Optional":
        walk(node.usage, true, repeated)
        return
      case "Repeated":
        walk(node.usage, optional, true)
        return
      case "Alternation":
        walk(node.left, true, repeated)
        walk(node.right, true, repeated)
        return
      case "Concat":
        walk(node.left, optional, repeated)
        walk(node.right, optional, repeated)
        return
      default:
        return
    }
  }
  walk(usage, false, false)
  return out
}

// biome-ignore lint/suspicious/noExplicitAny: any command, as @effect/cli's withSubcommands takes them
type AnyCommand = Command.Command<any, any, any, any>

/** The subcommands given to each command made by {@link withSubcommands}. */
const SUBCOMMANDS = new WeakMap<AnyCommand, ReadonlyArray<AnyCommand>>()

/**
 * `Command.withSubcommands`, remembering the subcommands, so that the tree
 * of a root command is known without being written twice.
 */
export const withSubcommands =
  <const Subcommand extends readonly [AnyCommand, ...Array<AnyCommand>]>(subcommands: Subcommand) =>
  <Name extends string, R, E, A>(self: Command.Command<Name, R, E, A>) => {
    const command = Command.withSubcommands(self, subcommands)
    SUBCOMMANDS.set(command, subcommands)
    return command
  }

/** The tree of a command and its subcommands (those given to {@link withSubcommands}), recursively. */
export const commandTree = (command: AnyCommand): CommandTree => {
  const descriptor = command.descriptor as Descriptor.Command<unknown>
  const usage = CommandDescriptor.getUsage(descriptor)
  return {
    name: [...HashSet.values(Command.getNames(command))][0] ?? "",
    descriptor,
    options: optionsOf(usage),
    args: argsOf(usage),
    children: (SUBCOMMANDS.get(command) ?? []).map(commandTree)
  }
}

/** Where the words of a command line lead. */
export interface Resolved {
  /** The commands named, root first. */
  readonly path: ReadonlyArray<CommandTree>
  /** The arguments after the command words. */
  readonly rest: ReadonlyArray<string>
}

/** The deepest command the arguments name (`["tasks", "list", "--job", "x"]` → ota tasks list). */
export const resolve = (root: CommandTree, args: ReadonlyArray<string>): Resolved => {
  const path = [root]
  let i = 0
  for (; i < args.length; i++) {
    const child = path.at(-1)!.children.find((node) => node.name === args[i])
    if (child === undefined) break
    path.push(child)
  }
  return { path, rest: args.slice(i) }
}

/** `ota tasks list` */
export const pathName = (path: ReadonlyArray<CommandTree>): string => path.map((node) => node.name).join(" ")

/** Every command below a node, depth first, with its words relative to the node (`["tasks", "list"]`). */
export const descendants = (
  node: CommandTree,
  prefix: ReadonlyArray<string> = []
): Array<{ readonly words: ReadonlyArray<string>; readonly node: CommandTree }> =>
  node.children.flatMap((child) => {
    const words = [...prefix, child.name]
    return [{ words, node: child }, ...descendants(child, words)]
  })
