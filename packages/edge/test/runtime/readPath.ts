/**
 * The read-path program the real-runtime tests run (bundled for Deno, Bun and, behind a fetch
 * handler, workerd): for each configuration it is given (endpoint, key, signature algorithm), it calls
 * every read operation but the task listing through the public `@iot-ota/edge` client, pages with small
 * pages so that paging is exercised, and answers what came back as JSON, never the secret. The test
 * compares it with the emulator's ground truth. One run does every configuration, so each runtime
 * starts once.
 */
import { isOtaError, OtaClient, type OtaClientExplicitOptions } from "@iot-ota/edge"

export interface ReadPathTarget {
  /** A name for the configuration, echoed in the outcome. */
  readonly label: string
  readonly options: OtaClientExplicitOptions
  readonly productKey: string
  readonly deviceName: string
  readonly firmwareId: string
  readonly jobId: string
}

export interface ReadPathRequest {
  readonly targets: ReadonlyArray<ReadPathTarget>
}

/** What each call answered (records as JSON: dates as ISO strings, absent fields left out). */
export interface ReadPathAnswers {
  readonly firmware: ReadonlyArray<unknown>
  readonly firmwarePage: {
    readonly total: number
    readonly pageCount: number
    readonly firmware: ReadonlyArray<unknown>
  }
  readonly firmwareDetail: unknown
  readonly jobsByFirmware: ReadonlyArray<unknown>
  readonly job: unknown
  readonly jobsByDevice: ReadonlyArray<unknown>
  readonly unfinished: ReadonlyArray<unknown>
  /** The error codes of the not-found answers, by call. */
  readonly notFound: Readonly<Record<string, string>>
}

export type ReadPathOutcome =
  | { readonly label: string; readonly ok: true; readonly answers: ReadPathAnswers }
  | {
      readonly label: string
      readonly ok: false
      readonly error: { readonly tag: string; readonly message: string }
    }

const collect = async <A>(items: AsyncIterable<A>): Promise<Array<A>> => {
  const out: Array<A> = []
  for await (const item of items) out.push(item)
  return out
}

/** The JSON form of a value, as the test reads it. */
const json = <A>(value: A): unknown => JSON.parse(JSON.stringify(value))

const codeOf = (call: Promise<unknown>): Promise<string> =>
  call.then(
    () => "answered",
    (error: unknown) => (isOtaError(error) && error._tag === "ApiError" ? error.code : `${String(error)}`)
  )

const run = async (target: ReadPathTarget): Promise<ReadPathOutcome> => {
  const client = new OtaClient(target.options)
  try {
    const { productKey, deviceName, firmwareId, jobId } = target
    const device = { productKey, deviceName }
    const firmware = await collect(client.paginateOTAFirmware({ pageSize: 7 }))
    const firmwarePage = await client.listOTAFirmware({ productKey, pageSize: 100 })
    const { firmware: firmwareDetail } = await client.queryOTAFirmware({ firmwareId })
    const jobsByFirmware = await collect(client.paginateOTAJobByFirmware({ firmwareId, pageSize: 2 }))
    const { job } = await client.queryOTAJob({ jobId })
    const jobsByDevice = await collect(client.paginateOTAJobByDevice({ ...device, firmwareId, pageSize: 1 }))
    const { tasks: unfinished } = await client.listOTAUnfinishedTaskByDevice(device)
    const notFound = {
      queryOTAJob: await codeOf(client.queryOTAJob({ jobId: "no-such-job" })),
      queryOTAFirmware: await codeOf(client.queryOTAFirmware({ firmwareId: "no-such-firmware" })),
      listOTAJobByFirmware: await codeOf(client.listOTAJobByFirmware({ firmwareId: "no-such-firmware" })),
      listOTAJobByDevice: await codeOf(
        client.listOTAJobByDevice({ ...device, deviceName: "no-such-device", firmwareId })
      ),
      listOTAUnfinishedTaskByDevice: await codeOf(
        client.listOTAUnfinishedTaskByDevice({ ...device, deviceName: "no-such-device" })
      ),
      listOTAFirmware: await codeOf(client.listOTAFirmware({ productKey: "a1NoSuchPk9" }))
    }
    return {
      label: target.label,
      ok: true,
      answers: {
        firmware: firmware.map(json),
        firmwarePage: {
          total: firmwarePage.total,
          pageCount: firmwarePage.pageCount,
          firmware: firmwarePage.firmware.map(json)
        },
        firmwareDetail: json(firmwareDetail),
        jobsByFirmware: jobsByFirmware.map(json),
        job: json(job),
        jobsByDevice: jobsByDevice.map(json),
        unfinished: unfinished.map(json),
        notFound
      }
    }
  } catch (error) {
    if (!isOtaError(error)) throw error
    return { label: target.label, ok: false, error: { tag: error._tag, message: error.message } }
  } finally {
    await client.close()
  }
}

/** Every configuration, one after the other. */
export const readPath = async (request: ReadPathRequest): Promise<ReadonlyArray<ReadPathOutcome>> => {
  const outcomes: Array<ReadPathOutcome> = []
  for (const target of request.targets) outcomes.push(await run(target))
  return outcomes
}
