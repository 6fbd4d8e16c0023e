// Fails when a tracked text file still holds a merge-conflict marker. Biome checks
// code, not Markdown; a README once shipped with both sides of a conflict in it.
import { execFileSync } from "node:child_process"
import { readFileSync } from "node:fs"

const files = execFileSync("git", ["ls-files", "-z"], { encoding: "utf8" }).split("\0").filter(Boolean)
const text = /\.(md|mdx|ts|mts|cts|js|mjs|cjs|json|jsonc|ya?ml|toml|txt|sh)$/
const marker = /^(<{7} |>{7} |={7}$)/
const found = []
for (const file of files.filter((f) => text.test(f) && !f.endsWith("pnpm-lock.yaml"))) {
  let content
  try {
    content = readFileSync(file, "utf8")
  } catch {
    continue // listed but absent (deleted in the work tree)
  }
  content.split("\n").forEach((line, i) => {
    if (marker.test(line)) found.push(`${file}:${i + 1}: ${line.slice(0, 40)}`)
  })
}
if (found.length > 0) {
  console.error(`merge-conflict markers left in:\n${found.join("\n")}`)
  process.exit(1)
}
