/** The control endpoints under /__emulator/ and the in-process Handle and Layer. */
import { it as effectIt } from "@effect/vitest"
import { Context, Effect, Layer } from "effect"
import { describe, expect, it } from "vitest"
import * as Emulator from "../../src/emulator/Emulator.js"
import { call, demoSeed, generated, get, token, withEmulator } from "./Helpers.js"

const control = async (handle: Emulator.Handle, method: string, path: string, body?: unknown) => {
  const r = await fetch(`${handle.baseUrl}/__emulator/${path}`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) })
  return { status: r.status, body: (await r.json()) as any } // eslint-disable-line @typescript-eslint/no-explicit-any
}

describe("control endpoints", () => {
  it("stats: requests, byEndpoint, tokensCharged, rateLimited, products", async () => {
    await withEmulator({ seed: demoSeed(), burstLimit: 3 }, async (emu) => {
      await get(emu, "/api/v2/products")
      await get(emu, "/api/v2/products/1")
      await call(emu, "PATCH", "/api/v2/products/1", { name: "Renamed" })
      await get(emu, "/api/v2/products")
      const s = await control(emu, "GET", "stats")
      expect(s.body).toMatchObject({
        requests: 4,
        byEndpoint: { "GET /api/v2/products": 2, "GET /api/v2/products/{id}": 1, "PATCH /api/v2/products/{id}": 1 },
        tokensCharged: 16,
        rateLimited: 1,
        products: 193,
        writes: 1
      })
      expect(s.body).toEqual(emu.stats())
    })
  })

  it("export lists every product, deleted ones included, in a shape POST /__emulator/seed loads back", async () => {
    await withEmulator({ seed: demoSeed() }, async (emu) => {
      await call(emu, "DELETE", "/api/v2/products/5")
      await call(emu, "POST", "/api/v2/products", { name: "New one" })
      const exported = await control(emu, "GET", "export")
      expect(exported.body.products).toHaveLength(194)
      expect(exported.body.products.find((p: { id: number }) => p.id === 5).is_deleted).toBe(true)
      expect(exported.body.productFields).toHaveLength(4)
      await withEmulator({}, async (other) => {
        expect((await control(other, "POST", "seed", exported.body)).status).toBe(200)
        expect(other.products()).toEqual(emu.products())
        expect((await call(other, "POST", "/api/v2/products", { name: "next" })).body.data.id).toBe(195)
      })
    })
  })

  it("seed replaces the account; a bad seed is a 400 saying what is wrong; reset goes back to the last seed", async () => {
    await withEmulator({ seed: demoSeed() }, async (emu) => {
      expect((await control(emu, "POST", "seed", generated(50))).body).toEqual({ success: true, products: 50 })
      expect(emu.stats().products).toBe(50)
      await call(emu, "POST", "/api/v2/products", { name: "extra" })
      const bad = await control(emu, "POST", "seed", { currencies: [], products: [{ id: "1", name: "x" }] })
      expect(bad.status).toBe(400)
      expect(bad.body.error).toContain("products")
      expect((await control(emu, "POST", "reset")).body).toEqual({ success: true, products: 50 })
      expect(emu.stats()).toMatchObject({ requests: 0, products: 50, tokensCharged: 0 })
      emu.reset(demoSeed())
      expect(emu.stats().products).toBe(193)
      expect((await control(emu, "GET", "nope")).status).toBe(404)
    })
  })

  it("reset keeps the seed object unchanged, so the same seed can start many emulators", async () => {
    const seed = demoSeed()
    const snapshot = structuredClone(seed)
    await withEmulator({ seed }, async (emu) => {
      await call(emu, "PATCH", "/api/v2/products/1", { name: "Changed", prices: [{ currency: "EUR", price: 1 }] })
      await call(emu, "DELETE", "/api/v2/products/2")
      expect(seed).toEqual(snapshot)
      emu.reset()
      expect((await get(emu, "/api/v2/products/1")).body.data.name).toBe("Alpina Pro Monitor Arm")
    })
  })
})

describe("Emulator.layer", () => {
  let baseUrl = ""
  effectIt.scoped("starts on a random port in a scope and closes with it", () =>
    Effect.gen(function*() {
      const context = yield* Layer.build(Emulator.Emulator.layer({ token, seed: demoSeed() }))
      const handle = Context.get(context, Emulator.Emulator)
      baseUrl = handle.baseUrl
      expect(handle.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
      const r = yield* Effect.promise(() => fetch(`${handle.baseUrl}/api/v2/products?limit=1`, { headers: { "x-api-token": token } }))
      expect(r.status).toBe(200)
    })
  )

  it("is closed once the scope ended", async () => {
    expect(baseUrl).not.toBe("")
    await expect(fetch(`${baseUrl}/api/v2/products`, { headers: { "x-api-token": token } })).rejects.toThrow()
  })
})
