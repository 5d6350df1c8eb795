/** Products: create/patch/delete semantics and v2's strict validation, over real HTTP. */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type * as Emulator from "../../src/emulator/Emulator.js"
import { brand, call, color, demoSeed, get, manualClock, start } from "./Helpers.js"

let emu: Emulator.Handle
const clock = manualClock(Date.parse("2026-11-01T09:30:15.678Z"))
const monetary = "f".repeat(40)
const tags = "e".repeat(40)

beforeAll(async () => {
  const seed = demoSeed()
  emu = await start({
    clock: clock.now,
    seed: {
      ...seed,
      productFields: [
        ...seed.productFields,
        { field_name: "List price", field_code: monetary, field_type: "monetary", options: null },
        { field_name: "Tags", field_code: tags, field_type: "set", options: [{ id: 71, label: "new" }, { id: 72, label: "sale" }] }
      ],
      categories: [{ id: 262, label: "Retail" }, { id: 263, label: "Wholesale" }]
    }
  })
})
afterAll(() => emu.close())

const create = (body: unknown) => call(emu, "POST", "/api/v2/products", body)

describe("products", () => {
  it("create answers 201 with the product, defaults filled in, ids after the seed's, timestamps in whole seconds", async () => {
    const r = await create({ name: "Desk Lamp", code: "LAMP-1" })
    expect(r.status).toBe(201)
    expect(r.body.success).toBe(true)
    expect(r.body.data).toMatchObject({
      id: 194,
      name: "Desk Lamp",
      code: "LAMP-1",
      tax: 0,
      is_linkable: true,
      is_deleted: false,
      visible_to: 3,
      owner_id: 1,
      billing_frequency: "one-time",
      billing_frequency_cycles: null,
      add_time: "2026-11-01T09:30:15Z",
      update_time: "2026-11-01T09:30:15Z",
      prices: [{ product_id: 194, price: 0, currency: "EUR", cost: 0, direct_cost: null, notes: "" }]
    })
    expect(r.body.data.custom_fields).toEqual({ [brand]: null, "e6664cefd5273b69d482d605653eb16d1a8a0ad2": null, [color]: null, "4606077f53d88278d7aeecebf34ffad11b5ac0aa": null, [monetary]: null, [tags]: null })
    expect((await get(emu, "/api/v2/products/194")).body.data).toEqual(r.body.data)
  })

  it("PATCH with prices replaces the whole array; other fields stay; update_time moves", async () => {
    const id = (await create({ name: "Chair", prices: [{ currency: "EUR", price: 100, cost: 40 }, { currency: "USD", price: 110 }] })).body.data.id
    clock.advance(5000)
    const r = await call(emu, "PATCH", `/api/v2/products/${id}`, { prices: [{ currency: "CHF", price: 95, notes: "ch" }] })
    expect(r.status).toBe(200)
    expect(r.body.data.prices).toEqual([{ product_id: id, price: 95, currency: "CHF", cost: 0, direct_cost: null, notes: "ch" }])
    expect(r.body.data.name).toBe("Chair")
    expect(r.body.data.update_time).toBe("2026-11-01T09:30:20Z")
    expect(r.body.data.add_time).toBe("2026-11-01T09:30:15Z")
    const untouched = await call(emu, "PATCH", `/api/v2/products/${id}`, { name: "Chair II" })
    expect(untouched.body.data.prices).toEqual(r.body.data.prices)
  })

  it("custom fields in the v2 shapes: enum by option id, set by option ids, monetary as {value, currency}; PATCH merges keys; null clears", async () => {
    const r = await create({ name: "Tagged", custom_fields: { [brand]: "Acme", [color]: 32, [tags]: [71, 72], [monetary]: { value: 9.5, currency: "USD" } } })
    expect(r.status).toBe(201)
    expect(r.body.data.custom_fields).toMatchObject({ [brand]: "Acme", [color]: 32, [tags]: [71, 72], [monetary]: { value: 9.5, currency: "USD" } })
    const p = await call(emu, "PATCH", `/api/v2/products/${r.body.data.id}`, { custom_fields: { [tags]: null } })
    expect(p.body.data.custom_fields).toMatchObject({ [brand]: "Acme", [color]: 32, [tags]: null })
  })

  it("duplicate product codes are allowed, and search by code finds them all", async () => {
    const a = await create({ name: "Twin A", code: "TWIN" })
    const b = await create({ name: "Twin B", code: "twin" })
    expect([a.status, b.status]).toEqual([201, 201])
    const found = await get(emu, "/api/v2/products/search?term=TWIN&fields=code&exact_match=true")
    expect(found.body.data.items.map((i: { item: { id: number } }) => i.item.id)).toEqual([a.body.data.id, b.body.data.id])
    expect(found.body.data.items[0]).toMatchObject({ result_score: 1, item: { type: "product", code: "TWIN", owner: { id: 1 } } })
    const partial = await get(emu, "/api/v2/products/search?term=twi")
    expect(partial.body.data.items.length).toBeGreaterThanOrEqual(2)
    expect((await get(emu, "/api/v2/products/search?term=t")).status).toBe(400)
    expect((await get(emu, "/api/v2/products/search?term=t&exact_match=true")).status).toBe(200)
  })

  it("soft delete: DELETE answers {id}; the list drops it, GET shows is_deleted: true, export keeps it; PATCH/DELETE again are 404", async () => {
    const id = (await create({ name: "Doomed", code: "DOOM" })).body.data.id as number
    const del = await call(emu, "DELETE", `/api/v2/products/${id}`)
    expect(del.status).toBe(200)
    expect(del.body).toEqual({ success: true, data: { id } })
    const one = await get(emu, `/api/v2/products/${id}`)
    expect(one.status).toBe(200)
    expect(one.body.data.is_deleted).toBe(true)
    expect((await get(emu, `/api/v2/products?ids=${id}`)).body.data).toEqual([])
    expect((await get(emu, "/api/v2/products/search?term=DOOM&exact_match=true")).body.data.items).toEqual([])
    expect(emu.products().some((p) => (p as { id: number; is_deleted: boolean }).id === id && (p as { is_deleted: boolean }).is_deleted)).toBe(true)
    expect((await call(emu, "PATCH", `/api/v2/products/${id}`, { name: "Back" })).status).toBe(404)
    const again = await call(emu, "DELETE", `/api/v2/products/${id}`)
    expect(again.status).toBe(404)
    expect(again.body).toEqual({ success: false, error: "Entity was not found", error_info: "Object was not found.", data: null, additional_data: null })
    expect(emu.stats().deletedProducts).toBeGreaterThanOrEqual(1)
  })

  it("404 for an unknown id, 400 for a non-numeric one", async () => {
    expect((await get(emu, "/api/v2/products/987654")).status).toBe(404)
    expect((await get(emu, "/api/v2/products/abc")).status).toBe(400)
  })

  const invalid: ReadonlyArray<readonly [string, unknown, string]> = [
    ["missing name", { code: "X" }, "name: is required"],
    ["empty name", { name: "" }, "name: cannot be an empty string"],
    ["numeric string tax", { name: "x", tax: "19" }, "tax: must be a number, not a string"],
    ["numeric string price", { name: "x", prices: [{ currency: "EUR", price: "5" }] }, "prices[0].price: must be a number, not a string"],
    ["1/0 boolean", { name: "x", is_linkable: 1 }, "is_linkable: must be a boolean (true or false), not a number"],
    ["string boolean", { name: "x", is_linkable: "true" }, "is_linkable: must be a boolean (true or false), not a string"],
    ["duplicate currency", { name: "x", prices: [{ currency: "EUR", price: 1 }, { currency: "EUR", price: 2 }] }, "prices[1].currency: only one price per currency is allowed (EUR appears twice)"],
    ["unknown currency", { name: "x", prices: [{ currency: "XYZ", price: 1 }] }, 'prices[0].currency: unknown currency "XYZ" (see GET /v1/currencies)'],
    ["price without price", { name: "x", prices: [{ currency: "EUR" }] }, "prices[0].price: is required"],
    ["visible_to as string", { name: "x", visible_to: "3" }, "visible_to: must be one of 1, 3, 5, 7"],
    ["visible_to 2", { name: "x", visible_to: 2 }, "visible_to: must be one of 1, 3, 5, 7"],
    ["unknown owner", { name: "x", owner_id: 99 }, "owner_id: User not found or not accessible."],
    ["owner as string", { name: "x", owner_id: "1" }, "owner_id: must be an integer, not a string"],
    ["bad billing frequency", { name: "x", billing_frequency: "daily" }, 'billing_frequency: must be one of "one-time", "annually", "semi-annually", "quarterly", "monthly", "weekly"'],
    ["cycles with one-time", { name: "x", billing_frequency_cycles: 3 }, "billing_frequency_cycles: must be null when billing_frequency is one-time"],
    ["weekly without cycles", { name: "x", billing_frequency: "weekly" }, "billing_frequency_cycles: cannot be null when billing_frequency is weekly"],
    ["cycles > 208", { name: "x", billing_frequency: "monthly", billing_frequency_cycles: 209 }, "billing_frequency_cycles: must be a positive integer less than or equal to 208"],
    ["unknown property", { name: "x", active_flag: true }, "active_flag: is not a known property"],
    ["unknown custom field", { name: "x", custom_fields: { ["0".repeat(40)]: "v" } }, `custom_fields.${"0".repeat(40)}: is not a custom product field`],
    ["enum by label", { name: "x", custom_fields: { [color]: "Red" } }, `custom_fields.${color}: must be an integer, not a string`],
    ["enum unknown option", { name: "x", custom_fields: { [color]: 99 } }, `custom_fields.${color}: 99 is not an option id of this field`],
    ["set as []", { name: "x", custom_fields: { [tags]: [] } }, `custom_fields.${tags}: an empty array is not allowed: send null to clear a set field`],
    ["set as CSV string", { name: "x", custom_fields: { [tags]: "71,72" } }, `custom_fields.${tags}: must be an array of option ids, not a string`],
    ["monetary as number", { name: "x", custom_fields: { [monetary]: 5 } }, `custom_fields.${monetary}: must be an object, not a number`],
    ["double as string", { name: "x", custom_fields: { "e6664cefd5273b69d482d605653eb16d1a8a0ad2": "36" } }, "custom_fields.e6664cefd5273b69d482d605653eb16d1a8a0ad2: must be a number, not a string"],
    ["body not an object", [1, 2], "body: must be an object, not an array"]
  ]

  it.each(invalid)("400 ERR_SCHEMA_VALIDATION_FAILED: %s", async (_, body, message) => {
    const before = emu.stats().products
    const r = await create(body)
    expect(r.status).toBe(400)
    expect(r.body).toEqual({ success: false, error: `Validation failed: ${message}`, code: "ERR_SCHEMA_VALIDATION_FAILED" })
    expect(emu.stats().products).toBe(before)
  })

  it("PATCH validates the same way and rejects an empty name; invalid JSON is a 400", async () => {
    const r = await call(emu, "PATCH", "/api/v2/products/1", { name: "" })
    expect(r.body.error).toBe("Validation failed: name: cannot be an empty string")
    expect((await call(emu, "PATCH", "/api/v2/products/1", { tax: "7" })).status).toBe(400)
    const broken = await call(emu, "POST", "/api/v2/products", "{not json")
    expect(broken.status).toBe(400)
    expect(broken.body.error).toBe("Validation failed: body: is not valid JSON")
    expect((await get(emu, "/api/v2/products/1")).body.data.name).toBe("Alpina Pro Monitor Arm")
  })

  it("category is the id of a product category: a number in requests, a string in responses", async () => {
    const r = await create({ name: "Cat", category: 262 })
    expect(r.body.data.category).toBe("262")
    const field = (await get(emu, "/api/v2/productFields/category")).body.data
    expect(field).toMatchObject({ field_type: "enum", is_custom_field: false, options: [{ id: "262", label: "Retail" }, { id: "263", label: "Wholesale" }] })
    const label = await create({ name: "Cat", category: "Retail" })
    expect(label.status).toBe(400)
    expect(label.body.error).toBe("Validation failed: category: must be an integer, not a string")
    const unknown = await create({ name: "Cat", category: 999 })
    expect(unknown.status).toBe(400)
    expect(unknown.body.error).toBe("Validation failed: category: 999 is not a product category id")
    expect((await call(emu, "PATCH", `/api/v2/products/${r.body.data.id}`, { category: null })).body.data.category).toBeNull()
  })
})
