/**
 * The process the quota tests fork (bundled from the sources). Its only argument is a JSON `QuotaProcessSpec`:
 *
 * - `"client"`: a Promise `OtaClient` with default settings for `url`; answers "ready", lists `jobId` when told "go", then
 *   answers with the task ids it got (or the error that ended the listing).
 * - `"alone"`: an emulator counting `qps` in `quota` mode, and in the same process an Effect client with default
 *   settings but for its limiter's margin, which lists a job from it (after a listing from an emulator without
 *   quota, so that its code is compiled first); answers with the ids listed, the emulator's ground truth and what
 *   its quota saw. Why one process and that margin: `Quota.integration.test.ts`.
 *
 * It exits when the parent disconnects.
 */
import { OtaClient as CoreOtaClient } from "@iot-ota/core/OtaClient"
import * as RateLimiter from "@iot-ota/core/RateLimiter"
import { type QuotaMode, type RequestLogEntry, startEmulator } from "@iot-ota/emulator"
import { OtaClient } from "@iot-ota/node"
import { layer as clientLayer } from "@iot-ota/node/effect"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"

export type QuotaProcessSpec =
  | {
      readonly role: "client"
      readonly url: string
      readonly jobId: string
      readonly accessKeyId: string
      readonly accessKeySecret: string
    }
  | {
      readonly role: "alone"
      readonly quota: QuotaMode
      readonly qps: number
      readonly tasks: number
      /** The limiter's jitter margin (`RateLimiter.AdaptiveOptions`). */
      readonly marginMs: number
    }

export type QuotaProcessMessage =
  | { readonly type: "ready" }
  | { readonly type: "listed"; readonly ids: ReadonlyArray<string>; readonly error?: string }
  | {
      readonly type: "alone"
      readonly ids: ReadonlyArray<string>
      readonly error?: string
      readonly expected: ReadonlyArray<string>
      readonly throttled: number
      readonly requestLog: ReadonlyArray<RequestLogEntry>
    }

/** Sends `message`; resolves once it is handed to the channel (a large one takes a while). */
const send = (message: QuotaProcessMessage): Promise<void> =>
  new Promise((resolve) => {
    if (process.send === undefined) resolve()
    else process.send(message, undefined, undefined, () => resolve())
  })

const describeError = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error)

/** Nothing read from this machine's environment or profile. */
const ISOLATED = { env: {}, profileFile: "/nonexistent" } as const

/** Every task id of `jobId`, or those listed before the error that ended the listing. */
const list = async (client: OtaClient, jobId: string): Promise<{ ids: Array<string>; error?: string }> => {
  const ids: Array<string> = []
  try {
    for await (const task of client.paginateOTATaskByJob({ jobId })) ids.push(task.taskId)
    return { ids }
  } catch (error) {
    return { ids, error: describeError(error) }
  }
}

const client = (spec: Extract<QuotaProcessSpec, { role: "client" }>): void => {
  const made = new OtaClient({
    endpoint: spec.url,
    accessKeyId: spec.accessKeyId,
    accessKeySecret: spec.accessKeySecret,
    ...ISOLATED
  })
  process.on("message", (message: unknown) => {
    if (message === "go") void list(made, spec.jobId).then((listed) => send({ type: "listed", ...listed }))
  })
  process.on("disconnect", () => {
    void made.close().then(() => process.exit(0))
  })
  void send({ type: "ready" })
}

/** Every task id of `jobId` listed by an Effect client with default settings and the given limiter. */
const listWithLimiter = (
  url: string,
  keys: { readonly accessKeyId: string; readonly accessKeySecret: string },
  jobId: string,
  limiter: Layer.Layer<RateLimiter.RateLimiter>
): Promise<{ readonly ids: ReadonlyArray<string>; readonly error?: string }> => {
  const ids: Array<string> = []
  return Effect.runPromise(
    Effect.flatMap(CoreOtaClient, (made) =>
      Stream.runForEach(made.streamOTATaskByJob({ jobId }), (task) =>
        Effect.sync(() => ids.push(task.taskId))
      )
    ).pipe(
      Effect.as({ ids }),
      Effect.catchAll((error) => Effect.succeed({ ids, error: describeError(error) })),
      Effect.provide(clientLayer({ endpoint: url, ...keys, ...ISOLATED }).pipe(Layer.provide(limiter)))
    )
  )
}

const alone = async (spec: Extract<QuotaProcessSpec, { role: "alone" }>): Promise<void> => {
  const limiter = (qps: number) => RateLimiter.layerAdaptive({ qps, marginMs: spec.marginMs })
  // The same code, warmed up: compiled and optimised before the measured listing starts.
  const warm = await startEmulator({ qps: 0, jobs: [{ jobId: "warm-up", tasks: 5_000 }] })
  await listWithLimiter(warm.url, warm.credentials[0]!, "warm-up", limiter(500))
  await warm.close()

  const jobId = "quota-job"
  const emu = await startEmulator({
    qps: spec.qps,
    quota: spec.quota,
    jobs: [{ jobId, tasks: spec.tasks }],
    requestLog: true
  })
  const listed = await listWithLimiter(emu.url, emu.credentials[0]!, jobId, limiter(spec.qps))
  const stats = emu.stats()
  await emu.close()
  await send({
    type: "alone",
    ...listed,
    expected: emu.tasks(jobId).map((task) => task.TaskId),
    throttled: stats.throttled,
    requestLog: stats.requestLog
  })
}

const spec = JSON.parse(process.argv[2] ?? "null") as QuotaProcessSpec
if (spec.role === "client") client(spec)
else {
  process.on("disconnect", () => process.exit(0))
  void alone(spec)
}
