/**
 * @iot-ota/node: the ListOTATaskByJob client for Node.js.
 *
 * ```ts
 * import { OtaClient } from "@iot-ota/node"
 * ```
 *
 * @since 0.1.0
 */

export * from "@iot-ota/core/ClientSurface"
/** @since 0.1.0 */
export * as CredentialProviders from "./CredentialProviders.js"
export {
  cached,
  chain,
  defaultChain,
  fromAliyunCli,
  fromAssumeRole,
  fromEcsMetadata,
  fromEnv,
  fromFunction,
  fromOidc,
  fromProfile,
  fromStatic
} from "./CredentialProviders.js"
/** @since 0.1.0 */
export * as NodeSigningCrypto from "./NodeSigningCrypto.js"
export { layer, OtaClient, type OtaClientOptions, resolveOptions } from "./OtaClient.js"
/** @since 0.1.0 */
export * as Profile from "./Profile.js"
/** @since 0.1.0 */
export * as UndiciTransport from "./UndiciTransport.js"
