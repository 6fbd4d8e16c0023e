/**
 * Builds the core `OtaClient` for a command from its flags, the environment
 * and the profile file (through `@iot-ota/node`, loaded only when a command
 * needs it so that `ota --help` stays fast), and runs the command with it:
 * the CLI logger installed, Ctrl-C handled, `--verbose` summary printed.
 */

import type { OtaError } from "@iot-ota/core/IotError"
import { ValidationError } from "@iot-ota/core/IotError"
import type { OtaClient } from "@iot-ota/core/OtaClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type { Interrupted } from "./exitCode.js"
import { makeCliLogger } from "./logger.js"
import type { ClientFlags } from "./options.js"
import * as Output from "./output.js"
import { interruptibleBySignals } from "./signals.js"

type Env = Readonly<Record<string, string | undefined>>

const nonEmpty = (value: string | undefined): string | undefined =>
  value === undefined || value.trim() === "" ? undefined : value

/** The secret piped on stdin, without its trailing line break. */
export const readSecret = (
  input: NodeJS.ReadStream = process.stdin
): Effect.Effect<string, ValidationError> =>
  Effect.gen(function* () {
    if (input.isTTY === true) {
      return yield* Effect.fail(
        new ValidationError({
          field: "secret-stdin",
          rule: "a piped secret",
          message:
            "--secret-stdin reads the secret from a pipe (e.g. `pass show ota | ota ...`), but stdin is a terminal where it would be echoed"
        })
      )
    }
    const text = yield* Effect.tryPromise({
      try: async () => {
        const chunks: Array<Buffer> = []
        for await (const chunk of input) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk)
        return Buffer.concat(chunks).toString("utf8")
      },
      catch: (error) =>
        new ValidationError({
          field: "secret-stdin",
          rule: "a readable stdin",
          message: `--secret-stdin: cannot read stdin: ${error instanceof Error ? error.message : String(error)}`
        })
    })
    const secret = text.replace(/\r?\n$/, "")
    if (secret.trim() === "") {
      return yield* Effect.fail(
        new ValidationError({
          field: "secret-stdin",
          rule: "a non-empty secret",
          message: "--secret-stdin: stdin was empty"
        })
      )
    }
    return secret
  })

/**
 * The AccessKey id to pair with a secret from stdin: `--access-key-id`, else
 * the environment, else the profile, except that a profile named explicitly
 * wins over the environment (as for the other settings).
 */
const accessKeyIdFor = (flags: ClientFlags, env: Env): Effect.Effect<string, ValidationError> =>
  Effect.gen(function* () {
    if (Option.isSome(flags.accessKeyId)) return flags.accessKeyId.value
    const profileName = Option.getOrUndefined(flags.profile)
    const Profile = yield* Effect.promise(() => import("@iot-ota/node/Profile"))
    const fromProfile = yield* Effect.try({
      try: () => Profile.read({ profile: profileName, env })?.accessKeyId,
      catch: (error) =>
        error instanceof ValidationError
          ? error
          : new ValidationError({
              field: "profile",
              rule: "a readable profile file",
              message: `cannot read the profile file: ${error instanceof Error ? error.message : String(error)}`
            })
    })
    const fromEnv = nonEmpty(env.OTA_ACCESS_KEY_ID) ?? nonEmpty(env.ALIBABA_CLOUD_ACCESS_KEY_ID)
    const named = profileName !== undefined || nonEmpty(env.OTA_PROFILE) !== undefined
    const id = named ? (fromProfile ?? fromEnv) : (fromEnv ?? fromProfile)
    if (id === undefined) {
      return yield* Effect.fail(
        new ValidationError({
          field: "accessKeyId",
          rule: "required",
          message:
            "--secret-stdin needs the AccessKey id: pass --access-key-id, or set OTA_ACCESS_KEY_ID, or put access_key_id in the profile"
        })
      )
    }
    return id
  })

/** The client layer for these flags. Fails with a `ValidationError` when configuration is missing or invalid. */
export const clientLayer = (flags: ClientFlags, env: Env = process.env): Layer.Layer<OtaClient, OtaError> =>
  Layer.unwrapEffect(
    Effect.gen(function* () {
      if (Option.isSome(flags.accessKeyId) && !flags.secretStdin) {
        return yield* Effect.fail(
          new ValidationError({
            field: "access-key-id",
            rule: "with --secret-stdin",
            message:
              "--access-key-id goes with --secret-stdin (the secret is never a flag); otherwise set the key pair in the environment or a profile"
          })
        )
      }
      const credentials = flags.secretStdin
        ? {
            accessKeyId: yield* accessKeyIdFor(flags, env),
            accessKeySecret: yield* readSecret()
          }
        : {}
      const Node = yield* Effect.promise(() => import("@iot-ota/node/OtaClient"))
      return Node.layer({
        ...credentials,
        env,
        endpoint: Option.getOrUndefined(flags.endpoint),
        profile: Option.getOrUndefined(flags.profile),
        timeoutMs: Option.getOrUndefined(flags.timeout),
        maxAttempts: Option.getOrUndefined(Option.map(flags.retries, (retries) => retries + 1)),
        qps: Option.getOrUndefined(flags.qps),
        signatureAlgorithm: Option.getOrUndefined(flags.signatureAlgorithm)
      })
    })
  )

/**
 * Runs a command's effect: with the logger (`--verbose` or warnings only) on
 * stderr, interruptible by Ctrl-C / SIGTERM, and, when verbose, a closing
 * summary line whatever the outcome.
 */
export const runLogged = <A, E, R>(
  verbose: boolean,
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A, E | Interrupted, R> => {
  return Effect.suspend(() => {
    const logger = makeCliLogger(verbose, (line) => process.stderr.write(line))
    const started = Date.now()
    return interruptibleBySignals(effect).pipe(
      Effect.ensuring(
        verbose
          ? Effect.ignore(
              Effect.suspend(() => Output.stderr(`ota: ${logger.summary(Date.now() - started)}\n`))
            )
          : Effect.void
      ),
      Effect.provide(logger.layer),
      // Fibers of races and timeouts end in failures their parent handles;
      // Effect's debug note about each would only be noise in --verbose.
      Effect.withUnhandledErrorLogLevel(Option.none())
    )
  })
}

/** Runs an effect that needs the client, built from the flags. */
export const withClient = <A, E>(
  flags: ClientFlags,
  effect: Effect.Effect<A, E, OtaClient>
): Effect.Effect<A, E | OtaError | Interrupted> =>
  runLogged(flags.verbose, Effect.provide(effect, clientLayer(flags)))
