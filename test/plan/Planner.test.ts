import { assert, describe, it } from "@effect/vitest"
import { BigDecimal, Either } from "effect"
import * as Currency from "../../src/domain/Currency.js"
import * as Field from "../../src/domain/Field.js"
import type * as Plan from "../../src/domain/Plan.js"
import type { AccountField } from "../../src/mapping/AccountFields.js"
import * as Compile from "../../src/mapping/Compile.js"
import * as Erp from "../../src/mapping/Erp.js"
import { defineMapping } from "../../src/mapping/Mapping.js"
import type * as Wire from "../../src/pipedrive/Wire.js"
import * as Planner from "../../src/plan/Planner.js"

const brand: AccountField = { field_code: "b".repeat(40), field_name: "Brand", field_type: "varchar", options: null, is_custom_field: true }
const mapping = defineMapping({
  key: { erp: "sku" },
  fields: {
    name: { erp: "name" },
    description: { erp: "description", direction: "both", owner: "pipedrive" },
    "prices.EUR.price": { erp: "eur", type: "decimal" },
    "custom.Brand": { erp: "brand", direction: "both", conflicts: "erp-wins" }
  }
})
type Mode = "mirror" | "additive" | "update-only" | "off"
const compiled = (mode: { toPipedrive: Mode; toErp: Mode } = { toPipedrive: "mirror", toErp: "additive" }) =>
  Either.getOrThrow(
    Compile.compile(mapping, { header: ["sku", "name", "description", "eur", "brand"], fields: [brand], currencies: Currency.registry([["EUR", 2], ["USD", 2]]), pins: [], mode, conflicts: "manual", source: "m.ts" })
  )

const erpRow = (c: Compile.Compiled, cells: Record<string, string>) =>
  Either.getOrThrow(Erp.fromRow(c, (col) => cells[col] ?? "", { decimal: () => "point" }))

const wire = (id: number, code: string, over: Partial<Wire.Product> = {}): Wire.Product => ({
  id,
  name: `Product ${code}`,
  code,
  description: `About ${code}`,
  is_linkable: true,
  is_deleted: false,
  prices: [{ currency: "EUR", price: 10, cost: 0, direct_cost: null, notes: "" }, { currency: "USD", price: 11, cost: 3, direct_cost: null, notes: "kept" }],
  custom_fields: { [brand.field_code]: "Acme" },
  ...over
})

interface State {
  readonly erp: Array<Record<string, string>>
  readonly pipedrive: Array<Wire.Product>
  readonly base?: Map<string, Map<string, Field.Value>>
  readonly links?: Map<string, number>
  readonly pending?: Map<string, Map<string, Field.Value>>
  readonly deletes?: "ignore" | "unlink" | "archive" | "delete"
  readonly mode?: { toPipedrive: Mode; toErp: Mode }
  readonly lastErpRows?: number
  readonly guards?: { maxChangedShare: number; maxDeletedShare: number; maxRowDrop: number; maxRejectedShare?: number; minCount?: number }
  readonly rejected?: ReadonlyArray<string>
  /** One reason per rejected row. */
  readonly rejectedReasons?: ReadonlyArray<string>
  readonly erpRows?: number
}

const run = (s: State): Plan.Plan => {
  const c = compiled(s.mode)
  return Planner.plan({
    compiled: c,
    erp: s.erp.map((r) => erpRow(c, r)),
    pipedrive: s.pipedrive,
    base: s.base ?? new Map(),
    links: s.links ?? new Map(),
    pending: s.pending ?? new Map(),
    rejectedKeys: new Set(s.rejected ?? []),
    deletes: s.deletes ?? "ignore",
    guards: { maxChangedShare: 1, maxDeletedShare: 1, maxRowDrop: 1, maxRejectedShare: 1, minCount: 0, ...s.guards },
    erpRows: s.erpRows ?? s.erp.length,
    ...(s.rejectedReasons === undefined ? {} : { rejectedReasons: s.rejectedReasons }),
    lastErpRows: s.lastErpRows,
    hash: "h",
    now: "2026-11-27T00:00:00Z"
  })
}

const row = (sku: string, over: Record<string, string> = {}) => ({ sku, name: `Product ${sku}`, description: `About ${sku}`, eur: "10", brand: "Acme", ...over })
/** The base after both sides agreed on `row(sku)` / `wire(id, sku)`. */
const agreed = (skus: ReadonlyArray<string>) =>
  new Map(skus.map((sku) => [sku, new Map<string, Field.Value>([["name", `Product ${sku}`], ["description", `About ${sku}`], ["prices.EUR.price", BigDecimal.unsafeFromString("10")], ["custom.Brand", "Acme"]])]))
const linked = (pairs: ReadonlyArray<[string, number]>) => new Map(pairs)
const ops = (p: Plan.Plan) => p.operations.map((o) => `${o.side}:${o.kind}:${o.key}`)

describe("Planner", () => {
  it("in sync: an empty plan", () => {
    const p = run({ erp: [row("A")], pipedrive: [wire(1, "A")], base: agreed(["A"]), links: linked([["A", 1]]) })
    assert.deepStrictEqual(ops(p), [])
    assert.strictEqual(p.totals.tokens, 0)
  })

  it("an ERP price change becomes a PATCH that merges prices and keeps other currencies", () => {
    const p = run({ erp: [row("A", { eur: "12.5" })], pipedrive: [wire(1, "A")], base: agreed(["A"]), links: linked([["A", 1]]) })
    assert.deepStrictEqual(ops(p), ["pipedrive:update:A"])
    const op = p.operations[0]!
    assert.deepStrictEqual(op.body, { prices: [{ currency: "EUR", price: 12.5, cost: 0, direct_cost: null, notes: "" }, { currency: "USD", price: 11, cost: 3, direct_cost: null, notes: "kept" }] })
    assert.strictEqual(op.changes[0]?.rule, "erp-changed")
    assert.strictEqual(op.tokens, 5)
    assert.strictEqual(p.totals.tokens, 5)
  })

  it("19.9 and 19.90 are the same price: no write", () => {
    const p = run({ erp: [row("A", { eur: "19.90" })], pipedrive: [wire(1, "A", { prices: [{ currency: "EUR", price: 19.9, cost: 0 }] })], base: agreed(["A"]), links: linked([["A", 1]]) })
    assert.deepStrictEqual(ops(p).filter((o) => o.startsWith("pipedrive")), [])
  })

  it("a Pipedrive edit of a both-way field goes to the ERP; a conflict follows the field's policy", () => {
    const p = run({ erp: [row("A", { brand: "Beta" })], pipedrive: [wire(1, "A", { description: "Sales wrote this", custom_fields: { [brand.field_code]: "Gamma" } })], base: agreed(["A"]), links: linked([["A", 1]]) })
    const erpOp = p.operations.find((o) => o.side === "erp")!
    assert.deepStrictEqual(erpOp.changes.map((c) => [c.path, c.after, c.rule]), [["description", "Sales wrote this", "pipedrive-changed"]])
    const pdOp = p.operations.find((o) => o.side === "pipedrive")!
    assert.deepStrictEqual(pdOp.changes.map((c) => [c.path, c.after, c.rule]), [["custom.Brand", "Beta", "conflict-erp-wins"]])
  })

  it("a manual conflict is held and listed, not written", () => {
    const p = run({ erp: [row("A", { description: "ERP text" })], pipedrive: [wire(1, "A", { description: "Sales text" })], base: agreed(["A"]), links: linked([["A", 1]]) })
    assert.deepStrictEqual(ops(p), [])
    assert.deepStrictEqual(p.conflicts.map((c) => [c.key, c.path, c.erp, c.pipedrive, c.base]), [["A", "description", "ERP text", "Sales text", "About A"]])
  })

  it("both changed alike: the base advances without a write", () => {
    const p = run({ erp: [row("A", { name: "New" })], pipedrive: [wire(1, "A", { name: "New" })], base: agreed(["A"]), links: linked([["A", 1]]) })
    assert.deepStrictEqual(ops(p), [])
    assert.deepStrictEqual(p.agreements, [{ key: "A", path: "name", value: "New" }])
  })

  it("a pending write-back is not an ERP change: Pipedrive is never reverted", () => {
    const pending = new Map([["A", new Map<string, Field.Value>([["description", "Sales wrote this"]])]])
    const p = run({ erp: [row("A")], pipedrive: [wire(1, "A", { description: "Sales wrote this" })], base: agreed(["A"]), links: linked([["A", 1]]), pending })
    assert.deepStrictEqual(ops(p), [])
    assert.strictEqual(p.totals.pendingWriteBacks, 1)
    const imported = run({ erp: [row("A", { description: "Sales wrote this" })], pipedrive: [wire(1, "A", { description: "Sales wrote this" })], base: agreed(["A"]), links: linked([["A", 1]]), pending })
    assert.deepStrictEqual(imported.agreements, [{ key: "A", path: "description", value: "Sales wrote this" }])
  })

  it("creates on either side per the sync mode, and links matches made by key", () => {
    const p = run({ erp: [row("A"), row("NEW")], pipedrive: [wire(1, "A"), wire(2, "ONLY-PD")] })
    assert.deepStrictEqual(ops(p), ["pipedrive:create:NEW", "erp:create:ONLY-PD"])
    const create = p.operations.find((o) => o.key === "NEW")!
    assert.deepStrictEqual(create.body, { name: "Product NEW", description: "About NEW", code: "NEW", custom_fields: { [brand.field_code]: "Acme" }, prices: [{ currency: "EUR", price: 10, cost: 0, direct_cost: null, notes: "" }] })
    assert.deepStrictEqual(p.links, [{ key: "A", pipedriveId: 1 }, { key: "ONLY-PD", pipedriveId: 2 }])
    const updateOnly = run({ erp: [row("NEW")], pipedrive: [wire(2, "ONLY-PD")], mode: { toPipedrive: "update-only", toErp: "update-only" } })
    assert.deepStrictEqual(ops(updateOnly), [])
    assert.strictEqual(updateOnly.notes.length, 2)
  })

  it("two Pipedrive products with one code: reported and untouched", () => {
    const p = run({ erp: [row("A", { eur: "99" })], pipedrive: [wire(1, "A"), wire(2, "A")] })
    assert.deepStrictEqual(ops(p), [])
    assert.deepStrictEqual(p.ambiguities.map((a) => [a.key, a.pipedriveIds]), [["A", [1, 2]]])
  })

  it("a code changed in Pipedrive is followed through the link and set back (the ERP owns keys)", () => {
    const p = run({ erp: [row("A")], pipedrive: [wire(1, "A-renamed", { name: "Product A", description: "About A" })], base: agreed(["A"]), links: linked([["A", 1]]) })
    assert.deepStrictEqual(ops(p), ["pipedrive:update:A"])
    assert.deepStrictEqual(p.operations[0]?.body, { code: "A" })
    assert.strictEqual(p.operations[0]?.changes[0]?.rule, "key-changed")
  })

  it("a product gone from the ERP follows the delete policy, only in mirror mode", () => {
    const state = { erp: [row("B")], pipedrive: [wire(1, "A"), wire(2, "B")], base: agreed(["A", "B"]), links: linked([["A", 1], ["B", 2]]) }
    assert.deepStrictEqual(ops(run({ ...state, deletes: "ignore" })), [])
    assert.deepStrictEqual(ops(run({ ...state, deletes: "unlink" })), ["pipedrive:unlink:A"])
    const archive = run({ ...state, deletes: "archive" })
    assert.deepStrictEqual(ops(archive), ["pipedrive:archive:A"])
    assert.deepStrictEqual(archive.operations[0]?.body, { is_linkable: false })
    const del = run({ ...state, deletes: "delete" })
    assert.deepStrictEqual(ops(del), ["pipedrive:delete:A"])
    assert.strictEqual(del.operations[0]?.tokens, 3)
    assert.deepStrictEqual(ops(run({ ...state, deletes: "delete", mode: { toPipedrive: "additive", toErp: "additive" } })), [])
  })

  it("a product deleted in Pipedrive is never re-created behind the user's back", () => {
    const p = run({ erp: [row("A")], pipedrive: [wire(1, "A", { is_deleted: true })], base: agreed(["A"]), links: linked([["A", 1]]) })
    assert.deepStrictEqual(ops(p), [])
    assert.match(p.notes[0]?.message ?? "", /deleted in Pipedrive \(#1\); kept in the ERP and not re-created/)
  })

  it("a key with a base but never linked (a create that failed) is planned as a create, not as deleted in Pipedrive", () => {
    const p = run({ erp: [row("A", { eur: "" })], pipedrive: [], base: new Map([["A", new Map<string, Field.Value>([["prices.EUR.price", null]])]]) })
    assert.deepStrictEqual(ops(p), ["pipedrive:create:A"])
    assert.deepStrictEqual(p.notes, [])
  })

  it("a create's empty fields are agreed (recorded once Pipedrive answers); a field Pipedrive owns blanks nothing in the ERP", () => {
    const p = run({ erp: [row("A", { description: "" })], pipedrive: [] })
    assert.deepStrictEqual(ops(p), ["pipedrive:create:A"])
    assert.deepStrictEqual(p.agreements.map((a) => [a.key, a.path, a.value]), [["A", "description", null]])
  })

  it("a rejected ERP row leaves its product untouched: no create, no delete", () => {
    const p = run({ erp: [], pipedrive: [wire(1, "A")], base: agreed(["A"]), links: linked([["A", 1]]), deletes: "delete", rejected: ["A"], lastErpRows: 1 })
    assert.deepStrictEqual(ops(p), [])
  })

  it("guards: changed share, deleted share, row drop and an empty file, each saying by how much", () => {
    const erp = [row("A", { eur: "1" }), row("B", { eur: "2" }), row("C")]
    const pd = [wire(1, "A"), wire(2, "B"), wire(3, "C"), wire(4, "D")]
    const p = run({ erp, pipedrive: pd, base: agreed(["A", "B", "C", "D"]), links: linked([["A", 1], ["B", 2], ["C", 3], ["D", 4]]), deletes: "archive", lastErpRows: 10, guards: { maxChangedShare: 0.25, maxDeletedShare: 0.1, maxRowDrop: 0.5, maxRejectedShare: 0.1, minCount: 0 } })
    const verdict = Object.fromEntries(p.guards.map((g) => [g.name, g]))
    assert.isFalse(verdict.maxChangedShare!.passed)
    assert.match(verdict.maxChangedShare!.message, /2 of 3 existing Pipedrive products would be updated \(66.7 %; limit 25 %/)
    assert.isFalse(verdict.maxDeletedShare!.passed)
    assert.match(verdict.maxDeletedShare!.message, /1 of 4 linked products would be archived \(25 %; limit 10 %/)
    assert.isFalse(verdict.maxRowDrop!.passed)
    assert.match(verdict.maxRowDrop!.message, /7 of 10 ERP rows of the last run are gone \(the file has 3 now\) \(70 %; limit 50 %/)
    assert.isTrue(verdict.emptyFile!.passed)
    const empty = run({ erp: [], pipedrive: pd })
    assert.isFalse(empty.guards.find((g) => g.name === "emptyFile")!.passed)
  })

  it("the plan's order is deterministic, whatever the input order", () => {
    const erp = [row("C", { eur: "3" }), row("A", { eur: "1" }), row("NEW-2"), row("NEW-1"), row("B", { description: "x" })]
    const pd = [wire(3, "C"), wire(1, "A"), wire(2, "B"), wire(9, "ZZ")]
    const state = { erp, pipedrive: pd, base: agreed(["A", "B", "C"]), links: linked([["A", 1], ["B", 2], ["C", 3]]) }
    const a = run(state)
    const b = run({ ...state, erp: [...erp].reverse(), pipedrive: [...pd].reverse() })
    assert.deepStrictEqual(a.operations, b.operations)
    assert.deepStrictEqual(ops(a), ["pipedrive:update:A", "pipedrive:update:B", "pipedrive:update:C", "pipedrive:create:NEW-1", "pipedrive:create:NEW-2", "erp:create:ZZ"])
  })

  describe("guards measure the risk to what exists", () => {
    const defaults = { maxChangedShare: 0.5, maxDeletedShare: 0.05, maxRowDrop: 0.2, maxRejectedShare: 0.1, minCount: 5 }
    const verdicts = (p: Plan.Plan) => Object.fromEntries(p.guards.map((g) => [g.name, g]))

    it("a first load into an empty account trips nothing: creates change no existing product, and 0 of 0 linked are unlinked", () => {
      const erp = ["A", "B", "C", "D", "E", "F", "G"].map((k) => row(k))
      const p = run({ erp, pipedrive: [], guards: defaults })
      assert.strictEqual(p.totals.pipedriveCreates, 7)
      assert.isTrue(p.guards.every((g) => g.passed), JSON.stringify(p.guards))
      const v = verdicts(p)
      assert.match(v.maxChangedShare!.message, /^0 of 0 existing Pipedrive products would be updated/)
      assert.match(v.maxDeletedShare!.message, /^0 of 0 linked products would be unlinked \(0 %/)
    })

    it("a small catalog with one edit on each side passes (the floor), and a Pipedrive edit flowing to the ERP is no change of Pipedrive", () => {
      const erp = [row("A", { eur: "12" }), row("B")]
      const pd = [wire(1, "A"), wire(2, "B", { description: "Sales wrote this" })]
      const p = run({ erp, pipedrive: pd, base: agreed(["A", "B"]), links: linked([["A", 1], ["B", 2]]), guards: { ...defaults, maxChangedShare: 0.25 } })
      assert.deepStrictEqual(ops(p), ["pipedrive:update:A", "erp:update:B"])
      const v = verdicts(p)
      assert.isTrue(v.maxChangedShare!.passed)
      assert.match(v.maxChangedShare!.message, /^1 of 2 existing Pipedrive products would be updated \(50 %; limit 25 %, policies.guards.maxChangedShare; below the floor of 5/)
      // Without the floor, the same share trips.
      assert.isFalse(verdicts(run({ erp, pipedrive: pd, base: agreed(["A", "B"]), links: linked([["A", 1], ["B", 2]]), guards: { ...defaults, maxChangedShare: 0.25, minCount: 0 } })).maxChangedShare!.passed)
    })

    it("filling fields Pipedrive holds empty overwrites nothing: not counted as a change", () => {
      const erp = ["A", "B", "C", "D", "E", "F"].map((k) => row(k))
      const pd = ["A", "B", "C", "D", "E", "F"].map((k, i) => wire(i + 1, k, { custom_fields: { [brand.field_code]: null } }))
      const p = run({ erp, pipedrive: pd, links: linked(["A", "B", "C", "D", "E", "F"].map((k, i) => [k, i + 1] as [string, number])), guards: defaults })
      assert.strictEqual(p.totals.pipedriveUpdates, 6)
      assert.isTrue(verdicts(p).maxChangedShare!.passed)
      assert.match(verdicts(p).maxChangedShare!.message, /^0 of 6 existing Pipedrive products would be updated/)
    })

    it("maxRejectedShare: above the share and the floor refuses, with the reasons' counts; every row rejected always refuses", () => {
      const reasons = [...Array(6).fill("price: not a number"), "name: required"]
      const some = run({ erp: [row("A"), row("B"), row("C")], pipedrive: [], erpRows: 10, rejectedReasons: reasons, guards: defaults })
      const r = verdicts(some).maxRejectedShare!
      assert.isFalse(r.passed)
      assert.strictEqual(r.message, `7 of 10 ERP rows rejected (70 %; limit 10 %, policies.guards.maxRejectedShare): 6 × price: not a number; 1 × name: required`)
      const all = run({ erp: [], pipedrive: [], erpRows: 2, rejectedReasons: ["price: not a number", "price: not a number"], guards: { ...defaults, maxRejectedShare: 1, minCount: 100 } })
      const a = verdicts(all).maxRejectedShare!
      assert.isFalse(a.passed)
      assert.strictEqual(a.message, `2 of 2 ERP rows rejected (100 %; limit 100 %, policies.guards.maxRejectedShare) — every row: 2 × price: not a number`)
      const few = run({ erp: [row("A"), row("B"), row("C")], pipedrive: [], erpRows: 4, rejectedReasons: ["name: required"], guards: defaults })
      assert.isTrue(verdicts(few).maxRejectedShare!.passed)
    })
  })
})
