import type { Profiler } from "node:inspector"

export interface FrameTime {
  readonly label: string
  readonly group: string
  readonly selfMs: number
}

export interface ProfileSummary {
  /** Sampled time minus idle: what the main thread spent working. */
  readonly busyMs: number
  readonly idleMs: number
  readonly byFrame: ReadonlyArray<FrameTime>
  readonly byGroup: ReadonlyArray<{ readonly group: string; readonly selfMs: number }>
  /** Time with the frame anywhere on the stack (counted once per sample under recursion). */
  readonly inclusive: ReadonlyArray<{
    readonly label: string
    readonly group: string
    readonly totalMs: number
  }>
}

const GROUPS: ReadonlyArray<readonly [RegExp, string]> = [
  [/\/packages\/core\//, "@iot-ota/core"],
  [/\/packages\/node\//, "@iot-ota/node"],
  [/\/packages\/emulator\//, "@iot-ota/emulator"],
  [/\/bench\/(dist|src)\//, "bench harness"],
  [/\/node_modules\/effect\//, "effect"],
  [/\/node_modules\/@effect\/platform-node(-shared)?\//, "@effect/platform-node"],
  [/\/node_modules\/@effect\/platform\//, "@effect/platform"],
  [/\/node_modules\/undici\//, "undici"],
  [/\/node_modules\/@alicloud\/|\/node_modules\/@darabonba\//, "official SDK"],
  [/\/node_modules\//, "other node_modules"],
  [/^node:/, "node: internals"]
]

const groupOf = (frame: Profiler.ProfileNode["callFrame"]): string => {
  if (frame.url === "") {
    if (frame.functionName === "(garbage collector)") return "(garbage collector)"
    if (frame.functionName === "(program)") return "(program: V8/native, unattributed)"
    return "native (V8 builtins, C++)"
  }
  for (const [pattern, group] of GROUPS) if (pattern.test(frame.url)) return group
  return "other"
}

const shortUrl = (url: string): string => {
  const nodeModules = url.lastIndexOf("/node_modules/")
  if (nodeModules >= 0) return url.slice(nodeModules + "/node_modules/".length)
  const packages = url.indexOf("/packages/")
  if (packages >= 0) return url.slice(packages + 1)
  const bench = url.indexOf("/bench/")
  if (bench >= 0) return url.slice(bench + 1)
  return url
}

const labelOf = (frame: Profiler.ProfileNode["callFrame"]): string =>
  frame.url === ""
    ? frame.functionName
    : `${frame.functionName === "" ? "(anonymous)" : frame.functionName}  ${shortUrl(frame.url)}:${frame.lineNumber + 1}`

/** Self time per frame and per package, from the samples of a V8 CPU profile. */
export const selfTimes = (profile: Profiler.Profile): ProfileSummary => {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]))
  const selfUs = new Map<number, number>()
  const samples = profile.samples ?? []
  const deltas = profile.timeDeltas ?? []
  // timeDeltas[i] is the time between sample i-1 and sample i; charge it to sample i's frame.
  for (let i = 0; i < samples.length; i++) {
    const id = samples[i]!
    selfUs.set(id, (selfUs.get(id) ?? 0) + Math.max(0, deltas[i] ?? 0))
  }
  const parents = new Map<number, number>()
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id)
  const inclusiveUs = new Map<string, { group: string; us: number }>()
  for (let i = 0; i < samples.length; i++) {
    const seen = new Set<string>()
    const delta = Math.max(0, deltas[i] ?? 0)
    for (let id: number | undefined = samples[i]; id !== undefined; id = parents.get(id)) {
      const frame = nodes.get(id)?.callFrame
      if (frame === undefined || frame.url === "") continue
      const label = labelOf(frame)
      if (seen.has(label)) continue
      seen.add(label)
      const entry = inclusiveUs.get(label) ?? { group: groupOf(frame), us: 0 }
      entry.us += delta
      inclusiveUs.set(label, entry)
    }
  }
  const byLabel = new Map<string, { group: string; us: number }>()
  let idleUs = 0
  for (const [id, us] of selfUs) {
    const frame = nodes.get(id)?.callFrame
    if (frame === undefined) continue
    if (frame.functionName === "(idle)" && frame.url === "") {
      idleUs += us
      continue
    }
    const label = labelOf(frame)
    const entry = byLabel.get(label) ?? { group: groupOf(frame), us: 0 }
    entry.us += us
    byLabel.set(label, entry)
  }
  const byFrame = [...byLabel]
    .map(([label, { group, us }]) => ({ label, group, selfMs: us / 1000 }))
    .sort((a, b) => b.selfMs - a.selfMs)
  const groups = new Map<string, number>()
  for (const frame of byFrame) groups.set(frame.group, (groups.get(frame.group) ?? 0) + frame.selfMs)
  return {
    busyMs: byFrame.reduce((sum, frame) => sum + frame.selfMs, 0),
    idleMs: idleUs / 1000,
    byFrame,
    byGroup: [...groups].map(([group, selfMs]) => ({ group, selfMs })).sort((a, b) => b.selfMs - a.selfMs),
    inclusive: [...inclusiveUs]
      .map(([label, { group, us }]) => ({ label, group, totalMs: us / 1000 }))
      .sort((a, b) => b.totalMs - a.totalMs)
  }
}
