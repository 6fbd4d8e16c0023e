// Writes src/internal/version.ts from package.json so that `ota --version`
// always names the published version (run before every build; `changeset
// version` bumps package.json only).
import { readFileSync, writeFileSync } from "node:fs"

const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"))
const target = new URL("../src/internal/version.ts", import.meta.url)
const text = `/** The package version, written by scripts/version.mjs at build time. */\nexport const VERSION = ${JSON.stringify(version)}\n`
let current = ""
try {
  current = readFileSync(target, "utf8")
} catch {}
if (current !== text) writeFileSync(target, text)
