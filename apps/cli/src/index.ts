/**
 * `@iot-ota/cli`: the `ota` command. The package is meant to be run
 * (`npx ota`, `pnpm demo`); the command tree is exported for embedding and
 * tests.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as Cli from "./Cli.js"
