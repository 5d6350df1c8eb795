/**
 * Currency codes and their precision (digits after the decimal point). ISO 4217 codes default to
 * their standard minor units; an account's own list (Pipedrive's `decimal_points`, custom
 * currencies) overrides them through `Currency.registry`.
 */
import { Schema } from "effect"

export const CurrencyCode = Schema.String.pipe(
  Schema.pattern(/^[A-Z0-9]{2,10}$/, {
    message: (issue) => `expected a currency code such as "EUR" (2–10 upper-case letters or digits), got ${JSON.stringify(issue.actual)}`
  }),
  Schema.brand("CurrencyCode")
)
export type CurrencyCode = typeof CurrencyCode.Type

export const code = (value: string): CurrencyCode => CurrencyCode.make(value)

/** ISO 4217 currencies whose minor unit is not 2. */
const isoMinorUnits: Readonly<Record<string, number>> = {
  BIF: 0, CLP: 0, DJF: 0, GNF: 0, ISK: 0, JPY: 0, KMF: 0, KRW: 0, PYG: 0, RWF: 0, UGX: 0, UYI: 0,
  VND: 0, VUV: 0, XAF: 0, XOF: 0, XPF: 0,
  BHD: 3, IQD: 3, JOD: 3, KWD: 3, LYD: 3, OMR: 3, TND: 3,
  CLF: 4, UYW: 4
}

/** A lookup of currency precision: account-specific entries first, then ISO 4217, then 2. */
export interface Registry {
  readonly precision: (code: string) => number
  readonly has: (code: string) => boolean
  readonly codes: ReadonlyArray<string>
}

export const isoPrecision = (currency: string): number => isoMinorUnits[currency] ?? 2

/** A registry built from an account's currencies (`code` → `decimal_points`). */
export const registry = (entries: Iterable<readonly [code: string, decimalPoints: number]>): Registry => {
  const map = new Map(entries)
  return {
    precision: (c) => map.get(c) ?? isoPrecision(c),
    has: (c) => map.has(c),
    codes: [...map.keys()].sort()
  }
}

/** The registry of an account's active currencies, as Pipedrive lists them (2 decimals when it does not say). */
export const ofAccount = (
  currencies: ReadonlyArray<{ readonly code: string; readonly decimal_points?: number | null | undefined; readonly active_flag?: boolean | null | undefined }>
): Registry => registry(currencies.filter((c) => c.active_flag !== false).map((c) => [c.code, c.decimal_points ?? 2] as const))

/** A registry that knows no account: every currency has its ISO precision. */
export const iso: Registry = {
  precision: isoPrecision,
  has: () => true,
  codes: []
}
