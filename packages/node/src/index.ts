/**
 * @iot-ota/node: the ListOTATaskByJob client for Node.js.
 *
 * ```ts
 * import { OtaClient } from "@iot-ota/node"
 * ```
 *
 * @since 0.1.0
 */

export {
  ApiError,
  DecodeError,
  HttpError,
  isAuthError,
  isOtaError,
  isRetryable,
  isThrottling,
  type OtaError,
  TimeoutError,
  TransportError,
  ValidationError
} from "@iot-ota/core/IotError"
export type {
  ListOTATaskByJobInput,
  OtaTask,
  OtaTaskPage,
  TaskStatus
} from "@iot-ota/core/operations/ListOTATaskByJob"
export { TASK_STATUSES, TERMINAL_STATUSES } from "@iot-ota/core/operations/ListOTATaskByJob"
export type {
  CallOptions,
  LogLevelName,
  PaginateOptions,
  PaginateOTATaskByJobInput
} from "@iot-ota/core/PromiseClient"
export type { SignatureAlgorithm } from "@iot-ota/core/Signer"
/** @since 0.1.0 */
export * as NodeSigningCrypto from "./NodeSigningCrypto.js"
export { layer, OtaClient, type OtaClientOptions, resolveOptions } from "./OtaClient.js"
/** @since 0.1.0 */
export * as Profile from "./Profile.js"
/** @since 0.1.0 */
export * as UndiciTransport from "./UndiciTransport.js"
