/**
 * The rejects file: every rejected row of a catalog, as it was in the file (its cells; a short row
 * padded with empty cells), plus a `reason` column that names the line and every problem. Written
 * in the catalog's dialect (delimiter, encoding, byte-order mark, line endings), atomically, beside
 * the state.
 */
import type { FileSystem } from "@effect/platform"
import { Effect, Stream } from "effect"
import * as Path from "node:path"
import * as AtomicFile from "./AtomicFile.js"
import * as Catalog from "./Catalog.js"
import type * as FileError from "./FileError.js"
import type * as Reader from "./Reader.js"
import * as Serialize from "./Serialize.js"

/** `rejects.csv` beside the state file, named after the ERP file: `.catalog-sync/catalog.rejects.csv`. */
export const pathBeside = (statePath: string, erpFile: string): string =>
  Path.join(Path.dirname(statePath), `${Path.basename(erpFile, Path.extname(erpFile))}.rejects${Path.extname(erpFile) || ".csv"}`)

/** The reason column's name: `reason`, or `reject_reason` when the file already has a `reason`. */
export const reasonColumn = (names: ReadonlyArray<string>): string => (names.includes("reason") ? "reject_reason" : "reason")

/** One rejects line: the row's cells (padded to the header's width) and the reason. */
export const line = (source: Reader.Source, rejected: Catalog.Rejected): string => {
  const width = source.header.names.length
  const cells = rejected.cells.length >= width ? [...rejected.cells] : [...rejected.cells, ...Array<string>(width - rejected.cells.length).fill("")]
  return Serialize.row([...cells, `line ${rejected.line}: ${Catalog.reasons(rejected)}`], source.dialect)
}

/**
 * Writes the rejected rows of `items` (good rows are ignored) to `path`; returns how many.
 * The header is the file's own (or the column numbers, for a file without one) plus the reason.
 */
export const write = <E, R>(
  path: string,
  source: Reader.Source,
  items: Stream.Stream<Catalog.Item, E, R>
): Effect.Effect<number, E | FileError.CsvFileError, FileSystem.FileSystem | R> =>
  Effect.suspend(() => {
    let count = 0
    const names = source.header.line === 0 ? source.header.names : source.header.cells
    const head = Serialize.row([...names, reasonColumn(source.header.names)], source.dialect)
    const body = items.pipe(
      Stream.filter((i): i is Catalog.Rejected => i._tag === "Rejected"),
      Stream.map((r) => {
        count++
        return line(source, r)
      })
    )
    const { encoding } = source.dialect
    return AtomicFile.write(path, encoding.name, encoding.bom, Stream.concat(Stream.make(head), body)).pipe(Effect.map(() => count))
  })
