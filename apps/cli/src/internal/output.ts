/**
 * Writing to stdout and stderr with backpressure: each write resumes once
 * the stream has taken the data, so a slow pipe (`| less`) throttles the
 * listing instead of buffering it in memory. A closed pipe (`| head`) ends
 * the command quietly.
 */
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"

/** The reader of stdout went away (`EPIPE`): stop, without an error message. */
export class BrokenPipe extends Data.TaggedError("BrokenPipe")<{}> {}

interface Writable {
  write(chunk: string, callback: (error?: Error | null) => void): boolean
}

const write = (stream: Writable, text: string): Effect.Effect<void, BrokenPipe> =>
  text === ""
    ? Effect.void
    : Effect.async<void, BrokenPipe>((resume) => {
        stream.write(text, (error) => {
          if (error === undefined || error === null) resume(Effect.void)
          else if ((error as NodeJS.ErrnoException).code === "EPIPE") resume(Effect.fail(new BrokenPipe()))
          else resume(Effect.die(error))
        })
      })

/** Writes to stdout. */
export const stdout = (text: string): Effect.Effect<void, BrokenPipe> => write(process.stdout, text)

/** Writes to stderr. */
export const stderr = (text: string): Effect.Effect<void, BrokenPipe> => write(process.stderr, text)
