/**
 * Entry point of the `ota-emulator` bin (see `Cli.ts`).
 *
 * @since 0.1.0
 */
import { runEmulatorCli } from "./Cli.js"

process.exitCode = await runEmulatorCli(process.argv.slice(2))
