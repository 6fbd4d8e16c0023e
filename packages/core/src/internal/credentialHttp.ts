/**
 * The HTTP exchanges of the credential providers (STS, the ECS metadata
 * service) over `fetch`: a real-time deadline (the providers' own; Effect's
 * clock may be a test clock), no redirects (a signed query must never reach
 * another host), a bounded body, and failures that name the host only.
 */
import * as Effect from "effect/Effect"
import { describeCause } from "../Transport.js"

export interface CredentialHttpRequest {
  readonly method: "GET" | "POST" | "PUT"
  readonly url: URL
  readonly headers: Readonly<Record<string, string>>
  readonly body?: string | undefined
  readonly timeoutMs: number
}

export interface CredentialHttpAnswer {
  readonly status: number
  readonly body: string
}

export interface CredentialHttpFailure {
  readonly kind: "timeout" | "network" | "too-large"
  /** Names the host, never the URL (its query may hold a signature and a token). */
  readonly message: string
}

/** A credentials answer is a few KB; anything past this is not one. */
export const MAX_CREDENTIAL_BODY_BYTES = 256 * 1024

class BodyTooLarge extends Error {}

const readBounded = async (response: Response, maxBytes: number): Promise<string> => {
  if (response.body === null) return ""
  const reader = response.body.getReader()
  const chunks: Array<Uint8Array> = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined)
      throw new BodyTooLarge()
    }
    chunks.push(value)
  }
  const bytes = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  return new TextDecoder().decode(bytes)
}

/** One exchange. Interrupting it aborts the request. */
export const send = (
  fetchImpl: typeof globalThis.fetch,
  request: CredentialHttpRequest,
  maxBytes = MAX_CREDENTIAL_BODY_BYTES
): Effect.Effect<CredentialHttpAnswer, CredentialHttpFailure> => {
  const host = request.url.host
  // Per run: the same effect may be run again (a retried attempt).
  return Effect.suspend(() => {
    let timedOut = false
    return Effect.tryPromise({
      try: async (interrupted) => {
        const controller = new AbortController()
        const abort = () => controller.abort()
        interrupted.addEventListener("abort", abort, { once: true })
        const timer = setTimeout(() => {
          timedOut = true
          controller.abort()
        }, request.timeoutMs)
        try {
          const response = await fetchImpl(request.url.href, {
            method: request.method,
            headers: request.headers,
            ...(request.body === undefined ? {} : { body: request.body }),
            redirect: "manual",
            signal: controller.signal
          })
          return { status: response.status, body: await readBounded(response, maxBytes) }
        } finally {
          clearTimeout(timer)
          interrupted.removeEventListener("abort", abort)
        }
      },
      catch: (cause): CredentialHttpFailure =>
        cause instanceof BodyTooLarge
          ? { kind: "too-large", message: `the answer from ${host} is larger than ${maxBytes} bytes` }
          : timedOut
            ? { kind: "timeout", message: `no answer from ${host} within ${request.timeoutMs} ms` }
            : { kind: "network", message: `request to ${host} failed: ${describeCause(cause)}` }
    })
  })
}

/** Server text fit for a message: no control characters, bounded. */
export const printable = (text: string, max = 300): string => {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, " ").trim()
  return clean.length > max ? `${clean.slice(0, max)}…` : clean
}
