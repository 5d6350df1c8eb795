/**
 * Money and decimal numbers as `BigDecimal`, never floats. Parsing accepts what ERPs write
 * ("19.90", "19,90", "1.234,56", "1 234,56", "-0,5") under an explicit decimal style, or detects
 * the style when it is unambiguous; comparison happens at a currency's precision, so `19.9`,
 * `19.90` and `"19,90"` are one price.
 */
import { BigDecimal, Data, Either, Option } from "effect"

/** The decimal separator of a text: point (`19.90`), comma (`19,90`), or detected per value. */
export type DecimalStyle = "point" | "comma" | "auto"

/** A thousands separator the text may use; `none` forbids grouping. */
export type ThousandsSeparator = "." | "," | " " | "'" | "none"

export interface ParseOptions {
  readonly decimal?: DecimalStyle
  /** Defaults to `none` for an explicit decimal style; `auto` accepts `.` `,` space and `'`. */
  readonly thousands?: ThousandsSeparator
}

/** Why a text is not a number. `ambiguous` means it reads as two different numbers. */
export class NumberParseError extends Data.TaggedError("NumberParseError")<{
  readonly input: string
  readonly reason: "empty" | "invalid" | "ambiguous" | "currency"
  readonly message: string
}> {}

const digitsOnly = /^\d+$/
const invalid = (input: string, why: string) =>
  Either.left(new NumberParseError({ input, reason: "invalid", message: `${JSON.stringify(input)} is not a number: ${why}` }))

const groupsValid = (intPart: string, sep: string): boolean => {
  const groups = intPart.split(sep)
  const [first, ...rest] = groups
  return first !== undefined && /^\d{1,3}$/.test(first) && rest.length > 0 && rest.every((g) => /^\d{3}$/.test(g))
}

const build = (input: string, sign: string, intPart: string, frac: string): Either.Either<BigDecimal.BigDecimal, NumberParseError> => {
  if (!digitsOnly.test(intPart) || (frac !== "" && !digitsOnly.test(frac))) return invalid(input, "unexpected characters")
  return Option.match(BigDecimal.fromString(`${sign}${intPart}${frac === "" ? "" : `.${frac}`}`), {
    onNone: () => invalid(input, "unexpected characters"),
    onSome: (d) => Either.right(BigDecimal.normalize(d))
  })
}

/** Splits `body` (no sign) at `decimalSep`, removing a valid `thousandsSep` grouping from the integer part. */
const parseWith = (
  input: string,
  sign: string,
  body: string,
  decimalSep: "." | ",",
  thousands: ThousandsSeparator
): Either.Either<BigDecimal.BigDecimal, NumberParseError> => {
  const at = body.lastIndexOf(decimalSep)
  let intPart = at === -1 ? body : body.slice(0, at)
  const frac = at === -1 ? "" : body.slice(at + 1)
  if (at !== -1 && intPart.includes(decimalSep)) return invalid(input, `more than one decimal separator "${decimalSep}"`)
  if (at !== -1 && frac === "") return invalid(input, "nothing after the decimal separator")
  if (intPart === "" && at !== -1) intPart = "0"
  if (thousands !== "none" && thousands !== decimalSep && intPart.includes(thousands)) {
    if (!groupsValid(intPart, thousands)) return invalid(input, `"${thousands}" is not a valid thousands grouping here`)
    intPart = intPart.split(thousands).join("")
  }
  return build(input, sign, intPart, frac)
}

/**
 * The common case — an optional minus, digits, at most one decimal separator between digits — read
 * without the general path's work, straight into a normalized BigDecimal (hot in CSV reading).
 * Returns undefined for anything else.
 */
const fromPlain = (text: string, sep: number): BigDecimal.BigDecimal | undefined => {
  const len = text.length
  let i = text.charCodeAt(0) === 45 ? 1 : 0
  const start = i
  let n = 0
  let scale = 0
  let sepAt = -1
  for (; i < len; i++) {
    const c = text.charCodeAt(i)
    if (c >= 48 && c <= 57) {
      n = n * 10 + (c - 48)
      if (sepAt !== -1) scale++
    } else if (c === sep && sepAt === -1 && i > start && i < len - 1) sepAt = i
    else return undefined
  }
  if (i === start) return undefined
  if (len - start - (sepAt === -1 ? 0 : 1) > 15) {
    // Beyond exact doubles: through BigInt's own parser.
    const digits = text.slice(start, sepAt === -1 ? len : sepAt) + (sepAt === -1 ? "" : text.slice(sepAt + 1))
    return BigDecimal.normalize(BigDecimal.make(BigInt(start === 1 ? `-${digits}` : digits), scale))
  }
  if (n === 0) return BigDecimal.normalize(BigDecimal.make(0n, 0))
  while (n % 10 === 0) {
    n /= 10
    scale--
  }
  // No trailing zeros left, so `normalize` only marks it normalized.
  return BigDecimal.normalize(BigDecimal.make(BigInt(start === 1 ? -n : n), scale))
}

/**
 * Parses a decimal number. With `decimal: "auto"`, one separator followed by exactly three digits
 * (`1.234`, `1,234`) is ambiguous and refused rather than guessed.
 */
export const parseDecimal = (
  text: string,
  options: ParseOptions = {}
): Either.Either<BigDecimal.BigDecimal, NumberParseError> => {
  const style = options.decimal ?? "point"
  if (style !== "auto") {
    const plain = fromPlain(text, style === "point" ? 46 : 44)
    if (plain !== undefined) return Either.right(plain)
  }
  const input = text
  const trimmed = text.trim().replace(/\u00a0|\u202f/g, " ")
  if (trimmed === "") return Either.left(new NumberParseError({ input, reason: "empty", message: "empty value" }))
  const signMatch = /^([+-]?)\s*(.*)$/.exec(trimmed)
  const sign = signMatch?.[1] === "-" ? "-" : ""
  const body = signMatch?.[2] ?? ""
  if (body === "") return invalid(input, "no digits")
  if (style === "point") return parseWith(input, sign, body, ".", options.thousands ?? "none")
  if (style === "comma") return parseWith(input, sign, body, ",", options.thousands ?? "none")
  // auto: infer from the separators present.
  const cleaned = body // in auto mode, spaces and apostrophes can only be grouping
  const hasDot = cleaned.includes(".")
  const hasComma = cleaned.includes(",")
  const spaced = /[ ']/.exec(cleaned)?.[0] as ThousandsSeparator | undefined
  if (hasDot && hasComma) {
    const decimalSep = cleaned.lastIndexOf(".") > cleaned.lastIndexOf(",") ? "." : ","
    return parseWith(input, sign, cleaned, decimalSep, decimalSep === "." ? "," : ".")
  }
  const sep = hasDot ? "." : hasComma ? "," : undefined
  if (sep === undefined) return parseWith(input, sign, cleaned, ".", spaced ?? "none")
  const count = cleaned.split(sep).length - 1
  if (count > 1) return parseWith(input, sign, cleaned, sep === "." ? "," : ".", sep)
  const after = cleaned.slice(cleaned.indexOf(sep) + 1)
  const before = cleaned.slice(0, cleaned.indexOf(sep))
  if (/^\d{3}$/.test(after) && /^\d{1,3}$/.test(before) && before !== "0" && spaced === undefined) {
    return Either.left(
      new NumberParseError({
        input,
        reason: "ambiguous",
        message: `${JSON.stringify(input)} is ambiguous: "${sep}" may be a decimal or a thousands separator; set the decimal style`
      })
    )
  }
  return parseWith(input, sign, cleaned, sep, spaced ?? "none")
}

/** Rounds to `precision` digits (commercial rounding, half away from zero). */
export const round = (value: BigDecimal.BigDecimal, precision: number): BigDecimal.BigDecimal =>
  BigDecimal.normalize(BigDecimal.round(value, { scale: precision, mode: "half-from-zero" }))

/** Equal once both are rounded to the currency's precision. */
export const equalAt = (precision: number) => (a: BigDecimal.BigDecimal, b: BigDecimal.BigDecimal): boolean =>
  BigDecimal.equals(round(a, precision), round(b, precision))

/** Plain decimal text with a point (`"19.9"`), as JSON and the store write it. */
export const toPlain = (value: BigDecimal.BigDecimal): string => BigDecimal.format(BigDecimal.normalize(value))

/**
 * Formats for a file or a screen: exactly `precision` digits (when given), with the chosen decimal
 * separator and optional thousands grouping.
 */
export const format = (
  value: BigDecimal.BigDecimal,
  options: { readonly precision?: number; readonly decimal?: "." | ","; readonly thousands?: string } = {}
): string => {
  const v = options.precision === undefined ? BigDecimal.normalize(value) : round(value, options.precision)
  let text = BigDecimal.format(v)
  if (options.precision !== undefined && options.precision > 0) {
    const [i, f = ""] = text.split(".")
    text = `${i}.${f.padEnd(options.precision, "0")}`
  }
  const negative = text.startsWith("-")
  const [intPart = "0", frac] = (negative ? text.slice(1) : text).split(".")
  const grouped = options.thousands ? intPart.replace(/\B(?=(\d{3})+(?!\d))/g, options.thousands) : intPart
  return `${negative ? "-" : ""}${grouped}${frac === undefined ? "" : `${options.decimal ?? "."}${frac}`}`
}

/** A number (from JSON) as a BigDecimal, exactly as JavaScript prints it. */
export const fromNumber = (n: number): Option.Option<BigDecimal.BigDecimal> =>
  BigDecimal.safeFromNumber(n).pipe(Option.map(BigDecimal.normalize))

// ---------------------------------------------------------------------------------------------
// Amounts written with a currency: `ARS 2625.00`, `2.625,00 €`, `₹1,39,900`, `CHF 1'250.50`

/**
 * Currency signs and the ISO codes each may stand for. A sign shared by several currencies (`$`,
 * `kr`, `¥`) is accepted in a column of any of them. Three-letter ISO codes are read as themselves.
 */
export const currencySigns: Readonly<Record<string, ReadonlyArray<string>>> = {
  "€": ["EUR"],
  "£": ["GBP"],
  "$": ["USD", "CAD", "AUD", "NZD", "ARS", "MXN", "CLP", "COP", "UYU", "SGD", "HKD", "TWD"],
  "US$": ["USD"],
  "C$": ["CAD"],
  "CA$": ["CAD"],
  "A$": ["AUD"],
  "AU$": ["AUD"],
  "NZ$": ["NZD"],
  "HK$": ["HKD"],
  "S$": ["SGD"],
  "MX$": ["MXN"],
  "R$": ["BRL"],
  "¥": ["JPY", "CNY"],
  "₹": ["INR"],
  "Rs": ["INR", "PKR", "LKR", "NPR"],
  "Rs.": ["INR", "PKR", "LKR", "NPR"],
  "₽": ["RUB"],
  "₺": ["TRY"],
  "₩": ["KRW"],
  "₪": ["ILS"],
  "₫": ["VND"],
  "฿": ["THB"],
  "₱": ["PHP"],
  "₴": ["UAH"],
  "₦": ["NGN"],
  "zł": ["PLN"],
  "Kč": ["CZK"],
  "Ft": ["HUF"],
  "kr": ["SEK", "NOK", "DKK", "ISK"],
  "kr.": ["SEK", "NOK", "DKK", "ISK"],
  "Fr.": ["CHF"],
  "fr.": ["CHF"],
  "lei": ["RON"]
}

/** An amount as written, its currency sign or code and the currencies that can stand for. */
export interface MoneyText {
  readonly amount: BigDecimal.BigDecimal
  /** The sign or code as written (`€`, `ARS`); `undefined` for a plain number. */
  readonly marker: string | undefined
  /** The ISO codes the marker may stand for (empty for a plain number). */
  readonly currencies: ReadonlyArray<string>
}

export interface MoneyOptions {
  /** The decimal separator of the column; `auto` reads each value's own and refuses ambiguity. */
  readonly decimal?: DecimalStyle
  /** The thousands separator; by default any one grouping that is not the decimal separator. */
  readonly thousands?: ThousandsSeparator
  /** The field's currency: an amount marked with another currency is refused. */
  readonly currency?: string
}

const isDigit = (c: string) => c >= "0" && c <= "9"
const indianGrouping = /^\d{1,2}(?:,\d{2})+,\d{3}(?:\.\d+)?$/

const currenciesOf = (marker: string): ReadonlyArray<string> | undefined =>
  currencySigns[marker] ?? (/^[A-Za-z]{3}$/.test(marker) ? [marker.toUpperCase()] : undefined)

/** The one grouping character of a number body that is not `decimalSep`, if any. */
const groupingIn = (body: string, decimalSep: "." | ","): ThousandsSeparator => {
  const found = [".", ",", "'", " "].filter((c) => c !== decimalSep && body.includes(c))
  return (found[0] ?? "none") as ThousandsSeparator
}

const moneyError = (input: string, reason: NumberParseError["reason"], message: string) =>
  Either.left(new NumberParseError({ input, reason, message }))

/**
 * Reads an amount written with or without a currency code or sign, before or after the number,
 * with local grouping (`1.234,56`, `1,234.56`, `1'234.56`, `1 234,56`, Indian `1,39,900`) and a
 * minus before or after the sign. Exact: the amount is a BigDecimal. With `currency`, an amount
 * marked with another currency is refused (`reason: "currency"`).
 */
export const parseMoney = (text: string, options: MoneyOptions = {}): Either.Either<MoneyText, NumberParseError> => {
  const input = text
  const t = text.trim().replace(/\u00a0|\u202f/g, " ")
  if (t === "") return moneyError(input, "empty", "empty value")
  let first = -1
  let last = -1
  for (let i = 0; i < t.length; i++) {
    if (isDigit(t[i] as string)) {
      if (first === -1) first = i
      last = i
    }
  }
  if (first === -1) return moneyError(input, "invalid", `${JSON.stringify(input)} is not an amount: no digits`)
  if (first > 0 && (t[first - 1] === "." || t[first - 1] === ",") && !isDigit(t[first - 2] ?? "")) first--
  const prefix = t.slice(0, first).replace(/\s+/g, "")
  const suffix = t.slice(last + 1).replace(/\s+/g, "")
  const body = t.slice(first, last + 1)
  const signs = /^([+-]?)(.*?)([+-]?)$/.exec(prefix) ?? ["", "", prefix, ""]
  const trailing = /^(.*?)(-?)$/.exec(suffix) ?? ["", suffix, ""]
  const prefixMarker = signs[2] ?? ""
  const suffixMarker = trailing[1] ?? ""
  const minus = [signs[1], signs[3], trailing[2]].filter((s) => s === "-").length
  const plus = [signs[1], signs[3]].filter((s) => s === "+").length
  if (minus + plus > 1) return moneyError(input, "invalid", `${JSON.stringify(input)} is not an amount: more than one sign`)
  if (prefixMarker !== "" && suffixMarker !== "") {
    return moneyError(input, "invalid", `${JSON.stringify(input)} is not an amount: a currency both before (${prefixMarker}) and after (${suffixMarker}) the number`)
  }
  const marker = prefixMarker !== "" ? prefixMarker : suffixMarker !== "" ? suffixMarker : undefined
  const currencies = marker === undefined ? [] : currenciesOf(marker)
  if (currencies === undefined) {
    return moneyError(input, "invalid", `${JSON.stringify(input)} is not an amount: ${JSON.stringify(marker)} is not a currency code or sign catalog-sync knows (write the ISO code, such as EUR)`)
  }
  const want = options.currency
  if (want !== undefined && marker !== undefined && !currencies.includes(want)) {
    const is = currencies.length === 1 ? `in ${currencies[0]}` : `in ${currencies.join(", ")} (${JSON.stringify(marker)} stands for each)`
    return moneyError(input, "currency", `${JSON.stringify(input.trim())} is ${is}, but this column holds ${want} amounts`)
  }
  const sign = minus === 1 ? "-" : ""
  const style = options.decimal ?? "auto"
  let amount: Either.Either<BigDecimal.BigDecimal, NumberParseError>
  if (style !== "comma" && indianGrouping.test(body)) amount = parseDecimal(`${sign}${body.replace(/,/g, "")}`)
  else if (style === "auto") amount = parseDecimal(`${sign}${body}`, { decimal: "auto" })
  else {
    const sep = style === "point" ? "." : ","
    amount = parseDecimal(`${sign}${body}`, { decimal: style, thousands: options.thousands ?? groupingIn(body, sep) })
  }
  if (Either.isLeft(amount)) {
    const e = amount.left
    return moneyError(input, e.reason, e.message.replace(JSON.stringify(e.input), JSON.stringify(input.trim())))
  }
  return Either.right({ amount: amount.right, marker, currencies })
}

/** How an amount is written with its currency, for `formatMoney`. */
export interface MoneyStyle {
  /** The code or sign, and where: `ARS 2625.00` is `{ marker: "ARS", position: "before", space: true }`. */
  readonly marker?: string
  readonly position?: "before" | "after"
  readonly space?: boolean
  readonly decimal?: "." | ","
  readonly thousands?: "." | "," | " " | "'" | "indian"
  readonly precision?: number
}

/** Writes an amount in a style `parseMoney` reads back to the same amount. */
export const formatMoney = (value: BigDecimal.BigDecimal, style: MoneyStyle = {}): string => {
  const grouping = style.thousands === "indian" ? undefined : style.thousands
  const plain = format(value, {
    ...(style.precision === undefined ? {} : { precision: style.precision }),
    decimal: style.decimal ?? ".",
    ...(grouping === undefined ? {} : { thousands: grouping })
  })
  const negative = plain.startsWith("-")
  let number = negative ? plain.slice(1) : plain
  if (style.thousands === "indian") {
    const [i = "0", ...f] = number.split(style.decimal ?? ".")
    const head = i.length > 3 ? i.slice(0, -3).replace(/\B(?=(\d{2})+(?!\d))/g, ",") + "," + i.slice(-3) : i
    number = [head, ...f].join(style.decimal ?? ".")
  }
  const signed = `${negative ? "-" : ""}${number}`
  if (style.marker === undefined) return signed
  const gap = style.space === true ? " " : ""
  return style.position === "after" ? `${signed}${gap}${style.marker}` : `${negative ? "-" : ""}${style.marker}${gap}${number}`
}
