/**
 * ERP rows ⇄ canonical products through a compiled mapping. Reading parses each mapped cell as its
 * field's type (decimals in the column's style, booleans by their spellings, enum and set values
 * through their value maps, defaults, trimming and case), so a bad cell is a row error naming the
 * column; writing formats canonical values back into cells in the file's style.
 */
import { BigDecimal, Either, Schema } from "effect"
import { CatalogProduct, MoneyValue, scalarFields } from "../domain/CatalogProduct.js"
import * as Currency from "../domain/Currency.js"
import * as Field from "../domain/Field.js"
import * as Money from "../domain/Money.js"
import { Sku } from "../domain/Sku.js"
import type { Compiled, CompiledField, ErpRule } from "./Compile.js"
import * as CustomValues from "./CustomValues.js"
import type { Cells } from "./Mapping.js"

/** One cell that could not be read. */
export interface CellError {
  readonly column: string
  readonly path: Field.Path
  readonly reason: string
}

/**
 * A row's cell by column name: raw text, or a value the CSV reader already typed (a decimal, a
 * number, a boolean, or `null` for an empty cell); `undefined` when the file has no such column.
 */
export type CellLookup = (column: string) => string | BigDecimal.BigDecimal | number | boolean | null | undefined

export interface ReadOptions {
  /** The decimal style of a column (the file's, or the one detected for that column). */
  readonly decimal: (column: string) => "point" | "comma" | "auto"
  readonly thousands?: Money.ThousandsSeparator
}

const defaultTrue = ["1", "true", "yes", "y", "ja", "j", "x", "wahr", "oui", "si", "sí", "on"]
const defaultFalse = ["0", "false", "no", "n", "nein", "", "falsch", "non", "off"]
const nulls = new Set(["", "na", "n/a", "null", "none", "-"])

const isNullText = (s: string) => nulls.has(s.trim().toLowerCase())

/** The cell text a rule reads, after trimming, case and default; `null` when empty. */
const cellText = (rule: ErpRule, raw: string | undefined): string | null => {
  let s = raw ?? ""
  if (rule.trim) s = s.trim()
  if (s === "" && rule.default !== undefined) s = rule.default
  if (rule.type !== "text" && isNullText(s)) return null
  if (s === "") return null
  return rule.case === "upper" ? s.toUpperCase() : rule.case === "lower" ? s.toLowerCase() : s
}

const parseBoolean = (rule: ErpRule, text: string): Either.Either<boolean, string> => {
  const lower = text.toLowerCase()
  const t = (rule.booleans?.true ?? defaultTrue).map((x) => x.toLowerCase())
  const f = (rule.booleans?.false ?? defaultFalse).map((x) => x.toLowerCase())
  if (t.includes(lower)) return Either.right(true)
  if (f.includes(lower)) return Either.right(false)
  return Either.left(`${JSON.stringify(text)} is not a yes/no value (true: ${t.join(", ")}; false: ${f.filter((x) => x !== "").join(", ")})`)
}

const parseNumber = (rule: ErpRule, text: string, options: ReadOptions, column: string): Either.Either<BigDecimal.BigDecimal, string> => {
  const style = rule.decimal ?? options.decimal(column)
  const parsed = Money.parseDecimal(text, { decimal: style, ...(options.thousands === undefined ? {} : { thousands: options.thousands }) })
  if (Either.isLeft(parsed)) return Either.left(parsed.left.message)
  if (rule.type === "integer" && !BigDecimal.isInteger(parsed.right)) return Either.left(`${JSON.stringify(text)} is not a whole number`)
  return Either.right(parsed.right)
}

/** The currency a `money` column must be in: the price's, or the monetary field's `currency`. */
const moneyCurrency = (f: CompiledField, rule: ErpRule): string | undefined => (f.target.kind === "price" ? f.target.currency : rule.currency)

/** An amount with or without its currency (`ARS 2625.00`, `2.625,00 €`), checked against the field's currency. */
const parseAmount = (f: CompiledField, rule: ErpRule, text: string, options: ReadOptions, column: string): Either.Either<Field.Value, string> => {
  const currency = moneyCurrency(f, rule)
  const parsed = Money.parseMoney(text, {
    decimal: rule.decimal ?? options.decimal(column),
    ...(options.thousands === undefined ? {} : { thousands: options.thousands }),
    ...(currency === undefined ? {} : { currency })
  })
  if (Either.isLeft(parsed)) return Either.left(parsed.left.message)
  const amount = parsed.right.amount
  return Either.right(f.custom?.field_type === "monetary" && currency !== undefined ? new MoneyValue({ amount, currency: Currency.code(currency) }) : amount)
}

const mapValue = (rule: ErpRule, text: string) => rule.values?.[text] ?? text

const asText = (v: ReturnType<CellLookup>): string | undefined =>
  v === undefined ? undefined : v === null ? "" : typeof v === "string" ? v : BigDecimal.isBigDecimal(v) ? Money.toPlain(v) : String(v)

/** A value the CSV reader already typed, as the field's canonical value (`undefined`: parse the text). */
const typed = (f: CompiledField, rule: ErpRule, v: ReturnType<CellLookup>): Field.Value | undefined => {
  if (v === null) return rule.default === undefined ? null : undefined
  if (typeof v === "boolean") return rule.type === "boolean" ? v : undefined
  const d = typeof v === "number" ? BigDecimal.unsafeFromNumber(v) : BigDecimal.isBigDecimal(v) ? v : undefined
  if (d === undefined || (rule.type !== "decimal" && rule.type !== "integer" && rule.type !== "money")) return undefined
  const n = BigDecimal.normalize(d)
  return f.custom?.field_type === "monetary" && rule.currency !== undefined ? new MoneyValue({ amount: n, currency: Currency.code(rule.currency) }) : n
}

/** The canonical value of one field from the row's cells. */
const readField = (f: CompiledField, rule: ErpRule, cells: CellLookup, options: ReadOptions): Either.Either<Field.Value, string> => {
  let text: string | null
  if (rule.compute !== undefined) {
    const inputs: Record<string, string | number | boolean | null> = {}
    for (const c of rule.inputs) {
      const raw = cells(c)
      if (typeof raw === "number" || typeof raw === "boolean") {
        inputs[c] = raw
        continue
      }
      if (BigDecimal.isBigDecimal(raw)) {
        inputs[c] = BigDecimal.unsafeToNumber(raw)
        continue
      }
      const t = cellText({ ...rule, type: "text", default: undefined }, asText(raw))
      const n = t === null ? undefined : Money.parseDecimal(t, { decimal: rule.decimal ?? options.decimal(c) })
      inputs[c] = t === null ? null : n !== undefined && Either.isRight(n) ? BigDecimal.unsafeToNumber(n.right) : t
    }
    let out: ReturnType<NonNullable<ErpRule["compute"]>>
    try {
      out = rule.compute(inputs as Cells)
    } catch (e) {
      return Either.left(`compute failed: ${e instanceof Error ? e.message : String(e)}`)
    }
    if (typeof out === "number" && !Number.isFinite(out)) return Either.left(`compute returned ${out}`)
    text = out === null || out === "" ? null : String(out)
    if (text !== null && rule.type === "money") return parseAmount(f, { ...rule, decimal: typeof out === "number" ? "point" : rule.decimal ?? "auto" }, text, options, "")
    if (text !== null && (rule.type === "decimal" || rule.type === "integer")) {
      const n = parseNumber({ ...rule, decimal: "point" }, text, options, "")
      return Either.isRight(n) && f.custom?.field_type === "monetary" && rule.currency !== undefined
        ? Either.right(new MoneyValue({ amount: n.right, currency: Currency.code(rule.currency) }))
        : n
    }
  } else {
    const raw = cells(rule.column ?? "")
    const already = typeof raw === "string" ? undefined : typed(f, rule, raw)
    if (already !== undefined) return Either.right(already)
    text = cellText(rule, asText(raw))
  }
  if (text === null) return Either.right(null)
  const target = f.target
  switch (rule.type) {
    case "boolean":
      return parseBoolean(rule, text)
    case "decimal":
    case "integer": {
      const n = parseNumber(rule, text, options, rule.column ?? "")
      if (Either.isLeft(n) || f.custom?.field_type !== "monetary" || rule.currency === undefined) return n
      return Either.right(new MoneyValue({ amount: n.right, currency: Currency.code(rule.currency) }))
    }
    case "money":
      return parseAmount(f, rule, text, options, rule.column ?? "")
    case "text": {
      if (rule.separator !== undefined) {
        return Either.right(text.split(rule.separator).map((s) => mapValue(rule, s.trim())).filter((s) => s !== ""))
      }
      if (target.kind === "custom" && f.custom?.field_type === "address") return Either.right(mapValue(rule, text))
      return Either.right(mapValue(rule, text))
    }
  }
}

export type RowResult = Either.Either<CatalogProduct, ReadonlyArray<CellError>>

/** What each built-in field of a product may hold: the product schema's own rule for that field. */
const builtinIs: ReadonlyMap<string, (u: unknown) => boolean> = new Map(
  scalarFields.map((name) => [name, Schema.is(Schema.typeSchema(CatalogProduct.fields[name].from as Schema.Schema<unknown, unknown, never>))])
)

/**
 * Why a value read for a field cannot be part of a product bound for Pipedrive: a built-in the
 * product cannot hold (an empty name), or a label that is not an option of the field (or of the
 * account's categories). `undefined` when it can. Prices and custom values are valid by
 * construction (decimals, money, text, flags and label lists).
 */
const refusal = (f: CompiledField, value: Field.Value): string | undefined => {
  const t = f.target
  if (t.kind === "builtin" && builtinIs.get(t.name)?.(value) === false) {
    if (value !== null) return `${JSON.stringify(Field.show(value))} is not a valid ${t.name}`
    return t.name === "name" ? "the product name is empty; a Pipedrive product needs a name" : `is empty; ${t.name} needs a value`
  }
  if (f.options === undefined || value === null) return undefined
  const labels = typeof value === "string" ? [value] : Array.isArray(value) ? (value as ReadonlyArray<string>) : []
  for (const label of labels) {
    const id = CustomValues.optionByLabel(f.options, label)
    if (Either.isLeft(id)) return id.left
  }
  return undefined
}

/**
 * The canonical product of an ERP row: its key and every mapped field the ERP may have an opinion
 * on. `Left` lists every cell that could not be read (the key included).
 */
export const fromRow = (compiled: Compiled, cells: CellLookup, options: ReadOptions): RowResult => {
  const errors: Array<CellError> = []
  const rawKey = (asText(cells(compiled.key.erpColumn)) ?? "").trim()
  if (rawKey === "") errors.push({ column: compiled.key.erpColumn, path: "key", reason: "the product key is empty" })
  const values: Array<readonly [Field.Path, Field.Value]> = []
  for (const f of compiled.fields) {
    const rule = f.erp
    if (rule === undefined || (rule.column === undefined && rule.compute === undefined)) continue
    if (rule.column !== undefined && cells(rule.column) === undefined && f.direction === "pipedrive→erp") continue // a write-back column the file does not have yet
    const v = readField(f, rule, cells, options)
    const column = rule.column ?? rule.inputs.join("+")
    if (Either.isLeft(v)) {
      errors.push({ column, path: f.path, reason: v.left })
      continue
    }
    const refused = refusal(f, v.right)
    if (refused === undefined) values.push([f.path, v.right])
    else if (f.direction !== "pipedrive→erp") errors.push({ column, path: f.path, reason: refused })
    // A value Pipedrive owns that the product cannot hold is no opinion: Pipedrive's value is written back.
  }
  if (errors.length > 0) return Either.left(errors)
  return Either.right(Field.unflatten(Sku.make(rawKey), values))
}

export interface WriteOptions {
  readonly decimal: "." | ","
  /** Write prices with exactly the currency's digits (`19,90`), as ERPs do. Default `true`. */
  readonly fixedPrecision?: boolean
}

/** The ERP cell text of a canonical value for a field, in the file's style. */
export const toCell = (compiled: Compiled, f: CompiledField, value: Field.Value, options: WriteOptions): string => {
  const rule = f.erp
  if (value === null) return ""
  const reverse = (label: string) => {
    if (rule?.values === undefined) return label
    const hit = Object.entries(rule.values).find(([, v]) => v === label)
    return hit ? hit[0] : label
  }
  if (BigDecimal.isBigDecimal(value)) {
    const precision = f.target.kind === "price" && options.fixedPrecision !== false ? compiled.currencies.precision(f.target.currency) : undefined
    return Money.format(value, { decimal: options.decimal, ...(precision === undefined ? {} : { precision }) })
  }
  if (typeof value === "boolean") {
    const spelled = value ? rule?.booleans?.true[0] : rule?.booleans?.false[0]
    return spelled ?? (value ? "1" : "0")
  }
  if (Array.isArray(value)) return (value as ReadonlyArray<string>).map(reverse).join(rule?.separator ?? ", ")
  if (value instanceof MoneyValue) return Money.format(value.amount, { decimal: options.decimal, precision: compiled.currencies.precision(value.currency) })
  if (typeof value === "string") return reverse(value)
  return Field.show(value)
}
