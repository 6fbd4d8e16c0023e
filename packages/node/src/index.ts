/**
 * @iot-ota/node: the ListOTATaskByJob client for Node.js, with Promises and
 * async iterators.
 *
 * ```ts
 * import { OtaClient } from "@iot-ota/node"
 * ```
 *
 * This entry is published as one bundled, tree-shaken file with `effect`
 * and `@iot-ota/core` inlined, so that a fresh process loads it in a few
 * tens of milliseconds. Effect users compose the client from
 * `@iot-ota/node/effect` instead, which shares their copy of `effect`.
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
export {
  OtaBaseClient,
  OtaClient,
  type OtaClientOptions,
  resolveOptions,
  settingsSources
} from "./OtaClient.js"
