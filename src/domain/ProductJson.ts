/**
 * The ERP snapshot's codec for `CatalogProduct`: the same JSON as `Schema.encode(CatalogProduct)`
 * (decimals as strings) and the same products as `Schema.decode`, written by hand because the
 * generic Schema path costs ~50–100 µs a product, minutes for a million. Equivalence with Schema is
 * a property test (test/domain/ProductJson.test.ts). JSON this fast path does not recognise goes
 * through Schema, so a damaged row fails with Schema's own message.
 */
import { BigDecimal, Schema } from "effect"
import { AddressValue, CatalogProduct, type CustomValue, MoneyValue, RangeValue, RefValue, TimeValue } from "./CatalogProduct.js"

/** Strict, as the domain decodes: an unknown key (a lower-case currency) is an error, not dropped. */
const decodeBySchema = Schema.decodeUnknownSync(CatalogProduct, { errors: "all", onExcessProperty: "error" })

/** Encoded JSON of any part of a product: decimals become their normalised text, the rest stays. */
const encodeValue = (v: unknown): unknown => {
  if (v === null || typeof v !== "object") return v
  if (BigDecimal.isBigDecimal(v)) return BigDecimal.format(BigDecimal.normalize(v))
  if (Array.isArray(v)) return v.map(encodeValue)
  const out: Record<string, unknown> = {}
  for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = encodeValue(x)
  return out
}

/** A decimal custom value is tagged (`{"_tag":"Decimal","value":"19.9"}`) so it is never read back as text. */
const encodeCustom = (v: unknown): unknown =>
  BigDecimal.isBigDecimal(v) ? { _tag: "Decimal", value: BigDecimal.format(BigDecimal.normalize(v)) } : encodeValue(v)

/** The product's JSON text. */
export const encode = (product: CatalogProduct): string => {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(product)) {
    if (v === undefined) continue
    if (k === "custom") {
      const values: Record<string, unknown> = {}
      for (const [label, x] of Object.entries(v as Record<string, unknown>)) values[label] = encodeCustom(x)
      out.custom = values
    } else out[k] = encodeValue(v)
  }
  return JSON.stringify(out)
}

class Unrecognised extends Error {}

const decimal = (u: unknown): BigDecimal.BigDecimal => {
  if (typeof u !== "string") throw new Unrecognised()
  const d = BigDecimal.fromString(u)
  if (d._tag === "None") throw new Unrecognised()
  return BigDecimal.normalize(d.value)
}
const nullableDecimal = (u: unknown): BigDecimal.BigDecimal | null => (u === null ? null : decimal(u))

const record = (u: unknown): Record<string, unknown> => {
  if (u === null || typeof u !== "object" || Array.isArray(u)) throw new Unrecognised()
  return u as Record<string, unknown>
}

const parts = (u: unknown) => {
  const r = record(u)
  const out: { price?: BigDecimal.BigDecimal | null; cost?: BigDecimal.BigDecimal | null; directCost?: BigDecimal.BigDecimal | null } = {}
  for (const [k, v] of Object.entries(r)) {
    if (k === "price" || k === "cost" || k === "directCost") out[k] = nullableDecimal(v)
    else throw new Unrecognised()
  }
  return out
}

const custom = (u: unknown): CustomValue => {
  if (u === null || typeof u === "string" || typeof u === "boolean") return u
  if (Array.isArray(u)) {
    if (!u.every((s) => typeof s === "string")) throw new Unrecognised()
    return u as Array<string>
  }
  const r = record(u)
  // Tagged values: every key checked by its class (validation on), which is cheap next to the product.
  switch (r._tag) {
    case "Decimal":
      return decimal(r.value)
    case "Money":
      if (typeof r.currency !== "string" || !currencyCode.test(r.currency)) throw new Unrecognised()
      return new MoneyValue({ amount: decimal(r.amount), currency: r.currency as MoneyValue["currency"] }, true)
    case "Range":
      return RangeValue.make(r as unknown as RangeValue)
    case "Time":
      return TimeValue.make(r as unknown as TimeValue)
    case "Address":
      return AddressValue.make(r as unknown as AddressValue)
    case "Ref":
      return RefValue.make(r as unknown as RefValue)
    default:
      throw new Unrecognised()
  }
}

const isText = (v: unknown) => typeof v === "string"
const isNullableText = (v: unknown) => v === null || typeof v === "string"
const isFlag = (v: unknown) => typeof v === "boolean"
/** The plain fields and what each may hold (the key's own rules are checked when it is written). */
const scalars: Readonly<Record<string, (v: unknown) => boolean>> = {
  key: (v) => typeof v === "string" && v !== "" && v.trim() === v,
  pipedriveId: (v) => Number.isSafeInteger(v) && (v as number) > 0,
  name: isText,
  code: isNullableText,
  description: isNullableText,
  unit: isNullableText,
  category: isNullableText,
  active: isFlag,
  linkable: isFlag
}
const currencyCode = /^[A-Z0-9]{2,10}$/

const fast = (u: unknown): CatalogProduct => {
  const r = record(u)
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(r)) {
    const check = scalars[k]
    if (check !== undefined) {
      if (!check(v)) throw new Unrecognised()
      out[k] = v
    } else if (k === "tax") out.tax = nullableDecimal(v)
    else if (k === "prices") {
      const prices: Record<string, unknown> = {}
      for (const [currency, p] of Object.entries(record(v))) {
        if (!currencyCode.test(currency)) throw new Unrecognised()
        prices[currency] = parts(p)
      }
      out.prices = prices
    } else if (k === "custom") {
      const values: Record<string, CustomValue> = {}
      for (const [label, x] of Object.entries(record(v))) values[label] = custom(x)
      out.custom = values
    } else throw new Unrecognised()
  }
  // Every part was checked above; the class's own validation would cost more than all of the rest.
  return new CatalogProduct(out as ConstructorParameters<typeof CatalogProduct>[0], true)
}

/** The product from its JSON text; throws Schema's `ParseError` (or `SyntaxError`) when it is not one. */
export const decode = (text: string): CatalogProduct => fromJsonValue(JSON.parse(text))

/** The product from its JSON already parsed (`JSON.parse` of `encode`'s text): the same as `decode` of the text. */
export const fromJsonValue = (json: unknown): CatalogProduct => {
  try {
    return fast(json)
  } catch (e) {
    if (e instanceof Unrecognised) return decodeBySchema(json)
    throw e
  }
}
