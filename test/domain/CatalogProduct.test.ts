import { assert, describe, it } from "@effect/vitest"
import { BigDecimal, Effect, Either, Schema } from "effect"
import * as CatalogProduct from "../../src/domain/CatalogProduct.js"
import * as Problem from "../../src/domain/Problem.js"

const encoded = {
  key: "OFF-1001",
  pipedriveId: 17,
  name: "Nordwerk Classic Stapler",
  code: "OFF-1001",
  description: null,
  unit: "pcs",
  tax: "19",
  category: null,
  active: true,
  linkable: true,
  prices: { EUR: { price: "19.9", cost: "8.5", directCost: null }, USD: { price: "21.49" } },
  custom: {
    Brand: "Nordwerk",
    "Warranty (months)": { _tag: "Decimal", value: "24" },
    Code: "24",
    Tags: ["eco", "office"],
    Budget: { _tag: "Money", amount: "2300", currency: "EUR" },
    Season: { _tag: "Range", from: "2026-01-01", until: null },
    Owner: { _tag: "Ref", id: 42 },
    Opens: { _tag: "Time", value: "09:00:00", until: null, timezoneId: 318, timezoneName: "Europe/London" },
    Site: { _tag: "Address", value: "Main St 1, Tallinn", parts: { locality: "Tallinn", country: null } },
    Cleared: null
  }
}

describe("CatalogProduct", () => {
  it.effect("decodes the JSON form into BigDecimals and encodes back to the same JSON", () =>
    Effect.gen(function*() {
      const product = yield* CatalogProduct.decode(encoded)
      const eur = product.prices?.["EUR" as never]
      assert.isTrue(eur?.price !== undefined && eur.price !== null && BigDecimal.equals(eur.price, BigDecimal.unsafeFromString("19.90")))
      assert.deepStrictEqual<unknown>(yield* CatalogProduct.encode(product), encoded)
    }))

  it("needs only a key; absent fields stay absent (no opinion), null stays null (empty)", () => {
    const p = Schema.decodeUnknownSync(CatalogProduct.CatalogProduct)({ key: "A-1", description: null })
    assert.isFalse("name" in p && p.name !== undefined)
    assert.strictEqual(p.description, null)
  })

  it("refuses bad values with a path for each problem", () => {
    const r = CatalogProduct.decodeEither({
      key: "",
      pipedriveId: -3,
      tax: "19,5",
      prices: { eur: { price: "x" } },
      active: 1
    })
    assert.isTrue(Either.isLeft(r))
    if (Either.isRight(r)) return
    const problems = Problem.fromParseError(r.left).map(Problem.render)
    const text = problems.join("\n")
    assert.match(text, /^key: a product key \(SKU\) cannot be empty$/m)
    assert.match(text, /^pipedriveId: /m)
    assert.match(text, /^tax: /m)
    assert.match(text, /^tax: expected a decimal number written with a point, such as "19.9", got "19,5"$/m)
    assert.match(text, /^prices\.eur: unknown setting/m)
    assert.match(text, /^active: expected a boolean, got 1$/m)
  })

  it("refuses a key with surrounding white space", () => {
    assert.isTrue(Either.isLeft(Schema.decodeUnknownEither(CatalogProduct.CatalogProduct)({ key: " A-1" })))
  })
})
