/** The pure rendering helpers: text width, wrapping, server text, tables, CSV, bars, durations, colour rules. */
import { describe, expect, it } from "vitest"
import { bar, meter, percent } from "../src/internal/bar.js"
import { COLUMNS, parseColumns } from "../src/internal/columns.js"
import { csvField, csvRecord } from "../src/internal/csv.js"
import { durationFlag, durationProblem, formatDuration, parseDuration } from "../src/internal/duration.js"
import {
  byteSize,
  DEVICE_TASKS,
  FIRMWARE,
  firmwareStatus,
  JOBS,
  targetLabel,
  urlWithoutQuery
} from "../src/internal/recordColumns.js"
import { redactSecretArgs } from "../src/internal/redact.js"
import { fitWidths, renderTable } from "../src/internal/table.js"
import { colorEnabled, outputColumns, paintStatus } from "../src/internal/terminal.js"
import {
  displayWidth,
  SERVER_TEXT_MAX,
  sanitize,
  serverText,
  stripAnsi,
  truncate,
  truncateStyled,
  wrapItems,
  wrapWords
} from "../src/internal/text.js"
import { FIELDS } from "./helpers/data.js"

describe("text", () => {
  it("counts wide characters as two cells and combining marks as none", () => {
    expect(displayWidth("abc")).toBe(3)
    expect(displayWidth("升级失败")).toBe(8)
    expect(displayWidth("e\u0301")).toBe(1)
    expect(displayWidth("\u001b[31mred\u001b[39m")).toBe(3)
  })

  it("truncates to a width with an ellipsis, never splitting a wide character", () => {
    expect(truncate("abcdef", 6)).toBe("abcdef")
    expect(truncate("abcdef", 4)).toBe("abc…")
    expect(truncate("升级失败", 5)).toBe("升级…")
    expect(displayWidth(truncate("升级失败", 4))).toBeLessThanOrEqual(4)
    expect(truncate("abc", 0)).toBe("")
  })

  it("truncates styled text by its visible width and resets the style", () => {
    const styled = "\u001b[31mFAILED\u001b[39m device"
    expect(truncateStyled(styled, 20)).toBe(styled)
    const cut = truncateStyled(styled, 5)
    expect(stripAnsi(cut)).toBe("FAIL…")
    expect(cut.endsWith("\u001b[0m")).toBe(true)
    expect(truncateStyled("plain text", 6)).toBe("plain…")
  })

  it("removes escape sequences whole and turns control characters into spaces", () => {
    expect(sanitize("a\r\nb\tc\u001b[2Jd\u0007")).toBe("a b cd ")
    // OSC (a terminal title), a C1 CSI, a two-byte ESC sequence, an unterminated CSI.
    expect(sanitize("x\u001b]0;pwned\u0007y\u009b31mz\u001bcw\u001b[")).toBe("xyzw")
    expect(sanitize("升级失败 ok")).toBe("升级失败 ok")
  })

  it("caps server text at a length, with an ellipsis, whatever its size", () => {
    expect(serverText("short")).toBe("short")
    const huge = "\u001b[2J".repeat(10) + "x".repeat(20_000_000)
    const shown = serverText(huge)
    expect([...shown]).toHaveLength(SERVER_TEXT_MAX + 1)
    expect(shown.endsWith("…")).toBe(true)
    expect(shown).not.toContain("\u001b")
    expect(serverText("a".repeat(SERVER_TEXT_MAX))).toBe("a".repeat(SERVER_TEXT_MAX))
    expect(serverText("abcdef", 3)).toBe("abc…")
  })

  it("wraps items between them, never cutting one, and breaks only a word wider than a line", () => {
    expect(wrapItems(["aaa", "bbb", "ccc"], 7, " ")).toEqual(["aaa bbb", "ccc"])
    expect(wrapItems(["aaa", "bbb"], 80, ", ")).toEqual(["aaa, bbb"])
    expect(wrapItems(["abcdefghij"], 4, " ")).toEqual(["abcd", "efgh", "ij"])
    expect(wrapItems(["升级失败"], 5, " ")).toEqual(["升级", "失败"])
    const styled = wrapItems(["\u001b[31mFAILED 3\u001b[39m", "\u001b[32mSUCCEEDED 9\u001b[39m"], 12, "  ")
    expect(styled.map(stripAnsi)).toEqual(["FAILED 3", "SUCCEEDED 9"])
    expect(wrapWords("refresh failed at 10:00:00 UTC", 12)).toEqual(["refresh", "failed at", "10:00:00 UTC"])
  })
})

describe("tables", () => {
  const columns = [
    { header: "NAME", align: "left", shrink: 1 },
    { header: "N", align: "right", shrink: 0 },
    { header: "DESC", align: "left", shrink: 2 }
  ] as const

  it("aligns columns, right-aligns numbers and leaves no trailing spaces", () => {
    expect(
      renderTable(
        columns,
        [
          ["a", "1", "x"],
          ["bbb", "100", ""]
        ],
        { width: undefined }
      )
    ).toEqual(["NAME    N  DESC", "a       1  x", "bbb   100"])
  })

  it("takes width from the highest shrink class first, then the next", () => {
    expect(fitWidths(columns, [20, 3, 30], 40)).toEqual([20, 3, 13])
    expect(fitWidths(columns, [20, 3, 30], 24)).toEqual([11, 3, 6])
    // Nothing below the minimum: a very narrow terminal gets an overflowing table.
    expect(fitWidths(columns, [20, 3, 30], 5)).toEqual([6, 3, 6])
  })

  it("cuts long cells with … and never breaks a row", () => {
    const lines = renderTable(columns, [["device-with-a-long-name", "7", "line one\nline two"]], {
      width: 24
    })
    expect(lines).toHaveLength(2)
    for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(24)
    expect(lines[1]).toContain("…")
    expect(lines[1]).not.toContain("\n")
  })

  it("styles body cells without changing the layout", () => {
    const lines = renderTable(columns, [["a", "1", "x"]], {
      width: undefined,
      style: ({ column }, text) => (column === 0 ? `<${text}>` : text)
    })
    expect(lines[1]).toBe("<a   >  1  x")
  })
})

describe("CSV", () => {
  it("quotes only fields that need it, doubling quotes, and ends records with CRLF", () => {
    expect(csvField("plain")).toBe("plain")
    expect(csvField("a,b")).toBe('"a,b"')
    expect(csvField('say "hi"')).toBe('"say ""hi"""')
    expect(csvField("two\nlines")).toBe('"two\nlines"')
    expect(csvField("cr\r")).toBe('"cr\r"')
    expect(csvRecord(["a", "", "b c"])).toBe("a,,b c\r\n")
  })
})

describe("columns", () => {
  it("accepts known names in any case and reports unknown ones with the known list", () => {
    const parsed = parseColumns("deviceName, TASKSTATUS ,progress")
    expect("columns" in parsed && parsed.columns.map((c) => c.name)).toEqual([
      "deviceName",
      "taskStatus",
      "progress"
    ])
    const bad = parseColumns("deviceName,colour,size")
    expect("error" in bad && bad.error).toMatch(/^unknown columns colour, size; known: taskId, /)
    const typo = parseColumns("deviceNmae")
    expect("error" in typo && typo.error).toMatch(
      /^unknown column deviceNmae \(did you mean deviceName\?\); known: /
    )
    expect(parseColumns(" , ")).toEqual({ error: "--columns needs at least one column name" })
  })

  it("covers every OtaTask field", () => {
    expect(COLUMNS.map((c) => c.name)).toEqual(expect.arrayContaining([...FIELDS]))
  })
})

describe("the read path's columns", () => {
  it("sizes in binary units, statuses in words, URLs without their signed query", () => {
    expect([0, 1023, 1024, 1536, 1024 * 1024 - 1, 1675058, 3 * 1024 ** 3].map(byteSize)).toEqual([
      "0 B",
      "1023 B",
      "1.0 KiB",
      "1.5 KiB",
      "1024.0 KiB",
      "1.6 MiB",
      "3.0 GiB"
    ])
    expect([-1, 0, 1, 2, 3, 7].map(firmwareStatus)).toEqual([
      "no verification",
      "unverified",
      "verified",
      "verifying",
      "verify failed",
      "7"
    ])
    expect(urlWithoutQuery("https://oss.example/a/b.bin?Expires=1&Signature=abc")).toBe(
      "https://oss.example/a/b.bin?…"
    )
    expect(urlWithoutQuery("https://oss.example/a/b.bin")).toBe("https://oss.example/a/b.bin")
  })

  it("a job's target: the selection, its detail and how devices join", () => {
    const job = { jobId: "j", jobStatus: "IN_PROGRESS", firmwareId: "f", productKey: "p" }
    expect(targetLabel({ ...job, targetSelection: "ALL", selectionType: "STATIC" })).toBe("ALL (static)")
    expect(
      targetLabel({ ...job, targetSelection: "GRAY", grayPercent: "50.00", selectionType: "DYNAMIC" })
    ).toBe("GRAY 50.00% (dynamic)")
    expect(targetLabel({ ...job, targetSelection: "GROUP", groupName: "north" })).toBe("GROUP north")
  })

  it("--columns suggests a field by the words that end its name", () => {
    expect(JOBS.parse("status")).toMatchObject({
      error: expect.stringContaining("(did you mean jobStatus?)")
    })
    expect(DEVICE_TASKS.parse("modul")).toMatchObject({
      error: expect.stringContaining("(did you mean moduleName?)")
    })
    expect(FIRMWARE.parse("size")).toMatchObject({
      error: expect.stringContaining("(did you mean firmwareSize?)")
    })
    expect(FIRMWARE.parse("FIRMWAREID, version")).toEqual({
      columns: FIRMWARE.named(["firmwareId", "version"])
    })
  })
})

describe("bars and durations", () => {
  it("draws proportional bars in eighths on a terminal and # elsewhere", () => {
    expect(bar(1, 4, true)).toBe("████")
    expect(bar(0.5, 3, true)).toBe("█▌")
    expect(bar(0.5, 4, false)).toBe("##")
    expect(bar(2, 4, false)).toBe("####")
    expect(bar(Number.NaN, 4, false)).toBe("")
    expect(meter(0.25, 4, false)).toBe("#...")
  })

  it("rounds bars and percentages down: full only when done", () => {
    expect(percent(0.4567)).toBe("45.6%")
    expect(percent(0.29)).toBe("29.0%")
    expect(percent(0.9996)).toBe("99.9%")
    expect(percent(1)).toBe("100.0%")
    // 97.9% done is 19 cells of 20, not a full bar.
    expect(bar(0.979, 20, false)).toBe("#".repeat(19))
    expect(bar(0.999, 4, true)).toBe("███▉")
    expect(bar(0.7, 10, false)).toBe("#".repeat(7))
  })

  it("parses durations only with a unit: ms, s, m, h, decimals allowed", () => {
    expect(parseDuration("500ms")).toEqual({ _tag: "Duration", ms: 500 })
    expect(parseDuration("10s")).toEqual({ _tag: "Duration", ms: 10_000 })
    expect(parseDuration("1.5s")).toEqual({ _tag: "Duration", ms: 1500 })
    expect(parseDuration("1.5m")).toEqual({ _tag: "Duration", ms: 90_000 })
    expect(parseDuration("2h")).toEqual({ _tag: "Duration", ms: 7_200_000 })
    expect(parseDuration("3")).toEqual({ _tag: "NoUnit", value: "3" })
    for (const bad of ["soon", "-1s", "1.s", ".5s", "1e3ms", "5 min", "2S", ""]) {
      expect(parseDuration(bad), bad).toEqual({ _tag: "Invalid" })
    }
    for (const ms of [1, 200, 1500, 60_000, 90_000, 3_600_000, 7_200_000]) {
      expect(parseDuration(durationFlag(ms))).toEqual({ _tag: "Duration", ms })
    }
    expect(formatDuration(850)).toBe("850 ms")
    expect(formatDuration(12_300)).toBe("12 s")
    expect(formatDuration(125_000)).toBe("2 min 5 s")
    expect(durationFlag(2000)).toBe("2s")
    expect(durationFlag(1500)).toBe("1500ms")
  })

  it("explains a refused duration naming the flag, and suggests units for a bare number", () => {
    expect(durationProblem("--timeout", "5", 1, 600_000)).toEqual({
      problem:
        "--timeout 5: a duration needs a unit, e.g. 5s (seconds) or 5ms (milliseconds); units: ms, s, m, h"
    })
    expect(durationProblem("--interval", "100ms", 200, 3_600_000)).toEqual({
      problem: "--interval 100ms: out of range; expected 200ms to 1h"
    })
    expect(durationProblem("--interval", "soon", 200, 3_600_000)).toMatchObject({
      problem: expect.stringMatching(/^--interval "soon": not a duration; /)
    })
    expect(durationProblem("--timeout", "2s", 1, 600_000)).toEqual({ ms: 2000 })
  })
})

describe("terminal", () => {
  it("follows NO_COLOR, then FORCE_COLOR, then whether the stream is a terminal", () => {
    expect(colorEnabled({ isTTY: true }, {})).toBe(true)
    expect(colorEnabled({ isTTY: false }, {})).toBe(false)
    expect(colorEnabled({ isTTY: true }, { NO_COLOR: "1" })).toBe(false)
    expect(colorEnabled({ isTTY: true }, { NO_COLOR: "" })).toBe(true)
    expect(colorEnabled({ isTTY: false }, { FORCE_COLOR: "1" })).toBe(true)
    expect(colorEnabled({ isTTY: false }, { FORCE_COLOR: "1", NO_COLOR: "1" })).toBe(false)
    expect(colorEnabled({ isTTY: true }, { TERM: "dumb" })).toBe(false)
  })

  it("fits to the terminal, else to COLUMNS, else not at all", () => {
    expect(outputColumns({ isTTY: true, columns: 120 }, { COLUMNS: "80" })).toBe(120)
    expect(outputColumns({ isTTY: false }, { COLUMNS: "80" })).toBe(80)
    expect(outputColumns({ isTTY: false }, {})).toBeUndefined()
  })

  it("colours statuses: green done, red failed, yellow running, grey cancelled", () => {
    expect(paintStatus(true, "SUCCEEDED")).toBe("\u001b[32mSUCCEEDED\u001b[39m")
    expect(paintStatus(true, "FAILED")).toBe("\u001b[31mFAILED\u001b[39m")
    expect(paintStatus(true, "IN_PROGRESS")).toBe("\u001b[33mIN_PROGRESS\u001b[39m")
    expect(paintStatus(true, "CANCELED")).toBe("\u001b[90mCANCELED\u001b[39m")
    // Job statuses: a completed job is green, a planned one waits in cyan.
    expect(paintStatus(true, "COMPLETED")).toBe("\u001b[32mCOMPLETED\u001b[39m")
    expect(paintStatus(true, "PLANNED")).toBe("\u001b[36mPLANNED\u001b[39m")
    expect(paintStatus(true, "SOMETHING_NEW")).toBe("SOMETHING_NEW")
    expect(paintStatus(false, "FAILED")).toBe("FAILED")
  })
})

describe("redactSecretArgs", () => {
  it("hides the value of any *secret* flag echoed by a parse error", () => {
    expect(
      redactSecretArgs("Received unknown argument: '--access-key-secret=hunter2'", [
        "tasks",
        "list",
        "--access-key-secret=hunter2"
      ])
    ).toBe("Received unknown argument: '--access-key-secret=<redacted>'")
    expect(redactSecretArgs("Received unknown argument: 'hunter2'", ["--secret", "hunter2"])).toBe(
      "Received unknown argument: '<redacted>'"
    )
    expect(redactSecretArgs("Expected to find option: '--job'", ["--secret-stdin", "--all"])).toBe(
      "Expected to find option: '--job'"
    )
  })
})
