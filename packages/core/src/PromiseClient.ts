/**
 * The Promise / async-iterator face of the client, shared by the runtime
 * packages (`@iot-ota/node`, `@iot-ota/edge`): one managed Effect runtime per
 * client holds the transport, the rate limiter and the retry quota; calls
 * reject with the typed errors themselves; `signal` aborts; `close()` frees
 * everything.
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Stream from "effect/Stream"
import type { ClientConfigService } from "./ClientConfig.js"
import type { OtaError } from "./IotError.js"
import { OtaClient } from "./OtaClient.js"
import type { ListOTATaskByJobInput, OtaTask, OtaTaskPage } from "./operations/ListOTATaskByJob.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface CallOptions {
  readonly signal?: AbortSignal | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface PaginateOptions extends CallOptions {
  /** Pages in flight after the first, default 4. */
  readonly concurrency?: number | undefined
}

/**
 * The input of a listing: it always starts at the first page.
 *
 * @since 0.1.0
 * @category models
 */
export type PaginateOTATaskByJobInput = Omit<ListOTATaskByJobInput, "currentPage">

/**
 * How much the client says about itself: `"warning"` (retries exhausted,
 * clock skew, data shifting between pages), `"debug"` (plus one line per
 * attempt with its duration and request id), or `"none"`.
 *
 * @since 0.1.0
 * @category models
 */
export type LogLevelName = "none" | "warning" | "debug"

/**
 * Where log lines go: one line of text, already formatted (`level: message key=value ...`).
 *
 * @since 0.1.0
 * @category models
 */
export type LogSink = (level: "debug" | "info" | "warning" | "error", line: string) => void

/**
 * A logger layer that formats Effect log entries as single logfmt-style
 * lines and hands them to `sink`, at or above `level`.
 *
 * @since 0.1.0
 * @category layers
 */
export const loggingLayer = (level: LogLevelName, sink: LogSink): Layer.Layer<never> =>
  Layer.merge(
    Logger.replace(
      Logger.defaultLogger,
      Logger.make(({ logLevel, message, annotations }) => {
        const text = Array.isArray(message) ? message.map(String).join(" ") : String(message)
        let fields = ""
        for (const [key, value] of annotations)
          fields += ` ${key}=${typeof value === "string" ? value : JSON.stringify(value)}`
        const name =
          logLevel._tag === "Debug" || logLevel._tag === "Trace"
            ? "debug"
            : logLevel._tag === "Info"
              ? "info"
              : logLevel._tag === "Warning"
                ? "warning"
                : "error"
        sink(name, `iot-ota ${name}: ${text}${fields}`)
      })
    ),
    Logger.minimumLogLevel(
      level === "none" ? LogLevel.None : level === "debug" ? LogLevel.Debug : LogLevel.Warning
    )
  )

/** The typed failure of an exit, the abort reason when the caller aborted, else the defect. */
const rejection = (cause: Cause.Cause<unknown>, signal: AbortSignal | undefined): unknown => {
  const failure = Cause.failureOption(cause)
  if (failure._tag === "Some") return failure.value
  if (signal?.aborted === true && Cause.isInterruptedOnly(cause)) return signal.reason
  return Cause.squash(cause)
}

/**
 * The shared Promise client. Runtime packages subclass it with their own
 * option handling and transport.
 *
 * @since 0.1.0
 * @category constructors
 */
export class PromiseClient {
  readonly #runtime: ManagedRuntime.ManagedRuntime<OtaClient, never>
  /** The resolved configuration (no secrets in it). */
  readonly config: ClientConfigService
  /** The AccessKey id in use (the secret is never exposed). */
  readonly accessKeyId: string

  constructor(options: {
    readonly layer: Layer.Layer<OtaClient>
    readonly config: ClientConfigService
    readonly accessKeyId: string
    readonly logLevel: LogLevelName
    readonly logSink: LogSink
  }) {
    this.config = options.config
    this.accessKeyId = options.accessKeyId
    this.#runtime = ManagedRuntime.make(
      options.layer.pipe(Layer.provide(loggingLayer(options.logLevel, options.logSink)))
    )
  }

  #run<A>(effect: Effect.Effect<A, OtaError, OtaClient>, signal: AbortSignal | undefined): Promise<A> {
    return this.#runtime
      .runPromiseExit(effect, signal === undefined ? undefined : { signal })
      .then((exit) => {
        if (Exit.isSuccess(exit)) return exit.value
        throw rejection(exit.cause, signal)
      })
  }

  #iterate<A>(
    stream: Stream.Stream<A, OtaError, OtaClient>,
    signal: AbortSignal | undefined
  ): AsyncIterableIterator<A> {
    const runtime = this.#runtime
    const aborted = Effect.async<void>((resume) => {
      if (signal === undefined) return
      const onAbort = () => resume(Effect.void)
      if (signal.aborted) onAbort()
      else signal.addEventListener("abort", onAbort, { once: true })
      return Effect.sync(() => signal.removeEventListener("abort", onAbort))
    })
    async function* generate(): AsyncGenerator<A> {
      const effectRuntime = await runtime.runtime()
      const iterable = Stream.toAsyncIterableRuntime(
        stream.pipe(Stream.interruptWhen(aborted)),
        effectRuntime
      )
      for await (const item of iterable) yield item
      // An abort ends the stream quietly inside Effect; surface it as fetch does.
      if (signal?.aborted === true) throw signal.reason
    }
    return generate()
  }

  /**
   * One page of a job's tasks.
   *
   * @since 0.1.0
   */
  listOTATaskByJob(input: ListOTATaskByJobInput, options: CallOptions = {}): Promise<OtaTaskPage> {
    return this.#run(
      Effect.flatMap(OtaClient, (client) => client.listOTATaskByJob(input)),
      options.signal
    )
  }

  /**
   * Every task of a job (or of a status / device filter), each exactly once,
   * in page order. Pages after the first are fetched `concurrency` at a time;
   * breaking out of the loop or aborting `signal` stops every request.
   *
   * @since 0.1.0
   */
  paginateOTATaskByJob(
    input: PaginateOTATaskByJobInput,
    options: PaginateOptions = {}
  ): AsyncIterableIterator<OtaTask> {
    return this.#iterate(
      Stream.unwrap(
        Effect.map(OtaClient, (client) =>
          client.streamOTATaskByJob(input, { concurrency: options.concurrency })
        )
      ),
      options.signal
    )
  }

  /**
   * Every page of a job's tasks, in order.
   *
   * @since 0.1.0
   */
  paginateOTATaskByJobPages(
    input: PaginateOTATaskByJobInput,
    options: PaginateOptions = {}
  ): AsyncIterableIterator<OtaTaskPage> {
    return this.#iterate(
      Stream.unwrap(
        Effect.map(OtaClient, (client) =>
          client.listOTATaskByJobPages(input, { concurrency: options.concurrency })
        )
      ),
      options.signal
    )
  }

  /**
   * Closes idle connections and stops the rate limiter. Calls made after
   * `close()` fail.
   *
   * @since 0.1.0
   */
  close(): Promise<void> {
    return this.#runtime.dispose()
  }
}
