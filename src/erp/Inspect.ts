/**
 * What `catalog-sync inspect FILE` reports about a CSV file before anyone writes a mapping for it:
 * the detected encoding, delimiter, line endings, decimal style, header line and column names, the
 * row count, a guess of each column's type, and the rows that are structurally broken (wrong
 * number of fields, text after a closing quote). One streaming pass; the report data is plain JSON.
 */
import type { FileSystem } from "@effect/platform"
import { Effect, Stream } from "effect"
import * as Dialect from "./Dialect.js"
import * as Encoding from "./Encoding.js"
import type * as FileError from "./FileError.js"
import * as Profile from "./Profile.js"
import * as Reader from "./Reader.js"

/** A column's guessed type, and what `inspect` says about a column (see `Profile`). */
export type Kind = Profile.Kind
export type ColumnReport = Profile.ColumnReport

export interface RowProblem {
  readonly line: number
  readonly reason: string
}

export interface Report {
  readonly file: string
  readonly encoding: Encoding.Detected
  readonly delimiter: string
  readonly quote: string
  readonly lineEnding: Dialect.LineEnding
  /** The file's decimal style over its decimal columns. */
  readonly decimal: "point" | "comma" | "mixed" | "none"
  readonly skipLines: number
  /** The header's line, or null when the file has no header row. */
  readonly headerLine: number | null
  readonly columns: ReadonlyArray<ColumnReport>
  readonly rowCount: number
  /** Rows with no value in any cell: skipped, not counted in `rowCount`. */
  readonly blankRows: number
  readonly rowErrorCount: number
  /** The first 100 row errors. */
  readonly rowErrors: ReadonlyArray<RowProblem>
  readonly notes: ReadonlyArray<string>
}

const MAX_ERRORS = 100

/** Reads `file` once and reports on it; fails only on a file-level problem. */
export const run = (file: string, input: Dialect.Input = {}): Effect.Effect<Report, FileError.CsvFileError, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const source = yield* Reader.open(file, input)
    const width = source.header.names.length
    const stats = source.header.names.map(() => Profile.column())
    const rowErrors: Array<RowProblem> = []
    let rowErrorCount = 0
    let rowCount = 0
    let blankRows = 0
    const problem = (line: number, reason: string) => {
      rowErrorCount++
      if (rowErrors.length < MAX_ERRORS) rowErrors.push({ line, reason })
    }
    yield* Stream.runForEachChunk(source.rows, (chunk) =>
      Effect.sync(() => {
        for (const row of chunk) {
          if (Reader.isBlank(row)) {
            blankRows++
            continue
          }
          rowCount++
          const cells = row.cells
          if (row.problem !== undefined) problem(row.line, row.problem)
          if (row.damaged === true) {
            cells.forEach((c, i) => {
              const why = Encoding.damageMessage(c)
              if (why !== undefined) problem(row.line, `column ${JSON.stringify(source.header.names[i] ?? String(i + 1))}: ${why}`)
            })
          }
          if (cells.length < width) problem(row.line, `${cells.length} fields, the header has ${width}`)
          else if (cells.length > width && cells.slice(width).some((c) => c.trim() !== "")) problem(row.line, `${cells.length} fields, the header has ${width}`)
          for (let i = 0; i < width && i < cells.length; i++) stats[i]?.add(cells[i] as string)
        }
      }))
    const columns = stats.map((s, i) => s.report(i + 1, source.header.names[i] ?? String(i + 1)))
    const styles = new Set(columns.flatMap((c) => (c.decimal === "point" || c.decimal === "comma" ? [c.decimal] : c.decimal === "mixed" ? ["point", "comma"] : [])))
    const decimal = styles.size === 0 ? "none" : styles.size > 1 ? "mixed" : styles.has("comma") ? "comma" : "point"
    const d = source.dialect
    return {
      file,
      encoding: d.encoding,
      delimiter: d.delimiter,
      quote: d.quote,
      lineEnding: d.lineEnding,
      decimal,
      skipLines: d.skipLines,
      headerLine: source.header.line === 0 ? null : source.header.line,
      columns,
      rowCount,
      blankRows,
      rowErrorCount,
      rowErrors,
      notes: d.notes
    }
  })

const pad = (s: string, n: number) => (s.length >= n ? s : s + " ".repeat(n - s.length))

const kindText = (c: ColumnReport): string =>
  c.kind === "decimal"
    ? `decimal (${c.decimal === "none" ? "whole numbers" : c.decimal === "mixed" ? "point and comma, value by value" : c.decimal === "ambiguous" ? "ambiguous: set its decimal style" : `${c.decimal}${c.thousands === undefined ? "" : `, thousands ${JSON.stringify(c.thousands)}`}`})`
    : c.kind

/** The report as text for a terminal. */
export const render = (r: Report): string => {
  const nameWidth = Math.min(32, Math.max(4, ...r.columns.map((c) => c.name.length)))
  const kindWidth = Math.max(...r.columns.map((c) => kindText(c).length), 4)
  const lines = [
    `File          ${r.file}`,
    `Encoding      ${Encoding.describe(r.encoding)}`,
    `Delimiter     ${Dialect.showDelimiter(r.delimiter)}   quote ${JSON.stringify(r.quote)}   line endings ${r.lineEnding.toUpperCase()}`,
    `Decimals      ${r.decimal === "none" ? "no decimal columns" : r.decimal === "mixed" ? "point and comma (see columns)" : `decimal ${r.decimal}`}`,
    `Header        ${r.headerLine === null ? "none (columns are named by number)" : `line ${r.headerLine}`}${r.skipLines > 0 ? `, after ${r.skipLines} skipped line(s)` : ""}`,
    `Rows          ${r.rowCount}${r.blankRows > 0 ? ` (and ${r.blankRows} empty rows, skipped)` : ""}`,
    "",
    `Columns (${r.columns.length})`,
    ...r.columns.map((c) =>
      `  ${String(c.position).padStart(3)}  ${pad(c.name === "" ? "(no name)" : c.name, nameWidth)}  ${pad(kindText(c), kindWidth)}${c.example === undefined ? "" : `  e.g. ${JSON.stringify(c.example.length > 40 ? `${c.example.slice(0, 37)}...` : c.example)}`}${c.nulls > 0 ? `  (${c.nulls} empty)` : ""}${c.misfits === undefined ? "" : `  ${c.misfits} value(s) do not fit, e.g. ${JSON.stringify(c.misfit)}`}`
    ),
    "",
    r.rowErrorCount === 0 ? "Row errors    none" : `Row errors (${r.rowErrorCount}${r.rowErrorCount > r.rowErrors.length ? `, first ${r.rowErrors.length} shown` : ""})`,
    ...r.rowErrors.map((e) => `  line ${e.line}: ${e.reason}`),
    "",
    "How this was detected",
    ...r.notes.map((n) => `  - ${n}`)
  ]
  return lines.join("\n")
}
