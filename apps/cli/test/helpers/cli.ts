/**
 * Runs the built `ota` as a subprocess, in a clean environment: a temporary
 * HOME and a profile file path of the test's choosing, so that the
 * developer's own credentials are never read, and `NO_COLOR=1`. Every run is
 * checked for leaked secrets.
 */
import { spawn } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { expect } from "vitest"

export const packageDir = fileURLToPath(new URL("../..", import.meta.url))
export const otaBin = join(packageDir, "bin", "ota.js")

export interface CliResult {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
}

export interface RunOptions {
  /** Variables added to the clean environment. */
  readonly env?: Readonly<Record<string, string | undefined>>
  /** Written to stdin, which is then closed (stdin is always a pipe, never a terminal). */
  readonly input?: string
  /** Kill after this long (the test then fails on the exit code). */
  readonly timeoutMs?: number
}

/** A temporary HOME for one test file; `cleanup` removes it. */
export const makeHome = (): { readonly dir: string; readonly cleanup: () => void } => {
  const dir = mkdtempSync(join(tmpdir(), "ota-cli-test-"))
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}

/** Secrets that must never appear in any output; tests register theirs. */
const secrets = new Set<string>()
export const registerSecret = (secret: string): void => {
  secrets.add(secret)
}

/** Fails when a registered secret appears in the run's stdout or stderr. */
export const expectNoSecret = (result: CliResult): void => {
  for (const secret of secrets) {
    expect(result.stdout, "the secret leaked on stdout").not.toContain(secret)
    expect(result.stderr, "the secret leaked on stderr").not.toContain(secret)
  }
}

/**
 * The environment every run gets: PATH only from the parent (no OTA_* or
 * ALIBABA_CLOUD_* of the developer), a temporary HOME and XDG dir, a profile
 * file that does not exist unless the test sets OTA_PROFILE_FILE, no colour,
 * and the default chain's metadata member off, so that no test ever asks the
 * real link-local metadata address (a test that wants it sets
 * `ALIBABA_CLOUD_ECS_METADATA_DISABLED: undefined` and its own endpoint).
 */
export const baseEnv = (home: string): Record<string, string> => ({
  PATH: process.env.PATH ?? "",
  HOME: home,
  XDG_CONFIG_HOME: join(home, ".config"),
  OTA_PROFILE_FILE: join(home, "no-such-profile"),
  ALIBABA_CLOUD_ECS_METADATA_DISABLED: "true",
  NO_COLOR: "1"
})

/** Runs `ota args...` to completion. */
export const runCli = (
  home: string,
  args: ReadonlyArray<string>,
  options: RunOptions = {}
): Promise<CliResult> =>
  new Promise((resolve, reject) => {
    const env: Record<string, string> = baseEnv(home)
    for (const [key, value] of Object.entries(options.env ?? {})) {
      if (value === undefined) delete env[key]
      else env[key] = value
    }
    const child = spawn(process.execPath, [otaBin, ...args], { env, stdio: ["pipe", "pipe", "pipe"] })
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 25_000)
    child.on("error", reject)
    child.on("close", (code, signal) => {
      clearTimeout(timer)
      const result = { code, signal, stdout, stderr }
      expectNoSecret(result)
      resolve(result)
    })
    child.stdin.end(options.input ?? "")
  })

/** Asserts the exit code, showing stderr when it differs. */
export const expectExit = (result: CliResult, code: number): void => {
  expect({ code: result.code, stderr: result.stderr }).toMatchObject({ code })
}
