/**
 * Walking every page of a paginated operation: the first page tells the
 * total; the rest are fetched with bounded concurrency and delivered in page
 * order; memory stays bounded by the pages in flight.
 *
 * The walk is a pull-based cursor with no dependency on `effect/Stream`, so
 * the Promise clients (and edge bundles) stay small; `OtaClient` builds its
 * Streams on the same cursors.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import { type OtaError, ValidationError } from "./IotError.js"
import { DeliveredKeys } from "./internal/deliveredKeys.js"
import type { PaginatedOperation } from "./Operation.js"

/**
 * How a listing is walked.
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import { Stream } from "effect"
 * import type { OtaClientService } from "@iot-ota/core/OtaClient"
 *
 * declare const client: OtaClientService
 * // One page at a time, leaving most of the account's quota to other callers.
 * const tasks = client.streamOTATaskByJob({ jobId: "job-1" }, { concurrency: 1 }).pipe(Stream.runCollect)
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
 * // A far-away region: more pages in flight to hide the latency (the rate limit still applies).
 * const options: PaginationOptions = { concurrency: DEFAULT_CONCURRENCY * 2 }
 * ```
 */
export const DEFAULT_CONCURRENCY = 4

/**
 * Where pages come from: the first request and how to fetch any page.
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import type { Effect } from "effect"
 * import type { OtaError } from "@iot-ota/core/IotError"
 * import type { ListOTATaskByJobRequest, OtaTaskPage } from "@iot-ota/core/operations/ListOTATaskByJob"
 * import type { PageSource } from "@iot-ota/core/Pagination"
 *
 * declare const fetchPage: (request: ListOTATaskByJobRequest) => Effect.Effect<OtaTaskPage, OtaError>
 * const source: PageSource<ListOTATaskByJobRequest, OtaTaskPage> = {
 *   first: { jobId: "job-1", pageSize: 100, currentPage: 1 },
 *   pageSizeGiven: true,
 *   fetch: fetchPage
 * }
 * ```
 */
export interface PageSource<R, O> {
  /** The checked first request. */
  readonly first: R
  /** Whether the caller chose a page size; if not, listings use the largest the server allows. */
  readonly pageSizeGiven: boolean
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
 * // Everything a cursor has left, in order.
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
 * Effect.runSync(Effect.flip(checkConcurrency({ concurrency: 100 }))).message
 * // "concurrency must be an integer from 1 to 64, got 100"
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

const offsetError = (maxOffset: number, page: number, pageSize: number) =>
  new ValidationError({
    field: "currentPage",
    rule: `currentPage × pageSize at most ${maxOffset}`,
    message: `currentPage × pageSize must be at most ${maxOffset}, got ${page} × ${pageSize}`
  })

/** Where a page fiber leaves its page. */
interface Slot<O> {
  page: O | undefined
}

/** A page being fetched. */
interface InFlight<O> {
  readonly fiber: Fiber.RuntimeFiber<void, OtaError>
  readonly slot: Slot<O>
}

/**
 * A cursor over every page from the request's `currentPage` on, in order.
 *
 * - Pages planned from the first page's total are fetched `concurrency` at a
 *   time, as fibers owned by the current scope: closing it stops them all.
 * - The total can move while we page (tasks added to a batch, or moving in
 *   and out of a status filter): if a later page reports a larger total, the
 *   walk continues one page at a time until it is covered; an empty page ends
 *   it early.
 * - It fails before the first request past the server's offset cap rather
 *   than returning a silently truncated listing.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { Effect, Option } from "effect"
 * import { ListOTATaskByJob } from "@iot-ota/core/operations/ListOTATaskByJob"
 * import type { ListOTATaskByJobRequest, OtaTaskPage } from "@iot-ota/core/operations/ListOTATaskByJob"
 * import * as Pagination from "@iot-ota/core/Pagination"
 *
 * declare const source: Pagination.PageSource<ListOTATaskByJobRequest, OtaTaskPage>
 * // Closing the scope (here at the end of `Effect.scoped`) stops the pages still in flight.
 * const pageSizes = Effect.scoped(
 *   Effect.gen(function* () {
 *     const cursor = yield* Pagination.pageCursor(ListOTATaskByJob, source)
 *     const sizes: Array<number> = []
 *     for (let page = yield* cursor.next; Option.isSome(page); page = yield* cursor.next)
 *       sizes.push(page.value.tasks.length)
 *     return sizes
 *   })
 * )
 * ```
 */
export const pageCursor = <I, R, O, T>(
  operation: PaginatedOperation<I, R, O, T>,
  source: PageSource<R, O>
): Effect.Effect<Cursor<O>, ValidationError, Scope.Scope> =>
  Effect.gen(function* () {
    const paging = operation.pagination
    const concurrency = yield* checkConcurrency(source.options)
    const scope = yield* Effect.scope
    const pageSize = source.pageSizeGiven ? paging.pageSize(source.first) : paging.maxPageSize
    const startPage = paging.page(source.first)
    if (startPage * pageSize > paging.maxOffset)
      return yield* Effect.fail(offsetError(paging.maxOffset, startPage, pageSize))
    const fetchPage = (page: number) => source.fetch(paging.withPage(source.first, page, pageSize))

    // Mutable walk state: `next` calls are sequential by contract.
    let firstTotal: number | undefined
    let latestTotal = 0
    let plannedLast = startPage
    let nextToStart = startPage + 1
    let done = false
    const inFlight: Array<InFlight<O>> = []

    const stop = Effect.suspend(() => {
      done = true
      const fibers = inFlight.splice(0).map((entry) => entry.fiber)
      return fibers.length === 0 ? Effect.void : Fiber.interruptAll(fibers)
    })
    yield* Effect.addFinalizer(() => stop)

    const observe = (page: O) =>
      Effect.suspend(() => {
        const total = paging.total(page)
        if (total === latestTotal) return Effect.void
        latestTotal = Math.max(latestTotal, total)
        return Effect.logWarning("the total changed while paging").pipe(
          Effect.annotateLogs({ action: operation.action, firstTotal, currentTotal: total })
        )
      })

    /** Keeps up to `concurrency` planned pages in flight. */
    const topUp = Effect.suspend(() => {
      const starts: Array<Effect.Effect<void>> = []
      // Fibers are pushed when `starts` run, so count the free slots up front.
      let free = concurrency - inFlight.length
      while (!done && free-- > 0 && nextToStart <= plannedLast) {
        // The fiber ends with `void` and hands its page over in `slot`: a
        // finished fiber's exit stays reachable until the next full GC, and
        // pages held there were promoted out of the young generation.
        const slot: Slot<O> = { page: undefined }
        const fetch = Effect.map(fetchPage(nextToStart), (page) => {
          slot.page = page
        })
        starts.push(
          Effect.map(Effect.forkIn(fetch, scope), (fiber) => {
            inFlight.push({ fiber, slot })
          })
        )
        nextToStart++
      }
      return Effect.all(starts, { discard: true })
    })

    const deliver = (page: O): Effect.Effect<Option.Option<O>> =>
      paging.items(page).length === 0
        ? Effect.as(stop, Option.none())
        : Effect.as(observe(page), Option.some(page))

    const next: Effect.Effect<Option.Option<O>, OtaError> = Effect.suspend(() => {
      if (done) return Effect.succeed(Option.none())
      if (firstTotal === undefined) {
        return Effect.flatMap(fetchPage(startPage), (page) => {
          const total = paging.total(page)
          firstTotal = total
          latestTotal = total
          plannedLast = Math.ceil(total / pageSize)
          if (total > paging.maxOffset) {
            done = true
            return Effect.fail(
              new ValidationError({
                field: "taskStatus",
                rule: `at most ${paging.maxOffset} items per listing`,
                message: `this listing has ${total} items but the API pages through at most ${paging.maxOffset}; narrow it with a taskStatus filter and list each status separately`
              })
            )
          }
          // An empty first page ends the walk: there is nothing after it.
          if (paging.items(page).length === 0) done = true
          return Effect.as(topUp, Option.some(page))
        })
      }
      const head = inFlight.shift()
      if (head !== undefined) {
        return Effect.flatMap(Fiber.await(head.fiber), (exit) => {
          if (Exit.isFailure(exit)) return Effect.zipRight(stop, Effect.failCause(exit.cause))
          const page = head.slot.page
          head.slot.page = undefined
          return page === undefined
            ? Effect.die("a page fiber succeeded without a page")
            : Effect.zipRight(topUp, deliver(page))
        })
      }
      // Planned pages are done; continue only if the total grew past them.
      const page = nextToStart
      if ((page - 1) * pageSize >= latestTotal || page * pageSize > paging.maxOffset) {
        done = true
        return Effect.succeed(Option.none())
      }
      nextToStart++
      return Effect.flatMap(fetchPage(page), deliver)
    })

    return { next } satisfies Cursor<O>
  })

/**
 * A cursor over the items of a page cursor, each delivered once, one page's
 * worth per pull. When data shifts between page requests, an item can be
 * served on two neighbouring pages; such repeats (same `itemKey`) are dropped
 * and logged. Only the keys of the last few pages are kept, so memory stays
 * constant however long the listing.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ListOTATaskByJob } from "@iot-ota/core/operations/ListOTATaskByJob"
 * import type { ListOTATaskByJobRequest, OtaTaskPage } from "@iot-ota/core/operations/ListOTATaskByJob"
 * import * as Pagination from "@iot-ota/core/Pagination"
 *
 * declare const source: Pagination.PageSource<ListOTATaskByJobRequest, OtaTaskPage>
 * // Each pull gives the next page's tasks, without those already delivered.
 * const tasks = Effect.map(Pagination.pageCursor(ListOTATaskByJob, source), (pages) =>
 *   Pagination.itemCursor(ListOTATaskByJob, pages)
 * )
 * ```
 */
export const itemCursor = <I, R, O, T>(
  operation: PaginatedOperation<I, R, O, T>,
  pages: Cursor<O>,
  options?: PaginationOptions
): Cursor<ReadonlyArray<T>> => {
  const paging = operation.pagination
  // The keys delivered by the last `window` pages: pages in flight together
  // were requested at about the same time, so a shift shows within them.
  const delivered = new DeliveredKeys((options?.concurrency ?? DEFAULT_CONCURRENCY) + 2)
  return {
    next: Effect.flatMap(pages.next, (page) => {
      if (Option.isNone(page)) return Effect.succeed(Option.none())
      const items = paging.items(page.value)
      const fresh: Array<T> = []
      let repeats = 0
      for (let i = 0; i < items.length; i++) {
        const item = items[i]!
        if (delivered.claim(paging.itemKey(item))) fresh.push(item)
        else repeats++
      }
      delivered.endPage()
      const result = Option.some<ReadonlyArray<T>>(fresh)
      return repeats === 0
        ? Effect.succeed(result)
        : Effect.as(
            Effect.logWarning("dropped items already delivered: the data shifted between pages").pipe(
              Effect.annotateLogs({ action: operation.action, duplicates: repeats })
            ),
            result
          )
    })
  }
}
