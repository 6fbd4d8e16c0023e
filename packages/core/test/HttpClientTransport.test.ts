import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import { describe, expect, it } from "vitest"
import * as HttpClientTransport from "../src/HttpClientTransport.js"
import {
  chunkedBody,
  failureOf,
  recordingTarget,
  redirecting,
  requestTo,
  transportConformance
} from "./helpers/hostileServers.js"

transportConformance(
  "HttpClientTransport over FetchHttpClient",
  HttpClientTransport.layer.pipe(Layer.provide(FetchHttpClient.layer))
)
// NodeHttpClient (@effect/platform-node) is not a dependency of core, so its run is left to a package that has it.

describe("HttpClientTransport", () => {
  it("does not follow redirects even when a RequestInit in context asks fetch to", async () => {
    const target = await recordingTarget()
    const server = await redirecting({ status: 302, location: `${target.url}/?Signature=x` })
    const transport = await Effect.runPromise(
      HttpClientTransport.make.pipe(
        Effect.provide(FetchHttpClient.layer),
        Effect.provideService(FetchHttpClient.RequestInit, { redirect: "follow", keepalive: false })
      )
    )
    const error = failureOf(await Effect.runPromiseExit(transport.send(requestTo(server))))
    expect(error).toMatchObject({ _tag: "HttpError", httpStatus: 302, retryable: false })
    expect(target.requests).toBe(0)
  })

  it("keeps the rest of a RequestInit in context", async () => {
    const server = await chunkedBody('{"ok":true}')
    const seen: Array<RequestInit | undefined> = []
    const recordingFetch: typeof globalThis.fetch = (input, init) => {
      seen.push(init)
      return globalThis.fetch(input, init)
    }
    const transport = await Effect.runPromise(
      HttpClientTransport.make.pipe(
        Effect.provide(FetchHttpClient.layer),
        Effect.provideService(FetchHttpClient.RequestInit, {
          keepalive: false,
          referrerPolicy: "no-referrer"
        })
      )
    )
    const exit = await Effect.runPromiseExit(
      transport.send(requestTo(server)).pipe(Effect.provideService(FetchHttpClient.Fetch, recordingFetch))
    )
    expect(Exit.isSuccess(exit) && exit.value.body).toBe('{"ok":true}')
    expect(seen[0]).toMatchObject({ redirect: "manual", keepalive: false, referrerPolicy: "no-referrer" })
  })
})
