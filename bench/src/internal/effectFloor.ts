/**
 * The Effect floor of the cold-start benchmark: the least a client built on
 * Effect pays in a fresh process. `effect`'s runtime and `Schema` load from
 * one bundled, minified file, as `@iot-ota/node`'s Promise entry ships them
 * (`pnpm build` bundles this module into `dist/effectFloor.bundle.js` with
 * the same esbuild settings), and each call is one fiber on the default
 * runtime, started the way `PromiseClient` starts calls, around the floor's
 * own request (signing, keep-alive socket, `JSON.parse`) and a minimal
 * `Schema` check of the page (an array of tasks). Nothing else: no options,
 * credentials, retries, rate limiting, input checks or typed decoding.
 *
 * What it costs above the floor is Effect's share; what a process of ours
 * costs above it is what our client does.
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Runtime from "effect/Runtime"
import * as Schema from "effect/Schema"
import { type FloorClient, makeFloorClient } from "./floor.js"

const checkTasks = Schema.decodeUnknown(Schema.Array(Schema.Unknown))
const runFork = Runtime.runFork(Runtime.defaultRuntime)

export const makeEffectFloorClient = (
  options: Parameters<typeof makeFloorClient>[0]
): Pick<FloorClient, "listPage" | "close"> => {
  const floor = makeFloorClient(options)
  const page = (jobId: string, pageSize: number, currentPage: number) =>
    Effect.flatMap(
      Effect.async<ReadonlyArray<unknown>, unknown>((resume) =>
        floor.fetchPage(jobId, pageSize, currentPage, (error, tasks) =>
          resume(tasks === undefined ? Effect.fail(error) : Effect.succeed(tasks))
        )
      ),
      checkTasks
    )
  return {
    listPage: (jobId, pageSize, currentPage) =>
      new Promise<number>((resolve, reject) => {
        const fiber = runFork(
          Effect.map(page(jobId, pageSize, currentPage), (tasks) => resolve(tasks.length))
        )
        fiber.addObserver((exit) => {
          if (Exit.isFailure(exit)) reject(Cause.squash(exit.cause))
        })
      }),
    close: floor.close
  }
}
