/**
 * Builds the core `OtaClient` for a command from its flags, the environment
 * and the profile file (through `@iot-ota/node`, loaded only when a command
 * needs it so that `ota --help` stays fast), and runs the command with it:
 * the CLI logger installed, Ctrl-C handled, `--verbose` summary printed.
 */

import { type ApiError, isOtaError, type OtaError, ValidationError } from "@iot-ota/core/IotError"
import type { OtaClient } from "@iot-ota/core/OtaClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { CredentialsRefused, type Interrupted } from "./exitCode.js"
import { type AttemptRecorder, attemptEventOfClient, makeCliLogger } from "./logger.js"
import type { ClientFlags } from "./options.js"
import * as Output from "./output.js"
import { interruptibleBySignals } from "./signals.js"

type Env = Readonly<Record<string, string | undefined>>

const nonEmpty = (value: string | undefined): string | undefined =>
  value === undefined || value.trim() === "" ? undefined : value

/** The secret piped on stdin, without the whitespace around it (a line break, a pasted space). */
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
    const secret = text.trim()
    if (secret === "") {
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

/** Where the key pair (or each half of it) was read from, for messages: never a value. */
export interface CredentialSource {
  /** `OTA_ACCESS_KEY_ID / OTA_ACCESS_KEY_SECRET (environment)`, `profile "prod" in ~/.config/...`, ... */
  readonly description: string
  /** The AccessKey id in use (not secret), when known. */
  readonly accessKeyId?: string | undefined
}

const ENV_PAIRS = [
  ["OTA_ACCESS_KEY_ID", "OTA_ACCESS_KEY_SECRET"],
  ["ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET"]
] as const

/** The environment with the credential variables trimmed (a pasted secret often ends with a space or a line break). */
export const trimmedEnv = (env: Env): Env => {
  const out: Record<string, string | undefined> = { ...env }
  for (const name of ENV_PAIRS.flat()) if (out[name] !== undefined) out[name] = out[name]!.trim()
  return out
}

const readProfile = (profile: string | undefined, env: Env) =>
  Effect.flatMap(
    Effect.promise(() => import("@iot-ota/node/Profile")),
    (Profile) =>
      Effect.try({
        try: () => ({
          values: Profile.read({ profile, env }),
          file: env.OTA_PROFILE_FILE ?? Profile.defaultProfileFile(env)
        }),
        catch: (error) =>
          error instanceof ValidationError
            ? error
            : new ValidationError({
                field: "profile",
                rule: "a readable profile file",
                message: `cannot read the profile file: ${error instanceof Error ? error.message : String(error)}`
              })
      })
  )

const profileName = (flags: ClientFlags, env: Env): string | undefined =>
  Option.getOrUndefined(flags.profile) ?? env.OTA_PROFILE

/**
 * Where the client will read the key pair from, following the precedence of
 * `@iot-ota/node` (a profile named explicitly first, then the environment,
 * then the default profile), for the message when a signature is refused.
 */
const accessKeyIdFor = (
  flags: ClientFlags,
  env: Env
): Effect.Effect<{ readonly id: string; readonly from: string }, ValidationError> =>
  Effect.gen(function* () {
    if (Option.isSome(flags.accessKeyId))
      return { id: flags.accessKeyId.value.trim(), from: "--access-key-id" }
    const profile = yield* readProfile(Option.getOrUndefined(flags.profile), env)
    const fromProfile =
      profile.values?.accessKeyId === undefined
        ? undefined
        : {
            id: profile.values.accessKeyId.trim(),
            from: `profile ${JSON.stringify(profileName(flags, env) ?? "default")} in ${profile.file}`
          }
    const envName = ["OTA_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_ID"].find(
      (name) => nonEmpty(env[name]) !== undefined
    )
    const fromEnv = envName === undefined ? undefined : { id: env[envName]!.trim(), from: envName }
    const named = profileName(flags, env) !== undefined
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

/** A client layer and where its key pair came from. */
interface ClientSetup {
  readonly layer: Layer.Layer<OtaClient, OtaError>
  readonly source: CredentialSource
}

/** The client for these flags. Fails with a `ValidationError` when configuration is missing or invalid. */
const clientSetup = (
  flags: ClientFlags,
  rawEnv: Env,
  record: AttemptRecorder["record"]
): Effect.Effect<ClientSetup, OtaError> =>
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
    const env = trimmedEnv(rawEnv)
    let stdin:
      | { readonly accessKeyId: string; readonly accessKeySecret: string; readonly from: string }
      | undefined
    if (flags.secretStdin) {
      const id = yield* accessKeyIdFor(flags, env)
      stdin = { accessKeyId: id.id, accessKeySecret: yield* readSecret(), from: id.from }
    }
    const Node = yield* Effect.promise(() => import("@iot-ota/node/OtaClient"))
    // One precedence for every setting (the core's `Settings`): flags, then a named
    // profile, the environment and the default profile, as the Node client has them.
    const resolved = yield* Effect.try({
      try: () =>
        Node.resolveOptions({
          ...(stdin === undefined
            ? {}
            : { accessKeyId: stdin.accessKeyId, accessKeySecret: stdin.accessKeySecret }),
          env,
          endpoint: Option.getOrUndefined(flags.endpoint),
          profile: Option.getOrUndefined(flags.profile),
          timeoutMs: Option.getOrUndefined(flags.timeout),
          maxAttempts: Option.getOrUndefined(Option.map(flags.retries, (retries) => retries + 1)),
          qps: Option.getOrUndefined(flags.qps),
          signatureAlgorithm: Option.getOrUndefined(flags.signatureAlgorithm)
        }),
      catch: (error) => error as OtaError
    })
    const layer = Node.layerFromResolved(resolved, {
      onEvent: (event) => record(attemptEventOfClient(event))
    })
    const credential = yield* Effect.either(resolved.credentials.get)
    const source: CredentialSource = {
      description:
        stdin === undefined
          ? resolved.credentials.source
          : `stdin (--secret-stdin), with the id from ${stdin.from}`,
      accessKeyId: credential._tag === "Right" ? credential.right.accessKeyId : undefined
    }
    if (flags.verbose) yield* Effect.ignore(Output.stderr(`ota: credentials from ${source.description}\n`))
    return { layer, source }
  })

export const clientLayer = (flags: ClientFlags, env: Env = process.env): Layer.Layer<OtaClient, OtaError> =>
  Layer.unwrapEffect(
    Effect.map(
      clientSetup(flags, env, () => {}),
      (setup) => setup.layer
    )
  )

/** Codes with which the service refuses the key pair or the signature made with it. */
const isSignatureRefused = (error: unknown): error is ApiError =>
  isOtaError(error) &&
  error._tag === "ApiError" &&
  /^(?:signaturedoesnotmatch|incompletesignature|invalidaccesskeyid(?:\..*)?)$/.test(error.code.toLowerCase())

/**
 * Runs a command's effect: with the logger (`--verbose` or warnings only) on
 * stderr, interruptible by Ctrl-C / SIGTERM, and, when verbose, a closing
 * summary line whatever the outcome. `use` gets the function that attempt
 * events go to (`AttemptRecorder.record`), for the client's event hook.
 */
export const runLogged = <A, E, R>(
  verbose: boolean,
  use: (record: AttemptRecorder["record"]) => Effect.Effect<A, E, R>
): Effect.Effect<A, E | Interrupted, R> => {
  return Effect.suspend(() => {
    const logger = makeCliLogger(verbose, (line) => process.stderr.write(line))
    const started = Date.now()
    return interruptibleBySignals(use(logger.record)).pipe(
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

/**
 * Runs an effect that needs the client, built from the flags. A refused
 * signature becomes `CredentialsRefused`, which says where the key pair came
 * from and what to check.
 */
export const withClient = <A, E>(
  flags: ClientFlags,
  effect: Effect.Effect<A, E, OtaClient>
): Effect.Effect<A, E | OtaError | Interrupted | CredentialsRefused> =>
  runLogged(flags.verbose, (record) =>
    Effect.flatMap(clientSetup(flags, process.env, record), (setup) =>
      Effect.provide(effect, setup.layer).pipe(
        Effect.catchIf(isSignatureRefused, (error) =>
          Effect.fail(
            new CredentialsRefused({
              error,
              source: setup.source.description,
              accessKeyId: setup.source.accessKeyId
            })
          )
        )
      )
    )
  )
