/**
 * What Pipedrive sends and accepts, as Schemas: API v2 products and their prices, custom field
 * values of every field type, product fields (options, subfields), `/v1/currencies`, the response
 * envelopes with their cursor, search results and error bodies. Responses are decoded here, once,
 * where they enter; fields we do not know are tolerated (dropped), fields we rely on are checked.
 *
 * Written from `shared/pipedrive-api.md` and Pipedrive's OpenAPI specs, never from the emulator.
 */
import { Schema } from "effect"

// ---------------------------------------------------------------------------------------------
// Products

export const VisibleTo = Schema.Literal(1, 3, 5, 7)
export type VisibleTo = typeof VisibleTo.Type

export const BillingFrequency = Schema.Literal("one-time", "annually", "semi-annually", "quarterly", "monthly", "weekly")
export type BillingFrequency = typeof BillingFrequency.Type

/** One price of a product: one per currency (v2 has no price id). */
export const Price = Schema.Struct({
  product_id: Schema.optional(Schema.Int),
  price: Schema.Number,
  currency: Schema.String,
  cost: Schema.optional(Schema.NullOr(Schema.Number)),
  direct_cost: Schema.optional(Schema.NullOr(Schema.Number)),
  notes: Schema.optional(Schema.NullOr(Schema.String))
})
export type Price = typeof Price.Type

/** Monetary custom field value: `{ value, currency }`. */
export const MonetaryValue = Schema.Struct({ value: Schema.NullOr(Schema.Number), currency: Schema.NullOr(Schema.String) })
export type MonetaryValue = typeof MonetaryValue.Type

/** Date range custom field value: `{ value: "YYYY-MM-DD", until: "YYYY-MM-DD" }`. */
export const DateRangeValue = Schema.Struct({ value: Schema.NullOr(Schema.String), until: Schema.NullOr(Schema.String) })
export type DateRangeValue = typeof DateRangeValue.Type

const timezone = {
  timezone_id: Schema.optional(Schema.NullOr(Schema.Int)),
  timezone_name: Schema.optional(Schema.NullOr(Schema.String))
}

/** Time custom field value: `{ value: "HH:MM:SS", timezone_id?, timezone_name? }`. */
export const TimeValue = Schema.Struct({ value: Schema.NullOr(Schema.String), ...timezone })
export type TimeValue = typeof TimeValue.Type

/** Time range custom field value: `{ value, until, timezone_id?, timezone_name? }`. */
export const TimeRangeValue = Schema.Struct({ value: Schema.NullOr(Schema.String), until: Schema.NullOr(Schema.String), ...timezone })
export type TimeRangeValue = typeof TimeRangeValue.Type

const addressPart = Schema.optional(Schema.NullOr(Schema.String))

/** Address custom field value: only `value` is required; the parts default to null. */
export const AddressValue = Schema.Struct({
  value: Schema.NullOr(Schema.String),
  route: addressPart,
  street_number: addressPart,
  subpremise: addressPart,
  sublocality: addressPart,
  locality: addressPart,
  admin_area_level_1: addressPart,
  admin_area_level_2: addressPart,
  country: addressPart,
  postal_code: addressPart,
  formatted_address: addressPart
})
export type AddressValue = typeof AddressValue.Type

/**
 * Any custom field value as it appears in a product's `custom_fields`, checked only for shape
 * (the key alone does not say the type). Object values keep every key they carry. Read one
 * precisely with {@link customFieldValue} once the field's type is known.
 */
export const AnyCustomFieldValue = Schema.Union(
  Schema.Null,
  Schema.String,
  Schema.Number,
  Schema.Boolean,
  Schema.Array(Schema.Union(Schema.Number, Schema.String)),
  Schema.Struct({ value: Schema.optional(Schema.Unknown) }, Schema.Record({ key: Schema.String, value: Schema.Unknown }))
)
export type AnyCustomFieldValue = typeof AnyCustomFieldValue.Type

const Id = Schema.Int
const text = Schema.NullOr(Schema.String)

/** The value schema of each custom field type (API v2 shapes, `pipedrive-api.md` §3.4); all nullable. */
export const customFieldValueSchemas = {
  varchar: text,
  varchar_auto: text,
  varchar_options: text,
  text,
  phone: text,
  date: text,
  double: Schema.NullOr(Schema.Number),
  int: Schema.NullOr(Schema.Number),
  boolean: Schema.NullOr(Schema.Boolean),
  monetary: Schema.NullOr(MonetaryValue),
  enum: Schema.NullOr(Id),
  set: Schema.NullOr(Schema.Array(Id)),
  user: Schema.NullOr(Id),
  org: Schema.NullOr(Id),
  people: Schema.NullOr(Id),
  daterange: Schema.NullOr(DateRangeValue),
  time: Schema.NullOr(TimeValue),
  timerange: Schema.NullOr(TimeRangeValue),
  address: Schema.NullOr(AddressValue)
} as const

export type KnownFieldType = keyof typeof customFieldValueSchemas
export type CustomFieldValueOf<T extends KnownFieldType> = Schema.Schema.Type<(typeof customFieldValueSchemas)[T]>

const isKnownFieldType = (t: string): t is KnownFieldType => Object.hasOwn(customFieldValueSchemas, t)

/** The schema reading a custom field's value given its `field_type` (unknown types: any value shape). */
export const customFieldValue = (fieldType: string): Schema.Schema<unknown> =>
  isKnownFieldType(fieldType) ? (customFieldValueSchemas[fieldType] as Schema.Schema<unknown>) : (AnyCustomFieldValue as Schema.Schema<unknown>)

/** A product as API v2 returns it. */
export const Product = Schema.Struct({
  id: Id,
  name: Schema.String,
  code: Schema.optional(Schema.NullOr(Schema.String)),
  description: Schema.optional(Schema.NullOr(Schema.String)),
  unit: Schema.optional(Schema.NullOr(Schema.String)),
  tax: Schema.optional(Schema.NullOr(Schema.Number)),
  category: Schema.optional(Schema.NullOr(Schema.Union(Schema.String, Schema.Number))),
  is_linkable: Schema.optional(Schema.Boolean),
  is_deleted: Schema.optional(Schema.Boolean),
  visible_to: Schema.optional(Schema.NullOr(VisibleTo)),
  owner_id: Schema.optional(Schema.NullOr(Id)),
  add_time: Schema.optional(Schema.NullOr(Schema.String)),
  update_time: Schema.optional(Schema.NullOr(Schema.String)),
  billing_frequency: Schema.optional(Schema.NullOr(BillingFrequency)),
  billing_frequency_cycles: Schema.optional(Schema.NullOr(Schema.Int)),
  prices: Schema.Array(Price),
  custom_fields: Schema.optional(Schema.NullOr(Schema.Record({ key: Schema.String, value: AnyCustomFieldValue })))
})
export type Product = typeof Product.Type

/** A price as sent in a create or update (`currency` + `price` required, one per currency). */
export const PriceInput = Schema.Struct({
  currency: Schema.String,
  price: Schema.Number,
  cost: Schema.optional(Schema.Number),
  direct_cost: Schema.optional(Schema.NullOr(Schema.Number)),
  notes: Schema.optional(Schema.String)
})
export type PriceInput = typeof PriceInput.Type

/** The writable fields of a product but `name`; `null` empties a text field or the category. */
const writable = {
  code: Schema.optional(Schema.NullOr(Schema.String)),
  description: Schema.optional(Schema.NullOr(Schema.String)),
  unit: Schema.optional(Schema.NullOr(Schema.String)),
  tax: Schema.optional(Schema.Number),
  /** The option id of the built-in `category` field. */
  category: Schema.optional(Schema.NullOr(Schema.Number)),
  owner_id: Schema.optional(Id),
  is_linkable: Schema.optional(Schema.Boolean),
  visible_to: Schema.optional(VisibleTo),
  /** The whole array: a PATCH with `prices` replaces every price. */
  prices: Schema.optional(Schema.Array(PriceInput)),
  billing_frequency: Schema.optional(BillingFrequency),
  billing_frequency_cycles: Schema.optional(Schema.NullOr(Schema.Int)),
  /** Keys are 40-character field codes; `null` clears a value (a `set` is cleared with `null`, never `[]`). */
  custom_fields: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.Unknown }))
}

/** A PATCH body: every writable field optional (`prices` replaces the whole array). */
export const ProductPatch = Schema.Struct({ name: Schema.optional(Schema.String), ...writable })
export type ProductPatch = typeof ProductPatch.Type

/** A new product: `name` is required and cannot be empty. */
export const ProductCreate = Schema.Struct({ name: Schema.String, ...writable })
export type ProductCreate = typeof ProductCreate.Type

// ---------------------------------------------------------------------------------------------
// Search

/** One hit of `/products/search`: few fields (the spec types `code` as an integer; real codes are strings). */
export const SearchItem = Schema.Struct({
  id: Id,
  name: Schema.optional(Schema.NullOr(Schema.String)),
  code: Schema.optional(Schema.NullOr(Schema.Union(Schema.String, Schema.Number)))
})
export type SearchItem = typeof SearchItem.Type

export const SearchResult = Schema.Struct({
  items: Schema.Array(Schema.Struct({ result_score: Schema.optional(Schema.Number), item: SearchItem }))
})

// ---------------------------------------------------------------------------------------------
// Product fields

export const FieldOption = Schema.Struct({
  /** Integer for custom fields, string for built-in ones. */
  id: Schema.Union(Schema.Int, Schema.String),
  label: Schema.String,
  color: Schema.optional(Schema.NullOr(Schema.String))
})
export type FieldOption = typeof FieldOption.Type

export const Subfield = Schema.Struct({ field_code: Schema.String, field_name: Schema.String, field_type: Schema.String })
export type Subfield = typeof Subfield.Type

/**
 * A product field (Fields API v2). `field_type` is kept as a string so that a type Pipedrive adds
 * later does not break reading the whole list; {@link customFieldValue} knows the current ones.
 */
export const ProductField = Schema.Struct({
  field_name: Schema.String,
  field_code: Schema.String,
  field_type: Schema.String,
  options: Schema.optional(Schema.NullOr(Schema.Array(FieldOption))),
  subfields: Schema.optional(Schema.NullOr(Schema.Array(Subfield))),
  is_custom_field: Schema.Boolean,
  is_optional_response_field: Schema.Boolean,
  ui_visibility: Schema.optional(
    Schema.NullOr(Schema.Struct({ add_visible_flag: Schema.optional(Schema.Boolean), details_visible_flag: Schema.optional(Schema.Boolean) }))
  )
})
export type ProductField = typeof ProductField.Type

/** The field types a custom product field can be created with. */
export const CreatableFieldType = Schema.Literal(
  "varchar", "text", "double", "phone", "date", "daterange", "time", "timerange", "set", "enum", "varchar_auto",
  "address", "monetary", "org", "people", "user"
)
export type CreatableFieldType = typeof CreatableFieldType.Type

export interface ProductFieldCreate {
  readonly field_name: string
  readonly field_type: CreatableFieldType
  /** Required for `enum` and `set`. */
  readonly options?: ReadonlyArray<{ readonly label: string }>
  readonly ui_visibility?: { readonly add_visible_flag?: boolean; readonly details_visible_flag?: boolean }
}

// ---------------------------------------------------------------------------------------------
// Currencies (`GET /v1/currencies`)

export const Currency = Schema.Struct({
  id: Id,
  code: Schema.String,
  name: Schema.String,
  decimal_points: Schema.Int,
  symbol: Schema.optional(Schema.NullOr(Schema.String)),
  active_flag: Schema.optional(Schema.Boolean),
  is_custom_flag: Schema.optional(Schema.Boolean)
})
export type Currency = typeof Currency.Type

// ---------------------------------------------------------------------------------------------
// Envelopes

/** `{ success: true, data }`: a 2xx whose `success` is not `true` is not a success. */
export const Envelope = <A, I, R>(data: Schema.Schema<A, I, R>) =>
  Schema.Struct({ success: Schema.Literal(true), data })

/** The cursor of a page: `additional_data.next_cursor`, null (or absent) on the last page. */
const AdditionalData = Schema.optional(Schema.NullOr(Schema.Struct({ next_cursor: Schema.optional(Schema.NullOr(Schema.String)) })))

/** What every cursor page has. */
export interface Paged {
  readonly additional_data?: { readonly next_cursor?: string | null | undefined } | null | undefined
}

/** A page of items. */
export const Page = <A, I, R>(item: Schema.Schema<A, I, R>) =>
  Schema.Struct({ success: Schema.Literal(true), data: Schema.Array(item), additional_data: AdditionalData })

/** A page of search results (`data.items[].item`). */
export const SearchPage = Schema.Struct({ success: Schema.Literal(true), data: SearchResult, additional_data: AdditionalData })

export const Deleted = Envelope(Schema.Struct({ id: Id }))

/** What Pipedrive says when it refuses: `error` (its text), sometimes `error_info` and a `code`. */
export const ErrorBody = Schema.Struct({
  success: Schema.optional(Schema.Boolean),
  error: Schema.optional(Schema.NullOr(Schema.String)),
  error_info: Schema.optional(Schema.NullOr(Schema.String)),
  code: Schema.optional(Schema.NullOr(Schema.Union(Schema.String, Schema.Number))),
  errorCode: Schema.optional(Schema.NullOr(Schema.Union(Schema.String, Schema.Number)))
})
export type ErrorBody = typeof ErrorBody.Type
