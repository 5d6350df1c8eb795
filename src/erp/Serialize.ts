/**
 * Writing cells and rows in a file's dialect: quoting only where the dialect needs it, typed values
 * formatted the way the column already writes them (decimal separator, number of decimals, boolean
 * spelling), and formula neutralisation for text that a spreadsheet would execute.
 *
 * Neutralisation follows `Formula` (a leading `'` before what a spreadsheet would run, undone exactly
 * when the ERP file is read). Numbers written from numeric values are never touched.
 */
import { BigDecimal } from "effect"
import * as Money from "../domain/Money.js"
import * as Cell from "./Cell.js"
import * as Dialect from "./Dialect.js"
import * as Formula from "./Formula.js"

/** Whether a text would be run as a formula by a spreadsheet. */
export const isFormula = Formula.isFormula

/** Prefixes a `'` to text a spreadsheet would run as a formula (see `Formula`). */
export const neutralise = Formula.neutralise

export interface Layout {
  readonly delimiter: string
  readonly quote: string
  readonly lineEnding: Dialect.LineEnding
}

/** One cell, quoted when it holds the delimiter, the quote, a line break, or white space at an end. */
export const cell = (text: string, layout: Layout): string => {
  const q = layout.quote
  if (text.includes(layout.delimiter) || text.includes(q) || text.includes("\n") || text.includes("\r") || text.trim() !== text) {
    return q + text.split(q).join(q + q) + q
  }
  return text
}

/** One record with its line break; a lone empty cell is quoted, or it would read as a blank line. */
export const row = (cells: ReadonlyArray<string>, layout: Layout): string =>
  (cells.length === 1 && cells[0] === "" ? layout.quote + layout.quote : cells.map((c) => cell(c, layout)).join(layout.delimiter)) +
  Dialect.lineBreak(layout.lineEnding)

const fractionDigits = (text: string, sep: "." | ","): number => {
  const t = text.trim()
  const at = t.lastIndexOf(sep)
  return at === -1 || !/^\d+$/.test(t.slice(at + 1)) ? 0 : t.length - at - 1
}

const caseLike = (word: string, model: string): string =>
  model !== "" && model === model.toUpperCase() && model !== model.toLowerCase()
    ? word.toUpperCase()
    : model.length > 1 && model[0] === model[0]?.toUpperCase() && model.slice(1) === model.slice(1).toLowerCase() && model !== model.toLowerCase()
      ? word.charAt(0).toUpperCase() + word.slice(1)
      : word

/** A boolean spelt like the cell it replaces (`1`→`0`, `Ja`→`Nein`), else the first spelling. */
const booleanText = (value: boolean, booleans: Cell.Booleans, original: string): string => {
  const o = original.trim().toLowerCase()
  if (o === "") return caseLike(value ? booleans.true[0] ?? "true" : booleans.false[0] ?? "false", "")
  const lists = [booleans.true.map((s) => s.toLowerCase()), booleans.false.map((s) => s.toLowerCase())]
  const at = Math.max(lists[0]?.indexOf(o) ?? -1, lists[1]?.indexOf(o) ?? -1)
  const target = value ? booleans.true : booleans.false
  const word = (at >= 0 ? target[at] : undefined) ?? target[0] ?? String(value)
  return caseLike(word, original.trim())
}

/** Whether a written value came from a number (and so is never neutralised). */
export interface Formatted {
  readonly text: string
  readonly numeric: boolean
}

/**
 * Formats a value for a column: decimals with the column's separator and at least as many decimals
 * as the cell it replaces (`19,90` stays two-decimal), booleans spelt like the cell they replace.
 * `fallback` is the decimal separator for a column whose style was never seen.
 */
export const value = (v: Cell.Value, column: Cell.Resolved | undefined, original: string, fallback: "." | ","): Formatted => {
  if (v === null) return { text: "", numeric: false }
  if (typeof v === "string") return { text: v, numeric: false }
  if (typeof v === "number") return { text: String(v), numeric: true }
  if (typeof v === "boolean") return { text: booleanText(v, column?.booleans ?? Cell.defaultBooleans, original), numeric: false }
  const style = column?.format.decimal
  const sep = style === "comma" ? "," : style === "point" ? "." : fallback
  const own = Math.max(0, BigDecimal.normalize(v).scale)
  return { text: Money.format(v, { decimal: sep, precision: Math.max(own, fractionDigits(original, sep)) }), numeric: true }
}
