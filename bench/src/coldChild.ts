/**
 * One contender of the cold-start benchmark, in a fresh Node process: load
 * the client's package, create a client, list a job page after page, close,
 * and exit on its own. Started with a JSON `ColdSpec` as its only argument;
 * prints one JSON line (`ColdChildResult`) on stdout. The bench measures the
 * whole process from outside (spawn to exit).
 *
 * Nothing is imported at the top: every module this process loads before
 * `import` starts counts against whichever contender runs, so the harness
 * uses only globals until the measured import.
 */

/** What to run: see `COLD_CONTENDERS` in `internal/coldContenders.ts`. */
export interface ColdSpec {
  readonly contender:
    | "ours"
    | "ours-v3"
    | "ours-modules"
    | "official-v3"
    | "official-v2"
    | "effect-floor"
    | "floor"
    | "bare"
  readonly url: string
  readonly host: string
  readonly port: number
  readonly jobId: string
  readonly pages: number
  readonly pageSize: number
  readonly accessKeyId: string
  readonly accessKeySecret: string
}

/** Milliseconds since the process started (`performance.now()`), at each step. */
export interface ColdChildResult {
  /** When this script began to run: Node's own start-up. */
  readonly scriptStartMs: number
  /** Loading the client's package (ESM `import`, or `require` for the official SDK). */
  readonly importMs: number
  /** `new OtaClient(…)` / `new Iot(new Config(…))`. */
  readonly createMs: number
  /** The first call, connection included. */
  readonly firstCallMs: number
  /** All calls, the first included. */
  readonly callsMs: number
  /** `client.close()` where there is one. */
  readonly closeMs: number
  /** Main script done (the process still has to exit). */
  readonly doneMs: number
  /** CPU time of the whole process so far (user + system, all threads). */
  readonly cpuMs: number
  readonly tasks: number
  /**
   * The same steps on the monotonic clock V8's CPU profiles use (µs): script start, imported,
   * created, first call done, all calls done. `pnpm --filter @iot-ota/bench profile -- --cold`
   * splits a `--cpu-prof` profile of this process by them.
   */
  readonly marksUs: ReadonlyArray<number>
}

interface Loaded {
  readonly create: () => {
    readonly call: (page: number) => Promise<number>
    readonly close: () => Promise<void>
  }
}

const load = async (spec: ColdSpec): Promise<Loaded> => {
  const keys = { accessKeyId: spec.accessKeyId, accessKeySecret: spec.accessKeySecret }
  switch (spec.contender) {
    case "ours":
    case "ours-v3":
    case "ours-modules": {
      // "ours-modules": the same client from its unbundled modules, which load effect file by file (the
      // Effect API's entry; what the main entry was before it was bundled).
      const { OtaClient } = (
        spec.contender === "ours-modules"
          ? await import("@iot-ota/node/OtaClient")
          : await import("@iot-ota/node")
      ) as typeof import("@iot-ota/node")
      return {
        create: () => {
          const client = new OtaClient({
            endpoint: spec.url,
            ...keys,
            qps: 0,
            ...(spec.contender === "ours-v3" ? { signatureAlgorithm: "ACS3-HMAC-SHA256" as const } : {}),
            // No profile file of whoever runs the bench is read.
            env: {}
          })
          return {
            call: async (currentPage) =>
              (await client.listOTATaskByJob({ jobId: spec.jobId, pageSize: spec.pageSize, currentPage }))
                .tasks.length,
            close: () => client.close()
          }
        }
      }
    }
    case "official-v3":
    case "official-v2": {
      const { createRequire } = await import("node:module")
      const require = createRequire(import.meta.url)
      const Iot = require("@alicloud/iot20180120") as typeof import("@alicloud/iot20180120")
      const OpenApi = require("@alicloud/openapi-client") as typeof import("@alicloud/openapi-client")
      return {
        create: () => {
          const sdk = new Iot.default(
            new OpenApi.Config({
              ...keys,
              endpoint: `${spec.host}:${spec.port}`,
              protocol: "http",
              ...(spec.contender === "official-v2" ? { signatureAlgorithm: "v2" } : {})
            })
          )
          return {
            call: async (currentPage) => {
              const response = await sdk.listOTATaskByJob(
                new Iot.ListOTATaskByJobRequest({ jobId: spec.jobId, pageSize: spec.pageSize, currentPage })
              )
              if (response.body?.success !== true) throw new Error(`official SDK: page ${currentPage} failed`)
              return response.body.data?.simpleOTATaskInfo?.length ?? 0
            },
            close: async () => {}
          }
        }
      }
    }
    case "floor":
    case "effect-floor": {
      // The Effect floor loads the bundle `pnpm build` makes of `internal/effectFloor.ts` (effect inlined, as
      // in our Promise entry).
      const bundle = "./effectFloor.bundle.js"
      const make =
        spec.contender === "floor"
          ? (await import("./internal/floor.js")).makeFloorClient
          : ((await import(bundle)) as typeof import("./internal/effectFloor.js")).makeEffectFloorClient
      return {
        create: () => {
          const floor = make({ host: spec.host, port: spec.port, maxSockets: 1, ...keys })
          return {
            call: (currentPage) => floor.listPage(spec.jobId, spec.pageSize, currentPage),
            close: async () => floor.close()
          }
        }
      }
    }
    case "bare":
      return { create: () => ({ call: async () => 0, close: async () => {} }) }
  }
}

const monotonicUs = (): number => Number(process.hrtime.bigint() / 1000n)

const main = async (): Promise<void> => {
  const scriptStartMs = performance.now()
  const marksUs = [monotonicUs()]
  const spec = JSON.parse(process.argv[2] ?? "") as ColdSpec
  const loaded = await load(spec)
  const importMs = performance.now()
  marksUs.push(monotonicUs())
  const client = loaded.create()
  const createMs = performance.now()
  marksUs.push(monotonicUs())
  const pages = spec.contender === "bare" ? 0 : spec.pages
  let tasks = 0
  let firstCallMs = createMs
  for (let page = 1; page <= pages; page++) {
    tasks += await client.call(page)
    if (page === 1) {
      firstCallMs = performance.now()
      marksUs.push(monotonicUs())
    }
  }
  const callsMs = performance.now()
  marksUs.push(monotonicUs())
  await client.close()
  const closeMs = performance.now()
  const cpu = process.cpuUsage()
  const result: ColdChildResult = {
    scriptStartMs,
    importMs: importMs - scriptStartMs,
    createMs: createMs - importMs,
    firstCallMs: firstCallMs - createMs,
    callsMs: callsMs - createMs,
    closeMs: closeMs - callsMs,
    doneMs: closeMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    tasks,
    marksUs
  }
  process.stdout.write(`${JSON.stringify(result)}\n`)
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
  process.exitCode = 1
})
