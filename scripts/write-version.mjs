// Writes src/internal/version.ts from the package.json of the current
// directory, so that the User-Agent and `ota --version` always name the
// published version (run before every build; `changeset version` bumps
// package.json only). Used by @iot-ota/core and @iot-ota/cli.
import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"

const { version } = JSON.parse(readFileSync(join(process.cwd(), "package.json"), "utf8"))
const target = join(process.cwd(), "src", "internal", "version.ts")
const text = `/** The package version, written by scripts/write-version.mjs at build time. */\nexport const VERSION = ${JSON.stringify(version)}\n`
let current = ""
try {
  current = readFileSync(target, "utf8")
} catch {}
if (current !== text) writeFileSync(target, text)
