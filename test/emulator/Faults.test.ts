/** Fault injection: each kind, determinism from the seed, switching at runtime, control endpoints exempt. */
import { describe, expect, it } from "vitest"
import { call, get, withEmulator } from "./Helpers.js"

const list = "/api/v2/products?limit=1"

/** A request that may fail at the transport level: its status, or "reset" when the connection dropped. */
const attempt = async (f: () => Promise<{ status: number }>): Promise<number | "reset"> => {
  try {
    return (await f()).status
  } catch {
    return "reset"
  }
}

describe("faults", () => {
  it("serverErrorRate: 500/502/503 in Pipedrive's envelope, the request not handled", async () => {
    await withEmulator({ faults: { seed: 7, serverErrorRate: 1 } }, async (emu) => {
      const statuses = new Set<number>()
      for (let i = 0; i < 20; i++) {
        const r = await call(emu, "POST", "/api/v2/products", { name: `p${i}` })
        statuses.add(r.status)
        expect(r.body).toMatchObject({ success: false, data: null })
        expect(r.headers.get("x-ratelimit-limit")).not.toBeNull()
      }
      expect([...statuses].sort()).toEqual([500, 502, 503])
      expect(emu.products()).toHaveLength(0)
      expect(emu.stats().faultsInjected.serverError).toBe(20)
    })
  })

  it("rateLimitRate: a 429 storm shaped like the burst 429", async () => {
    await withEmulator({ faults: { rateLimitRate: 1 } }, async (emu) => {
      const r = await get(emu, list)
      expect(r.status).toBe(429)
      expect(r.body).toEqual({ success: false, error: "Too many requests", errorCode: 429 })
      expect(r.headers.get("retry-after")).toBe("2")
      expect(r.headers.get("x-ratelimit-remaining")).toBe("0")
      expect(emu.stats()).toMatchObject({ rateLimited: 1, rateLimitedBy: { storm: 1 }, faultsInjected: { rateLimit: 1 } })
    })
  })

  it("resetRate: the connection is destroyed before the request is handled", async () => {
    await withEmulator({ faults: { resetRate: 1 } }, async (emu) => {
      expect(await attempt(() => call(emu, "POST", "/api/v2/products", { name: "never" }))).toBe("reset")
      expect(emu.products()).toHaveLength(0)
      expect(emu.stats().faultsInjected.reset).toBe(1)
    })
  })

  it("dropAfterCommitRate: the write is committed, then the connection dropped (the ambiguous create)", async () => {
    await withEmulator({ faults: { dropAfterCommitRate: 1 } }, async (emu) => {
      expect(await attempt(() => call(emu, "POST", "/api/v2/products", { name: "ghost", code: "G-1" }))).toBe("reset")
      expect(emu.products()).toHaveLength(1)
      emu.setFaults({})
      const found = await get(emu, "/api/v2/products/search?term=G-1&fields=code&exact_match=true")
      expect(found.body.data.items.map((i: { item: { name: string } }) => i.item.name)).toEqual(["ghost"])
      emu.setFaults({ dropAfterCommitRate: 1 })
      expect((await get(emu, list)).status).toBe(200) // reads are answered
      expect((await call(emu, "POST", "/api/v2/products", { name: "" })).status).toBe(400) // nothing committed, so answered
      expect(emu.stats()).toMatchObject({ writes: 1, faultsInjected: { dropAfterCommit: 1 } })
    })
  })

  it("slowRate: the answer comes after slowMs, past a client timeout; the write is committed meanwhile", async () => {
    await withEmulator({ faults: { slowRate: 1, slowMs: 400 } }, async (emu) => {
      expect((await get(emu, list)).status).toBe(200) // without a client timeout: just late
      expect(await attempt(() => call(emu, "GET", list, undefined, { signal: AbortSignal.timeout(100) }))).toBe("reset")
      const t0 = Date.now()
      let answered = false
      const pending = call(emu, "POST", "/api/v2/products", { name: "late" }).finally(() => (answered = true))
      while (emu.products().length === 0) await new Promise((r) => setTimeout(r, 5))
      expect(answered).toBe(false)
      expect((await pending).status).toBe(201)
      expect(Date.now() - t0).toBeGreaterThanOrEqual(390)
      expect(emu.stats().faultsInjected.slow).toBe(3)
    })
  })

  it("latencyMs: added to every request", async () => {
    await withEmulator({ faults: { latencyMs: 60 } }, async (emu) => {
      const t0 = Date.now()
      await get(emu, list)
      await get(emu, list)
      expect(Date.now() - t0).toBeGreaterThanOrEqual(118)
    })
  })

  it("is deterministic: the same seed faults the same requests; another seed differs", async () => {
    const run = (seed: number) =>
      withEmulator({ faults: { seed, serverErrorRate: 0.2, rateLimitRate: 0.1, resetRate: 0.1 } }, async (emu) => {
        const out: Array<number | "reset"> = []
        for (let i = 0; i < 40; i++) out.push(await attempt(() => get(emu, list)))
        return out
      })
    const a = await run(42)
    expect(await run(42)).toEqual(a)
    expect(await run(43)).not.toEqual(a)
    expect(a.filter((s) => ![200, 429, "reset", 500, 502, 503].includes(s))).toEqual([])
    expect(a.filter((s) => s === 200).length).toBeGreaterThan(15)
    expect(a.filter((s) => s !== 200).length).toBeGreaterThan(5)
  })

  it("switches at runtime through PUT /__emulator/faults; control endpoints are never faulted", async () => {
    await withEmulator({}, async (emu) => {
      const put = await fetch(`${emu.baseUrl}/__emulator/faults`, { method: "PUT", body: JSON.stringify({ resetRate: 1 }) })
      expect(put.status).toBe(200)
      expect(await attempt(() => get(emu, list))).toBe("reset")
      const stats = await fetch(`${emu.baseUrl}/__emulator/stats`)
      expect(stats.status).toBe(200)
      expect(await (await fetch(`${emu.baseUrl}/__emulator/faults`)).json()).toEqual({ resetRate: 1 })
      const bad = await fetch(`${emu.baseUrl}/__emulator/faults`, { method: "PUT", body: JSON.stringify({ resetRate: 2 }) })
      expect(bad.status).toBe(400)
      await fetch(`${emu.baseUrl}/__emulator/faults`, { method: "PUT", body: "{}" })
      expect((await get(emu, list)).status).toBe(200)
      expect(() => emu.setFaults({ serverErrorRate: -1 })).toThrow(/serverErrorRate/)
    })
  })
})
