import { describe, expect, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Fiber from "effect/Fiber"
import * as HashMap from "effect/HashMap"
import * as Logger from "effect/Logger"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import * as Credentials from "../src/Credentials.js"
import { CredentialsError } from "../src/IotError.js"

const SECRET = "s3cr3t-value-that-must-never-leak"
const TOKEN = "CAIS-token-that-must-never-leak+/="

const fromEnv = (env: Record<string, string>) =>
  Effect.runSync(
    Effect.either(
      Effect.withConfigProvider(Credentials.fromConfig, ConfigProvider.fromMap(new Map(Object.entries(env))))
    )
  )

/** Every rendering of a value a log line, a message or a report could use. */
const renderings = (value: unknown): ReadonlyArray<string> => [
  String(value),
  JSON.stringify(value),
  value instanceof Error ? `${value.message} ${value.stack ?? ""}` : ""
]
const expectClean = (value: unknown) => {
  for (const text of renderings(value)) {
    expect(text).not.toContain(SECRET)
    expect(text).not.toContain(TOKEN)
  }
}

const plain = (credential: Credentials.Credential) => ({
  accessKeyId: credential.accessKeyId,
  accessKeySecret: Redacted.value(credential.accessKeySecret),
  securityToken: credential.securityToken === undefined ? undefined : Redacted.value(credential.securityToken)
})

describe("static credentials", () => {
  it("prefers OTA_* over ALIBABA_CLOUD_*, and names the variable it used", () => {
    const creds = fromEnv({
      OTA_ACCESS_KEY_ID: "ota-id",
      OTA_ACCESS_KEY_SECRET: "ota-secret",
      ALIBABA_CLOUD_ACCESS_KEY_ID: "ali-id",
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: "ali-secret"
    })
    expect(
      Either.isRight(creds) && [
        creds.right.accessKeyId,
        Redacted.value(creds.right.accessKeySecret),
        creds.right.source
      ]
    ).toEqual(["ota-id", "ota-secret", "env OTA_ACCESS_KEY_ID"])
  })

  it("falls back to ALIBABA_CLOUD_* as a pair", () => {
    const creds = fromEnv({
      ALIBABA_CLOUD_ACCESS_KEY_ID: "ali-id",
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: "ali-secret"
    })
    expect(Either.isRight(creds) && [creds.right.accessKeyId, creds.right.source]).toEqual([
      "ali-id",
      "env ALIBABA_CLOUD_ACCESS_KEY_ID"
    ])
  })

  it("does not pair an OTA id with an Alibaba secret when the OTA pair is complete", () => {
    const creds = fromEnv({
      OTA_ACCESS_KEY_ID: "ota-id",
      OTA_ACCESS_KEY_SECRET: "ota-secret",
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: "x"
    })
    expect(Either.isRight(creds) && Redacted.value(creds.right.accessKeySecret)).toBe("ota-secret")
  })

  it("takes the security token from the family of the key id", () => {
    const ota = fromEnv({
      OTA_ACCESS_KEY_ID: "ota-id",
      OTA_ACCESS_KEY_SECRET: "ota-secret",
      OTA_SECURITY_TOKEN: "ota-token",
      ALIBABA_CLOUD_SECURITY_TOKEN: "ali-token"
    })
    expect(Either.isRight(ota) && plain(ota.right).securityToken).toBe("ota-token")
    const alibaba = fromEnv({
      OTA_ACCESS_KEY_ID: "ota-id",
      ALIBABA_CLOUD_ACCESS_KEY_ID: "ali-id",
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: "ali-secret",
      ALIBABA_CLOUD_SECURITY_TOKEN: "ali-token"
    })
    expect(Either.isRight(alibaba) && plain(alibaba.right)).toEqual({
      accessKeyId: "ali-id",
      accessKeySecret: "ali-secret",
      securityToken: "ali-token"
    })
    const noToken = fromEnv({
      OTA_ACCESS_KEY_ID: "ota-id",
      OTA_ACCESS_KEY_SECRET: "ota-secret",
      ALIBABA_CLOUD_SECURITY_TOKEN: "ali-token"
    })
    expect(Either.isRight(noToken) && plain(noToken.right).securityToken).toBeUndefined()
  })

  it("names the missing variable", () => {
    const creds = fromEnv({ OTA_ACCESS_KEY_ID: "id" })
    expect(
      Either.isLeft(creds) && [creds.left.field, creds.left.message.includes("OTA_ACCESS_KEY_SECRET")]
    ).toEqual(["accessKeySecret", true])
    const none = fromEnv({})
    expect(Either.isLeft(none) && none.left.field).toBe("accessKeyId")
  })

  it("reads an env-like record, such as a Worker's env, token included", () => {
    const creds = Effect.runSync(
      Credentials.fromRecord({
        OTA_ACCESS_KEY_ID: "id",
        OTA_ACCESS_KEY_SECRET: "sec",
        OTA_SECURITY_TOKEN: "tok",
        OTHER: 1
      })
    )
    expect(plain(creds)).toEqual({ accessKeyId: "id", accessKeySecret: "sec", securityToken: "tok" })
    expect(plain(Effect.runSync(creds.get))).toEqual(plain(creds))
  })

  it("keeps the secret and the token redacted when printed or serialised", () => {
    const creds = Effect.runSync(
      Credentials.make({ accessKeyId: "id", accessKeySecret: SECRET, securityToken: TOKEN })
    )
    expect(String(creds.accessKeySecret)).toBe("<redacted>")
    expect(String(creds.securityToken)).toBe("<redacted>")
    expectClean(creds)
    expectClean(Effect.runSync(creds.get))
  })

  it("a Redacted secret that needs no trimming is kept as given", () => {
    const given = Redacted.make(SECRET)
    const creds = Effect.runSync(Credentials.make({ accessKeyId: "id", accessKeySecret: given }))
    expect(creds.accessKeySecret).toBe(given)
  })
})

describe("surrounding white space is trimmed from ids, secrets and tokens, from every source", () => {
  const paddings = [" ", "\t", "\n", "\r\n", " \t\r\n "]

  it.each(paddings.map((pad) => [JSON.stringify(pad), pad] as const))("options, padded with %s", (_, pad) => {
    const creds = Effect.runSync(
      Credentials.make({
        accessKeyId: `${pad}id${pad}`,
        accessKeySecret: Redacted.make(`${pad}${SECRET}${pad}`),
        securityToken: `${TOKEN}${pad}`
      })
    )
    expect(plain(creds)).toEqual({ accessKeyId: "id", accessKeySecret: SECRET, securityToken: TOKEN })
  })

  it.each(paddings.map((pad) => [JSON.stringify(pad), pad] as const))(
    "environment variables, padded with %s",
    (_, pad) => {
      for (const prefix of ["OTA", "ALIBABA_CLOUD"]) {
        const creds = fromEnv({
          [`${prefix}_ACCESS_KEY_ID`]: `${pad}id${pad}`,
          [`${prefix}_ACCESS_KEY_SECRET`]: `${SECRET}${pad}`,
          [`${prefix}_SECURITY_TOKEN`]: `${pad}${TOKEN}`
        })
        expect(Either.isRight(creds) && plain(creds.right)).toEqual({
          accessKeyId: "id",
          accessKeySecret: SECRET,
          securityToken: TOKEN
        })
      }
    }
  )

  it("a value of white space only is missing, not a credential", () => {
    expect(Either.isLeft(fromEnv({ OTA_ACCESS_KEY_ID: "id", OTA_ACCESS_KEY_SECRET: " \n" }))).toBe(true)
    const creds = fromEnv({ OTA_ACCESS_KEY_ID: "id", OTA_ACCESS_KEY_SECRET: "s", OTA_SECURITY_TOKEN: "\r\n" })
    expect(Either.isRight(creds) && creds.right.securityToken).toBeUndefined()
    expect(
      Either.isLeft(
        Effect.runSync(Effect.either(Credentials.make({ accessKeyId: " ", accessKeySecret: "s" })))
      )
    ).toBe(true)
  })

  it.effect("a provider function's result", () =>
    Effect.gen(function* () {
      const provider = yield* Credentials.fromFunction(async () => ({
        accessKeyId: "\tid\n",
        accessKeySecret: `${SECRET}\r\n`,
        securityToken: ` ${TOKEN} `
      }))
      expect(plain(yield* provider.get)).toEqual({
        accessKeyId: "id",
        accessKeySecret: SECRET,
        securityToken: TOKEN
      })
    })
  )

  it.effect("fromStatic", () =>
    Effect.gen(function* () {
      const provider = yield* Credentials.fromStatic({
        accessKeyId: "id\n",
        accessKeySecret: Redacted.make(`\n${SECRET}`),
        securityToken: Redacted.make(`${TOKEN}\n`)
      })
      expect(plain(yield* provider.get)).toEqual({
        accessKeyId: "id",
        accessKeySecret: SECRET,
        securityToken: TOKEN
      })
    })
  )
})

describe("fromStatic", () => {
  it.effect("enforces an expiration: a credential past it is refused with a CredentialsError", () =>
    Effect.gen(function* () {
      const provider = yield* Credentials.fromStatic(
        { accessKeyId: "id", accessKeySecret: SECRET, securityToken: TOKEN, expiration: new Date(60_000) },
        { source: "deploy secrets" }
      )
      expect(provider.source).toBe("deploy secrets")
      expect((yield* provider.get).accessKeyId).toBe("id")
      yield* TestClock.adjust("1 minute")
      const error = yield* Effect.flip(provider.get)
      expect(error).toMatchObject({ _tag: "CredentialsError", provider: "deploy secrets", reason: "Invalid" })
      expect(error.message).toContain("expired at 1970-01-01T00:01:00.000Z")
      expectClean(error)
    })
  )

  it.effect("names the missing field, without the values", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        Credentials.fromStatic({ accessKeyId: "id", accessKeySecret: "  " } as Credentials.CredentialInput)
      )
      expect(error).toMatchObject({ provider: "static", reason: "Invalid", retryable: false })
      expect(error.message).toContain("accessKeySecret")
    })
  )
})

describe("fromFunction", () => {
  it.effect("calls the function once when the credential has no expiration", () =>
    Effect.gen(function* () {
      let calls = 0
      const provider = yield* Credentials.fromFunction(async () => {
        calls++
        return { accessKeyId: "id", accessKeySecret: SECRET }
      })
      for (let i = 0; i < 5; i++) yield* provider.get
      yield* TestClock.adjust("365 days")
      yield* provider.get
      expect(calls).toBe(1)
      expect(provider.source).toBe("function")
    })
  )

  it.effect("calls it again before the expiration it returned", () =>
    Effect.gen(function* () {
      let calls = 0
      const provider = yield* Credentials.fromFunction(
        async () => {
          calls++
          return {
            accessKeyId: `id-${calls}`,
            accessKeySecret: SECRET,
            securityToken: TOKEN,
            expiration: new Date(Date.UTC(1970, 0, 1, 1) * calls)
          }
        },
        { source: "vault", refreshMarginMs: 10 * 60_000 }
      )
      expect((yield* provider.get).accessKeyId).toBe("id-1")
      yield* TestClock.adjust("49 minutes")
      expect((yield* provider.get).accessKeyId).toBe("id-1")
      // 10 minutes before the expiry (01:00): refreshed, in the background; the old one is still valid.
      yield* TestClock.adjust("1 minute")
      yield* provider.get
      yield* waitUntil(() => calls === 2)
      expect((yield* provider.get).accessKeyId).toBe("id-2")
    })
  )

  it.effect(
    "a function that throws is a retryable CredentialsError naming the provider, never the values",
    () =>
      Effect.gen(function* () {
        const provider = yield* Credentials.fromFunction(
          async () => {
            throw new Error("vault sealed\u001b[2J")
          },
          { source: "vault kv/iot" }
        )
        const error = yield* Effect.flip(provider.get)
        expect(error).toBeInstanceOf(CredentialsError)
        expect(error).toMatchObject({ provider: "vault kv/iot", reason: "Unavailable", retryable: true })
        expect(error.message).toBe("the credentials function failed: Error: vault sealed [2J")
      })
  )

  it.effect("a function that never answers fails after its deadline, and the next call asks again", () =>
    Effect.gen(function* () {
      let calls = 0
      const provider = yield* Credentials.fromFunction(
        () => {
          calls++
          return calls === 1 ? new Promise<never>(() => {}) : { accessKeyId: "id", accessKeySecret: SECRET }
        },
        { timeoutMs: 50 }
      )
      const error = yield* Effect.flip(provider.get)
      expect(error).toMatchObject({ reason: "Unavailable", retryable: true })
      expect(error.message).toBe("the credentials function gave no answer within 50 ms")
      expect((yield* provider.get).accessKeyId).toBe("id")
    })
  )

  it.effect("a result without an id, a secret or with a bad expiration is Invalid", () =>
    Effect.gen(function* () {
      for (const bad of [
        undefined,
        { accessKeySecret: SECRET },
        { accessKeyId: "id", accessKeySecret: "" },
        { accessKeyId: "id", accessKeySecret: SECRET, securityToken: TOKEN, expiration: new Date("soon") },
        { accessKeyId: "id", accessKeySecret: SECRET, expiration: "2030-01-01" }
      ]) {
        const provider = yield* Credentials.fromFunction(
          async () => bad as unknown as Credentials.CredentialInput
        )
        const error = yield* Effect.flip(provider.get)
        expect(error).toMatchObject({ provider: "function", reason: "Invalid", retryable: false })
        expectClean(error)
      }
    })
  )
})

/** Yields to other fibers (and the event loop) until `condition` holds: waits for an event, not for time. */
const waitUntil = <E = never>(
  condition: (() => boolean) | Effect.Effect<boolean, E>
): Effect.Effect<void, E> =>
  Effect.flatMap(Effect.isEffect(condition) ? condition : Effect.sync(condition), (done) =>
    done
      ? Effect.void
      : Effect.zipRight(
          Effect.promise(() => new Promise((resolve) => setImmediate(resolve))),
          waitUntil(condition)
        )
  )

/**
 * A provider whose n-th credential expires at `n` hours, and whose n-th refresh waits at a gate the test
 * opens (or fails) once that refresh has started. `started()` counts the refreshes that started.
 */
const gatedProvider = Effect.sync(() => {
  const gates: Array<Deferred.Deferred<void, CredentialsError>> = []
  const provider: Credentials.CredentialsService = {
    source: "gated",
    get: Effect.gen(function* () {
      const gate = yield* Deferred.make<void, CredentialsError>()
      gates.push(gate)
      const n = gates.length
      yield* Deferred.await(gate)
      return {
        accessKeyId: `id-${n}`,
        accessKeySecret: Redacted.make(SECRET),
        securityToken: Redacted.make(TOKEN),
        expiration: new Date(n * 3_600_000)
      }
    })
  }
  const gate = (n: number) =>
    Effect.zipRight(
      waitUntil(() => gates.length >= n),
      Effect.sync(() => gates[n - 1]!)
    )
  return {
    provider,
    open: (n: number) => Effect.flatMap(gate(n), (g) => Deferred.succeed(g, undefined)),
    fail: (n: number, error: CredentialsError) => Effect.flatMap(gate(n), (g) => Deferred.fail(g, error)),
    started: () => gates.length
  }
})

const waitForSuspended = (fibers: ReadonlyArray<Fiber.RuntimeFiber<unknown, unknown>>) =>
  Effect.gen(function* () {
    for (;;) {
      const statuses = yield* Effect.forEach(fibers, (fiber) => Fiber.status(fiber))
      if (statuses.every((status) => status._tag === "Suspended")) return
      yield* Effect.yieldNow()
    }
  })

describe("cached", () => {
  it.effect(
    "invalidate drops the credential held, once: the next get fetches a new one; a stale one changes nothing",
    () =>
      Effect.gen(function* () {
        const gated = yield* gatedProvider
        const provider = yield* Credentials.cached(gated.provider)
        const first = yield* Effect.fork(provider.get)
        yield* gated.open(1)
        const one = yield* Fiber.join(first)
        expect(one.accessKeyId).toBe("id-1")

        yield* provider.invalidate!(one) // refused by the server as expired, long before its hour
        const second = yield* Effect.fork(provider.get)
        yield* gated.open(2)
        const two = yield* Fiber.join(second)
        expect(two.accessKeyId).toBe("id-2")
        expect(gated.started()).toBe(2)

        // Another call refused with the first credential reports it late: the second one stays.
        yield* provider.invalidate!(one)
        expect((yield* provider.get).accessKeyId).toBe("id-2")
        expect(gated.started()).toBe(2)
      })
  )

  it.effect("50 concurrent gets at expiry cause exactly one refresh, and all get the new credential", () =>
    Effect.gen(function* () {
      const gated = yield* gatedProvider
      const provider = yield* Credentials.cached(gated.provider)
      const first = yield* Effect.fork(provider.get)
      yield* waitUntil(() => gated.started() === 1)
      yield* gated.open(1)
      expect((yield* Fiber.join(first)).accessKeyId).toBe("id-1")

      yield* TestClock.adjust("1 hour") // the first credential has expired
      const fibers = yield* Effect.forEach(Array.from({ length: 50 }), () => Effect.fork(provider.get))
      yield* waitForSuspended(fibers)
      expect(gated.started()).toBe(2)
      yield* gated.open(2)
      const results = yield* Effect.forEach(fibers, Fiber.join)
      expect(new Set(results.map((credential) => credential.accessKeyId))).toEqual(new Set(["id-2"]))
      expect(gated.started()).toBe(2)
    })
  )

  it.effect("refreshes within the margin, serving the current credential while the refresh runs", () =>
    Effect.gen(function* () {
      const gated = yield* gatedProvider
      const provider = yield* Credentials.cached(gated.provider, { refreshMarginMs: 10 * 60_000 })
      const first = yield* Effect.fork(provider.get)
      yield* waitUntil(() => gated.started() === 1)
      yield* gated.open(1)
      yield* Fiber.join(first)
      yield* TestClock.adjust("49 minutes")
      expect((yield* provider.get).accessKeyId).toBe("id-1")
      expect(gated.started()).toBe(1)
      yield* TestClock.adjust("1 minute") // 10 minutes before 01:00
      // A refresh starts, and every caller meanwhile gets the still-valid credential at once.
      for (let i = 0; i < 20; i++) expect((yield* provider.get).accessKeyId).toBe("id-1")
      yield* waitUntil(() => gated.started() === 2)
      yield* gated.open(2)
      yield* waitUntil(Effect.map(provider.get, (credential) => credential.accessKeyId === "id-2"))
      expect(gated.started()).toBe(2)
    })
  )

  it.effect("the margin is at most half of the credential's lifetime", () =>
    Effect.gen(function* () {
      let calls = 0
      const provider = yield* Credentials.fromFunction(async () => {
        calls++
        // Lives 4 minutes: with the default 15-minute margin it would be refreshed on every call.
        return { accessKeyId: `id-${calls}`, accessKeySecret: SECRET, expiration: new Date(calls * 240_000) }
      })
      yield* provider.get
      yield* TestClock.adjust("119 seconds")
      yield* provider.get
      expect(calls).toBe(1)
      yield* TestClock.adjust("1 second")
      yield* provider.get
      yield* waitUntil(() => calls === 2)
    })
  )

  it.effect("an interrupted waiter does not cancel the refresh the others wait for", () =>
    Effect.gen(function* () {
      const gated = yield* gatedProvider
      const provider = yield* Credentials.cached(gated.provider)
      const waiter = yield* Effect.fork(provider.get)
      const other = yield* Effect.fork(provider.get)
      yield* waitForSuspended([waiter, other])
      expect(gated.started()).toBe(1)
      yield* Fiber.interrupt(waiter) // the caller that started the refresh gives up
      yield* gated.open(1)
      expect((yield* Fiber.join(other)).accessKeyId).toBe("id-1")
      expect((yield* provider.get).accessKeyId).toBe("id-1")
      expect(gated.started()).toBe(1)
    })
  )

  it.effect("a failed refresh is reported only when no valid credential is left", () => {
    const logs: Array<string> = []
    const capture = Logger.replace(
      Logger.defaultLogger,
      Logger.make(({ annotations, message }) => {
        logs.push(`${String(message)} ${JSON.stringify(Object.fromEntries(HashMap.toEntries(annotations)))}`)
      })
    )
    return Effect.gen(function* () {
      const gated = yield* gatedProvider
      const provider = yield* Credentials.cached(gated.provider)
      const first = yield* Effect.fork(provider.get)
      yield* waitUntil(() => gated.started() === 1)
      yield* gated.open(1)
      yield* Fiber.join(first)
      const outage = new CredentialsError({
        provider: "gated",
        reason: "Unavailable",
        message: "STS answered 503",
        retryable: true
      })
      yield* TestClock.adjust("56 minutes") // within the margin: refresh, keep serving id-1
      expect((yield* provider.get).accessKeyId).toBe("id-1")
      yield* gated.fail(2, outage)
      yield* waitUntil(() => logs.some((line) => line.includes("credential refresh failed")))
      expect((yield* provider.get).accessKeyId).toBe("id-1")
      // Not retried at once after a failure: no refresh per call during an outage.
      expect(gated.started()).toBe(2)
      yield* TestClock.adjust("10 seconds")
      expect((yield* provider.get).accessKeyId).toBe("id-1")
      yield* waitUntil(() => gated.started() === 3)
      yield* gated.fail(3, outage)
      yield* TestClock.adjust("4 minutes") // id-1 has expired: callers wait for a refresh, and see it fail
      const waiting = yield* Effect.fork(provider.get)
      yield* waitUntil(() => gated.started() === 4)
      yield* gated.fail(4, outage)
      expect(yield* Effect.flip(Fiber.join(waiting))).toBe(outage)
      // The next call tries again, and recovers.
      const recovered = yield* Effect.fork(provider.get)
      yield* waitUntil(() => gated.started() === 5)
      yield* gated.open(5)
      expect((yield* Fiber.join(recovered)).accessKeyId).toBe("id-5")
      // The warning names the provider and the reason, never a value.
      expect(logs[0]).toContain('"provider":"gated"')
      expect(logs[0]).toContain("STS answered 503")
      for (const line of logs) expect(line).not.toMatch(/s3cr3t|CAIS/)
    }).pipe(Effect.provide(capture))
  })

  it.effect("a credential that arrives already expired is an error that names the clock", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(Date.UTC(2030, 0, 1))
      const provider = yield* Credentials.fromFunction(async () => ({
        accessKeyId: "id",
        accessKeySecret: SECRET,
        expiration: new Date(Date.UTC(2029, 0, 1))
      }))
      const error = yield* Effect.flip(provider.get)
      expect(error).toMatchObject({ reason: "Invalid", provider: "function" })
      expect(error.message).toContain("clock")
    })
  )
})

const failing = (source: string, reason: CredentialsError["reason"], message: string) => ({
  source,
  get: Effect.fail(
    new CredentialsError({ provider: source, reason, message, retryable: reason === "Unavailable" })
  )
})

describe("chain", () => {
  it.effect(
    "skips members with nothing configured, keeps the first that yields, and asks it directly after",
    () =>
      Effect.gen(function* () {
        let asked = 0
        const counting: Credentials.CredentialsService = {
          source: "second",
          get: Effect.sync(() => {
            asked++
            return { accessKeyId: "id-2", accessKeySecret: Redacted.make(SECRET) }
          })
        }
        const provider = yield* Credentials.chain([
          failing("first", "NotConfigured", "FIRST_VAR is not set"),
          counting,
          Credentials.fromStatic({ accessKeyId: "id-3", accessKeySecret: SECRET }, { source: "third" })
        ])
        expect(provider.source).toBe("chain (first, second, third)")
        expect((yield* provider.get).accessKeyId).toBe("id-2")
        expect(provider.source).toBe("second")
        yield* provider.get
        expect(asked).toBe(2)
      })
  )

  it.effect("a configured member that fails stops the chain: it never hands over to another identity", () =>
    Effect.gen(function* () {
      const provider = yield* Credentials.chain([
        failing("env", "NotConfigured", "no variables"),
        failing("oidc role-x", "Unavailable", "STS answered 503"),
        Credentials.fromStatic({ accessKeyId: "instance-id", accessKeySecret: SECRET }, { source: "ecs" })
      ])
      const error = yield* Effect.flip(provider.get)
      expect(error).toMatchObject({ provider: "oidc role-x", reason: "Unavailable", retryable: true })
      expect(error.message).toBe("STS answered 503 (skipped before it: env: no variables)")
    })
  )

  it.effect("when nothing is configured, the error lists what every member said", () =>
    Effect.gen(function* () {
      const provider = yield* Credentials.chain(
        [failing("env", "NotConfigured", "no variables"), failing("profile", "NotConfigured", "no file")],
        { source: "default chain" }
      )
      const error = yield* Effect.flip(provider.get)
      expect(error).toMatchObject({ provider: "default chain", reason: "NotConfigured", retryable: false })
      expect(error.message).toBe("no credentials found: env: no variables; profile: no file")
    })
  )

  it.effect("a member that fails to build counts as that failure", () =>
    Effect.gen(function* () {
      const provider = yield* Credentials.chain([
        Credentials.fromStatic({ accessKeyId: "", accessKeySecret: SECRET }, { source: "broken" }),
        Credentials.fromStatic({ accessKeyId: "id", accessKeySecret: SECRET })
      ])
      expect(yield* Effect.flip(provider.get)).toMatchObject({ provider: "broken", reason: "Invalid" })
    })
  )
})

describe("lazy", () => {
  it.effect("builds once on success, again after a failure", () =>
    Effect.gen(function* () {
      let builds = 0
      const provider = yield* Credentials.lazy(
        "file",
        Effect.suspend(() => {
          builds++
          return builds === 1
            ? Effect.fail(Credentials.notConfigured("file", "no file yet"))
            : Credentials.fromStatic(
                { accessKeyId: "id", accessKeySecret: SECRET },
                { source: "file ./keys" }
              )
        })
      )
      expect(provider.source).toBe("file")
      expect(yield* Effect.flip(provider.get)).toMatchObject({ reason: "NotConfigured" })
      yield* Effect.all([provider.get, provider.get, provider.get], { concurrency: "unbounded" })
      expect(builds).toBe(2)
      expect(provider.source).toBe("file ./keys")
    })
  )
})
