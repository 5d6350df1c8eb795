import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Either, Redacted, Stream } from "effect"
import * as Pipedrive from "../../src/pipedrive/Pipedrive.js"
import { client, emulator, seedOf } from "./Support.js"

describe("Pipedrive client against the emulator", () => {
  it.scopedLive("streams thousands of products over cursor pages of 500, each once, in id order", () =>
    Effect.gen(function*() {
      const emu = yield* emulator({ seed: seedOf(3210) })
      const pd = yield* client(emu)
      const all = Chunk.toReadonlyArray(yield* Stream.runCollect(pd.products()))
      assert.strictEqual(all.length, 3210)
      assert.deepStrictEqual(all.map((p) => p.id), Array.from({ length: 3210 }, (_, i) => i + 1))
      assert.strictEqual(all[3209]?.prices[0]?.price, 3209.5)
      const acc = yield* pd.accounting
      assert.deepStrictEqual(acc.byEndpoint["GET /api/v2/products"], { requests: 7, tokens: 70, retries: 0, rateLimited: 0, failures: 0 })
      assert.strictEqual(emu.stats().byEndpoint["GET /api/v2/products"], 7)
    }))

  it.scopedLive("pages lazily: taking 10 products asks for one small page", () =>
    Effect.gen(function*() {
      const emu = yield* emulator({ seed: seedOf(100) })
      const pd = yield* client(emu)
      const first = yield* Stream.runCollect(Stream.take(pd.products({ limit: 10 }), 10))
      assert.strictEqual(Chunk.size(first), 10)
      assert.strictEqual(emu.stats().byEndpoint["GET /api/v2/products"], 1)
    }))

  it.scopedLive("updated_since keeps products updated at or after the instant, sent in whole seconds", () =>
    Effect.gen(function*() {
      const emu = yield* emulator({ seed: seedOf(50) })
      const pd = yield* client(emu)
      // product i+1 was updated at 2026-01-01 + i minutes; 40.5 minutes rounds down to 40 minutes
      const since = new Date(Date.UTC(2026, 0, 1) + 40 * 60_000 + 30_500)
      assert.strictEqual(Pipedrive.formatUpdatedSince(since), "2026-01-01T00:40:30Z")
      const recent = Chunk.toReadonlyArray(yield* Stream.runCollect(pd.products({ updatedSince: since })))
      assert.deepStrictEqual(recent.map((p) => p.id), [42, 43, 44, 45, 46, 47, 48, 49, 50])
    }))

  it.scopedLive("custom field selection narrows custom_fields to the keys asked for", () =>
    Effect.gen(function*() {
      const brand = "2afc20560900daa9f16dd689a4902ab6d72934b6"
      const notes = "4606077f53d88278d7aeecebf34ffad11b5ac0aa"
      const emu = yield* emulator({
        seed: seedOf(3, {
          productFields: [
            { field_name: "Brand", field_code: brand, field_type: "varchar", options: null },
            { field_name: "Notes", field_code: notes, field_type: "text", options: null }
          ]
        })
      })
      const pd = yield* client(emu)
      const all = Chunk.toReadonlyArray(yield* Stream.runCollect(pd.products({ customFields: [brand] })))
      assert.strictEqual(all.length, 3)
      for (const p of all) assert.deepStrictEqual(Object.keys(p.custom_fields ?? {}), [brand])
    }))

  it.scopedLive("gets many by ids, 100 per call, leaving out ids that do not exist", () =>
    Effect.gen(function*() {
      const emu = yield* emulator({ seed: seedOf(400) })
      const pd = yield* client(emu)
      const ids = [...Array.from({ length: 250 }, (_, i) => 400 - i), 9999]
      const found = yield* pd.productsByIds(ids)
      assert.strictEqual(found.length, 250)
      assert.deepStrictEqual(new Set(found.map((p) => p.id)), new Set(ids.filter((i) => i <= 400)))
      assert.strictEqual(emu.stats().byEndpoint["GET /api/v2/products"], 3)
      assert.deepStrictEqual(yield* pd.productsByIds([]), [])
    }))

  it.scopedLive("searches by code: exact codes only, not prefixes nor other cases", () =>
    Effect.gen(function*() {
      const emu = yield* emulator({ seed: seedOf(20) })
      const pd = yield* client(emu)
      yield* pd.createProduct({ name: "lower", code: "sku-00007" })
      yield* pd.createProduct({ name: "longer", code: "SKU-00007-B" })
      const hits = yield* pd.searchByCode("SKU-00007")
      assert.deepStrictEqual(hits.map((h) => [h.id, h.code]), [[7, "SKU-00007"]])
      assert.deepStrictEqual(yield* pd.searchByCode("NOPE-1"), [])
      assert.strictEqual((yield* pd.accounting).byEndpoint["GET /api/v2/products/search"]?.tokens, 40)
    }))

  it.scopedLive("creates (201), reads, updates (PATCH replaces prices) and deletes (soft) a product", () =>
    Effect.gen(function*() {
      const emu = yield* emulator({ seed: seedOf(0) })
      const pd = yield* client(emu)
      const created = yield* pd.createProduct({
        name: "Desk",
        code: "DESK-1",
        unit: "pcs",
        tax: 19,
        prices: [{ currency: "EUR", price: 100, cost: 60 }, { currency: "USD", price: 110 }]
      })
      assert.deepStrictEqual([created.name, created.code, created.tax], ["Desk", "DESK-1", 19])
      assert.deepStrictEqual(created.prices.map((p) => [p.currency, p.price]), [["EUR", 100], ["USD", 110]])
      const updated = yield* pd.updateProduct(created.id, { description: "Oak", prices: [{ currency: "EUR", price: 120 }] })
      assert.strictEqual(updated.description, "Oak")
      assert.strictEqual(updated.name, "Desk")
      assert.deepStrictEqual(updated.prices.map((p) => [p.currency, p.price]), [["EUR", 120]])
      const read = yield* pd.product(created.id)
      assert.deepStrictEqual(read, updated)
      assert.strictEqual(yield* pd.deleteProduct(created.id), created.id)
      const stored = emu.products().find((p) => (p as { id: number }).id === created.id) as { is_deleted: boolean }
      assert.isTrue(stored.is_deleted)
    }))

  it.scopedLive("reads every page of product fields and creates a custom field", () =>
    Effect.gen(function*() {
      const many = Array.from({ length: 520 }, (_, i) => ({
        field_name: `Field ${i}`,
        field_code: (i.toString(16).padStart(4, "0") + "a".repeat(36)),
        field_type: "varchar",
        options: null
      }))
      const emu = yield* emulator({ seed: seedOf(0, { productFields: many }) })
      const pd = yield* client(emu)
      const fields = yield* pd.productFields()
      const custom = fields.filter((f) => f.is_custom_field)
      assert.strictEqual(custom.length, 520)
      assert.isTrue(fields.some((f) => f.field_code === "name" && !f.is_custom_field))
      assert.isAtLeast((yield* pd.accounting).byEndpoint["GET /api/v2/productFields"]?.requests ?? 0, 2)
      const made = yield* pd.createProductField({ field_name: "Colour", field_type: "enum", options: [{ label: "Red" }, { label: "Blue" }] })
      assert.match(made.field_code, /^[0-9a-f]{40}$/)
      assert.deepStrictEqual(made.options?.map((o) => o.label), ["Red", "Blue"])
      const again = yield* pd.productFields()
      assert.isTrue(again.some((f) => f.field_code === made.field_code))
    }))

  it.scopedLive("lists currencies with their precision", () =>
    Effect.gen(function*() {
      const emu = yield* emulator({ seed: seedOf(0) })
      const pd = yield* client(emu)
      const currencies = yield* pd.currencies()
      assert.deepStrictEqual(currencies.map((c) => [c.code, c.decimal_points]), [["EUR", 2], ["USD", 2]])
      assert.strictEqual((yield* pd.accounting).total.tokens, 20)
    }))

  it("maps a resolved configuration to client options", () => {
    const base = { plan: "growth" as const, burstLimit: 40, tokenCap: 500, dailyBudget: undefined, timeoutMs: 1000, concurrency: 4 }
    const remote = Pipedrive.optionsFromConfig({ ...base, target: { _tag: "Remote", baseUrl: "https://acme.pipedrive.com", token: Redacted.make("t") } })
    assert.isTrue(Either.isRight(remote))
    if (Either.isRight(remote)) {
      assert.strictEqual(remote.right.baseUrl, "https://acme.pipedrive.com")
      assert.deepStrictEqual([remote.right.burstLimit, remote.right.tokenCap, remote.right.timeoutMs], [40, 500, 1000])
    }
    assert.isTrue(Either.isLeft(Pipedrive.optionsFromConfig({ ...base, target: { _tag: "Emulator" } })))
    const emu = Pipedrive.optionsFromConfig({ ...base, target: { _tag: "Emulator" } }, { baseUrl: "http://127.0.0.1:1", token: "e" })
    assert.isTrue(Either.isRight(emu) && Redacted.value(emu.right.token) === "e")
    assert.strictEqual(Pipedrive.baseUrlOfDomain("acme"), "https://acme.pipedrive.com")
  })
})
