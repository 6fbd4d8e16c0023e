/**
 * Reading API parameters: required strings, paging numbers with their limits, and `Name.N` repeat lists.
 * Every handler reads its parameters through these, so validation answers are the same in every operation.
 */
import { type Failure, invalidPageParams, invalidParameter, missingApiParameter } from "./errors.js"

export type Params = Readonly<Record<string, string>>

export type Parsed<A> =
  | { readonly ok: true; readonly value: A }
  | { readonly ok: false; readonly failure: Failure }

export const ok = <A>(value: A): Parsed<A> => ({ ok: true, value })
export const fail = <A>(failure: Failure): Parsed<A> => ({ ok: false, failure })

/** A present, non-empty value; an empty value is treated as absent, as the service does with `Missing{Name}`. */
export const optional = (params: Params, name: string): string | undefined => {
  const value = params[name]
  return value === undefined || value === "" ? undefined : value
}

export const required = (params: Params, name: string): Parsed<string> => {
  const value = optional(params, name)
  return value === undefined ? fail(missingApiParameter(name)) : ok(value)
}

export interface PageRule {
  /** Largest accepted `PageSize`. */
  readonly maxPageSize: number
  /** Whether `CurrentPage` and `PageSize` must be sent (else `PageSize` defaults to 10, `CurrentPage` to 1). */
  readonly required: boolean
  /** Largest accepted `CurrentPage × PageSize`, where documented. */
  readonly maxResultWindow?: number
}

export interface Page {
  readonly pageSize: number
  readonly currentPage: number
}

const INTEGER = /^\d{1,9}$/

const integer = (params: Params, name: string, rule: PageRule, fallback: number): Parsed<number> => {
  const text = optional(params, name)
  if (text === undefined) return rule.required ? fail(missingApiParameter(name)) : ok(fallback)
  return INTEGER.test(text)
    ? ok(Number(text))
    : fail(invalidPageParams(`${name} "${text}" is not an integer.`))
}

export const page = (params: Params, rule: PageRule): Parsed<Page> => {
  const pageSize = integer(params, "PageSize", rule, 10)
  if (!pageSize.ok) return pageSize
  const currentPage = integer(params, "CurrentPage", rule, 1)
  if (!currentPage.ok) return currentPage
  const size = pageSize.value
  const current = currentPage.value
  if (size < 1 || size > rule.maxPageSize) {
    return fail(invalidPageParams(`PageSize must be within 1..${rule.maxPageSize}, got ${size}.`))
  }
  if (current < 1) return fail(invalidPageParams(`CurrentPage must be >= 1, got ${current}.`))
  if (rule.maxResultWindow !== undefined && current * size > rule.maxResultWindow) {
    return fail(
      invalidPageParams(
        `CurrentPage x PageSize must be <= ${rule.maxResultWindow}, got ${current} x ${size}.`
      )
    )
  }
  return ok({ pageSize: size, currentPage: current })
}

const LIST_KEYS = new Map<string, RegExp>()

/** The values of `Name.1`, `Name.2`, … in the order given; a malformed index or too many values fail. */
export const repeatList = (
  params: Params,
  name: string,
  max: number,
  what: string
): Parsed<ReadonlyArray<string>> => {
  let pattern = LIST_KEYS.get(name)
  if (pattern === undefined) {
    pattern = new RegExp(`^${name}\\.([1-9]\\d{0,8})$`)
    LIST_KEYS.set(name, pattern)
  }
  const values: Array<string> = []
  for (const key in params) {
    if (!key.startsWith(name)) continue
    if (!pattern.test(key)) {
      return fail(invalidParameter(key, `lists are sent as ${name}.1, ${name}.2, …`))
    }
    values.push(params[key] ?? "")
  }
  if (values.length > max) {
    return fail(invalidParameter(`${name}.N`, `at most ${max} ${what}, got ${values.length}.`))
  }
  return ok(values)
}

/** Paging arithmetic shared by every listing. */
export const pageNumbers = (total: number, page: Page) => ({
  total,
  pageSize: page.pageSize,
  pageCount: Math.ceil(total / page.pageSize),
  currentPage: page.currentPage,
  start: (page.currentPage - 1) * page.pageSize,
  end: page.currentPage * page.pageSize
})
