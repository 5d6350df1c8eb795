/**
 * Pipedrive products (API v2 JSON) ⇄ canonical products through a compiled mapping. Reading takes
 * only mapped fields; writing builds a create or PATCH body from field values, merging prices into
 * the product's current array (a PATCH with `prices` replaces the whole array, DESIGN §6.2) so only
 * the currencies and parts the mapping owns change. The wire values are the Pipedrive client's
 * (`pipedrive/Wire.ts`, imported as types only: nothing of the client is loaded here).
 */
import { BigDecimal, Either, type Types } from "effect"
import type { CatalogProduct } from "../domain/CatalogProduct.js"
import * as Field from "../domain/Field.js"
import * as PipedriveId from "../domain/PipedriveId.js"
import { Sku } from "../domain/Sku.js"
import type * as Wire from "../pipedrive/Wire.js"
import type { Compiled, CompiledField } from "./Compile.js"
import * as CustomValues from "./CustomValues.js"

const wirePart = { price: "price", cost: "cost", directCost: "direct_cost" } as const

const decimal = (n: number | null | undefined): Field.Value =>
  n === null || n === undefined || !Number.isFinite(n) ? null : BigDecimal.normalize(BigDecimal.unsafeFromNumber(n))

const text = (s: string | number | null | undefined): Field.Value => (s === null || s === undefined ? null : String(s))

/** The product's key on the Pipedrive side, or why it has none. */
export const keyOf = (compiled: Compiled, wire: Wire.Product): Either.Either<string, string> => {
  const k = compiled.key.pipedrive
  const raw = k.kind === "code" ? wire.code : k.field === undefined ? undefined : wire.custom_fields?.[k.field.field_code]
  const key = typeof raw === "string" ? raw.trim() : ""
  return key === "" ? Either.left(k.kind === "code" ? "it has no product code" : `its "${k.label}" field is empty`) : Either.right(key)
}

/**
 * `category` is an option field: Pipedrive sends its option id (a string), and takes the id as a
 * number. Its options are the built-in `category` product field's (`CompiledField.options`).
 */
const categoryFromWire = (f: CompiledField, raw: string | number | null | undefined): Either.Either<Field.Value, string> => {
  if (raw === null || raw === undefined || raw === "") return Either.right(null)
  if (f.options === undefined) return Either.left("the account's category options are unknown")
  const label = CustomValues.fromWire({ ...f.options, field_type: "enum" }, raw)
  // A label sent in place of its id is read as that label.
  return Either.isLeft(label) && typeof raw === "string" && Either.isRight(CustomValues.optionByLabel(f.options, raw)) ? Either.right(raw) : label
}

const categoryToWire = (f: CompiledField, value: Field.Value): Either.Either<number | null, string> => {
  if (value === null) return Either.right(null)
  if (typeof value !== "string") return Either.left(`category: needs an option label, got ${Field.show(value)}`)
  if (f.options === undefined) return Either.left("category: the account's category options are unknown")
  return Either.flatMap(Either.mapLeft(CustomValues.optionByLabel(f.options, value), (e) => `category: ${e}`), (id) => {
    const n = typeof id === "number" ? id : /^\d+$/.test(id) ? Number(id) : undefined
    return n === undefined ? Either.left(`category: the option "${value}" has the id ${JSON.stringify(id)}, which is not a number`) : Either.right(n)
  })
}

/** The value of one mapped field in a wire product. */
export const readField = (f: CompiledField, wire: Wire.Product): Either.Either<Field.Value, string> => {
  const t = f.target
  switch (t.kind) {
    case "builtin":
      switch (t.name) {
        case "name":
          return Either.right(text(wire.name))
        case "code":
          return Either.right(text(wire.code))
        case "description":
          return Either.right(text(wire.description))
        case "unit":
          return Either.right(text(wire.unit))
        case "category":
          return categoryFromWire(f, wire.category)
        case "tax":
          return Either.right(decimal(wire.tax))
        case "active":
          return Either.right(wire.is_deleted !== true)
        case "linkable":
          return Either.right(wire.is_linkable !== false)
      }
      break
    case "price": {
      const entry = (wire.prices ?? []).find((p) => p.currency === t.currency)
      return Either.right(entry === undefined ? null : decimal(entry[wirePart[t.part]]))
    }
    case "custom":
      if (f.custom === undefined) return Either.right(null) // to be created: empty everywhere
      return CustomValues.fromWire(f.custom, wire.custom_fields?.[f.custom.field_code] ?? null)
  }
}

/** The canonical product of a wire product (mapped fields only), or the problems reading it. */
export const fromWire = (compiled: Compiled, wire: Wire.Product): Either.Either<CatalogProduct, ReadonlyArray<string>> => {
  const key = keyOf(compiled, wire)
  if (Either.isLeft(key)) return Either.left([`Pipedrive product #${wire.id} cannot be matched: ${key.left}`])
  const problems: Array<string> = []
  const values: Array<readonly [Field.Path, Field.Value]> = []
  for (const f of compiled.fields) {
    const v = readField(f, wire)
    if (Either.isLeft(v)) problems.push(`Pipedrive product #${wire.id} (${key.right}), ${f.path}: ${v.left}`)
    else values.push([f.path, v.right])
  }
  if (problems.length > 0) return Either.left(problems)
  return Either.right(Field.unflatten(Sku.make(key.right), values, PipedriveId.make(wire.id)))
}

const numberOrError = (path: string, v: Field.Value): Either.Either<number | null, string> =>
  v === null ? Either.right(null) : BigDecimal.isBigDecimal(v) ? Either.mapLeft(CustomValues.decimalToWire(v), (e) => `${path}: ${e}`) : Either.left(`${path}: expected a number`)

/**
 * The body that writes `changes` (field path → new value) to a product whose current wire state is
 * `current` (`undefined` for a create: then the body has a `name`, as `Wire.ProductCreate` needs).
 * Prices are merged into the current array; a currency whose price becomes empty is removed.
 */
export const toBody = (
  compiled: Compiled,
  changes: ReadonlyMap<Field.Path, Field.Value>,
  current: Wire.Product | undefined,
  key?: string
): Either.Either<Wire.ProductPatch, ReadonlyArray<string>> => {
  const problems: Array<string> = []
  const body: Types.Mutable<Wire.ProductPatch> = {}
  const customs: Record<string, unknown> = {}
  const priceChanges = new Map<string, Map<"price" | "cost" | "directCost", number | null>>()
  for (const [path, value] of changes) {
    const f = compiled.byPath.get(path)
    if (f === undefined) continue
    const t = f.target
    if (t.kind === "builtin") {
      switch (t.name) {
        case "name":
          if (typeof value !== "string" || value.trim() === "") problems.push("name: a product needs a non-empty name")
          else body.name = value
          break
        case "code":
        case "description":
        case "unit":
          body[t.name] = value === null ? null : Field.show(value)
          break
        case "category": {
          const id = categoryToWire(f, value)
          if (Either.isLeft(id)) problems.push(id.left)
          else body.category = id.right
          break
        }
        case "tax": {
          const n = numberOrError(path, value)
          if (Either.isLeft(n)) problems.push(n.left)
          else body.tax = n.right ?? 0
          break
        }
        case "linkable":
          body.is_linkable = value !== false
          break
        case "active":
          problems.push("active: cannot be written to Pipedrive")
          break
      }
    } else if (t.kind === "price") {
      const n = numberOrError(path, value)
      if (Either.isLeft(n)) problems.push(n.left)
      else {
        const m = priceChanges.get(t.currency) ?? new Map()
        m.set(t.part, n.right)
        priceChanges.set(t.currency, m)
      }
    } else if (f.custom !== undefined) {
      const w = CustomValues.toWire(f.custom, value)
      if (Either.isLeft(w)) problems.push(`${path}: ${w.left}`)
      else customs[f.custom.field_code] = w.right
    }
  }
  if (current === undefined) {
    if (key !== undefined) {
      if (compiled.key.pipedrive.kind === "code") body.code = key
      else if (compiled.key.pipedrive.field !== undefined) customs[compiled.key.pipedrive.field.field_code] = key
    }
    if (body.name === undefined) problems.push("name: a product needs a name to be created in Pipedrive (map the ERP's name column)")
  }
  if (Object.keys(customs).length > 0) body.custom_fields = customs
  if (priceChanges.size > 0) {
    const merged: Array<Wire.PriceInput> = []
    const seen = new Set<string>()
    for (const p of current?.prices ?? []) {
      seen.add(p.currency)
      const change = priceChanges.get(p.currency)
      const entry: Types.Mutable<Wire.PriceInput> = { currency: p.currency, price: p.price ?? 0, cost: p.cost ?? 0, direct_cost: p.direct_cost ?? null, notes: p.notes ?? "" }
      if (change !== undefined) {
        if (change.get("price") === null) continue // the price is gone: drop the currency
        for (const [part, n] of change) {
          if (part === "directCost") entry.direct_cost = n
          else entry[part] = n ?? 0
        }
      }
      merged.push(entry)
    }
    for (const [currency, change] of priceChanges) {
      if (seen.has(currency)) continue
      const price = change.get("price")
      if (price === null || price === undefined) {
        if ([...change.values()].some((n) => n !== null)) problems.push(`prices.${currency}: a cost needs a price in the same currency (the ERP has none for ${currency})`)
        continue
      }
      merged.push({ currency, price, cost: change.get("cost") ?? 0, direct_cost: change.get("directCost") ?? null, notes: "" })
    }
    body.prices = merged
  }
  return problems.length > 0 ? Either.left(problems) : Either.right(body)
}
