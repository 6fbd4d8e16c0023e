/**
 * The operations table: every declared operation, by action. The clients'
 * named methods (`listOTATaskByJob`, `paginateOTATaskByJob`, `queryOTAJob`,
 * …) are generated from it, so adding an operation adds one line here.
 *
 * @since 0.1.0
 */
import { ListOTAFirmware } from "./operations/ListOTAFirmware.js"
import { ListOTAJobByDevice } from "./operations/ListOTAJobByDevice.js"
import { ListOTAJobByFirmware } from "./operations/ListOTAJobByFirmware.js"
import { ListOTATaskByJob } from "./operations/ListOTATaskByJob.js"
import { ListOTAUnfinishedTaskByDevice } from "./operations/ListOTAUnfinishedTaskByDevice.js"
import { QueryOTAFirmware } from "./operations/QueryOTAFirmware.js"
import { QueryOTAJob } from "./operations/QueryOTAJob.js"

/**
 * Every declared operation, keyed by its action.
 *
 * @since 0.1.0
 * @category operations
 * @example
 * ```ts
 * import { Operations } from "@iot-ota/core/Operations"
 *
 * Object.keys(Operations) // ["ListOTATaskByJob", "QueryOTAJob", ...]
 * ```
 */
export const Operations = {
  ListOTATaskByJob,
  QueryOTAJob,
  ListOTAFirmware,
  QueryOTAFirmware,
  ListOTAJobByFirmware,
  ListOTAJobByDevice,
  ListOTAUnfinishedTaskByDevice
} as const

/**
 * The operations table's type.
 *
 * @since 0.1.0
 * @category models
 */
export type Operations = typeof Operations
