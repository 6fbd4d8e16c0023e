/**
 * A Worker that signs with temporary credentials from STS `AssumeRoleWithOIDC`, all of it from
 * `@iot-ota/edge`'s runtime-neutral providers and the core's Effect client over `fetch`: the OIDC token and
 * the endpoints arrive as `env` bindings. The provider lives as long as the isolate, so requests share its
 * cached credential. Answers with the first page's task count and where the credential came from.
 */
import * as ClientConfig from "@iot-ota/core/ClientConfig"
import * as Credentials from "@iot-ota/core/Credentials"
import * as RpcClient from "@iot-ota/core/RpcClient"
import * as Transport from "@iot-ota/core/Transport"
import { fromOidc, isOtaError, ListOTATaskByJob } from "@iot-ota/edge"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

interface Env {
  readonly OTA_ENDPOINT: string
  readonly STS_ENDPOINT: string
  readonly ROLE_ARN: string
  readonly OIDC_PROVIDER_ARN: string
  readonly OIDC_TOKEN: string
  readonly JOB_ID: string
}

let provider: Promise<Credentials.CredentialsService> | undefined

export default {
  async fetch(_request: Request, env: Env): Promise<Response> {
    provider ??= Effect.runPromise(
      fromOidc({
        roleArn: env.ROLE_ARN,
        oidcProviderArn: env.OIDC_PROVIDER_ARN,
        token: () => env.OIDC_TOKEN,
        endpoint: env.STS_ENDPOINT
      })
    )
    const credentials = await provider
    const layer = RpcClient.layer.pipe(
      Layer.provide(Transport.layerFetch),
      Layer.provide(Layer.succeed(Credentials.Credentials, credentials)),
      Layer.provide(ClientConfig.layer({ endpoint: env.OTA_ENDPOINT, qps: 0, maxAttempts: 1 })),
      Layer.orDie
    )
    try {
      const page = await Effect.runPromise(
        Effect.provide(
          Effect.flatMap(RpcClient.RpcClient, (rpc) =>
            rpc.call(ListOTATaskByJob, { jobId: env.JOB_ID, pageSize: 10 })
          ),
          layer
        )
      )
      return Response.json({ tasks: page.tasks.length, source: credentials.source })
    } catch (error) {
      if (!isOtaError(error)) throw error
      return Response.json({ error: { tag: error._tag, message: error.message } }, { status: 500 })
    }
  }
}
