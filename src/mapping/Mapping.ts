/**
 * The shape of a field mapping, as a user writes it in `mappings/*.ts` with `defineMapping`:
 * which ERP column(s) feed which Pipedrive field, how values are parsed and formatted, and which
 * way each field may flow. Keyed by the Pipedrive target, so a target cannot be mapped twice and an
 * editor completes the built-in names. docs/mapping.md is the reference of every option.
 */
import type { ConflictPolicy } from "../domain/Policy.js"
import type { Direction, Side } from "../domain/Side.js"

/** Built-in Pipedrive product fields, by their canonical name. */
export type BuiltinTarget = "name" | "code" | "description" | "unit" | "tax" | "category" | "active" | "linkable"

/** A part of a price in one currency: `prices.EUR.price`, `prices.USD.cost`, `prices.EUR.directCost`. */
export type PriceTarget = `prices.${string}.${"price" | "cost" | "directCost"}`

/** A custom field, by its label in Pipedrive: `custom.Brand`. */
export type CustomTarget = `custom.${string}`

export type Target = BuiltinTarget | PriceTarget | CustomTarget

/**
 * A one-way field changed only on the side it does not flow from: `restore` sets it back to its
 * owner's value (the default), `report` only notes the drift.
 */
export type Drift = "restore" | "report"

/** What a value of the ERP column is: text, a number, a flag, one of a list, or several of a list. */
export type ValueType =
  | "text"
  | "decimal"
  | "integer"
  | "boolean"
  /**
   * An amount written with or without its currency (`ARS 2625.00`, `2.625,00 €`, `$1,299.00`,
   * `₹1,39,900`, `CHF 1'250.50`), for prices and monetary fields; an amount in another currency
   * than the field's is a row error.
   */
  | "money"
  /** Option labels; `values` maps ERP spellings to Pipedrive labels (unlisted values pass through). */
  | { readonly enum: Readonly<Record<string, string>> }
  /** Several option labels in one cell, split on `separator` (and joined with it on the way back). */
  | { readonly set: { readonly separator: string; readonly values?: Readonly<Record<string, string>> } }

/** The typed cells of an ERP row, by column name, as `compute` receives them. */
export type Cells = Readonly<Record<string, string | number | boolean | null>>

export interface FieldMapping {
  /** The ERP column; for `compute`, the columns it reads. Optional only for a computed field. */
  readonly erp?: string | ReadonlyArray<string>
  /** Default: `text` for text fields, `decimal` for tax and prices, `boolean` for flags; `money` for amounts with a currency. */
  readonly type?: ValueType
  /** How decimals are written in this column, when it differs from the file's `dialect.decimal`. */
  readonly decimal?: "point" | "comma" | "auto"
  /** Which way the field flows. Default: `erp→pipedrive`. */
  readonly direction?: Direction
  /** For `both`: the side whose value wins a conflict and decides on the first run. */
  readonly owner?: Side
  /** For `both`: what to do when both sides changed the field to different values (default: the config's `policies.conflicts`). */
  readonly conflicts?: ConflictPolicy
  /** For a one-way field: set a value changed on the other side back (`restore`, default) or only report it. */
  readonly drift?: Drift
  /** The value used when the ERP cell is empty (as the ERP would write it). */
  readonly default?: string
  /** Trim white space around the ERP value (default `true`). */
  readonly trim?: boolean
  /** Change the case of text read from the ERP. */
  readonly case?: "upper" | "lower"
  /** ERP spellings of true and false, for `type: "boolean"` (default: true/yes/1/y/ja/j/x/wahr and false/no/0/n/nein/falsch, any case). An empty cell is empty, never false. */
  readonly booleans?: { readonly true: ReadonlyArray<string>; readonly false: ReadonlyArray<string> }
  /**
   * A value computed from the row's typed cells (the columns named in `erp`), such as a net price
   * from gross and tax. Return a string or number (parsed as `type`) or `null` for empty. A computed
   * field flows `erp→pipedrive` only.
   */
  readonly compute?: (cells: Cells) => string | number | null
  /** For a monetary custom field: the currency the ERP amounts are in. */
  readonly currency?: string
}

export interface MappingInput {
  /**
   * The match key: the ERP column, and the Pipedrive field it is matched with (`code`, the default,
   * or a custom text field such as `custom.ERP ID`).
   */
  readonly key: { readonly erp: string; readonly pipedrive?: "code" | CustomTarget }
  readonly fields: { readonly [T in Target]?: FieldMapping }
  /** Create custom fields the account does not have yet (the dry run lists them). Default `false`. */
  readonly createMissingFields?: boolean
  /**
   * Which rows of the file are products, for exports whose keys repeat by design (a row per
   * customer group and quantity tier, per store view): `where` keeps the rows whose column holds
   * the value (or one of the values), the others are skipped and counted; `duplicates` keeps the
   * `first` or `last` row of a repeated key instead of rejecting every one of them (`reject`, the
   * default).
   */
  readonly rows?: {
    readonly where?: Readonly<Record<string, string | ReadonlyArray<string>>>
    readonly duplicates?: "reject" | "first" | "last"
  }
  /** The default `drift` of every one-way field (default `restore`). */
  readonly drift?: Drift
}

/** Typed authoring for mapping modules: `export default defineMapping({ ... })`. */
export const defineMapping = <const M extends MappingInput>(mapping: M): M => mapping
