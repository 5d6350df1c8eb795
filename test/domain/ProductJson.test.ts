import { assert, describe, it } from "@effect/vitest"
import BetterSqlite3 from "better-sqlite3"
import { Arbitrary, BigDecimal, FastCheck as fc, Schema } from "effect"
import { CatalogProduct, MoneyValue } from "../../src/domain/CatalogProduct.js"
import * as Currency from "../../src/domain/Currency.js"
import * as ProductJson from "../../src/domain/ProductJson.js"
import * as Sku from "../../src/domain/Sku.js"
import * as KeyOrder from "../../src/store/KeyOrder.js"

const products = Arbitrary.make(CatalogProduct)
const encodeBySchema = Schema.encodeSync(CatalogProduct)
const decodeBySchema = Schema.decodeUnknownSync(CatalogProduct, { onExcessProperty: "error" })

describe("ProductJson, the ERP snapshot's codec", () => {
  it("writes the JSON Schema writes, and reads back what Schema reads back", () => {
    fc.assert(
      fc.property(products, (p) => {
        const text = ProductJson.encode(p)
        assert.deepStrictEqual(JSON.parse(text), JSON.parse(JSON.stringify(encodeBySchema(p))))
        const ours = ProductJson.decode(text)
        assert.isTrue(ours instanceof CatalogProduct)
        assert.deepStrictEqual(ours, decodeBySchema(JSON.parse(text)))
      }),
      { numRuns: 300 }
    )
  })

  it("keeps decimals exact and tagged custom values as their classes", () => {
    const p = new CatalogProduct({
      key: Sku.make("A"),
      tax: BigDecimal.unsafeFromString("19.00"),
      prices: { [Currency.code("EUR")]: { price: BigDecimal.unsafeFromString("0.1"), directCost: null } },
      custom: { Price: new MoneyValue({ amount: BigDecimal.unsafeFromString("12345678901234567890.5"), currency: Currency.code("EUR") }), Weight: BigDecimal.unsafeFromString("2.50"), Text: "2.50" }
    })
    const back = ProductJson.decode(ProductJson.encode(p))
    assert.strictEqual(ProductJson.encode(p), '{"key":"A","tax":"19","prices":{"EUR":{"price":"0.1","directCost":null}},"custom":{"Price":{"amount":"12345678901234567890.5","currency":"EUR","_tag":"Money"},"Weight":{"_tag":"Decimal","value":"2.5"},"Text":"2.50"}}')
    assert.strictEqual(back.custom?.Text, "2.50")
    assert.isTrue(BigDecimal.isBigDecimal(back.custom?.Weight))
    assert.isTrue(back.custom?.Price instanceof MoneyValue)
    assert.isTrue(BigDecimal.equals(back.tax!, BigDecimal.unsafeFromString("19")))
  })

  it("what it does not recognise fails with Schema's message, not a wrong product", () => {
    assert.throws(() => ProductJson.decode('{"key":"A","tax":19}'), /tax/)
    assert.throws(() => ProductJson.decode('{"key":"A","prices":{"eur":{}}}'), /"eur"/)
    assert.throws(() => ProductJson.decode('{"key":"","name":"x"}'), /cannot be empty/)
    assert.throws(() => ProductJson.decode("[1, 2"), SyntaxError)
  })
})

describe("KeyOrder.compare", () => {
  it("orders keys exactly as SQLite's ORDER BY does, astral characters included", () => {
    const db = new BetterSqlite3(":memory:")
    try {
      db.exec("CREATE TABLE k (key TEXT PRIMARY KEY)")
      const insert = db.prepare("INSERT OR IGNORE INTO k VALUES (?)")
      const read = db.prepare("SELECT key FROM k ORDER BY key").pluck()
      const chars = fc.constantFrom("a", "B", "-", "0", "é", "\u00ff", "\ue000", "\uffee", "\ud83d\ude00", "\ud800\udc00", "z")
      fc.assert(
        fc.property(fc.uniqueArray(fc.array(chars, { minLength: 1, maxLength: 4 }).map((cs) => cs.join("")), { minLength: 2, maxLength: 30 }), (keys) => {
          db.exec("DELETE FROM k")
          keys.forEach((key) => insert.run(key))
          assert.deepStrictEqual([...keys].sort(KeyOrder.compare), read.all())
        }),
        { numRuns: 300 }
      )
    } finally {
      db.close()
    }
  })

  it("differs from JavaScript's own order where UTF-16 does", () => {
    assert.isTrue("\ud83d\ude00" < "\uffee")
    assert.isAbove(KeyOrder.compare("\ud83d\ude00", "\uffee"), 0)
  })
})
