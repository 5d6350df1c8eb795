import { assert, describe, it } from "@effect/vitest"
import { Either } from "effect"
import fc from "fast-check"
import * as Currency from "../../src/domain/Currency.js"
import * as Field from "../../src/domain/Field.js"
import type { AccountField } from "../../src/mapping/AccountFields.js"
import * as CustomValues from "../../src/mapping/CustomValues.js"

const options = [{ id: 11, label: "Black" }, { id: 12, label: "White" }, { id: 13, label: "Grey" }, { id: 14, label: "Blue" }]
const field = (field_type: string): AccountField => ({ field_code: "a".repeat(40), field_name: `F ${field_type}`, field_type, options: ["enum", "set"].includes(field_type) ? options : null, is_custom_field: true })

const text = fc.string({ maxLength: 30 })
const num = fc.oneof(fc.integer({ min: -1e9, max: 1e9 }), fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true }).filter((n) => !Object.is(n, -0)))
const date = fc.date({ min: new Date("1990-01-01"), max: new Date("2090-01-01"), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10))
const time = fc.tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 })).map(([h, m]) => `${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}:00`)
const tz = fc.record({ timezone_id: fc.integer({ min: 1, max: 500 }), timezone_name: fc.constantFrom("Europe/London", "Europe/Tallinn", "America/New_York") })
const optionId = fc.constantFrom(...options.map((o) => o.id))

/** Wire values as Pipedrive API v2 returns them, per field type (pipedrive-api.md §3.4). */
const wireByType: Record<string, fc.Arbitrary<unknown>> = {
  varchar: fc.oneof(text, fc.constant(null)),
  varchar_auto: text,
  text: fc.string({ maxLength: 200 }),
  phone: fc.stringMatching(/^\+?[0-9 ]{3,15}$/),
  date,
  double: num,
  int: fc.integer(),
  boolean: fc.boolean(),
  monetary: fc.record({ value: num, currency: fc.constantFrom("EUR", "USD", "JPY") }),
  enum: optionId,
  set: fc.uniqueArray(optionId, { minLength: 1, maxLength: 4 }),
  daterange: fc.record({ value: date, until: date }),
  time: fc.tuple(time, tz).map(([value, z]) => ({ value, ...z })),
  timerange: fc.tuple(time, time, tz).map(([value, until, z]) => ({ value, until, ...z })),
  address: fc.record({ value: text, route: fc.oneof(text, fc.constant(null)), locality: fc.oneof(text, fc.constant(null)), country: fc.oneof(text, fc.constant(null)), postal_code: fc.oneof(text, fc.constant(null)) }),
  user: fc.integer({ min: 1, max: 1e6 }),
  org: fc.integer({ min: 1, max: 1e6 }),
  people: fc.integer({ min: 1, max: 1e6 })
}

describe("custom field values", () => {
  for (const [type, arb] of Object.entries(wireByType)) {
    it(`wire → canonical → wire is the identity for ${type}`, () => {
      const f = field(type)
      fc.assert(
        fc.property(arb, (wire) => {
          const canonical = CustomValues.fromWire(f, wire)
          if (Either.isLeft(canonical)) throw new Error(canonical.left)
          const back = CustomValues.toWire(f, canonical.right)
          if (Either.isLeft(back)) throw new Error(back.left)
          assert.deepStrictEqual(back.right, wire)
          // …and the canonical value survives the store's JSON.
          const path = Field.customPath(f.field_name)
          assert.isTrue(Field.equals(path, Field.fromJson(Field.toJson(path, canonical.right)), canonical.right, Currency.iso))
        }),
        { numRuns: 150 }
      )
    })
  }

  it("comparison ignores only what the rules say: set order and duplicates, empty text vs null, number scale, line endings", () => {
    const path = "custom.X"
    const canon = (type: string, wire: unknown) => Either.getOrThrow(CustomValues.fromWire(field(type), wire))
    fc.assert(
      fc.property(fc.uniqueArray(optionId, { minLength: 1, maxLength: 4 }), fc.uniqueArray(optionId, { minLength: 1, maxLength: 4 }), (a, b) => {
        const same = a.length === b.length && a.every((x) => b.includes(x))
        assert.strictEqual(Field.equals(path, canon("set", a), canon("set", b), Currency.iso), same)
        assert.isTrue(Field.equals(path, canon("set", a), canon("set", [...a].reverse()), Currency.iso))
      })
    )
    fc.assert(
      fc.property(text, text, (a, b) => {
        const norm = (s: string) => (s === "" ? null : s.replace(/\r\n?/g, "\n"))
        assert.strictEqual(Field.equals(path, a, b, Currency.iso), norm(a) === norm(b))
      })
    )
    assert.isTrue(Field.equals(path, "", null, Currency.iso))
    assert.isTrue(Field.equals(path, "a\r\nb", "a\nb", Currency.iso))
    assert.isFalse(Field.equals(path, "Black", "black", Currency.iso))
    assert.isFalse(Field.equals(path, "a ", "a", Currency.iso))
    fc.assert(
      fc.property(fc.integer({ min: -1e6, max: 1e6 }), fc.integer({ min: 0, max: 4 }), (n, extraZeros) => {
        const a = canon("double", n / 100)
        const b = Field.fromJson(JSON.stringify({ _tag: "Decimal", value: `${(n / 100).toFixed(2)}${"0".repeat(extraZeros)}` }))
        assert.isTrue(Field.equals(path, a, b, Currency.iso))
      })
    )
    // Money compares at the currency's precision, and only with the same currency.
    const eur = canon("monetary", { value: 19.9, currency: "EUR" })
    assert.isTrue(Field.equals(path, eur, canon("monetary", { value: 19.904, currency: "EUR" }), Currency.iso))
    assert.isFalse(Field.equals(path, eur, canon("monetary", { value: 19.91, currency: "EUR" }), Currency.iso))
    assert.isFalse(Field.equals(path, eur, canon("monetary", { value: 19.9, currency: "USD" }), Currency.iso))
    // An address compares by its text; a time by its value and zone.
    assert.isTrue(Field.equals(path, canon("address", { value: "Main St 1", locality: "A" }), canon("address", { value: "Main St 1", locality: null }), Currency.iso))
    assert.isFalse(Field.equals(path, canon("time", { value: "09:00:00", timezone_id: 1, timezone_name: "Europe/London" }), canon("time", { value: "09:00:00", timezone_id: 2, timezone_name: "Europe/Tallinn" }), Currency.iso))
  })

  it("price parts: costs compare empty = 0, prices at the currency's precision, exactly otherwise", () => {
    const dec = (s: string) => Field.fromJson(JSON.stringify({ _tag: "Decimal", value: s }))
    assert.isTrue(Field.equals("prices.EUR.cost", null, dec("0"), Currency.iso))
    assert.isTrue(Field.equals("prices.EUR.directCost", dec("0.00"), null, Currency.iso))
    assert.isFalse(Field.equals("prices.EUR.price", null, dec("0"), Currency.iso))
    assert.isTrue(Field.equals("prices.EUR.price", dec("19.9"), dec("19.90"), Currency.iso))
    assert.isTrue(Field.equals("prices.JPY.price", dec("1500.4"), dec("1500"), Currency.iso))
    assert.isFalse(Field.equals("tax", dec("19.004"), dec("19"), Currency.iso))
  })

  it("refuses unknown option labels with the list of valid ones, and values of the wrong kind", () => {
    const r = CustomValues.toWire(field("enum"), "Blak")
    assert.isTrue(Either.isLeft(r))
    if (Either.isLeft(r)) {
      assert.match(r.left, /"Blak" is not an option of "F enum" \(did you mean "Black"( or "Blue")?\?\); valid options: "Black", "White", "Grey", "Blue"/)
    }
    assert.isTrue(Either.isLeft(CustomValues.fromWire(field("enum"), 99)))
    assert.isTrue(Either.isLeft(CustomValues.toWire(field("double"), "abc")))
    assert.isTrue(Either.isLeft(CustomValues.fromWire(field("double"), "12")))
    assert.isTrue(Either.isLeft(CustomValues.fromWire(field("picture"), 1)))
    assert.deepStrictEqual(CustomValues.toWire(field("set"), []), Either.right(null)) // a set is cleared with null, never []
  })
})
