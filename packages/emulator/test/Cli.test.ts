import { type ChildProcessWithoutNullStreams, execFileSync, spawn } from "node:child_process"
import { readdirSync, statSync } from "node:fs"
import { createRequire } from "node:module"
import { fileURLToPath } from "node:url"
import { beforeAll, describe, expect, it } from "vitest"
import {
  Cli,
  DEFAULT_CREDENTIALS,
  DEFAULT_JOB_ID,
  DEFAULT_ROLE_ARN,
  type Emulator,
  Flags,
  startEmulator
} from "../src/index.js"
import { callV2 } from "./helpers/client.js"

const packageDir = fileURLToPath(new URL("..", import.meta.url))

describe("parseEmulatorArgs", () => {
  it("maps every flag to an option", () => {
    const { options, log, help } = Cli.parseEmulatorArgs([
      "--port=4100",
      "--host",
      "0.0.0.0",
      "--seed",
      "7",
      "--casing",
      "tuya",
      "--qps",
      "5",
      "--quota",
      "sliding-window",
      "--job",
      "job-a:500",
      "--job",
      "job-b",
      "--rollout",
      "1m",
      "--rollout-failure-rate",
      "0.1",
      "--fault-rate",
      "0.25",
      "--faults",
      "ServiceUnavailable,Delay",
      "--fault-sequence",
      "ConnectionReset,-,HtmlError",
      "--fault-delay",
      "500ms",
      "--access-key-id",
      "id",
      "--access-key-secret",
      "secret",
      "--clock-skew=-1m",
      "--timestamp-window",
      "5m",
      "--max-body-bytes",
      "1024",
      "--headers-timeout",
      "2s",
      "--log"
    ])
    expect({ log, help }).toEqual({ log: true, help: false })
    expect(options).toEqual({
      port: 4100,
      host: "0.0.0.0",
      seed: 7,
      casing: "tuya",
      qps: 5,
      quota: "sliding-window",
      jobs: [
        { jobId: "job-a", tasks: 500, rollout: { durationMs: 60000, failureRate: 0.1 } },
        { jobId: "job-b", tasks: 250, rollout: { durationMs: 60000, failureRate: 0.1 } }
      ],
      faults: {
        rate: 0.25,
        kinds: ["ServiceUnavailable", "Delay"],
        sequence: ["ConnectionReset", null, "HtmlError"],
        delayMs: 500
      },
      credentials: [{ accessKeyId: "id", accessKeySecret: "secret" }],
      clockSkewMs: -60000,
      timestampWindowMs: 300000,
      maxBodyBytes: 1024,
      headersTimeoutMs: 2000
    })
  })

  it("no flags means the documented defaults", () => {
    expect(Cli.parseEmulatorArgs([])).toEqual({ help: false, log: false, options: {} })
  })

  it("--rollout alone applies to the default job; a job id may contain ':'", () => {
    expect(Cli.parseEmulatorArgs(["--rollout", "1s"]).options.jobs).toEqual([
      { jobId: DEFAULT_JOB_ID, tasks: 250, rollout: { durationMs: 1000 } }
    ])
    expect(Cli.parseEmulatorArgs(["--job", "a:b"]).options.jobs).toEqual([{ jobId: "a:b", tasks: 250 }])
  })

  it.each([
    ["500ms", 500],
    ["2s", 2000],
    ["1.5m", 90_000],
    ["1h", 3_600_000]
  ])("duration %s is %d ms", (text, ms) => {
    expect(Cli.parseEmulatorArgs(["--fault-delay", text]).options.faults?.delayMs).toBe(ms)
  })

  it.each(["rollout", "fault-delay", "clock-skew", "timestamp-window", "headers-timeout"])(
    "--%s refuses a bare number, naming the flag and suggesting a unit",
    (flag) => {
      expect(() => Cli.parseEmulatorArgs([`--${flag}`, "2000"])).toThrow(
        new Cli.CliUsageError(
          `--${flag}: "2000" has no unit; write e.g. 2000ms or 2000s (units: ms, s, m, h)`
        )
      )
    }
  )

  it.each([
    [["--port", "70000"], /--port: "70000" is out of range/],
    [["--port", "1.5"], /--port: "1.5" is not an integer/],
    [["--casing", "snake"], /--casing: expected alibaba or tuya, got "snake"/],
    [["--quota", "leaky"], /--quota: expected token-bucket or fixed-window or sliding-window/],
    [["--qps", "2.5", "--quota", "fixed-window"], /whole number/],
    [["--qps=-1"], /--qps: "-1" is out of range/],
    [["--faults", "Meteor"], /Meteor/],
    [["--fault-rate", "1.5"], /--fault-rate/],
    [["--rollout", "soon"], /--rollout: "soon" is not a duration/],
    [["--rollout", "0ms"], /--rollout: "0ms" is out of range/],
    [["--access-key-id", "only-id"], /go together/],
    [["--rollout-failure-rate", "0.1"], /needs --rollout/],
    [["--unknown"], /unknown/i],
    [["positional"], /positional|Unexpected argument/i]
  ])("%j is a usage error", (argv, message) => {
    expect(() => Cli.parseEmulatorArgs(argv)).toThrow(message)
  })
})

describe("the flags are declared once", () => {
  it("the usage text has a line for every declared flag, with its default and units", () => {
    for (const flag of Flags.EMULATOR_FLAGS) {
      // A flag's help may wrap: its line and the indented ones after it.
      const lines = Cli.emulatorUsage.split("\n")
      const first = lines.findIndex((text) => text.trimStart().startsWith(`--${flag.name} `))
      expect(first, flag.name).toBeGreaterThan(0)
      const rest = lines.slice(first + 1).findIndex((text) => !text.startsWith("    ") || /^\s+-/.test(text))
      const line = lines
        .slice(first, rest === -1 ? undefined : first + 1 + rest)
        .map((text, i) => (i === 0 ? text.trim().replace(/^--\S+( <[^>]+>)?\s+/, "") : text.trim()))
        .join(" ")
      expect(line).toContain(flag.description)
      if (flag.default !== undefined) expect(line).toContain(`default ${flag.default}`)
      if (flag.kind === "duration") expect(line).toContain("units: ms, s, m, h")
      if (flag.units !== undefined) expect(line).toContain(flag.units)
    }
  })

  it("the parser accepts exactly the declared flags", () => {
    for (const flag of Flags.EMULATOR_FLAGS) {
      const sample =
        flag.kind === "boolean"
          ? [`--${flag.name}`]
          : [
              `--${flag.name}`,
              flag.kind === "duration"
                ? `${Math.max(1000, flag.min ?? 0)}ms`
                : flag.kind === "choice" || flag.kind === "list"
                  ? (flag.choices?.[0] ?? "")
                  : flag.kind === "rate"
                    ? "0.5"
                    : "1"
            ]
      const extra =
        flag.name === "access-key-id"
          ? ["--access-key-secret", "s"]
          : flag.name === "access-key-secret"
            ? ["--access-key-id", "i"]
            : flag.name === "rollout-failure-rate"
              ? ["--rollout", "1s"]
              : []
      expect(() => Cli.parseEmulatorArgs([...sample, ...extra]), flag.name).not.toThrow()
    }
  })

  it("optionsFromFlags (what ota emulator calls) gives what the bin's parser gives", () => {
    const argv = ["--job", "a:5", "--job", "b", "--rollout", "90s", "--quota", "fixed-window", "--log"]
    expect(
      Flags.optionsFromFlags({
        job: ["a:5", "b"],
        rollout: "90s",
        quota: "fixed-window",
        log: true,
        port: undefined
      })
    ).toEqual({ log: true, options: Cli.parseEmulatorArgs(argv).options })
    expect(() => Flags.optionsFromFlags({ nope: "1" })).toThrow(/unknown option --nope/)
  })

  it("the temporary-credential flags: roles, OIDC provider, instance role, metadata tokens, test lifetimes", async () => {
    const reader = "acs:ram::1234567890123456:role/reader"
    const { options } = Cli.parseEmulatorArgs([
      ...["--role", reader, "--role", DEFAULT_ROLE_ARN, "--max-session-duration", "12h"],
      ...["--oidc-provider", "acs:ram::1:oidc-provider/ci", "--oidc-secret", "ci-secret"],
      ...["--instance-role", "emulator-role", "--metadata-tokens", "required", "--credential-lifetime", "30s"]
    ])
    expect(options).toEqual({
      roles: [
        { roleArn: reader, maxSessionDurationSeconds: 43_200 },
        { roleArn: DEFAULT_ROLE_ARN, maxSessionDurationSeconds: 43_200 }
      ],
      oidcProviders: [{ arn: "acs:ram::1:oidc-provider/ci", secret: "ci-secret" }],
      instanceRole: "emulator-role",
      metadataTokens: "required",
      credentialLifetimeMs: 30_000
    })
    expect(Cli.parseEmulatorArgs(["--instance-role", "none"]).options).toEqual({ instanceRole: null })
    expect(() => Cli.parseEmulatorArgs(["--max-session-duration", "3600500ms"])).toThrow(
      /whole number of seconds/
    )
    expect(() => Cli.parseEmulatorArgs(["--max-session-duration", "13h"])).toThrow(/out of range/)
    expect(() => Cli.parseEmulatorArgs(["--metadata-tokens", "maybe"])).toThrow(
      /optional or required or unsupported/
    )
    const emu = await startEmulator(options)
    try {
      const banner = Cli.formatBanner(emu)
      expect(banner).toContain(`  STS role ${reader} (sessions up to 43200 s)\n`)
      expect(banner).toContain(
        "  OIDC provider acs:ram::1:oidc-provider/ci (HS256 tokens, issuer https://oidc.emulator.invalid)\n"
      )
      expect(banner).toContain(
        `  ECS metadata: ${emu.url}/latest/meta-data/ (role emulator-role, session tokens required)\n`
      )
      expect(banner).not.toContain("ci-secret")
    } finally {
      await emu.close()
    }
  })
})

describe("runEmulatorCli (in process)", () => {
  it("prints the URL and credentials, serves, and stops with exit code 0", async () => {
    const out: Array<string> = []
    const controller = new AbortController()
    const exit = Cli.runEmulatorCli(["--qps", "0", "--job", "cli-job:12"], {
      stdout: (text) => out.push(text),
      stderr: (text) => out.push(text),
      signal: controller.signal
    })
    while (!out.join("").includes("listening on")) await new Promise((resolve) => setTimeout(resolve, 10))
    const url = /listening on (http:\/\/\S+)/.exec(out.join(""))?.[1] ?? ""
    expect(out.join("")).toContain(`AccessKeySecret: ${DEFAULT_CREDENTIALS.accessKeySecret}`)
    const { hostname, port } = new URL(url)
    const target = { host: hostname, port: Number(port) } as Emulator
    expect((await callV2(target, { JobId: "cli-job" })).json.Total).toBe(12)
    controller.abort()
    expect(await exit).toBe(0)
    expect(out.join("")).toContain("stopped (abort)")
  })

  it("--host 0.0.0.0: warns on stderr that the public test key is reachable, prints a loopback URL", async () => {
    const out: Array<string> = []
    const err: Array<string> = []
    const controller = new AbortController()
    const exit = Cli.runEmulatorCli(["--host", "0.0.0.0", "--job", "wide:4"], {
      stdout: (text) => {
        out.push(text)
        if (text.includes("Stop with")) controller.abort()
      },
      stderr: (text) => err.push(text),
      signal: controller.signal
    })
    expect(await exit).toBe(0)
    expect(err.join("")).toMatch(
      /^ota-emulator: warning: bound to 0\.0\.0\.0: .*public default test key \(emulator-access-key-id\)/
    )
    const banner = out.join("")
    expect(banner).toMatch(/^ota-emulator listening on http:\/\/127\.0\.0\.1:\d+ \(bound to 0\.0\.0\.0\)/)
    expect(banner).toMatch(/export OTA_ENDPOINT=http:\/\/127\.0\.0\.1:\d+ /)
    expect(banner).not.toContain("http://0.0.0.0")
  })

  it("no warning when bound to the loopback address (the default)", async () => {
    const err: Array<string> = []
    const controller = new AbortController()
    const exit = Cli.runEmulatorCli(["--job", "narrow:1"], {
      stdout: (text) => (text.includes("Stop with") ? controller.abort() : undefined),
      stderr: (text) => err.push(text),
      signal: controller.signal
    })
    expect(await exit).toBe(0)
    expect(err).toEqual([])
  })

  it("returns 2 with the usage on a bad flag, and 0 for --help", async () => {
    const err: Array<string> = []
    expect(await Cli.runEmulatorCli(["--qps", "-1"], { stderr: (text) => err.push(text) })).toBe(2)
    expect(err.join("")).toContain("Usage: ota-emulator")
    const out: Array<string> = []
    expect(await Cli.runEmulatorCli(["--help"], { stdout: (text) => out.push(text) })).toBe(0)
    expect(out.join("")).toContain("--fault-sequence")
  })
})

/** The bin imports dist/: rebuild it when any source file is newer. */
const ensureBuilt = (): void => {
  const newest = (dir: string): number =>
    Math.max(
      0,
      ...readdirSync(dir, { withFileTypes: true }).map((entry) =>
        entry.isDirectory() ? newest(`${dir}/${entry.name}`) : statSync(`${dir}/${entry.name}`).mtimeMs
      )
    )
  let built = 0
  try {
    built = statSync(`${packageDir}/dist/bin.js`).mtimeMs
  } catch {
    built = 0
  }
  if (built < newest(`${packageDir}/src`)) {
    const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc")
    execFileSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { cwd: packageDir, stdio: "inherit" })
  }
}

const startBin = async (
  args: Array<string>
): Promise<{ child: ChildProcessWithoutNullStreams; url: string; output: () => string }> => {
  const child = spawn(process.execPath, ["bin/ota-emulator.js", ...args], { cwd: packageDir })
  let output = ""
  child.stdout.setEncoding("utf8").on("data", (text: string) => {
    output += text
  })
  child.stderr.setEncoding("utf8").on("data", (text: string) => {
    output += text
  })
  const url = await new Promise<string>((resolve, reject) => {
    const check = () => {
      const match = /listening on (http:\/\/\S+)/.exec(output)
      if (match?.[1] !== undefined) resolve(match[1])
    }
    child.stdout.on("data", check)
    child.on("exit", (code) => reject(new Error(`ota-emulator exited early (${code}): ${output}`)))
  })
  return { child, url, output: () => output }
}

describe("the ota-emulator bin (subprocess)", () => {
  beforeAll(ensureBuilt, 60_000)

  it.each(["SIGTERM", "SIGINT"] as const)("serves signed requests and exits 0 on %s", async (signal) => {
    const { child, url, output } = await startBin(["--port", "0", "--job", "bin-job:20", "--qps", "0"])
    expect(output()).toContain(`AccessKeyId:     ${DEFAULT_CREDENTIALS.accessKeyId}`)
    const { hostname, port } = new URL(url)
    const result = await callV2({ host: hostname, port: Number(port) } as Emulator, { JobId: "bin-job" })
    expect(result.json.Total).toBe(20)
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
    child.kill(signal)
    expect(await exited).toBe(0)
    expect(output()).toContain(`stopped (${signal})`)
  })

  it("exits 2 on a usage error", async () => {
    const child = spawn(process.execPath, ["bin/ota-emulator.js", "--casing", "snake"], { cwd: packageDir })
    expect(await new Promise((resolve) => child.on("exit", resolve))).toBe(2)
  })
})
