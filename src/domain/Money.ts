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
  readonly reason: "empty" | "invalid" | "ambiguous"
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
