/**
 * Request validation with Pipedrive v2's strictness (pipedrive-api.md §1.5, §8): booleans only
 * `true`/`false`, numbers never as strings, `name` non-empty, one price per currency, custom field
 * values in the v2 shape of their type. A failure is an `Invalid` carrying "<field>: <reason>",
 * which the server answers as a 400 `ERR_SCHEMA_VALIDATION_FAILED`.
 */
import type * as Fields from "./Fields.js"

/** A request that fails validation; `message` is "<field>: <reason>". */
export class Invalid extends Error {}

const fail = (at: string, reason: string): never => {
  throw new Invalid(`${at}: ${reason}`)
}

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

const kind = (u: unknown): string => (u === null ? "null" : Array.isArray(u) ? "an array" : typeof u === "string" ? "a string" : typeof u === "number" ? "a number" : typeof u === "boolean" ? "a boolean" : "an object")

export const string = (at: string, u: unknown, max?: number): string => {
  if (typeof u !== "string") return fail(at, `must be a string, not ${kind(u)}`)
  if (max !== undefined && u.length > max) return fail(at, `must be at most ${max} characters`)
  return u
}

export const nullableString = (at: string, u: unknown, max?: number): string | null => (u === null ? null : string(at, u, max))

export const number = (at: string, u: unknown): number => {
  if (typeof u !== "number" || !Number.isFinite(u)) return fail(at, `must be a number, not ${kind(u)}`)
  return u
}

export const integer = (at: string, u: unknown): number => {
  if (typeof u !== "number" || !Number.isInteger(u)) return fail(at, `must be an integer, not ${kind(u)}${typeof u === "number" ? ` (${u})` : ""}`)
  return u
}

export const boolean = (at: string, u: unknown): boolean => {
  if (typeof u !== "boolean") return fail(at, `must be a boolean (true or false), not ${kind(u)}`)
  return u
}

export const oneOf = <A extends string | number>(at: string, u: unknown, values: ReadonlyArray<A>): A => {
  if (!values.includes(u as A)) return fail(at, `must be one of ${values.map((v) => JSON.stringify(v)).join(", ")}`)
  return u as A
}

export const object = (at: string, u: unknown): Record<string, unknown> => {
  if (!isRecord(u)) return fail(at, `must be an object, not ${kind(u)}`)
  return u
}

const noUnknownKeys = (at: string, o: Record<string, unknown>, known: ReadonlySet<string>): void => {
  for (const k of Object.keys(o)) if (!known.has(k)) fail(at === "" ? k : `${at}.${k}`, "is not a known property")
}

export const visibleTo = [1, 3, 5, 7] as const
export const billingFrequencies = ["one-time", "annually", "semi-annually", "quarterly", "monthly", "weekly"] as const
export type BillingFrequency = (typeof billingFrequencies)[number]

export interface PriceInput {
  readonly price: number
  readonly currency: string
  readonly cost: number
  readonly direct_cost: number | null
  readonly notes: string
}

/** The fields of a product create/patch body, each present only when sent. */
export interface ProductInput {
  name?: string
  code?: string | null
  description?: string | null
  unit?: string | null
  tax?: number
  category?: string | null
  owner_id?: number
  is_linkable?: boolean
  visible_to?: 1 | 3 | 5 | 7
  prices?: ReadonlyArray<PriceInput>
  billing_frequency?: BillingFrequency
  billing_frequency_cycles?: number | null
  custom_fields?: Record<string, unknown>
}

export interface Context {
  readonly currencies: ReadonlySet<string>
  readonly users: ReadonlySet<number>
  readonly fields: ReadonlyMap<string, Fields.Field>
}

const productKeys: ReadonlySet<string> = new Set([
  "name", "code", "description", "unit", "tax", "category", "owner_id", "is_linkable", "visible_to", "prices", "billing_frequency", "billing_frequency_cycles", "custom_fields"
])
const priceKeys: ReadonlySet<string> = new Set(["currency", "price", "cost", "direct_cost", "notes", "product_id"])

const currency = (at: string, u: unknown, ctx: Context): string => {
  const c = string(at, u)
  if (!ctx.currencies.has(c)) fail(at, `unknown currency ${JSON.stringify(c)} (see GET /v1/currencies)`)
  return c
}

const prices = (u: unknown, ctx: Context): ReadonlyArray<PriceInput> => {
  if (!Array.isArray(u)) return fail("prices", `must be an array, not ${kind(u)}`)
  const seen = new Set<string>()
  return u.map((item, i) => {
    const at = `prices[${i}]`
    const p = object(at, item)
    noUnknownKeys(at, p, priceKeys)
    if (!("currency" in p)) fail(`${at}.currency`, "is required")
    if (!("price" in p)) fail(`${at}.price`, "is required")
    const c = currency(`${at}.currency`, p.currency, ctx)
    if (seen.has(c)) fail(`${at}.currency`, `only one price per currency is allowed (${c} appears twice)`)
    seen.add(c)
    return {
      currency: c,
      price: number(`${at}.price`, p.price),
      cost: p.cost === undefined ? 0 : number(`${at}.cost`, p.cost),
      direct_cost: p.direct_cost === undefined || p.direct_cost === null ? null : number(`${at}.direct_cost`, p.direct_cost),
      notes: p.notes === undefined || p.notes === null ? "" : string(`${at}.notes`, p.notes)
    }
  })
}

const date = (at: string, u: unknown): string => {
  const s = string(at, u)
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s) || Number.isNaN(Date.parse(`${s}T00:00:00Z`))) fail(at, "must be a date YYYY-MM-DD")
  return s
}

const time = (at: string, u: unknown): string => {
  const s = string(at, u)
  if (!/^([01]\d|2[0-3]):[0-5]\d:[0-5]\d$/.test(s)) fail(at, "must be a time HH:MM:SS")
  return s
}

const optionIds = (f: Fields.Field): ReadonlySet<number | string> => new Set((f.options ?? []).map((o) => o.id))

/** A custom field value in the v2 shape for its type (pipedrive-api.md §3.4); `null` clears it. */
export const customValue = (at: string, f: Fields.Field, u: unknown, ctx: Context): unknown => {
  if (u === null) return null
  switch (f.field_type) {
    case "varchar":
    case "varchar_auto":
    case "phone":
      return string(at, u, 255)
    case "text":
      return string(at, u, 65_535)
    case "double":
      return number(at, u)
    case "user":
    case "org":
    case "people":
      return integer(at, u)
    case "date":
      return date(at, u)
    case "enum": {
      const id = integer(at, u)
      if (!optionIds(f).has(id)) fail(at, `${id} is not an option id of this field`)
      return id
    }
    case "set": {
      if (!Array.isArray(u)) return fail(at, `must be an array of option ids, not ${kind(u)}`)
      if (u.length === 0) fail(at, "an empty array is not allowed: send null to clear a set field")
      const ids = optionIds(f)
      return u.map((v, i) => {
        const id = integer(`${at}[${i}]`, v)
        if (!ids.has(id)) fail(`${at}[${i}]`, `${id} is not an option id of this field`)
        return id
      })
    }
    case "monetary": {
      const o = object(at, u)
      noUnknownKeys(at, o, new Set(["value", "currency"]))
      return { value: number(`${at}.value`, o.value), currency: currency(`${at}.currency`, o.currency, ctx) }
    }
    case "daterange": {
      const o = object(at, u)
      noUnknownKeys(at, o, new Set(["value", "until"]))
      return { value: date(`${at}.value`, o.value), until: date(`${at}.until`, o.until) }
    }
    case "time":
    case "timerange": {
      const o = object(at, u)
      const range = f.field_type === "timerange"
      noUnknownKeys(at, o, new Set(range ? ["value", "until", "timezone_id", "timezone_name"] : ["value", "timezone_id", "timezone_name"]))
      return {
        value: time(`${at}.value`, o.value),
        ...(range ? { until: time(`${at}.until`, o.until) } : {}),
        timezone_id: o.timezone_id === undefined || o.timezone_id === null ? null : integer(`${at}.timezone_id`, o.timezone_id),
        timezone_name: o.timezone_name === undefined || o.timezone_name === null ? null : string(`${at}.timezone_name`, o.timezone_name)
      }
    }
    case "address": {
      const o = object(at, u)
      const parts = ["route", "street_number", "subpremise", "sublocality", "locality", "admin_area_level_1", "admin_area_level_2", "country", "postal_code", "formatted_address"]
      noUnknownKeys(at, o, new Set(["value", ...parts]))
      const out: Record<string, unknown> = { value: string(`${at}.value`, o.value, 255) }
      for (const p of parts) out[p] = o[p] === undefined ? null : nullableString(`${at}.${p}`, o[p])
      return out
    }
    default:
      return fail(at, `fields of type ${f.field_type} cannot be set through the API`)
  }
}

/** A category: the id (a number) of an option of the built-in `category` field, stored as text. */
const category = (u: unknown, ctx: Context): string => {
  const id = String(integer("category", u))
  if (!(ctx.fields.get("category")?.options ?? []).some((o) => String(o.id) === id)) fail("category", `${id} is not a product category id`)
  return id
}

/** Validates a product body; `create` requires `name`. Cross-field rules are checked on the merged product. */
export const productBody = (body: unknown, mode: "create" | "patch", ctx: Context): ProductInput => {
  const o = object("body", body)
  noUnknownKeys("", o, productKeys)
  const out: ProductInput = {}
  if (mode === "create" && !("name" in o)) fail("name", "is required")
  if ("name" in o) {
    const name = string("name", o.name)
    if (name.trim() === "") fail("name", "cannot be an empty string")
    out.name = name
  }
  if ("code" in o) out.code = nullableString("code", o.code)
  if ("description" in o) out.description = nullableString("description", o.description)
  if ("unit" in o) out.unit = nullableString("unit", o.unit)
  if ("tax" in o) out.tax = number("tax", o.tax)
  if ("category" in o) out.category = o.category === null ? null : category(o.category, ctx)
  if ("owner_id" in o) {
    const owner = integer("owner_id", o.owner_id)
    if (!ctx.users.has(owner)) fail("owner_id", "User not found or not accessible.")
    out.owner_id = owner
  }
  if ("is_linkable" in o) out.is_linkable = boolean("is_linkable", o.is_linkable)
  if ("visible_to" in o) out.visible_to = oneOf("visible_to", o.visible_to, visibleTo)
  if ("prices" in o) out.prices = prices(o.prices, ctx)
  if ("billing_frequency" in o) out.billing_frequency = oneOf("billing_frequency", o.billing_frequency, billingFrequencies)
  if ("billing_frequency_cycles" in o) {
    const c = o.billing_frequency_cycles
    out.billing_frequency_cycles = c === null ? null : integer("billing_frequency_cycles", c)
  }
  if ("custom_fields" in o) {
    const cf = object("custom_fields", o.custom_fields)
    const values: Record<string, unknown> = {}
    for (const [key, value] of Object.entries(cf)) {
      const at = `custom_fields.${key}`
      const f = ctx.fields.get(key)
      if (f === undefined || !f.is_custom_field) fail(at, "is not a custom product field")
      else values[key] = customValue(at, f, value, ctx)
    }
    out.custom_fields = values
  }
  return out
}

/** Rules that span fields, checked on the product as it would be after the write. */
export const billing = (frequency: BillingFrequency, cycles: number | null): void => {
  if (frequency === "one-time" && cycles !== null) fail("billing_frequency_cycles", "must be null when billing_frequency is one-time")
  if (frequency === "weekly" && cycles === null) fail("billing_frequency_cycles", "cannot be null when billing_frequency is weekly")
  if (cycles !== null && (cycles < 1 || cycles > 208)) fail("billing_frequency_cycles", "must be a positive integer less than or equal to 208")
}

export interface FieldInput {
  readonly field_name: string
  readonly field_type: string
  readonly options: ReadonlyArray<string> | null
  readonly ui_visibility: { readonly add_visible_flag: boolean; readonly details_visible_flag: boolean }
}

/** Validates a `POST /productFields` body. */
export const fieldBody = (body: unknown, creatable: ReadonlySet<string>): FieldInput => {
  const o = object("body", body)
  noUnknownKeys("", o, new Set(["field_name", "field_type", "options", "ui_visibility"]))
  if (!("field_name" in o)) fail("field_name", "is required")
  if (!("field_type" in o)) fail("field_type", "is required")
  const name = string("field_name", o.field_name, 255)
  if (name.length === 0) fail("field_name", "must be at least 1 character")
  const type = oneOf("field_type", o.field_type, [...creatable])
  let options: ReadonlyArray<string> | null = null
  if (type === "enum" || type === "set") {
    if (!Array.isArray(o.options) || o.options.length === 0) return fail("options", `are required for a field of type ${type}`)
    options = o.options.map((item, i) => {
      const opt = object(`options[${i}]`, item)
      noUnknownKeys(`options[${i}]`, opt, new Set(["label"]))
      const label = string(`options[${i}].label`, opt.label, 255)
      if (label.length === 0) fail(`options[${i}].label`, "must be at least 1 character")
      return label
    })
  } else if (o.options !== undefined && o.options !== null) fail("options", `are only allowed for enum and set fields, not ${type}`)
  const ui = o.ui_visibility === undefined ? {} : object("ui_visibility", o.ui_visibility)
  return {
    field_name: name,
    field_type: type,
    options,
    ui_visibility: {
      add_visible_flag: ui.add_visible_flag === undefined ? false : boolean("ui_visibility.add_visible_flag", ui.add_visible_flag),
      details_visible_flag: ui.details_visible_flag === undefined ? true : boolean("ui_visibility.details_visible_flag", ui.details_visible_flag)
    }
  }
}

/** Query parameter helpers: query values are strings, so "numbers" are checked by their digits. */
export const queryInt = (at: string, s: string, min: number, max: number): number => {
  if (!/^-?\d+$/.test(s)) return fail(at, `must be an integer, not ${JSON.stringify(s)}`)
  const n = Number(s)
  if (n < min) fail(at, `must be >= ${min}`)
  if (n > max) fail(at, `must be <= ${max}`)
  return n
}

export const queryBool = (at: string, s: string): boolean => (s === "true" ? true : s === "false" ? false : fail(at, `must be true or false, not ${JSON.stringify(s)}`))

export const queryEnum = <A extends string>(at: string, s: string, values: ReadonlyArray<A>): A => oneOf(at, s, values)

/** RFC 3339 in whole seconds (a fractional `updated_since` is rejected, as observed upstream). */
export const queryTimestamp = (at: string, s: string): number => {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(Z|[+-]\d{2}:\d{2})$/.exec(s)
  const ms = m ? Date.parse(s) : NaN
  if (Number.isNaN(ms)) return fail(at, `must be an RFC 3339 date-time in whole seconds, e.g. 2025-01-01T10:20:00Z, not ${JSON.stringify(s)}`)
  return Math.floor(ms / 1000)
}

/** A comma-separated list, empty items dropped. */
export const queryList = (s: string): ReadonlyArray<string> => s.split(",").map((x) => x.trim()).filter((x) => x !== "")

export const invalid = fail
