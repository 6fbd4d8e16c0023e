/**
 * `ota firmware list|show`: the account's update packages (firmware), one
 * page or all of them, and one package in full.
 *
 * @since 0.1.0
 */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import type { OtaError } from "@iot-ota/core/IotError"
import { OtaClient } from "@iot-ota/core/OtaClient"
import type { ListOTAFirmwareInput } from "@iot-ota/core/operations/ListOTAFirmware"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { withClient } from "../internal/client.js"
import type { Column } from "../internal/columns.js"
import * as Flags from "../internal/flags.js"
import * as Listing from "../internal/listing.js"
import {
  clientOptions,
  columnsOptionFor,
  idArgument,
  outputOption,
  pagingOptions
} from "../internal/options.js"
import type * as Output from "../internal/output.js"
import { FIRMWARE, FIRMWARE_DETAIL, type FirmwareRecord } from "../internal/recordColumns.js"
import { type TerminalInfo, terminalInfo } from "../internal/terminal.js"

/**
 * What `ota firmware list` lists and how it prints it.
 *
 * @since 0.1.0
 * @category models
 */
export interface FirmwareListParams {
  /** Only the packages of this product (ProductKey). */
  readonly productKey?: string | undefined
  /** Only the packages of exactly this version. */
  readonly destVersion?: string | undefined
  /** The page to print, or with `all` the page to start from. */
  readonly page?: number | undefined
  readonly pageSize?: number | undefined
  /** Every page from `page` on, streamed. */
  readonly all: boolean
  readonly output: Listing.OutputFormat
  readonly columns?: ReadonlyArray<Column<FirmwareRecord>> | undefined
  readonly terminal: TerminalInfo
}

const FIRMWARE_LISTING: Listing.Listing<FirmwareRecord> = {
  noun: { one: "firmware", many: "firmware" },
  set: FIRMWARE
}

const inputOf = (params: FirmwareListParams): ListOTAFirmwareInput => ({
  ...(params.productKey === undefined ? {} : { productKey: params.productKey }),
  ...(params.destVersion === undefined ? {} : { destVersion: params.destVersion }),
  ...(params.pageSize === undefined ? {} : { pageSize: params.pageSize }),
  ...(params.page === undefined ? {} : { currentPage: params.page })
})

/**
 * Lists firmware as the flags say: one page, or every page with `all`.
 *
 * @since 0.1.0
 * @category commands
 */
export const runFirmwareList = (
  params: FirmwareListParams
): Effect.Effect<void, OtaError | Output.BrokenPipe, OtaClient> =>
  Effect.gen(function* () {
    const client = yield* OtaClient
    const options = { output: params.output, columns: params.columns, terminal: params.terminal }
    if (!params.all) {
      const page = yield* client.listOTAFirmware(inputOf(params))
      return yield* Listing.printPage(FIRMWARE_LISTING, options, { ...page, items: page.firmware })
    }
    const { pageSize: _, currentPage: __, ...filter } = inputOf(params)
    const skipped = ((params.page ?? 1) - 1) * (params.pageSize ?? 100)
    yield* Listing.printStream(
      FIRMWARE_LISTING,
      options,
      client.streamOTAFirmware(inputOf(params)),
      Effect.map(client.listOTAFirmware({ ...filter, pageSize: 1 }), (page) =>
        Math.max(0, page.total - skipped)
      )
    )
  })

/**
 * @since 0.1.0
 * @category commands
 */
export const firmwareList = Command.make(
  "list",
  {
    ...clientOptions,
    product: Flags.text({
      name: "product",
      alias: "p",
      pseudo: "pk",
      description: "Only the firmware of this product (ProductKey)."
    }).pipe(Options.optional),
    version: Flags.text({
      name: "dest-version",
      pseudo: "version",
      description: "Only the firmware of exactly this version (its destination version, e.g. 2.4.1)."
    }).pipe(Options.optional),
    ...pagingOptions({ one: "firmware", many: "firmware", maxPageSize: 100 }),
    output: outputOption("one array"),
    columns: columnsOptionFor(
      FIRMWARE,
      "table firmwareId,firmwareName,productKey,version,status,firmwareSize,utcCreate; csv and json every field the listing answers"
    )
  },
  (flags) =>
    withClient(
      flags,
      runFirmwareList({
        productKey: Option.getOrUndefined(flags.product),
        destVersion: Option.getOrUndefined(flags.version),
        page: Option.getOrUndefined(flags.page),
        pageSize: Option.getOrUndefined(flags.pageSize),
        all: flags.all,
        output: flags.output,
        columns: Option.getOrUndefined(flags.columns),
        terminal: terminalInfo()
      })
    )
).pipe(
  Command.withDescription(
    "List the update packages (firmware): one page (--page, --page-size), or every one with --all. Filter by --product or --dest-version."
  )
)

/**
 * What `ota firmware show` prints.
 *
 * @since 0.1.0
 * @category models
 */
export interface FirmwareShowParams {
  readonly firmwareId: string
  readonly output: Listing.OutputFormat
  readonly terminal: TerminalInfo
}

/**
 * Prints one firmware in full.
 *
 * @since 0.1.0
 * @category commands
 */
export const runFirmwareShow = (
  params: FirmwareShowParams
): Effect.Effect<void, OtaError | Output.BrokenPipe, OtaClient> =>
  Effect.gen(function* () {
    const client = yield* OtaClient
    const { firmware } = yield* client.queryOTAFirmware({ firmwareId: params.firmwareId })
    yield* Listing.printRecord(
      { noun: FIRMWARE_LISTING.noun, set: FIRMWARE_DETAIL },
      { output: params.output, terminal: params.terminal },
      firmware
    )
  })

/**
 * @since 0.1.0
 * @category commands
 */
export const firmwareShow = Command.make(
  "show",
  {
    ...clientOptions,
    output: outputOption("one object"),
    firmwareId: idArgument({
      name: "firmware-id",
      what: "a FirmwareId",
      description: "The firmware (FirmwareId)"
    })
  },
  (flags) =>
    withClient(
      flags,
      runFirmwareShow({ firmwareId: flags.firmwareId, output: flags.output, terminal: terminalInfo() })
    )
).pipe(
  Command.withDescription(
    "Show one update package in full: versions, product and module, verification, size, signature and download (the URL's signed query is shown by json, ndjson and csv only)."
  )
)
