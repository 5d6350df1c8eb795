/**
 * The snapshots of both sides: the ERP export as last read (replaced whole by every run) and
 * Pipedrive's products as last pulled (upserted by an incremental pull, replaced by a full pass),
 * with the watermark where the incremental pull left off and the counts a run reports.
 */
import { Effect, Option } from "effect"
import type { Stream } from "effect"
import type { CatalogProduct } from "../domain/CatalogProduct.js"
import type { PipedriveId } from "../domain/PipedriveId.js"
import * as ProductJson from "../domain/ProductJson.js"
import type { Sku } from "../domain/Sku.js"
import { iterate, mapRows, type Rows, type Sql, toJson } from "./Sql.js"
import * as StoreError from "./StoreError.js"

/** One product of the ERP export, as mapped, with the line it started on. */
export interface ErpRow {
  readonly key: Sku
  readonly product: CatalogProduct
  readonly line: number
}

/** One Pipedrive product as the API returned it, with the columns the store indexes. */
export interface PipedriveRow {
  readonly id: PipedriveId
  /** The product's key on the Pipedrive side (its `code` by default); `null` when it has none. */
  readonly code: string | null
  readonly updateTime: string | null
  readonly isDeleted: boolean
  /** The raw API v2 product (JSON). */
  readonly product: unknown
}
export type PipedriveInput = Omit<PipedriveRow, "id"> & { readonly id: number }

/** Where the incremental Pipedrive pull left off. */
export interface Watermark {
  /** The `updated_since` to ask for next (RFC 3339), `null` before the first pull. */
  readonly updatedSince: string | null
  /** Incremental pulls since the last full pass. */
  readonly runsSinceFull: number
}

export interface Operations {
  /** Replaces the ERP snapshot with these rows (the export is always read whole); returns the count. */
  readonly replaceErpSnapshot: <E = never, R = never>(rows: Rows<ErpRow, E, R>) => Effect.Effect<number, StoreError.StoreError | E, R>
  /** The ERP snapshot in key order. */
  readonly erpSnapshot: () => Stream.Stream<ErpRow, StoreError.StoreError>
  readonly erpRowCount: Effect.Effect<number, StoreError.StoreError>
  /** Live (not deleted) products in the Pipedrive snapshot, and the ids of those without a key. */
  readonly pipedriveCounts: Effect.Effect<{ readonly live: number; readonly unkeyed: ReadonlyArray<number> }, StoreError.StoreError>

  /** Inserts or replaces these products (an incremental pull); returns the count. */
  readonly upsertPipedriveProducts: <E = never, R = never>(rows: Rows<PipedriveInput, E, R>) => Effect.Effect<number, StoreError.StoreError | E, R>
  /** Replaces the Pipedrive snapshot (a full pass); returns the ids that were there before and are not now. */
  readonly replacePipedriveSnapshot: <E = never, R = never>(
    rows: Rows<PipedriveInput, E, R>
  ) => Effect.Effect<ReadonlyArray<PipedriveId>, StoreError.StoreError | E, R>
  /** The Pipedrive snapshot by id, or by code (then id) for a merge-join on keys; products without a code come last. */
  readonly pipedriveSnapshot: (order?: "id" | "code") => Stream.Stream<PipedriveRow, StoreError.StoreError>
  readonly pipedriveProduct: (id: number) => Effect.Effect<Option.Option<PipedriveRow>, StoreError.StoreError>
  readonly watermark: Effect.Effect<Watermark, StoreError.StoreError>
  readonly setWatermark: (watermark: Watermark) => Effect.Effect<void, StoreError.StoreError>
}

/** An `erp_snapshot` row as SQLite returns it. */
export interface ErpRecord { key: string; product: string; line: number }
/** A `pipedrive_snapshot` row as SQLite returns it. */
export interface PipedriveRecord { id: number; code: string | null; product: string; update_time: string | null; is_deleted: number }

/** The columns of a `PipedriveRecord`, for a `SELECT` from `pipedrive_snapshot`. */
export const pipedriveColumns = "id, code, product, update_time, is_deleted"

/** The error for an ERP snapshot row that cannot be decoded (`e`: what the decoder threw). */
export const erpUnreadable = (path: string, key: string, e: unknown): StoreError.StoreError =>
  StoreError.make(
    path,
    "Invalid",
    `state file ${path}: the ERP snapshot of product ${key} cannot be read (${e instanceof Error ? e.message : String(e)}); ` +
      `the snapshot is rewritten by the next run that reads the ERP export`
  )

/** Decodes an ERP snapshot row of the state file at `path`; throws `erpUnreadable` when it cannot. */
export const toErp = (path: string) => (r: ErpRecord): ErpRow => {
  try {
    return { key: r.key as Sku, product: ProductJson.decode(r.product), line: r.line }
  } catch (e) {
    throw erpUnreadable(path, r.key, e)
  }
}

// Keys and ids read back were branded when they were written.
export const toPipedrive = (r: PipedriveRecord): PipedriveRow => ({
  id: r.id as PipedriveId,
  code: r.code,
  updateTime: r.update_time,
  isDeleted: r.is_deleted !== 0,
  product: JSON.parse(r.product)
})

/** The snapshots' operations (prepares their statements: call inside `Sql.attempt`). */
export const make = (s: Sql): Operations => {
  const { db, prepare, attempt, transaction, write, writeRows, rows } = s
  const q = {
    erpDelete: prepare("DELETE FROM erp_snapshot"),
    erpInsert: prepare("INSERT INTO erp_snapshot (key, product, line) VALUES (?, ?, ?)"),
    erpAll: prepare("SELECT key, product, line FROM erp_snapshot ORDER BY key"),
    erpCount: prepare("SELECT count(*) FROM erp_snapshot").pluck(),
    pdLive: prepare("SELECT count(*) FROM pipedrive_snapshot WHERE is_deleted = 0").pluck(),
    pdUnkeyed: prepare("SELECT id FROM pipedrive_snapshot WHERE is_deleted = 0 AND code IS NULL ORDER BY id").pluck(),
    pdUpsert: prepare(
      "INSERT INTO pipedrive_snapshot (id, code, product, update_time, is_deleted) VALUES (?, ?, ?, ?, ?) " +
        "ON CONFLICT (id) DO UPDATE SET code = excluded.code, product = excluded.product, " +
        "update_time = excluded.update_time, is_deleted = excluded.is_deleted"
    ),
    pdById: prepare(`SELECT ${pipedriveColumns} FROM pipedrive_snapshot ORDER BY id`),
    pdByCode: prepare(`SELECT ${pipedriveColumns} FROM pipedrive_snapshot ORDER BY code IS NULL, code, id`),
    pdOne: prepare(`SELECT ${pipedriveColumns} FROM pipedrive_snapshot WHERE id = ?`),
    metaGet: prepare("SELECT value FROM meta WHERE key = ?").pluck(),
    metaSet: prepare("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
  }
  const pdInsert = (p: PipedriveInput) =>
    q.pdUpsert.run(p.id, p.code, toJson(p.product, `Pipedrive product ${p.id}`), p.updateTime, p.isDeleted ? 1 : 0)

  return {
    replaceErpSnapshot: (input) =>
      transaction(
        "writing the ERP snapshot",
        Effect.zipRight(
          attempt("clearing the ERP snapshot", () => q.erpDelete.run()),
          writeRows("writing the ERP snapshot", input, (r) => q.erpInsert.run(r.key, ProductJson.encode(r.product), r.line))
        )
      ),
    erpSnapshot: () => rows("reading the ERP snapshot", () => mapRows(iterate<ErpRecord>(q.erpAll), toErp(s.path))),
    erpRowCount: attempt("counting the ERP snapshot", () => q.erpCount.get() as number),
    pipedriveCounts: attempt("counting the Pipedrive snapshot", () => ({ live: q.pdLive.get() as number, unkeyed: q.pdUnkeyed.all() as Array<number> })),

    upsertPipedriveProducts: (input) =>
      transaction("updating the Pipedrive snapshot", writeRows("updating the Pipedrive snapshot", input, pdInsert)),
    replacePipedriveSnapshot: (input) => {
      const doing = "replacing the Pipedrive snapshot"
      return transaction(
        doing,
        Effect.gen(function*() {
          yield* attempt(doing, () => {
            db.exec("CREATE TEMP TABLE IF NOT EXISTS pulled (id INTEGER PRIMARY KEY)")
            db.exec("DELETE FROM temp.pulled")
          })
          const mark = db.prepare("INSERT OR IGNORE INTO temp.pulled (id) VALUES (?)")
          yield* writeRows(doing, input, (p) => {
            pdInsert(p)
            mark.run(p.id)
          })
          return yield* attempt(doing, () => {
            const gone = db.prepare("SELECT id FROM pipedrive_snapshot WHERE id NOT IN (SELECT id FROM temp.pulled) ORDER BY id")
              .pluck().all() as Array<PipedriveId>
            db.exec("DELETE FROM pipedrive_snapshot WHERE id NOT IN (SELECT id FROM temp.pulled); DELETE FROM temp.pulled")
            return gone
          })
        })
      )
    },
    pipedriveSnapshot: (order = "id") =>
      rows("reading the Pipedrive snapshot", () => mapRows(iterate<PipedriveRecord>(order === "id" ? q.pdById : q.pdByCode), toPipedrive)),
    pipedriveProduct: (id) =>
      attempt("reading the Pipedrive snapshot", () => Option.map(Option.fromNullable(q.pdOne.get(id) as PipedriveRecord | undefined), toPipedrive)),
    watermark: attempt("reading the watermark", () => ({
      updatedSince: (q.metaGet.get("pipedrive.updated_since") as string | undefined) ?? null,
      runsSinceFull: Number((q.metaGet.get("pipedrive.runs_since_full") as string | undefined) ?? 0)
    })),
    setWatermark: (w) =>
      write("saving the watermark", () => {
        if (w.updatedSince === null) db.prepare("DELETE FROM meta WHERE key = 'pipedrive.updated_since'").run()
        else q.metaSet.run("pipedrive.updated_since", w.updatedSince)
        q.metaSet.run("pipedrive.runs_since_full", String(w.runsSinceFull))
      })
  }
}
