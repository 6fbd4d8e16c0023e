import { describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import * as fc from "fast-check"
import { toValidationError, validate } from "../src/internal/validation.js"
import { ListOTATaskByJobInput } from "../src/operations/ListOTATaskByJob.js"

/** What `validate` promises: the strict decode (excess keys refused), its first issue as a `ValidationError`. */
const oracle =
  <A, I>(schema: Schema.Schema<A, I>, subject: string) =>
  (input: object) =>
    Either.mapLeft(Schema.decodeUnknownEither(schema, { onExcessProperty: "error" })(input), (error) =>
      toValidationError(error, input, subject)
    )

const SYMBOL = Symbol("extra")

/** Copies `base`, then adds the extra keys: plain, symbol, or not enumerable. */
const withExtras = (
  base: Record<string, unknown>,
  extras: ReadonlyArray<readonly [string, string, unknown]>
) => {
  const input: Record<PropertyKey, unknown> = { ...base }
  for (const [kind, name, value] of extras) {
    const key = kind === "symbol" ? SYMBOL : name
    Object.defineProperty(input, key, {
      value,
      enumerable: kind !== "hidden",
      writable: true,
      configurable: true
    })
  }
  return input
}

const extras = fc.array(
  fc.tuple(
    fc.constantFrom("plain", "symbol", "hidden"),
    fc.constantFrom("extra", "JobId", "page_size", "__proto__x", "jobId"),
    fc.anything({ maxDepth: 1 })
  ),
  { maxLength: 2 }
)

const inputs = fc.record(
  {
    jobId: fc.oneof(fc.constantFrom("job-1", "", " "), fc.string({ maxLength: 6 })),
    pageSize: fc.oneof(fc.integer({ min: 0, max: 101 }), fc.constant("10")),
    currentPage: fc.integer({ min: 0, max: 1100 }),
    taskStatus: fc.constantFrom("FAILED", "failed", undefined),
    deviceNames: fc.array(fc.string({ maxLength: 4 }), { maxLength: 3 })
  },
  { requiredKeys: [] }
)

const agree = <A, I>(schema: Schema.Schema<A, I>, input: object) => {
  const actual = validate(schema, "input")(input)
  const expected = oracle(schema, "input")(input)
  expect(actual._tag).toBe(expected._tag)
  if (Either.isRight(actual) && Either.isRight(expected)) expect(actual.right).toStrictEqual(expected.right)
  if (Either.isLeft(actual) && Either.isLeft(expected)) expect(actual.left).toStrictEqual(expected.left)
}

describe("validate", () => {
  it("agrees with the strict decode on any input, whatever extra keys it carries", () => {
    fc.assert(
      fc.property(inputs, extras, (base, more) => {
        agree(ListOTATaskByJobInput, withExtras(base, more))
      }),
      { numRuns: 2000 }
    )
  })

  it("still refuses excess keys inside nested objects", () => {
    const Nested = Schema.Struct({ name: Schema.String, where: Schema.Struct({ city: Schema.String }) })
    const result = validate(Nested, "input")({ name: "a", where: { city: "b", street: "c" } })
    expect(Either.isLeft(result) && result.left).toMatchObject({
      field: "where.street",
      rule: "a known field"
    })
    fc.assert(
      fc.property(
        fc.string(),
        fc.string(),
        fc.option(fc.string(), { nil: undefined }),
        (name, city, street) => {
          agree(Nested, { name, where: street === undefined ? { city } : { city, street } })
        }
      )
    )
  })
})
