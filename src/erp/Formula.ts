/**
 * Formula neutralisation of text cells, and its exact inverse for reading.
 *
 * Writing: a text value that starts with `=`, `+`, `-`, `@`, a tab or a carriage return gets a
 * leading `'` — unless the whole value is a plain number (`-12,50`, `+49 30 1234`), which no
 * spreadsheet runs as a formula. So that reading can tell a `'` the writer added from one the value
 * had, a value that starts with `'` followed by something the rule would quote is quoted too
 * (`'=x` is written `''=x`).
 *
 * Reading: a cell that starts with `'` followed by what the writer quotes loses that one `'`; any
 * other cell is read as it is. `restore(neutralise(x)) === x` for every text `x`.
 */

const formulaStart = /^[=+\-@\t\r]/
const plainNumber = /^[+-]?\d+(?:[.,' ]\d+)*$/

/** Whether a text would be run as a formula by a spreadsheet. */
export const isFormula = (text: string): boolean => formulaStart.test(text) && !plainNumber.test(text)

/** Whether the writer puts a `'` before `text`: a formula, or a `'` before one (see the module comment). */
export const needsQuote = (text: string): boolean => {
  let i = 0
  while (text[i] === "'") i++
  return isFormula(text.slice(i))
}

/** Prefixes a `'` to text a spreadsheet would run as a formula (see the module comment). */
export const neutralise = (text: string): string => (needsQuote(text) ? `'${text}` : text)

/** Undoes `neutralise`: drops the `'` it adds, and only that one. */
export const restore = (cell: string): string => (cell.startsWith("'") && needsQuote(cell.slice(1)) ? cell.slice(1) : cell)
