/**
 * `init`'s guesses for a price or cost column: the currency its amounts are in (codes and signs in
 * the cells, else the header), and the decimal style to read them in, decided over the whole column.
 */
import * as Currency from "../domain/Currency.js"
import type * as Inspect from "../erp/Inspect.js"
import type * as Profile from "../erp/Profile.js"
import type { Target } from "../mapping/Mapping.js"
import { count, currencyPrice, headerCurrency, normalise, show } from "./InitWords.js"

/** What init suggests for a price or cost column (see `InitGuess.Suggestion`). */
export interface PriceGuess {
  readonly target: Target
  readonly money?: boolean
  readonly moneyDecimal?: "point" | "comma" | "auto"
  readonly check?: string
  readonly commented?: boolean
}

/** The currency of a price column: from its cells' codes or signs, else its header, else `fallback`. */
const currencyOf = (column: string, p: Profile.Values): { currency: string | undefined; money: boolean; check: string | undefined } => {
  const marked = [...p.markers.entries()].sort((a, b) => b[1] - a[1])
  const fromHeader = currencyPrice(normalise(column))?.currency ?? headerCurrency(column)
  if (marked.length === 0) return { currency: fromHeader, money: false, check: undefined }
  const [codes = "", n = 0] = marked[0] ?? []
  const options = codes.split(",")
  const chosen = fromHeader !== undefined && options.includes(fromHeader) ? fromHeader : options[0]
  const checks = [
    options.length > 1 && chosen !== fromHeader ? `the sign may stand for ${options.join(", ")}: ${chosen} assumed` : "",
    marked.length > 1 ? `${count(p.filled - n, "value")} in another currency than ${chosen} will be row errors` : "",
    n < p.filled ? `${count(p.filled - n, "value")} without a currency are taken as ${chosen}` : ""
  ].filter((s) => s !== "")
  return { currency: chosen, money: true, check: checks.length === 0 ? undefined : checks.join("; ") }
}

/** Inspect found numbers in every value (a style it could tell, or only 0 and 1), or no value at all. */
export const numeric = (c: Inspect.ColumnReport, p: Profile.Values): boolean =>
  c.kind === "empty" || c.kind === "integer" || (c.kind === "decimal" && c.decimal !== "ambiguous") || (c.kind === "boolean" && p.amounts === p.filled)

/** The suggestion for a price or cost column, in the header's currency when its cells name none. */
export const priceSuggestion = (
  c: Inspect.ColumnReport,
  p: Profile.Values,
  part: "price" | "cost",
  headerCurrency: string | undefined,
  fileDecimal: "point" | "comma" | "auto"
): PriceGuess => {
  const found = currencyOf(c.name, p)
  const currency = found.currency ?? headerCurrency
  const target: Target = `prices.${currency ?? "EUR"}.${part}`
  const checks = [found.check, currency === undefined && p.filled > 0 ? "the file does not say the currency: EUR assumed — write your currency's code in place of EUR" : undefined]
  const check = (...more: ReadonlyArray<string>) => {
    const all = [...checks, ...more].filter((x): x is string => x !== undefined && x !== "")
    return all.length === 0 ? {} : { check: all.join("; ") }
  }
  if (!found.money) {
    if (numeric(c, p)) return { target, ...check() }
    return { target, commented: true, check: `values such as ${show(p.badAmount ?? c.example ?? "")} are not numbers init can read; set the column's decimal style or a compute (docs/mapping.md)` }
  }
  const style = moneyStyle(p, Currency.isoPrecision(currency ?? "EUR"), fileDecimal)
  if (style._tag === "Unreadable") return { target, money: true, commented: true, check: style.why }
  const needed = style.decimal !== "auto" && (p.amounts < p.filled || style.decimal !== fileDecimal)
  return { target, money: true, ...(needed ? { moneyDecimal: style.decimal } : {}), ...check(style.why ?? "") }
}

type MoneyStyle =
  | { readonly _tag: "Style"; readonly decimal: "point" | "comma" | "auto"; readonly why?: string }
  | { readonly _tag: "Unreadable"; readonly why: string }

/**
 * A money column's decimal style, decided over the whole column as the reader decides a number
 * column's: a value that reads one way only (`₹1,04,990`, `₹12,990.50`) settles it; when every value
 * reads two ways (`₹12,990`), a reading with more decimals than the currency has is not an amount.
 */
const moneyStyle = (p: Profile.Values, precision: number, fileDecimal: "point" | "comma" | "auto"): MoneyStyle => {
  const unreadable = (why: string): MoneyStyle => ({ _tag: "Unreadable", why })
  if (p.onlyPoint !== undefined && p.onlyComma !== undefined) {
    return unreadable(`the values mix decimal styles (${show(p.onlyPoint)} has a decimal point, ${show(p.onlyComma)} a decimal comma): fix them, or set decimal: "auto" and uncomment`)
  }
  const reads = { point: p.amountsPoint === p.filled, comma: p.amountsComma === p.filled }
  if (p.twoWays === undefined) {
    if (p.amounts === p.filled) return { _tag: "Style", decimal: "auto" }
    const one = reads.point && (p.onlyPoint !== undefined || !reads.comma) ? "point" : reads.comma ? "comma" : undefined
    return one === undefined ? unreadable(`values such as ${show(p.badAmount ?? "")} do not read as amounts in one decimal style; fix them or set decimal and uncomment`) : { _tag: "Style", decimal: one }
  }
  const settled = p.onlyPoint !== undefined ? "point" : p.onlyComma !== undefined ? "comma" : undefined
  if (settled !== undefined) {
    if (!reads[settled]) return unreadable(`values such as ${show(p.badAmount ?? "")} do not read as amounts in one decimal style; fix them or set decimal and uncomment`)
    const by = settled === "point" ? p.onlyPoint : p.onlyComma
    return { _tag: "Style", decimal: settled, why: `values such as ${show(p.twoWays)} read two ways: decimal ${settled} taken, as ${show(by ?? "")} can only be read so` }
  }
  const fits = (["point", "comma"] as const).filter((d) => reads[d] && (d === "point" ? p.decimalsPoint : p.decimalsComma) <= precision)
  const chosen = fits.length === 1 ? fits[0] : fits.find((d) => d === fileDecimal)
  if (chosen === undefined) return unreadable(`values such as ${show(p.twoWays)} read two ways, and nothing in the column tells which: set decimal ("point" or "comma") and uncomment`)
  const other = chosen === "point" ? "comma" : "point"
  return {
    _tag: "Style",
    decimal: chosen,
    why: fits.length === 1
      ? `values such as ${show(p.twoWays)} read two ways: decimal ${chosen} taken, as with a decimal ${other} they would have more decimals than the currency's ${precision}`
      : `values such as ${show(p.twoWays)} read two ways: decimal ${chosen} taken, as the file's other numbers are written`
  }
}
