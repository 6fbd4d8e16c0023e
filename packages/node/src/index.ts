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
export * as NodeSigningCrypto from "./NodeSigningCrypto.js"
export {
  layer,
  layerFromResolved,
  OtaBaseClient,
  OtaClient,
  type OtaClientOptions,
  resolveOptions,
  settingsSources
} from "./OtaClient.js"
/** @since 0.1.0 */
export * as Profile from "./Profile.js"
/** @since 0.1.0 */
export * as UndiciTransport from "./UndiciTransport.js"
