import { assert, describe, it } from "@effect/vitest"
import { BigDecimal, Either } from "effect"
import fc from "fast-check"
import * as Currency from "../../src/domain/Currency.js"
import * as Money from "../../src/domain/Money.js"

const dec = (s: string) => BigDecimal.unsafeFromString(s)
const parsed = (text: string, options?: Money.ParseOptions) => {
  const r = Money.parseDecimal(text, options)
  if (Either.isLeft(r)) assert.fail(`${text}: ${r.left.message}`)
  return r.right
}
const failure = (text: string, options?: Money.ParseOptions) => {
  const r = Money.parseDecimal(text, options)
  if (Either.isRight(r)) assert.fail(`${text} parsed as ${Money.toPlain(r.right)}`)
  return r.left
}

describe("Money.parseDecimal", () => {
  it("reads 19.9, 19.90 and, with a decimal comma, 19,90 as one price", () => {
    const a = parsed("19.9")
    const b = parsed("19.90")
    const c = parsed("19,90", { decimal: "comma" })
    assert.isTrue(BigDecimal.equals(a, b))
    assert.isTrue(BigDecimal.equals(a, c))
    assert.isTrue(Money.equalAt(2)(a, c))
  })

  it("keeps decimals exact, never through a float", () => {
    assert.strictEqual(Money.toPlain(parsed("0.1")), "0.1")
    assert.strictEqual(Money.toPlain(BigDecimal.sum(parsed("0.1"), parsed("0.2"))), "0.3")
    assert.strictEqual(Money.toPlain(parsed("12345678901234567890.123456789")), "12345678901234567890.123456789")
  })

  it("reads signs, white space and thousands separators when allowed", () => {
    assert.strictEqual(Money.toPlain(parsed(" -0,5 ", { decimal: "comma" })), "-0.5")
    assert.strictEqual(Money.toPlain(parsed("1.234,56", { decimal: "comma", thousands: "." })), "1234.56")
    assert.strictEqual(Money.toPlain(parsed("1,234.56", { decimal: "point", thousands: "," })), "1234.56")
    assert.strictEqual(Money.toPlain(parsed("1 234 567,5", { decimal: "comma", thousands: " " })), "1234567.5")
    assert.strictEqual(Money.toPlain(parsed(",5", { decimal: "comma" })), "0.5")
    assert.strictEqual(Money.toPlain(parsed("+7")), "7")
  })

  it("refuses what it cannot read, saying why", () => {
    assert.strictEqual(failure("").reason, "empty")
    assert.strictEqual(failure("   ").reason, "empty")
    assert.strictEqual(failure("abc").reason, "invalid")
    assert.strictEqual(failure("12,3,4", { decimal: "comma" }).reason, "invalid")
    assert.strictEqual(failure("1.234", { decimal: "comma" }).reason, "invalid") // no thousands separator configured
    assert.strictEqual(failure("19,90").reason, "invalid") // decimal point expected by default
    assert.strictEqual(failure("1.23.4", { decimal: "comma", thousands: "." }).reason, "invalid") // bad grouping
    assert.strictEqual(failure("12.").reason, "invalid")
    assert.strictEqual(failure("1e5").reason, "invalid")
    assert.strictEqual(failure("-").reason, "invalid")
    assert.match(failure("12,3,4", { decimal: "comma" }).message, /"12,3,4" is not a number/)
  })

  it("detects the style when it is unambiguous and refuses ambiguity", () => {
    assert.strictEqual(Money.toPlain(parsed("19,90", { decimal: "auto" })), "19.9")
    assert.strictEqual(Money.toPlain(parsed("19.90", { decimal: "auto" })), "19.9")
    assert.strictEqual(Money.toPlain(parsed("1.234,5", { decimal: "auto" })), "1234.5")
    assert.strictEqual(Money.toPlain(parsed("1,234.5", { decimal: "auto" })), "1234.5")
    assert.strictEqual(Money.toPlain(parsed("1.234.567", { decimal: "auto" })), "1234567")
    assert.strictEqual(Money.toPlain(parsed("0.125", { decimal: "auto" })), "0.125")
    assert.strictEqual(Money.toPlain(parsed("42", { decimal: "auto" })), "42")
    const amb = failure("1.234", { decimal: "auto" })
    assert.strictEqual(amb.reason, "ambiguous")
    assert.match(amb.message, /ambiguous/)
    assert.strictEqual(failure("1,234", { decimal: "auto" }).reason, "ambiguous")
  })
})

describe("Money.parseDecimal fast path", () => {
  it("plain numbers give exactly what the general path gives (with a sign or spaces it takes the general path)", () => {
    fc.assert(
      fc.property(fc.boolean(), fc.stringMatching(/^\d{1,20}$/), fc.option(fc.stringMatching(/^\d{1,12}$/)), fc.constantFrom("point" as const, "comma" as const), (neg, int, frac, style) => {
        const sep = style === "point" ? "." : ","
        const text = `${neg ? "-" : ""}${int}${frac === null ? "" : `${sep}${frac}`}`
        const fast = parsed(text, { decimal: style })
        const general = parsed(` ${text} `, { decimal: style })
        assert.deepStrictEqual(fast, general)
        assert.isTrue(BigDecimal.equals(fast, dec(text.replace(",", "."))))
      }),
      { numRuns: 500 }
    )
  })
})

describe("Money comparison and formatting", () => {
  it("compares at the currency's precision", () => {
    assert.isTrue(Money.equalAt(2)(dec("19.904"), dec("19.90")))
    assert.isFalse(Money.equalAt(2)(dec("19.905"), dec("19.90")))
    assert.isTrue(Money.equalAt(0)(dec("1500.4"), dec("1500")))
    assert.strictEqual(Currency.iso.precision("JPY"), 0)
    assert.strictEqual(Currency.iso.precision("KWD"), 3)
    assert.strictEqual(Currency.iso.precision("EUR"), 2)
    const account = Currency.registry([["EUR", 2], ["BTC", 8]])
    assert.strictEqual(account.precision("BTC"), 8)
    assert.isTrue(account.has("EUR"))
    assert.isFalse(account.has("USD"))
  })

  it("rounds half away from zero", () => {
    assert.strictEqual(Money.toPlain(Money.round(dec("2.345"), 2)), "2.35")
    assert.strictEqual(Money.toPlain(Money.round(dec("-2.345"), 2)), "-2.35")
  })

  it("formats with the file's decimal separator and a fixed precision", () => {
    assert.strictEqual(Money.format(dec("19.9"), { precision: 2, decimal: "," }), "19,90")
    assert.strictEqual(Money.format(dec("1234567.891"), { precision: 2, decimal: ",", thousands: "." }), "1.234.567,89")
    assert.strictEqual(Money.format(dec("-0.5"), { decimal: "," }), "-0,5")
    assert.strictEqual(Money.format(dec("1500"), { precision: 0 }), "1500")
  })
})
