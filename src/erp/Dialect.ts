/**
 * The dialect of a CSV file — delimiter, quote, line endings, lines before the header, whether
 * there is a header row, how decimals are written — detected from the first bytes of the file, with
 * every setting of the configuration (`erp.dialect`) taking precedence over detection. Detection
 * explains itself in `notes`, which `inspect` prints.
 */
import { Either } from "effect"
import type * as Money from "../domain/Money.js"
import * as Cell from "./Cell.js"
import type * as Encoding from "./Encoding.js"
import * as Tokenizer from "./Tokenizer.js"

export type Delimiter = "," | ";" | "\t" | "|"
export type LineEnding = "lf" | "crlf" | "cr"

/** What a user may set (the `DialectInput` of the configuration), every field optional. */
export interface Input {
  readonly encoding?: Encoding.Setting
  readonly delimiter?: Delimiter
  readonly quote?: string
  readonly decimal?: Money.DecimalStyle
  readonly thousands?: Money.ThousandsSeparator
  readonly skipLines?: number
  readonly header?: boolean | ReadonlyArray<string>
  readonly lineEnding?: LineEnding
}

export interface Dialect {
  readonly encoding: Encoding.Detected
  readonly delimiter: Delimiter
  readonly quote: string
  readonly lineEnding: LineEnding
  /** Physical lines before the header (or before the first row, without a header). */
  readonly skipLines: number
  /** The file has a header row. */
  readonly header: boolean
  /** Column names from the configuration, for a file without a header row. */
  readonly names?: ReadonlyArray<string>
  /** The decimal style of the file, `auto` to decide per column. */
  readonly decimal: Money.DecimalStyle
  /** A configured thousands separator, else detected per column. */
  readonly thousands?: Money.ThousandsSeparator
  /** How each setting was arrived at, for `inspect`. */
  readonly notes: ReadonlyArray<string>
}

export const delimiters: ReadonlyArray<Delimiter> = [",", ";", "\t", "|"]

export const showDelimiter = (d: string): string => (d === "\t" ? "tab" : JSON.stringify(d))

export const lineBreak = (e: LineEnding): string => (e === "crlf" ? "\r\n" : e === "cr" ? "\r" : "\n")

const SAMPLE_RECORDS = 200

const records = (text: string, complete: boolean, delimiter: string, quote: string, skipLines: number): Array<Tokenizer.Record> => {
  const t = Tokenizer.make({ delimiter, quote, skipLines })
  const out: Array<Tokenizer.Record> = []
  t.push(text, out)
  if (complete) t.end(out)
  return out.slice(0, SAMPLE_RECORDS)
}

/** The most frequent field count (the larger on a tie) and the share of records that have it. */
const modeOf = (rs: ReadonlyArray<Tokenizer.Record>): { readonly mode: number; readonly share: number } => {
  const counts = new Map<number, number>()
  for (const r of rs) counts.set(r.cells.length, (counts.get(r.cells.length) ?? 0) + 1)
  let mode = 0
  let best = 0
  for (const [n, c] of counts) if (c > best || (c === best && n > mode)) [mode, best] = [n, c]
  return { mode, share: rs.length === 0 ? 0 : best / rs.length }
}

const lineEndingOf = (rs: ReadonlyArray<Tokenizer.Record>): LineEnding | undefined => {
  let lf = 0
  let crlf = 0
  let cr = 0
  for (const r of rs) {
    if (r.raw.endsWith("\r\n")) crlf++
    else if (r.raw.endsWith("\n")) lf++
    else if (r.raw.endsWith("\r")) cr++
  }
  if (lf + crlf + cr === 0) return undefined
  return crlf >= lf && crlf >= cr ? "crlf" : lf >= cr ? "lf" : "cr"
}

const filled = (r: Tokenizer.Record): number => {
  let n = 0
  for (const c of r.cells) if (c.trim() !== "") n++
  return n
}

const median = (xs: ReadonlyArray<number>): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length === 0 ? 0 : (s[Math.floor(s.length / 2)] as number)
}

/** The first few texts of the skipped lines, for the note. */
const preview = (rs: ReadonlyArray<Tokenizer.Record>): string => {
  const texts = rs.flatMap((r) => r.cells.map((c) => c.trim()).filter((c) => c !== "")).slice(0, 3)
  return texts.length === 0 ? "empty lines" : `${texts.map((t) => JSON.stringify(t.length > 30 ? `${t.slice(0, 27)}...` : t)).join(", ")}, …`
}

/**
 * A title block above the header, as spreadsheets save it — every line as wide as the table, most
 * of its cells empty (a company name, an address, a date): the index of the header record, or
 * `undefined`. Only when the first line is sparse (far fewer values than the data rows) is anything
 * skipped; the header is then the first line whose values are distinct names, mostly not numbers,
 * that cover the columns the rows below it fill.
 */
const titleBlock = (rs: ReadonlyArray<Tokenizer.Record>): number | undefined => {
  const counts = rs.map(filled)
  const typical = median(counts.filter((n) => n > 0))
  const sparse = (i: number) => (counts[i] as number) <= Math.max(1, typical / 2)
  if (rs.length < 3 || typical < 3 || !sparse(0)) return undefined
  for (let i = 1; i < Math.min(rs.length - 1, 60); i++) {
    if (sparse(i) || !namesColumns(rs, i)) continue
    return i
  }
  return undefined
}

/** Record `i` reads as a header for the rows below it. */
const namesColumns = (rs: ReadonlyArray<Tokenizer.Record>, i: number): boolean => {
  const cells = (rs[i] as Tokenizer.Record).cells.map((c) => c.trim())
  const named = cells.flatMap((c, j) => (c === "" ? [] : [j]))
  const names = named.map((j) => cells[j] as string)
  if (names.length < 2 || new Set(names).size < names.length) return false
  if (names.filter((n) => Cell.looksNumeric(n)).length > names.length / 5) return false
  const columns = new Set(named)
  let inside = 0
  let total = 0
  for (const r of rs.slice(i + 1, i + 21)) {
    r.cells.forEach((c, j) => {
      if (c.trim() === "") return
      total++
      if (columns.has(j)) inside++
    })
  }
  return total > 0 && inside / total >= 0.6
}

/**
 * Detects the dialect from `sample`, the decoded start of the file (`complete` when it is all of
 * it). Fails with a message when the sample holds nothing but blank lines.
 */
export const detect = (sample: string, complete: boolean, encoding: Encoding.Detected, input: Input = {}): Either.Either<Dialect, string> => {
  const notes: Array<string> = []
  const quote = input.quote ?? "\""
  const configuredSkip = input.skipLines ?? 0
  if (encoding.fallback) notes.push("encoding: the bytes are not valid UTF-8, so they were read as Windows-1252 (Latin-1); set the encoding if that is wrong")

  let delimiter: Delimiter
  if (input.delimiter !== undefined) {
    delimiter = input.delimiter
    notes.push(`delimiter ${showDelimiter(delimiter)} set in the configuration`)
  } else {
    let best: { d: Delimiter; mode: number; share: number } | undefined
    for (const d of delimiters) {
      const m = modeOf(records(sample, complete, d, quote, configuredSkip))
      if (m.mode < 2) continue
      if (best === undefined || m.share > best.share || (m.share === best.share && m.mode > best.mode)) best = { d, ...m }
    }
    delimiter = best?.d ?? ","
    notes.push(
      best === undefined
        ? "delimiter: no candidate splits the lines into columns, so the file reads as one column"
        : `delimiter ${showDelimiter(best.d)} detected: ${best.mode} fields on ${Math.round(best.share * 100)} % of the sampled lines`
    )
  }

  const all = records(sample, complete, delimiter, quote, configuredSkip)
  if (all.length === 0) return Either.left(configuredSkip > 0 ? `nothing after the ${configuredSkip} skipped lines` : "the file holds no rows, only blank lines")

  let skipLines = configuredSkip
  let rs = all
  if (input.skipLines === undefined) {
    const { mode } = modeOf(all)
    const first = all.findIndex((r) => r.cells.length === mode)
    const title = input.header === undefined ? titleBlock(all) : undefined
    if (mode >= 2 && first > 0 && all.slice(0, first).every((r) => r.cells.length < mode)) {
      skipLines = (all[first] as Tokenizer.Record).line - 1
      rs = all.slice(first)
      notes.push(`${skipLines} line(s) before the header skipped: they have fewer fields than the rest of the file; set skipLines if that is wrong`)
    } else if (title !== undefined) {
      skipLines = (all[title] as Tokenizer.Record).line - 1
      rs = all.slice(title)
      notes.push(
        `${skipLines} line(s) before the header skipped: a title block (${preview(all.slice(0, title))}); the header is line ${skipLines + 1}, the first line whose names cover the data's columns; set skipLines if that is wrong`
      )
    }
  } else if (configuredSkip > 0) notes.push(`${configuredSkip} line(s) skipped as configured`)

  const lineEnding = input.lineEnding ?? lineEndingOf(rs) ?? "lf"

  let header: boolean
  let names: ReadonlyArray<string> | undefined
  if (Array.isArray(input.header)) {
    header = false
    names = input.header
    notes.push(`no header row: ${input.header.length} column names given in the configuration`)
  } else if (typeof input.header === "boolean") {
    header = input.header
    notes.push(header ? "header row set in the configuration" : "no header row, as configured: columns are named by number (1, 2, …)")
  } else {
    const firstRow = rs[0] as Tokenizer.Record
    const numeric = firstRow.cells.filter((c) => c.trim() !== "" && Cell.looksNumeric(c))
    header = numeric.length === 0
    notes.push(
      header
        ? `header row detected on line ${firstRow.line}`
        : `no header row: line ${firstRow.line} holds numbers (${numeric.slice(0, 3).map((c) => JSON.stringify(c)).join(", ")}); columns are named by number (1, 2, …) unless the configuration names them`
    )
  }
  const decimal = input.decimal ?? "auto"
  return Either.right({
    encoding,
    delimiter,
    quote,
    lineEnding,
    skipLines,
    header,
    decimal,
    notes,
    ...(names === undefined ? {} : { names }),
    ...(input.thousands === undefined ? {} : { thousands: input.thousands })
  })
}
