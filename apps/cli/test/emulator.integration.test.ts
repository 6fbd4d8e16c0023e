/**
 * `ota emulator` run as the built CLI: its options come from the emulator's flag declarations, so every
 * declared flag is accepted, durations need a unit, the quota mode reaches the emulator, and binding every
 * interface prints a warning and a usable address.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process"
import { Flags } from "@iot-ota/emulator"
import { afterAll, describe, expect, it } from "vitest"
import { baseEnv, expectExit, makeHome, otaBin, runCli } from "./helpers/cli.js"

const home = makeHome()
afterAll(() => home.cleanup())

/** Starts `ota emulator` and resolves once its banner is complete. */
const serve = async (
  args: ReadonlyArray<string>
): Promise<{ child: ChildProcessWithoutNullStreams; stdout: string; stderr: () => string }> => {
  const child = spawn(process.execPath, [otaBin, "emulator", ...args], { env: baseEnv(home.dir) })
  let stdout = ""
  let stderr = ""
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
  await new Promise<void>((resolve, reject) => {
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk
      if (stdout.includes("Stop with")) resolve()
    })
    child.on("close", () => reject(new Error(`exited early: ${stdout}${stderr}`)))
  })
  return { child, stdout, stderr: () => stderr }
}

const stop = async (child: ChildProcessWithoutNullStreams): Promise<number | null> => {
  const closed = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)))
  child.kill("SIGTERM")
  return closed
}

describe("ota emulator", () => {
  it("--help lists every declared flag with its units", async () => {
    const result = await runCli(home.dir, ["emulator", "--help"])
    expectExit(result, 0)
    for (const flag of Flags.EMULATOR_FLAGS) expect(result.stdout).toContain(`--${flag.name}`)
    expect(result.stdout).toContain("units: ms, s, m, h")
    expect(result.stdout).toContain("unit: requests per second")
  })

  it.each(["rollout", "fault-delay", "headers-timeout"])(
    "2: --%s with a bare number, naming the flag and a unit",
    async (flag) => {
      const result = await runCli(home.dir, ["emulator", `--${flag}`, "1500"])
      expectExit(result, 2)
      expect(result.stderr).toBe(
        `ota: ValidationError: --${flag}: "1500" has no unit; write e.g. 1500ms or 1500s (units: ms, s, m, h)\n`
      )
    }
  )

  it("durations with units, the quota mode and a negative clock skew reach the emulator", async () => {
    const { child, stdout } = await serve([
      "--port",
      "0",
      "--job",
      "QuotaJob:12",
      "--quota",
      "sliding-window",
      "--qps",
      "4",
      "--rollout",
      "2s",
      "--clock-skew=-30s",
      "--fault-delay",
      "250ms"
    ])
    expect(stdout).toContain("quota: 4 requests per second per AccessKeyId (sliding-window)")
    expect(stdout).toMatch(/job QuotaJob: 12 tasks \(firmware \S+, product \S+\)/)
    expect(await stop(child)).toBe(0)
  })

  it("--host 0.0.0.0: a warning on stderr about the public test key, and a usable OTA_ENDPOINT", async () => {
    const { child, stdout, stderr } = await serve(["--port", "0", "--host", "0.0.0.0", "--job", "Wide:3"])
    expect(stderr()).toMatch(/^ota emulator: warning: bound to 0\.0\.0\.0: .*public default test key/)
    expect(stdout).toMatch(/export OTA_ENDPOINT=http:\/\/127\.0\.0\.1:\d+ /)
    expect(stdout).not.toContain("http://0.0.0.0")
    const url = /export OTA_ENDPOINT=(\S+)/.exec(stdout)?.[1] ?? ""
    const list = await runCli(home.dir, ["tasks", "list", "--job", "Wide", "--all", "-o", "ndjson"], {
      env: {
        OTA_ENDPOINT: url,
        OTA_ACCESS_KEY_ID: "emulator-access-key-id",
        OTA_ACCESS_KEY_SECRET: "emulator-access-key-secret"
      }
    })
    expectExit(list, 0)
    expect(list.stdout.trim().split("\n")).toHaveLength(3)
    expect(await stop(child)).toBe(0)
  })
})
