/**
 * @iot-ota/node/effect: the client's Effect API for Node.js: the `layer`
 * that provides the core's `OtaClient` and `RpcClient` services, and the
 * Node services it is built from. Unlike the package's main entry, these
 * modules import `effect` (a peer dependency), so an application and the
 * client share one copy of it.
 *
 * ```ts
 * import { layer } from "@iot-ota/node/effect"
 * ```
 *
 * `UndiciTransport` is its own subpath, `@iot-ota/node/UndiciTransport`: it
 * needs the optional peer dependency `undici`.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as NodeHttpTransport from "./NodeHttpTransport.js"
/** @since 0.1.0 */
export * as NodeSigningCrypto from "./NodeSigningCrypto.js"
export {
  layer,
  layerFromResolved,
  type OtaClientOptions,
  resolveOptions,
  settingsSources
} from "./OtaClient.js"
/** @since 0.1.0 */
export * as Profile from "./Profile.js"
