/** The `money` value type: compiled for prices and monetary fields only, read exactly with its currency checked. */
import { assert, describe, it } from "@effect/vitest"
import { BigDecimal, Either } from "effect"
import { MoneyValue } from "../../src/domain/CatalogProduct.js"
import * as Currency from "../../src/domain/Currency.js"
import * as Field from "../../src/domain/Field.js"
import * as Problem from "../../src/domain/Problem.js"
import type { AccountField } from "../../src/mapping/AccountFields.js"
import * as Compile from "../../src/mapping/Compile.js"
import * as Erp from "../../src/mapping/Erp.js"
import * as MappingDecode from "../../src/mapping/Decode.js"
import { defineMapping, type MappingInput } from "../../src/mapping/Mapping.js"

const monetary: AccountField = { field_code: "abc123", field_name: "List price", field_type: "monetary", is_custom_field: true } as AccountField
const ctx: Compile.CompileContext = {
  header: ["sku", "name", "price", "list", "tax"],
  fields: [monetary],
  currencies: Currency.registry([["EUR", 2], ["ARS", 2], ["INR", 2], ["USD", 2]]),
  pins: [],
  mode: { toPipedrive: "additive", toErp: "additive" },
  conflicts: "manual",
  source: "mappings/m.ts"
}
const compile = (m: MappingInput) => Compile.compile(m, ctx)

const read = (m: MappingInput, cells: Record<string, string>, decimal: "point" | "comma" | "auto" = "point") => {
  const c = compile(m)
  if (Either.isLeft(c)) return assert.fail(c.left.map(Problem.render).join("\n"))
  return Erp.fromRow(c.right, (col) => cells[col], { decimal: () => decimal })
}

describe("type: \"money\"", () => {
  const mapping = defineMapping({
    key: { erp: "sku" },
    fields: { "prices.ARS.price": { erp: "price", type: "money" }, "custom.List price": { erp: "list", type: "money", currency: "EUR" } }
  })

  it("loads (the mapping's shape check knows it) and compiles for prices and monetary fields", () => {
    assert.isTrue(Either.isRight(MappingDecode.decode(mapping)))
    assert.isTrue(Either.isRight(compile(mapping)))
  })

  it("is refused on a field that holds no amount in a currency", () => {
    const r = compile(defineMapping({ key: { erp: "sku" }, fields: { tax: { erp: "tax", type: "money" }, name: { erp: "name", type: "money" } } }))
    if (Either.isRight(r)) return assert.fail("expected problems")
    const out = r.left.map(Problem.render).join("\n")
    assert.include(out, `fields["tax"].type: a money column cannot feed tax`)
    assert.include(out, `fields["name"].type: a money column cannot feed name`)
  })

  it("reads amounts with codes, signs and grouping exactly, in the field's currency", () => {
    const r = read(mapping, { sku: "A", price: "ARS 12,999.99", list: "2.625,00 €" }, "auto")
    if (Either.isLeft(r)) return assert.fail(JSON.stringify(r.left))
    const f = Field.flatten(r.right)
    assert.strictEqual(BigDecimal.format(f.get("prices.ARS.price") as BigDecimal.BigDecimal), "12999.99")
    const list = f.get("custom.List price")
    assert.instanceOf(list, MoneyValue)
    assert.strictEqual((list as MoneyValue).currency, "EUR")
    assert.strictEqual(BigDecimal.format((list as MoneyValue).amount), "2625")
  })

  it("an amount in another currency is a cell error naming the column; ambiguity follows the column's style", () => {
    const r = read(mapping, { sku: "A", price: "₹3,657.66", list: "1.234 €" }, "auto")
    if (Either.isRight(r)) return assert.fail("expected errors")
    assert.deepStrictEqual(r.left.map((e) => [e.column, e.reason]), [
      ["price", `"₹3,657.66" is in INR, but this column holds ARS amounts`],
      ["list", `"1.234 €" is ambiguous: "." may be a decimal or a thousands separator; set the decimal style`]
    ])
    const comma = read(mapping, { sku: "A", price: "ARS 5", list: "1.234 €" }, "comma")
    if (Either.isLeft(comma)) return assert.fail(JSON.stringify(comma.left))
    assert.strictEqual(BigDecimal.format((Field.flatten(comma.right).get("custom.List price") as MoneyValue).amount), "1234")
  })
})
