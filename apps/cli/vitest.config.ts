import { defineConfig, mergeConfig } from "vitest/config"
import shared from "../../vitest.shared.js"

export default mergeConfig(
  shared,
  defineConfig({
    test: {
      // The CLI tests run the built `ota`; this rebuilds it first when a source is newer.
      globalSetup: ["./test/helpers/build.ts"]
    }
  })
)
