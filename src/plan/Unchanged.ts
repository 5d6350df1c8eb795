/**
 * The fast path for products in sync. Most keys of a large catalog are linked products that nobody
 * changed since the last run: every mapped field is the same in the ERP, in Pipedrive and in the
 * base. `unchanged` proves that on the JSON as stored, without decoding (no BigDecimal, no product
 * classes), by comparing a canonical text of each value. It only ever answers `true` when the
 * planner would plan nothing for the key; anything it does not recognise, or any value that is not
 * the very same on all three, answers `false` and the key is planned in full
 * (test/plan/Unchanged.test.ts checks that against the planner).
 */
import { BigDecimal, Either } from "effect"
import * as Field from "../domain/Field.js"
import type { Compiled } from "../mapping/Compile.js"
import * as CustomValues from "../mapping/CustomValues.js"
import * as PipedriveSide from "../mapping/PipedriveSide.js"
import type * as Wire from "../pipedrive/Wire.js"

const canonicalDecimal = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]*[1-9])?$/

/** A value's canonical text: equal texts are equal values under `Field.equals`; `undefined`: unknown. */
const canonText = (s: string): string | undefined => (s === "" ? "n" : s.indexOf("\r") < 0 ? `s${s}` : undefined)
/** A decimal's text: equal texts are the same number. A zero cost is empty (`Field.normalize`). */
const canonDecimal = (t: string, zeroIsEmpty: boolean): string | undefined => {
  if (t === "-0" || !canonicalDecimal.test(t)) return undefined
  return t === "0" && zeroIsEmpty ? "n" : `d${t}`
}
const canonSet = (u: ReadonlyArray<unknown>): string | undefined => {
  for (const x of u) if (typeof x !== "string") return undefined
  const set = [...new Set(u as ReadonlyArray<string>)].sort()
  return set.length === 0 ? "n" : `a${JSON.stringify(set)}`
}
/** A value as `toJson` writes it (`decimalsAsText`: a plain string is a decimal, as in the ERP snapshot's prices and tax). */
const canonJson = (u: unknown, decimalsAsText: boolean, zeroIsEmpty: boolean): string | undefined => {
  if (u === null) return "n"
  if (typeof u === "string") return decimalsAsText ? canonDecimal(u, zeroIsEmpty) : canonText(u)
  if (decimalsAsText) return undefined
  if (typeof u === "boolean") return u ? "t" : "f"
  if (Array.isArray(u)) return canonSet(u)
  if (typeof u === "object") {
    const r = u as Record<string, unknown>
    let n = 0
    for (const _ in r) n++
    if (n === 2 && r._tag === "Decimal" && typeof r.value === "string") return canonDecimal(r.value, zeroIsEmpty)
  }
  return undefined
}
/** `PipedriveSide`'s decimal of a number: `safeFromNumber` reads `${n}`, so that text is its value. */
const canonNumber = (n: unknown, zeroIsEmpty: boolean): string | undefined => {
  if (n === null || n === undefined) return "n"
  if (typeof n !== "number") return undefined
  if (!Number.isFinite(n)) return "n"
  const t = `${n}`
  // A number's own text is canonical (no leading or trailing zeros, "0" for -0) unless in exponent form.
  return t.indexOf("e") >= 0 ? undefined : t === "0" && zeroIsEmpty ? "n" : `d${t}`
}
const canonValue = (v: Field.Value): string | undefined => {
  if (v === null) return "n"
  if (typeof v === "string") return canonText(v)
  if (typeof v === "boolean") return v ? "t" : "f"
  if (Array.isArray(v)) return canonSet(v)
  return BigDecimal.isBigDecimal(v) ? canonDecimal(BigDecimal.format(BigDecimal.normalize(v)), false) : undefined
}

const wireParts = { price: "price", cost: "cost", directCost: "direct_cost" } as const

/** What `PipedriveSide.readField` reads, as canonical text. */
const canonWire = (f: Compiled["fields"][number], wire: Wire.Product): string | undefined => {
  const t = f.target
  switch (t.kind) {
    case "builtin":
      switch (t.name) {
        case "tax":
          return canonNumber(wire.tax, false)
        case "active":
          return wire.is_deleted !== true ? "t" : "f"
        case "linkable":
          return wire.is_linkable !== false ? "t" : "f"
        case "category": {
          // An option id on the wire, a label in the base.
          const v = PipedriveSide.readField(f, wire)
          return Either.isLeft(v) ? undefined : canonValue(v.right)
        }
        default: {
          const v = wire[t.name]
          return v === null || v === undefined ? "n" : canonText(String(v))
        }
      }
    case "price": {
      if (wire.prices !== null && wire.prices !== undefined && !Array.isArray(wire.prices)) return undefined
      const entry = (wire.prices ?? []).find((p) => p.currency === t.currency)
      return entry === undefined ? "n" : canonNumber(entry[wireParts[t.part]], t.part !== "price")
    }
    case "custom": {
      if (f.custom === undefined) return "n"
      const raw = wire.custom_fields?.[f.custom.field_code] ?? null
      if (f.custom.field_type === "double" || f.custom.field_type === "int") {
        // `CustomValues.fromWire`: a finite number is `safeFromNumber` of it; anything else is not for the fast path.
        return raw === null ? "n" : typeof raw === "number" && Number.isFinite(raw) ? canonNumber(raw, false) : undefined
      }
      const v = CustomValues.fromWire(f.custom, raw)
      return Either.isLeft(v) ? undefined : canonValue(v.right)
    }
  }
}

/** The ERP snapshot's JSON of one field, as canonical text (`null` when the ERP has no opinion). */
const canonErp = (f: Compiled["fields"][number], erp: Record<string, unknown>): string | null | undefined => {
  const t = f.target
  let u: unknown
  if (t.kind === "builtin") u = erp[t.name]
  else if (t.kind === "price") u = (erp.prices as Record<string, Record<string, unknown> | undefined> | undefined)?.[t.currency]?.[t.part]
  else u = (erp.custom as Record<string, unknown> | undefined)?.[t.label]
  if (u === undefined) return null
  const decimal = t.kind === "price" || (t.kind === "builtin" && t.name === "tax")
  if (t.kind === "builtin" && (t.name === "active" || t.name === "linkable")) return typeof u === "boolean" ? (u ? "t" : "f") : undefined
  return canonJson(u, decimal, t.kind === "price" && t.part !== "price")
}

/**
 * Whether a linked key is in sync, proven on the stored JSON: `erp` is the ERP snapshot's product
 * (`JSON.parse` of its text), `wire` the linked Pipedrive product (live, and no other product takes
 * part for this key), `base` the key's base (field path → `toJson`'s JSON). `true` only when every
 * mapped field is the same on all three (the planner would decide nothing for any of them) and
 * the product's code still is its key. Keys with pending write-backs or rejected ERP rows never ask.
 */
export const unchanged = (compiled: Compiled, key: string, erp: unknown, wire: Wire.Product, base: Readonly<Record<string, unknown>>): boolean => {
  if (erp === null || typeof erp !== "object" || (erp as { key?: unknown }).key !== key) return false
  if (wire === null || typeof wire !== "object" || wire.is_deleted === true) return false
  if (compiled.key.pipedrive.kind === "code") {
    // `PipedriveSide.keyOf` reads the code; a code that is not the key is a key changed in Pipedrive.
    if (typeof wire.code !== "string" || wire.code.trim() !== key) return false
  } else if (Either.isLeft(PipedriveSide.keyOf(compiled, wire))) return false
  for (const f of compiled.fields) {
    const bJson = base[f.path]
    if (bJson === undefined) return false
    const b = canonJson(bJson, false, f.target.kind === "price" && f.target.part !== "price")
    if (b === undefined) return false
    const e = canonErp(f, erp as Record<string, unknown>)
    if (e === undefined || (e !== null && e !== b)) return false
    if (canonWire(f, wire) !== b) return false
  }
  return true
}
