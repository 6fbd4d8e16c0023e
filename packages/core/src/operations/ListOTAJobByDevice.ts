/**
 * `ListOTAJobByDevice`: the update batches (jobs) of one update package
 * (firmware) that include one device, one page at a time.
 * Reference: docs/api/ListOTAJobByDevice.md.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import * as Operation from "../Operation.js"
import * as Wire from "../Wire.js"
import { OtaJobPage } from "./ListOTAJobByFirmware.js"

/**
 * The operation: pages of `OtaJobSummary`, as `ListOTAJobByFirmware`.
 * `pageSize` defaults to 10 (at most 100) and `currentPage` to 1. The
 * offset cap is not documented for this listing; the 100,000 of
 * `ListOTATaskByJob` is assumed.
 *
 * @since 0.1.0
 * @category operations
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { OtaClient } from "@iot-ota/core/OtaClient"
 *
 * // Which batches of this package included lamp-0001?
 * const jobIds = Effect.flatMap(OtaClient, (client) =>
 *   client.listOTAJobByDevice({ productKey: "a1GUfrM3kLp", deviceName: "lamp-0001", firmwareId: "fw-1" })
 * ).pipe(Effect.map((page) => page.jobs.map((job) => job.jobId)))
 * ```
 */
export const ListOTAJobByDevice = Operation.paged({
  action: "ListOTAJobByDevice",
  input: Schema.Struct({
    productKey: Wire.NonBlank.pipe(Wire.param("ProductKey")),
    deviceName: Wire.NonBlank.pipe(Wire.param("DeviceName")),
    firmwareId: Wire.NonBlank.pipe(Wire.param("FirmwareId")),
    pageSize: Schema.optionalWith(Wire.PageSize(100), { default: () => 10 }).pipe(Wire.param("PageSize")),
    currentPage: Schema.optionalWith(Wire.PageNumber, { default: () => 1 }).pipe(Wire.param("CurrentPage")),
    iotInstanceId: Schema.optional(Wire.NonBlank).pipe(Wire.param("IotInstanceId"))
  }),
  output: OtaJobPage,
  paging: {
    items: "jobs",
    total: "total",
    page: "currentPage",
    pageSize: "pageSize",
    pageCount: "pageCount",
    maxPageSize: 100,
    maxOffset: 100_000,
    itemKey: "jobId"
  }
})

/**
 * What `listOTAJobByDevice` takes.
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import type { ListOTAJobByDeviceInput } from "@iot-ota/core/operations/ListOTAJobByDevice"
 *
 * const input: ListOTAJobByDeviceInput = { productKey: "a1GUfrM3kLp", deviceName: "lamp-0001", firmwareId: "fw-1" }
 * ```
 */
export type ListOTAJobByDeviceInput = Operation.Operation.Input<typeof ListOTAJobByDevice>
