/**
 * Walking every page of a listing, with one promise: a listing ends either
 * with every item of its total delivered exactly once, or with a typed
 * `PaginationError` saying what the server did (page size not honoured, a
 * short page before the end, another page than the one asked, the total
 * moving, items repeated), carrying how many items were delivered.
 *
 * - The first page tells the total and the page size the server honours:
 *   when it caps the size (50 when 100 was asked), the listing continues at
 *   the size it honours.
 * - Later pages are fetched `concurrency` at a time, as fibers of the
 *   caller's scope, and delivered in order; each is checked against the plan.
 * - Every item's key is remembered for the whole listing (8 bytes each).
 * - A listing larger than the server pages through (`maxOffset`) is listed
 *   partition by partition when the operation declares one (tasks: status by
 *   status, each status's total read first), else it fails before delivering
 *   anything.
 *
 * The walk is a pull-based cursor with no dependency on `effect/Stream`, so
 * the Promise clients (and edge bundles) stay small; `OtaClient` builds its
 * Streams on it.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import type * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import { type OtaError, PaginationError, ValidationError } from "./IotError.js"
import { FingerprintSet } from "./internal/fingerprints.js"
import type { PagedOperation, Paging } from "./Operation.js"

/**
 * How a listing is walked.
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { OtaClient } from "@iot-ota/core/OtaClient"
 * import type { PaginationOptions } from "@iot-ota/core/Pagination"
 *
 * // Two pages at a time: the listing leaves room in the account's QPS quota for other callers.
 * const gentle: PaginationOptions = { concurrency: 2 }
 * const tasks = Effect.flatMap(OtaClient, (client) => Stream.runCollect(client.streamOTATaskByJob({ jobId: "job-1" }, gentle)))
 * ```
 */
export interface PaginationOptions {
  /** Pages in flight after the first one (default 4). */
  readonly concurrency?: number | undefined
}

/**
 * Default number of pages fetched at once after the first.
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import { DEFAULT_CONCURRENCY, type PaginationOptions } from "@iot-ota/core/Pagination"
 *
 * // Several listings sharing one client: each at half the default.
 * const shared: PaginationOptions = { concurrency: Math.max(1, DEFAULT_CONCURRENCY / 2) }
 * ```
 */
export const DEFAULT_CONCURRENCY = 4

/**
 * Where pages come from: the caller's input, how to check it and how to
 * fetch any page of a checked request.
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import type { Effect } from "effect"
 * import type { OtaError } from "@iot-ota/core/IotError"
 * import * as Operation from "@iot-ota/core/Operation"
 * import { ListOTATaskByJob, type OtaTaskPage } from "@iot-ota/core/operations/ListOTATaskByJob"
 * import * as Pagination from "@iot-ota/core/Pagination"
 *
 * type TaskRequest = Operation.Operation.Request<typeof ListOTATaskByJob>
 * declare const fetchPage: (request: TaskRequest) => Effect.Effect<OtaTaskPage, OtaError> // e.g. over a recording
 * const source: Pagination.PageSource<TaskRequest, OtaTaskPage> = {
 *   input: { jobId: "job-1", taskStatus: "FAILED" },
 *   check: (input) => Operation.check(ListOTATaskByJob, input),
 *   fetch: fetchPage,
 *   options: { concurrency: 2 }
 * }
 * const pages = Pagination.pageCursor(ListOTATaskByJob, source) // scoped: closing the scope stops the fetches
 * ```
 */
export interface PageSource<R, O> {
  /** The caller's listing input; without a page size, the largest the server allows is used. */
  readonly input: unknown
  readonly check: (input: unknown) => Either.Either<R, ValidationError>
  readonly fetch: (request: R) => Effect.Effect<O, OtaError>
  readonly options?: PaginationOptions | undefined
}

/**
 * Pulls results one at a time; `Option.none()` when the walk is over.
 * Calls to `next` must not overlap.
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import { Effect, Option } from "effect"
 * import type { Cursor } from "@iot-ota/core/Pagination"
 *
 * // Every result into an array: one pull after the other, never two at once.
 * const drain = <A>(cursor: Cursor<A>) =>
 *   Effect.gen(function* () {
 *     const all: Array<A> = []
 *     for (let next = yield* cursor.next; Option.isSome(next); next = yield* cursor.next) all.push(next.value)
 *     return all
 *   })
 * ```
 */
export interface Cursor<A> {
  readonly next: Effect.Effect<Option.Option<A>, OtaError>
}

/**
 * Checks the concurrency option: an integer from 1 to 64, default
 * {@link DEFAULT_CONCURRENCY}.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { checkConcurrency } from "@iot-ota/core/Pagination"
 *
 * Effect.runSync(checkConcurrency(undefined)) // 4
 * ```
 */
export const checkConcurrency = (
  options: PaginationOptions | undefined
): Effect.Effect<number, ValidationError> => {
  const concurrency = options?.concurrency ?? DEFAULT_CONCURRENCY
  return Number.isInteger(concurrency) && concurrency >= 1 && concurrency <= 64
    ? Effect.succeed(concurrency)
    : Effect.fail(
        new ValidationError({
          field: "concurrency",
          rule: "an integer from 1 to 64",
          message: `concurrency must be an integer from 1 to 64, got ${String(concurrency)}`
        })
      )
}

type Values = Record<string, unknown>

/** State shared by the walks of one listing (several when it is partitioned). */
interface Listing<O> {
  readonly paging: Paging<unknown, unknown, unknown>
  readonly action: string
  readonly seen: FingerprintSet
  delivered: number
  readonly fail: (
    reason: PaginationError["reason"],
    page: number,
    total: number,
    message: string,
    of?: O
  ) => Effect.Effect<never, PaginationError>
}

/** Where a page fiber leaves its page. */
interface Slot<O> {
  page: O | undefined
}

/**
 * One walk over the pages of one request (a whole listing, or one partition
 * of it), starting from its first page.
 */
const walk = <R, O>(
  listing: Listing<O>,
  scope: Scope.Scope,
  concurrency: number,
  first: R,
  firstPage: O,
  fetch: (request: R) => Effect.Effect<O, OtaError>
): Effect.Effect<Cursor<O>, OtaError> => {
  const { paging } = listing
  const request = first as Values
  const start = request[paging.page] as number
  const asked = request[paging.pageSize] as number
  const head = firstPage as Values
  const total = head[paging.total] as number
  const firstItems = (head[paging.items] as ReadonlyArray<unknown>).length
  const offset = (start - 1) * asked
  let size = asked
  if ((head[paging.page] as number) !== start)
    return listing.fail(
      "PageMismatch",
      start,
      total,
      `page ${start} was asked, page ${String(head[paging.page])} came`,
      firstPage
    )
  // A page holding more items than it says (or than asked) cannot be trusted to page by.
  const firstEcho = head[paging.pageSize] as number
  if (firstItems > asked || firstItems > firstEcho)
    return listing.fail(
      "PageSizeNotHonoured",
      start,
      total,
      `${firstItems} items came on a page of ${Math.min(asked, firstEcho)}`,
      firstPage
    )
  if (firstItems < asked && offset + firstItems < total) {
    // The server capped the page size: continue at the size it honours (page 1 only: later
    // starting pages were numbered for the size asked).
    const honoured = firstEcho < asked ? firstEcho : firstItems
    if (start !== 1 || honoured === 0)
      return listing.fail(
        honoured === 0 ? "ShortPage" : "PageSizeNotHonoured",
        start,
        total,
        `page ${start} held ${firstItems} of ${Math.min(asked, total - offset)} items`,
        firstPage
      )
    size = honoured
  }
  const last = start - 1 + Math.ceil(Math.max(0, total - offset) / size)
  if (last * size > paging.maxOffset)
    return listing.fail(
      "TooLarge",
      start,
      total,
      `this listing has ${total} items; at ${size} per page the server pages through at most ${paging.maxOffset}`
    )
  const withPage = (page: number): R => ({ ...first, [paging.page]: page, [paging.pageSize]: size }) as R

  let nextToStart = start + 1
  let expectedNext = start + 1
  let done = false
  const inFlight: Array<{ readonly fiber: Fiber.RuntimeFiber<void, OtaError>; readonly slot: Slot<O> }> = []

  const stop = Effect.suspend(() => {
    done = true
    const fibers = inFlight.splice(0).map((entry) => entry.fiber)
    return fibers.length === 0 ? Effect.void : Fiber.interruptAll(fibers)
  })

  /** Keeps up to `concurrency` planned pages in flight. */
  const topUp = Effect.suspend(() => {
    const starts: Array<Effect.Effect<void>> = []
    let free = concurrency - inFlight.length
    while (!done && free-- > 0 && nextToStart <= last) {
      // The fiber ends with `void` and hands its page over in `slot`, so a
      // finished fiber's exit does not keep the page alive (bench/README.md).
      const slot: Slot<O> = { page: undefined }
      const fetchPage = Effect.map(fetch(withPage(nextToStart)), (page) => {
        slot.page = page
      })
      starts.push(Effect.map(Effect.forkIn(fetchPage, scope), (fiber) => void inFlight.push({ fiber, slot })))
      nextToStart++
    }
    return Effect.all(starts, { discard: true })
  })

  /** Checks a page against the plan and remembers its items; fails on the first broken promise. */
  const verify = (pageNumber: number, page: O): Effect.Effect<O, PaginationError> => {
    const values = page as Values
    const items = values[paging.items] as ReadonlyArray<Values>
    const pageTotal = values[paging.total] as number
    if ((values[paging.page] as number) !== pageNumber)
      return listing.fail(
        "PageMismatch",
        pageNumber,
        total,
        `page ${pageNumber} was asked, page ${String(values[paging.page])} came`,
        page
      )
    if (pageTotal !== total)
      return listing.fail(
        "TotalChanged",
        pageNumber,
        total,
        `the total moved from ${total} to ${pageTotal} while paging`,
        page
      )
    if (pageNumber > start && (values[paging.pageSize] as number) !== size)
      return listing.fail(
        "PageSizeNotHonoured",
        pageNumber,
        total,
        `page ${pageNumber} came with page size ${String(values[paging.pageSize])}, not ${size}`,
        page
      )
    const expected = Math.max(0, Math.min(size, total - (pageNumber - 1) * size))
    if (items.length < expected)
      return listing.fail(
        "ShortPage",
        pageNumber,
        total,
        `page ${pageNumber} held ${items.length} of ${expected} items before the end of the listing`,
        page
      )
    if (items.length > expected)
      return listing.fail(
        "PageSizeNotHonoured",
        pageNumber,
        total,
        `page ${pageNumber} held ${items.length} items, ${expected} expected`,
        page
      )
    let repeats = 0
    for (let i = 0; i < items.length; i++)
      if (!listing.seen.add(items[i]![paging.itemKey] as string)) repeats++
    if (repeats > 0)
      return listing.fail(
        "Repeated",
        pageNumber,
        total,
        `page ${pageNumber} held ${repeats} of its ${items.length} items already delivered`,
        page
      )
    listing.delivered += items.length
    return Effect.succeed(page)
  }

  let pendingFirst: O | undefined = firstPage
  const next: Effect.Effect<Option.Option<O>, OtaError> = Effect.suspend(() => {
    if (pendingFirst !== undefined) {
      const page = pendingFirst
      pendingFirst = undefined
      if (start >= last) done = true
      return Effect.flatMap(verify(start, page), (checked) => Effect.as(topUp, Option.some(checked)))
    }
    if (done && inFlight.length === 0) return Effect.succeed(Option.none())
    const entry = inFlight.shift()
    if (entry === undefined) return Effect.as(stop, Option.none())
    const pageNumber = expectedNext++
    return Effect.flatMap(Fiber.await(entry.fiber), (exit) => {
      if (Exit.isFailure(exit)) return Effect.zipRight(stop, Effect.failCause(exit.cause))
      const page = entry.slot.page!
      entry.slot.page = undefined
      if (pageNumber >= last) done = true
      return Effect.flatMap(
        Effect.tapError(verify(pageNumber, page), () => stop),
        (checked) => Effect.as(topUp, Option.some(checked))
      )
    })
  })
  return Effect.succeed({ next })
}

/**
 * A cursor over every page of a listing, in order, each checked against the
 * plan (see the module's description). Pages in flight are fibers of the
 * current scope: closing it stops them all.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { Effect, Either, Option } from "effect"
 * import type { OtaError } from "@iot-ota/core/IotError"
 * import * as Operation from "@iot-ota/core/Operation"
 * import { ListOTATaskByJob, type OtaTaskPage } from "@iot-ota/core/operations/ListOTATaskByJob"
 * import * as Pagination from "@iot-ota/core/Pagination"
 *
 * declare const fetchPage: (request: Operation.Operation.Request<typeof ListOTATaskByJob>) => Effect.Effect<OtaTaskPage, OtaError>
 * const taskCount = Effect.scoped(
 *   Effect.gen(function* () {
 *     const cursor = yield* Pagination.pageCursor(ListOTATaskByJob, {
 *       input: { jobId: "job-1" },
 *       check: (input) => Operation.check(ListOTATaskByJob, input),
 *       fetch: fetchPage
 *     })
 *     let count = 0
 *     for (let page = yield* cursor.next; Option.isSome(page); page = yield* cursor.next) count += page.value.tasks.length
 *     return count
 *   })
 * )
 * ```
 */
export const pageCursor = <Op extends PagedOperation, R, O>(
  operation: Op,
  source: PageSource<R, O>
): Effect.Effect<Cursor<O>, OtaError, Scope.Scope> =>
  Effect.gen(function* () {
    const paging = operation.paging as Paging<unknown, unknown, unknown>
    const concurrency = yield* checkConcurrency(source.options)
    const scope = yield* Effect.scope
    const input = source.input
    const given = input !== null && typeof input === "object" ? (input as Values) : undefined
    const listingInput =
      given !== undefined && given[paging.pageSize] === undefined
        ? { ...given, [paging.pageSize]: paging.maxPageSize }
        : input
    const first = yield* source.check(listingInput)
    const firstValues = first as Values
    let lastRequestId: string | undefined
    const listing: Listing<O> = {
      paging,
      action: operation.action,
      seen: new FingerprintSet(),
      delivered: 0,
      fail: (reason, page, total, message, of) =>
        Effect.fail(
          new PaginationError({
            reason,
            message: `${operation.action}: ${message}; ${listing.delivered} of ${total} items delivered`,
            page,
            delivered: listing.delivered,
            total,
            ...requestIdOf(of ?? lastRequestId)
          })
        )
    }
    const fetch = (request: R) =>
      Effect.tap(source.fetch(request), (page) => {
        lastRequestId = (page as { requestId?: string }).requestId
      })
    const firstPage = yield* fetch(first)
    const total = (firstPage as Values)[paging.total] as number
    const start = firstValues[paging.page] as number
    const size = firstValues[paging.pageSize] as number
    const fits = Math.ceil(total / size) * size <= paging.maxOffset
    const partition = paging.partition
    if (fits || start !== 1 || partition === undefined || firstValues[partition.field] !== undefined) {
      if (!fits)
        return yield* listing.fail(
          "TooLarge",
          start,
          total,
          `this listing has ${total} items but the server pages through at most ${paging.maxOffset}` +
            (partition === undefined
              ? ""
              : firstValues[partition.field] !== undefined
                ? ` (with ${partition.field} ${String(firstValues[partition.field])}, which cannot be split further)`
                : `; list it from page 1 to have it split by ${partition.field}, or give a ${partition.field} filter`)
        )
      return yield* walk(listing, scope, concurrency, first, firstPage, fetch)
    }
    // Too large to page through: list partition by partition, each partition's total read first.
    const partitions = yield* Effect.forEach(
      partition.values,
      (value) => {
        const request = { ...first, [partition.field]: value } as R
        return Effect.map(fetch(request), (page) => ({ value, request, page }))
      },
      { concurrency }
    )
    let sum = 0
    for (const { value, page } of partitions) {
      const count = (page as Values)[paging.total] as number
      sum += count
      if (Math.ceil(count / size) * size > paging.maxOffset)
        return yield* listing.fail(
          "TooLarge",
          1,
          total,
          `this listing has ${total} items, ${count} of them with ${partition.field} ${value}: more than the ${paging.maxOffset} the server pages through in one listing`
        )
    }
    if (sum !== total)
      return yield* listing.fail(
        "TooLarge",
        1,
        total,
        `this listing has ${total} items but its ${partition.field} values ${partition.values.join(", ")} add up to ${sum} (values this SDK does not know, or items moving between them); it is larger than the ${paging.maxOffset} the server pages through`
      )
    const remaining = partitions.filter(({ page }) => ((page as Values)[paging.total] as number) > 0)
    let current: Cursor<O> | undefined
    const next: Effect.Effect<Option.Option<O>, OtaError> = Effect.suspend(() => {
      if (current === undefined) {
        const part = remaining.shift()
        if (part === undefined) return Effect.succeed(Option.none())
        return Effect.flatMap(walk(listing, scope, concurrency, part.request, part.page, fetch), (cursor) => {
          current = cursor
          return next
        })
      }
      return Effect.flatMap(current.next, (page) => {
        if (Option.isSome(page)) return Effect.succeed(page)
        current = undefined
        return next
      })
    })
    return { next }
  })

const requestIdOf = (of: unknown): { readonly requestId?: string } => {
  if (typeof of === "string") return { requestId: of }
  const id = (of as { requestId?: unknown } | undefined)?.requestId
  return typeof id === "string" ? { requestId: id } : {}
}

/**
 * The items of a page cursor, one page's worth per pull.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ListOTATaskByJob, type OtaTaskPage } from "@iot-ota/core/operations/ListOTATaskByJob"
 * import * as Pagination from "@iot-ota/core/Pagination"
 *
 * declare const pages: Pagination.Cursor<OtaTaskPage>
 * const tasks = Pagination.itemCursor(ListOTATaskByJob, pages)
 * ```
 */
export const itemCursor = <Op extends PagedOperation, O>(
  operation: Op,
  pages: Cursor<O>
): Cursor<ReadonlyArray<PagedItem<Op>>> => {
  const items = operation.paging.items
  return {
    next: Effect.map(
      pages.next,
      Option.map((page) => (page as Values)[items] as ReadonlyArray<PagedItem<Op>>)
    )
  }
}

type PagedItem<Op> = Op extends PagedOperation<string, any, any, any, infer T> ? T : never
