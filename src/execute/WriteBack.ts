/**
 * The ERP side of a run: the plan's ERP-bound operations recorded as pending write-backs, and every
 * pending write-back written through the catalog source (a CSV in the ERP file's dialect).
 */
import { Effect } from "effect"
import * as Field from "../domain/Field.js"
import type * as Plan from "../domain/Plan.js"
import type { Sku } from "../domain/Sku.js"
import type * as Compile from "../mapping/Compile.js"
import type * as CatalogSource from "../source/CatalogSource.js"
import { Store } from "../store/Store.js"
import { stored } from "./Applied.js"
import * as WriteBackCheck from "./WriteBackCheck.js"

/** Records the ERP-bound operations as pending write-backs; returns those a CSV cannot carry. */
export const recordErpOps = (compiled: Compile.Compiled, plan: Plan.Plan, runId: number) =>
  Effect.gen(function*() {
    const store = yield* Store
    const notWritten: Array<{ key: string; message: string }> = []
    const entries: Array<{ key: Sku; field: string; value: unknown; sinceRun: number }> = []
    for (const op of plan.operations) {
      if (op.side !== "erp") continue
      const key = op.key as Sku
      if (op.kind === "create" || op.kind === "update") {
        for (const c of op.changes) entries.push({ key, field: c.path, value: stored(c.path, c.after), sinceRun: runId })
      } else if (op.kind === "unlink") {
        yield* store.unlink(key)
        yield* store.deleteBase([key])
      } else if (op.kind === "archive") {
        const path = ["active", "linkable"].find((p) => compiled.byPath.get(p)?.erp?.column !== undefined)
        if (path === undefined) notWritten.push({ key: op.key, message: `archived in Pipedrive; the mapping writes neither active nor linkable to the ERP: archive ${op.key} in the ERP by hand` })
        else entries.push({ key, field: path, value: false, sinceRun: runId })
      } else {
        notWritten.push({ key: op.key, message: `deleted in Pipedrive; a write-back CSV cannot delete rows: delete ${op.key} in the ERP by hand` })
      }
    }
    if (entries.length > 0) yield* store.setPendingWritebacks(entries)
    return notWritten
  })

/**
 * Writes every pending write-back (this run's and earlier runs' not yet imported) through the
 * catalog source's write-back, in the ERP file's own layout, atomically. Nothing is written when
 * nothing is pending and no write-back exists yet. A pending value the file cannot hold (recorded
 * before the plan checked for them) is not written and no longer pending: the next plan plans it afresh.
 */
export const writeBack = (catalog: CatalogSource.Read, compiled: Compile.Compiled) =>
  Effect.gen(function*() {
    const store = yield* Store
    const pending = yield* store.pendingWritebacks
    const byKey = new Map<string, Record<string, CatalogSource.Value>>()
    for (const p of pending) {
      const f = compiled.byPath.get(p.field)
      const column = f?.erp?.column
      if (f === undefined || column === undefined) continue
      const value = Field.fromJson(JSON.stringify(p.value))
      const cell = WriteBackCheck.cellValue(compiled, f, value, catalog.decimalOf(column) === "comma" ? "," : ".")
      const row = byKey.get(p.key) ?? {}
      row[column] = cell
      byKey.set(p.key, row)
    }
    const summary = yield* catalog.writeBack(byKey)
    for (const r of summary?.refused ?? []) {
      const path = compiled.fields.find((f) => f.erp?.column === r.column)?.path
      if (path !== undefined) yield* store.clearPendingWriteback(r.key as Sku, path)
    }
    return summary
  })
