/**
 * Contract: every response the emulator serves for the endpoints catalog-sync uses validates
 * against the response schema of Pipedrive's published spec (openapi-v2.yaml; openapi-v1.yaml for
 * the v1 routes), with the spec bugs in Contract.ts patched and listed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type * as Emulator from "../../src/emulator/Emulator.js"
import * as Costs from "../../src/emulator/Costs.js"
import * as Contract from "./Contract.js"
import { brand, call, color, demoSeed, start, type Response } from "./Helpers.js"

let emu: Emulator.Handle
const checked = new Set<string>()

const expectContract = (method: string, template: string, r: Response) => {
  const validate = Contract.validator(method, template, r.status)
  const ok = validate(r.body)
  expect(ok ? [] : validate.errors, `${method} ${template} → ${r.status}`).toEqual([])
  checked.add(`${method} ${template}`)
}

/** Calls the emulator and checks the answer against the spec in one go. */
const served = async (method: string, template: string, path: string, body?: unknown, status = 200) => {
  const r = await call(emu, method, path, body)
  expect(r.status, JSON.stringify(r.body)).toBe(status)
  expectContract(method, template, r)
  return r
}

beforeAll(async () => {
  emu = await start({ seed: demoSeed() })
})
afterAll(() => emu.close())

describe("contract with openapi-v2.yaml / openapi-v1.yaml", () => {
  it("product fields (v2): list pages, include_fields, one field, a created set and monetary field", async () => {
    let cursor: string | null = null
    const codes: Array<string> = []
    do {
      const r: Response = await served("GET", "/api/v2/productFields", `/api/v2/productFields?limit=4&include_fields=ui_visibility${cursor ? `&cursor=${cursor}` : ""}`)
      codes.push(...r.body.data.map((f: { field_code: string }) => f.field_code))
      cursor = r.body.additional_data.next_cursor
    } while (cursor !== null)
    expect(codes).toContain("name")
    expect(codes).toContain(brand)
    await served("GET", "/api/v2/productFields/{field_code}", `/api/v2/productFields/${color}`)
    await served("GET", "/api/v2/productFields/{field_code}", "/api/v2/productFields/prices")
    const set = await served("POST", "/api/v2/productFields", "/api/v2/productFields", { field_name: "Channels", field_type: "set", options: [{ label: "Web" }, { label: "Shop" }] })
    expect(set.body.data.field_code).toMatch(/^[0-9a-f]{40}$/)
    const money = await served("POST", "/api/v2/productFields", "/api/v2/productFields", { field_name: "List price", field_type: "monetary" })
    expect(money.body.data.subfields.map((s: { field_code: string }) => s.field_code)).toEqual(["value", "currency"])
  })

  it("products: create, get, patch, list (every sort, custom_fields filter), search, delete", async () => {
    const fields = (await call(emu, "GET", "/api/v2/productFields?limit=500")).body.data as Array<{ field_code: string; field_name: string; options: Array<{ id: number }> | null }>
    const channels = fields.find((f) => f.field_name === "Channels")
    const listPrice = fields.find((f) => f.field_name === "List price")
    const created = await served("POST", "/api/v2/products", "/api/v2/products", {
      name: "Contract Lamp",
      code: "CT-1",
      prices: [{ currency: "EUR", price: 10, cost: 4, direct_cost: 1, notes: "n" }],
      billing_frequency: "monthly",
      billing_frequency_cycles: 12,
      custom_fields: { [channels!.field_code]: [channels!.options![0]!.id], [listPrice!.field_code]: { value: 12.5, currency: "USD" }, [color]: 33 }
    }, 201)
    const bare = await served("POST", "/api/v2/products", "/api/v2/products", { name: "Bare" }, 201)
    expect(bare.body.data.code).toBeNull()
    const id = created.body.data.id as number
    await served("GET", "/api/v2/products/{id}", `/api/v2/products/${id}`)
    await served("PATCH", "/api/v2/products/{id}", `/api/v2/products/${id}`, { description: "lit", prices: [{ currency: "USD", price: 11 }] })
    for (const sort of ["id", "name", "add_time", "update_time"]) {
      for (const dir of ["asc", "desc"]) await served("GET", "/api/v2/products", `/api/v2/products?sort_by=${sort}&sort_direction=${dir}&limit=500`)
    }
    await served("GET", "/api/v2/products", `/api/v2/products?custom_fields=${brand},${color}&limit=3`)
    const end = await served("GET", "/api/v2/products", `/api/v2/products?ids=${id}`)
    expect(end.body.additional_data.next_cursor).toBeNull()
    await served("GET", "/api/v2/products/search", "/api/v2/products/search?term=CT-1&fields=code&exact_match=true&include_fields=product.price")
    await served("GET", "/api/v2/products/search", "/api/v2/products/search?term=lamp")
    await served("DELETE", "/api/v2/products/{id}", `/api/v2/products/${bare.body.data.id}`)
    await served("GET", "/api/v2/products/{id}", `/api/v2/products/${bare.body.data.id}`)
  })

  it("every product carries every property the spec declares, and timestamps are RFC 3339 in whole seconds", async () => {
    const op = Contract.operation("GET", "/api/v2/products")
    const schema = (((op.responses as any)["200"].content["application/json"].schema.properties.data.items) as unknown)
    const declared = Contract.declaredProperties(schema)
    expect(declared.size).toBeGreaterThanOrEqual(17)
    const r = await call(emu, "GET", "/api/v2/products?limit=500")
    for (const p of r.body.data) {
      expect(Object.keys(p).sort()).toEqual([...declared].sort())
      expect(p.add_time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/)
      expect(p.update_time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/)
    }
  })

  it("v1: currencies and product fields with offset pagination", async () => {
    await served("GET", "/v1/currencies", "/v1/currencies")
    await served("GET", "/v1/currencies", "/api/v1/currencies?term=eu")
    let start = 0
    let more = true
    while (more) {
      const r = await served("GET", "/v1/productFields", `/v1/productFields?start=${start}&limit=7`)
      more = r.body.additional_data.pagination.more_items_in_collection
      if (more) start = r.body.additional_data.pagination.next_start
    }
    expect(start).toBeGreaterThan(0)
  })

  it("covered every route the emulator serves", () => {
    expect([...checked].sort()).toEqual([...Costs.routes].sort())
  })

  it("the workarounds are needed: without them the spec rejects what Pipedrive really sends", async () => {
    const raw = (method: string, template: string) => {
      const op = Contract.operation(method, template)
      return Contract.toJsonSchema(structuredClone((op.responses as any)["200"].content["application/json"].schema))
    }
    const ajv = Contract.newAjv()
    const end = await call(emu, "GET", "/api/v2/products?ids=1")
    expect(ajv.validate(raw("GET", "/api/v2/products") as object, end.body)).toBe(false) // next_cursor: null
    const search = await call(emu, "GET", "/api/v2/products/search?term=ELE-1001&exact_match=true&fields=code")
    expect(ajv.validate(raw("GET", "/api/v2/products/search") as object, search.body)).toBe(false) // code is a string
    const v1 = await call(emu, "GET", "/v1/productFields")
    expect(ajv.validate(raw("GET", "/v1/productFields") as object, v1.body)).toBe(false) // built-in field types
  })
})
