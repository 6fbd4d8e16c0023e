/**
 * `@iot-ota/emulator`: a local endpoint of the IoT Platform OTA read API for tests, demos and benchmarks.
 *
 * @since 0.1.0
 */

/**
 * The `ota-emulator` command line (flag parsing and runner), for reuse by `ota emulator`.
 *
 * @since 0.1.0
 */
export * as Cli from "./Cli.js"
export * from "./Emulator.js"

/**
 * The emulator's command-line flags as data, shared by `ota-emulator` and `ota emulator`.
 *
 * @since 0.1.0
 */
export * as Flags from "./Flags.js"

/**
 * The quota algorithms of the emulator's quota modes, clock-free, for tests in virtual time.
 *
 * @since 0.1.1
 */
export * as Quota from "./Quota.js"

/**
 * The emulator's independent V2/V3 signature implementation, as pure functions.
 *
 * @since 0.1.0
 */
export * as Signature from "./Signature.js"
