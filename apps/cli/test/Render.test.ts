/** The pure rendering helpers: text width, tables, CSV, bars, durations, help tidying, colour rules. */
import { describe, expect, it } from "vitest"
import { bar, meter, percent } from "../src/internal/bar.js"
import { COLUMNS, parseColumns } from "../src/internal/columns.js"
import { csvField, csvRecord } from "../src/internal/csv.js"
import { durationFlag, formatDuration, parseDuration } from "../src/internal/duration.js"
import { isHelpPage, tidyHelp } from "../src/internal/help.js"
import { redactSecretArgs } from "../src/internal/redact.js"
import { fitWidths, renderTable } from "../src/internal/table.js"
import { colorEnabled, outputColumns, paintStatus } from "../src/internal/terminal.js"
import { displayWidth, sanitize, stripAnsi, truncate, truncateStyled } from "../src/internal/text.js"
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

  it("turns control characters and escape sequences from server data into spaces", () => {
    expect(sanitize("a\r\nb\tc\u001b[2Jd\u0007")).toBe("a b c [2Jd ")
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
    expect(parseColumns(" , ")).toEqual({ error: "--columns needs at least one column name" })
  })

  it("covers every OtaTask field", () => {
    expect(COLUMNS.map((c) => c.name)).toEqual(expect.arrayContaining([...FIELDS]))
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
    expect(percent(0.4567)).toBe("45.7%")
  })

  it("parses durations with units, a bare number being seconds", () => {
    expect(parseDuration("500ms")).toBe(500)
    expect(parseDuration("10s")).toBe(10_000)
    expect(parseDuration("1.5m")).toBe(90_000)
    expect(parseDuration("2h")).toBe(7_200_000)
    expect(parseDuration("3")).toBe(3000)
    expect(parseDuration("soon")).toBeUndefined()
    expect(parseDuration("-1s")).toBeUndefined()
    expect(formatDuration(850)).toBe("850 ms")
    expect(formatDuration(12_300)).toBe("12 s")
    expect(formatDuration(125_000)).toBe("2 min 5 s")
    expect(durationFlag(2000)).toBe("2s")
    expect(durationFlag(1500)).toBe("1500ms")
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
    expect(paintStatus(true, "SOMETHING_NEW")).toBe("SOMETHING_NEW")
    expect(paintStatus(false, "FAILED")).toBe("FAILED")
  })
})

describe("help pages", () => {
  const page = [
    "ota",
    "",
    "USAGE",
    "",
    "$ list [--job]",
    "",
    "OPTIONS",
    "",
    "--job id",
    "",
    "  A user-defined piece of text.",
    "",
    "  The upgrade batch (JobId)",
    "",
    "  This setting is optional.",
    "",
    "COMMANDS",
    "",
    "  - tasks list [--endpoint url] (-j, --job id)   List tasks",
    "",
    "  - demo [--devices n]                           Run the demo",
    ""
  ].join("\n")

  it("drops generic type lines, names the full command in USAGE and lists commands compactly", () => {
    expect(isHelpPage(page)).toBe(true)
    expect(isHelpPage("function _ota_bash_completions() {")).toBe(false)
    expect(tidyHelp(page, "ota tasks list")).toBe(
      [
        "ota",
        "",
        "USAGE",
        "",
        "$ ota tasks list [--job]",
        "",
        "OPTIONS",
        "",
        "--job id",
        "",
        "  The upgrade batch (JobId)",
        "",
        "COMMANDS",
        "",
        "  tasks list   List tasks",
        "  demo         Run the demo"
      ].join("\n")
    )
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
