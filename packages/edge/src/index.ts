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
export {
  type EnvLike,
  layer,
  OtaBaseClient,
  OtaClient,
  type OtaClientEnvOptions,
  type OtaClientExplicitOptions,
  type OtaClientOptions,
  type OtaClientProviderOptions,
  type OtaClientSettings,
  resolveOptions
} from "./OtaClient.js"
