/**
 * @iot-ota/core: a runtime-neutral Effect client for the IoT Platform OTA API
 * `ListOTATaskByJob`.
 *
 * This entry loads only what needs nothing beyond `effect`: the
 * `HttpClient`-backed transport, whose `@effect/platform` is an optional
 * peer dependency, is its own subpath, `@iot-ota/core/HttpClientTransport`.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as ClientConfig from "./ClientConfig.js"
/** @since 0.1.0 */
export * as ClientOptions from "./ClientOptions.js"
/** @since 0.1.0 */
export * as ClientSurface from "./ClientSurface.js"
/** @since 0.1.0 */
export * as CredentialProviders from "./CredentialProviders.js"
/** @since 0.1.0 */
export * as Credentials from "./Credentials.js"
/** @since 0.1.0 */
export * as IotError from "./IotError.js"
/** @since 0.1.0 */
export * as Nonce from "./Nonce.js"
/** @since 0.1.0 */
export * as Operation from "./Operation.js"
/** @since 0.1.0 */
export * as Operations from "./Operations.js"
/** @since 0.1.0 */
export * as OtaClient from "./OtaClient.js"
/** @since 0.1.0 */
export * as ListOTAFirmware from "./operations/ListOTAFirmware.js"
/** @since 0.1.0 */
export * as ListOTAJobByDevice from "./operations/ListOTAJobByDevice.js"
/** @since 0.1.0 */
export * as ListOTAJobByFirmware from "./operations/ListOTAJobByFirmware.js"
/** @since 0.1.0 */
export * as ListOTATaskByJob from "./operations/ListOTATaskByJob.js"
/** @since 0.1.0 */
export * as ListOTAUnfinishedTaskByDevice from "./operations/ListOTAUnfinishedTaskByDevice.js"
/** @since 0.1.0 */
export * as QueryOTAFirmware from "./operations/QueryOTAFirmware.js"
/** @since 0.1.0 */
export * as QueryOTAJob from "./operations/QueryOTAJob.js"
/** @since 0.1.0 */
export * as Pagination from "./Pagination.js"
/** @since 0.1.0 */
export * as PromiseClient from "./PromiseClient.js"
/** @since 0.1.0 */
export * as RateLimiter from "./RateLimiter.js"
/** @since 0.1.0 */
export * as RetryPolicy from "./RetryPolicy.js"
/** @since 0.1.0 */
export * as RpcClient from "./RpcClient.js"
/** @since 0.1.0 */
export * as Settings from "./Settings.js"
/** @since 0.1.0 */
export * as Signer from "./Signer.js"
/** @since 0.1.0 */
export * as SignerV3 from "./SignerV3.js"
/** @since 0.1.0 */
export * as SigningCrypto from "./SigningCrypto.js"
/** @since 0.1.0 */
export * as Transport from "./Transport.js"
/** @since 0.1.0 */
export * as Wire from "./Wire.js"
