import { assert, describe, it } from "@effect/vitest"
import { Either, FastCheck as fc } from "effect"
import { readFileSync } from "node:fs"
import * as Currency from "../../src/domain/Currency.js"
import * as Field from "../../src/domain/Field.js"
import type { AccountField } from "../../src/mapping/AccountFields.js"
import * as Compile from "../../src/mapping/Compile.js"
import * as Erp from "../../src/mapping/Erp.js"
import demoMapping from "../../mappings/default.js"
import type * as Wire from "../../src/pipedrive/Wire.js"
import * as Planner from "../../src/plan/Planner.js"
import * as ProductJson from "../../src/domain/ProductJson.js"

// The demo mapping (and a set field) against the emulator's seed fields: text, decimal, boolean, price, cost and custom
// (varchar, double, enum) fields, plus a set field.
const seed = JSON.parse(readFileSync(new URL("../../fixtures/pipedrive-seed.json", import.meta.url), "utf8")) as {
  productFields: Array<AccountField>
  currencies: Array<{ code: string; decimal_points: number }>
}
const tags: AccountField = { field_code: "t".repeat(40), field_name: "Tags", field_type: "set", options: [{ id: 1, label: "a" }, { id: 2, label: "b" }], is_custom_field: true }
const fields = [...seed.productFields.map((f) => ({ ...f, is_custom_field: true })), tags]
const byName = (n: string) => fields.find((f) => f.field_name === n)!
const compiled = Either.getOrThrow(
  Compile.compile(
    { ...demoMapping, fields: { ...demoMapping.fields, "custom.Tags": { erp: "tags", type: { set: { separator: "|" } } } } },
    {
      header: ["sku", "name", "description", "unit", "tax_rate", "active", "price_eur", "cost_eur", "price_usd", "price_chf", "brand", "warranty_months", "color", "tags"],
      fields,
      currencies: Currency.registry(seed.currencies.map((c) => [c.code, c.decimal_points] as const)),
      pins: [],
      mode: { toPipedrive: "mirror", toErp: "additive" },
      conflicts: "manual",
      source: "m.ts"
    }
  )
)

/** Texts and numbers on both sides that are the same, nearly the same or different. */
const text = fc.constantFrom("Desk", "Desk ", "desk", "", "a\r\nb", "a\nb", "Ösen «x»")
const num = fc.constantFrom(0, 1, 19, 19.9, 19.901, 100, 1e21, 0.1, -3)
const numText = (n: number) => (n === 1e21 ? "1000000000000000000000" : String(n))
const cellsArb = fc.record({
  name: fc.constantFrom("Desk", "Chair"),
  description: text,
  unit: text,
  tax: num,
  active: fc.constantFrom("1", "0"),
  eur: num,
  cost: fc.constantFrom(0, 5, 5.5),
  usd: fc.option(num, { nil: null }),
  brand: text,
  warranty: fc.option(num, { nil: null }),
  color: fc.constantFrom("Black", "Red", ""),
  tags: fc.constantFrom("a|b", "b|a", "a", "")
})
type Cells = typeof cellsArb extends fc.Arbitrary<infer A> ? A : never

const erpOf = (key: string, c: Cells) => {
  const cells: Record<string, string> = {
    sku: key, name: c.name, description: c.description, unit: c.unit, tax_rate: numText(c.tax), active: c.active, price_eur: numText(c.eur),
    cost_eur: numText(c.cost), price_usd: c.usd === null ? "" : numText(c.usd), brand: c.brand, warranty_months: c.warranty === null ? "" : numText(c.warranty),
    color: c.color, tags: c.tags
  }
  return Either.getOrThrow(Erp.fromRow(compiled, (col) => cells[col] ?? "", { decimal: () => "point" }))
}
const wireOf = (key: string, c: Cells, over: Record<string, unknown>): Wire.Product => ({
  id: 7,
  name: c.name,
  code: key,
  description: c.description,
  unit: c.unit === "" ? null : c.unit,
  tax: c.tax,
  is_linkable: c.active === "1",
  is_deleted: false,
  prices: [{ currency: "EUR", price: c.eur, cost: c.cost, direct_cost: null, notes: "" }, ...(c.usd === null ? [] : [{ currency: "USD", price: c.usd, cost: 0 }])],
  custom_fields: {
    [byName("Brand").field_code]: c.brand === "" ? null : c.brand,
    [byName("Warranty (months)").field_code]: c.warranty,
    [byName("Color").field_code]: byName("Color").options!.find((o) => o.label === c.color)?.id ?? null,
    [tags.field_code]: c.tags === "" ? null : c.tags.split("|").map((l) => tags.options!.find((o) => o.label === l)!.id)
  },
  ...over
} as Wire.Product)

const plan = (f: (acc: Planner.Accumulator) => void) => {
  const acc = Planner.accumulator({ compiled, deletes: "ignore", guards: { maxChangedShare: 1, maxDeletedShare: 1, maxRowDrop: 1, maxRejectedShare: 0.1, minCount: 0 } })
  f(acc)
  return acc.finish({ erpRows: 1, lastErpRows: undefined, pipedriveProducts: 1, hash: "h", now: "2026-11-27T00:00:00Z" })
}

/** The base both sides agreed on for `c` (`Field.toJson`, parsed as the store's JSON is). */
const baseOf = (key: string, c: Cells): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  for (const [path, v] of Field.flatten(erpOf(key, c))) out[path] = JSON.parse(Field.toJson(path, v))
  return out
}

describe("Planner.unchanged, the fast path for linked products in sync", () => {
  it("is taken for a product whose fields are the same in the ERP, Pipedrive and the base", () => {
    const c: Cells = { name: "Desk", description: "Oak desk", unit: "pcs", tax: 19, active: "1", eur: 19.9, cost: 5.5, usd: 21, brand: "Acme", warranty: 24, color: "Red", tags: "a|b" }
    const erp = JSON.parse(ProductJson.encode(erpOf("A", c)))
    assert.isTrue(Planner.unchanged(compiled, "A", erp, wireOf("A", c, {}), baseOf("A", c)))
    // Any one field differing on any side: not taken.
    assert.isFalse(Planner.unchanged(compiled, "A", erp, wireOf("A", { ...c, eur: 20 }, {}), baseOf("A", c)))
    assert.isFalse(Planner.unchanged(compiled, "A", erp, wireOf("A", c, {}), baseOf("A", { ...c, brand: "Other" })))
    assert.isFalse(Planner.unchanged(compiled, "A", JSON.parse(ProductJson.encode(erpOf("A", { ...c, tags: "a" }))), wireOf("A", c, {}), baseOf("A", c)))
    assert.isFalse(Planner.unchanged(compiled, "A", erp, wireOf("A", c, { code: "A2" }), baseOf("A", c)))
    assert.isFalse(Planner.unchanged(compiled, "A", erp, wireOf("A", c, { is_deleted: true }), baseOf("A", c)))
  })

  it("is taken only when the planner would plan nothing for the key (random sides, bases and near misses)", () => {
    let taken = 0
    fc.assert(
      fc.property(cellsArb, cellsArb, cellsArb, fc.constantFrom(true, true, true, false), fc.constantFrom(true, true, true, false), fc.constantFrom({}, {}, {}, { code: " A " }, { code: "B" }, { is_deleted: true }, { prices: null }, { tax: null }), (ce, cp, cb, sameP, sameB, over) => {
        const pc = sameP ? ce : cp
        const bc = sameB ? ce : cb
        const erpProduct = erpOf("A", ce)
        const erp = JSON.parse(ProductJson.encode(erpProduct))
        const wire = wireOf("A", pc, over)
        const base = baseOf("A", bc)
        if (!Planner.unchanged(compiled, "A", erp, wire, base)) return
        taken++
        const slow = plan((acc) =>
          acc.add({
            key: "A",
            erp: ProductJson.fromJsonValue(erp),
            rejected: false,
            linkedId: 7,
            linked: wire,
            candidates: [],
            base: new Map(Object.entries(base).map(([p, v]) => [p, Field.fromJsonValue(v)])),
            pending: undefined
          })
        )
        const fast = plan((acc) => acc.addUnchanged("A"))
        assert.deepStrictEqual(slow, fast)
      }),
      { numRuns: 1500 }
    )
    assert.isAbove(taken, 40) // the property is about the fast path: it must have been taken
  })
})
