/** Cell parsers and the per-column decimal-style detection. */
import { assert, describe, it } from "@effect/vitest"
import { BigDecimal, Either } from "effect"
import * as Cell from "../../src/erp/Cell.js"

const detect = (values: ReadonlyArray<string>) => {
  const d = Cell.detector()
  values.forEach(d.add)
  return d.result()
}

describe("Cell parsers", () => {
  it("decimals: the configured separator, thousands when allowed, a clear reason otherwise", () => {
    const ok = (text: string, format: Partial<Cell.NumberFormat>) => BigDecimal.format(Either.getOrThrow(Cell.parseDecimal(text, format)))
    assert.strictEqual(ok("19,90", { decimal: "comma" }), "19.9")
    assert.strictEqual(ok("1.234,56", { decimal: "comma", thousands: "." }), "1234.56")
    assert.strictEqual(ok(" -0.5 ", {}), "-0.5")
    assert.deepStrictEqual(Cell.parseDecimal("1.234", { decimal: "comma" }), Either.left("\"1.234\" contains \".\" but the decimal separator here is \",\"; if \".\" groups thousands, set thousands: \".\" (or fix the value)"))
    assert.deepStrictEqual(Cell.parseDecimal("1.234", { decimal: "auto" }), Either.left("\"1.234\" is ambiguous: \".\" or \",\" may be a decimal or a thousands separator; set the decimal style of this column"))
    assert.isTrue(Either.isLeft(Cell.parseDecimal("12,3,4", { decimal: "comma" })))
  })

  it("integers: whole numbers only, 12,00 included under a decimal comma", () => {
    assert.deepStrictEqual(Cell.parseInteger("42"), Either.right(42))
    assert.deepStrictEqual(Cell.parseInteger("12,00", { decimal: "comma" }), Either.right(12))
    assert.deepStrictEqual(Cell.parseInteger("1.200", { decimal: "comma", thousands: "." }), Either.right(1200))
    assert.deepStrictEqual(Cell.parseInteger("12,5", { decimal: "comma" }), Either.left("\"12,5\" is not a whole number"))
    assert.isTrue(Either.isLeft(Cell.parseInteger("99999999999999999999")))
  })

  it("booleans and text", () => {
    assert.deepStrictEqual(["Ja", "NEIN", "1", "0", "x", "true"].map((t) => Cell.parseBoolean(t)), [true, false, true, false, true, true].map(Either.right))
    assert.isTrue(Either.isLeft(Cell.parseBoolean("")))
    assert.deepStrictEqual(Cell.parseBoolean("si", { true: ["si"], false: ["no"] }), Either.right(true))
    assert.deepStrictEqual(Cell.parseText("  a b  "), Either.right("a b"))
    assert.deepStrictEqual(Cell.parseText("   "), Either.right(null))
    assert.deepStrictEqual(Cell.parseText(" a ", { trim: false }), Either.right(" a "))
  })

  it("null spellings are per column: NA is null in a number column, text in a text column", () => {
    const number = Cell.parser(Cell.resolve({ name: "n", type: "decimal" }, { decimal: "point", thousands: "none" }))
    const text = Cell.parser(Cell.resolve({ name: "t", type: "text" }, { decimal: "point", thousands: "none" }))
    const custom = Cell.parser(Cell.resolve({ name: "c", type: "integer", nulls: ["-"] }, { decimal: "point", thousands: "none" }))
    assert.deepStrictEqual(["", "NA", "n/a", "None", "NULL", "."].map(number), [null, null, null, null, null, null])
    assert.deepStrictEqual(["NA", ""].map(text), ["NA", null])
    assert.deepStrictEqual(custom("-"), null)
    assert.instanceOf(custom("NA"), Cell.Invalid)
  })
})

describe("Cell decimal detection", () => {
  it("decides from unambiguous values and ignores whole numbers", () => {
    assert.deepStrictEqual(detect(["12", "19,90", "1.234"]), { _tag: "Detected", format: { decimal: "comma", thousands: "none" }, example: "19,90" })
    assert.deepStrictEqual(detect(["1.234,5", "7"]), { _tag: "Detected", format: { decimal: "comma", thousands: "." }, example: "1.234,5" })
    assert.deepStrictEqual(detect(["200.000.000"]), { _tag: "Detected", format: { decimal: "comma", thousands: "." }, example: "200.000.000" })
    assert.deepStrictEqual(detect(["0.125", "3"]), { _tag: "Detected", format: { decimal: "point", thousands: "none" }, example: "0.125" })
    assert.deepStrictEqual(detect(["1 234", "5"]), { _tag: "Detected", format: { decimal: "auto", thousands: " " } })
    assert.deepStrictEqual(detect(["12", "", "abc"]), { _tag: "Detected", format: { decimal: "auto", thousands: "none" } })
  })

  it("refuses to guess: only ambiguous values, or both styles", () => {
    assert.deepStrictEqual(detect(["1.234", "2,500", "1.234"]), { _tag: "Ambiguous", examples: ["1.234", "2,500"] })
    assert.deepStrictEqual(detect(["21454.58", "962,04"]), { _tag: "Mixed", point: "21454.58", comma: "962,04" })
  })
})
