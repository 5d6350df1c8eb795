/**
 * The emulator's seed: a Pipedrive account to start from — currencies (v1 objects), custom product
 * fields (system fields are served by the emulator itself) and products (v2 objects with ids).
 * `fixtures/pipedrive-seed.json` is one. Decoded with `decode` where a seed enters as JSON (the
 * CLI's `--seed FILE`, `POST /__emulator/seed`); in-process callers pass a typed `Seed` directly.
 */
import { Either, ParseResult, Schema } from "effect"

export const Currency = Schema.Struct({
  id: Schema.Int,
  code: Schema.String,
  name: Schema.String,
  decimal_points: Schema.Int,
  symbol: Schema.String,
  active_flag: Schema.Boolean,
  is_custom_flag: Schema.Boolean
})
export type Currency = typeof Currency.Type

export const FieldOption = Schema.Struct({
  id: Schema.Int,
  label: Schema.String,
  color: Schema.optional(Schema.NullOr(Schema.String))
})
export type FieldOption = typeof FieldOption.Type

/** A custom product field as the seed lists it (v2 names). */
export const ProductField = Schema.Struct({
  field_name: Schema.String,
  field_code: Schema.String.pipe(Schema.pattern(/^[0-9a-f]{40}$/, { message: () => "a custom field_code is 40 lowercase hex characters" })),
  field_type: Schema.String,
  options: Schema.optionalWith(Schema.NullOr(Schema.Array(FieldOption)), { default: () => null })
})
export type ProductField = typeof ProductField.Type

export const Price = Schema.Struct({
  product_id: Schema.optional(Schema.Int),
  price: Schema.Number,
  currency: Schema.String,
  cost: Schema.optionalWith(Schema.Number, { default: () => 0 }),
  direct_cost: Schema.optionalWith(Schema.NullOr(Schema.Number), { default: () => null }),
  notes: Schema.optionalWith(Schema.String, { default: () => "" })
})
export type Price = typeof Price.Type

const Timestamp = Schema.String.pipe(
  Schema.pattern(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/, { message: () => "an RFC 3339 UTC timestamp in whole seconds, e.g. 2026-01-31T12:00:00Z" })
)

/** A product in the v2 wire shape, with its id. */
export const Product = Schema.Struct({
  id: Schema.Int.pipe(Schema.positive()),
  name: Schema.NonEmptyString,
  code: Schema.optionalWith(Schema.NullOr(Schema.String), { default: () => null }),
  description: Schema.optionalWith(Schema.NullOr(Schema.String), { default: () => null }),
  unit: Schema.optionalWith(Schema.NullOr(Schema.String), { default: () => null }),
  tax: Schema.optionalWith(Schema.Number, { default: () => 0 }),
  category: Schema.optionalWith(Schema.NullOr(Schema.String), { default: () => null }),
  is_linkable: Schema.optionalWith(Schema.Boolean, { default: () => true }),
  is_deleted: Schema.optionalWith(Schema.Boolean, { default: () => false }),
  visible_to: Schema.optionalWith(Schema.Literal(1, 3, 5, 7), { default: () => 3 as const }),
  owner_id: Schema.optionalWith(Schema.Int, { default: () => 1 }),
  add_time: Timestamp,
  update_time: Timestamp,
  billing_frequency: Schema.optionalWith(Schema.Literal("one-time", "annually", "semi-annually", "quarterly", "monthly", "weekly"), { default: () => "one-time" as const }),
  billing_frequency_cycles: Schema.optionalWith(Schema.NullOr(Schema.Int), { default: () => null }),
  prices: Schema.optionalWith(Schema.Array(Price), { default: () => [] }),
  custom_fields: Schema.optionalWith(Schema.Record({ key: Schema.String, value: Schema.Unknown }), { default: () => ({}) })
})
export type Product = typeof Product.Type

/** A product for a seed: what Pipedrive gives a new product, overridden by `fields`. */
export const product = (fields: Pick<Product, "id" | "name" | "add_time" | "update_time"> & Partial<Product>): Product => ({
  code: null,
  description: null,
  unit: null,
  tax: 0,
  category: null,
  is_linkable: true,
  is_deleted: false,
  visible_to: 3,
  owner_id: 1,
  billing_frequency: "one-time",
  billing_frequency_cycles: null,
  prices: [],
  custom_fields: {},
  ...fields
})

export const User = Schema.Struct({ id: Schema.Int, name: Schema.String, email: Schema.optional(Schema.String) })
export type User = typeof User.Type

export const Seed = Schema.Struct({
  description: Schema.optional(Schema.String),
  company: Schema.optional(Schema.Struct({ name: Schema.String, domain: Schema.optional(Schema.String) })),
  users: Schema.optional(Schema.Array(User)),
  currencies: Schema.Array(Currency),
  productFields: Schema.optionalWith(Schema.Array(ProductField), { default: () => [] }),
  /** The product categories: the options of the built-in `category` field (a product holds the id). */
  categories: Schema.optional(Schema.Array(FieldOption)),
  products: Schema.optionalWith(Schema.Array(Product), { default: () => [] })
})
export type Seed = typeof Seed.Type

/** An account with the usual currencies, no custom fields and no products. */
export const empty: Seed = {
  currencies: [
    { id: 1, code: "EUR", name: "Euro", decimal_points: 2, symbol: "€", active_flag: true, is_custom_flag: false },
    { id: 2, code: "USD", name: "US Dollar", decimal_points: 2, symbol: "$", active_flag: true, is_custom_flag: false }
  ],
  users: [{ id: 1, name: "Emulator Admin" }],
  productFields: [],
  categories: [],
  products: []
}

/** Decodes seed JSON; on failure, a readable list of what is wrong and where. */
export const decode = (input: unknown): Either.Either<Seed, string> =>
  Schema.decodeUnknownEither(Seed, { errors: "all", onExcessProperty: "ignore" })(input).pipe(
    Either.mapLeft((e) => {
      // One line per problem, with its path (`products.1.update_time`): never the whole account.
      // (An optional part that is present but wrong also fails as "not undefined": that is noise.)
      const all = ParseResult.ArrayFormatter.formatErrorSync(e)
      const real = all.filter((i) => !i.message.startsWith("Expected undefined, actual"))
      const issues = real.length > 0 ? real : all
      const lines = issues.slice(0, 10).map((i) => `  ${i.path.join(".") || "(the file)"}: ${i.message.length > 200 ? `${i.message.slice(0, 200)}…` : i.message}`)
      return `not an emulator account:\n${lines.join("\n")}${issues.length > 10 ? `\n  … and ${issues.length - 10} more` : ""}`
    })
  )
