/** Burst, search and daily-budget limits, their headers and their 429s, on a clock the test moves. */
import { describe, expect, it } from "vitest"
import { call, get, manualClock, withEmulator } from "./Helpers.js"

const list = "/api/v2/products?limit=1"

describe("limits", () => {
  it("burst: the plan's limit per rolling 2 s window, then Pipedrive's 429 with retry-after and x-ratelimit-*", async () => {
    const clock = manualClock()
    await withEmulator({ plan: "lite", clock: clock.now }, async (emu) => {
      for (let i = 0; i < 20; i++) {
        const r = await get(emu, list)
        expect(r.status).toBe(200)
        expect(r.headers.get("x-ratelimit-limit")).toBe("20")
        expect(r.headers.get("x-ratelimit-remaining")).toBe(String(19 - i))
        expect(r.headers.get("x-ratelimit-reset")).toBe(i < 10 ? "2" : "1") // seconds until the oldest request leaves the window
        if (i < 10) clock.advance(100)
      }
      const limited = await get(emu, list)
      expect(limited.status).toBe(429)
      expect(limited.body).toEqual({ success: false, error: "Too many requests", errorCode: 429 })
      expect(limited.headers.get("x-ratelimit-remaining")).toBe("0")
      expect(limited.headers.get("retry-after")).toBe("1")
      expect(limited.headers.get("x-ratelimit-reset")).toBe("1")
      clock.advance(1000) // the first request leaves the rolling window: exactly one slot frees up
      expect((await get(emu, list)).status).toBe(200)
      expect((await get(emu, list)).status).toBe(429)
      clock.advance(2000)
      expect((await get(emu, list)).headers.get("x-ratelimit-remaining")).toBe("19")
      expect(emu.stats().rateLimitedBy.burst).toBe(2)
    })
  })

  it.each([["lite", 20], ["growth", 40], ["premium", 100], ["ultimate", 120]] as const)("plan %s allows %i per window", async (plan, limit) => {
    const clock = manualClock()
    await withEmulator({ plan, clock: clock.now }, async (emu) => {
      const statuses = []
      for (let i = 0; i <= limit; i++) statuses.push((await get(emu, list)).status)
      expect(statuses.filter((s) => s === 200)).toHaveLength(limit)
      expect(statuses[limit]).toBe(429)
    })
  })

  it("any burst number, and a shorter window for tests", async () => {
    const clock = manualClock()
    await withEmulator({ burstLimit: 3, windowMs: 150, clock: clock.now }, async (emu) => {
      const first = await Promise.all([1, 2, 3, 4].map(() => get(emu, list)))
      expect(first.map((r) => r.status).sort()).toEqual([200, 200, 200, 429])
      clock.advance(149)
      expect((await get(emu, list)).status).toBe(429)
      clock.advance(1)
      const again = await get(emu, list)
      expect(again.status).toBe(200)
      expect(again.headers.get("x-ratelimit-remaining")).toBe("2")
    })
  })

  it("search has its own 10 per window, with its own headers; it also counts against the burst", async () => {
    const clock = manualClock()
    await withEmulator({ burstLimit: 15, clock: clock.now }, async (emu) => {
      for (let i = 0; i < 10; i++) {
        const r = await get(emu, "/api/v2/products/search?term=ab")
        expect(r.status).toBe(200)
        expect(r.headers.get("x-ratelimit-limit")).toBe("10")
        expect(r.headers.get("x-ratelimit-remaining")).toBe(String(9 - i))
      }
      const limited = await get(emu, "/api/v2/products/search?term=ab")
      expect(limited.status).toBe(429)
      expect(limited.body.error).toBe("Too many requests")
      expect(limited.headers.get("retry-after")).toBe("2")
      const other = await get(emu, list)
      expect(other.status).toBe(200)
      expect(other.headers.get("x-ratelimit-limit")).toBe("15")
      expect(other.headers.get("x-ratelimit-remaining")).toBe("3")
      expect(emu.stats().rateLimitedBy.search).toBe(1)
    })
  })

  it("daily budget: charged at the spec's cost per endpoint; when spent, 429 with retry-after to UTC midnight; resets next day", async () => {
    const clock = manualClock(Date.parse("2026-03-10T23:00:00Z"))
    await withEmulator({ plan: "growth", dailyBudget: 26, clock: clock.now }, async (emu) => {
      expect((await get(emu, list)).status).toBe(200) // 10
      expect((await get(emu, "/api/v2/products/1")).status).toBe(404) // 1: handled requests are charged, whatever the answer
      expect((await call(emu, "POST", "/api/v2/products", { name: "x" })).status).toBe(201) // 5
      expect((await get(emu, list)).status).toBe(200) // 10 → 26 spent
      const spent = await get(emu, "/api/v2/products/1")
      expect(spent.status).toBe(429)
      expect(spent.body).toEqual({ success: false, error: "daily request budget exceeded", errorCode: 429 })
      expect(spent.headers.get("retry-after")).toBe("3600")
      expect(spent.headers.get("x-ratelimit-limit")).toBe("40")
      expect(spent.headers.get("x-ratelimit-remaining")).not.toBeNull()
      expect(emu.stats()).toMatchObject({ tokensCharged: 26, tokensLeftToday: 0, rateLimited: 1, rateLimitedBy: { daily: 1 } })
      clock.advance(3600 * 1000)
      expect((await get(emu, list)).status).toBe(200)
      expect(emu.stats().tokensLeftToday).toBe(16)
    })
  })

  it("the default budget is 30,000 × plan multiplier × seats", async () => {
    await withEmulator({ plan: "premium", seed: { currencies: [], productFields: [], products: [], users: [{ id: 1, name: "a" }, { id: 2, name: "b" }] } }, async (emu) => {
      expect(emu.stats().tokensLeftToday).toBe(300_000)
    })
  })

  it("every API response carries the three x-ratelimit headers: 200, 201, 400, 401, 404, 405, 429", async () => {
    const clock = manualClock()
    await withEmulator({ burstLimit: 7, clock: clock.now }, async (emu) => {
      const responses = [
        await get(emu, list),
        await call(emu, "POST", "/api/v2/products", { name: "y" }),
        await call(emu, "POST", "/api/v2/products", { name: "" }),
        await call(emu, "GET", list, undefined, { auth: false }),
        await get(emu, "/api/v2/products/424242"),
        await call(emu, "PUT", "/api/v2/products/1"),
        await get(emu, "/api/v2/nothing"),
        await get(emu, list),
        await get(emu, list)
      ]
      expect(responses.map((r) => r.status)).toEqual([200, 201, 400, 401, 404, 405, 404, 200, 429])
      for (const r of responses) {
        for (const h of ["x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"]) expect(r.headers.get(h), `${r.status} ${h}`).toMatch(/^\d+$/)
      }
    })
  })
})
