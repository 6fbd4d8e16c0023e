/** The package version, written by scripts/version.mjs at build time. */
export const VERSION = "0.0.0"
