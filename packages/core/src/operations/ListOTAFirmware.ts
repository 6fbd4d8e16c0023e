/**
 * `ListOTAFirmware`: the account's OTA update packages (firmware), one page
 * at a time, optionally only those of one product or one version.
 * Reference: docs/api/ListOTAFirmware.md.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import * as Operation from "../Operation.js"
import * as Wire from "../Wire.js"
import { OtaFirmware } from "./QueryOTAFirmware.js"

/**
 * An update package as listings return it: `OtaFirmware` without the
 * verification progress, download URLs and device message
 * (`queryOTAFirmware` has those).
 *
 * @since 0.1.0
 * @category schemas
 * @example
 * ```ts
 * import type { OtaFirmwareSummary } from "@iot-ota/core/operations/ListOTAFirmware"
 *
 * const isDifferential = (firmware: OtaFirmwareSummary) => firmware.type === 1
 * ```
 */
export const OtaFirmwareSummary = OtaFirmware.omit("verifyProgress", "firmwareUrl", "udi", "multiFiles")

/**
 * An update package as listings return it.
 *
 * @since 0.1.0
 * @category models
 */
export interface OtaFirmwareSummary extends Schema.Schema.Type<typeof OtaFirmwareSummary> {}

/**
 * One page of update packages, with the server's total over all pages.
 *
 * @since 0.1.0
 * @category schemas
 * @example
 * ```ts
 * import type { OtaFirmwarePage } from "@iot-ota/core/operations/ListOTAFirmware"
 *
 * const versions = (page: OtaFirmwarePage) => page.firmware.map((firmware) => firmware.destVersion)
 * ```
 */
export const OtaFirmwarePage = Schema.Struct({
  requestId: Wire.optional(Schema.String),
  total: Wire.Count,
  pageSize: Wire.Count,
  currentPage: Wire.Count,
  pageCount: Wire.Count,
  firmware: Schema.optionalWith(Schema.Array(OtaFirmwareSummary), { default: () => [] }).pipe(
    Wire.from("FirmwareInfo.SimpleFirmwareInfo")
  )
})

/**
 * One page of update packages.
 *
 * @since 0.1.0
 * @category models
 */
export interface OtaFirmwarePage extends Schema.Schema.Type<typeof OtaFirmwarePage> {}

/**
 * The operation. `pageSize` defaults to 10 (at most 100) and `currentPage`
 * to 1. The offset cap is not documented for this listing; the 100,000 of
 * `ListOTATaskByJob` is assumed (an account holds at most 500 packages).
 *
 * @since 0.1.0
 * @category operations
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { OtaClient } from "@iot-ota/core/OtaClient"
 *
 * // The versions of one product's packages, over every page.
 * const versions = Effect.flatMap(OtaClient, (client) =>
 *   client.streamOTAFirmware({ productKey: "a1GUfrM3kLp" }).pipe(
 *     Stream.map((firmware) => firmware.destVersion),
 *     Stream.runCollect
 *   )
 * )
 * ```
 */
export const ListOTAFirmware = Operation.paged({
  action: "ListOTAFirmware",
  input: Schema.Struct({
    pageSize: Schema.optionalWith(Wire.PageSize(100), { default: () => 10 }).pipe(Wire.param("PageSize")),
    currentPage: Schema.optionalWith(Wire.PageNumber, { default: () => 1 }).pipe(Wire.param("CurrentPage")),
    productKey: Schema.optional(Wire.NonBlank).pipe(Wire.param("ProductKey")),
    /** Only packages of exactly this version. */
    destVersion: Schema.optional(Wire.NonBlank).pipe(Wire.param("DestVersion")),
    iotInstanceId: Schema.optional(Wire.NonBlank).pipe(Wire.param("IotInstanceId"))
  }),
  output: OtaFirmwarePage,
  paging: {
    items: "firmware",
    total: "total",
    page: "currentPage",
    pageSize: "pageSize",
    pageCount: "pageCount",
    maxPageSize: 100,
    maxOffset: 100_000,
    itemKey: "firmwareId"
  }
})

/**
 * What `listOTAFirmware` takes (every field optional).
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import type { ListOTAFirmwareInput } from "@iot-ota/core/operations/ListOTAFirmware"
 *
 * const input: ListOTAFirmwareInput = { productKey: "a1GUfrM3kLp", destVersion: "1.0.1" }
 * ```
 */
export type ListOTAFirmwareInput = Operation.Operation.Input<typeof ListOTAFirmware>
