/**
 * Typed reading of one CSV cell, independent of any mapping: a `ColumnSpec` says what a column
 * holds (text, decimal, integer, boolean) and how it is written (decimal style, thousands separator,
 * boolean spellings, null spellings); the parsers return the value or the reason it is not one.
 * Also the per-column decimal-style detection over a sample, which refuses ambiguous columns.
 */
import type { BigDecimal } from "effect"
import { Either } from "effect"
import * as Money from "../domain/Money.js"
import * as Formula from "./Formula.js"

export type { Booleans, ColumnSpec, ColumnType, Value } from "../source/CatalogSource.js"
import type { Booleans, ColumnSpec, ColumnType, Value } from "../source/CatalogSource.js"

/** The spellings a typed cell reads as null: csvkit's set (empty, NA, N/A, NONE, NULL, `.`). */
export const defaultNulls: ReadonlyArray<string> = ["", "na", "n/a", "none", "null", "."]
/** A text cell is null only when it is empty. */
export const defaultTextNulls: ReadonlyArray<string> = [""]

/** Aligned pairs: the writer answers a `ja` with `nein`, a `1` with `0`. */
export const defaultBooleans: Booleans = {
  true: ["true", "yes", "1", "y", "ja", "j", "x", "wahr"],
  false: ["false", "no", "0", "n", "nein", "", "", "falsch"]
}

/** A cell that is not a value of its column, and why. */
export class Invalid {
  constructor(readonly reason: string) {}
}

const show = (text: string) => JSON.stringify(text)

export interface NumberFormat {
  readonly decimal: Money.DecimalStyle
  readonly thousands: Money.ThousandsSeparator
}

const decimalSeparator = (style: Money.DecimalStyle): "." | "," | undefined =>
  style === "point" ? "." : style === "comma" ? "," : undefined

/** Why `text` is not a decimal under `format`, in a user's words. */
const decimalReason = (text: string, format: NumberFormat, error: Money.NumberParseError): string => {
  const sep = decimalSeparator(format.decimal)
  const other = sep === "," ? "." : sep === "." ? "," : undefined
  if (other !== undefined && format.thousands === "none" && text.includes(other) && !text.includes(sep ?? "")) {
    return `${show(text)} contains "${other}" but the decimal separator here is "${sep}"; if "${other}" groups thousands, set thousands: "${other}" (or fix the value)`
  }
  if (error.reason === "ambiguous") return `${show(text.trim())} is ambiguous: "." or "," may be a decimal or a thousands separator; set the decimal style of this column`
  return error.message
}

const decimalOrInvalid = (text: string, format: NumberFormat): BigDecimal.BigDecimal | Invalid => {
  const r = Money.parseDecimal(text, { decimal: format.decimal, thousands: format.thousands })
  return Either.isRight(r) ? r.right : new Invalid(decimalReason(text, format, r.left))
}

const plainInteger = /^-?\d{1,15}$/

const integerOrInvalid = (text: string, format: NumberFormat): number | Invalid => {
  if (plainInteger.test(text)) return Number(text)
  const d = decimalOrInvalid(text, format)
  if (d instanceof Invalid) return new Invalid(d.reason.replace("is not a number", "is not a whole number"))
  if (d.scale > 0) return new Invalid(`${show(text.trim())} is not a whole number`)
  const n = Number(d.value) * 10 ** -d.scale
  return Number.isSafeInteger(n) ? n : new Invalid(`${show(text.trim())} is too large for a whole number`)
}

const lowerSet = (xs: ReadonlyArray<string>): ReadonlySet<string> => new Set(xs.map((x) => x.trim().toLowerCase()))
const spellings = (xs: ReadonlyArray<string>): ReadonlySet<string> => new Set([...lowerSet(xs)].filter((x) => x !== ""))

/** A compiled parser for one column: the value of a cell, or why it is not one. */
export type Parser = (text: string) => Value | Invalid

/** The column spec with every default filled in and its decimal style decided. */
export interface Resolved {
  readonly name: string
  readonly type: ColumnType
  readonly format: NumberFormat
  readonly booleans: Booleans
  readonly nulls: ReadonlyArray<string>
  readonly required: boolean
  readonly trim: boolean
}

export const resolve = (spec: ColumnSpec, format: NumberFormat): Resolved => ({
  name: spec.name,
  type: spec.type,
  format,
  booleans: spec.booleans ?? defaultBooleans,
  nulls: spec.nulls ?? (spec.type === "text" ? defaultTextNulls : defaultNulls),
  required: spec.required ?? true,
  trim: spec.trim ?? true
})

/** Compiles the parser of a resolved column (null spellings first, then the type). */
export const parser = (column: Resolved): Parser => {
  const nulls = lowerSet(column.nulls)
  const emptyIsNull = nulls.has("")
  const onlyEmpty = nulls.size === 1 && emptyIsNull
  const isNull = (t: string): boolean => (t === "" ? emptyIsNull : !onlyEmpty && nulls.has(t.toLowerCase()))
  switch (column.type) {
    case "text":
      // The `'` the write-back put before a formula is undone (see `Formula`).
      return column.trim
        ? (text) => {
          const t = text.trim()
          return isNull(t) ? null : Formula.restore(t)
        }
        : (text) => (isNull(text.trim()) ? null : Formula.restore(text))
    case "decimal":
      return (text) => (isNull(text.trim()) ? null : decimalOrInvalid(text, column.format))
    case "integer":
      return (text) => (isNull(text.trim()) ? null : integerOrInvalid(text, column.format))
    case "boolean": {
      const yes = spellings(column.booleans.true)
      const no = spellings(column.booleans.false)
      const spelled = `${column.booleans.true.filter((s) => s !== "").map(show).join(", ")} or ${column.booleans.false.filter((s) => s !== "").map(show).join(", ")}`
      return (text) => {
        const t = text.trim()
        if (isNull(t)) return null
        const l = t.toLowerCase()
        return yes.has(l) ? true : no.has(l) ? false : new Invalid(`${show(t)} is not a yes/no value; expected one of ${spelled}`)
      }
    }
  }
}

const toEither = <A>(r: A | Invalid): Either.Either<A, string> => (r instanceof Invalid ? Either.left(r.reason) : Either.right(r))

/** A decimal with the given style (default: a point, no thousands separator). */
export const parseDecimal = (text: string, format: Partial<NumberFormat> = {}): Either.Either<BigDecimal.BigDecimal, string> =>
  toEither(decimalOrInvalid(text, { decimal: format.decimal ?? "point", thousands: format.thousands ?? "none" }))

/** A whole number; `12,00` is 12 under a decimal comma, `12,5` is not a whole number. */
export const parseInteger = (text: string, format: Partial<NumberFormat> = {}): Either.Either<number, string> =>
  toEither(integerOrInvalid(text.trim(), { decimal: format.decimal ?? "point", thousands: format.thousands ?? "none" }))

/** A boolean by its spellings (default: true/yes/1/y/ja/x and false/no/0/n/nein); empty is not a boolean here. */
export const parseBoolean = (text: string, booleans: Booleans = defaultBooleans): Either.Either<boolean, string> => {
  const r = parser(resolve({ name: "", type: "boolean", booleans, nulls: [] }, { decimal: "point", thousands: "none" }))(text)
  return r === null ? Either.left("no value") : toEither(r as boolean | Invalid)
}

/** Trimmed text, or null when empty. */
export const parseText = (text: string, options: { readonly trim?: boolean } = {}): Either.Either<string | null, string> =>
  Either.right(options.trim === false ? (text.trim() === "" ? null : text) : text.trim() === "" ? null : text.trim())

// ---------------------------------------------------------------------------------------------
// Decimal-style detection

/** What one cell says about its column's decimal style. */
type Evidence =
  | { readonly _tag: "Neutral"; readonly thousands?: Money.ThousandsSeparator }
  | { readonly _tag: "Style"; readonly style: "point" | "comma"; readonly thousands?: Money.ThousandsSeparator }
  | { readonly _tag: "Ambiguous" }
  | { readonly _tag: "Other" }

const single = /^(\d+)([.,])(\d+)$/
const grouped = /^\d{1,3}(?:([.,' ])\d{3})(?:\1\d{3})*$/
const groupedWithDecimal = /^\d{1,3}(?:([.,' ])\d{3})(?:\1\d{3})*([.,])\d+$/

const evidence = (text: string): Evidence => {
  const body = text.trim().replace(/\u00a0|\u202f/g, " ").replace(/^[+-]\s*/, "")
  if (/^\d+$/.test(body)) return { _tag: "Neutral" }
  const s = single.exec(body)
  if (s !== null) {
    const [, before = "", sep, after = ""] = s
    const style = sep === "." ? "point" : "comma"
    if (after.length === 3 && before.length <= 3 && !before.startsWith("0")) return { _tag: "Ambiguous" }
    return { _tag: "Style", style }
  }
  const g = grouped.exec(body)
  if (g !== null) {
    const sep = g[1] as "." | "," | " " | "'"
    // 200.000.000: two or more groups, so the separator groups thousands (the decimal is the other one).
    if (sep === "." || sep === ",") return { _tag: "Style", style: sep === "." ? "comma" : "point", thousands: sep }
    return { _tag: "Neutral", thousands: sep }
  }
  const gd = groupedWithDecimal.exec(body)
  if (gd !== null && gd[1] !== gd[2]) {
    return { _tag: "Style", style: gd[2] === "." ? "point" : "comma", thousands: gd[1] as Money.ThousandsSeparator }
  }
  return { _tag: "Other" }
}

/** The outcome of detecting a decimal column's style over a sample. */
export type Detection =
  | { readonly _tag: "Detected"; readonly format: NumberFormat; readonly example?: string }
  | { readonly _tag: "Mixed"; readonly point: string; readonly comma: string }
  | { readonly _tag: "Ambiguous"; readonly examples: ReadonlyArray<string> }

/** Accumulates evidence over a column's sample values. */
export const detector = () => {
  let point: string | undefined
  let comma: string | undefined
  let thousands: Money.ThousandsSeparator | undefined
  const ambiguous: Array<string> = []
  return {
    add: (text: string): void => {
      const e = evidence(text)
      if (e._tag === "Ambiguous") {
        if (ambiguous.length < 3 && !ambiguous.includes(text.trim())) ambiguous.push(text.trim())
        return
      }
      if (e._tag === "Other") return
      if (e.thousands !== undefined) thousands ??= e.thousands
      if (e._tag === "Style") {
        if (e.style === "point") point ??= text.trim()
        else comma ??= text.trim()
      }
    },
    result: (): Detection => {
      if (point !== undefined && comma !== undefined) return { _tag: "Mixed", point, comma }
      const style = point !== undefined ? "point" : comma !== undefined ? "comma" : undefined
      if (style === undefined && ambiguous.length > 0) return { _tag: "Ambiguous", examples: ambiguous }
      const example = point ?? comma
      const format: NumberFormat = { decimal: style ?? "auto", thousands: thousands ?? "none" }
      return example === undefined ? { _tag: "Detected", format } : { _tag: "Detected", format, example }
    }
  }
}

/** Whether a cell looks like a number in any style (used to tell a header row from data). */
export const looksNumeric = (text: string): boolean => {
  const e = evidence(text)
  return e._tag !== "Other"
}
