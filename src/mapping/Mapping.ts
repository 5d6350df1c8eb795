/**
 * The shape of a field mapping, as a user writes it in `mappings/*.ts` with `defineMapping`:
 * which ERP column(s) feed which Pipedrive field, how values are parsed and formatted, and which
 * way each field may flow. Keyed by the Pipedrive target, so a target cannot be mapped twice and an
 * editor completes the built-in names.
 */
import type { Direction, Side } from "../domain/Side.js"

/** Built-in Pipedrive product fields, by their canonical name. */
export type BuiltinTarget = "name" | "code" | "description" | "unit" | "tax" | "category" | "active" | "linkable"

/** A part of a price in one currency: `prices.EUR.price`, `prices.USD.cost`, `prices.EUR.directCost`. */
export type PriceTarget = `prices.${string}.${"price" | "cost" | "directCost"}`

/** A custom field, by its label in Pipedrive: `custom.Brand`. */
export type CustomTarget = `custom.${string}`

export type Target = BuiltinTarget | PriceTarget | CustomTarget

/** How an ERP cell is read and written. */
export type ValueType =
  | "text"
  | "decimal"
  | "integer"
  | "boolean"
  | { readonly enum: Readonly<Record<string, string>> }
  | { readonly set: { readonly separator: string } }

export interface FieldMapping {
  /** The ERP column (or columns, for a computed value). */
  readonly erp?: string | ReadonlyArray<string>
  readonly type?: ValueType
  /** How decimals are written in this column (overrides the file's dialect). */
  readonly decimal?: "point" | "comma"
  /** Which way the field flows. Default: `erp→pipedrive`. */
  readonly direction?: Direction
  /** For `both`: the side whose value wins a conflict (and decides on the first run). */
  readonly owner?: Side
  /** For `both`: what to do when both sides changed the field to different values. */
  readonly conflicts?: "erp-wins" | "pipedrive-wins" | "manual"
  /** The value used when the ERP cell is empty. */
  readonly default?: string
  readonly trim?: boolean
  readonly case?: "upper" | "lower"
  /** Boolean spellings (for `type: "boolean"`). */
  readonly booleans?: { readonly true: ReadonlyArray<string>; readonly false: ReadonlyArray<string> }
  /** A value computed from the row's cells (after parsing), such as a net price from gross and tax. */
  readonly compute?: (row: Readonly<Record<string, string>>) => string | null
}

export interface MappingInput {
  /** The match key: the ERP column, and the Pipedrive field it is matched with (`code` by default, or a custom field). */
  readonly key: { readonly erp: string; readonly pipedrive?: "code" | CustomTarget }
  readonly fields: Partial<Record<Target, FieldMapping>>
}

/** Typed authoring for mapping modules: `export default defineMapping({ ... })`. */
export const defineMapping = <const M extends MappingInput>(mapping: M): M => mapping
