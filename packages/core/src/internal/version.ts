/** The package version, written by scripts/write-version.mjs at build time. */
export const VERSION = "0.1.0"
