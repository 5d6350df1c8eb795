/**
 * The Pipedrive endpoints the emulator serves: route matching (v2 under `/api/v2`, legacy v1 under
 * `/v1` and `/api/v1`) and one handler per route, each a function of the store and the request.
 * Handlers throw `Validate.Invalid` for a 400; the server turns it into Pipedrive's error body.
 */
import type * as Costs from "./Costs.js"
import * as Cursor from "./Cursor.js"
import * as Fields from "./Fields.js"
import * as Reply from "./Reply.js"
import type * as Store from "./Store.js"
import * as Validate from "./Validate.js"

export interface Request {
  readonly store: Store.Store
  readonly query: URLSearchParams
  readonly param: string
  readonly body: unknown
}

export type Handler = (req: Request) => Reply.Reply

export interface Match {
  /** "METHOD /template" — the key for stats and token costs. */
  readonly key: string
  readonly route: Costs.Route | undefined
  readonly param: string
  /** Methods the path supports when the method did not match. */
  readonly allowed: ReadonlyArray<string>
}

const maxLimit = 500

const limitOf = (q: URLSearchParams): number => {
  const s = q.get("limit")
  return s === null ? 100 : Validate.queryInt("limit", s, 1, maxLimit)
}

const cursorOffset = (q: URLSearchParams): number => {
  const s = q.get("cursor")
  if (s === null || s === "") return 0
  const offset = Cursor.decodeOffset(s)
  return offset === undefined ? Validate.invalid("cursor", "is not a valid cursor") : offset
}

const productId = (param: string): number => Validate.queryInt("id", param, 1, Number.MAX_SAFE_INTEGER)

const sortFields = ["id", "name", "add_time", "update_time"] as const

const listProducts: Handler = ({ store, query }) => {
  const sortBy = Validate.queryEnum("sort_by", query.get("sort_by") ?? "id", sortFields)
  const direction = Validate.queryEnum("sort_direction", query.get("sort_direction") ?? "asc", ["asc", "desc"] as const)
  const limit = limitOf(query)
  const cursorText = query.get("cursor")
  let after: Cursor.Keyset | undefined
  if (cursorText !== null && cursorText !== "") {
    after = Cursor.decodeKeyset(cursorText)
    if (after === undefined) Validate.invalid("cursor", "is not a valid cursor")
  }
  const idsText = query.get("ids")
  let ids: ReadonlyArray<number> | undefined
  if (idsText !== null) {
    const parts = Validate.queryList(idsText)
    if (parts.length > 100) Validate.invalid("ids", `at most 100 ids are allowed, got ${parts.length}`)
    ids = parts.map((p, i) => Validate.queryInt(`ids[${i}]`, p, 1, Number.MAX_SAFE_INTEGER))
  }
  const owner = query.get("owner_id")
  const since = query.get("updated_since")
  if (query.get("filter_id") !== null) {
    Validate.queryInt("filter_id", query.get("filter_id") ?? "", 1, Number.MAX_SAFE_INTEGER)
    Validate.invalid("filter_id", "Filter not found (the emulator has no saved filters)")
  }
  const customText = query.get("custom_fields")
  let only: ReadonlySet<string> | undefined
  if (customText !== null) {
    const keys = Validate.queryList(customText)
    if (keys.length > 15) Validate.invalid("custom_fields", `a maximum of 15 keys is allowed, got ${keys.length}`)
    only = new Set(keys)
  }
  const result = store.list({
    sortBy,
    direction,
    limit,
    after,
    ids,
    ownerId: owner === null ? undefined : Validate.queryInt("owner_id", owner, 1, Number.MAX_SAFE_INTEGER),
    updatedSince: since === null ? undefined : Validate.queryTimestamp("updated_since", since)
  })
  // One JSON.stringify over the page beats serialising product by product (bench/emulator.bench.ts).
  return Reply.page(result.items.map((e) => store.wire(e, only)), { next_cursor: result.next === null ? null : Cursor.encodeKeyset(result.next) })
}

const getProduct: Handler = ({ store, param }) => {
  const e = store.get(productId(param))
  return e === undefined ? Reply.notFound : Reply.ok(store.wire(e))
}

const createProduct: Handler = ({ store, body }) => {
  const input = Validate.productBody(body, "create", store.validationContext())
  return Reply.ok(store.wire(store.create(input)), 201)
}

const patchProduct: Handler = ({ store, param, body }) => {
  const e = store.get(productId(param))
  if (e === undefined || e.product.is_deleted) return Reply.notFound
  const input = Validate.productBody(body, "patch", store.validationContext())
  return Reply.ok(store.wire(store.update(e, input)))
}

const deleteProduct: Handler = ({ store, param }) => {
  const e = store.get(productId(param))
  if (e === undefined || e.product.is_deleted) return Reply.notFound
  store.remove(e)
  return Reply.ok({ id: e.id })
}

const searchFields = ["code", "name", "custom_fields"] as const

const searchProducts: Handler = ({ store, query }) => {
  const exactText = query.get("exact_match")
  const exact = exactText === null ? false : Validate.queryBool("exact_match", exactText)
  const term = query.get("term")
  if (term === null) return Validate.invalid("term", "is required")
  if (term.length < (exact ? 1 : 2)) Validate.invalid("term", `must be at least ${exact ? 1 : 2} characters`)
  const fieldsText = query.get("fields")
  const fields = new Set(fieldsText === null ? searchFields : Validate.queryList(fieldsText).map((f, i) => Validate.queryEnum(`fields[${i}]`, f, searchFields)))
  const include = query.get("include_fields")
  const withPrice = include !== null && Validate.queryEnum("include_fields", include, ["product.price"] as const) === "product.price"
  const limit = limitOf(query)
  const offset = cursorOffset(query)
  const hits = store.search(term, fields, exact)
  const items = hits.slice(offset, offset + limit).map((h) => ({
    result_score: h.score,
    item: {
      id: h.product.id,
      type: "product",
      name: h.product.name,
      code: h.product.code,
      visible_to: h.product.visible_to,
      owner: { id: h.product.owner_id },
      custom_fields: h.customValues,
      ...(withPrice ? { prices: h.product.prices.map((p) => ({ currency: p.currency, price: p.price })) } : {})
    }
  }))
  return Reply.page({ items }, { next_cursor: offset + limit < hits.length ? Cursor.encodeOffset(offset + limit) : null })
}

const listFields: Handler = ({ store, query }) => {
  const include = query.get("include_fields")
  const withUi = include !== null && Validate.queryEnum("include_fields", include, ["ui_visibility"] as const) === "ui_visibility"
  const limit = limitOf(query)
  const offset = cursorOffset(query)
  const all = store.allFields()
  return Reply.page(all.slice(offset, offset + limit).map((f) => Fields.toV2(f, withUi)), {
    next_cursor: offset + limit < all.length ? Cursor.encodeOffset(offset + limit) : null
  })
}

const getField: Handler = ({ store, param, query }) => {
  const f = store.field(decodeURIComponent(param))
  return f === undefined ? Reply.notFound : Reply.ok(Fields.toV2(f, query.get("include_fields") === "ui_visibility"))
}

const createField: Handler = ({ store, body }) => Reply.ok(Fields.toV2(store.createField(Validate.fieldBody(body, Fields.creatableTypes)), true))

const listFieldsV1: Handler = ({ store, query }) => {
  const startText = query.get("start")
  const start = startText === null ? 0 : Validate.queryInt("start", startText, 0, Number.MAX_SAFE_INTEGER)
  const limit = limitOf(query)
  const all = store.allFields()
  const more = start + limit < all.length
  return Reply.page(
    all.slice(start, start + limit).map((f, i) => Fields.toV1(f, start + i + 1)),
    { pagination: { start, limit, more_items_in_collection: more, ...(more ? { next_start: start + limit } : {}) } }
  )
}

const currencies: Handler = ({ store, query }) => {
  const term = query.get("term")?.toLowerCase()
  const data = term === undefined ? store.currencies : store.currencies.filter((c) => c.code.toLowerCase().includes(term) || c.name.toLowerCase().includes(term))
  return Reply.ok(data)
}

export const handlers: Record<Costs.Route, Handler> = {
  "GET /api/v2/products": listProducts,
  "POST /api/v2/products": createProduct,
  "GET /api/v2/products/search": searchProducts,
  "GET /api/v2/products/{id}": getProduct,
  "PATCH /api/v2/products/{id}": patchProduct,
  "DELETE /api/v2/products/{id}": deleteProduct,
  "GET /api/v2/productFields": listFields,
  "POST /api/v2/productFields": createField,
  "GET /api/v2/productFields/{field_code}": getField,
  "GET /v1/productFields": listFieldsV1,
  "GET /v1/currencies": currencies
}

interface Template {
  readonly template: string
  readonly test: (segments: ReadonlyArray<string>) => string | undefined
}

const exact = (template: string): Template => {
  const parts = template.split("/").filter((s) => s !== "")
  return { template, test: (segs) => (segs.length === parts.length && parts.every((p, i) => p === segs[i]) ? "" : undefined) }
}

const withParam = (template: string): Template => {
  const parts = template.split("/").filter((s) => s !== "")
  return {
    template,
    test: (segs) =>
      segs.length === parts.length && parts.every((p, i) => p.startsWith("{") || p === segs[i]) ? (segs[segs.length - 1] ?? "") : undefined
  }
}

// Order matters: /products/search before /products/{id}.
const templates: ReadonlyArray<Template> = [
  exact("/api/v2/products"),
  exact("/api/v2/products/search"),
  withParam("/api/v2/products/{id}"),
  exact("/api/v2/productFields"),
  withParam("/api/v2/productFields/{field_code}"),
  exact("/v1/productFields"),
  exact("/v1/currencies")
]

const methodsOf = new Map<string, Array<string>>()
for (const key of Object.keys(handlers)) {
  const [method, template] = key.split(" ") as [string, string]
  methodsOf.set(template, [...(methodsOf.get(template) ?? []), method])
}

/** Finds the route for a request path (query string removed). */
export const match = (method: string, path: string): Match => {
  const segs = path.split("/").filter((s) => s !== "")
  if (segs[0] === "api" && segs[1] === "v1") segs.splice(0, 2, "v1")
  for (const t of templates) {
    const param = t.test(segs)
    if (param === undefined) continue
    const key = `${method} ${t.template}`
    const allowed = methodsOf.get(t.template) ?? []
    return allowed.includes(method) ? { key, route: key as Costs.Route, param, allowed } : { key, route: undefined, param, allowed }
  }
  return { key: `${method} (unknown route)`, route: undefined, param: "", allowed: [] }
}
