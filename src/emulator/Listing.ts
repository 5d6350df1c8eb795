/**
 * The emulated product list's keyset pages: products held as entries whose sort keys (lowercased
 * name, add and update time in seconds) are computed when first needed, the order by one of them
 * (ties by id), and the walk from a cursor — the entry after it in either direction, found by
 * binary search — that fills one page with the live products that match the filters.
 */
import type * as Cursor from "./Cursor.js"
import type * as Seed from "./Seed.js"
import * as Validate from "./Validate.js"

export type SortBy = "id" | "name" | "add_time" | "update_time"
export type Direction = "asc" | "desc"

/** A stored product and its sort keys; writes replace `product` and clear the keys that change. */
export interface Entry {
  readonly id: number
  product: Seed.Product
  /** Sort keys, computed when first needed (a million lowercased names cost memory and load time). */
  nameKey: string | undefined
  addSec: number | undefined
  updateSec: number | undefined
}

/** A product's entry, its sort keys not computed yet. */
export const entry = (product: Seed.Product): Entry => ({ id: product.id, product, nameKey: undefined, addSec: undefined, updateSec: undefined })

const toSec = (rfc3339: string): number => Math.floor(Date.parse(rfc3339) / 1000)

const nameKey = (e: Entry): string => (e.nameKey ??= e.product.name.toLowerCase())
const addSec = (e: Entry): number => (e.addSec ??= toSec(e.product.add_time))
const updateSec = (e: Entry): number => (e.updateSec ??= toSec(e.product.update_time))

/** A product list request: the order, the page size, the cursor and the filters. */
export interface ListQuery {
  readonly sortBy: SortBy
  readonly direction: Direction
  readonly limit: number
  readonly after: Cursor.Keyset | undefined
  readonly ownerId: number | undefined
  readonly updatedSince: number | undefined
  readonly ids: ReadonlyArray<number> | undefined
}

/** One page, and the cursor of the next (`null` on the last page). */
export interface Page {
  readonly items: ReadonlyArray<Entry>
  readonly next: Cursor.Keyset | null
}

const cmp = (a: string | number, b: string | number): number => (a < b ? -1 : a > b ? 1 : 0)

const keyOf = (e: Entry, sortBy: SortBy): string | number =>
  sortBy === "id" ? e.id : sortBy === "name" ? nameKey(e) : sortBy === "add_time" ? addSec(e) : updateSec(e)

/** Sorts `entries` in place in ascending `sortBy` order, ties by id. */
export const sort = (entries: Array<Entry>, sortBy: SortBy): Array<Entry> => entries.sort((a, b) => cmp(keyOf(a, sortBy), keyOf(b, sortBy)) || a.id - b.id)

/** First index whose (key, id) is strictly after the cursor's, in ascending order. */
const upperBound = (entries: ReadonlyArray<Entry>, sortBy: SortBy, key: string | number, id: number): number => {
  let lo = 0
  let hi = entries.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    const e = entries[mid] as Entry
    const c = cmp(keyOf(e, sortBy), key) || e.id - id
    if (c <= 0) lo = mid + 1
    else hi = mid
  }
  return lo
}

const cursorKey = (sortBy: SortBy, k: Cursor.Keyset): string | number => {
  if (sortBy === "id") {
    if (typeof k.fieldValue !== "number") return Validate.invalid("cursor", "is not a valid cursor")
    return k.fieldValue
  }
  if (typeof k.fieldValue !== "string") return Validate.invalid("cursor", "is not a valid cursor")
  if (sortBy === "name") return k.fieldValue.toLowerCase()
  const ms = Date.parse(k.fieldValue)
  return Number.isNaN(ms) ? Validate.invalid("cursor", "is not a valid cursor") : Math.floor(ms / 1000)
}

/** One keyset page of `entries` (sorted ascending by `q.sortBy`): live products (not deleted) matching the filters, in the requested order. */
export const page = (entries: ReadonlyArray<Entry>, q: ListQuery): Page => {
  const asc = q.direction === "asc"
  let i = asc ? 0 : entries.length - 1
  if (q.after !== undefined) {
    if (q.after.field !== q.sortBy || q.after.sortDirection !== q.direction) {
      Validate.invalid("cursor", `was issued for sort_by=${q.after.field}&sort_direction=${q.after.sortDirection}; send the same sort with it`)
    }
    const ub = upperBound(entries, q.sortBy, cursorKey(q.sortBy, q.after), q.after.id)
    if (asc) i = ub
    else {
      // last index strictly before the cursor: the cursor's own entry (if still there) is excluded
      const lb = upperBound(entries, q.sortBy, cursorKey(q.sortBy, q.after), q.after.id - 0.5)
      i = lb - 1
    }
  }
  const items: Array<Entry> = []
  let more = false
  for (; asc ? i < entries.length : i >= 0; asc ? i++ : i--) {
    const e = entries[i] as Entry
    const p = e.product
    if (p.is_deleted) continue
    if (q.ownerId !== undefined && p.owner_id !== q.ownerId) continue
    if (q.updatedSince !== undefined && updateSec(e) < q.updatedSince) continue
    if (items.length === q.limit) {
      more = true
      break
    }
    items.push(e)
  }
  const last = items[items.length - 1]
  const next =
    more && last !== undefined
      ? { field: q.sortBy, fieldValue: q.sortBy === "id" ? last.id : q.sortBy === "name" ? last.product.name : q.sortBy === "add_time" ? last.product.add_time : last.product.update_time, sortDirection: q.direction, id: last.id }
      : null
  return { items, next }
}
