/**
 * The three-way planner (DESIGN §6.1–6.3, §6.6, §6.7), a pure function of both sides' snapshots,
 * the base, the links, the pending write-backs and the policies. It matches products by key (links
 * first, so a key changed in Pipedrive is followed), decides every mapped field with `Decide`,
 * turns the decisions into operations with their exact API bodies and token costs, and judges the
 * result against the guards. The same plan drives a dry run and a real run. The per-key decision
 * is in `Decision`, the guards and totals in `Guards`, the fast path for keys in sync in `Unchanged`.
 */
import { Either } from "effect"
import type { DeletePolicy, Guards as GuardPolicy } from "../domain/Policy.js"
import type { CatalogProduct } from "../domain/CatalogProduct.js"
import type * as Field from "../domain/Field.js"
import type * as Plan from "../domain/Plan.js"
import type { Compiled } from "../mapping/Compile.js"
import * as PipedriveSide from "../mapping/PipedriveSide.js"
import type * as Wire from "../pipedrive/Wire.js"
import { type Builder, type Context, type Entry, planKey, type Sink } from "./Decision.js"
import { type Counts, finish, type Totals } from "./Guards.js"

export { type Context, type Entry, type Sink, tokenCost } from "./Decision.js"
export type { Totals } from "./Guards.js"
export { unchanged } from "./Unchanged.js"

/** What `plan` plans from: both sides' snapshots, the base, the links and the pending write-backs in memory. */
export interface Input {
  readonly compiled: Compiled
  /** The ERP's good rows, one per key. */
  readonly erp: ReadonlyArray<CatalogProduct>
  /** Every Pipedrive product in the snapshot, deleted ones included. */
  readonly pipedrive: ReadonlyArray<Wire.Product>
  readonly base: ReadonlyMap<string, ReadonlyMap<Field.Path, Field.Value>>
  readonly links: ReadonlyMap<string, number>
  readonly pending: ReadonlyMap<string, ReadonlyMap<Field.Path, Field.Value>>
  /** Keys whose ERP rows were rejected: their products are left untouched (never created, deleted or updated). */
  readonly rejectedKeys: ReadonlySet<string>
  /** The reasons of the rejected ERP rows, one per row (for the maxRejectedShare guard). */
  readonly rejectedReasons?: ReadonlyArray<string>
  readonly deletes: DeletePolicy
  readonly guards: GuardPolicy
  readonly erpRows: number
  /** The ERP row count of the last run, if any. */
  readonly lastErpRows: number | undefined
  readonly hash: string
  readonly now: string
}

/** A sink that keeps the links and agreements out of the plan, and says where they went once planning is done. */
export interface Staging extends Sink {
  readonly staged: () => Plan.Staged
}

/** Plans key by key (in any order; the result is sorted), then judges the whole against the guards. */
export interface Accumulator {
  readonly add: (entry: Entry) => void
  /**
   * Counts a linked key that `unchanged` found in sync: the same as `add` of its entry, which would
   * plan nothing for it.
   */
  readonly addUnchanged: (key: string) => void
  /** A note about a Pipedrive product that cannot take part (no key, unreadable field). */
  readonly note: (note: Plan.Note) => void
  readonly finish: (totals: Totals) => Plan.Plan
}

/** An accumulator; with `staging`, the links and the agreements of existing products go there instead of into the plan. */
export const accumulator = (ctx: Context, staging?: Staging): Accumulator => {
  const links: Array<Plan.Link> = []
  const agreements: Array<Plan.Agreement> = []
  const sink: Sink = staging ?? { link: (l) => links.push(l), agree: (a) => agreements.push(a) }
  const out: Builder = { operations: [], agreements, conflicts: [], ambiguities: [], notes: [], sink, links: 0, pendingWriteBacks: 0 }
  const counts: Counts = { keys: 0, existing: 0, updated: 0, deleted: 0, linked: 0 }
  return {
    add: (entry) => {
      counts.keys++
      if (entry.linkedId !== undefined) counts.linked++
      const r = planKey(ctx, out, entry)
      if (r === "updated" || r === "matched") counts.existing++
      if (r === "updated") counts.updated++
      else if (r === "deleted") counts.deleted++
    },
    addUnchanged: () => {
      counts.keys++
      counts.linked++
      counts.existing++
    },
    note: (n) => out.notes.push(n),
    finish: (totals) => finish(ctx, out, counts, totals, links, staging?.staged())
  }
}

/** Plans a sync from in-memory snapshots. */
export const plan = (input: Input): Plan.Plan => {
  const acc = accumulator(input)
  const erpByKey = new Map(input.erp.map((p) => [p.key as string, p]))
  const pdById = new Map(input.pipedrive.map((w) => [w.id, w]))
  const linkedIds = new Map<number, string>()
  for (const [key, id] of input.links) linkedIds.set(id, key)
  const byKey = new Map<string, Array<Wire.Product>>()
  for (const wire of input.pipedrive) {
    if (wire.is_deleted === true) continue
    const key = PipedriveSide.keyOf(input.compiled, wire)
    if (Either.isLeft(key)) {
      acc.note({ key: `#${wire.id}`, message: `Pipedrive product #${wire.id} cannot be matched: ${key.left}` })
      continue
    }
    const list = byKey.get(key.right)
    if (list) list.push(wire)
    else byKey.set(key.right, [wire])
  }
  const keys = [...new Set([...erpByKey.keys(), ...byKey.keys(), ...input.links.keys(), ...input.base.keys()])]
  for (const key of keys) {
    const linkedId = input.links.get(key)
    acc.add({
      key,
      erp: erpByKey.get(key),
      rejected: input.rejectedKeys.has(key),
      linkedId,
      linked: linkedId === undefined ? undefined : pdById.get(linkedId),
      candidates: (byKey.get(key) ?? []).filter((w) => w.id !== linkedId && (linkedIds.get(w.id) ?? key) === key),
      base: input.base.get(key),
      pending: input.pending.get(key)
    })
  }
  return acc.finish({
    erpRows: input.erpRows,
    lastErpRows: input.lastErpRows,
    pipedriveProducts: input.pipedrive.filter((p) => p.is_deleted !== true).length,
    hash: input.hash,
    now: input.now,
    ...(input.rejectedReasons === undefined ? {} : { rejectedReasons: input.rejectedReasons })
  })
}
