/**
 * A shallow copy of wire parameters to add to. `Object.assign` into a fresh
 * object, then assignments: an object spread followed by more properties
 * measured ~4 µs per request, this ~0.4 µs. Assignment would turn a
 * `__proto__` parameter into a prototype change, so that one case spreads.
 */
export const copyParams = (params: Readonly<Record<string, string>>): Record<string, string> =>
  Object.hasOwn(params, "__proto__") ? { ...params } : Object.assign({}, params)
