/** Helpers shared by the Node client's test files. */
import type { FaultKind } from "@iot-ota/emulator"
import { vi } from "vitest"

/**
 * How the client reports each fault the emulator injects once the retries
 * run out: the error's `_tag`, and the API code for API errors.
 */
export const REPORTED_AS: Readonly<Record<FaultKind, { readonly tag: string; readonly code?: string }>> = {
  ServiceUnavailable: { tag: "ApiError", code: "ServiceUnavailable" },
  InternalError: { tag: "ApiError", code: "InternalError" },
  Throttling: { tag: "ApiError", code: "Throttling.User" },
  SystemException: { tag: "ApiError", code: "iot.system.SystemException" },
  HtmlError: { tag: "HttpError" },
  TruncatedJson: { tag: "DecodeError" },
  ConnectionReset: { tag: "TransportError" },
  Delay: { tag: "TimeoutError" }
}

/** The faults with what the client reports for each, in a stable order. */
export const faultsAndTags = (): ReadonlyArray<readonly [FaultKind, string]> =>
  (Object.entries(REPORTED_AS) as Array<[FaultKind, { readonly tag: string }]>).map(([kind, { tag }]) => [
    kind,
    tag
  ])

/** What `promise` rejects with; fails the test when it resolves. */
export const rejection = async (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    (value) => {
      throw new Error(`expected a rejection, got ${JSON.stringify(value)}`)
    },
    (error: unknown) => error
  )

/** What `f` throws; fails the test when it returns. */
export const thrown = (f: () => unknown): unknown => {
  try {
    f()
  } catch (error) {
    return error
  }
  throw new Error("expected an exception")
}

/**
 * Runs `f` with what the client writes to stderr (its log sink) captured as
 * lines and kept off the test output; the lines also go to `keep`, if given,
 * whether `f` succeeds or not.
 */
export const capturingStderr = async <A>(
  f: () => Promise<A>,
  keep?: Array<string>
): Promise<{ readonly value: A; readonly lines: Array<string> }> => {
  const lines: Array<string> = []
  vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
    lines.push(...String(chunk).split("\n").filter(Boolean))
    return true
  })
  try {
    return { value: await f(), lines }
  } finally {
    vi.restoreAllMocks()
    keep?.push(...lines)
  }
}
