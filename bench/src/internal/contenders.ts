import { createRequire } from "node:module"
import { DEFAULT_CREDENTIALS } from "@iot-ota/emulator"
import { OtaClient, type SignatureAlgorithm } from "@iot-ota/node"
import { type FloorClient, makeFloorClient } from "./floor.js"
import type { ServerProcess } from "./serverProcess.js"

// CommonJS packages: `require` gives the classes their typings declare as `default`
// (an ESM `import` would wrap `module.exports` once more).
const require = createRequire(import.meta.url)
const IotSdk = require("@alicloud/iot20180120") as typeof import("@alicloud/iot20180120")
const OpenApi = require("@alicloud/openapi-client") as typeof import("@alicloud/openapi-client")

export const PAGE_SIZE = 100

/** Our Node client against the emulator child, rate limit as given (0 = off). */
export const makeOurs = (
  server: Pick<ServerProcess, "url">,
  options: { readonly signatureAlgorithm?: SignatureAlgorithm; readonly qps?: number } = {}
): OtaClient =>
  new OtaClient({
    endpoint: server.url,
    accessKeyId: DEFAULT_CREDENTIALS.accessKeyId,
    accessKeySecret: DEFAULT_CREDENTIALS.accessKeySecret,
    ...(options.signatureAlgorithm === undefined ? {} : { signatureAlgorithm: options.signatureAlgorithm }),
    ...(options.qps === undefined ? {} : { qps: options.qps })
  })

/** `currentPage` 1..`pages` one after the other with `listOTATaskByJob`; resolves to the tasks seen. */
export const listSequentially = async (client: OtaClient, jobId: string, pages: number): Promise<number> => {
  let tasks = 0
  for (let currentPage = 1; currentPage <= pages; currentPage++) {
    const page = await client.listOTATaskByJob({ jobId, pageSize: PAGE_SIZE, currentPage })
    tasks += page.tasks.length
  }
  return tasks
}

/** The whole job through `paginateOTATaskByJob`; resolves to the tasks seen. */
export const paginateAll = async (client: OtaClient, jobId: string, concurrency: number): Promise<number> => {
  let tasks = 0
  for await (const _task of client.paginateOTATaskByJob({ jobId, pageSize: PAGE_SIZE }, { concurrency }))
    tasks++
  return tasks
}

export type OfficialSdk = InstanceType<typeof IotSdk.default>

/**
 * The official SDK as its README shows it, against the emulator child:
 * its default signature (V3, ACS3-HMAC-SHA256) or `signatureAlgorithm: "v2"`.
 */
export const makeOfficial = (
  server: Pick<ServerProcess, "host" | "port">,
  signatureAlgorithm: "v3" | "v2"
): OfficialSdk =>
  new IotSdk.default(
    new OpenApi.Config({
      accessKeyId: DEFAULT_CREDENTIALS.accessKeyId,
      accessKeySecret: DEFAULT_CREDENTIALS.accessKeySecret,
      endpoint: `${server.host}:${server.port}`,
      protocol: "http",
      ...(signatureAlgorithm === "v2" ? { signatureAlgorithm: "v2" } : {})
    })
  )

/** The same sequential calls as `listSequentially`, through the official SDK. */
export const listSequentiallyOfficial = async (
  sdk: OfficialSdk,
  jobId: string,
  pages: number
): Promise<number> => {
  let tasks = 0
  for (let currentPage = 1; currentPage <= pages; currentPage++) {
    const response = await sdk.listOTATaskByJob(
      new IotSdk.ListOTATaskByJobRequest({ jobId, pageSize: PAGE_SIZE, currentPage })
    )
    if (response.body?.success !== true) {
      throw new Error(`official SDK: page ${currentPage} failed: ${response.body?.code ?? "no body"}`)
    }
    tasks += response.body.data?.simpleOTATaskInfo?.length ?? 0
  }
  return tasks
}

/** The floor against the emulator child, with `maxSockets` keep-alive sockets. */
export const makeFloor = (server: Pick<ServerProcess, "host" | "port">, maxSockets: number): FloorClient =>
  makeFloorClient({
    host: server.host,
    port: server.port,
    maxSockets,
    accessKeyId: DEFAULT_CREDENTIALS.accessKeyId,
    accessKeySecret: DEFAULT_CREDENTIALS.accessKeySecret
  })

/** Pages 1..`pages` through the floor, `inFlight` workers each taking the next page number. */
export const floorAll = async (
  floor: FloorClient,
  jobId: string,
  pages: number,
  inFlight: number
): Promise<number> => {
  let next = 1
  let tasks = 0
  const worker = async (): Promise<void> => {
    while (next <= pages) {
      const page = next++
      // Not `tasks += await ...`: that reads `tasks` before the await and loses the other workers' counts.
      const listed = await floor.listPage(jobId, PAGE_SIZE, page)
      tasks += listed
    }
  }
  await Promise.all(Array.from({ length: inFlight }, worker))
  return tasks
}

/** What one contender does in one run: a client, and how it walks the job's pages. */
export type Workload =
  | { readonly kind: "ours-list"; readonly signatureAlgorithm: SignatureAlgorithm }
  | { readonly kind: "ours-paginate"; readonly concurrency: number }
  | { readonly kind: "official"; readonly signatureAlgorithm: "v3" | "v2" }
  | { readonly kind: "floor"; readonly inFlight: number }

/** A contender's client, ready for runs (each lists the whole job), and how to release it. */
export interface Runner {
  readonly pass: () => Promise<number>
  readonly close: () => Promise<void>
}

/** Builds the client of `workload` against the emulator child, for a job of `pages` pages of 100. */
export const makeRunner = (
  workload: Workload,
  server: Pick<ServerProcess, "url" | "host" | "port">,
  jobId: string,
  pages: number
): Runner => {
  switch (workload.kind) {
    case "ours-list": {
      const client = makeOurs(server, { qps: 0, signatureAlgorithm: workload.signatureAlgorithm })
      return { pass: () => listSequentially(client, jobId, pages), close: () => client.close() }
    }
    case "ours-paginate": {
      const client = makeOurs(server, { qps: 0 })
      return { pass: () => paginateAll(client, jobId, workload.concurrency), close: () => client.close() }
    }
    case "official": {
      const sdk = makeOfficial(server, workload.signatureAlgorithm)
      return { pass: () => listSequentiallyOfficial(sdk, jobId, pages), close: async () => {} }
    }
    case "floor": {
      const floor = makeFloor(server, workload.inFlight)
      return {
        pass: () => floorAll(floor, jobId, pages, workload.inFlight),
        close: async () => floor.close()
      }
    }
  }
}

/**
 * The contenders of the paging benchmark (and of `pnpm --filter @iot-ota/bench profile --contender`): our client
 * listing with V2 (our default) and V3 and paginating at concurrency 1, the official SDK with V3 (its default) and
 * V2, and the hand-written floor.
 */
export const PAGING_WORKLOADS = {
  "ours-v2": { kind: "ours-list", signatureAlgorithm: "HMAC-SHA1" },
  "ours-paginate": { kind: "ours-paginate", concurrency: 1 },
  "ours-v3": { kind: "ours-list", signatureAlgorithm: "ACS3-HMAC-SHA256" },
  "official-v3": { kind: "official", signatureAlgorithm: "v3" },
  "official-v2": { kind: "official", signatureAlgorithm: "v2" },
  floor: { kind: "floor", inFlight: 1 }
} as const satisfies Record<string, Workload>

export type PagingContender = keyof typeof PAGING_WORKLOADS
