/** The memory benchmark's parent/child messages (see `memoryChild.ts`). */

export interface MemorySpec {
  readonly url: string
  readonly jobId: string
  readonly concurrency: number
  readonly sampleEvery: number
}

export interface MemorySample {
  readonly tasks: number
  readonly rssMiB: number
  readonly heapUsedMiB: number
  readonly heapTotalMiB: number
  readonly externalMiB: number
  readonly arrayBuffersMiB: number
  /**
   * The size of V8's young generation ("new space"): V8 grows it under allocation pressure up to a
   * fixed ceiling (32 MiB here), whatever the listing holds.
   */
  readonly newSpaceMiB: number
}

export type MemoryMessage =
  | { readonly type: "done"; readonly tasks: number; readonly samples: ReadonlyArray<MemorySample> }
  | { readonly type: "failed"; readonly message: string }

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null

const isSample = (value: unknown): value is MemorySample =>
  isRecord(value) &&
  ["tasks", "rssMiB", "heapUsedMiB", "heapTotalMiB", "externalMiB", "arrayBuffersMiB", "newSpaceMiB"].every(
    (key) => typeof value[key] === "number"
  )

export const isMemoryMessage = (value: unknown): value is MemoryMessage =>
  isRecord(value) &&
  ((value.type === "done" &&
    typeof value.tasks === "number" &&
    Array.isArray(value.samples) &&
    value.samples.every(isSample)) ||
    (value.type === "failed" && typeof value.message === "string"))

export const parseMemorySpec = (text: string | undefined): MemorySpec => {
  const value: unknown = JSON.parse(text ?? "null")
  if (
    !isRecord(value) ||
    typeof value.url !== "string" ||
    typeof value.jobId !== "string" ||
    typeof value.concurrency !== "number" ||
    typeof value.sampleEvery !== "number"
  ) {
    throw new TypeError("memory spec must be { url, jobId, concurrency, sampleEvery }")
  }
  return {
    url: value.url,
    jobId: value.jobId,
    concurrency: value.concurrency,
    sampleEvery: value.sampleEvery
  }
}
