/**
 * @iot-ota/edge/effect: the client's Effect API for runtimes with `fetch`
 * and WebCrypto: the `layer` that provides the core's `OtaClient` and
 * `RpcClient` services over `fetch`. Unlike the package's main entry, this
 * module imports `effect` (a peer dependency), so an application and the
 * client share one copy of it.
 *
 * ```ts
 * import { layer } from "@iot-ota/edge/effect"
 * ```
 *
 * @since 0.1.0
 */

export {
  type EnvLike,
  layer,
  type OtaClientEnvOptions,
  type OtaClientExplicitOptions,
  type OtaClientOptions,
  type OtaClientSettings,
  resolveOptions
} from "./OtaClient.js"
