/**
 * The mapping's up-front checks: rows the product cannot hold are row rejects, the key column
 * flows ERP → Pipedrive only, and `category` is an option field (labels ⇄ option ids) — unit tests
 * on the compiler and converters, and the built CLI against the bundled emulator.
 */
import { assert, describe, it } from "@effect/vitest"
import { Either } from "effect"
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as Currency from "../../src/domain/Currency.js"
import * as Field from "../../src/domain/Field.js"
import * as Problem from "../../src/domain/Problem.js"
import type { AccountField } from "../../src/mapping/AccountFields.js"
import * as Compile from "../../src/mapping/Compile.js"
import * as Erp from "../../src/mapping/Erp.js"
import { defineMapping, type MappingInput } from "../../src/mapping/Mapping.js"
import * as PipedriveSide from "../../src/mapping/PipedriveSide.js"
import * as Planner from "../../src/plan/Planner.js"
import * as ProductJson from "../../src/domain/ProductJson.js"
import { runCli } from "../cli/run.js"

const category: AccountField = { field_code: "category", field_name: "Category", field_type: "enum", options: [{ id: "5", label: "Furniture" }, { id: "6", label: "Office" }], is_custom_field: false }
const zoho: AccountField = { field_code: "a".repeat(40), field_name: "Zoho item ID", field_type: "varchar", options: null, is_custom_field: true }
const colour: AccountField = { field_code: "c".repeat(40), field_name: "Colour", field_type: "enum", options: [{ id: 31, label: "Black" }], is_custom_field: true }

const ctx = (header: ReadonlyArray<string>): Compile.CompileContext => ({
  header,
  fields: [category, zoho, colour],
  currencies: Currency.registry([["EUR", 2], ["INR", 2]]),
  pins: [],
  mode: { toPipedrive: "additive", toErp: "additive" },
  conflicts: "manual",
  source: "m.ts"
})
const header = ["Item ID", "Name", "Price", "Category", "Colour", "Flag"]
const compile = (mapping: MappingInput) => Compile.compile(mapping, ctx(header))
const problems = (mapping: MappingInput) => {
  const r = compile(mapping)
  return Either.isLeft(r) ? r.left.map(Problem.render).join("\n") : assert.fail("expected problems")
}
const compiled = (mapping: MappingInput) => {
  const r = compile(mapping)
  return Either.isRight(r) ? r.right : assert.fail(r.left.map(Problem.render).join("\n"))
}
const row = (c: Compile.Compiled, cells: Record<string, string>) => Erp.fromRow(c, (col) => cells[col], { decimal: () => "point" })

describe("the key column flows ERP → Pipedrive only", () => {
  it("refuses a two-way (or write-back) field that reads the key column", () => {
    const text = problems(defineMapping({ key: { erp: "Name" }, fields: { name: { erp: "Name", direction: "both" } } }))
    assert.match(text, /m\.ts: fields\["name"\]\.direction: reads the key column "Name", which flows ERP → Pipedrive only .*must be "erp→pipedrive"/)
    assert.match(problems(defineMapping({ key: { erp: "Name" }, fields: { description: { erp: "Name", direction: "pipedrive→erp" } } })), /fields\["description"\]\.direction: reads the key column "Name"/)
    // One way, it is an ordinary field.
    assert.strictEqual(compiled(defineMapping({ key: { erp: "Name" }, fields: { name: { erp: "Name" } } })).fields.length, 1)
  })

  it("refuses the key's custom field mapped as a two-way field, or fed from another column", () => {
    const key = { erp: "Item ID", pipedrive: "custom.Zoho item ID" } as const
    const both = problems(defineMapping({ key, fields: { name: { erp: "Name" }, "custom.Zoho item ID": { erp: "Item ID", direction: "both" } } }))
    assert.match(both, /fields\["custom\.Zoho item ID"\]\.direction: custom\.Zoho item ID is the match key, set from key\.erp \("Item ID"\); the key flows ERP → Pipedrive only/)
    assert.strictEqual(both.split("\n").length, 1)
    assert.match(problems(defineMapping({ key, fields: { name: { erp: "Name" }, "custom.Zoho item ID": { erp: "Name" } } })), /custom\.Zoho item ID is the match key, set from key\.erp \("Item ID"\); it cannot also be fed from column "Name": remove this entry/)
  })
})

describe("a row the product cannot hold is a row reject", () => {
  it("an empty name rejects the row naming the column; the next row reads", () => {
    const c = compiled(defineMapping({ key: { erp: "Item ID" }, fields: { name: { erp: "Name" }, "prices.EUR.price": { erp: "Price" } } }))
    const bad = row(c, { "Item ID": "A1", Name: "", Price: "10" })
    if (Either.isRight(bad)) return assert.fail("expected a reject")
    assert.deepStrictEqual(bad.left, [{ column: "Name", path: "name", reason: "the product name is empty; a Pipedrive product needs a name" }])
    assert.isTrue(Either.isRight(row(c, { "Item ID": "A2", Name: "Foo", Price: "12.50" })))
  })

  it("an empty flag the product cannot hold is refused; a field Pipedrive owns is left to Pipedrive instead", () => {
    const c = compiled(defineMapping({ key: { erp: "Item ID" }, fields: { name: { erp: "Name", direction: "pipedrive→erp" }, linkable: { erp: "Flag" } } }))
    const r = row(c, { "Item ID": "A1", Name: "", Flag: "" })
    if (Either.isRight(r)) return assert.fail("expected a reject")
    assert.deepStrictEqual(r.left.map((e) => [e.column, e.reason]), [["Flag", "is empty; linkable needs a value"]])
    const ok = row(c, { "Item ID": "A1", Name: "", Flag: "1" })
    if (Either.isLeft(ok)) return assert.fail(JSON.stringify(ok.left))
    assert.isFalse(Field.flatten(ok.right).has("name"))
  })
})

describe("category is an option field", () => {
  const c = compiled(defineMapping({ key: { erp: "Item ID" }, fields: { name: { erp: "Name" }, category: { erp: "Category", direction: "both" } } }))

  it("an ERP value that is not a category rejects the row with the categories; an empty one is empty", () => {
    const r = row(c, { "Item ID": "C3", Name: "Stool", Category: "Garden" })
    if (Either.isRight(r)) return assert.fail("expected a reject")
    assert.deepStrictEqual(r.left.map((e) => [e.column, e.reason]), [["Category", `"Garden" is not an option of "Category"; valid options: "Furniture", "Office"`]])
    const empty = row(c, { "Item ID": "C2", Name: "Table", Category: "" })
    if (Either.isLeft(empty)) return assert.fail(JSON.stringify(empty.left))
    assert.strictEqual(Field.flatten(empty.right).get("category"), null)
  })

  it("labels go to Pipedrive as option ids (numbers) and come back from their ids", () => {
    const body = PipedriveSide.toBody(c, new Map<string, Field.Value>([["name", "Chair"], ["category", "Furniture"]]), undefined, "C1")
    if (Either.isLeft(body)) return assert.fail(body.left.join("\n"))
    assert.strictEqual(body.right.category, 5)
    const cleared = PipedriveSide.toBody(c, new Map<string, Field.Value>([["category", null]]), { id: 1, name: "Chair", prices: [] })
    assert.deepStrictEqual(Either.getOrThrow(cleared), { category: null })
    const read = (category: string | null) => Either.map(PipedriveSide.fromWire(c, { id: 1, name: "Chair", code: "C1", category, prices: [] }), (p) => Field.flatten(p).get("category"))
    assert.deepStrictEqual(read("6"), Either.right("Office"))
    assert.deepStrictEqual(read(null), Either.right(null))
    assert.deepStrictEqual(read("Office"), Either.right("Office"))
    assert.isTrue(Either.isLeft(read("99")))
  })

  it("a product whose category agrees on both sides and with the base is proven unchanged on the stored JSON", () => {
    const erp = row(c, { "Item ID": "C1", Name: "Chair", Category: "Furniture" })
    if (Either.isLeft(erp)) return assert.fail(JSON.stringify(erp.left))
    const stored = JSON.parse(ProductJson.encode(erp.right)) as unknown
    const wire = { id: 1, name: "Chair", code: "C1", category: "5", prices: [] }
    assert.isTrue(Planner.unchanged(c, "C1", stored, wire, { name: "Chair", category: "Furniture" }))
    assert.isFalse(Planner.unchanged(c, "C1", stored, { ...wire, category: "6" }, { name: "Chair", category: "Furniture" }))
  })

  it("a value map must name categories, checked up front", () => {
    assert.match(
      problems(defineMapping({ key: { erp: "Item ID" }, fields: { category: { erp: "Category", type: { enum: { Möbel: "Furniture", Garten: "Garden" } } } } })),
      /fields\["category"\]\.type: maps to "Garden", not an option of "Category"; its options: "Furniture", "Office"/
    )
  })

  it("enum custom fields reject a value that is not an option the same way", () => {
    const e = compiled(defineMapping({ key: { erp: "Item ID" }, fields: { "custom.Colour": { erp: "Colour" } } }))
    const r = row(e, { "Item ID": "A1", Colour: "Pink" })
    assert.deepStrictEqual(Either.isLeft(r) ? r.left.map((x) => x.reason) : [], [`"Pink" is not an option of "Colour"; valid options: "Black"`])
  })
})

describe("createMissingFields creates the type the mapping implies, or says up front why it cannot", () => {
  it("monetary with a currency, numerical, single and multiple options", () => {
    const c = compiled(
      defineMapping({
        key: { erp: "Item ID" },
        createMissingFields: true,
        fields: {
          "custom.MRP": { erp: "Price", currency: "INR" },
          "custom.Weight": { erp: "Price", type: "decimal" },
          "custom.Group": { erp: "Category", type: { enum: { a: "A", b: "B" } } },
          "custom.Tags": { erp: "Colour", type: { set: { separator: "|", values: { x: "X", y: "Y" } } } }
        }
      })
    )
    assert.deepStrictEqual(c.toCreate, [
      { label: "MRP", type: "monetary", options: [] },
      { label: "Weight", type: "double", options: [] },
      { label: "Group", type: "enum", options: ["A", "B"] },
      { label: "Tags", type: "set", options: ["X", "Y"] }
    ])
  })

  it("refuses a boolean column, an option field without its options and an unknown currency, each saying why", () => {
    const text = problems(
      defineMapping({
        key: { erp: "Item ID" },
        createMissingFields: true,
        fields: {
          "custom.FK Advantage": { erp: "Flag", type: "boolean" },
          "custom.Group": { erp: "Category", type: { enum: {} } },
          "custom.MRP": { erp: "Price", currency: "XYZ" }
        }
      })
    )
    assert.match(text, /fields\["custom\.FK Advantage"\]: createMissingFields cannot create "FK Advantage" for a boolean column: Pipedrive's API creates no checkbox \(boolean\) product fields/)
    assert.match(text, /fields\["custom\.Group"\]\.type: createMissingFields cannot create the single option field "Group" without its options/)
    assert.match(text, /fields\["custom\.MRP"\]\.currency: the account has no currency XYZ/)
    assert.notMatch(text, /cannot feed the {2}field/)
  })
})

/** A project whose bundled-emulator account is `account` (the seed shape), with its CSV and mapping. */
const project = (csv: string, mapping: string, account: Record<string, unknown>): string => {
  const dir = mkdtempSync(join(tmpdir(), "catalog-sync-checks-"))
  writeFileSync(join(dir, "c.csv"), csv)
  writeFileSync(join(dir, "m.ts"), `export default ${mapping}\n`)
  writeFileSync(join(dir, "sync.config.ts"), `export default { erp: { path: "./c.csv" }, mapping: "./m.ts", state: "./state.db" }\n`)
  writeFileSync(join(dir, "emulator-account.json"), JSON.stringify({ currencies: [{ id: 1, code: "EUR", name: "Euro", decimal_points: 2, symbol: "€", active_flag: true, is_custom_flag: false }], users: [{ id: 1, name: "Admin" }], productFields: [], products: [], ...account }))
  return dir
}
const products = (dir: string) => (JSON.parse(readFileSync(join(dir, "emulator-account.json"), "utf8")) as { products: Array<{ code: string; name: string; category: string | null; prices: Array<{ price: number }> }> }).products

describe("through the built CLI", () => {
  it("one empty product name is a row reject with its reason; the other rows sync", () => {
    const dir = project("sku,name,price\nA1,,10\nA2,Foo,12.50\n", `{ key: { erp: "sku" }, fields: { name: { erp: "name" }, "prices.EUR.price": { erp: "price" } } }`, {})
    const plan = runCli(["plan"], { cwd: dir })
    assert.strictEqual(plan.code, 0, plan.stderr)
    assert.match(plan.stdout + plan.stderr, /line 2 \(A1\): name: the product name is empty; a Pipedrive product needs a name/)
    const sync = runCli(["sync", "--yes", "--force"], { cwd: dir })
    assert.strictEqual(sync.code, 0, sync.stdout + sync.stderr)
    assert.deepStrictEqual(products(dir).map((p) => [p.code, p.name, p.prices[0]?.price]), [["A2", "Foo", 12.5]])
    const again = runCli(["plan"], { cwd: dir })
    assert.strictEqual(again.code, 0, again.stderr)
    assert.notMatch(again.stdout + again.stderr, /cannot be read/)
  }, 120_000)

  it("the key column mapped as a two-way field is refused before anything is read", () => {
    const dir = project("Name,Price\nChair,10\n", `{ key: { erp: "Name" }, fields: { name: { erp: "Name", direction: "both" } } }`, {})
    const r = runCli(["plan"], { cwd: dir })
    assert.strictEqual(r.code, 1)
    assert.match(r.stderr, /fields\["name"\]\.direction: reads the key column "Name", which flows ERP → Pipedrive only/)
  })

  it("category: labels are sent as option ids, read back as labels, and a value that is no category is a row reject", () => {
    const dir = project(
      "sku,name,price,category\nC1,Chair,10,Furniture\nC2,Table,20,\nC3,Stool,5,Garden\n",
      `{ key: { erp: "sku" }, fields: { name: { erp: "name" }, "prices.EUR.price": { erp: "price" }, category: { erp: "category", direction: "both" } } }`,
      { categories: [{ id: 5, label: "Furniture" }, { id: 6, label: "Office" }] }
    )
    const first = runCli(["plan"], { cwd: dir })
    assert.strictEqual(first.code, 0, first.stderr)
    assert.match(first.stdout + first.stderr, /line 4 \(C3\): category: "Garden" is not an option of "Category"; valid options: "Furniture", "Office"/)
    const sync = runCli(["sync", "--yes", "--force"], { cwd: dir })
    assert.strictEqual(sync.code, 0, sync.stdout + sync.stderr)
    assert.deepStrictEqual(products(dir).map((p) => [p.code, p.category]), [["C1", "5"], ["C2", null]])
    const plan = runCli(["plan", "--format", "json"], { cwd: dir })
    assert.strictEqual(plan.code, 0, plan.stderr)
    const report = JSON.parse(plan.stdout) as { plan: { operations: Array<{ key: string }> } }
    assert.deepStrictEqual(report.plan.operations.map((o) => o.key), [])
  }, 120_000)
})
