/**
 * What every runtime's Promise client (`@iot-ota/node`, `@iot-ota/edge`)
 * exposes from the core besides its own `OtaClient`: the errors and their
 * guards, the task models, and the call options. One list, so the runtime
 * packages cannot drift apart.
 *
 * @since 0.1.0
 */

export {
  ApiError,
  CredentialsError,
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
} from "./IotError.js"
export type {
  ListOTATaskByJobInput,
  OtaTask,
  OtaTaskPage,
  TaskStatus
} from "./operations/ListOTATaskByJob.js"
export { TASK_STATUSES, TERMINAL_STATUSES } from "./operations/ListOTATaskByJob.js"
export type {
  CallOptions,
  LogLevelName,
  PaginateOptions,
  PaginateOTATaskByJobInput
} from "./PromiseClient.js"
export type { SignatureAlgorithm } from "./Signer.js"
