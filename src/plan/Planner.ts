/**
 * The three-way planner (DESIGN §6.1–6.3, §6.6, §6.7), a pure function of both sides' snapshots,
 * the base, the links, the pending write-backs and the policies. It matches products by key (links
 * first, so a key changed in Pipedrive is followed), decides every mapped field with `Decide`,
 * turns the decisions into operations with their exact API bodies and token costs, and judges the
 * result against the guards. The same plan drives a dry run and a real run.
 */
import { BigDecimal, Either } from "effect"
import type { CatalogProduct } from "../domain/CatalogProduct.js"
import * as Field from "../domain/Field.js"
import * as Plan from "../domain/Plan.js"
import type { DeletePolicy, Guards } from "../domain/Policy.js"
import type { Compiled } from "../mapping/Compile.js"
import * as CustomValues from "../mapping/CustomValues.js"
import * as PipedriveSide from "../mapping/PipedriveSide.js"
import type * as Wire from "../pipedrive/Wire.js"
import * as Decide from "./Decide.js"

/** API token cost of each Pipedrive write (pipedrive-api.md §1.1, §3.1). */
export const tokenCost = { create: 5, update: 5, archive: 5, delete: 3, unlink: 0, createField: 5 } as const

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
  readonly guards: Guards
  readonly erpRows: number
  /** The ERP row count of the last run, if any. */
  readonly lastErpRows: number | undefined
  readonly hash: string
  readonly now: string
}

interface Builder {
  readonly operations: Array<Plan.Operation>
  readonly agreements: Array<Plan.Agreement>
  readonly links: Array<Plan.Link>
  readonly conflicts: Array<Plan.Conflict>
  readonly ambiguities: Array<Plan.Ambiguity>
  readonly notes: Array<Plan.Note>
  pendingWriteBacks: number
}

const opId = (side: string, kind: string, key: string) => `${side}:${kind}:${key}`

const pct = (x: number) => `${Math.round(x * 1000) / 10} %`

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

export interface Context {
  readonly compiled: Compiled
  readonly deletes: DeletePolicy
  readonly guards: Guards
}

export interface Totals {
  readonly erpRows: number
  readonly lastErpRows: number | undefined
  readonly pipedriveProducts: number
  readonly hash: string
  readonly now: string
  /** The reasons of the rejected ERP rows, one per row (`column: reason; …`). */
  readonly rejectedReasons?: ReadonlyArray<string>
}

/**
 * What the guards measure: `existing` products on both sides, of which `updated` get a Pipedrive
 * update that overwrites a value (filling empty fields risks nothing); `linked` products, of which `deleted` are deleted, archived or unlinked (either side).
 */
interface Counts {
  keys: number
  existing: number
  updated: number
  deleted: number
  linked: number
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

export const accumulator = (ctx: Context): Accumulator => {
  const out: Builder = { operations: [], agreements: [], links: [], conflicts: [], ambiguities: [], notes: [], pendingWriteBacks: 0 }
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
    finish: (totals) => finish(ctx, out, counts, totals)
  }
}

// ---------------------------------------------------------------------------------------------
// The fast path for products in sync. Most keys of a large catalog are linked products that
// nobody changed since the last run: every mapped field is the same in the ERP, in Pipedrive and in
// the base. `unchanged` proves that on the JSON as stored, without decoding (no BigDecimal, no
// product classes), by comparing a canonical text of each value. It only ever answers `true` when
// `add` would plan nothing for the key; anything it does not recognise, or any value that is not
// the very same on all three, answers `false` and the key goes through `add` (test/plan/Unchanged
// .test.ts checks that against the planner).

const canonicalDecimal = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]*[1-9])?$/

/** A value's canonical text: equal texts are equal values under `Field.equals`; `undefined`: unknown. */
const canonText = (s: string): string | undefined => (s === "" ? "n" : s.indexOf("\r") < 0 ? `s${s}` : undefined)
/** A decimal's text: equal texts are the same number. A zero cost is empty (`Field.normalize`). */
const canonDecimal = (t: string, zeroIsEmpty: boolean): string | undefined => {
  if (t === "-0" || !canonicalDecimal.test(t)) return undefined
  return t === "0" && zeroIsEmpty ? "n" : `d${t}`
}
const canonSet = (u: ReadonlyArray<unknown>): string | undefined => {
  for (const x of u) if (typeof x !== "string") return undefined
  const set = [...new Set(u as ReadonlyArray<string>)].sort()
  return set.length === 0 ? "n" : `a${JSON.stringify(set)}`
}
/** A value as `toJson` writes it (`decimalsAsText`: a plain string is a decimal, as in the ERP snapshot's prices and tax). */
const canonJson = (u: unknown, decimalsAsText: boolean, zeroIsEmpty: boolean): string | undefined => {
  if (u === null) return "n"
  if (typeof u === "string") return decimalsAsText ? canonDecimal(u, zeroIsEmpty) : canonText(u)
  if (decimalsAsText) return undefined
  if (typeof u === "boolean") return u ? "t" : "f"
  if (Array.isArray(u)) return canonSet(u)
  if (typeof u === "object") {
    const r = u as Record<string, unknown>
    let n = 0
    for (const _ in r) n++
    if (n === 2 && r._tag === "Decimal" && typeof r.value === "string") return canonDecimal(r.value, zeroIsEmpty)
  }
  return undefined
}
/** `PipedriveSide`'s decimal of a number: `safeFromNumber` reads `${n}`, so that text is its value. */
const canonNumber = (n: unknown, zeroIsEmpty: boolean): string | undefined => {
  if (n === null || n === undefined) return "n"
  if (typeof n !== "number") return undefined
  if (!Number.isFinite(n)) return "n"
  const t = `${n}`
  // A number's own text is canonical (no leading or trailing zeros, "0" for -0) unless in exponent form.
  return t.indexOf("e") >= 0 ? undefined : t === "0" && zeroIsEmpty ? "n" : `d${t}`
}
const canonValue = (v: Field.Value): string | undefined => {
  if (v === null) return "n"
  if (typeof v === "string") return canonText(v)
  if (typeof v === "boolean") return v ? "t" : "f"
  if (Array.isArray(v)) return canonSet(v)
  return BigDecimal.isBigDecimal(v) ? canonDecimal(BigDecimal.format(BigDecimal.normalize(v)), false) : undefined
}

const wireParts = { price: "price", cost: "cost", directCost: "direct_cost" } as const

/** What `PipedriveSide.readField` reads, as canonical text. */
const canonWire = (f: Compiled["fields"][number], wire: Wire.Product): string | undefined => {
  const t = f.target
  switch (t.kind) {
    case "builtin":
      switch (t.name) {
        case "tax":
          return canonNumber(wire.tax, false)
        case "active":
          return wire.is_deleted !== true ? "t" : "f"
        case "linkable":
          return wire.is_linkable !== false ? "t" : "f"
        case "category": {
          // An option id on the wire, a label in the base.
          const v = PipedriveSide.readField(f, wire)
          return Either.isLeft(v) ? undefined : canonValue(v.right)
        }
        default: {
          const v = wire[t.name]
          return v === null || v === undefined ? "n" : canonText(String(v))
        }
      }
    case "price": {
      if (wire.prices !== null && wire.prices !== undefined && !Array.isArray(wire.prices)) return undefined
      const entry = (wire.prices ?? []).find((p) => p.currency === t.currency)
      return entry === undefined ? "n" : canonNumber(entry[wireParts[t.part]], t.part !== "price")
    }
    case "custom": {
      if (f.custom === undefined) return "n"
      const raw = wire.custom_fields?.[f.custom.field_code] ?? null
      if (f.custom.field_type === "double" || f.custom.field_type === "int") {
        // `CustomValues.fromWire`: a finite number is `safeFromNumber` of it; anything else is not for the fast path.
        return raw === null ? "n" : typeof raw === "number" && Number.isFinite(raw) ? canonNumber(raw, false) : undefined
      }
      const v = CustomValues.fromWire(f.custom, raw)
      return Either.isLeft(v) ? undefined : canonValue(v.right)
    }
  }
}

/** The ERP snapshot's JSON of one field, as canonical text (`null` when the ERP has no opinion). */
const canonErp = (f: Compiled["fields"][number], erp: Record<string, unknown>): string | null | undefined => {
  const t = f.target
  let u: unknown
  if (t.kind === "builtin") u = erp[t.name]
  else if (t.kind === "price") u = (erp.prices as Record<string, Record<string, unknown> | undefined> | undefined)?.[t.currency]?.[t.part]
  else u = (erp.custom as Record<string, unknown> | undefined)?.[t.label]
  if (u === undefined) return null
  const decimal = t.kind === "price" || (t.kind === "builtin" && t.name === "tax")
  if (t.kind === "builtin" && (t.name === "active" || t.name === "linkable")) return typeof u === "boolean" ? (u ? "t" : "f") : undefined
  return canonJson(u, decimal, t.kind === "price" && t.part !== "price")
}

/**
 * Whether a linked key is in sync, proven on the stored JSON: `erp` is the ERP snapshot's product
 * (`JSON.parse` of its text), `wire` the linked Pipedrive product (live, and no other product takes
 * part for this key), `base` the key's base (field path → `toJson`'s JSON). `true` only when every
 * mapped field is the same on all three (the planner would decide nothing for any of them) and
 * the product's code still is its key. Keys with pending write-backs or rejected ERP rows never ask.
 */
export const unchanged = (compiled: Compiled, key: string, erp: unknown, wire: Wire.Product, base: Readonly<Record<string, unknown>>): boolean => {
  if (erp === null || typeof erp !== "object" || (erp as { key?: unknown }).key !== key) return false
  if (wire === null || typeof wire !== "object" || wire.is_deleted === true) return false
  if (compiled.key.pipedrive.kind === "code") {
    // `PipedriveSide.keyOf` reads the code; a code that is not the key is a key changed in Pipedrive.
    if (typeof wire.code !== "string" || wire.code.trim() !== key) return false
  } else if (Either.isLeft(PipedriveSide.keyOf(compiled, wire))) return false
  for (const f of compiled.fields) {
    const bJson = base[f.path]
    if (bJson === undefined) return false
    const b = canonJson(bJson, false, f.target.kind === "price" && f.target.part !== "price")
    if (b === undefined) return false
    const e = canonErp(f, erp as Record<string, unknown>)
    if (e === undefined || (e !== null && e !== b)) return false
    if (canonWire(f, wire) !== b) return false
  }
  return true
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

/**
 * Plans one key; says what it means for a product that exists: `matched` on both sides (`updated`
 * when Pipedrive's product gets an update), or `deleted`. Creates, write-backs of new rows and notes
 * are `none`: they change nothing that exists.
 */
const planKey = (ctx: Context, out: Builder, entry: Entry): "updated" | "matched" | "deleted" | "none" => {
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
    if (linkedId === undefined) out.links.push({ key, pipedriveId: pd.id })
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
    out.links.push({ key, pipedriveId: pd.id })
    return "none"
  }
  if (e === undefined && pd === undefined && linkedId !== undefined) {
    out.operations.push({ id: opId("pipedrive", "unlink", key), key, side: "pipedrive", kind: "unlink", pipedriveId: linkedId, changes: [], reason: "gone from both sides: forget the link", tokens: 0 })
  }
  return "none"
}

/**
 * A share guard: trips when `count` of `of` is above the share `limit` and `count` reaches the floor
 * `minCount` too (a small catalog's routine edits are no mass change); `always` trips it regardless.
 */
const shareGuard = (name: Plan.GuardName, count: number, of: number, limit: number, minCount: number, what: string, always = false): Plan.Guard => {
  const share = of === 0 ? 0 : count / of
  const over = share > limit
  const floor = over && !always && count < minCount ? `; below the floor of ${minCount} (policies.guards.minCount)` : ""
  return {
    name,
    passed: !always && !(over && count >= minCount),
    limit,
    actual: share,
    message: `${count} of ${of} ${what} (${pct(share)}; limit ${pct(limit)}, policies.guards.${name}${floor})`
  }
}

/** The rejected rows' reasons, most frequent first: `3 × price: "…" is not a number; 1 × …`. */
const reasonCounts = (reasons: ReadonlyArray<string>): string => {
  const counts = new Map<string, number>()
  for (const r of reasons) counts.set(r, (counts.get(r) ?? 0) + 1)
  const sorted = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
  const shown = sorted.slice(0, 3).map(([r, n]) => `${n} × ${r}`)
  const rest = sorted.slice(3).reduce((n, [, c]) => n + c, 0)
  return [...shown, ...(rest > 0 ? [`${rest} more with ${sorted.length - 3} other reasons`] : [])].join("; ")
}

/** Judges a plan against the guards (DESIGN §6.6): they measure the risk to what exists. */
const judge = (ctx: Context, out: Builder, counts: Counts, input: Totals): Array<Plan.Guard> => {
  const { guards: limits, deletes } = ctx
  const floor = limits.minCount
  const linked = counts.linked + out.links.length
  const gone = deletes === "delete" ? "deleted" : deletes === "archive" ? "archived" : "unlinked"
  const guards: Array<Plan.Guard> = [
    shareGuard("maxChangedShare", counts.updated, counts.existing, limits.maxChangedShare, floor, "existing Pipedrive products would be updated"),
    shareGuard("maxDeletedShare", counts.deleted, linked, limits.maxDeletedShare, floor, `linked products would be ${gone}`)
  ]
  if (input.lastErpRows === undefined || input.lastErpRows === 0) {
    guards.push({ name: "maxRowDrop", passed: true, limit: limits.maxRowDrop, actual: 0, message: "no earlier run to compare the ERP row count with" })
  } else {
    const dropped = Math.max(0, input.lastErpRows - input.erpRows)
    guards.push(shareGuard("maxRowDrop", dropped, input.lastErpRows, limits.maxRowDrop, floor, `ERP rows of the last run are gone (the file has ${input.erpRows} now)`))
  }
  const rejected = input.rejectedReasons ?? []
  const allRejected = rejected.length > 0 && rejected.length >= input.erpRows
  const r = shareGuard("maxRejectedShare", rejected.length, input.erpRows, limits.maxRejectedShare, floor, "ERP rows rejected", allRejected)
  // Most rows rejected for a repeated key: the file repeats keys by design (tiers, store views).
  const repeated = rejected.filter((x) => x.includes("every row with it is rejected")).length
  const byDesign = !r.passed && repeated * 2 > rejected.length
    ? ". If the file repeats keys by design (a row per tier, group or store view), say which rows are the products: rows.where or rows.duplicates in the mapping (docs/mapping.md, \"Rows\")"
    : ""
  guards.push(rejected.length === 0 ? r : { ...r, message: `${r.message}${allRejected ? " — every row" : ""}: ${reasonCounts(rejected)}${byDesign}` })
  guards.push({
    name: "emptyFile",
    passed: input.erpRows > 0,
    limit: 1,
    actual: input.erpRows,
    message: input.erpRows > 0 ? `the ERP file has ${input.erpRows} rows` : "the ERP file has no product rows: a truncated export would delete or archive everything"
  })
  return guards
}

const finish = (ctx: Context, out: Builder, counts: Counts, input: Totals): Plan.Plan => {
  const { compiled } = ctx
  const guards = judge(ctx, out, counts, input)
  const byKey = (a: { key: string }, b: { key: string }) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)
  const ops = out.operations.sort((a, b) => byKey(a, b) || (a.side === b.side ? a.kind.localeCompare(b.kind) : a.side === "pipedrive" ? -1 : 1))
  const count = (side: string, kind: string) => ops.filter((o) => o.side === side && o.kind === kind).length
  const fieldsToCreate = compiled.toCreate.map((f) => ({ label: f.label, type: f.type, options: [...f.options] }))
  return new Plan.Plan({
    version: Plan.version,
    createdAt: input.now,
    inputs: { hash: input.hash, erpRows: input.erpRows, pipedriveProducts: input.pipedriveProducts },
    operations: ops,
    agreements: out.agreements.sort(byKey),
    links: out.links.sort(byKey),
    conflicts: out.conflicts.sort(byKey),
    ambiguities: out.ambiguities.sort(byKey),
    notes: out.notes.sort(byKey),
    fieldsToCreate,
    guards,
    totals: {
      products: counts.keys,
      pipedriveCreates: count("pipedrive", "create"),
      pipedriveUpdates: count("pipedrive", "update"),
      pipedriveArchives: count("pipedrive", "archive"),
      pipedriveDeletes: count("pipedrive", "delete"),
      unlinks: ops.filter((o) => o.kind === "unlink").length,
      erpCreates: count("erp", "create"),
      erpUpdates: count("erp", "update"),
      fieldChanges: ops.reduce((n, o) => n + o.changes.length, 0),
      conflicts: out.conflicts.length,
      ambiguities: out.ambiguities.length,
      pendingWriteBacks: out.pendingWriteBacks,
      fieldsToCreate: fieldsToCreate.length,
      tokens: ops.reduce((n, o) => n + o.tokens, 0) + fieldsToCreate.length * tokenCost.createField
    }
  })
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
        out.agreements.push({ key, path: f.path, value: Field.normalize(f.path, d.value) })
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
