/**
 * The catalog-source port: what the sync engine needs from wherever the ERP catalog lives — a CSV
 * export today; a workbook, a JSON file or a database behind the same port later. A source
 *
 * - describes itself: its columns (for the mapping to compile against) and its location;
 * - opens a read for a mapping's needs: the key column, the columns it types, which rows are
 *   products; the read checks what it can before handing out any row (missing columns, an empty
 *   source, ambiguous number formats) and then streams typed rows, each good or rejected with every
 *   reason and its position, never the whole catalog in memory;
 * - writes the ERP-bound changes back in its own layout (a patch or a full copy), and the rows it
 *   rejected to a rejects file beside the state.
 *
 * The engine (Prepare, Execute, Sync) depends on this module only; adapters (erp/CsvSource.ts)
 * implement it and the composition root picks one.
 */
import type { BigDecimal, Effect, Stream } from "effect"
import { Context } from "effect"
import type * as Money from "../domain/Money.js"
import type { RowError } from "./RowError.js"

/** What a column holds. */
export type ColumnType = "text" | "decimal" | "integer" | "boolean"

export interface Booleans {
  readonly true: ReadonlyArray<string>
  readonly false: ReadonlyArray<string>
}

/** How the mapping asks for a column: its name, its type and how its values are written. */
export interface ColumnSpec {
  /** The column's header name (or its 1-based number, as text, in a file without a header). */
  readonly name: string
  readonly type: ColumnType
  /** How decimals are written in this column; `auto` (the default) detects it from the file. */
  readonly decimal?: Money.DecimalStyle
  readonly thousands?: Money.ThousandsSeparator
  /** Spellings of true and false, compared case-insensitively after trimming. */
  readonly booleans?: Booleans
  /** Spellings of "no value", compared case-insensitively after trimming. */
  readonly nulls?: ReadonlyArray<string>
  /** The column must exist in the source (default `true`); a missing optional column reads as null. */
  readonly required?: boolean
  /** Trim white space around text (default `true`). */
  readonly trim?: boolean
}

/** A typed cell: text, a decimal, an integer, a boolean, or null. */
export type Value = string | BigDecimal.BigDecimal | number | boolean | null

/** A problem with the whole source: it stops the run before anything is written. */
export interface SourceError {
  readonly _tag: string
  /** Where and what, the way a user can act on it. */
  readonly message: string
}

/** What a read needs: the key column, the columns it types, which rows are products. */
export interface ReadOptions {
  readonly key: string
  readonly columns: ReadonlyArray<ColumnSpec>
  /** Only rows whose column holds one of the values are products (the mapping's `rows.where`). */
  readonly where?: ReadonlyArray<{ readonly column: string; readonly values: ReadonlyArray<string> }>
  /** A key on several rows: reject them all (default), or keep the first or the last. */
  readonly duplicates?: "reject" | "first" | "last"
}

/** A product row, typed: its key and the typed value of every column asked for. */
export interface Good {
  readonly _tag: "Good"
  /** Where the row starts (a file's physical line), for messages. */
  readonly line: number
  readonly key: string
  readonly values: Readonly<Record<string, Value>>
  /** The row's cells as the source holds them, for the rejects file. */
  readonly cells: ReadonlyArray<string>
}

/** A row that is not a product the engine can take, with every reason. */
export interface Rejected {
  readonly _tag: "Rejected"
  readonly line: number
  readonly key?: string
  readonly errors: readonly [RowError, ...Array<RowError>]
  readonly cells: ReadonlyArray<string>
}

export type Item = Good | Rejected

/** The ERP-bound values of one write-back: by key, then column. */
export type WriteBackRows = ReadonlyMap<string, Readonly<Record<string, Value>>>

/** A value the source's write-back cannot hold (a character its encoding lacks): left out. */
export interface Refused {
  readonly key: string
  readonly column: string
  readonly value: string
  /** The characters the write-back cannot hold. */
  readonly characters: ReadonlyArray<string>
  readonly message: string
}

/** What a write-back wrote. */
export interface WriteBackSummary {
  readonly path: string
  readonly mode: "patch" | "full"
  /** Rows written (a patch: the changed ones; a full copy: all). */
  readonly rows: number
  readonly updated: number
  readonly created: number
  /** Cells given a leading `'` so that a spreadsheet shows them instead of running them. */
  readonly neutralised: number
  /** Keys with changes that the source holds more than once: not applied. */
  readonly notApplied: ReadonlyArray<string>
  readonly refused: ReadonlyArray<Refused>
}

/** A read of the catalog, opened for one mapping. */
export interface Read {
  /** The source's columns, as the mapping names them. */
  readonly columns: ReadonlyArray<string>
  /** Product rows the read will hand out (after rows left out as not products). */
  readonly rowCount: number
  /** What was left out as not products, one line each for people (empty rows, footnotes, filtered rows). */
  readonly skipped: ReadonlyArray<string>
  /** How decimals are written in a column, as decided for this read (a write-back writes them alike). */
  readonly decimalOf: (column: string) => Money.DecimalStyle
  /** The encoding the write-back is written in: what text it can hold. */
  readonly encoding: string
  /** The characters of `text` the write-back cannot hold (empty when it can hold it all). */
  readonly unencodable: (text: string) => ReadonlyArray<string>
  /** The rows, streamed from the source. */
  readonly rows: Stream.Stream<Item, SourceError>
  /** Writes rejected rows to the rejects file beside the state; returns its path. */
  readonly writeRejects: (rejected: ReadonlyArray<Rejected>) => Effect.Effect<string, SourceError>
  /**
   * Writes the ERP-bound changes in the configured write-back (atomically): a key the source holds
   * on a product row updates that row, any other key is a new row. `undefined` when there was
   * nothing to write and no earlier write-back to replace.
   */
  readonly writeBack: (rows: WriteBackRows) => Effect.Effect<WriteBackSummary | undefined, SourceError>
}

export interface Service {
  /** Where the catalog is, for messages (a file path, a connection's name). */
  readonly location: string
  /** The source's columns, for the mapping to compile against. */
  readonly columns: Effect.Effect<ReadonlyArray<string>, SourceError>
  /** Opens a read for a mapping's needs. */
  readonly open: (options: ReadOptions) => Effect.Effect<Read, SourceError>
}

/** The catalog the configuration names, as the composition root provides it. */
export class CatalogSource extends Context.Tag("catalog-sync/CatalogSource")<CatalogSource, Service>() {}
