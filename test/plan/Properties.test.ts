/**
 * Property tests of the planner over random catalogs, edits and policies (issue 7): a plan applied
 * the way the executor applies it (Pipedrive writes advance the base; ERP-bound writes become
 * pending until the ERP imports them) leaves nothing to write when planning again; no operation
 * writes a field against its direction; a field changed on one side only is never reverted — except
 * a one-way field changed on the side it does not flow from, which is set back to its owner's value
 * (drift `restore`, the default since issue 13) or left alone (`report`); a pending write-back
 * never reverts Pipedrive; the plan's order does not depend on input order.
 */
import { assert, describe, it } from "@effect/vitest"
import { BigDecimal, Either } from "effect"
import fc from "fast-check"
import * as Currency from "../../src/domain/Currency.js"
import * as Field from "../../src/domain/Field.js"
import type * as Plan from "../../src/domain/Plan.js"
import type { AccountField } from "../../src/mapping/AccountFields.js"
import * as Compile from "../../src/mapping/Compile.js"
import * as Erp from "../../src/mapping/Erp.js"
import type { Direction } from "../../src/domain/Side.js"
import type * as Wire from "../../src/pipedrive/Wire.js"
import * as Planner from "../../src/plan/Planner.js"

const brand: AccountField = { field_code: "b".repeat(40), field_name: "Brand", field_type: "varchar", options: null, is_custom_field: true }
const notes: AccountField = { field_code: "c".repeat(40), field_name: "Notes", field_type: "text", options: null, is_custom_field: true }
const header = ["sku", "name", "description", "eur", "brand", "notes"]

type Mode = "mirror" | "additive" | "update-only"
interface Policy {
  readonly description: Direction
  readonly brand: Direction
  readonly owner: "erp" | "pipedrive"
  readonly conflicts: "erp-wins" | "pipedrive-wins" | "manual"
  readonly toPipedrive: Mode
  readonly toErp: Mode
  readonly deletes: "ignore" | "unlink" | "archive" | "delete"
  readonly drift: "restore" | "report"
}

const compile = (p: Policy) =>
  Either.getOrThrow(
    Compile.compile(
      {
        key: { erp: "sku" },
        fields: {
          name: { erp: "name" },
          description: p.description === "both" ? { erp: "description", direction: "both", owner: p.owner } : { erp: "description", direction: p.description, drift: p.drift },
          "prices.EUR.price": { erp: "eur", type: "decimal" },
          "custom.Brand": p.brand === "both" ? { erp: "brand", direction: "both", conflicts: p.conflicts } : { erp: "brand", direction: p.brand },
          "custom.Notes": { erp: "notes", direction: "pipedrive→erp" }
        }
      },
      { header, fields: [brand, notes], currencies: Currency.registry([["EUR", 2], ["USD", 2]]), pins: [], mode: { toPipedrive: p.toPipedrive, toErp: p.toErp }, conflicts: "manual", source: "m.ts" }
    )
  )

/** The world: ERP rows (cells), Pipedrive products, and the state. */
interface World {
  erp: Map<string, Record<string, string>>
  pd: Map<number, Wire.Product>
  base: Map<string, Map<string, Field.Value>>
  links: Map<string, number>
  pending: Map<string, Map<string, Field.Value>>
  nextId: number
}

const text = fc.constantFrom("", "alpha", "beta", "gamma")
const price = fc.constantFrom("1", "2.5", "10", "19.90")
const row = fc.record({ name: fc.constantFrom("Pen", "Desk", "Lamp"), description: text, eur: price, brand: text, notes: text })
const keys = fc.uniqueArray(fc.constantFrom("A", "B", "C", "D", "E", "F"), { minLength: 1, maxLength: 6 })
const policy: fc.Arbitrary<Policy> = fc.record({
  description: fc.constantFrom<Direction>("erp→pipedrive", "pipedrive→erp", "both"),
  brand: fc.constantFrom<Direction>("erp→pipedrive", "both"),
  owner: fc.constantFrom("erp", "pipedrive"),
  conflicts: fc.constantFrom("erp-wins", "pipedrive-wins", "manual"),
  toPipedrive: fc.constantFrom<Mode>("mirror", "additive", "update-only"),
  toErp: fc.constantFrom<Mode>("mirror", "additive", "update-only"),
  deletes: fc.constantFrom("ignore", "unlink", "archive", "delete"),
  drift: fc.constantFrom("restore", "report")
})

const wireOf = (id: number, key: string, r: Record<string, string>): Wire.Product => ({
  id,
  name: r.name ?? "x",
  code: key,
  description: r.description === "" ? null : (r.description ?? null),
  is_linkable: true,
  is_deleted: false,
  prices: [{ currency: "EUR", price: Number(r.eur ?? "1"), cost: 0, direct_cost: null, notes: "" }, { currency: "USD", price: 7, cost: 1, direct_cost: null, notes: "untouched" }],
  custom_fields: { [brand.field_code]: r.brand === "" ? null : (r.brand ?? null), [notes.field_code]: r.notes === "" ? null : (r.notes ?? null) }
})

const planOf = (w: World, c: Compile.Compiled, p: Policy): Plan.Plan =>
  Planner.plan({
    compiled: c,
    erp: [...w.erp].map(([key, cells]) => Either.getOrThrow(Erp.fromRow(c, (col) => (col === "sku" ? key : cells[col] ?? ""), { decimal: () => "point" }))),
    pipedrive: [...w.pd.values()],
    base: w.base,
    links: w.links,
    pending: w.pending,
    rejectedKeys: new Set(),
    deletes: p.deletes,
    guards: { maxChangedShare: 1, maxDeletedShare: 1, maxRowDrop: 1, maxRejectedShare: 0.1, minCount: 0 },
    erpRows: w.erp.size,
    lastErpRows: undefined,
    hash: "h",
    now: "2026-11-27T00:00:00Z"
  })

const setBase = (w: World, key: string, path: string, v: Field.Value) => {
  const m = w.base.get(key) ?? new Map<string, Field.Value>()
  m.set(path, Field.normalize(path, v))
  w.base.set(key, m)
}
const setPending = (w: World, key: string, path: string, v: Field.Value) => {
  const m = w.pending.get(key) ?? new Map<string, Field.Value>()
  m.set(path, Field.normalize(path, v))
  w.pending.set(key, m)
}

/** Applies a plan as the executor does (every Pipedrive write confirmed). */
const apply = (w: World, plan: Plan.Plan) => {
  for (const l of plan.links) w.links.set(l.key, l.pipedriveId)
  for (const a of plan.agreements) {
    setBase(w, a.key, a.path, a.value)
    w.pending.get(a.key)?.delete(a.path)
  }
  for (const op of plan.operations) {
    if (op.side === "pipedrive") {
      const body = (op.body ?? {}) as Record<string, unknown>
      if (op.kind === "create") {
        const id = w.nextId++
        w.pd.set(id, { id, name: String(body.name), code: op.key, description: (body.description as string | null) ?? null, is_linkable: true, is_deleted: false, prices: (body.prices as Wire.Price[]) ?? [], custom_fields: (body.custom_fields as Wire.Product["custom_fields"]) ?? {} })
        w.links.set(op.key, id)
      } else if (op.kind === "update" || op.kind === "archive") {
        const cur = w.pd.get(op.pipedriveId!)!
        const custom = { ...(cur.custom_fields ?? {}), ...((body.custom_fields as Record<string, unknown>) ?? {}) }
        w.pd.set(cur.id, { ...cur, ...body, custom_fields: custom } as Wire.Product)
      } else if (op.kind === "delete") {
        const cur = w.pd.get(op.pipedriveId!)!
        w.pd.set(cur.id, { ...cur, is_deleted: true })
      } else if (op.kind === "unlink") {
        w.links.delete(op.key)
        w.base.delete(op.key)
      }
      for (const ch of op.changes) setBase(w, op.key, ch.path, ch.after)
    } else {
      if (op.kind === "create" && op.pipedriveId !== undefined) w.links.set(op.key, op.pipedriveId)
      for (const ch of op.changes) setPending(w, op.key, ch.path, ch.after)
    }
  }
}

/** The ERP imports the write-back file: every pending value lands in its column. */
const importWriteBack = (w: World, c: Compile.Compiled) => {
  for (const [k, m] of w.pending) {
    const cells = { ...(w.erp.get(k) ?? {}) }
    for (const [path, v] of m) {
      const f = c.byPath.get(path)
      if (f?.erp?.column !== undefined) cells[f.erp.column] = Erp.toCell(c, f, v, { decimal: "." })
    }
    w.erp.set(k, cells)
  }
}

/** Syncs until both sides agree: plan, apply, the ERP imports, a few rounds. */
const settle = (w: World, c: Compile.Compiled, p: Policy) => {
  for (let i = 0; i < 3; i++) {
    apply(w, planOf(w, c, p))
    importWriteBack(w, c)
  }
}

const world = fc
  .tuple(keys, keys, fc.dictionary(fc.constantFrom("A", "B", "C", "D", "E", "F"), row), fc.dictionary(fc.constantFrom("A", "B", "C", "D", "E", "F"), row), fc.boolean())
  .map(([erpKeys, pdKeys, erpRows, pdRows, synced]) => ({ erpKeys, pdKeys, erpRows, pdRows, synced }))

const build = (g: { erpKeys: string[]; pdKeys: string[]; erpRows: Record<string, Record<string, string>>; pdRows: Record<string, Record<string, string>> }): World => {
  const fallback = { name: "Pen", description: "", eur: "1", brand: "", notes: "" }
  const w: World = { erp: new Map(), pd: new Map(), base: new Map(), links: new Map(), pending: new Map(), nextId: 1 }
  for (const k of g.erpKeys) w.erp.set(k, { ...(g.erpRows[k] ?? fallback) })
  for (const k of g.pdKeys) {
    const id = w.nextId++
    w.pd.set(id, wireOf(id, k, g.pdRows[k] ?? fallback))
  }
  return w
}

const isWrite = (op: Plan.Operation) => op.kind !== "unlink"

describe("Planner properties over random catalogs, edits and policies", () => {
  it("applying a plan and planning again gives an empty plan (and again once the ERP imports the write-back)", () => {
    fc.assert(
      fc.property(world, policy, fc.array(fc.tuple(fc.constantFrom("A", "B", "C"), row), { maxLength: 3 }), (g, p, edits) => {
        const c = compile(p)
        const w = build(g)
        apply(w, planOf(w, c, p))
        // Edits on both sides after a first sync.
        for (const [k, r] of edits) {
          if (w.erp.has(k)) w.erp.set(k, { ...w.erp.get(k)!, description: r.description, eur: r.eur })
          const id = w.links.get(k)
          if (id !== undefined && w.pd.get(id)?.is_deleted !== true) w.pd.set(id, { ...w.pd.get(id)!, custom_fields: { ...w.pd.get(id)!.custom_fields, [notes.field_code]: r.notes || null } })
        }
        apply(w, planOf(w, c, p))
        const again = planOf(w, c, p)
        assert.deepStrictEqual(again.operations.filter(isWrite).map((o) => `${o.side}:${o.kind}:${o.key}:${o.changes.map((x) => `${x.path}=${JSON.stringify(x.before)}→${JSON.stringify(x.after)}`).join(",")}`), [])
        // The ERP imports the write-back file: one more plan only advances the base.
        importWriteBack(w, c)
        const imported = planOf(w, c, p)
        apply(w, imported)
        assert.deepStrictEqual(imported.operations.filter(isWrite).filter((o) => o.side === "pipedrive").map((o) => o.id), [])
        assert.deepStrictEqual(planOf(w, c, p).operations.filter(isWrite).map((o) => o.id), [])
      }),
      { numRuns: 300 }
    )
  })

  it("no operation writes a field against its direction, and a one-sided change is never reverted", () => {
    fc.assert(
      fc.property(world, policy, fc.constantFrom("A", "B", "C"), row, fc.boolean(), (g, p, k, r, onErp) => {
        const c = compile(p)
        const w = build(g)
        settle(w, c, p)
        const before = planOf(w, c, p)
        fc.pre(before.operations.filter(isWrite).length === 0 && before.conflicts.length === 0)
        apply(w, before) // its agreements
        const id = w.links.get(k)
        fc.pre(w.erp.has(k) && id !== undefined && w.pd.get(id)?.is_deleted !== true)
        // Change the description on one side only.
        if (onErp) w.erp.set(k, { ...w.erp.get(k)!, description: `${r.description}!` })
        else w.pd.set(id!, { ...w.pd.get(id!)!, description: `${r.description}!` })
        const plan = planOf(w, c, p)
        for (const op of plan.operations) {
          for (const ch of op.changes) {
            const f = c.byPath.get(ch.path)
            if (f === undefined) continue
            if (op.side === "pipedrive") assert.notStrictEqual(f.direction, "pipedrive→erp", `${ch.path} written to Pipedrive`)
            if (op.side === "erp") assert.notStrictEqual(f.direction, "erp→pipedrive", `${ch.path} written to the ERP`)
            if (ch.path === "description" && op.key === k) {
              // A one-way field flows to its target side only: a change there is drift, set back (restore).
              const target = p.description === "both" ? (onErp ? "pipedrive" : "erp") : p.description === "erp→pipedrive" ? "pipedrive" : "erp"
              assert.strictEqual(op.side, target, "the changed side was reverted")
              const drift = p.description !== "both" && (op.side === "erp") === onErp
              if (drift) assert.strictEqual(p.drift, "restore", "drift set back under drift: report")
            }
          }
        }
      }),
      { numRuns: 300 }
    )
  })

  it("a pending write-back never reverts Pipedrive", () => {
    fc.assert(
      fc.property(world, policy, (g, p) => {
        fc.pre(p.description !== "erp→pipedrive")
        const c = compile(p)
        const w = build(g)
        apply(w, planOf(w, c, p))
        // Sales edit every linked description; the write-back is made but not imported.
        for (const [, id] of w.links) if (w.pd.get(id)?.is_deleted !== true) w.pd.set(id, { ...w.pd.get(id)!, description: "from sales" })
        apply(w, planOf(w, c, p))
        const plan = planOf(w, c, p)
        for (const op of plan.operations) if (op.side === "pipedrive") for (const ch of op.changes) assert.notStrictEqual(ch.path, "description")
      }),
      { numRuns: 300 }
    )
  })

  it("the plan's order is deterministic", () => {
    fc.assert(
      fc.property(world, policy, (g, p) => {
        const c = compile(p)
        const a = planOf(build(g), c, p)
        const b = planOf(build({ ...g, erpKeys: [...g.erpKeys].reverse(), pdKeys: g.pdKeys }), c, p)
        assert.deepStrictEqual(a.operations.map((o) => o.id), b.operations.map((o) => o.id))
      }),
      { numRuns: 200 }
    )
  })
})

void BigDecimal
