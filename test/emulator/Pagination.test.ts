/** Keyset pagination over thousands of products: every sort and direction, filters, no dupes or gaps. */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as Cursor from "../../src/emulator/Cursor.js"
import type * as Emulator from "../../src/emulator/Emulator.js"
import type * as Seed from "../../src/emulator/Seed.js"
import { call, generated, get, pageAll, start } from "./Helpers.js"

const n = 3000
let seed: Seed.Seed
let emu: Emulator.Handle

beforeAll(async () => {
  seed = generated(n, { deletedEvery: 10, owners: 3 })
  emu = await start({ seed })
})
afterAll(() => emu.close())

const live = () => seed.products.filter((p) => !p.is_deleted)

/** The expected order, computed independently of the emulator: the sort key, then the id. */
const expected = (key: (p: Seed.Product) => string | number, dir: "asc" | "desc", products = live()) => {
  const asc = [...products].sort((a, b) => {
    const ka = key(a)
    const kb = key(b)
    return ka < kb ? -1 : ka > kb ? 1 : a.id - b.id
  })
  return (dir === "asc" ? asc : asc.reverse()).map((p) => p.id)
}

const keys: Record<string, (p: Seed.Product) => string | number> = {
  id: (p) => p.id,
  name: (p) => p.name.toLowerCase(),
  add_time: (p) => p.add_time,
  update_time: (p) => p.update_time
}

describe("pagination", () => {
  for (const sortBy of Object.keys(keys)) {
    for (const dir of ["asc", "desc"] as const) {
      it(`sort_by=${sortBy} sort_direction=${dir}: every live product once, in order`, async () => {
        const { items, pages } = await pageAll(emu, `limit=500&sort_by=${sortBy}&sort_direction=${dir}`)
        expect(pages).toBe(Math.ceil(live().length / 500))
        expect(items.map((p) => p.id)).toEqual(expected(keys[sortBy]!, dir))
      })
    }
  }

  it("default limit is 100, the cursor is base64url JSON like Pipedrive's, and next_cursor is null at the end", async () => {
    const first = await get(emu, "/api/v2/products")
    expect(first.body.data).toHaveLength(100)
    const cursor = first.body.additional_data.next_cursor as string
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/)
    expect(Cursor.decodeKeyset(cursor)).toEqual({ field: "id", fieldValue: 111, sortDirection: "asc", id: 111 })
    const { items } = await pageAll(emu, "limit=7")
    expect(new Set(items.map((p) => p.id)).size).toBe(live().length)
  })

  it("limit 1..500 only", async () => {
    for (const bad of ["501", "0", "-1", "ten", "2.5"]) {
      const r = await get(emu, `/api/v2/products?limit=${bad}`)
      expect(r.status, bad).toBe(400)
      expect(r.body.code).toBe("ERR_SCHEMA_VALIDATION_FAILED")
    }
    expect((await get(emu, "/api/v2/products?limit=500")).body.data).toHaveLength(500)
  })

  it("updated_since keeps update_time >= the given time, across pages", async () => {
    const since = "2026-01-02T12:00:00Z"
    const { items } = await pageAll(emu, `limit=250&updated_since=${since}`)
    expect(items.map((p) => p.id)).toEqual(expected(keys.id!, "asc", live().filter((p) => p.update_time >= since)))
    expect(items.length).toBeGreaterThan(100)
    expect(items.length).toBeLessThan(live().length)
    const fractional = await get(emu, "/api/v2/products?updated_since=2026-01-02T12:00:00.000Z")
    expect(fractional.status).toBe(400)
  })

  it("ids: up to 100, missing and deleted ids omitted, sorted and paged like the rest", async () => {
    const ids = [5, 3, 10, 999_999, 20, 7]
    const r = await get(emu, `/api/v2/products?ids=${ids.join(",")}&limit=2`)
    expect(r.body.data.map((p: { id: number }) => p.id)).toEqual([3, 5])
    const { items } = await pageAll(emu, `ids=${ids.join(",")}&limit=2&sort_direction=desc`)
    expect(items.map((p) => p.id)).toEqual([7, 5, 3])
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1).join(",")
    expect((await get(emu, `/api/v2/products?ids=${hundred}&limit=500`)).body.data).toHaveLength(90)
    const tooMany = await get(emu, `/api/v2/products?ids=${hundred},101`)
    expect(tooMany.status).toBe(400)
    expect(tooMany.body.error).toBe("Validation failed: ids: at most 100 ids are allowed, got 101")
  })

  it("owner_id filters by owner", async () => {
    const { items } = await pageAll(emu, "owner_id=2&limit=500")
    expect(items.map((p) => p.id)).toEqual(expected(keys.id!, "asc", live().filter((p) => p.owner_id === 2)))
  })

  it("a cursor is tied to its sort; a garbled cursor is a 400", async () => {
    const byName = await get(emu, "/api/v2/products?sort_by=name")
    const mixed = await get(emu, `/api/v2/products?sort_by=id&cursor=${byName.body.additional_data.next_cursor}`)
    expect(mixed.status).toBe(400)
    expect((await get(emu, "/api/v2/products?cursor=not-a-cursor")).status).toBe(400)
    expect((await get(emu, "/api/v2/products?sort_by=price")).status).toBe(400)
    expect((await get(emu, "/api/v2/products?sort_direction=up")).status).toBe(400)
  })

  it("keyset pages stay consistent while products are written: no dupes, deletions honoured, new ids at the end", async () => {
    const first = await get(emu, "/api/v2/products?limit=500")
    const seen = first.body.data.map((p: { id: number }) => p.id) as Array<number>
    await call(emu, "DELETE", "/api/v2/products/600")
    await call(emu, "DELETE", "/api/v2/products/2")
    const created = await call(emu, "POST", "/api/v2/products", { name: "Late arrival" })
    let cursor: string | null = first.body.additional_data.next_cursor
    while (cursor !== null) {
      const page = await get(emu, `/api/v2/products?limit=500&cursor=${cursor}`)
      seen.push(...page.body.data.map((p: { id: number }) => p.id))
      cursor = page.body.additional_data.next_cursor
    }
    const ids = seen
    expect(new Set(ids).size).toBe(ids.length)
    expect(ids).not.toContain(600)
    expect(ids[ids.length - 1]).toBe(created.body.data.id)
  })

  it("custom_fields keeps only the named keys, at most 15", async () => {
    const withField = await start({ seed: { ...seed, productFields: [{ field_name: "Brand", field_code: "a".repeat(40), field_type: "varchar", options: null }, { field_name: "Size", field_code: "b".repeat(40), field_type: "varchar", options: null }] } })
    try {
      const all = await get(withField, "/api/v2/products?limit=1")
      expect(Object.keys(all.body.data[0].custom_fields)).toEqual(["a".repeat(40), "b".repeat(40)])
      const one = await get(withField, `/api/v2/products?limit=1&custom_fields=${"b".repeat(40)}`)
      expect(one.body.data[0].custom_fields).toEqual({ ["b".repeat(40)]: null })
      const sixteen = Array.from({ length: 16 }, (_, i) => String(i).padStart(40, "c")).join(",")
      expect((await get(withField, `/api/v2/products?custom_fields=${sixteen}`)).status).toBe(400)
    } finally {
      await withField.close()
    }
  })
})
