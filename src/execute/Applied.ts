/**
 * What a write that Pipedrive applied means for the state: the product in the snapshot, the link of
 * a created product, the base of the fields Pipedrive confirms.
 */
import { Effect, Either, Option } from "effect"
import * as Field from "../domain/Field.js"
import type * as Plan from "../domain/Plan.js"
import type { Sku } from "../domain/Sku.js"
import type * as Compile from "../mapping/Compile.js"
import * as PipedriveSide from "../mapping/PipedriveSide.js"
import type * as Wire from "../pipedrive/Wire.js"
import { Store } from "../store/Store.js"
import * as Outcome from "./Outcome.js"

/** A field's value as the state stores it (its JSON). */
export const stored = (path: string, value: Field.Value): unknown => JSON.parse(Field.toJson(path, value))

const snapshotRow = (compiled: Compile.Compiled, product: Wire.Product) => ({
  id: product.id,
  code: Either.getOrNull(PipedriveSide.keyOf(compiled, product)),
  updateTime: product.update_time ?? null,
  isDeleted: product.is_deleted === true,
  product
})

/**
 * Records in the state what a write that Pipedrive applied means: the product as Pipedrive now holds
 * it in the snapshot, the link of a created product, the base of the fields Pipedrive confirms
 * (the others are returned), and for a delete the forgotten link and base. Every step is idempotent,
 * so a run killed half-way through is finished by the next one. A create's base comes from
 * Pipedrive's answer alone: the fields written that it holds, and of the fields `agreed` empty at
 * planning those it holds empty (a default it filled in, such as price 0, is not agreed: no change).
 */
export const recordApplied = (compiled: Compile.Compiled, op: Plan.Operation, product: Wire.Product | undefined, agreed: ReadonlyArray<Plan.Agreement> = []) =>
  Effect.gen(function*() {
    const store = yield* Store
    const key = op.key as Sku
    if (op.kind === "delete") {
      if (op.pipedriveId !== undefined) {
        const row = yield* store.pipedriveProduct(op.pipedriveId)
        if (Option.isSome(row)) {
          const p = row.value.product
          yield* store.upsertPipedriveProducts([{ ...row.value, isDeleted: true, product: typeof p === "object" && p !== null ? { ...p, is_deleted: true } : p }])
        }
      }
      yield* store.unlink(key)
      yield* store.deleteBase([key])
      return Outcome.confirm(compiled, { ...op, changes: [] }, { id: op.pipedriveId ?? 0, name: "", prices: [] })
    }
    if (product === undefined) return { confirmed: [], differing: [] } as Outcome.Confirmation
    yield* store.upsertPipedriveProducts([snapshotRow(compiled, product)])
    if (op.kind === "create") {
      yield* store.link(key, product.id)
      yield* store.deleteBase([key]) // what an earlier state held for a product never created
    }
    const c = Outcome.confirm(compiled, op, product)
    const held = op.kind !== "create" || agreed.length === 0
      ? []
      : Outcome.confirm(compiled, { ...op, changes: agreed.map((a) => ({ path: a.path, after: a.value, rule: "create" as const })) }, product).confirmed
    const base = [...c.confirmed, ...held].filter((ch) => compiled.byPath.has(ch.path)).map((ch) => ({ key, field: ch.path, value: stored(ch.path, ch.after) }))
    if (base.length > 0) yield* store.setBase(base)
    return c
  })

