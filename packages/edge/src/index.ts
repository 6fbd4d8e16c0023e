/**
 * @iot-ota/edge: the ListOTATaskByJob client for runtimes with `fetch` and
 * WebCrypto: Deno, Cloudflare Workers, Vercel / Next.js edge routes, Bun and
 * browsers.
 *
 * ```ts
 * import { OtaClient } from "@iot-ota/edge"
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
export {
  type EnvLike,
  layer,
  OtaClient,
  type OtaClientEnvOptions,
  type OtaClientExplicitOptions,
  type OtaClientOptions,
  type OtaClientSettings,
  resolveOptions
} from "./OtaClient.js"
