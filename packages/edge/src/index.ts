/**
 * @iot-ota/edge: the ListOTATaskByJob client for runtimes with `fetch` and
 * WebCrypto: Deno, Cloudflare Workers, Vercel / Next.js edge routes, Bun and
 * browsers.
 *
 * ```ts
 * import { OtaClient } from "@iot-ota/edge"
 * ```
 *
 * This entry is published as one bundled, tree-shaken file with `effect`
 * and `@iot-ota/core` inlined: a runtime that loads it directly (Deno, Bun)
 * parses one file instead of effect's module graph, and a bundler finds
 * nothing left to shake. Effect users compose the client from
 * `@iot-ota/edge/effect` instead, which shares their copy of `effect`.
 *
 * @since 0.1.0
 */

export * from "@iot-ota/core/ClientSurface"
// The credential providers that need neither a file system nor a metadata service.
export { fromAssumeRole, fromOidc } from "@iot-ota/core/CredentialProviders"
export { cached, chain, fromFunction, fromStatic } from "@iot-ota/core/Credentials"
export {
  type EnvLike,
  OtaBaseClient,
  OtaClient,
  type OtaClientEnvOptions,
  type OtaClientExplicitOptions,
  type OtaClientOptions,
  type OtaClientProviderOptions,
  type OtaClientSettings,
  resolveOptions
} from "./OtaClient.js"
