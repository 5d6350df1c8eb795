/**
 * The example mappings (mappings/odoo.ts, jtl-wawi.ts, shopware5-prices.ts) against the real files
 * they are written for: each loads through `Loader.loadMapping`, compiles against the file's header
 * and an account that has the fields its header comment lists, and reads real rows into the
 * expected canonical values. Then every up-front check of `Compile`, each with the message a user sees.
 */
import { assert, describe, it } from "@effect/vitest"
import { BigDecimal, Effect, Either } from "effect"
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import * as Loader from "../../src/config/Loader.js"
import { MoneyValue } from "../../src/domain/CatalogProduct.js"
import * as Currency from "../../src/domain/Currency.js"
import * as Field from "../../src/domain/Field.js"
import * as Problem from "../../src/domain/Problem.js"
import * as Tokenizer from "../../src/erp/Tokenizer.js"
import type { AccountField } from "../../src/mapping/AccountFields.js"
import * as Compile from "../../src/mapping/Compile.js"
import * as Erp from "../../src/mapping/Erp.js"
import * as MappingDecode from "../../src/mapping/Decode.js"
import { defineMapping, type MappingInput } from "../../src/mapping/Mapping.js"
import * as PipedriveSide from "../../src/mapping/PipedriveSide.js"

const samples = fileURLToPath(new URL("../fixtures/csv/", import.meta.url))
const mappingFile = (name: string) => fileURLToPath(new URL(`../../mappings/${name}`, import.meta.url))

/** A sample file as header + rows by column name (BOM dropped, the file's delimiter). */
const readCsv = (file: string, delimiter: "," | ";") => {
  const text = readFileSync(`${samples}${file}`, "utf8").replace(/^\uFEFF/, "")
  const tokenizer = Tokenizer.make({ delimiter, quote: '"' })
  const records: Array<Tokenizer.Record> = []
  tokenizer.push(text, records)
  assert.isUndefined(tokenizer.end(records))
  const [head, ...rows] = records.filter((r) => r.cells.some((c) => c !== ""))
  const header = head!.cells
  const byKey = new Map(rows.map((r) => [r.cells[0]!, (column: string) => { const i = header.indexOf(column); return i < 0 ? undefined : r.cells[i] }]))
  return { header, rows: byKey }
}

let codes = 0
const field = (field_name: string, field_type: string, options: ReadonlyArray<string> = []): AccountField => {
  codes++
  return {
    field_name,
    field_type,
    field_code: codes.toString(16).padStart(40, "c"),
    options: options.length === 0 ? null : options.map((label, i) => ({ id: codes * 100 + i, label })),
    is_custom_field: true
  }
}
/** Pipedrive's own fields, which are never custom and never match a label. */
const system: ReadonlyArray<AccountField> = ["name", "code", "description", "unit", "tax", "category", "prices"].map((c) => ({ field_code: c, field_name: c[0]!.toUpperCase() + c.slice(1), field_type: "varchar", is_custom_field: false }))
const currencies = Currency.registry([["EUR", 2], ["USD", 2], ["CHF", 2], ["JPY", 0]])

const context = (header: ReadonlyArray<string>, fields: ReadonlyArray<AccountField>, source: string): Compile.CompileContext => ({
  header,
  fields: [...system, ...fields],
  currencies,
  pins: [],
  mode: { toPipedrive: "additive", toErp: "additive" },
  conflicts: "manual",
  source
})

const loadAndCompile = async (name: string, ctx: Compile.CompileContext) => {
  const mapping = await Effect.runPromise(Loader.loadMapping(mappingFile(name)))
  const r = Compile.compile(mapping, ctx)
  if (Either.isLeft(r)) return assert.fail(r.left.map(Problem.render).join("\n"))
  return r.right
}

const read = (c: Compile.Compiled, cells: ((column: string) => string | undefined) | undefined, decimal: "point" | "comma") => {
  if (cells === undefined) return assert.fail("no such row in the sample")
  const r = Erp.fromRow(c, cells, { decimal: () => decimal })
  if (Either.isLeft(r)) return assert.fail(JSON.stringify(r.left))
  return { key: r.right.key as string, fields: Field.flatten(r.right) }
}

const dec = (s: string) => BigDecimal.unsafeFromString(s)
const assertEqual = (fields: ReadonlyMap<string, Field.Value>, path: string, expected: Field.Value) => {
  const actual = fields.get(path)
  assert.isTrue(actual !== undefined, `${path} is not read`)
  assert.isTrue(Field.equals(path, actual!, expected, currencies), `${path}: expected ${Field.show(expected)}, got ${Field.show(actual!)}`)
}

describe("Example mappings against the real files they are for", () => {
  it("odoo.ts: the external ID is the key, the Internal Reference the code, decimal points", async () => {
    const { header, rows } = readCsv("odoo_product_template_import_template.csv", ",")
    const fields = [field("Odoo ID", "varchar"), field("Product Type", "enum", ["Goods", "Service"]), field("Barcode", "varchar"), field("Weight (kg)", "double")]
    const c = await loadAndCompile("odoo.ts", context(header, fields, "mappings/odoo.ts"))
    assert.deepStrictEqual(c.key.pipedrive.kind === "custom" ? c.key.pipedrive.field?.field_code : undefined, fields[0]!.field_code)
    assert.deepStrictEqual(c.pins.map((p) => p.label).sort(), ["Barcode", "Odoo ID", "Product Type", "Weight (kg)"])

    const laptop = read(c, rows.get("product_template_2"), "point")
    assert.strictEqual(laptop.key, "product_template_2")
    assertEqual(laptop.fields, "name", "Dell Inspiron Laptop without OS")
    assertEqual(laptop.fields, "code", "DELL15")
    assertEqual(laptop.fields, "prices.EUR.price", dec("2499"))
    assertEqual(laptop.fields, "prices.EUR.cost", dec("1643"))
    assertEqual(laptop.fields, "description", "2 years warranty")
    assertEqual(laptop.fields, "custom.Product Type", "Goods")
    assertEqual(laptop.fields, "custom.Weight (kg)", null)

    const keyboard = read(c, rows.get("product_template_1"), "point")
    assertEqual(keyboard.fields, "prices.EUR.price", dec("29.99"))
    assertEqual(keyboard.fields, "custom.Barcode", null)

    const consulting = read(c, rows.get("product_template_3"), "point")
    assertEqual(consulting.fields, "code", null) // a service without an internal reference still has its key
    assertEqual(consulting.fields, "custom.Product Type", "Service")

    // The key goes into the "Odoo ID" field of a new product; the code is a field like any other.
    const body = PipedriveSide.toBody(c, laptop.fields, undefined, laptop.key)
    if (Either.isLeft(body)) return assert.fail(body.left.join("\n"))
    assert.strictEqual((body.right.custom_fields as Record<string, unknown>)[fields[0]!.field_code], "product_template_2")
    assert.strictEqual(body.right.code, "DELL15")
  })

  it("jtl-wawi.ts: quoted decimal-comma prices, tax 19,00 / 7,00, a revenue column mixing separators, umlauts", async () => {
    const { header, rows } = readCsv("jtl_wawi_export_de_mixed_decimals.csv", ",")
    assert.strictEqual(header[0], "Artikelnummer") // the BOM is not part of the first column's name
    const fields = [field("GTIN", "varchar"), field("RRP", "monetary"), field("Revenue (net)", "monetary"), field("Margin %", "double"), field("Idealo link", "varchar")]
    const c = await loadAndCompile("jtl-wawi.ts", context(header, fields, "mappings/jtl-wawi.ts"))

    const drn = read(c, rows.get("DRN-4260084340416"), "comma")
    assertEqual(drn.fields, "tax", dec("19"))
    assertEqual(drn.fields, "prices.EUR.price", dec("29.37"))
    assertEqual(drn.fields, "prices.EUR.cost", dec("26.62"))
    assertEqual(drn.fields, "custom.RRP", new MoneyValue({ amount: dec("44.9"), currency: Currency.code("EUR") }))
    assertEqual(drn.fields, "custom.Revenue (net)", new MoneyValue({ amount: dec("21454.58"), currency: Currency.code("EUR") }))
    assertEqual(drn.fields, "custom.Margin %", dec("9.36")) // (29.37 − 26.62) / 29.37
    assertEqual(drn.fields, "custom.GTIN", "4260084340416")

    const lipo = read(c, rows.get("NG-4260633570233"), "comma")
    assertEqual(lipo.fields, "name", "NatuGena LipoVitamine Forte 5000 | 20 ml | Vitamin A, E, K2 & D3 mit 5000 IE pro Tropfen | mit MCT-Kokosöl | vegetarisch")
    assertEqual(lipo.fields, "tax", dec("7"))
    assertEqual(lipo.fields, "prices.EUR.price", dec("32.66"))

    // "Umsatz Netto" is 962,04 in one row and 21454.58 in the others: each read by its own separator.
    const commaRevenue = [...rows.keys()].find((k) => rows.get(k)!("Umsatz Netto") === "962,04")
    const odd = read(c, rows.get(commaRevenue ?? ""), "comma")
    assertEqual(odd.fields, "custom.Revenue (net)", new MoneyValue({ amount: dec("962.04"), currency: Currency.code("EUR") }))

    // Every row of the export reads.
    for (const [key, cells] of rows) assert.isTrue(Either.isRight(Erp.fromRow(c, cells, { decimal: () => "comma" })), key)
  })

  it("shopware5-prices.ts: semicolons, 59,99 next to 199, a name from two columns, 0 as no price", async () => {
    const { header, rows } = readCsv("shopware5_article_prices_decimal_comma.csv", ";")
    const fields = [field("Supplier", "varchar"), field("Pseudo price", "double")]
    const c = await loadAndCompile("shopware5-prices.ts", context(header, fields, "mappings/shopware5-prices.ts"))
    assert.deepStrictEqual(c.columns.map((col) => col.name), ["ordernumber", "_name", "_additionaltext", "price", "purchaseprice", "_supplier", "pseudoprice"])

    const litre = read(c, rows.get("SW10002.1"), "comma")
    assertEqual(litre.fields, "name", "Münsterländer Lagerkorn 32% 1,5 Liter")
    assertEqual(litre.fields, "prices.EUR.price", dec("59.99"))
    assertEqual(litre.fields, "prices.EUR.cost", null) // purchaseprice 0: a cost of 0 is an empty cost
    assertEqual(litre.fields, "custom.Supplier", "Feinbrennerei Sasse")
    assertEqual(litre.fields, "custom.Pseudo price", null)
    assertEqual(read(c, rows.get("SW10002.2"), "comma").fields, "prices.EUR.price", dec("199"))
    assertEqual(read(c, rows.get("SW10004"), "comma").fields, "name", "Latte Macchiato 17%")

    const withPseudo = [...rows.entries()].find(([, cells]) => cells("pseudoprice") === "119,99")
    assertEqual(read(c, withPseudo?.[1], "comma").fields, "custom.Pseudo price", dec("119.99"))
    const green = [...rows.entries()].find(([, cells]) => cells("_additionaltext") === "grün")
    assert.match(read(c, green?.[1], "comma").fields.get("name") as string, / grün$/)

    // Back into the file's style: a decimal comma and the currency's two digits.
    assert.strictEqual(Erp.toCell(c, c.byPath.get("prices.EUR.price")!, dec("59.9"), { decimal: "," }), "59,90")
  })
})

// --- Every up-front check, with the message a user sees ---------------------------------------

const accountFields: ReadonlyArray<AccountField> = [
  field("Brand", "varchar"),
  field("Color", "enum", ["Black", "White"]),
  field("Sizes", "set", ["S", "M", "L"]),
  field("List price", "monetary"),
  field("Weight", "double"),
  field("Hazardous", "boolean"),
  field("Photo", "picture"),
  field("Account manager", "user")
]
const header = ["sku", "name", "gross", "tax", "brand", "color", "sizes", "list", "weight", "hazardous", "photo", "manager"]
const checkContext = (over: Partial<Compile.CompileContext> = {}): Compile.CompileContext => ({ ...context(header, accountFields, "mappings/shop.ts"), ...over })

/** The one problem a mapping has, as rendered for the user. */
const onlyProblem = (fields: MappingInput["fields"], over: Partial<Compile.CompileContext> = {}, key: MappingInput["key"] = { erp: "sku" }): string => {
  const r = Compile.compile(defineMapping({ key, fields }), checkContext(over))
  if (Either.isRight(r)) return assert.fail("expected the mapping to be refused")
  assert.strictEqual(r.left.length, 1, r.left.map(Problem.render).join("\n"))
  return Problem.render(r.left[0]!)
}

describe("Compile: each up-front check says where and what to do", () => {
  const at = (where: string, message: string) => `mappings/shop.ts: ${where}: ${message}`

  it("accepts every field in this account when mapped right (so each case below fails for its own reason)", () => {
    const r = Compile.compile(
      defineMapping({
        key: { erp: "sku" },
        fields: {
          name: { erp: "name" },
          tax: { erp: "tax" },
          "prices.EUR.price": { erp: ["gross", "tax"], compute: ({ gross, tax }) => (typeof gross === "number" && typeof tax === "number" ? gross / (1 + tax / 100) : null) },
          "custom.Brand": { erp: "brand" },
          "custom.Color": { erp: "color" },
          "custom.Sizes": { erp: "sizes", type: { set: { separator: "|" } } },
          "custom.List price": { erp: "list", currency: "EUR" },
          "custom.Weight": { erp: "weight" },
          "custom.Hazardous": { erp: "hazardous", booleans: { true: ["J"], false: ["N"] } }
        }
      }),
      checkContext()
    )
    assert.isTrue(Either.isRight(r), Either.isLeft(r) ? r.left.map(Problem.render).join("\n") : "")
  })

  it("several columns without compute: add compute or name one column", () => {
    assert.strictEqual(onlyProblem({ name: { erp: ["name", "brand"] } }), at(`fields["name"].erp`, "names 2 columns; only a computed field reads several (add compute, or name one column)"))
  })

  it("no column and no compute: the column is required", () => {
    assert.strictEqual(onlyProblem({ name: {} }), at(`fields["name"].erp`, "is required: the ERP column this field is read from"))
    assert.strictEqual(onlyProblem({ name: { direction: "both" } }), at(`fields["name"].erp`, "is required: the ERP column this field is read from and written back to"))
  })

  it("compute on a field that flows back to the ERP", () => {
    assert.strictEqual(
      onlyProblem({ name: { erp: ["name", "brand"], direction: "both", compute: ({ name }) => (typeof name === "string" ? name : null) } }),
      at(`fields["name"].compute`, "a computed value can only flow erp→pipedrive (it has no single column to write back to)")
    )
  })

  it("booleans on a field that is not a flag", () => {
    assert.strictEqual(onlyProblem({ "custom.Brand": { erp: "brand", booleans: { true: ["J"], false: ["N"] } } }), at(`fields["custom.Brand"].booleans`, `only applies to type "boolean"`))
  })

  it("a monetary field without a currency, or with one the account lacks", () => {
    assert.strictEqual(onlyProblem({ "custom.List price": { erp: "list" } }), at(`fields["custom.List price"].currency`, `is required: "List price" is a monetary field, so say which currency the ERP column is in`))
    assert.strictEqual(onlyProblem({ "custom.List price": { erp: "list", currency: "GBP" } }), at(`fields["custom.List price"].currency`, "the account has no currency GBP; add it in Pipedrive or use one of its currencies: CHF, EUR, JPY, USD"))
  })

  it("the key in a custom field that is not a text field, or that does not exist", () => {
    assert.strictEqual(onlyProblem({}, {}, { erp: "sku", pipedrive: "custom.Weight" }), at("key.pipedrive", `the key field "Weight" must be a text field, but it is double; match on "code" or on a text custom field`))
    assert.strictEqual(
      onlyProblem({}, {}, { erp: "sku", pipedrive: "custom.ERP ID" }),
      at("key.pipedrive", `the account has no custom product field labelled "ERP ID"; create it in Pipedrive, or set createMissingFields: true in the mapping to have catalog-sync create it`)
    )
  })

  it("a value type a field cannot take: text into a set, text into a flag, a set into an enum", () => {
    assert.strictEqual(onlyProblem({ "custom.Sizes": { erp: "sizes", type: "text" } }), at(`fields["custom.Sizes"].type`, `a text column cannot feed the set field "Sizes"; use "set"`))
    assert.strictEqual(onlyProblem({ "custom.Hazardous": { erp: "hazardous", type: "text" } }), at(`fields["custom.Hazardous"].type`, `a text column cannot feed the boolean field "Hazardous"; use "boolean"`))
    assert.strictEqual(onlyProblem({ "custom.Color": { erp: "color", type: { set: { separator: "," } } } }), at(`fields["custom.Color"].type`, `a set column cannot feed the enum field "Color"; use "text" or "enum"`))
    assert.strictEqual(onlyProblem({ linkable: { erp: "name", type: "text" } }), at(`fields["linkable"].type`, `a text column cannot feed linkable; use "boolean"`))
  })

  it("a field type that cannot be synced, and one that cannot be read from a column", () => {
    assert.strictEqual(onlyProblem({ "custom.Photo": { erp: "photo" } }), at(`fields["custom.Photo"]`, "the custom field \"Photo\" has type picture, which catalog-sync cannot sync; remove it from the mapping"))
    assert.strictEqual(
      onlyProblem({ "custom.Account manager": { erp: "manager" } }),
      at(`fields["custom.Account manager"]`, `a user field cannot be read from an ERP column; give it direction "pipedrive→erp"`)
    )
  })

  it("owner and conflicts on a field that flows one way", () => {
    assert.strictEqual(onlyProblem({ name: { erp: "name", owner: "erp" } }), at(`fields["name"].owner`, `only applies to direction "both" (this field flows erp→pipedrive)`))
    assert.strictEqual(
      onlyProblem({ name: { erp: "name", direction: "pipedrive→erp", conflicts: "erp-wins" } }),
      at(`fields["name"].conflicts`, `only applies to direction "both" (this field flows pipedrive→erp; it cannot conflict)`)
    )
  })

  it("a direction the sync mode switches off", () => {
    assert.strictEqual(
      onlyProblem({ name: { erp: "name" } }, { mode: { toPipedrive: "off", toErp: "additive" } }),
      at(`fields["name"].direction`, `flows erp→pipedrive, but policies.mode sends nothing to Pipedrive (toPipedrive: "off"); give the field direction "pipedrive→erp", or change the mode`)
    )
  })

  it("the same custom field twice, by labels differing in case", () => {
    const text = Compile.compile(defineMapping({ key: { erp: "sku" }, fields: { "custom.Brand": { erp: "brand" }, "custom.brand": { erp: "name" } } }), checkContext())
    if (Either.isRight(text)) return assert.fail("expected problems")
    assert.deepStrictEqual(text.left.map(Problem.render), [
      at(`fields["custom.brand"]`, `the account has no custom product field labelled "brand" (did you mean "Brand"?); create it in Pipedrive, or set createMissingFields: true in the mapping to have catalog-sync create it`),
      at(`fields["custom.brand"]`, `names the same custom field as fields["custom.Brand"] (labels differ only in case); map each field once`)
    ])
  })

  it("an unknown target, a currency the account lacks, a column not in the header, code mapped beside the key", () => {
    assert.strictEqual(
      onlyProblem({ ["prices.eur.price" as "name"]: { erp: "gross" } }),
      at(`fields["prices.eur.price"]`, `is not a Pipedrive product field; did you mean "prices.EUR.price"? (built-ins: name, code, description, unit, tax, category, active, linkable; prices.<CURRENCY>.price|cost|directCost; custom.<label>)`)
    )
    assert.strictEqual(onlyProblem({ "prices.GBP.price": { erp: "gross" } }), at(`fields["prices.GBP.price"]`, "the account has no currency GBP; add it in Pipedrive (Company settings → Currencies) or use one of its currencies: CHF, EUR, JPY, USD"))
    assert.strictEqual(onlyProblem({ "prices.EURO.price": { erp: "gross" } }), at(`fields["prices.EURO.price"]`, `the account has no currency EURO (did you mean "EUR"?); add it in Pipedrive (Company settings → Currencies) or use one of its currencies: CHF, EUR, JPY, USD`))
    assert.match(onlyProblem({ name: { erp: "Name" } }), /fields\["name"\]\.erp: column "Name" is not in the ERP file's header; did you mean "name"\? \(columns: "sku", "name", /)
    assert.strictEqual(onlyProblem({ code: { erp: "sku" } }), at(`fields["code"]`, `code is the match key: it is set from key.erp ("sku"); remove this entry`))
  })

  it("a mapping module with a misspelt option is refused by its shape, with the path", () => {
    const r = MappingDecode.decode({ key: { erp: "sku" }, fields: { name: { erp: "name", directon: "both" } } })
    if (Either.isRight(r)) return assert.fail("expected a shape error")
    assert.match(r.left.map(Problem.render).join("\n"), /fields\.name\.directon/)
    const key = MappingDecode.decode({ key: { erp: "sku", pipedrive: "Brand" }, fields: {} })
    if (Either.isRight(key)) return assert.fail("expected a shape error")
    assert.match(key.left.map(Problem.render).join("\n"), /key\.pipedrive: expected "code" or "custom.<label>", got "Brand"/)
  })
})
