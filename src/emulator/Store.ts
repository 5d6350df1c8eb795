/**
 * The emulated account in memory: products, product fields, currencies and users. Products are
 * held in an array sorted by id plus a Map by id, so a keyset page by id and a PATCH stay cheap at a
 * million products; pages sorted by name or time use a sorted copy rebuilt after writes. Stored
 * products are never mutated (writes replace them), so a seed passed in can be reused by `reset`.
 */
import * as Fields from "./Fields.js"
import * as Listing from "./Listing.js"
import * as Seed from "./Seed.js"
import * as Validate from "./Validate.js"

export interface SearchHit {
  readonly score: number
  readonly product: Seed.Product
  readonly customValues: ReadonlyArray<string>
}

export type Product = Seed.Product

/** RFC 3339 UTC in whole seconds. */
export const timestamp = (sec: number): string => new Date(sec * 1000).toISOString().replace(/\.\d{3}Z$/, "Z")

export class Store {
  private ordered: Array<Listing.Entry> = []
  private byId = new Map<number, Listing.Entry>()
  /** Lowercased code → the id, or the ids when codes repeat (duplicates are allowed). */
  private byCode = new Map<string, number | Array<number>>()
  private sorted = new Map<Listing.SortBy, { version: number; entries: Array<Listing.Entry> }>()
  private version = 0
  private nextId = 1
  private nextOptionId = 1
  private fieldSequence = 0
  private customFields: Array<Fields.Field> = []
  private systemFields: ReadonlyArray<Fields.Field> = Fields.systemFields([])
  private fieldsByCode = new Map<string, Fields.Field>()
  currencies: ReadonlyArray<Seed.Currency> = []
  private users: ReadonlySet<number> = new Set()
  private defaultOwner = 1
  deletedCount = 0

  constructor(seed: Seed.Seed, private readonly nowSec: () => number) {
    this.load(seed)
  }

  load(seed: Seed.Seed): void {
    const loadTime = timestamp(this.nowSec())
    this.currencies = seed.currencies
    const users = seed.users ?? []
    this.users = new Set(users.length > 0 ? users.map((u) => u.id) : [1])
    this.defaultOwner = users[0]?.id ?? 1
    this.customFields = seed.productFields.map((f, i) => Fields.fromSeed(f, i, loadTime))
    this.systemFields = Fields.systemFields(seed.categories ?? [])
    this.fieldSequence = this.customFields.length
    this.nextOptionId = 1 + Math.max(0, ...this.customFields.flatMap((f) => (f.options ?? []).map((o) => (typeof o.id === "number" ? o.id : 0))))
    this.reindexFields()
    this.ordered = []
    this.byId = new Map()
    this.byCode = new Map()
    this.deletedCount = 0
    for (const p of seed.products) {
      if (this.byId.has(p.id)) throw new Error(`the seed lists product id ${p.id} twice`)
      const e = Listing.entry(p)
      this.byId.set(p.id, e)
      this.ordered.push(e)
      this.indexCode(p)
      if (p.is_deleted) this.deletedCount++
    }
    let sorted = true
    for (let i = 1; i < this.ordered.length && sorted; i++) sorted = (this.ordered[i - 1] as Listing.Entry).id < (this.ordered[i] as Listing.Entry).id
    if (!sorted) this.ordered.sort((a, b) => a.id - b.id)
    this.nextId = (this.ordered[this.ordered.length - 1]?.id ?? 0) + 1
    this.touch()
  }

  private reindexFields(): void {
    this.fieldsByCode = new Map([...this.systemFields, ...this.customFields].map((f) => [f.field_code, f]))
  }

  private touch(): void {
    this.version++
  }

  private indexCode(p: Seed.Product): void {
    if (p.code === null) return
    const k = p.code.toLowerCase()
    const ids = this.byCode.get(k)
    if (ids === undefined) this.byCode.set(k, p.id)
    else if (typeof ids === "number") this.byCode.set(k, [ids, p.id])
    else ids.push(p.id)
  }

  private unindexCode(p: Seed.Product): void {
    if (p.code === null) return
    const k = p.code.toLowerCase()
    const ids = this.byCode.get(k)
    if (ids === p.id) this.byCode.delete(k)
    else if (Array.isArray(ids)) {
      const rest = ids.filter((id) => id !== p.id)
      if (rest.length === 1) this.byCode.set(k, rest[0] as number)
      else this.byCode.set(k, rest)
    }
  }

  private idsWithCode(code: string): ReadonlyArray<number> {
    const ids = this.byCode.get(code)
    return ids === undefined ? [] : typeof ids === "number" ? [ids] : [...ids].sort((a, b) => a - b)
  }

  get size(): number {
    return this.ordered.length
  }

  validationContext(): Validate.Context {
    return { currencies: new Set(this.currencies.map((c) => c.code)), users: this.users, fields: this.fieldsByCode }
  }

  // ---- products ----------------------------------------------------------------------------

  get(id: number): Listing.Entry | undefined {
    return this.byId.get(id)
  }

  /** The wire object of a product: custom fields listed for every current custom field (unset = null). */
  wire(e: Listing.Entry, only?: ReadonlySet<string>): Record<string, unknown> {
    const p = e.product
    const custom: Record<string, unknown> = {}
    for (const f of this.customFields) {
      if (only === undefined || only.has(f.field_code)) custom[f.field_code] = p.custom_fields[f.field_code] ?? null
    }
    return {
      id: p.id,
      name: p.name,
      code: p.code,
      description: p.description,
      unit: p.unit,
      tax: p.tax,
      category: p.category,
      is_linkable: p.is_linkable,
      is_deleted: p.is_deleted,
      visible_to: p.visible_to,
      owner_id: p.owner_id,
      add_time: p.add_time,
      update_time: p.update_time,
      billing_frequency: p.billing_frequency,
      billing_frequency_cycles: p.billing_frequency_cycles,
      prices: p.prices.map((x) => ({ product_id: p.id, price: x.price, currency: x.currency, cost: x.cost, direct_cost: x.direct_cost, notes: x.notes })),
      custom_fields: custom
    }
  }

  /** One keyset page: live products (not deleted) matching the filters, in the requested order. */
  list(q: Listing.ListQuery): Listing.Page {
    return Listing.page(this.view(q.sortBy, q.ids), q)
  }

  private view(sortBy: Listing.SortBy, ids: ReadonlyArray<number> | undefined): Array<Listing.Entry> {
    if (ids !== undefined) {
      const picked: Array<Listing.Entry> = []
      for (const id of new Set(ids)) {
        const e = this.byId.get(id)
        if (e) picked.push(e)
      }
      return Listing.sort(picked, sortBy)
    }
    if (sortBy === "id") return this.ordered
    const cached = this.sorted.get(sortBy)
    if (cached && cached.version === this.version) return cached.entries
    const entries = Listing.sort(this.ordered.slice(), sortBy)
    this.sorted.set(sortBy, { version: this.version, entries })
    return entries
  }

  private put(e: Listing.Entry, p: Seed.Product): void {
    this.unindexCode(e.product)
    if (p.is_deleted && !e.product.is_deleted) this.deletedCount++
    e.product = p
    e.nameKey = undefined
    e.updateSec = undefined
    this.indexCode(p)
    this.touch()
  }

  private defaultPrices(): ReadonlyArray<Validate.PriceInput> {
    const c = this.currencies[0]
    return c === undefined ? [] : [{ price: 0, currency: c.code, cost: 0, direct_cost: null, notes: "" }]
  }

  private static withId(id: number, prices: ReadonlyArray<Validate.PriceInput>): ReadonlyArray<Seed.Price> {
    return prices.map((x) => ({ product_id: id, ...x }))
  }

  create(input: Validate.ProductInput): Listing.Entry {
    const frequency = input.billing_frequency ?? "one-time"
    const cycles = input.billing_frequency_cycles ?? null
    Validate.billing(frequency, cycles)
    const id = this.nextId++
    const now = timestamp(this.nowSec())
    const p: Seed.Product = {
      id,
      name: input.name ?? "",
      code: input.code ?? null,
      description: input.description ?? null,
      unit: input.unit ?? null,
      tax: input.tax ?? 0,
      category: input.category ?? null,
      is_linkable: input.is_linkable ?? true,
      is_deleted: false,
      visible_to: input.visible_to ?? 3,
      owner_id: input.owner_id ?? this.defaultOwner,
      add_time: now,
      update_time: now,
      billing_frequency: frequency,
      billing_frequency_cycles: cycles,
      prices: Store.withId(id, input.prices ?? this.defaultPrices()),
      custom_fields: input.custom_fields ?? {}
    }
    const e = Listing.entry(p)
    this.byId.set(id, e)
    this.ordered.push(e)
    this.indexCode(p)
    this.touch()
    return e
  }

  /** Applies a PATCH: given fields replace the stored ones (`prices` replaces the whole array). */
  update(e: Listing.Entry, input: Validate.ProductInput): Listing.Entry {
    const old = e.product
    const frequency = input.billing_frequency ?? old.billing_frequency
    const cycles = input.billing_frequency_cycles !== undefined ? input.billing_frequency_cycles : old.billing_frequency_cycles
    Validate.billing(frequency, cycles)
    const { prices, custom_fields, ...scalars } = input
    const p: Seed.Product = {
      ...old,
      ...scalars,
      billing_frequency: frequency,
      billing_frequency_cycles: cycles,
      prices: prices === undefined ? old.prices : Store.withId(e.id, prices),
      custom_fields: custom_fields === undefined ? old.custom_fields : { ...old.custom_fields, ...custom_fields },
      update_time: timestamp(this.nowSec())
    }
    this.put(e, p)
    return e
  }

  remove(e: Listing.Entry): void {
    this.put(e, { ...e.product, is_deleted: true, update_time: timestamp(this.nowSec()) })
  }

  /** Every product, deleted ones included, in id order (wire shape). */
  export(): ReadonlyArray<Record<string, unknown>> {
    return this.ordered.map((e) => this.wire(e))
  }

  /** Products whose code, name or searchable custom fields match `term` (case-insensitive), best first. */
  search(term: string, fields: ReadonlySet<"code" | "name" | "custom_fields">, exact: boolean): ReadonlyArray<SearchHit> {
    const t = term.toLowerCase()
    const hits: Array<SearchHit> = []
    const score = (value: string): number => {
      const v = value.toLowerCase()
      if (v === t) return 1
      if (exact || !v.includes(t)) return 0
      return Math.round((t.length / v.length) * 10_000) / 10_000
    }
    const searchable = this.customFields.filter((f) => Fields.searchableTypes.has(f.field_type))
    const consider = (e: Listing.Entry) => {
      const p = e.product
      if (p.is_deleted) return
      let best = 0
      if (fields.has("name")) best = Math.max(best, score(p.name))
      if (fields.has("code") && p.code !== null) best = Math.max(best, score(p.code))
      const customValues: Array<string> = []
      if (fields.has("custom_fields")) {
        for (const f of searchable) {
          const text = searchText(p.custom_fields[f.field_code])
          if (text === undefined) continue
          const s = score(text)
          if (s > 0) customValues.push(text)
          best = Math.max(best, s)
        }
      }
      if (best > 0) hits.push({ score: best, product: p, customValues })
    }
    if (exact && fields.size === 1 && fields.has("code")) {
      for (const id of this.idsWithCode(t)) {
        const e = this.byId.get(id)
        if (e) consider(e)
      }
    } else {
      for (const e of this.ordered) consider(e)
    }
    return hits.sort((a, b) => b.score - a.score || a.product.id - b.product.id)
  }

  // ---- product fields ------------------------------------------------------------------------

  allFields(): ReadonlyArray<Fields.Field> {
    return [...this.systemFields, ...this.customFields]
  }

  field(code: string): Fields.Field | undefined {
    return this.fieldsByCode.get(code)
  }

  createField(input: Validate.FieldInput): Fields.Field {
    const sequence = ++this.fieldSequence
    const now = timestamp(this.nowSec())
    const options = input.options === null ? null : input.options.map((label) => ({ id: this.nextOptionId++, label, color: null }))
    const f = Fields.custom(sequence - 1, Fields.newCode(input.field_name, sequence), input.field_name, input.field_type, options, input.ui_visibility, now)
    this.customFields.push(f)
    this.reindexFields()
    return f
  }
}

const searchText = (u: unknown): string | undefined => {
  if (typeof u === "string") return u
  if (typeof u === "number") return String(u)
  if (typeof u === "object" && u !== null && "value" in u) {
    const v = (u as { value: unknown }).value
    return typeof v === "string" || typeof v === "number" ? String(v) : undefined
  }
  return undefined
}
