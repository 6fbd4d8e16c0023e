// Helpers shared by the release scripts: find the publishable workspace packages and pack them the way
// `pnpm publish` would (workspace: and catalog: ranges replaced by real versions).
import { execFileSync } from "node:child_process"
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { join, resolve } from "node:path"
import { fileURLToPath } from "node:url"

/** The monorepo root (the scripts live in `<root>/scripts`). */
export const root = resolve(fileURLToPath(new URL("../..", import.meta.url)))

/**
 * Every non-private package under `packages/*` and `apps/*`, dependencies first (core before node, node
 * before cli), as `{ name, dir, manifest }`.
 */
export const publishablePackages = () => {
  const found = []
  for (const group of ["packages", "apps"]) {
    const groupDir = join(root, group)
    if (!existsSync(groupDir)) continue
    for (const entry of readdirSync(groupDir, { withFileTypes: true })) {
      const manifestPath = join(groupDir, entry.name, "package.json")
      if (!entry.isDirectory() || !existsSync(manifestPath)) continue
      const manifest = JSON.parse(readFileSync(manifestPath, "utf8"))
      if (manifest.private === true) continue
      found.push({ name: manifest.name, dir: join(groupDir, entry.name), manifest })
    }
  }
  return sortByDependencies(found)
}

const sortByDependencies = (packages) => {
  const byName = new Map(packages.map((pkg) => [pkg.name, pkg]))
  const sorted = []
  const visiting = new Set()
  const visit = (pkg) => {
    if (sorted.includes(pkg)) return
    if (visiting.has(pkg.name)) throw new Error(`dependency cycle through ${pkg.name}`)
    visiting.add(pkg.name)
    for (const dep of Object.keys(pkg.manifest.dependencies ?? {})) {
      const internal = byName.get(dep)
      if (internal !== undefined) visit(internal)
    }
    visiting.delete(pkg.name)
    sorted.push(pkg)
  }
  for (const pkg of packages) visit(pkg)
  return sorted
}

/**
 * Runs `pnpm pack` in `dir` and returns the absolute path of the tarball written to `destination`.
 * pnpm (not npm) is required: it rewrites `workspace:^` and `catalog:` ranges into published ones.
 */
export const pack = (dir, destination) => {
  const output = execFileSync("pnpm", ["pack", "--pack-destination", destination], {
    cwd: dir,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"]
  })
  const tarball = output
    .trim()
    .split("\n")
    .map((line) => line.trim())
    .findLast((line) => line.endsWith(".tgz"))
  if (tarball === undefined) throw new Error(`pnpm pack in ${dir} printed no tarball path:\n${output}`)
  return resolve(destination, tarball)
}

/** Runs a command, echoing it, and throws with its output when it exits non-zero. */
export const run = (command, args, options = {}) => {
  console.log(`$ ${[command, ...args].join(" ")}`)
  execFileSync(command, args, { stdio: "inherit", ...options })
}
