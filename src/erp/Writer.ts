/**
 * Write-back of ERP-bound changes (DESIGN §6.7) as a CSV the ERP can import, in the input's dialect
 * (delimiter, quote, encoding and byte-order mark, decimal separator, line endings), atomically.
 *
 * - `full`: the whole catalog with the changes applied. Rows without a change are copied byte for
 *   byte (so a write with no changes reproduces the file); changed rows are re-serialized; new
 *   products are appended.
 * - `patch`: one row per changed or new product — the key plus the changed columns (the union over
 *   all changes, in file order). Every cell of a patch row is meant: columns a product did not
 *   change carry its current value, so an empty cell always means "empty". A file without a header
 *   row gets whole rows, since a subset of unnamed columns could not be imported.
 *
 * Values that come from Pipedrive are neutralised against formula execution (see `Formula`; the
 * reader undoes it exactly); cells copied from the ERP's own file are not touched. A value the
 * file's encoding cannot hold is refused on its own — that cell is left as it is and listed in the
 * summary (a new product whose key cannot be held is left out whole) — and every other change is
 * written.
 */
import type { FileSystem } from "@effect/platform"
import { Effect, Option, Stream } from "effect"
import * as AtomicFile from "./AtomicFile.js"
import * as Catalog from "./Catalog.js"
import type * as Cell from "./Cell.js"
import * as Dialect from "./Dialect.js"
import * as Encoding from "./Encoding.js"
import * as FileError from "./FileError.js"
import * as Formula from "./Formula.js"
import * as Serialize from "./Serialize.js"
import type * as CatalogSource from "../source/CatalogSource.js"

export type Mode = "patch" | "full"

export interface Changes {
  /** New values by product key, then by column name: only what changes. */
  readonly updates: ReadonlyMap<string, Readonly<Record<string, Cell.Value>>>
  /** Products new to the ERP, with their values by column name (the key column may be omitted). */
  readonly creates: ReadonlyArray<{ readonly key: string; readonly values: Readonly<Record<string, Cell.Value>> }>
}

/** What a write wrote (the port's write-back summary; `notApplied`: updates whose key is not on a product row, or is on more than one). */
export type Summary = CatalogSource.WriteBackSummary

/** A value not written because the file's encoding cannot hold it. */
export type Refused = CatalogSource.Refused

const show = (s: string) => JSON.stringify(s)

/**
 * Writes the changes to `path` in `mode`. Fails before writing anything when a change names a
 * column the file does not have; a value the file's encoding cannot hold is left out and listed.
 */
export const write = (
  catalog: Catalog.Catalog,
  path: string,
  mode: Mode,
  changes: Changes
): Effect.Effect<Summary, FileError.CsvFileError, FileSystem.FileSystem> =>
  writeWith(catalog, path, mode, changes.updates, changes.creates)

/**
 * Writes `rows` to `path` in `mode`: a key on a product row of the file updates that row, any other
 * key is a new row at the end (in key order). The file is read once, as it is written.
 */
export const upsert = (
  catalog: Catalog.Catalog,
  path: string,
  mode: Mode,
  rows: ReadonlyMap<string, Readonly<Record<string, Cell.Value>>>
): Effect.Effect<Summary, FileError.CsvFileError, FileSystem.FileSystem> =>
  writeWith(catalog, path, mode, rows, "absent")

const writeWith = (
  catalog: Catalog.Catalog,
  path: string,
  mode: Mode,
  changedRows: ReadonlyMap<string, Readonly<Record<string, Cell.Value>>>,
  /** The new rows, or `absent`: those of `changedRows` whose key is on no product row of the file. */
  newRowsIn: Changes["creates"] | "absent"
): Effect.Effect<Summary, FileError.CsvFileError, FileSystem.FileSystem> =>
  Effect.suspend(() => {
    const { source } = catalog
    const { dialect, header } = source
    const names = header.names
    const width = names.length
    const keyIndex = catalog.key.index
    const byName = new Map(catalog.columns.map((c) => [c.name, c]))
    const indexOf = new Map(names.map((n, i) => [n, i]))
    const decimals = catalog.columns.filter((c) => c.type === "decimal").map((c) => c.format.decimal)
    const fallback: "." | "," = dialect.decimal === "comma" || (dialect.decimal === "auto" && decimals.includes("comma") && !decimals.includes("point")) ? "," : "."
    const lineBreak = Dialect.lineBreak(dialect.lineEnding)

    // Check every change before writing anything; leave out what the encoding cannot hold.
    const problems: Array<string> = []
    const changed = new Set<number>()
    const refused: Array<Refused> = []
    const encodable = (key: string, column: string, v: Cell.Value): boolean => {
      if (typeof v !== "string") return true
      const characters = Encoding.unencodableAll(v, dialect.encoding.name)
      if (characters.length === 0) return true
      refused.push({ key, column, value: v, characters, message: `${show(v)} (column ${show(column)}) holds ${characters.map(show).join(", ")}, which ${dialect.encoding.name} cannot encode` })
      return false
    }
    const keep = (key: string, values: Readonly<Record<string, Cell.Value>>): Record<string, Cell.Value> => {
      const out: Record<string, Cell.Value> = {}
      for (const [name, v] of Object.entries(values)) {
        const at = indexOf.get(name)
        if (at === undefined) problems.push(`column ${show(name)} is not in the file`)
        else if (encodable(key, name, v)) {
          if (at !== keyIndex) changed.add(at)
          out[name] = v
        }
      }
      return out
    }
    const kept = new Map([...changedRows].map(([key, values]) => [key, keep(key, values)] as const))
    const updates = new Map([...kept].filter(([, values]) => Object.keys(values).length > 0))
    const given = newRowsIn === "absent" ? undefined : newRowsIn.flatMap((c) => (encodable(c.key, catalog.key.name, c.key) ? [{ key: c.key, values: keep(c.key, c.values) }] : []))
    if (problems.length > 0) {
      return Effect.fail(FileError.make(path, "Unwritable", `write-back refused: ${[...new Set(problems)].slice(0, 10).join("; ")}`))
    }

    let neutralised = 0
    let rows = 0
    let updated = 0
    const seen = new Set<string>()
    // Keys found on product rows: a change to any other key is a new row.
    const present = new Set<string>()
    const text = (name: string, v: Cell.Value, original: string): string => {
      const f = Serialize.value(v, byName.get(name), original, fallback)
      if (f.numeric || !Formula.needsQuote(f.text)) return f.text
      neutralised++
      return Serialize.neutralise(f.text)
    }
    // The last non-empty cell seen in each changed column: how a new product's value is written
    // (decimals, boolean spelling), like its neighbours.
    const model = new Map<number, string>()
    const remember = (cells: ReadonlyArray<string>) => {
      for (const at of changed) {
        const c = cells[at]
        if (c !== undefined && c.trim() !== "") model.set(at, c)
      }
    }
    const apply = (cells: ReadonlyArray<string>, values: Readonly<Record<string, Cell.Value>>): Array<string> => {
      const out = cells.length >= width ? [...cells] : [...cells, ...Array<string>(width - cells.length).fill("")]
      for (const [name, v] of Object.entries(values)) {
        const at = indexOf.get(name) as number
        const current = out[at] ?? ""
        out[at] = text(name, v, current.trim() === "" ? model.get(at) ?? "" : current)
      }
      return out
    }
    const patchColumns = header.line === 0 ? names.map((_, i) => i) : [keyIndex, ...[...changed].sort((a, b) => a - b)]
    const select = (cells: ReadonlyArray<string>) => (mode === "full" ? cells : patchColumns.map((i) => cells[i] ?? ""))

    let lastEnded = true
    // A patch with nothing in it is its header alone: the file is not read.
    const nothing = mode === "patch" && kept.size === 0 && (given === undefined || given.length === 0)
    const rowsToScan = nothing ? Stream.empty : source.rows
    const body = rowsToScan.pipe(
      Stream.filterMap((row) => {
        remember(row.cells)
        const key = Catalog.keyOf(row.cells, keyIndex)
        const values = updates.get(key)
        if (kept.has(key) && catalog.isProduct(row)) present.add(key)
        const applicable = values !== undefined && !catalog.duplicateKeys.has(key) && catalog.isProduct(row)
        if (applicable) seen.add(key)
        if (mode === "patch" && !applicable) return Option.none()
        rows++
        if (!applicable) {
          lastEnded = row.raw.endsWith("\n") || row.raw.endsWith("\r")
          return Option.some(row.raw)
        }
        updated++
        lastEnded = true
        return Option.some(Serialize.row(select(apply(row.cells, values)), dialect))
      })
    )
    let created = 0
    const createdKeys = new Set<string>()
    const creates = Stream.suspend(() => {
      const newRows = given ?? [...kept]
        .filter(([key]) => !present.has(key) && encodable(key, catalog.key.name, key))
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([key, values]) => {
          createdKeys.add(key)
          return { key, values }
        })
      created = newRows.length
      const lines = newRows.map((c) => {
        rows++
        const blank = Array<string>(width).fill("")
        blank[keyIndex] = text(catalog.key.name, c.key, "")
        return Serialize.row(select(apply(blank, c.values)), dialect)
      })
      return Stream.fromIterable(lines.length > 0 && !lastEnded ? [lineBreak, ...lines] : lines)
    })
    const head =
      mode === "full"
        ? header.preamble + header.raw
        : header.line === 0
          ? ""
          : Serialize.row(patchColumns.map((i) => header.cells[i] ?? ""), dialect)
    const content = Stream.make(head).pipe(Stream.concat(body), Stream.concat(creates))
    return AtomicFile.write(path, dialect.encoding.name, dialect.encoding.bom, content).pipe(
      Effect.map((): Summary => ({
        path,
        mode,
        rows,
        updated,
        created,
        neutralised,
        notApplied: [...updates.keys()].filter((k) => !seen.has(k) && !createdKeys.has(k)),
        refused
      }))
    )
  })
