import { defineConfig } from "vitest/config"

// Workspace packages resolve to their TypeScript sources in tests through the
// "@iot-ota/source" export condition, so tests never run against a stale build.
const conditions = ["@iot-ota/source", "node", "import", "module", "default"]

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ["node", "import", "default"] } },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    sequence: { concurrent: false }
  }
})
