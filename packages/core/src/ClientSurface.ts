/**
 * What every runtime's Promise client (`@iot-ota/node`, `@iot-ota/edge`)
 * exposes from the core besides its own `OtaClient`: the errors and their
 * guards, the operations and their models, and the call options. One list, so the runtime
 * packages cannot drift apart.
 *
 * @since 0.1.0
 */

export type { ProvidedCredential } from "./ClientOptions.js"
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
  PaginationError,
  TimeoutError,
  TransportError,
  ValidationError
} from "./IotError.js"
export type { Operation } from "./Operation.js"
export {
  ListOTAFirmware,
  type ListOTAFirmwareInput,
  type OtaFirmwarePage,
  type OtaFirmwareSummary
} from "./operations/ListOTAFirmware.js"
export { ListOTAJobByDevice, type ListOTAJobByDeviceInput } from "./operations/ListOTAJobByDevice.js"
export {
  ListOTAJobByFirmware,
  type ListOTAJobByFirmwareInput,
  type OtaJobPage,
  type OtaJobSummary
} from "./operations/ListOTAJobByFirmware.js"
export {
  ListOTATaskByJob,
  type ListOTATaskByJobInput,
  type OtaTask,
  type OtaTaskPage,
  TASK_STATUSES,
  type TaskStatus,
  TERMINAL_STATUSES
} from "./operations/ListOTATaskByJob.js"
export {
  ListOTAUnfinishedTaskByDevice,
  type ListOTAUnfinishedTaskByDeviceInput,
  type OtaUnfinishedTask,
  type UnfinishedTaskStatus
} from "./operations/ListOTAUnfinishedTaskByDevice.js"
export {
  type OtaFirmware,
  type OtaFirmwareFile,
  QueryOTAFirmware,
  type QueryOTAFirmwareInput
} from "./operations/QueryOTAFirmware.js"
export { type OtaJob, QueryOTAJob } from "./operations/QueryOTAJob.js"
export type {
  CallOptions,
  LogLevelName,
  PaginateOptions,
  PaginateOTATaskByJobInput
} from "./PromiseClient.js"
export type { AttemptEvent } from "./RpcClient.js"
export type { SignatureAlgorithm } from "./Signer.js"
