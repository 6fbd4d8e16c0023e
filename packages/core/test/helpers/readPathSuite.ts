/**
 * The read path's generated methods (firmware → jobs → unfinished tasks) as one suite, run by each runtime
 * package's test through its own public client (`@iot-ota/node`, `@iot-ota/edge`), over real HTTP on
 * 127.0.0.1 with both signature algorithms: each method sends its operation's documented parameters and
 * decodes the documented example answer; listings page; bad input is refused before any request.
 */
import { describe, expect, it } from "vitest"
import type { Operations } from "../../src/Operations.js"
import type { PromiseClient, PromiseMethods } from "../../src/PromiseClient.js"
import type { SignatureAlgorithm } from "../../src/Signer.js"
import { readPathServer } from "./readPathServer.js"

/** A runtime package's Promise client, as the suite uses it. */
export type ReadPathClient = PromiseClient & PromiseMethods<typeof Operations>

/** What the suite's clients are built with: the server's keys, no rate limit, no logging, no environment. */
export interface ReadPathOptions {
  readonly endpoint: string
  readonly accessKeyId: string
  readonly accessKeySecret: string
  readonly qps: number
  readonly logLevel: "none"
  readonly env: Record<string, string>
  readonly signatureAlgorithm?: SignatureAlgorithm
}

/**
 * Defines the suite. `makeClient` builds the package's client from the suite's options; `ValidationError`
 * is the class the package exports (the suite checks that refusals are instances of it).
 */
export const readPathSuite = (
  makeClient: (options: ReadPathOptions) => ReadPathClient,
  ValidationError: abstract new (...args: never) => unknown
): void => {
  const clientFor = (endpoint: string, signatureAlgorithm?: SignatureAlgorithm): ReadPathClient =>
    makeClient({
      endpoint,
      accessKeyId: "read-path-key",
      accessKeySecret: "read-path-secret",
      qps: 0,
      logLevel: "none",
      env: {},
      ...(signatureAlgorithm === undefined ? {} : { signatureAlgorithm })
    })

  const collect = async <A>(items: AsyncIterable<A>): Promise<Array<A>> => {
    const out: Array<A> = []
    for await (const item of items) out.push(item)
    return out
  }

  const rejection = (promise: Promise<unknown>): Promise<unknown> =>
    promise.then(
      () => {
        throw new Error("expected a rejection")
      },
      (error: unknown) => error
    )

  const LAMP = "a1GUfrM3kLp"
  const FIRMWARE = "UfuxnwygsuSkVE0VCNmx0100"
  const JOBS = ["HvKuBpuk3rdk6E92CPa10200", "wahVIzGkCMuAUE2gDERM020200"]
  const device = { productKey: LAMP, deviceName: "lamp-0001", firmwareId: FIRMWARE }

  describe.each(["HMAC-SHA1", "ACS3-HMAC-SHA256"] as const)(
    "the read path, signed with %s",
    (signatureAlgorithm) => {
      it("calls each operation with its documented parameters and decodes the answer", async () => {
        const server = await readPathServer()
        const client = clientFor(server.url, signatureAlgorithm)
        try {
          const page = await client.listOTAFirmware({ productKey: LAMP, pageSize: 100 })
          expect(page.firmware.map((firmware) => [firmware.destVersion, firmware.type])).toEqual([
            ["1.0.1", 0],
            ["1.0.2", 1]
          ])
          const { firmware } = await client.queryOTAFirmware({ firmwareId: "kF8sPq2LmN4rT6vX9zB1cD0100" })
          expect(firmware.multiFiles?.map((file) => [file.name, file.size])).toEqual([
            ["app.bin", 20480],
            ["boot.bin", 4096]
          ])
          const jobs = await client.listOTAJobByFirmware({ firmwareId: FIRMWARE })
          expect(jobs.jobs.map((job) => [job.jobId, job.jobStatus])).toEqual([
            [JOBS[0], "IN_PROGRESS"],
            [JOBS[1], "COMPLETED"]
          ])
          const deviceJobs = await client.listOTAJobByDevice({ ...device, iotInstanceId: "iot-1" })
          expect(deviceJobs).toMatchObject({ total: 2, currentPage: 1, pageSize: 10, pageCount: 1 })
          const { tasks } = await client.listOTAUnfinishedTaskByDevice({
            productKey: LAMP,
            deviceName: "lamp-0002",
            taskStatusList: ["QUEUED", "CONFIRM"]
          })
          expect(tasks).toMatchObject([
            { deviceName: "lamp-0002", taskStatus: "QUEUED", moduleName: "default" }
          ])
          expect(server.requests).toEqual([
            {
              action: "ListOTAFirmware",
              params: { ProductKey: LAMP, PageSize: "100", CurrentPage: "1" }
            },
            { action: "QueryOTAFirmware", params: { FirmwareId: "kF8sPq2LmN4rT6vX9zB1cD0100" } },
            {
              action: "ListOTAJobByFirmware",
              params: { FirmwareId: FIRMWARE, PageSize: "10", CurrentPage: "1" }
            },
            {
              action: "ListOTAJobByDevice",
              params: {
                ProductKey: LAMP,
                DeviceName: "lamp-0001",
                FirmwareId: FIRMWARE,
                PageSize: "10",
                CurrentPage: "1",
                IotInstanceId: "iot-1"
              }
            },
            {
              action: "ListOTAUnfinishedTaskByDevice",
              params: {
                ProductKey: LAMP,
                DeviceName: "lamp-0002",
                "TaskStatusList.1": "QUEUED",
                "TaskStatusList.2": "CONFIRM"
              }
            }
          ])
        } finally {
          await client.close()
        }
      })

      it("pages through each listing, item by item and page by page", async () => {
        const server = await readPathServer()
        const client = clientFor(server.url, signatureAlgorithm)
        try {
          const firmware = await collect(client.paginateOTAFirmware({ pageSize: 1 }))
          expect(firmware.map((item) => item.destVersion)).toEqual(["1.0.1", "1.0.2"])
          const byFirmware = await collect(
            client.paginateOTAJobByFirmware({ firmwareId: FIRMWARE, pageSize: 1 })
          )
          expect(byFirmware.map((job) => job.jobId)).toEqual(JOBS)
          const byDevice = await collect(client.paginateOTAJobByDevice(device))
          expect(byDevice.map((job) => job.jobId)).toEqual(JOBS)
          const pages = await collect(
            client.paginateOTAJobByFirmwarePages({ firmwareId: FIRMWARE, pageSize: 1 })
          )
          expect(pages.map((page) => [page.currentPage, page.jobs.length])).toEqual([
            [1, 1],
            [2, 1]
          ])
          expect(
            server.requests.map(({ action, params }) => [action, params.PageSize, params.CurrentPage])
          ).toEqual([
            ["ListOTAFirmware", "1", "1"],
            ["ListOTAFirmware", "1", "2"],
            ["ListOTAJobByFirmware", "1", "1"],
            ["ListOTAJobByFirmware", "1", "2"],
            ["ListOTAJobByDevice", "100", "1"],
            ["ListOTAJobByFirmware", "1", "1"],
            ["ListOTAJobByFirmware", "1", "2"]
          ])
        } finally {
          await client.close()
        }
      })
    }
  )

  describe("bad input to the read path", () => {
    it("is refused naming the field, before any request", async () => {
      const server = await readPathServer()
      const client = clientFor(server.url)
      try {
        const refused: Array<[Promise<unknown>, string]> = [
          [client.listOTAFirmware({ pageSize: 101 }), "pageSize"],
          [client.queryOTAFirmware({ firmwareId: " " }), "firmwareId"],
          [client.listOTAJobByFirmware({ firmwareId: FIRMWARE, pageSize: 201 }), "pageSize"],
          [client.listOTAJobByDevice({ ...device, deviceName: "" }), "deviceName"],
          [
            client.listOTAUnfinishedTaskByDevice({
              productKey: LAMP,
              deviceName: "lamp-0002",
              taskStatus: "SUCCEEDED" as "QUEUED"
            }),
            "taskStatus"
          ],
          [collect(client.paginateOTAJobByDevice({ ...device, pageSize: 0 })), "pageSize"]
        ]
        for (const [call, field] of refused) {
          const error = await rejection(call)
          expect(error).toBeInstanceOf(ValidationError)
          expect(error).toMatchObject({ field })
        }
        expect(server.requests).toEqual([])
      } finally {
        await client.close()
      }
    })
  })
}
