/**
 * Entry point of the `ota` command (bundled into `dist/bin.js`).
 *
 * @since 0.1.0
 */
import { run } from "./Cli.js"

process.exitCode = await run(process.argv.slice(2))
