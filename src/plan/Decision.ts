/**
 * The planner's decision for one key (DESIGN §6.1–6.3, §6.7): which Pipedrive product it is (links
 * first, then the code), what happens to it — created, updated field by field, deleted, archived,
 * unlinked, or only noted — with the exact API bodies and token costs. What it decides goes to a
 * `Builder`; links and the agreements of existing products go to its `Sink`.
 */
import { Either } from "effect"
import type { DeletePolicy, Guards as GuardPolicy } from "../domain/Policy.js"
import type { CatalogProduct } from "../domain/CatalogProduct.js"
import * as Field from "../domain/Field.js"
import type * as Plan from "../domain/Plan.js"
import type { Compiled } from "../mapping/Compile.js"
import * as PipedriveSide from "../mapping/PipedriveSide.js"
import type * as Wire from "../pipedrive/Wire.js"
import * as Decide from "./Decide.js"

/** API token cost of each Pipedrive write (pipedrive-api.md §1.1, §3.1). */
export const tokenCost = { create: 5, update: 5, archive: 5, delete: 3, unlink: 0, createField: 5 } as const

/**
 * Where the links and the agreements of products that exist on both sides go as they are planned:
 * into the plan itself, or out of it (`Prepare.planState` stages them in the state: a first sync of
 * a million products agrees millions of fields).
 */
export interface Sink {
  /** A key matched to a Pipedrive product it was not linked to (or to the one an ERP create is made from). */
  readonly link: (link: Plan.Link) => void
  /** A field of an existing product both sides agree on without a write. */
  readonly agree: (agreement: Plan.Agreement) => void
}

/** What the planner has decided so far. */
export interface Builder {
  readonly operations: Array<Plan.Operation>
  /** The agreements of products to be created: they wait for the create, so they stay with it. */
  readonly agreements: Array<Plan.Agreement>
  readonly conflicts: Array<Plan.Conflict>
  readonly ambiguities: Array<Plan.Ambiguity>
  readonly notes: Array<Plan.Note>
  readonly sink: Sink
  /** Links handed to the sink. */
  links: number
  pendingWriteBacks: number
}

const opId = (side: string, kind: string, key: string) => `${side}:${kind}:${key}`

const link = (out: Builder, l: Plan.Link): void => {
  out.links++
  out.sink.link(l)
}

/**
 * Everything the planner knows about one key: the ERP product (if its row was read), the linked
 * Pipedrive product (deleted ones included), the other Pipedrive products carrying this key, the
 * base and the pending write-backs.
 */
export interface Entry {
  readonly key: string
  readonly erp: CatalogProduct | undefined
  /** The key's ERP row was rejected: leave the product untouched. */
  readonly rejected: boolean
  readonly linkedId: number | undefined
  /** The linked product as the snapshot has it (`undefined` when gone from the snapshot). */
  readonly linked: Wire.Product | undefined
  /** Live Pipedrive products with this key that are not linked to another key (the linked one excluded). */
  readonly candidates: ReadonlyArray<Wire.Product>
  readonly base: ReadonlyMap<Field.Path, Field.Value> | undefined
  readonly pending: ReadonlyMap<Field.Path, Field.Value> | undefined
}

/** What every key is planned with: the compiled mapping, the delete policy, the guards' limits. */
export interface Context {
  readonly compiled: Compiled
  readonly deletes: DeletePolicy
  readonly guards: GuardPolicy
}

/**
 * Plans one key; says what it means for a product that exists: `matched` on both sides (`updated`
 * when Pipedrive's product gets an update), or `deleted`. Creates, write-backs of new rows and notes
 * are `none`: they change nothing that exists.
 */
export const planKey = (ctx: Context, out: Builder, entry: Entry): "updated" | "matched" | "deleted" | "none" => {
  const { compiled } = ctx
  const mode = compiled.policies
  const { key, erp: e, linkedId, base, pending } = entry
  if (entry.rejected && e === undefined) {
    out.notes.push({ key, message: "its ERP row was rejected (see the rejected rows): the product is left untouched until the row is fixed" })
    return "none"
  }
  const known = linkedId !== undefined || base !== undefined
  let pd: Wire.Product | undefined
  if (linkedId !== undefined) {
    pd = entry.linked !== undefined && entry.linked.is_deleted !== true ? entry.linked : undefined
    if (entry.candidates.length > 0) {
      const extra = entry.candidates.map((w) => w.id)
      out.ambiguities.push({ key, pipedriveIds: extra, message: `Pipedrive has ${extra.length === 1 ? "another product" : `${extra.length} more products`} with the code ${key} (#${extra.join(", #")}) besides the linked #${linkedId}; ${extra.length === 1 ? "it is" : "they are"} left alone` })
    }
  } else if (entry.candidates.length > 1) {
    const ids = entry.candidates.map((w) => w.id)
    out.ambiguities.push({ key, pipedriveIds: ids, message: `${ids.length} Pipedrive products share the code ${key} (#${ids.join(", #")}); none is touched until only one remains or one is linked` })
    return "none"
  } else {
    pd = entry.candidates[0]
  }
  let pdProduct: CatalogProduct | undefined
  if (pd !== undefined) {
    const mapped = PipedriveSide.fromWire(compiled, pd)
    if (Either.isLeft(mapped)) {
      for (const message of mapped.left) out.notes.push({ key, message })
      return "none"
    }
    pdProduct = mapped.right
  }

  if (e !== undefined && pd !== undefined && pdProduct !== undefined) {
    if (linkedId === undefined) link(out, { key, pipedriveId: pd.id })
    return planFields(ctx, out, key, e, pd, pdProduct, base, pending) ? "updated" : "matched"
  }
  // A key never linked was never in Pipedrive (a create that failed leaves no link): create it.
  if (e !== undefined && pd === undefined && linkedId === undefined) {
    if (mode.toPipedrive !== "mirror" && mode.toPipedrive !== "additive") {
      out.notes.push({ key, message: `exists only in the ERP; not created in Pipedrive (policies.mode.toPipedrive is ${mode.toPipedrive})` })
      return "none"
    }
    const changes = new Map<Field.Path, Field.Value>()
    const ev = Field.flatten(e)
    for (const f of compiled.fields) {
      const v = ev.get(f.path)
      if (v !== undefined && Field.normalize(f.path, v) !== null && f.direction !== "pipedrive→erp") changes.set(f.path, v)
    }
    const body = PipedriveSide.toBody(compiled, changes, undefined, key)
    if (Either.isLeft(body)) {
      for (const m of body.left) out.notes.push({ key, message: `not created in Pipedrive: ${m}` })
      return "none"
    }
    out.operations.push({
      id: opId("pipedrive", "create", key),
      key,
      side: "pipedrive",
      kind: "create",
      changes: [...changes].map(([path, after]) => ({ path, after: Field.normalize(path, after), rule: "create" as const })),
      reason: "exists only in the ERP",
      tokens: tokenCost.create,
      body: body.right
    })
    // The new product holds nothing else: fields empty in the ERP are agreed as empty — recorded
    // only once Pipedrive answers the create, and only where its answer holds them empty (a default
    // it fills in, such as price 0, is no change). A field Pipedrive owns has no value there yet,
    // which blanks nothing in the ERP (Decide).
    for (const f of compiled.fields) {
      const v = ev.get(f.path)
      if (v === undefined || changes.has(f.path)) continue
      const d = Decide.decide(f, { e: v, p: null, b: undefined, pending: undefined }, compiled.currencies)
      if (d._tag === "Agree") out.agreements.push({ key, path: f.path, value: Field.normalize(f.path, d.value) })
    }
    return "none"
  }
  if (e !== undefined && pd === undefined) {
    // Deleted in Pipedrive (or gone for good): never re-created behind the user's back.
    const where = linkedId === undefined ? "" : ` (#${linkedId})`
    if (mode.toErp === "mirror" && ctx.deletes !== "ignore") {
      out.operations.push(deleteOp("erp", key, linkedId, ctx.deletes, `deleted in Pipedrive${where}`))
      return "deleted"
    }
    out.notes.push({ key, message: `deleted in Pipedrive${where}; kept in the ERP and not re-created (policies.deletes: ${ctx.deletes}, mode.toErp: ${mode.toErp})` })
    return "none"
  }
  if (e === undefined && pd !== undefined && known) {
    if (pending !== undefined && pending.size > 0 && base === undefined) {
      out.pendingWriteBacks += pending.size // written back as a new row; the ERP has not imported it yet
      return "none"
    }
    if (mode.toPipedrive === "mirror" && ctx.deletes !== "ignore") {
      if (ctx.deletes === "archive" && pd.is_linkable === false) return "none"
      out.operations.push(deleteOp("pipedrive", key, pd.id, ctx.deletes, "gone from the ERP"))
      return "deleted"
    }
    out.notes.push({ key, message: `gone from the ERP; kept in Pipedrive as #${pd.id} (policies.deletes: ${ctx.deletes}, mode.toPipedrive: ${mode.toPipedrive})` })
    return "none"
  }
  if (e === undefined && pd !== undefined && pdProduct !== undefined) {
    if (mode.toErp !== "mirror" && mode.toErp !== "additive") {
      out.notes.push({ key, message: `exists only in Pipedrive (#${pd.id}); not added to the ERP (policies.mode.toErp is ${mode.toErp})` })
      return "none"
    }
    const changes: Array<Plan.FieldChange> = []
    const pv = Field.flatten(pdProduct)
    for (const f of compiled.fields) {
      if (f.erp?.column === undefined) continue
      const v = pv.get(f.path)
      const after = v === undefined ? null : Field.normalize(f.path, v)
      if (after !== null) changes.push({ path: f.path, after, rule: "create" })
    }
    out.operations.push({ id: opId("erp", "create", key), key, side: "erp", kind: "create", pipedriveId: pd.id, changes, reason: "exists only in Pipedrive", tokens: 0 })
    link(out, { key, pipedriveId: pd.id })
    return "none"
  }
  if (e === undefined && pd === undefined && linkedId !== undefined) {
    out.operations.push({ id: opId("pipedrive", "unlink", key), key, side: "pipedrive", kind: "unlink", pipedriveId: linkedId, changes: [], reason: "gone from both sides: forget the link", tokens: 0 })
  }
  return "none"
}

const deleteOp = (side: "erp" | "pipedrive", key: string, pipedriveId: number | undefined, policy: Exclude<DeletePolicy, "ignore">, why: string): Plan.Operation => ({
  id: opId(side, policy, key),
  key,
  side,
  kind: policy,
  ...(pipedriveId === undefined ? {} : { pipedriveId }),
  changes: policy === "archive" && side === "pipedrive" ? [{ path: "linkable", before: true, after: false, rule: "delete-policy" }] : [],
  reason: `${why}: ${policy === "unlink" ? "forget the link" : policy === "archive" ? (side === "pipedrive" ? "archive (is_linkable: false)" : "archive in the ERP") : "delete"} (policies.deletes)`,
  tokens: side === "pipedrive" ? tokenCost[policy] : 0,
  ...(policy === "archive" && side === "pipedrive" ? { body: { is_linkable: false } satisfies Wire.ProductPatch } : {})
})

/** Decides every field of a product both sides have; returns whether the update of Pipedrive's product overwrites a value it holds. */
const planFields = (
  ctx: Context,
  out: Builder,
  key: string,
  e: CatalogProduct,
  wire: Wire.Product,
  p: CatalogProduct,
  base: ReadonlyMap<Field.Path, Field.Value> | undefined,
  pending: ReadonlyMap<Field.Path, Field.Value> | undefined
): boolean => {
  const { compiled } = ctx
  const ev = Field.flatten(e)
  const pv = Field.flatten(p)
  const toPd: Array<Plan.FieldChange> = []
  const toErp: Array<Plan.FieldChange> = []
  for (const f of compiled.fields) {
    const d = Decide.decide(f, { e: ev.get(f.path), p: pv.get(f.path), b: base?.get(f.path), pending: pending?.get(f.path) }, compiled.currencies)
    switch (d._tag) {
      case "Agree":
        out.sink.agree({ key, path: f.path, value: Field.normalize(f.path, d.value) })
        break
      case "ToPipedrive":
        toPd.push({ path: f.path, before: Field.normalize(f.path, pv.get(f.path) ?? null), after: Field.normalize(f.path, d.value), rule: d.rule })
        break
      case "ToErp":
        toErp.push({ path: f.path, before: Field.normalize(f.path, ev.get(f.path) ?? null), after: Field.normalize(f.path, d.value), rule: d.rule })
        break
      case "Pending":
        out.pendingWriteBacks++
        break
      case "Conflict":
        out.conflicts.push({ key, path: f.path, erp: Field.normalize(f.path, ev.get(f.path) ?? null), pipedrive: Field.normalize(f.path, pv.get(f.path) ?? null), base: Field.normalize(f.path, base?.get(f.path) ?? null), resolution: "held" })
        break
      case "Ignored":
        out.notes.push({ key, path: f.path, message: d.side === "erp" ? `changed in the ERP, but ${f.path} flows ${f.direction}: kept in Pipedrive (drift: "report")` : `changed in Pipedrive, but ${f.path} flows ${f.direction}: left as is (drift: "report")` })
        break
      case "Nothing":
        break
    }
  }
  // A key changed in Pipedrive, followed through the link: the ERP owns keys.
  if (compiled.key.pipedrive.kind === "code" && typeof wire.code === "string" && wire.code.trim() !== key) {
    toPd.push({ path: "code", before: wire.code, after: key, rule: "key-changed" })
  }
  let updated = false
  if (toPd.length > 0) {
    const body = PipedriveSide.toBody(compiled, new Map(toPd.filter((c) => c.path !== "code").map((c) => [c.path, c.after])), wire)
    if (Either.isLeft(body)) {
      for (const m of body.left) out.notes.push({ key, message: `not updated in Pipedrive: ${m}` })
    } else {
      const full = toPd.some((c) => c.path === "code") ? { ...body.right, code: key } : body.right
      out.operations.push({
        id: opId("pipedrive", "update", key),
        key,
        side: "pipedrive",
        kind: "update",
        pipedriveId: wire.id,
        changes: toPd,
        reason: summarize(toPd),
        tokens: tokenCost.update,
        body: full
      })
      // Filling fields Pipedrive holds empty (a field just created, say) overwrites nothing.
      updated = toPd.some((c) => c.before !== undefined && c.before !== null)
    }
  }
  if (toErp.length > 0) {
    out.operations.push({ id: opId("erp", "update", key), key, side: "erp", kind: "update", pipedriveId: wire.id, changes: toErp, reason: summarize(toErp), tokens: 0 })
  }
  return updated
}

const ruleText: Record<Plan.Rule, string> = {
  "erp-changed": "changed in the ERP",
  "pipedrive-changed": "changed in Pipedrive",
  "first-run-owner": "no value agreed yet: the owner's",
  "conflict-erp-wins": "both changed: the ERP wins",
  "conflict-pipedrive-wins": "both changed: Pipedrive wins",
  "one-way": "both changed: the source side wins",
  "erp-owned": "changed in Pipedrive, set back: the ERP owns it",
  "pipedrive-owned": "changed in the ERP, set back: Pipedrive owns it",
  create: "new product",
  "key-changed": "key changed in Pipedrive",
  "delete-policy": "delete policy"
}

const summarize = (changes: ReadonlyArray<Plan.FieldChange>): string =>
  [...new Set(changes.map((c) => ruleText[c.rule]))].join("; ")
