/**
 * `QueryOTAFirmware`: one OTA update package (firmware) in full: its
 * versions, product and module, verification state, and where to download
 * its file or files. Reference: docs/api/QueryOTAFirmware.md.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import * as Operation from "../Operation.js"
import * as Wire from "../Wire.js"

/**
 * One file of a package made of several files.
 *
 * @since 0.1.0
 * @category schemas
 * @example
 * ```ts
 * import type { OtaFirmwareFile } from "@iot-ota/core/operations/QueryOTAFirmware"
 *
 * const describe = (file: OtaFirmwareFile) => `${file.name} (${file.size ?? "?"} bytes)`
 * ```
 */
export const OtaFirmwareFile = Schema.Struct({
  name: Schema.String,
  /** A pre-signed OSS URL that expires: it grants the download, so never log it whole. */
  url: Schema.String,
  /** In bytes. */
  size: Wire.optional(Schema.Number),
  fileMd5: Wire.optional(Schema.String),
  /** The file's signature, made with the package's `signMethod`. */
  signValue: Wire.optional(Schema.String)
})

/**
 * One file of a package made of several files.
 *
 * @since 0.1.0
 * @category models
 */
export interface OtaFirmwareFile extends Schema.Schema.Type<typeof OtaFirmwareFile> {}

/**
 * One update package. A package of one file has `firmwareUrl`,
 * `firmwareSize` and `firmwareSign`; a package of several has `multiFiles`
 * instead. Listings return its summary (`OtaFirmwareSummary`).
 *
 * @since 0.1.0
 * @category schemas
 * @example
 * ```ts
 * import type { OtaFirmware } from "@iot-ota/core/operations/QueryOTAFirmware"
 *
 * const downloads = (firmware: OtaFirmware): Array<string> =>
 *   firmware.multiFiles?.map((file) => file.url) ?? (firmware.firmwareUrl === undefined ? [] : [firmware.firmwareUrl])
 * ```
 */
export const OtaFirmware = Schema.Struct({
  firmwareId: Schema.String,
  firmwareName: Wire.optional(Schema.String),
  firmwareDesc: Wire.optional(Schema.String),
  productKey: Wire.OrEmpty,
  productName: Wire.optional(Schema.String),
  /** The OTA module the package updates, `default` unless a custom module was chosen. */
  moduleName: Wire.optional(Schema.String),
  /** The package's version. */
  destVersion: Wire.OrEmpty,
  /** The version a differential package applies to (absent for full packages). */
  srcVersion: Wire.optional(Schema.String),
  /** `0` full package, `1` differential package (others kept as sent). */
  type: Wire.optional(Schema.Number),
  /**
   * `-1` needs no verification, `0` unverified, `1` verified, `2` verifying,
   * `3` verification failed (others kept as sent).
   */
  status: Wire.optional(Schema.Number),
  /** Verification progress in percent (0..100). */
  verifyProgress: Wire.optional(Schema.Number),
  /** A pre-signed OSS URL that expires (one-file packages): it grants the download, so never log it whole. */
  firmwareUrl: Wire.optional(Schema.String),
  /** In bytes (one-file packages). */
  firmwareSize: Wire.optional(Schema.Number),
  /** The file's signature, made with `signMethod` (one-file packages). */
  firmwareSign: Wire.optional(Schema.String),
  /** `MD5`; older packages and Tuya's endpoints also `SHA256`. */
  signMethod: Wire.optional(Schema.String),
  /** Free text (often JSON) pushed to devices with the update notice, up to 4,096 characters. */
  udi: Wire.optional(Schema.String),
  multiFiles: Wire.optional(Schema.Array(OtaFirmwareFile)),
  utcCreate: Wire.optional(Schema.DateFromSelf),
  utcModified: Wire.optional(Schema.DateFromSelf)
})

/**
 * One update package; optional fields are absent when the server left them out.
 *
 * @since 0.1.0
 * @category models
 */
export interface OtaFirmware extends Schema.Schema.Type<typeof OtaFirmware> {}

/**
 * The operation: `{ firmwareId, iotInstanceId? }` → `{ firmware, requestId? }`.
 *
 * @since 0.1.0
 * @category operations
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { OtaClient } from "@iot-ota/core/OtaClient"
 *
 * const version = Effect.flatMap(OtaClient, (client) => client.queryOTAFirmware({ firmwareId: "fw-1" })).pipe(
 *   Effect.map(({ firmware }) => `${firmware.firmwareName ?? firmware.firmwareId} ${firmware.destVersion}`)
 * )
 * ```
 */
export const QueryOTAFirmware = Operation.make({
  action: "QueryOTAFirmware",
  input: Schema.Struct({
    firmwareId: Wire.NonBlank.pipe(Wire.param("FirmwareId")),
    iotInstanceId: Schema.optional(Wire.NonBlank).pipe(Wire.param("IotInstanceId"))
  }),
  output: Schema.Struct({
    requestId: Wire.optional(Schema.String),
    firmware: OtaFirmware.pipe(Wire.from("FirmwareInfo"))
  })
})

/**
 * What `queryOTAFirmware` takes.
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import type { QueryOTAFirmwareInput } from "@iot-ota/core/operations/QueryOTAFirmware"
 *
 * const input: QueryOTAFirmwareInput = { firmwareId: "fw-1", iotInstanceId: "iot-cn-0pp1n8t" }
 * ```
 */
export type QueryOTAFirmwareInput = Operation.Operation.Input<typeof QueryOTAFirmware>
