/**
 * Pending ERP write-backs: changes bound for the ERP that the ERP export has not shown yet, kept
 * per key and field until it does (DESIGN §6.7).
 */
import type { Effect } from "effect"
import type { Sku } from "../domain/Sku.js"
import { type Sql, toJson } from "./Sql.js"
import type * as StoreError from "./StoreError.js"

/** An ERP-bound change not yet seen in an ERP export (DESIGN §6.7). */
export interface PendingWriteback {
  readonly key: Sku
  readonly field: string
  readonly value: unknown
  readonly sinceRun: number | null
}

export interface Operations {
  readonly pendingWritebacks: Effect.Effect<ReadonlyArray<PendingWriteback>, StoreError.StoreError>
  /** Inserts or replaces these pending write-backs. */
  readonly setPendingWritebacks: (entries: Iterable<PendingWriteback>) => Effect.Effect<void, StoreError.StoreError>
  readonly clearPendingWriteback: (key: Sku, field: string) => Effect.Effect<void, StoreError.StoreError>
}

/** The write-backs' operations (prepares their statements: call inside `Sql.attempt`). */
export const make = ({ prepare, attempt, write }: Sql): Operations => {
  const q = {
    writebackAll: prepare("SELECT key, field, value, since_run FROM pending_writeback ORDER BY key, field"),
    writebackSet: prepare(
      "INSERT INTO pending_writeback (key, field, value, since_run) VALUES (?, ?, ?, ?) " +
        "ON CONFLICT (key, field) DO UPDATE SET value = excluded.value, since_run = excluded.since_run"
    ),
    writebackDelete: prepare("DELETE FROM pending_writeback WHERE key = ? AND field = ?")
  }
  return {
    pendingWritebacks: attempt("reading the pending write-backs", () =>
      (q.writebackAll.all() as Array<{ key: string; field: string; value: string; since_run: number | null }>).map(
        (r): PendingWriteback => ({ key: r.key as Sku, field: r.field, value: JSON.parse(r.value), sinceRun: r.since_run })
      )),
    setPendingWritebacks: (entries) =>
      write("recording pending write-backs", () => {
        for (const e of entries) q.writebackSet.run(e.key, e.field, toJson(e.value, `the write-back of ${e.key} ${e.field}`), e.sinceRun)
      }),
    clearPendingWriteback: (key, field) => write("clearing a pending write-back", () => void q.writebackDelete.run(key, field))
  }
}
