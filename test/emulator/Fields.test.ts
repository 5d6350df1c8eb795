/** Product fields (v2 and legacy v1) and currencies. */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type * as Emulator from "../../src/emulator/Emulator.js"
import { brand, call, color, demoSeed, get, start } from "./Helpers.js"

let emu: Emulator.Handle

beforeAll(async () => {
  emu = await start({ seed: demoSeed() })
})
afterAll(() => emu.close())

describe("product fields", () => {
  it("v2 list: system fields with readable codes, then the seed's custom fields with 40-hex codes", async () => {
    const r = await get(emu, "/api/v2/productFields?limit=500")
    const fields = r.body.data as Array<{ field_code: string; is_custom_field: boolean; field_type: string; options: unknown }>
    const system = fields.filter((f) => !f.is_custom_field).map((f) => f.field_code)
    expect(system).toEqual(expect.arrayContaining(["name", "code", "description", "unit", "tax", "category", "is_linkable", "prices", "owner_id", "visible_to", "billing_frequency"]))
    const custom = fields.filter((f) => f.is_custom_field)
    expect(custom.map((f) => f.field_code)).toEqual(demoSeed().productFields.map((f) => f.field_code))
    expect(custom.find((f) => f.field_code === color)?.options).toEqual([31, 32, 33, 34, 35].map((id, i) => ({ id, label: ["Black", "White", "Grey", "Blue", "Red"][i] })))
    expect(fields.every((f) => !("ui_visibility" in f))).toBe(true)
    expect(r.body.additional_data.next_cursor).toBeNull()
  })

  it("v2 get one by field_code; 404 for an unknown code", async () => {
    const r = await get(emu, `/api/v2/productFields/${brand}`)
    expect(r.body.data).toMatchObject({ field_name: "Brand", field_type: "varchar", is_custom_field: true, options: null, subfields: null })
    expect((await get(emu, "/api/v2/productFields/nope")).status).toBe(404)
  })

  it("v2 create: 200 with a new 40-hex code and option ids; the field is then usable on products", async () => {
    const r = await call(emu, "POST", "/api/v2/productFields", { field_name: "Material", field_type: "enum", options: [{ label: "Oak" }, { label: "Steel" }] })
    expect(r.status).toBe(200)
    const f = r.body.data
    expect(f.field_code).toMatch(/^[0-9a-f]{40}$/)
    expect(f.options.map((o: { id: number }) => o.id)).toEqual([36, 37])
    expect(f.ui_visibility).toEqual({ add_visible_flag: false, details_visible_flag: true })
    const p = await call(emu, "POST", "/api/v2/products", { name: "Oak table", custom_fields: { [f.field_code]: 36 } })
    expect(p.body.data.custom_fields[f.field_code]).toBe(36)
    expect((await get(emu, "/api/v2/products/1")).body.data.custom_fields[f.field_code]).toBeNull()
  })

  it.each([
    [{ field_type: "varchar" }, "field_name: is required"],
    [{ field_name: "", field_type: "varchar" }, "field_name: must be at least 1 character"],
    [{ field_name: "x", field_type: "boolean" }, "field_type: must be one of"],
    [{ field_name: "x", field_type: "enum" }, "options: are required for a field of type enum"],
    [{ field_name: "x", field_type: "set", options: [{ label: "" }] }, "options[0].label: must be at least 1 character"],
    [{ field_name: "x", field_type: "varchar", ui_visibility: { add_visible_flag: 1 } }, "ui_visibility.add_visible_flag: must be a boolean"]
  ])("v2 create rejects %j", async (body, message) => {
    const r = await call(emu, "POST", "/api/v2/productFields", body)
    expect(r.status).toBe(400)
    expect(r.body.code).toBe("ERR_SCHEMA_VALIDATION_FAILED")
    expect(r.body.error).toContain(`Validation failed: ${message}`)
  })

  it("v2 list pages with a cursor", async () => {
    const codes: Array<string> = []
    let cursor: string | null = null
    do {
      const r: { body: { data: Array<{ field_code: string }>; additional_data: { next_cursor: string | null } } } = await get(emu, `/api/v2/productFields?limit=4${cursor ? `&cursor=${cursor}` : ""}`)
      codes.push(...r.body.data.map((f) => f.field_code))
      cursor = r.body.additional_data.next_cursor
    } while (cursor !== null)
    const all = (await get(emu, "/api/v2/productFields?limit=500")).body.data.map((f: { field_code: string }) => f.field_code)
    expect(codes).toEqual(all)
  })

  it("v1 list: legacy shape and offset pagination (more_items_in_collection, next_start)", async () => {
    const first = await get(emu, "/v1/productFields?limit=5")
    expect(first.body.additional_data.pagination).toEqual({ start: 0, limit: 5, more_items_in_collection: true, next_start: 5 })
    expect(first.body.data[1]).toMatchObject({ key: "name", name: "Name", field_type: "varchar", edit_flag: false, add_time: "2020-01-01 00:00:00" })
    const all = await get(emu, "/v1/productFields?start=0&limit=500")
    expect(all.body.additional_data.pagination).toEqual({ start: 0, limit: 500, more_items_in_collection: false })
    expect(all.body.data.find((f: { key: string }) => f.key === color)).toMatchObject({ edit_flag: true, field_type: "enum", options: [{ id: 31, label: "Black" }, { id: 32, label: "White" }, { id: 33, label: "Grey" }, { id: 34, label: "Blue" }, { id: 35, label: "Red" }] })
    expect(all.body.data.map((f: { key: string }) => f.key)).toContain("selectable")
  })

  it("v1 currencies: the seed's, filterable by term", async () => {
    const r = await get(emu, "/v1/currencies")
    expect(r.body.data.map((c: { code: string }) => c.code)).toEqual(["EUR", "USD", "CHF", "JPY"])
    expect((await get(emu, "/v1/currencies?term=yen")).body.data.map((c: { code: string }) => c.code)).toEqual(["JPY"])
  })
})
