/**
 * Walking every page of a paginated operation: the first page tells the
 * total; the rest are fetched with bounded concurrency and delivered in page
 * order; memory stays bounded by the pages in flight.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Stream from "effect/Stream"
import { type OtaError, ValidationError } from "./IotError.js"
import type { PaginatedOperation } from "./Operation.js"

/**
 * @since 0.1.0
 * @category models
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
 */
export const DEFAULT_CONCURRENCY = 4

/**
 * @since 0.1.0
 * @category models
 */
export interface PageSource<R, O> {
  /** The checked first request. */
  readonly first: Effect.Effect<R, OtaError>
  /** Whether the caller chose a page size; if not, streams use the largest the server allows. */
  readonly pageSizeGiven: boolean
  readonly fetch: (request: R) => Effect.Effect<O, OtaError>
  readonly options?: PaginationOptions
}

const checkConcurrency = (options: PaginationOptions | undefined): Effect.Effect<number, ValidationError> => {
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

/**
 * Every page from the request's `currentPage` on, in order. Stops early on
 * an empty page (the data shrank). Fails before the first request past the
 * server's offset cap rather than returning a silently truncated listing.
 *
 * @since 0.1.0
 * @category constructors
 */
export const pages = <I, R, O, T>(
  operation: PaginatedOperation<I, R, O, T>,
  source: PageSource<R, O>
): Stream.Stream<O, OtaError> =>
  Stream.unwrap(
    Effect.gen(function* () {
      const paging = operation.pagination
      const concurrency = yield* checkConcurrency(source.options)
      const checked = yield* source.first
      const pageSize = source.pageSizeGiven ? paging.pageSize(checked) : paging.maxPageSize
      const startPage = paging.page(checked)
      if (startPage * pageSize > paging.maxOffset) {
        return yield* Effect.fail(
          new ValidationError({
            field: "currentPage",
            rule: `currentPage × pageSize at most ${paging.maxOffset}`,
            message: `currentPage × pageSize must be at most ${paging.maxOffset}, got ${startPage} × ${pageSize}`
          })
        )
      }
      const firstPage = yield* source.fetch(paging.withPage(checked, startPage, pageSize))
      const total = paging.total(firstPage)
      const lastPage = Math.ceil(total / pageSize)
      if (lastPage * pageSize > paging.maxOffset && total > paging.maxOffset) {
        return yield* Effect.fail(
          new ValidationError({
            field: "taskStatus",
            rule: `at most ${paging.maxOffset} items per listing`,
            message: `this listing has ${total} items but the API pages through at most ${paging.maxOffset}; narrow it with a taskStatus filter and list each status separately`
          })
        )
      }
      // The total can move while we page (tasks added to the batch, or
      // entering/leaving a status filter). Pages planned from the first total
      // are fetched concurrently; if a later page reports a larger total, the
      // listing continues one page at a time until it is covered.
      const latestTotal = yield* Ref.make(total)
      const fetchPage = (page: number) => source.fetch(paging.withPage(checked, page, pageSize))
      const observe = (page: O) => {
        const current = paging.total(page)
        return current === total
          ? Effect.void
          : Effect.zipRight(
              Ref.set(latestTotal, current),
              Effect.logWarning("the total changed while paging").pipe(
                Effect.annotateLogs({ action: operation.action, firstTotal: total, currentTotal: current })
              )
            )
      }
      const planned =
        lastPage > startPage
          ? Stream.range(startPage + 1, lastPage).pipe(Stream.mapEffect(fetchPage, { concurrency }))
          : Stream.empty
      const extra = Stream.unfoldEffect(Math.max(lastPage, startPage) + 1, (page) =>
        Effect.flatMap(Ref.get(latestTotal), (current) =>
          (page - 1) * pageSize < current && page * pageSize <= paging.maxOffset
            ? Effect.map(fetchPage(page), (result) => Option.some([result, page + 1] as const))
            : Effect.succeed(Option.none())
        )
      )
      const rest =
        paging.items(firstPage).length === 0
          ? Stream.empty
          : Stream.concat(planned, extra).pipe(
              Stream.tap(observe),
              Stream.takeWhile((page) => paging.items(page).length > 0)
            )
      return Stream.concat(Stream.succeed(firstPage), rest)
    })
  )

/**
 * The items of a page stream, each delivered once: when data shifts between
 * page requests, an item can be served on two neighbouring pages; such
 * repeats (same `itemKey`) are dropped and logged. Only the keys of the last
 * few pages are kept, so memory stays constant however long the listing.
 *
 * @since 0.1.0
 * @category constructors
 */
export const items = <I, R, O, T>(
  operation: PaginatedOperation<I, R, O, T>,
  pageStream: Stream.Stream<O, OtaError>,
  options?: PaginationOptions
): Stream.Stream<T, OtaError> => {
  const paging = operation.pagination
  const window = (options?.concurrency ?? DEFAULT_CONCURRENCY) + 2
  return pageStream.pipe(
    Stream.mapAccumEffect([] as ReadonlyArray<ReadonlySet<string>>, (recent, page) => {
      const fresh: Array<T> = []
      const keys = new Set<string>()
      let repeats = 0
      for (const item of paging.items(page)) {
        const key = paging.itemKey(item)
        if (keys.has(key) || recent.some((seen) => seen.has(key))) repeats++
        else {
          keys.add(key)
          fresh.push(item)
        }
      }
      const next = [...recent.slice(-(window - 1)), keys]
      return repeats === 0
        ? Effect.succeed([next, fresh] as const)
        : Effect.as(
            Effect.logWarning("dropped items already delivered: the data shifted between pages").pipe(
              Effect.annotateLogs({ action: operation.action, duplicates: repeats })
            ),
            [next, fresh] as const
          )
    }),
    Stream.flattenIterables
  )
}
