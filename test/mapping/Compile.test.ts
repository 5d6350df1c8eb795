import { assert, describe, it } from "@effect/vitest"
import { BigDecimal, Either } from "effect"
import { readFileSync } from "node:fs"
import * as Currency from "../../src/domain/Currency.js"
import * as Field from "../../src/domain/Field.js"
import * as Problem from "../../src/domain/Problem.js"
import type { AccountField } from "../../src/mapping/AccountFields.js"
import * as Compile from "../../src/mapping/Compile.js"
import * as Erp from "../../src/mapping/Erp.js"
import { defineMapping, type MappingInput } from "../../src/mapping/Mapping.js"
import * as PipedriveSide from "../../src/mapping/PipedriveSide.js"
import type * as Wire from "../../src/pipedrive/Wire.js"
import demoMapping from "../../mappings/default.js"

const seed = JSON.parse(readFileSync(new URL("../../fixtures/pipedrive-seed.json", import.meta.url), "utf8")) as {
  productFields: Array<AccountField>
  currencies: Array<{ code: string; decimal_points: number }>
  products: Array<Wire.Product>
}
const categoryField: AccountField = { field_code: "category", field_name: "Category", field_type: "enum", options: [{ id: "1", label: "Office" }, { id: "2", label: "Furniture" }], is_custom_field: false }
const accountFields: Array<AccountField> = [categoryField, ...seed.productFields.map((f) => ({ ...f, is_custom_field: true }))]
const currencies = Currency.registry(seed.currencies.map((c) => [c.code, c.decimal_points] as const))
const header = ["sku", "name", "description", "unit", "tax_rate", "category", "brand", "warranty_months", "color", "price_eur", "cost_eur", "price_usd", "price_chf", "active"]

const ctx = (over: Partial<Compile.CompileContext> = {}): Compile.CompileContext => ({
  header,
  fields: accountFields,
  currencies,
  pins: [],
  mode: { toPipedrive: "additive", toErp: "additive" },
  conflicts: "manual",
  source: "mappings/test.ts",
  ...over
})

const problems = (mapping: MappingInput, over: Partial<Compile.CompileContext> = {}) => {
  const r = Compile.compile(mapping, ctx(over))
  if (Either.isRight(r)) return assert.fail("expected problems")
  return r.left.map(Problem.render)
}
const compiled = (mapping: MappingInput, over: Partial<Compile.CompileContext> = {}) => {
  const r = Compile.compile(mapping, ctx(over))
  if (Either.isLeft(r)) return assert.fail(r.left.map(Problem.render).join("\n"))
  return r.right
}

describe("Compile: checked up front, every problem at once", () => {
  it("compiles the demo mapping and pins its custom fields by key", () => {
    const c = compiled(demoMapping)
    assert.strictEqual(c.key.erpColumn, "sku")
    assert.deepStrictEqual(c.pins.map((p) => p.label).sort(), ["Brand", "Color", "Warranty (months)"])
    assert.strictEqual(c.pins.find((p) => p.label === "Brand")?.fieldCode, accountFields.find((f) => f.field_name === "Brand")?.field_code)
    assert.strictEqual(c.byPath.get("description")?.direction, "both")
    assert.strictEqual(c.byPath.get("description")?.owner, "pipedrive")
  })

  it("names missing columns with the closest header names, and every other problem in the same run", () => {
    const out = problems(
      defineMapping({
        key: { erp: "SKU" },
        fields: {
          name: { erp: "nmae" },
          "prices.GBP.price": { erp: "price_eur" },
          "custom.Brnad": { erp: "brand" },
          description: { erp: "description", direction: "pipedrive→erp", owner: "erp" },
          unit: { erp: "unit", direction: "both" },
          category: { erp: "unit", direction: "both" }
        }
      })
    )
    const text = out.join("\n")
    assert.match(text, /key\.erp: column "SKU" is not in the ERP file's header; did you mean "sku"\?/)
    assert.match(text, /fields\["name"\]\.erp: column "nmae" is not in the ERP file's header; did you mean "name"\?/)
    assert.match(text, /fields\["prices\.GBP\.price"\]: the account has no currency GBP; add it in Pipedrive .*its currencies: CHF, EUR, JPY, USD/)
    assert.match(text, /fields\["custom\.Brnad"\]: the account has no custom product field labelled "Brnad" \(did you mean "Brand"\?\)/)
    assert.match(text, /fields\["description"\]\.owner: only applies to direction "both"/)
    assert.match(text, /fields\["category"\]\.erp: column "unit" is already written back by fields\["unit"\]/)
    assert.strictEqual(out.length, 6)
  })

  it("refuses a direction that contradicts the sync mode, and fields that cannot flow that way", () => {
    const text = problems(
      defineMapping({ key: { erp: "sku" }, fields: { name: { erp: "name" }, description: { erp: "description", direction: "both" }, active: { erp: "active", type: "boolean" }, code: { erp: "sku" } } }),
      { mode: { toPipedrive: "additive", toErp: "off" } }
    ).join("\n")
    assert.match(text, /fields\["description"\]\.direction: flows both, but policies\.mode sends nothing to the ERP \(toErp: "off"\)/)
    assert.match(text, /fields\["active"\]: Pipedrive's API cannot re-activate a deleted product.*map the column to "linkable"/)
    assert.match(text, /fields\["code"\]: code is the match key/)
  })

  it("refuses unknown targets and value types that cannot feed a field", () => {
    const text = problems(
      defineMapping({
        key: { erp: "sku" },
        fields: { ["nmae" as "name"]: { erp: "name" }, tax: { erp: "tax_rate", type: "boolean" }, "custom.Color": { erp: "color", type: { set: { separator: "|" } } } }
      })
    ).join("\n")
    assert.match(text, /fields\["nmae"\]: is not a Pipedrive product field; did you mean "name"\?/)
    assert.match(text, /fields\["tax"\]\.type: a boolean column cannot feed tax; use "decimal" or "integer"/)
    assert.match(text, /fields\["custom\.Color"\]\.type: a set column cannot feed the enum field "Color"; use "text" or "enum"/)
  })

  it("refuses two fields sharing a label, naming both keys", () => {
    const twin = { ...accountFields[1]!, field_code: "f".repeat(40) }
    const text = problems(defineMapping({ key: { erp: "sku" }, fields: { "custom.Brand": { erp: "brand" } } }), { fields: [...accountFields, twin] }).join("\n")
    assert.match(text, new RegExp(`2 custom fields share the label "Brand" \\(keys ${accountFields[1]!.field_code}, ${"f".repeat(40)}\\)`))
  })

  it("stops on a pinned field that was renamed, deleted or retyped, saying what to do", () => {
    const brand = accountFields.find((f) => f.field_name === "Brand")!
    const pins = [{ label: "Brand", fieldCode: brand.field_code, fieldType: "varchar" }]
    const mapping = defineMapping({ key: { erp: "sku" }, fields: { "custom.Brand": { erp: "brand" } } })
    const renamed = problems(mapping, { pins, fields: accountFields.map((f) => (f === brand ? { ...f, field_name: "Brand name" } : f)) }).join("\n")
    assert.match(renamed, /the custom field "Brand" \(key [0-9a-f]{40}\) was renamed to "Brand name" in Pipedrive; write custom\.Brand name in the mapping, or rename the field back/)
    const deleted = problems(mapping, { pins, fields: accountFields.filter((f) => f !== brand) }).join("\n")
    assert.match(deleted, /the custom field "Brand" \(key [0-9a-f]{40}\) was deleted in Pipedrive; nothing is written until this is resolved/)
    const recreated = problems(mapping, { pins, fields: [...accountFields.filter((f) => f !== brand), { ...brand, field_code: "b".repeat(40) }] }).join("\n")
    assert.match(recreated, /was deleted in Pipedrive, and another field now has that label/)
    const retyped = problems(mapping, { pins, fields: accountFields.map((f) => (f === brand ? { ...f, field_type: "text" } : f)) }).join("\n")
    assert.match(retyped, /changed type from varchar to text/)
  })

  it("refuses an owner contradicted by its conflict policy, and value maps to options the field does not have", () => {
    const text = problems(
      defineMapping({
        key: { erp: "sku" },
        fields: {
          description: { erp: "description", direction: "both", owner: "erp", conflicts: "pipedrive-wins" },
          "custom.Color": { erp: "color", type: { enum: { schwarz: "Black", lila: "Purple" } } }
        }
      })
    ).join("\n")
    assert.match(text, /fields\["description"\]\.conflicts: says pipedrive-wins but owner is erp; the owner wins conflicts unless conflicts is "manual" — drop one of them/)
    assert.match(text, /fields\["custom\.Color"\]\.type: maps to "Purple", not an option of "Color"; its options: "Black", "White", "Grey", "Blue", "Red"/)
  })

  it("with createMissingFields, lists the fields to create instead of refusing", () => {
    const c = compiled(defineMapping({ key: { erp: "sku" }, createMissingFields: true, fields: { name: { erp: "name" }, "custom.Material": { erp: "category", type: { enum: { Office: "Paper", Furniture: "Wood" } } }, "custom.Weight": { erp: "tax_rate", type: "decimal" } } }))
    assert.deepStrictEqual(c.toCreate, [{ label: "Material", type: "enum", options: ["Paper", "Wood"] }, { label: "Weight", type: "double", options: [] }])
  })
})

describe("Converters", () => {
  const c = compiled(demoMapping)
  const row = (cells: Record<string, string>) => Erp.fromRow(c, (col) => cells[col], { decimal: () => "comma" })

  it("reads an ERP row of the demo catalog into a canonical product", () => {
    const r = row({ sku: "OFF-1001", name: "Stapler", description: "A stapler", unit: "pcs", tax_rate: "19,00", brand: "Nordwerk", warranty_months: "24", color: "Black", price_eur: "19,90", cost_eur: "8,5", price_usd: "21,49", price_chf: "", active: "1" })
    if (Either.isLeft(r)) return assert.fail(JSON.stringify(r.left))
    const f = Field.flatten(r.right)
    assert.strictEqual(r.right.key, "OFF-1001")
    assert.isTrue(Field.equals("prices.EUR.price", f.get("prices.EUR.price")!, BigDecimal.unsafeFromString("19.9"), currencies))
    assert.isTrue(Field.equals("tax", f.get("tax")!, BigDecimal.unsafeFromString("19"), currencies))
    assert.strictEqual(f.get("prices.CHF.price"), null)
    assert.strictEqual(f.get("linkable"), true)
    assert.strictEqual(f.get("custom.Color"), "Black")
  })

  it("lists every bad cell of a row with its column", () => {
    const r = row({ sku: "", name: "X", tax_rate: "abc", price_eur: "12,3,4", active: "maybe" })
    if (Either.isRight(r)) return assert.fail("expected errors")
    assert.deepStrictEqual(r.left.map((e) => e.column).sort(), ["active", "price_eur", "sku", "tax_rate"])
    assert.match(r.left.find((e) => e.column === "price_eur")!.reason, /"12,3,4" is not a number/)
    assert.match(r.left.find((e) => e.column === "active")!.reason, /"maybe" is not a yes\/no value/)
  })

  it("reads a seeded Pipedrive product, and merges prices so untouched currencies stay", () => {
    const wire = seed.products.find((p) => p.code === "ELE-1001")!
    const product = PipedriveSide.fromWire(c, wire)
    if (Either.isLeft(product)) return assert.fail(product.left.join("\n"))
    assert.strictEqual(Field.flatten(product.right).get("custom.Brand"), "Alpina")
    const body = PipedriveSide.toBody(c, new Map([["prices.EUR.price", BigDecimal.unsafeFromString("99.5")]]), wire)
    if (Either.isLeft(body)) return assert.fail(body.left.join("\n"))
    const prices = body.right.prices as Array<{ currency: string; price: number }>
    assert.deepStrictEqual(prices.map((p) => p.currency), (wire.prices ?? []).map((p) => p.currency))
    assert.strictEqual(prices.find((p) => p.currency === "EUR")?.price, 99.5)
    assert.strictEqual(prices.find((p) => p.currency === "USD")?.price, wire.prices?.find((p) => p.currency === "USD")?.price)
    assert.deepStrictEqual(Object.keys(body.right), ["prices"])
  })

  it("a create carries the key as code and needs a name", () => {
    const ok = PipedriveSide.toBody(c, new Map<string, Field.Value>([["name", "New thing"], ["custom.Color", "Blue"]]), undefined, "NEW-1")
    if (Either.isLeft(ok)) return assert.fail(ok.left.join("\n"))
    assert.strictEqual(ok.right.code, "NEW-1")
    assert.deepStrictEqual(Object.values(ok.right.custom_fields as object), [34]) // "Blue" is option 34 in the seed
    const noName = PipedriveSide.toBody(c, new Map(), undefined, "NEW-2")
    assert.isTrue(Either.isLeft(noName))
  })

  it("formats values back into ERP cells in the file's style", () => {
    const price = c.byPath.get("prices.EUR.price")!
    assert.strictEqual(Erp.toCell(c, price, BigDecimal.unsafeFromString("19.9"), { decimal: "," }), "19,90")
    assert.strictEqual(Erp.toCell(c, c.byPath.get("linkable")!, false, { decimal: "," }), "0")
    assert.strictEqual(Erp.toCell(c, c.byPath.get("description")!, null, { decimal: "," }), "")
  })
})
