/**
 * Real clients with temporary credentials the emulator issued: `@alicloud/pop-core`'s `RPCClient` assumes a role
 * through the emulator's STS and calls IoT with the `securityToken` it got (GET and POST), and the official SDK
 * (`@alicloud/iot20180120` on `@alicloud/openapi-client`) signs with STS credentials in V3 and V2. A token the
 * emulator did not issue for that key, or one that expired, is refused with the gateway's code.
 */
import { createRequire } from "node:module"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  DEFAULT_CREDENTIALS,
  DEFAULT_ROLE_ARN,
  type Emulator,
  type IssuedCredentials,
  startEmulator
} from "../src/index.js"

const require = createRequire(import.meta.url)

interface PopError extends Error {
  readonly code: string
}
interface RpcClient {
  request(
    action: string,
    params?: Record<string, unknown>,
    options?: { readonly method?: "GET" | "POST" }
  ): Promise<Record<string, unknown> & { readonly Credentials?: Record<string, string> }>
}
const RPCClient = require("@alicloud/pop-core").RPCClient as new (config: {
  readonly endpoint: string
  readonly apiVersion: string
  readonly accessKeyId: string
  readonly accessKeySecret: string
  readonly securityToken?: string
}) => RpcClient
const IotSdk = require("@alicloud/iot20180120") as typeof import("@alicloud/iot20180120")
const OpenApi = require("@alicloud/openapi-client") as typeof import("@alicloud/openapi-client")

const JOB = "job-sts-interop"

let emu: Emulator

beforeAll(async () => {
  emu = await startEmulator({ qps: 0, seed: 3, jobs: [{ jobId: JOB, tasks: 40 }] })
})
afterAll(() => emu.close())

const refusal = (promise: Promise<unknown>): Promise<string> =>
  promise.then(
    () => "resolved",
    (error: PopError) => error.code
  )

describe("@alicloud/pop-core RPCClient", () => {
  const assume = async (): Promise<IssuedCredentials> => {
    const sts = new RPCClient({ endpoint: emu.url, apiVersion: "2015-04-01", ...DEFAULT_CREDENTIALS })
    const answer = await sts.request(
      "AssumeRole",
      { RoleArn: DEFAULT_ROLE_ARN, RoleSessionName: "pop-core", DurationSeconds: 900 },
      { method: "POST" }
    )
    const credentials = answer.Credentials!
    return {
      accessKeyId: credentials.AccessKeyId!,
      accessKeySecret: credentials.AccessKeySecret!,
      securityToken: credentials.SecurityToken!,
      expiration: credentials.Expiration!
    }
  }

  const iot = (credentials: IssuedCredentials, securityToken = credentials.securityToken) =>
    new RPCClient({
      endpoint: emu.url,
      apiVersion: "2018-01-20",
      accessKeyId: credentials.accessKeyId,
      accessKeySecret: credentials.accessKeySecret,
      securityToken
    })

  it("assumes a role through the emulator's STS, then lists with the securityToken it got (GET and POST)", async () => {
    emu.resetStats()
    const credentials = await assume()
    expect(credentials.accessKeyId).toMatch(/^STS\./)
    for (const method of ["GET", "POST"] as const) {
      const page = await iot(credentials).request(
        "ListOTATaskByJob",
        { JobId: JOB, PageSize: 40 },
        { method }
      )
      expect((page.Data as { SimpleOTATaskInfo: Array<unknown> }).SimpleOTATaskInfo).toHaveLength(40)
    }
    expect(emu.stats().byAction).toEqual({ AssumeRole: 1, ListOTATaskByJob: 2 })
  })

  it("a token of another session, or an expired one, is refused with the gateway's code", async () => {
    const mine = await assume()
    const other = await assume()
    expect(await refusal(iot(mine, other.securityToken).request("ListOTATaskByJob", { JobId: JOB }))).toBe(
      "InvalidSecurityToken.MismatchWithAccessKey"
    )
    emu.expireCredentials(mine.accessKeyId)
    expect(await refusal(iot(mine).request("ListOTATaskByJob", { JobId: JOB }))).toBe(
      "InvalidSecurityToken.Expired"
    )
  })
})

describe.each([
  ["V3 (default configuration)", undefined],
  ["V2 (signatureAlgorithm: v2)", "v2" as const]
])("official SDK with STS credentials, %s", (_, signatureAlgorithm) => {
  const sdk = (credentials: IssuedCredentials) =>
    new IotSdk.default(
      new OpenApi.Config({
        accessKeyId: credentials.accessKeyId,
        accessKeySecret: credentials.accessKeySecret,
        securityToken: credentials.securityToken,
        endpoint: `${emu.host}:${emu.port}`,
        protocol: "http",
        ...(signatureAlgorithm === undefined ? {} : { signatureAlgorithm })
      })
    )

  it("lists the job with a token the emulator issued", async () => {
    const page = await sdk(emu.issueCredentials()).listOTATaskByJob(
      new IotSdk.ListOTATaskByJobRequest({ jobId: JOB, pageSize: 40, currentPage: 1 })
    )
    expect(page.statusCode).toBe(200)
    expect(page.body?.data?.simpleOTATaskInfo?.map((task) => task.taskId)).toEqual(
      emu.tasks(JOB).map((task) => task.TaskId)
    )
  })

  it("a tampered token and an expired credential are refused", async () => {
    const credentials = emu.issueCredentials()
    const request = new IotSdk.ListOTATaskByJobRequest({ jobId: JOB })
    const tampered = { ...credentials, securityToken: `${credentials.securityToken.slice(0, -8)}AAAAAAA=` }
    expect(await refusal(sdk(tampered).listOTATaskByJob(request))).toBe("InvalidSecurityToken.Malformed")
    emu.expireCredentials(credentials.accessKeyId)
    expect(await refusal(sdk(credentials).listOTATaskByJob(request))).toBe("InvalidSecurityToken.Expired")
  })
})
