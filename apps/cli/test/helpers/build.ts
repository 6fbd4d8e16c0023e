/**
 * Vitest global setup: the CLI tests spawn the built `bin/ota.js`, so the
 * bundle is rebuilt when any source of this package is newer than it (turbo
 * builds it before `test` anyway; this covers `pnpm test` run by hand).
 */
import { execFileSync } from "node:child_process"
import { readdirSync, statSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

const packageDir = fileURLToPath(new URL("../..", import.meta.url))

const newest = (path: string): number => {
  const stat = statSync(path)
  if (!stat.isDirectory()) return stat.mtimeMs
  return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))))
}

const builtAt = (): number => {
  try {
    return statSync(join(packageDir, "dist", "bin.js")).mtimeMs
  } catch {
    return 0
  }
}

export function setup(): void {
  const sources = Math.max(
    newest(join(packageDir, "src")),
    newest(join(packageDir, "scripts")),
    newest(join(packageDir, "package.json"))
  )
  if (builtAt() < sources) {
    execFileSync("pnpm", ["run", "build"], { cwd: packageDir, stdio: "inherit" })
  }
}
