const t0 = performance.now()
const Effect = await import("effect/Effect")
const t1 = performance.now()
let s = performance.now()
Effect.runSync(Effect.succeed(1))
const a = performance.now() - s
s = performance.now()
Effect.runSync(
  Effect.flatMap(Effect.succeed(1), (x) =>
    Effect.map(
      Effect.sync(() => x + 1),
      (y) => y * 2
    )
  )
)
const b = performance.now() - s
s = performance.now()
await Effect.runPromise(Effect.promise(() => Promise.resolve(1)))
const c = performance.now() - s
s = performance.now()
await Effect.runPromise(
  Effect.gen(function* () {
    const x = yield* Effect.succeed(1)
    return x
  })
)
const d = performance.now() - s
console.log(
  `import ${(t1 - t0).toFixed(1)} first runSync ${a.toFixed(2)} second ${b.toFixed(2)} runPromise ${c.toFixed(2)} gen ${d.toFixed(2)}`
)
