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

export * from "@iot-ota/core/ClientSurface"
// The credential providers that need neither a file system nor a metadata service.
export { fromAssumeRole, fromOidc } from "@iot-ota/core/CredentialProviders"
export { cached, chain, fromFunction, fromStatic } from "@iot-ota/core/Credentials"
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
