/**
 * Ctrl-C and SIGTERM as typed outcomes: the command's fiber is interrupted,
 * its finalizers run (cursor restored, emulator closed, connections closed),
 * then it fails with `Interrupted`. A second Ctrl-C during that cleanup gets
 * Node's default behaviour and ends the process at once.
 */
import * as Effect from "effect/Effect"
import { Interrupted } from "./exitCode.js"

type Signal = "SIGINT" | "SIGTERM"

/** Resolves with the first SIGINT or SIGTERM; stops listening when interrupted. */
export const waitForSignal: Effect.Effect<Signal> = Effect.async<Signal>((resume) => {
  const onInt = (): void => resume(Effect.succeed("SIGINT"))
  const onTerm = (): void => resume(Effect.succeed("SIGTERM"))
  process.once("SIGINT", onInt)
  process.once("SIGTERM", onTerm)
  return Effect.sync(() => {
    process.off("SIGINT", onInt)
    process.off("SIGTERM", onTerm)
  })
})

/** Runs `effect` until it ends or a signal arrives; on a signal it is interrupted and `Interrupted` is the failure. */
export const interruptibleBySignals = <A, E, R>(
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A, E | Interrupted, R> =>
  Effect.raceFirst(
    effect,
    Effect.flatMap(waitForSignal, (signal) => Effect.fail(new Interrupted({ signal })))
  )
