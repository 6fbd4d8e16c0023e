/**
 * The memory benchmark's client, in a fresh process (run with --expose-gc) so
 * nothing the other benchmarks allocated shows up in its RSS. Streams a whole
 * job through `paginateOTATaskByJob`, and every `sampleEvery` tasks forces a
 * full GC and records the process's memory. Reports over IPC.
 */
import { getHeapSpaceStatistics } from "node:v8"
import { makeOurs, PAGE_SIZE } from "./internal/contenders.js"
import { type MemorySample, parseMemorySpec } from "./internal/memoryIpc.js"

const mib = (bytes: number): number => Math.round((bytes / 2 ** 20) * 100) / 100

const sample = (tasks: number): MemorySample => {
  // Twice: the first pass can leave garbage that only a finaliser released.
  globalThis.gc?.()
  globalThis.gc?.()
  const usage = process.memoryUsage()
  return {
    tasks,
    rssMiB: mib(usage.rss),
    heapUsedMiB: mib(usage.heapUsed),
    heapTotalMiB: mib(usage.heapTotal),
    externalMiB: mib(usage.external),
    arrayBuffersMiB: mib(usage.arrayBuffers),
    newSpaceMiB: mib(
      getHeapSpaceStatistics().find((space) => space.space_name === "new_space")?.space_size ?? 0
    )
  }
}

const main = async (): Promise<void> => {
  if (globalThis.gc === undefined) throw new Error("run with --expose-gc")
  const spec = parseMemorySpec(process.argv[2])
  const client = makeOurs({ url: spec.url }, { qps: 0 })
  const samples: Array<MemorySample> = [sample(0)]
  let tasks = 0
  for await (const _task of client.paginateOTATaskByJob(
    { jobId: spec.jobId, pageSize: PAGE_SIZE },
    { concurrency: spec.concurrency }
  )) {
    tasks++
    if (tasks % spec.sampleEvery === 0) samples.push(sample(tasks))
  }
  await client.close()
  process.send?.({ type: "done", tasks, samples })
}

main().catch((error: unknown) => {
  process.send?.({ type: "failed", message: error instanceof Error ? error.message : String(error) })
  process.exitCode = 1
})
