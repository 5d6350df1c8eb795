/**
 * Product fields: the system fields the emulator serves itself (readable `field_code`s,
 * `is_custom_field: false`) and custom fields (40-hex codes) from the seed or created through the
 * API, rendered in the v2 shape (`/api/v2/productFields`) and the legacy v1 shape
 * (`/v1/productFields`).
 */
import { createHash } from "node:crypto"
import type * as Seed from "./Seed.js"

export interface Option {
  readonly id: number | string
  readonly label: string
  readonly color?: string | null | undefined
}

export interface Field {
  readonly field_name: string
  readonly field_code: string
  readonly field_type: string
  readonly options: ReadonlyArray<Option> | null
  readonly is_custom_field: boolean
  readonly ui_visibility: { readonly add_visible_flag: boolean; readonly details_visible_flag: boolean }
  /** v1 numeric id. */
  readonly id: number
  /** v1 key when it differs from the v2 field_code (e.g. `selectable` for `is_linkable`). */
  readonly v1Key: string
  readonly addTime: string
}

const visible = { add_visible_flag: true, details_visible_flag: true }

const system = (id: number, field_code: string, field_name: string, field_type: string, options: ReadonlyArray<Option> | null = null, v1Key = field_code): Field => ({
  id,
  field_code,
  field_name,
  field_type,
  options,
  is_custom_field: false,
  ui_visibility: visible,
  v1Key,
  addTime: "2020-01-01T00:00:00Z"
})

/**
 * The built-in product fields, in Pipedrive's order. Built-in option ids are strings
 * (pipedrive-api.md §3.1): the product categories are the options of `category`, ids as text.
 */
export const systemFields = (categories: ReadonlyArray<Seed.FieldOption>): ReadonlyArray<Field> => [
  system(1, "id", "ID", "int"),
  system(2, "name", "Name", "varchar"),
  system(3, "code", "Product code", "varchar"),
  system(4, "description", "Description", "text"),
  system(5, "unit", "Unit", "varchar"),
  system(6, "tax", "Tax", "double"),
  system(7, "category", "Category", "enum", categories.map((c) => ({ id: String(c.id), label: c.label }))),
  system(8, "is_linkable", "Linkable to deals", "boolean", null, "selectable"),
  system(9, "owner_id", "Owner", "user"),
  system(10, "visible_to", "Visible to", "visible_to", [
    { id: "1", label: "Owner & followers" },
    { id: "3", label: "Entire company" }
  ]),
  system(11, "prices", "Prices", "price_list"),
  system(12, "billing_frequency", "Billing frequency", "billing_frequency", [
    "one-time",
    "annually",
    "semi-annually",
    "quarterly",
    "monthly",
    "weekly"
  ].map((f) => ({ id: f, label: f }))),
  system(13, "billing_frequency_cycles", "Billing cycles", "int"),
  system(14, "add_time", "Add time", "date"),
  system(15, "update_time", "Update time", "date")
]

const firstCustomId = 9001

/** Field types a client may create (POST /productFields, openapi-v2.yaml). */
export const creatableTypes: ReadonlySet<string> = new Set([
  "varchar", "text", "double", "phone", "date", "daterange", "time", "timerange", "set", "enum", "varchar_auto", "address", "monetary", "org", "people", "user"
])

/** Custom field types whose values product search looks into. */
export const searchableTypes: ReadonlySet<string> = new Set(["address", "varchar", "text", "varchar_auto", "double", "monetary", "phone"])

export const fromSeed = (f: Seed.ProductField, index: number, addTime: string): Field => ({
  id: firstCustomId + index,
  field_code: f.field_code,
  field_name: f.field_name,
  field_type: f.field_type,
  options: f.options === null ? (f.field_type === "enum" || f.field_type === "set" ? [] : null) : f.options,
  is_custom_field: true,
  ui_visibility: visible,
  v1Key: f.field_code,
  addTime
})

/** A new custom field's 40-hex code: deterministic from its name and sequence number. */
export const newCode = (name: string, sequence: number): string => createHash("sha1").update(`${sequence}\u0000${name}`).digest("hex")

export const custom = (id: number, field_code: string, field_name: string, field_type: string, options: ReadonlyArray<Option> | null, ui: Field["ui_visibility"], addTime: string): Field => ({
  id: firstCustomId + id,
  field_code,
  field_name,
  field_type,
  options,
  is_custom_field: true,
  ui_visibility: ui,
  v1Key: field_code,
  addTime
})

const subfieldsOf = (f: Field): ReadonlyArray<{ field_code: string; field_name: string; field_type: string }> | null => {
  const sub = (code: string, name: string, type: string) => ({ field_code: code, field_name: `${name} of ${f.field_name}`, field_type: type })
  switch (f.field_type) {
    case "monetary":
      return [sub("value", "Amount", "double"), sub("currency", "Currency", "varchar")]
    case "daterange":
      return [sub("value", "Start", "date"), sub("until", "End", "date")]
    case "timerange":
      return [sub("value", "Start", "time"), sub("until", "End", "time")]
    case "address":
      return [sub("value", "Address", "varchar"), sub("country", "Country", "varchar"), sub("locality", "City", "varchar"), sub("postal_code", "Postal code", "varchar")]
    default:
      return null
  }
}

/** The v2 wire shape; `ui_visibility` only when asked for with `include_fields=ui_visibility`. */
export const toV2 = (f: Field, withUi: boolean) => ({
  field_name: f.field_name,
  field_code: f.field_code,
  field_type: f.field_type,
  options: f.options,
  subfields: subfieldsOf(f),
  is_custom_field: f.is_custom_field,
  is_optional_response_field: false,
  ...(withUi ? { ui_visibility: f.ui_visibility } : {})
})

/** v1 timestamps: `YYYY-MM-DD HH:MM:SS` in UTC. */
export const v1Time = (rfc3339: string): string => rfc3339.replace("T", " ").replace("Z", "")

/** The legacy v1 wire shape. */
export const toV1 = (f: Field, orderNr: number) => ({
  id: f.id,
  key: f.v1Key,
  name: f.field_name,
  order_nr: orderNr,
  field_type: f.field_type,
  add_time: v1Time(f.addTime),
  update_time: v1Time(f.addTime),
  last_updated_by_user_id: 1,
  created_by_user_id: 1,
  active_flag: true,
  edit_flag: f.is_custom_field,
  index_visible_flag: true,
  details_visible_flag: f.ui_visibility.details_visible_flag,
  add_visible_flag: f.ui_visibility.add_visible_flag,
  important_flag: false,
  bulk_edit_allowed: true,
  searchable_flag: f.is_custom_field && searchableTypes.has(f.field_type),
  filtering_allowed: true,
  sortable_flag: true,
  mandatory_flag: f.field_code === "name",
  ...(f.options !== null ? { options: f.options.map((o) => ({ id: o.id, label: o.label })) } : {})
})
