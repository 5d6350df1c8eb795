/**
 * What runs read and what they say they spent, through the built CLI against an emulator started
 * here (so its `/__emulator/stats` outlive each CLI process): the key in a custom field across runs,
 * an account that cannot be matched, the requests of a first sync and of a quiet night on a
 * bulk-imported account, the summary's token figures and links, plan runs in `runs`, and plan and
 * sync excluding each other.
 */
import { assert, describe, it } from "@effect/vitest"
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as Emulator from "../../src/emulator/Emulator.js"
import * as Seed from "../../src/emulator/Seed.js"
import { type Result, runCliAsync } from "./run.js"

const token = "f".repeat(40)
const keyField = "a1b2c3d4e5f6a7b8c9d0a1b2c3d4e5f6a7b8c9d0"
const brandField = "b2c3d4e5f6a7b8c9d0a1b2c3d4e5f6a7b8c9d0a1"
const imported = "2026-01-05T03:00:00Z"
const eur: Seed.Currency = { id: 1, code: "EUR", name: "Euro", decimal_points: 2, symbol: "€", active_flag: true, is_custom_flag: false }


/** Runs the built CLI without blocking this process (the emulator answers from here). */
const cli = (dir: string, emu: Emulator.Handle, args: ReadonlyArray<string>): Promise<Result> =>
  runCliAsync(args, { cwd: dir, env: { PIPEDRIVE_API_TOKEN: token, PIPEDRIVE_BASE_URL: emu.baseUrl } })

/** A project: `rows` of `sku,name,price` and a mapping (`key` the mapping's key, `extra` more of it). */
const project = (rows: ReadonlyArray<string>, mapping: string): string => {
  const dir = mkdtempSync(join(tmpdir(), "catalog-sync-figures-"))
  writeFileSync(join(dir, "c.csv"), `${rows.join("\n")}\n`)
  writeFileSync(join(dir, "m.ts"), `export default ${mapping}\n`)
  writeFileSync(join(dir, "sync.config.ts"), `export default { erp: { path: "./c.csv" }, mapping: "./m.ts", state: "./state.db" }\n`)
  return dir
}

const skuMapping = `{ key: { erp: "sku" }, fields: { name: { erp: "name" }, "prices.EUR.price": { erp: "price", type: "decimal" } } }`
const catalog = (n: number) => ["sku,name,price", ...Array.from({ length: n }, (_, i) => `S${i},Product ${i},${i}.50`)]

/** `n` products imported at once: one update time for all, each matching `catalog(n)`'s row. */
const bulkAccount = (n: number, extra: (i: number) => Partial<Seed.Product> = () => ({})): Seed.Seed => ({
  ...Seed.empty,
  currencies: [eur],
  products: Array.from({ length: n }, (_, i) =>
    Seed.product({ id: i + 1, name: `Product ${i}`, code: `S${i}`, add_time: imported, update_time: imported, prices: [{ currency: "EUR", price: i + 0.5, cost: 0, direct_cost: null, notes: "" }], ...extra(i) }))
})

const start = (seed: Seed.Seed, clock?: () => number) => Emulator.start({ token, seed, burstLimit: 1000, ...(clock === undefined ? {} : { clock }) })
const reads = (emu: Emulator.Handle) => {
  const s = emu.stats().byEndpoint
  return { products: s["GET /api/v2/products"] ?? 0, fields: s["GET /api/v2/productFields"] ?? 0, currencies: s["GET /v1/currencies"] ?? 0 }
}
const tokensLine = (out: string) => {
  const m = /tokens +(\d+) for writes and lookups \(plan estimate (\d+)\); (\d+) in all this run, (\d+) requests/.exec(out)
  assert.isNotNull(m, out)
  return { used: Number(m![1]), planned: Number(m![2]), run: Number(m![3]), requests: Number(m![4]) }
}

describe("what runs read and say (built CLI, emulator stats)", () => {
  it("a key in a custom field still matches on the runs after the first", async () => {
    const n = 20
    const seed: Seed.Seed = {
      ...bulkAccount(n, (i) => ({ code: null, custom_fields: { [keyField]: `Z-${i}`, [brandField]: "Acme" } })),
      productFields: [
        { field_name: "Zoho item ID", field_code: keyField, field_type: "varchar", options: null },
        { field_name: "Brand", field_code: brandField, field_type: "varchar", options: null }
      ]
    }
    let now = Date.parse("2026-03-01T00:00:00Z")
    const emu = await start(seed, () => now)
    try {
      const rows = ["Item ID,name,price,brand", ...Array.from({ length: n }, (_, i) => `Z-${i},Product ${i},${i}.50,Acme`)]
      const dir = project(rows, `{ key: { erp: "Item ID", pipedrive: "custom.Zoho item ID" }, fields: { name: { erp: "name" }, "prices.EUR.price": { erp: "price", type: "decimal" }, "custom.Brand": { erp: "brand" } } }`)
      const first = await cli(dir, emu, ["sync", "--yes"])
      assert.strictEqual(first.code, 0, first.stdout + first.stderr)
      // Every product edited in Pipedrive (outside the mapping): the next pull re-reads them all.
      now += 86_400_000
      for (let id = 1; id <= n; id++) {
        await fetch(`${emu.baseUrl}/api/v2/products/${id}`, { method: "PATCH", headers: { "x-api-token": token, "content-type": "application/json" }, body: JSON.stringify({ description: "edited" }) })
      }
      writeFileSync(join(dir, "c.csv"), `${rows.map((r) => (r.startsWith("Z-3,") ? "Z-3,Product 3,99.00,Acme" : r)).join("\n")}\n`)
      const plan = await cli(dir, emu, ["plan", "--detailed-exitcode", "--format", "json"])
      assert.strictEqual(plan.code, 2, plan.stdout + plan.stderr)
      const report = JSON.parse(plan.stdout) as { plan: { operations: Array<{ key: string; kind: string; side: string }>; notes: Array<{ message: string }> } }
      assert.deepStrictEqual(report.plan.operations.map((o) => `${o.side}:${o.kind}:${o.key}`), ["pipedrive:update:Z-3"])
      assert.deepStrictEqual(report.plan.notes.filter((x) => x.message.includes("cannot be matched")), [])
    } finally {
      await emu.close()
    }
  }, 240_000)

  it("an account most of whose products lack the key is refused, not one note per product", async () => {
    const emu = await start(bulkAccount(12, (i) => (i < 2 ? {} : { code: null })))
    try {
      const dir = project(catalog(12), skuMapping)
      const plan = await cli(dir, emu, ["plan", "--detailed-exitcode"])
      assert.strictEqual(plan.code, 1, plan.stdout + plan.stderr)
      assert.include(plan.stderr, "10 of 12 live Pipedrive products have no product code")
      assert.include(plan.stderr, "key.pipedrive")
      const sync = await cli(dir, emu, ["sync", "--yes"])
      assert.strictEqual(sync.code, 1)
      assert.strictEqual(emu.stats().writes, 0)
    } finally {
      await emu.close()
    }
  }, 240_000)

  it("a first sync into an empty account reads three times; its summary's links and tokens agree with the emulator", async () => {
    const emu = await start({ ...Seed.empty, currencies: [eur] })
    try {
      const dir = project(catalog(200), skuMapping)
      const sync = await cli(dir, emu, ["sync", "--yes", "--force"])
      assert.strictEqual(sync.code, 0, sync.stdout + sync.stderr)
      assert.deepStrictEqual(reads(emu), { products: 1, fields: 1, currencies: 1 })
      assert.include(sync.stdout, "200 links made")
      const t = tokensLine(sync.stdout)
      const stats = emu.stats()
      assert.strictEqual(t.run, stats.tokensCharged)
      assert.strictEqual(t.requests, stats.requests)
      assert.strictEqual(t.used, 200 * 5)
      assert.strictEqual(t.planned, t.used)
    } finally {
      await emu.close()
    }
  }, 240_000)

  it("with createMissingFields: the plan's cost is the sync's estimate, the fields' tokens count, the products are listed once", async () => {
    const emu = await start({ ...Seed.empty, currencies: [eur] })
    try {
      const rows = ["sku,name,price,brand", ...Array.from({ length: 10 }, (_, i) => `S${i},Product ${i},${i}.50,Acme`)]
      const dir = project(rows, `{ key: { erp: "sku" }, createMissingFields: true, fields: { name: { erp: "name" }, "prices.EUR.price": { erp: "price", type: "decimal" }, "custom.Brand": { erp: "brand" } } }`)
      const plan = await cli(dir, emu, ["plan", "--format", "json"])
      assert.strictEqual(plan.code, 0, plan.stderr)
      const planned = (JSON.parse(plan.stdout) as { plan: { totals: { tokens: number } } }).plan.totals.tokens
      assert.strictEqual(planned, 10 * 5 + 5)
      const before = emu.stats()
      const sync = await cli(dir, emu, ["sync", "--yes", "--force"])
      assert.strictEqual(sync.code, 0, sync.stdout + sync.stderr)
      const t = tokensLine(sync.stdout)
      assert.strictEqual(t.planned, planned)
      assert.strictEqual(t.used, planned)
      const after = emu.stats()
      assert.strictEqual(t.run, after.tokensCharged - before.tokensCharged)
      assert.strictEqual((after.byEndpoint["GET /api/v2/products"] ?? 0) - (before.byEndpoint["GET /api/v2/products"] ?? 0), 1)
    } finally {
      await emu.close()
    }
  }, 240_000)

  it("a bulk-imported account: a night with no change costs one page, 10 tokens; a change reads the fields and currencies too", async () => {
    let now = Date.parse("2026-03-01T00:00:00Z")
    const n = 1200
    const emu = await start(bulkAccount(n), () => now)
    try {
      const dir = project(catalog(n), skuMapping)
      const first = await cli(dir, emu, ["sync", "--yes"])
      assert.strictEqual(first.code, 0, first.stdout + first.stderr)
      assert.deepStrictEqual(reads(emu), { products: 3, fields: 1, currencies: 1 })
      for (const night of [1, 2]) {
        now += 86_400_000
        const before = emu.stats()
        const quiet = await cli(dir, emu, ["sync", "--yes"])
        assert.strictEqual(quiet.code, 0, quiet.stdout + quiet.stderr)
        const after = emu.stats()
        assert.strictEqual(after.tokensCharged - before.tokensCharged, 10, `night ${night}`)
        assert.strictEqual(after.requests - before.requests, 1, `night ${night}`)
        const t = tokensLine(quiet.stdout)
        assert.deepStrictEqual([t.run, t.requests], [10, 1])
      }
      const plan = await cli(dir, emu, ["plan", "--detailed-exitcode"])
      assert.strictEqual(plan.code, 0, plan.stdout + plan.stderr)
      writeFileSync(join(dir, "c.csv"), readFileSync(join(dir, "c.csv"), "utf8").replace("S7,Product 7,7.50", "S7,Product 7,8.25"))
      now += 86_400_000
      const before = reads(emu)
      const edit = await cli(dir, emu, ["sync", "--yes"])
      assert.strictEqual(edit.code, 0, edit.stdout + edit.stderr)
      const after = reads(emu)
      assert.deepStrictEqual([after.products - before.products, after.fields - before.fields, after.currencies - before.currencies], [1, 1, 1])
      assert.include(edit.stdout, "1 done")
      const runs = await cli(dir, emu, ["runs", "--json"])
      const kinds = (JSON.parse(runs.stdout) as Array<{ kind: string; status: string }>).map((r) => `${r.kind} ${r.status}`)
      assert.deepStrictEqual(kinds, ["sync succeeded", "plan succeeded", "sync succeeded", "sync succeeded", "sync succeeded"])
    } finally {
      await emu.close()
    }
  }, 240_000)

  it("plan and sync exclude each other: a plan during a sync is refused, naming the sync, and sends nothing", async () => {
    const emu = await start({ ...Seed.empty, currencies: [eur] })
    try {
      const dir = project(catalog(3), skuMapping)
      await fetch(`${emu.baseUrl}/__emulator/faults`, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify({ slowRate: 1, slowMs: 1500 }) })
      const sync = cli(dir, emu, ["sync", "--yes", "--force"])
      await new Promise((r) => setTimeout(r, 2500))
      const plan = await cli(dir, emu, ["plan"])
      assert.strictEqual(plan.code, 1, plan.stdout + plan.stderr)
      assert.match(plan.stderr, /is locked by `sync` \(pid \d+/)
      const done = await sync
      assert.strictEqual(done.code, 0, done.stdout + done.stderr)
      // the sync's own requests only (fields, currencies, one product page, three creates): the refused plan sent none
      assert.strictEqual(emu.stats().requests, 3 + 3)
      await fetch(`${emu.baseUrl}/__emulator/faults`, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify({}) })
      const after = await cli(dir, emu, ["plan"])
      assert.strictEqual(after.code, 0, after.stderr)
    } finally {
      await emu.close()
    }
  }, 240_000)
})
