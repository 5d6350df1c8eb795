import { assert, describe, it } from "@effect/vitest"
import { Arbitrary, FastCheck as fc, Schema } from "effect"
import { CustomValue } from "../../src/domain/CatalogProduct.js"
import * as Field from "../../src/domain/Field.js"

// Field.fromJson / fromJsonValue read the common shapes by hand; Schema is the reference.
const bySchema = Schema.decodeUnknownSync(Schema.parseJson(CustomValue))
const encode = Schema.encodeSync(Schema.parseJson(CustomValue))
const outcome = (f: () => unknown) => {
  try {
    return { ok: f() }
  } catch (e) {
    return { error: e instanceof Error ? e.constructor.name : String(e) }
  }
}

describe("Field.fromJson and fromJsonValue, the base's codec", () => {
  it("toJson writes what Schema writes, for every value and path kind", () => {
    fc.assert(
      fc.property(Arbitrary.make(CustomValue), fc.constantFrom("name", "prices.EUR.price", "prices.EUR.cost", "custom.Tags"), (v, path) => {
        assert.strictEqual(Field.toJson(path, v), encode(Field.normalize(path, v)))
      }),
      { numRuns: 1000 }
    )
  })

  it("read back every value Schema writes, as Schema reads it", () => {
    fc.assert(
      fc.property(Arbitrary.make(CustomValue), (v) => {
        const text = encode(v)
        const want = bySchema(text)
        assert.deepStrictEqual(Field.fromJson(text), want)
        assert.deepStrictEqual(Field.fromJsonValue(JSON.parse(text)), want)
      }),
      { numRuns: 500 }
    )
  })

  it("agree with Schema on any JSON, near misses of the tagged decimal included (same value or both refuse)", () => {
    const nearMiss = fc.oneof(
      fc.record({ _tag: fc.constantFrom("Decimal", "decimal", "Money"), value: fc.oneof(fc.constantFrom("19.90", "-0", "1e3", "abc", "", " 1"), fc.string(), fc.integer()) }),
      fc.record({ _tag: fc.constant("Decimal"), value: fc.constant("2.50"), extra: fc.jsonValue() }),
      fc.array(fc.oneof(fc.string(), fc.integer(), fc.constant(null)))
    )
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), nearMiss), (u) => {
        const text = JSON.stringify(u)
        const want = outcome(() => bySchema(text))
        assert.deepStrictEqual(outcome(() => Field.fromJson(text)), want)
        assert.deepStrictEqual(outcome(() => Field.fromJsonValue(JSON.parse(text))), want)
      }),
      { numRuns: 1000 }
    )
    assert.throws(() => Field.fromJson("{"), /Expected|JSON/)
  })
})
