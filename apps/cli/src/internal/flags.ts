/**
 * Option constructors for every `ota` command. Each one parses its own value
 * (through `Options.mapEffect`), so that a bad value fails with a message that
 * names the option, the value and what is accepted, with a "did you mean"
 * when a known value is close: `--status FAILD: not a task status; did you
 * mean FAILED? Expected one of ...`. `@effect/cli`'s own primitives
 * (`Options.integer`, `Options.choice`) are not used for values, because their
 * errors name neither the option nor the value.
 *
 * Future commands (`ota firmware`, `ota jobs`, ...) declare their options
 * with these, and get the same errors, help and usage line.
 */
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as Options from "@effect/cli/Options"
import * as CliValidation from "@effect/cli/ValidationError"
import * as Effect from "effect/Effect"
import { DURATION_HELP, durationProblem } from "./duration.js"
import { didYouMean, orList } from "./suggest.js"
import { sanitize } from "./text.js"

/** A value as typed, quoted when it would not read as one word. */
export const shown = (value: string): string =>
  value === "" || /[\s"']/.test(value) ? JSON.stringify(value) : sanitize(value)

/** A usage error about one option's value. */
export const invalidValue = (message: string): Effect.Effect<never, CliValidation.ValidationError> =>
  Effect.fail(CliValidation.invalidValue(HelpDoc.p(message)))

/** What every constructor takes. */
export interface FlagSpec {
  /** The long name, without dashes. */
  readonly name: string
  /** A one-letter alias, without the dash. */
  readonly alias?: string | undefined
  /** One sentence or more for `--help`. */
  readonly description: string
}

const named = <A>(options: Options.Options<A>, spec: FlagSpec, pseudo: string | undefined) => {
  let out = options
  if (spec.alias !== undefined) out = Options.withAlias(out, spec.alias)
  if (pseudo !== undefined) out = Options.withPseudoName(out, pseudo)
  return out
}

/** A free text value (`--job id`). */
export const text = (spec: FlagSpec & { readonly pseudo: string }): Options.Options<string> =>
  named(Options.text(spec.name), spec, spec.pseudo).pipe(Options.withDescription(spec.description))

/** A switch (`--all`). */
export const boolean = (spec: FlagSpec): Options.Options<boolean> =>
  named(Options.boolean(spec.name), spec, undefined).pipe(Options.withDescription(spec.description))

/** What a choice flag takes. */
export interface ChoiceSpec<A extends string> extends FlagSpec {
  readonly values: ReadonlyArray<A>
  /** What a value is, for the error: `a task status`. */
  readonly what: string
  readonly pseudo: string
}

/** Reads one typed value of a choice flag, matched case-insensitively, into its declared spelling. */
const choiceParser = <A extends string>(spec: ChoiceSpec<A>) => {
  const byKey = new Map(spec.values.map((value) => [value.toLowerCase(), value]))
  return (typed: string): Effect.Effect<A, CliValidation.ValidationError> => {
    const value = byKey.get(typed.trim().toLowerCase())
    return value !== undefined
      ? Effect.succeed(value)
      : invalidValue(
          `--${spec.name} ${shown(typed)}: not ${spec.what}${didYouMean(typed.trim(), spec.values)}; expected ${spec.values.length === 1 ? "" : "one of "}${orList(spec.values)} (any case)`
        )
  }
}

/**
 * One of a fixed set of values, matched case-insensitively (`-s failed` is
 * `FAILED`); the value is returned as declared.
 */
export const choice = <const A extends string>(spec: ChoiceSpec<A>): Options.Options<A> =>
  named(Options.text(spec.name), spec, spec.pseudo).pipe(
    Options.withDescription(`${spec.description} One of: ${spec.values.join(", ")} (any case).`),
    Options.mapEffect(choiceParser(spec))
  )

/**
 * A choice that may be given any number of times, none included (`-s QUEUED
 * -s CONFIRM`); each value is checked as {@link choice} checks it.
 */
export const choices = <const A extends string>(spec: ChoiceSpec<A>): Options.Options<ReadonlyArray<A>> => {
  const parse = choiceParser(spec)
  return repeatable(
    named(Options.text(spec.name), spec, spec.pseudo).pipe(
      Options.withDescription(`${spec.description} One of: ${spec.values.join(", ")} (any case).`)
    )
  ).pipe(Options.mapEffect((typed) => Effect.forEach(typed, parse)))
}

const range = (min: number, max: number): string =>
  max === Number.POSITIVE_INFINITY ? `${min} or more` : `${min} to ${max}`

const numberFlag = (
  spec: FlagSpec & { readonly min: number; readonly max: number; readonly pseudo?: string | undefined },
  integer: boolean
): Options.Options<number> =>
  named(Options.text(spec.name), spec, spec.pseudo ?? "n").pipe(
    Options.withDescription(spec.description),
    Options.mapEffect((typed) => {
      const text = typed.trim()
      const valid = integer ? /^[+-]?\d+$/.test(text) : /^[+-]?(?:\d+\.?\d*|\.\d+)$/.test(text)
      const kind = integer ? "a whole number" : "a number"
      if (!valid) {
        return invalidValue(
          `--${spec.name} ${shown(typed)}: not ${kind}; expected ${range(spec.min, spec.max)}`
        )
      }
      const n = Number(text)
      return n >= spec.min && n <= spec.max
        ? Effect.succeed(n)
        : invalidValue(`--${spec.name} ${shown(typed)}: out of range; expected ${range(spec.min, spec.max)}`)
    })
  )

/** A whole number within bounds (`--page-size 50`). */
export const integer = (
  spec: FlagSpec & { readonly min: number; readonly max: number; readonly pseudo?: string | undefined }
): Options.Options<number> => numberFlag(spec, true)

/** A number within bounds (`--qps 2.5`). */
export const float = (
  spec: FlagSpec & { readonly min: number; readonly max: number; readonly pseudo?: string | undefined }
): Options.Options<number> => numberFlag(spec, false)

/**
 * A duration within bounds, in milliseconds: a number with a unit (`500ms`,
 * `2s`, `1.5m`, `1h`); a bare number is refused with a suggestion. The help
 * says so.
 */
export const duration = (
  spec: FlagSpec & { readonly minMs: number; readonly maxMs: number }
): Options.Options<number> =>
  named(Options.text(spec.name), spec, "duration").pipe(
    Options.withDescription(`${spec.description} ${DURATION_HELP}`),
    Options.mapEffect((typed) => {
      const outcome = durationProblem(`--${spec.name}`, typed, spec.minMs, spec.maxMs)
      return "ms" in outcome ? Effect.succeed(outcome.ms) : invalidValue(outcome.problem)
    })
  )

/**
 * An option that may be given any number of times, none included: its usage
 * reads `[--device name]...`, not as if it were required.
 */
export const repeatable = <A>(option: Options.Options<A>): Options.Options<ReadonlyArray<A>> =>
  Options.withDefault(Options.repeated(option), [] as ReadonlyArray<A>)
