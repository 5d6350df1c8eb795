/**
 * The canonical product: the one shape both the ERP catalog and Pipedrive map into, and the shape
 * the planner compares. Every field but the key is optional: a field that is absent is not mapped
 * on that side (no opinion), `null` is an explicit empty value. Money is `BigDecimal`; custom
 * fields are keyed by their label (Pipedrive keys are pinned elsewhere), values in canonical form.
 * The encoded form is plain JSON (decimals as strings), used by snapshots and saved plans.
 */
import { BigDecimal, Option, ParseResult, Schema } from "effect"
import { CurrencyCode } from "./Currency.js"
import { PipedriveId } from "./PipedriveId.js"
import { Sku } from "./Sku.js"

/** A decimal carried as a string in JSON (`"19.9"`), a `BigDecimal` in memory. */
export const Decimal = Schema.BigDecimal.annotations({ description: 'a decimal number written with a point, such as "19.9"' })

/** One currency's price parts. An absent part is not owned by this side; `null` is empty. */
export const PriceParts = Schema.Struct({
  price: Schema.optional(Schema.NullOr(Decimal)),
  cost: Schema.optional(Schema.NullOr(Decimal)),
  directCost: Schema.optional(Schema.NullOr(Decimal))
})
export type PriceParts = typeof PriceParts.Type

export const PricePart = Schema.Literal("price", "cost", "directCost")
export type PricePart = typeof PricePart.Type

/** An amount in a currency (Pipedrive's monetary custom fields). */
export class MoneyValue extends Schema.TaggedClass<MoneyValue>()("Money", {
  amount: Decimal,
  currency: CurrencyCode
}) {}

/** A range of dates or times (`daterange`, `timerange`). */
export class RangeValue extends Schema.TaggedClass<RangeValue>()("Range", {
  from: Schema.String,
  until: Schema.NullOr(Schema.String)
}) {}

/** A time of day or a time range, with its time zone (`time`, `timerange`). */
export class TimeValue extends Schema.TaggedClass<TimeValue>()("Time", {
  value: Schema.String,
  until: Schema.NullOr(Schema.String),
  timezoneId: Schema.NullOr(Schema.Int),
  timezoneName: Schema.NullOr(Schema.String)
}) {}

/** An address: the text Pipedrive shows (`value`) and the parts it derived from it. */
export class AddressValue extends Schema.TaggedClass<AddressValue>()("Address", {
  value: Schema.String,
  parts: Schema.Record({ key: Schema.String, value: Schema.NullOr(Schema.String) })
}) {}

/** A reference to another Pipedrive entity by id (`user`, `org`, `people`). */
export class RefValue extends Schema.TaggedClass<RefValue>()("Ref", {
  id: Schema.Int
}) {}

/**
 * A decimal inside a custom value, tagged in JSON (`{"_tag":"Decimal","value":"19.9"}`) so it is
 * never mistaken for the text "19.9".
 */
export const TaggedDecimal = Schema.transformOrFail(
  Schema.Struct({ _tag: Schema.Literal("Decimal"), value: Schema.String }),
  Schema.BigDecimalFromSelf,
  {
    strict: true,
    decode: (e, _, ast) =>
      Option.match(BigDecimal.fromString(e.value), {
        onNone: () => ParseResult.fail(new ParseResult.Type(ast, e, `${JSON.stringify(e.value)} is not a decimal`)),
        onSome: (d) => ParseResult.succeed(BigDecimal.normalize(d))
      }),
    encode: (d) => ParseResult.succeed({ _tag: "Decimal" as const, value: BigDecimal.format(BigDecimal.normalize(d)) })
  }
)

/**
 * A custom field's canonical value: text (varchar, text, phone, date, and enum option labels), a
 * decimal (double, int), a boolean, a set of option labels (sorted, no duplicates), an amount in a
 * currency, a date range, a time (range), an address, or a reference id (user, org, person).
 */
export const CustomValue = Schema.Union(
  Schema.Null,
  Schema.String,
  TaggedDecimal,
  Schema.Boolean,
  Schema.Array(Schema.String),
  MoneyValue,
  RangeValue,
  TimeValue,
  AddressValue,
  RefValue
)
export type CustomValue = typeof CustomValue.Type

export class CatalogProduct extends Schema.Class<CatalogProduct>("CatalogProduct")({
  key: Sku,
  /** The Pipedrive id, when the product is known there (set on the Pipedrive side only). */
  pipedriveId: Schema.optional(PipedriveId),
  name: Schema.optional(Schema.String),
  code: Schema.optional(Schema.NullOr(Schema.String)),
  description: Schema.optional(Schema.NullOr(Schema.String)),
  unit: Schema.optional(Schema.NullOr(Schema.String)),
  /** Tax rate in percent (`19` for 19 %). */
  tax: Schema.optional(Schema.NullOr(Decimal)),
  category: Schema.optional(Schema.NullOr(Schema.String)),
  /** Not deleted / archived. Pipedrive: `!is_deleted`. */
  active: Schema.optional(Schema.Boolean),
  /** Can be added to deals. Pipedrive: `is_linkable`. */
  linkable: Schema.optional(Schema.Boolean),
  /** Currency → price parts. */
  prices: Schema.optional(Schema.Record({ key: CurrencyCode, value: PriceParts })),
  /** Custom field label → value. */
  custom: Schema.optional(Schema.Record({ key: Schema.String, value: CustomValue }))
}) {}

/** The built-in scalar fields of a product, by their canonical name. */
export const scalarFields = ["name", "code", "description", "unit", "tax", "category", "active", "linkable"] as const
export type ScalarField = (typeof scalarFields)[number]

const strict = { errors: "all", onExcessProperty: "error" } as const
/** Decodes strictly: every problem at once, and unknown keys (a lower-case currency) are errors, not dropped. */
export const decode = Schema.decodeUnknown(CatalogProduct, strict)
export const decodeEither = Schema.decodeUnknownEither(CatalogProduct, strict)
export const encode = Schema.encode(CatalogProduct)
