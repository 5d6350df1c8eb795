/**
 * The product key both sides are matched on (the ERP's article number, Pipedrive's `code` by
 * default). Keys are compared exactly: trimming happens when a value is read, never here.
 */
import { Schema } from "effect"

export const Sku = Schema.String.pipe(
  Schema.minLength(1, { message: () => "a product key (SKU) cannot be empty" }),
  Schema.filter((s) => s.trim() === s || "a product key (SKU) cannot start or end with white space"),
  Schema.brand("Sku")
)
export type Sku = typeof Sku.Type

/** Brands a string as a key; throws on an empty or untrimmed one (use `Sku` to decode input). */
export const make = (value: string): Sku => Sku.make(value)
