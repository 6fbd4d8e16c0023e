// Checks every publishable package as it would be published: packs it with pnpm, then checks the tarball's
// manifest and files (the fields the registry and users rely on), runs publint (strict) and
// @arethetypeswrong/cli on it.
//
// Needs built packages (`pnpm build`). Usage: node scripts/check-packages.mjs
import { execFileSync } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { basename, join, relative } from "node:path"
import { pack, publishablePackages, root, run } from "./lib/workspace.mjs"

const bin = (name) => join(root, "node_modules", ".bin", name)

/** Paths in the tarball, without the leading `package/`. */
const tarFiles = (tarball) =>
  execFileSync("tar", ["-tzf", tarball], { encoding: "utf8" })
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => line.replace(/^package\//, ""))

const tarManifest = (tarball) =>
  JSON.parse(execFileSync("tar", ["-xzOf", tarball, "package/package.json"], { encoding: "utf8" }))

/** Every string target of an exports map, with the condition path that leads to it. */
const exportTargets = (value, path = []) => {
  if (typeof value === "string") return [{ path, target: value }]
  if (value === null || typeof value !== "object") return []
  return Object.entries(value).flatMap(([key, inner]) => exportTargets(inner, [...path, key]))
}

/** The problems of a packed manifest and file list; an empty array when it is fine. */
const manifestProblems = (manifest, files) => {
  const problems = []
  const need = (ok, message) => {
    if (!ok) problems.push(message)
  }
  const fileSet = new Set(files)
  need(typeof manifest.description === "string" && manifest.description.length > 0, "no description")
  need(manifest.license === "MIT", `license is ${JSON.stringify(manifest.license)}, expected "MIT"`)
  need(fileSet.has("LICENSE"), "the tarball has no LICENSE")
  need(fileSet.has("README.md"), "the tarball has no README.md")
  need(
    typeof manifest.repository?.url === "string" && typeof manifest.repository?.directory === "string",
    "repository needs url and directory (npm links the README's relative paths through them)"
  )
  need(Array.isArray(manifest.keywords) && manifest.keywords.length > 0, "no keywords")
  need(typeof manifest.engines?.node === "string", "no engines.node")
  need(manifest.type === "module", 'type is not "module"')
  need(
    manifest.sideEffects === false || Array.isArray(manifest.sideEffects),
    "sideEffects must be false or the list of files with side effects"
  )
  need(Array.isArray(manifest.files), "no files allow-list")
  need(manifest.publishConfig?.access === "public", "publishConfig.access is not public")
  need(manifest.private !== true, "the package is private")
  for (const field of ["dependencies", "peerDependencies", "optionalDependencies"]) {
    for (const [dep, range] of Object.entries(manifest[field] ?? {})) {
      need(!/^(workspace|catalog|file|link):/.test(range), `${field}.${dep} is "${range}" in the tarball`)
    }
  }

  const root = manifest.exports?.["."]
  need(root !== undefined, 'exports has no "."')
  need(manifest.exports?.["./package.json"] === "./package.json", 'exports has no "./package.json"')
  need(manifest.exports?.["./internal/*"] === null, 'exports does not hide "./internal/*"')
  for (const [subpath, entry] of Object.entries(manifest.exports ?? {})) {
    if (entry === null || subpath === "./package.json") continue
    const targets = exportTargets(entry)
    need(
      targets.some(({ path }) => path.at(-1) === "types"),
      `exports["${subpath}"] has no "types" condition`
    )
    for (const { path, target } of targets) {
      const file = target.replace(/^\.\//, "")
      const where = `exports["${subpath}"]${path.map((key) => `["${key}"]`).join("")}`
      // Each object of conditions must list "types" before the JavaScript it describes.
      if (path.at(-1) === "default" && path.length > 0) {
        const siblings = Object.keys(path.slice(0, -1).reduce((object, key) => object[key], entry))
        if (siblings.includes("types"))
          need(siblings.indexOf("types") < siblings.indexOf("default"), `${where}: "types" after "default"`)
      }
      if (file.includes("*")) {
        const [prefix, suffix] = file.split("*")
        need(
          files.some((f) => f.startsWith(prefix) && f.endsWith(suffix)),
          `${where} (${target}) matches no file in the tarball`
        )
      } else {
        need(fileSet.has(file), `${where} points at ${target}, which is not in the tarball`)
      }
    }
  }
  for (const [name, target] of Object.entries(manifest.bin ?? {})) {
    need(fileSet.has(target.replace(/^\.\//, "")), `bin ${name} (${target}) is not in the tarball`)
  }
  return problems
}

/**
 * The subpaths reachable through the `./*` wildcard: every public declaration file in `dist` (not `internal/`,
 * not bundler chunks). attw checks only explicit entry points unless told.
 */
const wildcardEntrypoints = (manifest, files) => {
  if (manifest.exports?.["./*"] === undefined) return []
  return files
    .filter((file) => file.startsWith("dist/") && file.endsWith(".d.ts"))
    .map((file) => `./${file.slice("dist/".length, -".d.ts".length)}`)
    .filter((subpath) => subpath !== "./index" && !/^\.\/(internal|chunks)\//.test(subpath))
}

const work = mkdtempSync(join(tmpdir(), "iot-ota-check-packages-"))
const failures = []
try {
  for (const pkg of publishablePackages()) {
    console.log(`\n== ${pkg.name} (${relative(root, pkg.dir)})`)
    const tarball = pack(pkg.dir, work)
    const manifest = tarManifest(tarball)
    const files = tarFiles(tarball)
    console.log(`${basename(tarball)}: ${files.length} files`)
    const problems = manifestProblems(manifest, files)
    for (const problem of problems) console.error(`  ✗ ${problem}`)
    if (problems.length > 0) failures.push(`${pkg.name}: package.json / files`)
    else console.log("manifest and files: ok")
    try {
      run(bin("publint"), ["run", tarball, "--strict"])
    } catch {
      failures.push(`${pkg.name}: publint`)
    }
    try {
      // ESM only, by design (README, "How it is built"): the esm-only profile skips the node10 and
      // node16-from-CJS resolutions, which cannot see ESM types. require() of these packages works on
      // Node >= 20.19 through require(esm) and is covered by the smoke test (scripts/smoke.mjs).
      const entrypoints = wildcardEntrypoints(manifest, files)
      run(bin("attw"), [
        tarball,
        "--profile",
        "esm-only",
        "--format",
        "table-flipped",
        "--no-emoji",
        "--no-color",
        ...(entrypoints.length > 0 ? ["--include-entrypoints", ...entrypoints] : [])
      ])
    } catch {
      failures.push(`${pkg.name}: attw`)
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true })
}
if (failures.length > 0) {
  console.error(`\npackage checks failed:\n${failures.map((f) => `  - ${f}`).join("\n")}`)
  process.exit(1)
}
console.log("\nevery package passes the manifest checks, publint and attw")
