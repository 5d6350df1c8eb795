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

describe("Money.parseMoney", () => {
  const money = (text: string, options?: Money.MoneyOptions) => {
    const r = Money.parseMoney(text, options)
    if (Either.isLeft(r)) assert.fail(`${text}: ${r.left.message}`)
    return r.right
  }
  const refused = (text: string, options?: Money.MoneyOptions) => {
    const r = Money.parseMoney(text, options)
    if (Either.isRight(r)) assert.fail(`${text} parsed as ${Money.toPlain(r.right.amount)}`)
    return r.left
  }

  it("reads amounts with codes, signs and local grouping in every common form, exactly", () => {
    const cases: ReadonlyArray<readonly [string, string, string]> = [
      ["ARS 2625.00", "2625", "ARS"],
      ["2.625,00 €", "2625", "EUR"],
      ["€2.625,00", "2625", "EUR"],
      ["$1,299.00", "1299", "USD"],
      ["₹3,657.66", "3657.66", "INR"],
      ["₹1,39,900", "139900", "INR"],
      ["CHF 1'250.50", "1250.5", "CHF"],
      ["-12,50 EUR", "-12.5", "EUR"],
      ["€-12,50", "-12.5", "EUR"],
      ["1 234,56\u00a0€", "1234.56", "EUR"],
      ["12,50 EUR-", "-12.5", "EUR"],
      ["19.99", "19.99", "EUR"],
      ["0.1", "0.1", "EUR"]
    ]
    for (const [text, amount, currency] of cases) {
      const m = money(text, { currency })
      assert.strictEqual(Money.toPlain(m.amount), amount, text)
    }
    assert.deepStrictEqual(money("$1,299.00").currencies.slice(0, 5), ["USD", "CAD", "AUD", "NZD", "ARS"])
    assert.isUndefined(money("19.99").marker)
  })

  it("refuses an amount in another currency than the field's, naming both", () => {
    const e = refused("₹3,657.66", { currency: "EUR" })
    assert.strictEqual(e.reason, "currency")
    assert.include(e.message, `"₹3,657.66" is in INR, but this column holds EUR amounts`)
    assert.strictEqual(refused("ARS 10", { currency: "USD" }).reason, "currency")
    assert.match(refused("$5", { currency: "EUR" }).message, /USD, CAD, .*"\$" stands for each/)
    assert.strictEqual(Money.toPlain(money("$5", { currency: "ARS" }).amount), "5")
  })

  it("follows the column's decimal style, and refuses ambiguity under auto with the reason", () => {
    assert.strictEqual(refused("1.234 €").reason, "ambiguous")
    assert.match(refused("1.234 €").message, /"1\.234 €" is ambiguous/)
    assert.strictEqual(Money.toPlain(money("1.234 €", { decimal: "comma" }).amount), "1234")
    assert.strictEqual(Money.toPlain(money("1.234 €", { decimal: "point" }).amount), "1.234")
    assert.strictEqual(Money.toPlain(money("$1,299", { decimal: "point" }).amount), "1299")
  })

  it("refuses what is not an amount", () => {
    assert.strictEqual(refused("").reason, "empty")
    assert.strictEqual(refused("EUR").reason, "invalid")
    assert.match(refused("12 XY").message, /"XY" is not a currency code or sign/)
    assert.strictEqual(refused("€ 12 EUR").reason, "invalid")
    assert.strictEqual(refused("--12").reason, "invalid")
    assert.strictEqual(refused("1,2,3.4").reason, "invalid")
  })

  const styles = fc.record({
    marker: fc.constantFrom(undefined, "EUR", "€", "ARS", "$", "₹", "CHF", "kr"),
    position: fc.constantFrom("before" as const, "after" as const),
    space: fc.boolean(),
    grouping: fc.constantFrom("none", ".", ",", " ", "'", "indian"),
    comma: fc.boolean(),
    precision: fc.constantFrom(0, 2, 3)
  })

  it("format then parse is the identity, over random amounts and styles (decimal style given)", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }), styles, (units, s) => {
        const decimal = s.comma ? "," : "."
        if (s.grouping === decimal || (s.grouping === "indian" && s.comma)) return
        const value = BigDecimal.normalize(BigDecimal.make(units, s.precision))
        const text = Money.formatMoney(value, {
          ...(s.marker === undefined ? {} : { marker: s.marker }),
          position: s.position,
          space: s.space,
          decimal,
          ...(s.grouping === "none" ? {} : { thousands: s.grouping as "." | "," | " " | "'" | "indian" }),
          precision: s.precision
        })
        const back = money(text, { decimal: s.comma ? "comma" : "point" })
        assert.isTrue(BigDecimal.equals(back.amount, value), `${text} → ${Money.toPlain(back.amount)}`)
        assert.strictEqual(back.marker, s.marker, text)
      }),
      { numRuns: 1000 }
    )
  })

  it("with two decimals the style is read from each value: identity under auto too", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }), styles, (units, s) => {
        const decimal = s.comma ? "," : "."
        if (s.grouping === decimal || (s.grouping === "indian" && s.comma)) return
        const value = BigDecimal.normalize(BigDecimal.make(units, 2))
        const text = Money.formatMoney(value, {
          ...(s.marker === undefined ? {} : { marker: s.marker }),
          position: s.position,
          space: s.space,
          decimal,
          ...(s.grouping === "none" ? {} : { thousands: s.grouping as "." | "," | " " | "'" | "indian" }),
          precision: 2
        })
        assert.isTrue(BigDecimal.equals(money(text).amount, value), text)
      }),
      { numRuns: 1000 }
    )
  })
})
