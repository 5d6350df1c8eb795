/**
 * One column's values, profiled value by value in a single pass: the type they fit and how their
 * decimals are written (what `inspect` reports), and, when asked, what `init` guesses from — how
 * many distinct values, digit-only IDs, amounts of money and the decimal styles they read in. The
 * money readings and the distinct values cost time and memory, so only `init` asks for them.
 */
import { BigDecimal, Effect, Either, Stream } from "effect"
import * as Money from "../domain/Money.js"
import * as Cell from "./Cell.js"
import type * as Dialect from "./Dialect.js"
import * as Reader from "./Reader.js"

export type Kind = "empty" | "integer" | "decimal" | "boolean" | "text"

/** What `inspect` says about a column. */
export interface ColumnReport {
  readonly position: number
  readonly name: string
  readonly kind: Kind
  /** For decimal columns: how decimals are written (`mixed`: value by value; `ambiguous`: cannot tell). */
  readonly decimal?: "point" | "comma" | "none" | "mixed" | "ambiguous"
  readonly thousands?: string
  /** Cells that read as null (empty, NA, N/A, NONE, NULL, `.`). */
  readonly nulls: number
  readonly example?: string
  /** Values that do not fit the column's type (a few are allowed), and the first of them. */
  readonly misfits?: number
  readonly misfit?: string
}

/** A column's values as `init` needs them (every non-empty value counts, `NA` too). */
export interface Values {
  readonly filled: number
  readonly distinct: number
  /** Every value is digits only, and some have 13+ digits or a leading zero: an ID or EAN, text. */
  readonly digitId: boolean
  /** Values with a currency code or sign, by the currencies it may stand for (`"USD,CAD,…"`). */
  readonly markers: ReadonlyMap<string, number>
  /** Values that read as an amount with `decimal: "auto"`, and an example of one that does not. */
  readonly amounts: number
  /** Values that read as an amount under a decimal point, and under a decimal comma. */
  readonly amountsPoint: number
  readonly amountsComma: number
  /** A value that reads under one style only (`₹1,04,990`, `₹12,990.50`): it settles the column. */
  readonly onlyPoint: string | undefined
  readonly onlyComma: string | undefined
  /** A value that reads as two different amounts, and the most decimals each style reads in any value. */
  readonly twoWays: string | undefined
  readonly decimalsPoint: number
  readonly decimalsComma: number
  readonly badAmount: string | undefined
  readonly example: string | undefined
}

const integerText = /^[+-]?(?:0|[1-9]\d*)$/

/** Up to this share of a column's values may fail to fit its type (they are counted and shown). */
const MISFIT_SHARE = 0.05

/** The decimals an amount's text has when `sep` is its decimal separator (`₹12,990` under a comma: 3). */
const writtenDecimals = (text: string, sep: "." | ","): number => {
  const at = text.lastIndexOf(sep)
  return at === -1 ? 0 : (/^\d*/.exec(text.slice(at + 1))?.[0].length ?? 0)
}

/** A column's profiler: `add` each cell's text, then ask for the `report` on the type its values fit. */
export interface Column {
  readonly add: (text: string) => void
  readonly report: (position: number, name: string) => ColumnReport
}

/**
 * A column's profiler. Made with `{ values: true }` it also keeps the distinct values and reads
 * every non-empty value as an amount of money, for the `values` init guesses from.
 */
export function column(): Column
export function column(options: { readonly values: true }): Column & { readonly values: () => Values }
export function column(options?: { readonly values: true }): Column & { readonly values?: () => Values } {
  const money = options?.values === true
  const detector = Cell.detector()
  const booleans = new Set([...Cell.defaultBooleans.true, ...Cell.defaultBooleans.false].filter((b) => b !== ""))
  const n = { nulls: 0, values: 0, integers: 0, zeroOne: 0, numbers: 0, bools: 0 }
  const misfit = { integer: "", decimal: "", boolean: "" }
  let example: string | undefined
  // The `values` half: every non-empty value counts, `NA` too.
  const seen = new Set<string>()
  const markers = new Map<string, number>()
  const v = { filled: 0, digits: 0, longDigits: 0, amounts: 0, amountsPoint: 0, amountsComma: 0, decimalsPoint: 0, decimalsComma: 0 }
  const first: { onlyPoint?: string; onlyComma?: string; twoWays?: string; badAmount?: string; example?: string } = {}

  const addValue = (t: string) => {
    if (t === "") return
    v.filled++
    first.example ??= t
    seen.add(t)
    if (/^\d+$/.test(t)) {
      v.digits++
      if (t.length >= 13 || (t.length > 1 && t.startsWith("0"))) v.longDigits++
    }
    const auto = Money.parseMoney(t)
    const point = Money.parseMoney(t, { decimal: "point" })
    const comma = Money.parseMoney(t, { decimal: "comma" })
    if (Either.isRight(auto)) v.amounts++
    else first.badAmount ??= t
    const read = Either.isRight(auto) ? auto.right : Either.isRight(point) ? point.right : Either.isRight(comma) ? comma.right : undefined
    if (read?.marker !== undefined) {
      const k = read.currencies.join(",")
      markers.set(k, (markers.get(k) ?? 0) + 1)
    }
    if (Either.isRight(point)) {
      v.amountsPoint++
      v.decimalsPoint = Math.max(v.decimalsPoint, writtenDecimals(t, "."))
    }
    if (Either.isRight(comma)) {
      v.amountsComma++
      v.decimalsComma = Math.max(v.decimalsComma, writtenDecimals(t, ","))
    }
    if (Either.isRight(point) && Either.isLeft(comma)) first.onlyPoint ??= t
    if (Either.isRight(comma) && Either.isLeft(point)) first.onlyComma ??= t
    if (Either.isRight(point) && Either.isRight(comma) && !BigDecimal.equals(point.right.amount, comma.right.amount)) first.twoWays ??= t
  }

  const add = (text: string) => {
    const t = text.trim()
    if (money) addValue(t)
    if (Cell.defaultNulls.includes(t.toLowerCase())) {
      n.nulls++
      return
    }
    n.values++
    example ??= t
    if (integerText.test(t)) n.integers++
    else misfit.integer ||= t
    if (t === "0" || t === "1") n.zeroOne++
    if (Cell.looksNumeric(t)) {
      n.numbers++
      detector.add(t)
    } else misfit.decimal ||= t
    if (booleans.has(t.toLowerCase())) n.bools++
    else misfit.boolean ||= t
  }

  const report = (position: number, name: string): ColumnReport => {
    const base = { position, name, nulls: n.nulls, ...(example === undefined ? {} : { example }) }
    const count = n.values
    const fits = (k: number) => count - k <= count * MISFIT_SHARE
    const withMisfits = (k: number, example: string) => (k === count ? {} : { misfits: count - k, misfit: example })
    if (count === 0) return { ...base, kind: "empty" }
    if (n.zeroOne === count) return { ...base, kind: "boolean" }
    if (fits(n.integers)) return { ...base, kind: "integer", ...withMisfits(n.integers, misfit.integer) }
    if (fits(n.numbers)) {
      const r = detector.result()
      const more = withMisfits(n.numbers, misfit.decimal)
      if (r._tag === "Mixed") return { ...base, kind: "decimal", decimal: "mixed", ...more }
      if (r._tag === "Ambiguous") return { ...base, kind: "decimal", decimal: "ambiguous", ...more }
      const decimal = r.format.decimal === "auto" ? "none" : r.format.decimal
      return { ...base, kind: "decimal", decimal, ...(r.format.thousands === "none" ? {} : { thousands: r.format.thousands }), ...more }
    }
    if (fits(n.bools)) return { ...base, kind: "boolean", ...withMisfits(n.bools, misfit.boolean) }
    return { ...base, kind: "text" }
  }

  const values = (): Values => ({
    filled: v.filled,
    distinct: seen.size,
    digitId: v.filled > 0 && v.digits === v.filled && v.longDigits > 0,
    markers,
    amounts: v.amounts,
    amountsPoint: v.amountsPoint,
    amountsComma: v.amountsComma,
    onlyPoint: first.onlyPoint,
    onlyComma: first.onlyComma,
    twoWays: first.twoWays,
    decimalsPoint: v.decimalsPoint,
    decimalsComma: v.decimalsComma,
    badAmount: first.badAmount,
    example: first.example
  })

  return money ? { add, report, values } : { add, report }
}

/** Reads the file once (as `inspect` read it) and profiles every column's values for `init`; empty and damaged rows are left out, as catalogs do. */
export const values = (file: string, dialect: Dialect.Input) =>
  Effect.gen(function*() {
    const source = yield* Reader.open(file, dialect)
    const width = source.header.names.length
    const ps = source.header.names.map(() => column({ values: true }))
    let rows = 0
    yield* Stream.runForEachChunk(source.rows, (chunk) =>
      Effect.sync(() => {
        for (const row of chunk) {
          if (Reader.isBlank(row) || row.damaged === true) continue
          rows++
          for (let i = 0; i < width && i < row.cells.length; i++) ps[i]?.add(row.cells[i] as string)
        }
      }))
    return { rows, columns: ps.map((p) => p.values()) }
  })
