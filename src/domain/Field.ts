/**
 * Products as fields: a `CatalogProduct` seen as a map from field path to canonical value, which is
 * what the planner compares, the base stores and the plan reports. Paths: `name`, `code`,
 * `description`, `unit`, `tax`, `category`, `active`, `linkable`, `prices.EUR.price`,
 * `prices.EUR.cost`, `prices.EUR.directCost`, `custom.<label>`.
 *
 * The comparison rules (docs/mapping.md, "How values compare") are here and nowhere else, and both
 * sides go through them alike:
 * 1. An absent field has no opinion and is never compared; a present field is compared.
 * 2. Text: `""` and `null` are both *empty*; line endings compare as `\n`; otherwise exact (case
 *    and inner white space matter). Trimming is a parsing option of the ERP column, not a rule.
 * 3. Decimals compare by value (`19.9` = `19.90`); prices, costs and monetary amounts at the
 *    currency's precision; `tax` and other numbers exactly.
 * 4. A cost or direct cost that is empty equals `0` (Pipedrive reports 0 for an unset cost).
 * 5. Sets compare as sets of labels (order and duplicates ignored); an empty set is empty (`null`).
 * 6. An address compares by its text (`value`); its parts are derived by Pipedrive.
 * 7. Everything else (booleans, enum labels, dates, times, references) compares exactly.
 */
import { BigDecimal, Schema } from "effect"
import { AddressValue, CatalogProduct, CustomValue, MoneyValue, RangeValue, RefValue, TimeValue, type PricePart } from "./CatalogProduct.js"
import type { Registry } from "./Currency.js"
import * as Money from "./Money.js"
import type { Sku } from "./Sku.js"

export type Path = string
export type Value = CustomValue

export type Parsed =
  | { readonly kind: "builtin"; readonly name: "name" | "code" | "description" | "unit" | "tax" | "category" | "active" | "linkable" }
  | { readonly kind: "price"; readonly currency: string; readonly part: PricePart }
  | { readonly kind: "custom"; readonly label: string }

const builtins = new Set(["name", "code", "description", "unit", "tax", "category", "active", "linkable"])
const priceParts = new Set(["price", "cost", "directCost"])

const parsedPaths = new Map<Path, Parsed | undefined>()

/** What a path names, or `undefined` when it names nothing. */
export const parse = (path: Path): Parsed | undefined => {
  // Paths are few (a mapping's fields), and the planner asks about them for every product.
  if (parsedPaths.has(path)) return parsedPaths.get(path)
  const p = parseUncached(path)
  if (parsedPaths.size < 10_000) parsedPaths.set(path, p)
  return p
}

const parseUncached = (path: Path): Parsed | undefined => {
  if (builtins.has(path)) return { kind: "builtin", name: path as never }
  if (path.startsWith("custom.") && path.length > "custom.".length) return { kind: "custom", label: path.slice("custom.".length) }
  const m = /^prices\.([A-Z0-9]{2,10})\.(price|cost|directCost)$/.exec(path)
  if (m && priceParts.has(m[2] ?? "")) return { kind: "price", currency: m[1] ?? "", part: m[2] as PricePart }
  return undefined
}

export const pricePath = (currency: string, part: PricePart): Path => `prices.${currency}.${part}`
export const customPath = (label: string): Path => `custom.${label}`

/** The present fields of a product, as path → value (the key and Pipedrive id are not fields). */
export const flatten = (product: CatalogProduct): Map<Path, Value> => {
  const out = new Map<Path, Value>()
  for (const name of builtins) {
    const v = (product as unknown as Record<string, Value | undefined>)[name]
    if (v !== undefined) out.set(name, v)
  }
  for (const [currency, parts] of Object.entries(product.prices ?? {})) {
    for (const part of ["price", "cost", "directCost"] as const) {
      const v = parts[part]
      if (v !== undefined) out.set(pricePath(currency, part), v)
    }
  }
  for (const [label, v] of Object.entries(product.custom ?? {})) out.set(customPath(label), v)
  return out
}

/** Builds a product from fields; paths that name nothing are ignored. */
export const unflatten = (key: Sku, fields: Iterable<readonly [Path, Value]>, pipedriveId?: CatalogProduct["pipedriveId"]): CatalogProduct => {
  const scalar: Record<string, unknown> = {}
  const prices: Record<string, Record<string, unknown>> = {}
  const custom: Record<string, Value> = {}
  for (const [path, value] of fields) {
    const p = parse(path)
    if (p === undefined) continue
    if (p.kind === "builtin") scalar[p.name] = value
    else if (p.kind === "price") (prices[p.currency] ??= {})[p.part] = value
    else custom[p.label] = value
  }
  return new CatalogProduct(
    {
      key,
      ...(pipedriveId === undefined ? {} : { pipedriveId }),
      ...scalar,
      ...(Object.keys(prices).length > 0 ? { prices: prices as never } : {}),
      ...(Object.keys(custom).length > 0 ? { custom } : {})
    } as never,
    { disableValidation: true }
  )
}

/** The canonical form of a value under the rules above: what is stored, compared and shown. */
export const normalize = (path: Path, value: Value): Value => {
  if (value === null) return null
  if (typeof value === "string") return value === "" ? null : value.indexOf("\r") < 0 ? value : value.replace(/\r\n?/g, "\n")
  if (BigDecimal.isBigDecimal(value)) {
    const n = BigDecimal.normalize(value)
    const p = parse(path)
    return p?.kind === "price" && p.part !== "price" && BigDecimal.isZero(n) ? null : n
  }
  if (Array.isArray(value)) {
    const set = [...new Set(value as ReadonlyArray<string>)].sort()
    return set.length === 0 ? null : set
  }
  if (value instanceof MoneyValue) return new MoneyValue({ amount: BigDecimal.normalize(value.amount), currency: value.currency })
  return value
}

const sameArray = (a: ReadonlyArray<string>, b: ReadonlyArray<string>) => a.length === b.length && a.every((x, i) => x === b[i])

/** Equal under the rules above; `registry` gives currency precision. */
export const equals = (path: Path, a: Value, b: Value, registry: Registry): boolean => {
  const x = normalize(path, a)
  const y = normalize(path, b)
  if (x === null || y === null) return x === y
  const p = parse(path)
  if (BigDecimal.isBigDecimal(x) && BigDecimal.isBigDecimal(y)) {
    // Equal values are equal at any precision: the rounding only for those that differ.
    return BigDecimal.equals(x, y) || (p?.kind === "price" && Money.equalAt(registry.precision(p.currency))(x, y))
  }
  if (typeof x === "string" || typeof x === "boolean") return x === y
  if (Array.isArray(x) && Array.isArray(y)) return sameArray(x, y)
  if (x instanceof MoneyValue && y instanceof MoneyValue) {
    return x.currency === y.currency && Money.equalAt(registry.precision(x.currency))(x.amount, y.amount)
  }
  if (x instanceof AddressValue && y instanceof AddressValue) return x.value === y.value
  if (x instanceof RangeValue && y instanceof RangeValue) return x.from === y.from && x.until === y.until
  if (x instanceof TimeValue && y instanceof TimeValue) {
    return x.value === y.value && x.until === y.until && x.timezoneName === y.timezoneName && (x.timezoneName !== null || x.timezoneId === y.timezoneId)
  }
  if (x instanceof RefValue && y instanceof RefValue) return x.id === y.id
  return false
}

const ValueJson = Schema.parseJson(CustomValue)
const encodeJson = Schema.encodeSync(ValueJson)
const decodeJson = Schema.decodeUnknownSync(ValueJson)
const decodeValue = Schema.decodeUnknownSync(CustomValue)

/**
 * `encodeJson`'s text of the common shapes (null, text, boolean, a set of labels, a decimal) by
 * hand: Schema's encoder costs microseconds a value, and a first sync agrees millions of fields
 * (test/plan/FieldJson.test.ts checks the two agree). `undefined` for the other shapes.
 */
const fastJson = (v: Value): string | undefined => {
  if (v === null || typeof v === "string" || typeof v === "boolean") return JSON.stringify(v)
  if (BigDecimal.isBigDecimal(v)) return `{"_tag":"Decimal","value":${JSON.stringify(BigDecimal.format(BigDecimal.normalize(v)))}}`
  if (!Array.isArray(v)) return undefined
  for (const x of v) if (typeof x !== "string") return undefined
  return JSON.stringify(v)
}

/** The value as stable JSON text (normalized first), for the store and plan hashes. */
export const toJson = (path: Path, value: Value): string => {
  const v = normalize(path, value)
  return fastJson(v) ?? encodeJson(v)
}

/**
 * The common shapes of `toJson`'s JSON (null, text, boolean, a set of labels, a tagged decimal)
 * read by hand: Schema's generic path costs tens of µs a value, and the planner reads millions.
 * `undefined` for anything else, which then goes through Schema (equivalence is a property test,
 * test/plan/FieldJson.test.ts).
 */
const fastValue = (u: unknown): Value | undefined => {
  if (u === null || typeof u === "string" || typeof u === "boolean") return u
  if (Array.isArray(u)) {
    for (const x of u) if (typeof x !== "string") return undefined
    return u as Array<string>
  }
  if (typeof u !== "object") return undefined
  const r = u as Record<string, unknown>
  if (r._tag !== "Decimal" || typeof r.value !== "string") return undefined
  let n = 0
  for (const _ in r) n++
  if (n !== 2) return undefined
  const d = BigDecimal.fromString(r.value)
  return d._tag === "Some" ? BigDecimal.normalize(d.value) : undefined
}

/** Reads a value written by `toJson`. Throws on text it did not write (a corrupt store is a bug to report). */
export const fromJson = (text: string): Value => {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return decodeJson(text) // Schema's own message
  }
  return fastValue(json) ?? decodeJson(text)
}

/** Reads a value from `toJson`'s JSON already parsed (`JSON.parse`): the same value as `fromJson` of its text. */
export const fromJsonValue = (json: unknown): Value => fastValue(json) ?? decodeValue(json)

/** A short human rendering for reports: decimals plain, sets joined, money with its currency. */
export const show = (value: Value): string => {
  if (value === null) return "(empty)"
  if (typeof value === "string") return value
  if (typeof value === "boolean") return value ? "yes" : "no"
  if (BigDecimal.isBigDecimal(value)) return Money.toPlain(value)
  if (Array.isArray(value)) return (value as ReadonlyArray<string>).join(", ")
  if (value instanceof MoneyValue) return `${Money.toPlain(value.amount)} ${value.currency}`
  if (value instanceof RangeValue) return `${value.from} – ${value.until ?? "…"}`
  if (value instanceof TimeValue) return `${value.value}${value.until ? ` – ${value.until}` : ""}${value.timezoneName ? ` ${value.timezoneName}` : ""}`
  if (value instanceof AddressValue) return value.value
  if (value instanceof RefValue) return `#${value.id}`
  return String(value)
}
