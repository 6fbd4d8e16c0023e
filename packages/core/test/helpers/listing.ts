/**
 * Pieces the quota tests share: a whole listing of task ids by a client of
 * its own, and signing that the TestClock alone schedules.
 */
import { createHash, createHmac } from "node:crypto"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import type { ClientConfig } from "../../src/ClientConfig.js"
import type { Credentials } from "../../src/Credentials.js"
import { OtaClient, layer as otaClientLayer } from "../../src/OtaClient.js"
import type { SigningCryptoService } from "../../src/SigningCrypto.js"
import type { Transport } from "../../src/Transport.js"

/** HMAC and SHA-256 over node:crypto: synchronous, so the TestClock alone decides when things happen. */
export const syncSigningCrypto: SigningCryptoService = {
  hmac: (hash, key, data) =>
    Effect.sync(() =>
      createHmac(hash === "SHA-1" ? "sha1" : "sha256", key)
        .update(data)
        .digest()
    ),
  sha256: (data) => Effect.sync(() => createHash("sha256").update(data).digest())
}

/**
 * Every task id of `jobId` in listing order, fetched by a client made for
 * this listing alone from `services` (its transport, credentials,
 * configuration, and any optional service such as a limiter).
 */
export const listTaskIds = <E>(
  jobId: string,
  services: Layer.Layer<Transport | Credentials | ClientConfig, E>
): Effect.Effect<ReadonlyArray<string>, unknown> =>
  Effect.flatMap(OtaClient, (client) =>
    client.streamOTATaskByJob({ jobId }).pipe(
      Stream.map((task) => task.taskId),
      Stream.runCollect,
      Effect.map(Chunk.toReadonlyArray)
    )
  ).pipe(Effect.provide(otaClientLayer.pipe(Layer.provide(services), Layer.orDie)))
