/**
 * Custom field values between Pipedrive's API v2 shapes and canonical values, one rule per field
 * type (pipedrive-api.md §3.4): text types as strings, numbers as decimals, monetary as an amount
 * and a currency, enum and set by option label (ids on the wire), date ranges, times with their
 * time zone, addresses with their parts, and user/org/person references by id. `toWire` after
 * `fromWire` gives back the wire value.
 */
import { BigDecimal, Either } from "effect"
import { AddressValue, MoneyValue, RangeValue, RefValue, TimeValue } from "../domain/CatalogProduct.js"
import * as Currency from "../domain/Currency.js"
import type * as Field from "../domain/Field.js"
import * as Money from "../domain/Money.js"
import * as Suggest from "../domain/Suggest.js"
import { type AccountField, optionLabels } from "./AccountFields.js"

type Result<A> = Either.Either<A, string>

const isObject = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)
const str = (u: unknown): string | null => (typeof u === "string" ? u : null)
const strOrNull = (u: unknown): u is string | null => u === null || typeof u === "string"
const addressParts = ["route", "street_number", "subpremise", "sublocality", "locality", "admin_area_level_1", "admin_area_level_2", "country", "postal_code", "formatted_address"] as const

const unexpected = (field: AccountField, wire: unknown): Result<never> =>
  Either.left(`unexpected ${field.field_type} value ${JSON.stringify(wire)}`)

const decimalFromWire = (n: unknown): Result<BigDecimal.BigDecimal> =>
  typeof n === "number" && Number.isFinite(n)
    ? Either.right(BigDecimal.normalize(BigDecimal.unsafeFromNumber(n)))
    : Either.left(`expected a number, got ${JSON.stringify(n)}`)

/** A decimal as a JSON number, refusing one that a double cannot hold exactly. */
export const decimalToWire = (d: BigDecimal.BigDecimal): Result<number> => {
  const n = BigDecimal.unsafeToNumber(d)
  const back = BigDecimal.safeFromNumber(n)
  return back._tag === "Some" && BigDecimal.equals(back.value, d)
    ? Either.right(n)
    : Either.left(`${Money.toPlain(d)} has more digits than Pipedrive can store (a double)`)
}

const optionById = (field: AccountField, id: unknown): Result<string> => {
  const opt = (field.options ?? []).find((o) => o.id === id || String(o.id) === String(id))
  return opt ? Either.right(opt.label) : Either.left(`option id ${JSON.stringify(id)} is not an option of "${field.field_name}"`)
}

const labelIndexes = new WeakMap<AccountField, ReadonlyMap<string, number | string>>()

/** The field's option ids by label (the first option of a label), built once per field. */
const labelIndex = (field: AccountField): ReadonlyMap<string, number | string> => {
  let index = labelIndexes.get(field)
  if (index === undefined) {
    const m = new Map<string, number | string>()
    for (const o of field.options ?? []) if (!m.has(o.label)) m.set(o.label, o.id)
    index = m
    labelIndexes.set(field, index)
  }
  return index
}

/** The option id of a label, or why the label is not an option of the field (with its valid options). */
export const optionByLabel = (field: AccountField, label: string): Result<number | string> => {
  const id = labelIndex(field).get(label)
  if (id !== undefined) return Either.right(id)
  const labels = optionLabels(field)
  const hint = Suggest.didYouMean(label, labels)
  return Either.left(`"${label}" is not an option of "${field.field_name}"${hint ? ` (${hint})` : ""}; ${labels.length === 0 ? `the field has no options yet (add them in Pipedrive)` : `valid options: ${labels.map((l) => JSON.stringify(l)).join(", ")}`}`)
}

/** The canonical value of a custom field's wire value. `null` is empty. */
export const fromWire = (field: AccountField, wire: unknown): Result<Field.Value> => {
  if (wire === null || wire === undefined) return Either.right(null)
  switch (field.field_type) {
    case "varchar":
    case "varchar_auto":
    case "text":
    case "phone":
    case "date":
      return typeof wire === "string" ? Either.right(wire) : unexpected(field, wire)
    case "double":
    case "int":
      return decimalFromWire(wire)
    case "boolean":
      return typeof wire === "boolean" ? Either.right(wire) : unexpected(field, wire)
    case "monetary": {
      if (!isObject(wire) || typeof wire.currency !== "string") return unexpected(field, wire)
      if (wire.value === null) return Either.right(null)
      const currency = Currency.CurrencyCode.make(wire.currency)
      return Either.map(decimalFromWire(wire.value), (amount) => new MoneyValue({ amount, currency }))
    }
    case "enum":
      return optionById(field, wire)
    case "set":
      return Array.isArray(wire) ? Either.all(wire.map((id) => optionById(field, id))) : unexpected(field, wire)
    case "daterange":
      return isObject(wire) && typeof wire.value === "string" && strOrNull(wire.until ?? null)
        ? Either.right(new RangeValue({ from: wire.value, until: str(wire.until) }))
        : unexpected(field, wire)
    case "time":
    case "timerange":
      return isObject(wire) && typeof wire.value === "string"
        ? Either.right(
            new TimeValue({
              value: wire.value,
              until: str(wire.until),
              timezoneId: typeof wire.timezone_id === "number" ? wire.timezone_id : null,
              timezoneName: str(wire.timezone_name)
            })
          )
        : unexpected(field, wire)
    case "address": {
      if (!isObject(wire) || typeof wire.value !== "string") return unexpected(field, wire)
      const parts: Record<string, string | null> = {}
      for (const p of addressParts) if (p in wire) parts[p] = str(wire[p])
      return Either.right(new AddressValue({ value: wire.value, parts }))
    }
    case "user":
    case "org":
    case "people":
      return typeof wire === "number" && Number.isInteger(wire) ? Either.right(new RefValue({ id: wire })) : unexpected(field, wire)
    default:
      return Either.left(`fields of type ${field.field_type} cannot be synced`)
  }
}

const expected = (field: AccountField, what: string, value: Field.Value): Result<never> =>
  Either.left(`"${field.field_name}" (${field.field_type}) needs ${what}, got ${JSON.stringify(value)}`)

/** The wire value to send for a canonical value (`null` clears the field). */
export const toWire = (field: AccountField, value: Field.Value): Result<unknown> => {
  if (value === null) return Either.right(null)
  switch (field.field_type) {
    case "varchar":
    case "varchar_auto":
    case "text":
    case "phone":
    case "date":
      if (typeof value === "string") return Either.right(value)
      if (BigDecimal.isBigDecimal(value)) return Either.right(Money.toPlain(value))
      return expected(field, "text", value)
    case "double":
    case "int":
      return BigDecimal.isBigDecimal(value) ? decimalToWire(value) : expected(field, "a number", value)
    case "boolean":
      return typeof value === "boolean" ? Either.right(value) : expected(field, "true or false", value)
    case "monetary":
      return value instanceof MoneyValue
        ? Either.map(decimalToWire(value.amount), (n) => ({ value: n, currency: value.currency }))
        : expected(field, "an amount with a currency", value)
    case "enum":
      return typeof value === "string" ? optionByLabel(field, value) : expected(field, "an option label", value)
    case "set": {
      const labels = Array.isArray(value) ? (value as ReadonlyArray<string>) : typeof value === "string" ? [value] : undefined
      if (labels === undefined) return expected(field, "option labels", value)
      return labels.length === 0 ? Either.right(null) : Either.all(labels.map((l) => optionByLabel(field, l)))
    }
    case "daterange":
      return value instanceof RangeValue ? Either.right({ value: value.from, until: value.until }) : expected(field, "a date range", value)
    case "time":
    case "timerange":
      return value instanceof TimeValue
        ? Either.right({
            value: value.value,
            ...(field.field_type === "timerange" ? { until: value.until } : {}),
            timezone_id: value.timezoneId,
            timezone_name: value.timezoneName
          })
        : expected(field, "a time", value)
    case "address":
      if (value instanceof AddressValue) return Either.right({ value: value.value, ...value.parts })
      return typeof value === "string" ? Either.right({ value }) : expected(field, "an address", value)
    case "user":
    case "org":
    case "people":
      return value instanceof RefValue ? Either.right(value.id) : expected(field, "an id", value)
    default:
      return Either.left(`fields of type ${field.field_type} cannot be synced`)
  }
}
