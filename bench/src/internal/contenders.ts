import { createRequire } from "node:module"
import { DEFAULT_CREDENTIALS } from "@iot-ota/emulator"
import { OtaClient, type SignatureAlgorithm } from "@iot-ota/node"
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
export const makeOfficial = (server: ServerProcess, signatureAlgorithm: "v3" | "v2"): OfficialSdk =>
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
