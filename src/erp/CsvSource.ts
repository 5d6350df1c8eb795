/**
 * The CSV catalog source: the catalog-source port over a CSV export. The file's encoding and
 * dialect are detected once per layer (the header is read from that one sample); a read checks its
 * columns and scans the keys in one pass, then streams the typed rows in another; the write-back is
 * written in the file's own dialect (patch or full, atomically) as the file is read once more, and
 * the rejected rows go to a rejects file beside the state.
 */
import { FileSystem } from "@effect/platform"
import { Effect, Layer, Stream } from "effect"
import type { ResolvedConfig } from "../config/SyncConfig.js"
import { CatalogSource, type Read, type ReadOptions, type Service } from "../source/CatalogSource.js"
import * as Catalog from "./Catalog.js"
import * as Encoding from "./Encoding.js"
import * as Reader from "./Reader.js"
import * as Rejects from "./Rejects.js"
import * as Writer from "./Writer.js"

/** The CSV source of `erp`, its rejects file beside the state file. */
export const make = (erp: ResolvedConfig["erp"], statePath: string): Effect.Effect<Service, never, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const opened = yield* Effect.cached(Reader.open(erp.path, erp.dialect).pipe(Effect.provideService(FileSystem.FileSystem, fs)))
    const read = (catalog: Catalog.Catalog): Read => {
      const { source } = catalog
      const decimals = new Map(catalog.columns.map((c) => [c.name, c.format.decimal]))
      const encoding = source.dialect.encoding.name
      return {
        columns: source.header.names,
        rowCount: catalog.rowCount,
        skipped: Catalog.skipped(catalog),
        decimalOf: (column) => decimals.get(column) ?? erp.dialect.decimal ?? "auto",
        encoding,
        unencodable: (text) => (Encoding.isUnicode(encoding) ? [] : Encoding.unencodableAll(text, encoding)),
        rows: catalog.rows,
        writeRejects: (rejected) => {
          const path = Rejects.pathBeside(statePath, erp.path)
          return Rejects.write(path, source, Stream.fromIterable(rejected)).pipe(Effect.as(path), Effect.provideService(FileSystem.FileSystem, fs))
        },
        writeBack: (rows) =>
          Effect.gen(function*() {
            const exists = yield* fs.exists(erp.writeBack.path).pipe(Effect.orElseSucceed(() => false))
            if (rows.size === 0 && !exists) return undefined
            return yield* Writer.upsert(catalog, erp.writeBack.path, erp.writeBack.mode, rows)
          }).pipe(Effect.provideService(FileSystem.FileSystem, fs))
      }
    }
    return {
      location: erp.path,
      columns: Effect.map(opened, (s) => s.header.names),
      open: (options: ReadOptions) =>
        opened.pipe(
          Effect.flatMap((source) => Catalog.openSource(source, { ...options, dialect: erp.dialect })),
          Effect.map(read)
        )
    }
  })

/** The CSV source of the configuration, as a layer. */
export const layer = (erp: ResolvedConfig["erp"], statePath: string): Layer.Layer<CatalogSource, never, FileSystem.FileSystem> =>
  Layer.effect(CatalogSource, make(erp, statePath))
