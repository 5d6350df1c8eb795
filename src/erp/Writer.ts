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
 * Values that come from Pipedrive are neutralised against formula execution (see `Serialize`);
 * cells copied from the ERP's own file are not touched.
 */
import type { FileSystem } from "@effect/platform"
import { Effect, Option, Stream } from "effect"
import * as AtomicFile from "./AtomicFile.js"
import type * as Catalog from "./Catalog.js"
import type * as Cell from "./Cell.js"
import * as Dialect from "./Dialect.js"
import * as Encoding from "./Encoding.js"
import * as FileError from "./FileError.js"
import * as Serialize from "./Serialize.js"

export type Mode = "patch" | "full"

export interface Changes {
  /** New values by product key, then by column name: only what changes. */
  readonly updates: ReadonlyMap<string, Readonly<Record<string, Cell.Value>>>
  /** Products new to the ERP, with their values by column name (the key column may be omitted). */
  readonly creates: ReadonlyArray<{ readonly key: string; readonly values: Readonly<Record<string, Cell.Value>> }>
}

export interface Summary {
  readonly path: string
  readonly mode: Mode
  /** Data rows written. */
  readonly rows: number
  readonly updated: number
  readonly created: number
  /** Cells given a leading `'` so that a spreadsheet shows them instead of running them. */
  readonly neutralised: number
  /** Updates whose key is not in the file, or is on more than one row: not applied. */
  readonly notApplied: ReadonlyArray<string>
}

const show = (s: string) => JSON.stringify(s)

/**
 * Writes the changes to `path` in `mode`. Fails before writing anything when a change names a
 * column the file does not have or a value the file's encoding cannot hold.
 */
export const write = (
  catalog: Catalog.Catalog,
  path: string,
  mode: Mode,
  changes: Changes
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

    // Check every change before writing anything.
    const problems: Array<string> = []
    const changed = new Set<number>()
    const all = [...changes.updates.values(), ...changes.creates.map((c) => c.values)]
    for (const values of all) {
      for (const [name, v] of Object.entries(values)) {
        const at = indexOf.get(name)
        if (at === undefined) problems.push(`column ${show(name)} is not in the file`)
        else if (at !== keyIndex) changed.add(at)
        if (typeof v === "string") {
          const bad = Encoding.unencodable(v, dialect.encoding.name)
          if (bad !== undefined) problems.push(`${show(v)} (column ${show(name)}) holds ${show(bad)}, which ${dialect.encoding.name} cannot encode`)
        }
      }
    }
    if (problems.length > 0) {
      return Effect.fail(FileError.make(path, "Unwritable", `write-back refused: ${[...new Set(problems)].slice(0, 10).join("; ")}`))
    }

    let neutralised = 0
    let rows = 0
    let updated = 0
    const seen = new Set<string>()
    const text = (name: string, v: Cell.Value, original: string): string => {
      const f = Serialize.value(v, byName.get(name), original, fallback)
      if (f.numeric || !Serialize.isFormula(f.text)) return f.text
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
    const body = source.rows.pipe(
      Stream.filterMap((row) => {
        remember(row.cells)
        const key = row.cells[keyIndex]?.trim() ?? ""
        const values = changes.updates.get(key)
        const applicable = values !== undefined && !catalog.duplicateKeys.has(key)
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
    const creates = Stream.suspend(() => {
      const lines = changes.creates.map((c) => {
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
        created: changes.creates.length,
        neutralised,
        notApplied: [...changes.updates.keys()].filter((k) => !seen.has(k))
      }))
    )
  })
