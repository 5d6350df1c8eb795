/**
 * `catalog-sync sync` through the built CLI against an emulator in this process: confirmations and
 * guards, one product's 400 recorded without stopping the others, clean stops on the run's token
 * cap, the daily budget and --max-writes (exit 3, continued by the next run), and the resume of
 * creates whose outcome a killed run never learnt (adopted by key, or refused when the key is
 * duplicated — never created again).
 */
import BetterSqlite3 from "better-sqlite3"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { join } from "node:path"
import * as Emulator from "../../src/emulator/Emulator.js"
import { duplicateCodes, ensureBuilt, journalStates, project, runSync, scenario, state, token } from "./support.js"

const burstLimit = 1000
const { csv, seed } = scenario(20, 10)
const handles: Array<Emulator.Handle> = []
const start = async (options: Partial<Emulator.Options> = {}) => {
  const h = await Emulator.start({ token, seed, burstLimit, ...options })
  handles.push(h)
  return h
}
const summaryOf = (stdout: string) => JSON.parse(stdout.slice(stdout.lastIndexOf('{\n  "runId"')))
const stackFrame = /\n\s+at .*:\d+:\d+/
let expected: ReturnType<typeof state>

beforeAll(async () => {
  ensureBuilt()
  const reference = await start()
  const r = await runSync(project(csv, reference.baseUrl, { burstLimit, concurrency: 4 }), ["sync", "--yes"])
  expect(r.code, r.stderr).toBe(0)
  expected = state(reference)
}, 120_000)

afterAll(async () => {
  await Promise.all(handles.map((h) => h.close()))
})

describe("sync: asking, guards, dry run", () => {
  it("refuses to write without --yes when there is no terminal, and says how; nothing is written", async () => {
    const emu = await start()
    const r = await runSync(project(csv, emu.baseUrl, { burstLimit, concurrency: 4 }), ["sync"])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain("--yes")
    expect(r.stderr).not.toMatch(stackFrame)
    expect(emu.stats().writes).toBe(0)
  }, 30_000)

  it("--dry-run shows the plan and writes nothing", async () => {
    const emu = await start()
    const r = await runSync(project(csv, emu.baseUrl, { burstLimit, concurrency: 4 }), ["sync", "--dry-run"])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toContain("SKU-00011")
    expect(emu.stats().writes).toBe(0)
  }, 30_000)

  it("a guard refuses (exit 1, which limit and by how much); --force writes and names the guard passed", async () => {
    const emu = await start()
    const dir = project(csv, emu.baseUrl, { burstLimit, concurrency: 4, maxChangedShare: 0.1 })
    const refused = await runSync(dir, ["sync", "--yes"])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain("maxChangedShare")
    expect(refused.stderr).toContain("--force")
    expect(emu.stats().writes).toBe(0)
    const forced = await runSync(dir, ["sync", "--yes", "--force"])
    expect(forced.code, forced.stderr).toBe(0)
    expect(forced.stderr).toMatch(/--force: .*maxChangedShare/)
    expect(state(emu)).toEqual(expected)
  }, 30_000)
})

describe("sync: failures and stops", () => {
  it("a 400 for one product is recorded with Pipedrive's message and its key, and the others go on (exit 4)", async () => {
    const emu = await start({ seed: { ...seed, productFields: [{ field_name: "Note", field_code: "b".repeat(40), field_type: "varchar", options: null }] } })
    // A text field holds at most 255 characters in Pipedrive: a 400 for that product only.
    const withNote = csv.replace("sku,name,price_eur", "sku,name,price_eur,note").split("\n").map((l, i) => (i === 0 || l === "" ? l : i === 3 ? `${l},${"x".repeat(300)}` : `${l},`)).join("\n")
    const dir = project(withNote, emu.baseUrl, { burstLimit, concurrency: 4, mapping: `, "custom.Note": { erp: "note" }` })
    const r = await runSync(dir, ["sync", "--yes", "--json"])
    expect(r.code, r.stderr).toBe(4)
    const s = summaryOf(r.stdout)
    expect(s.writes.failed).toBe(1)
    expect(s.writes.done).toBe(19)
    expect(s.failures[0].key).toBe("SKU-00003")
    expect(s.failures[0].message).toContain("at most 255 characters")
    expect(s.failures[0].message).toContain("400")
    expect(journalStates(dir)).toEqual({ done: 19, failed: 1 })
  }, 30_000)

  it("the run's token cap stops cleanly (exit 3, when to run again), journal intact; later runs continue to the same end", async () => {
    const emu = await start()
    // reads: fields 10 + currencies 20 + one product page 10; then 5 per write
    const dir = project(csv, emu.baseUrl, { burstLimit, concurrency: 2, tokenCap: 40 + 5 * 8 })
    const first = await runSync(dir, ["sync", "--yes", "--json"])
    expect(first.code, first.stderr).toBe(3)
    const s = summaryOf(first.stdout)
    expect(s.stop.reason).toBe("token-cap")
    expect(s.stop.message).toMatch(/token cap .*run again/)
    expect(s.writes.done).toBeGreaterThan(0)
    expect(s.writes.done + s.writes.notSent).toBe(20)
    expect(journalStates(dir).pending).toBe(s.writes.notSent)
    let last = first
    for (let i = 0; i < 6 && last.code !== 0; i++) last = await runSync(dir, ["sync", "--yes", "--json"])
    expect(last.code, last.stderr).toBe(0)
    expect(state(emu)).toEqual(expected)
    expect(duplicateCodes(emu)).toEqual([])
    const j = journalStates(dir)
    expect((j.pending ?? 0) + (j.sent ?? 0)).toBe(0)
  }, 60_000)

  it("the daily budget stops cleanly with the time to run again (exit 3)", async () => {
    const emu = await start({ dailyBudget: 40 + 5 * 5 })
    const dir = project(csv, emu.baseUrl, { burstLimit, concurrency: 1 })
    const r = await runSync(dir, ["sync", "--yes"])
    expect(r.code, r.stderr).toBe(3)
    expect(r.stdout).toMatch(/daily API token budget is spent.*run again after \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/s)
    expect(r.stdout).not.toMatch(stackFrame)
    expect(r.stdout + r.stderr).not.toContain(token)
    expect(journalStates(dir).pending).toBeGreaterThan(0)
  }, 30_000)

  it("--max-writes N sends N writes and stops (exit 3); the next run continues", async () => {
    const emu = await start()
    const dir = project(csv, emu.baseUrl, { burstLimit, concurrency: 4 })
    const first = await runSync(dir, ["sync", "--yes", "--max-writes", "3"])
    expect(first.code, first.stderr).toBe(3)
    expect(emu.stats().writes).toBe(3)
    expect(first.stdout).toContain("--max-writes 3 reached")
    const second = await runSync(dir, ["sync", "--yes"])
    expect(second.code, second.stderr).toBe(0)
    expect(emu.stats().writes).toBe(20)
    expect(state(emu)).toEqual(expected)
  }, 30_000)
})

describe("sync: resuming creates of unknown outcome", () => {
  const journalSentCreate = (dir: string, key: string) => {
    const db = new BetterSqlite3(join(dir, "state.db"))
    try {
      const run = Number(db.prepare("INSERT INTO runs (kind, started_at, status) VALUES ('sync', '2026-01-01T00:00:00Z', 'failed')").run().lastInsertRowid)
      const payload = { v: 1, id: `pipedrive:create:${key}`, key, side: "pipedrive", kind: "create", changes: [], reason: "exists only in the ERP", tokens: 5, body: { name: `${key} from the killed run`, code: key } }
      db.prepare("INSERT INTO journal (run_id, op_id, key, kind, payload, state, attempts, updated_at) VALUES (?, ?, ?, 'create', ?, 'sent', 1, '2026-01-01T00:00:00Z')").run(run, payload.id, key, JSON.stringify(payload))
    } finally {
      db.close()
    }
  }
  const create = (emu: Emulator.Handle, code: string) =>
    fetch(`${emu.baseUrl}/api/v2/products`, { method: "POST", headers: { "x-api-token": token, "content-type": "application/json" }, body: JSON.stringify({ name: `${code} as applied`, code }) })

  it("a create found applied is adopted (done, linked), and one whose key two products carry fails with the reason; neither is created again", async () => {
    const emu = await start()
    const dir = project(csv, emu.baseUrl, { burstLimit, concurrency: 4 })
    expect((await runSync(dir, ["sync", "--yes", "--max-writes", "0"])).code).toBe(3)
    journalSentCreate(dir, "SKU-00015")
    journalSentCreate(dir, "SKU-00016")
    await create(emu, "SKU-00015") // the killed run's create did reach Pipedrive
    await create(emu, "SKU-00016")
    await create(emu, "SKU-00016") // … and someone made another
    const r = await runSync(dir, ["sync", "--yes", "--json"])
    const s = summaryOf(r.stdout)
    expect(r.code, r.stderr).toBe(4)
    expect(s.resumed.applied).toBe(1)
    expect(s.resumed.failed).toBe(1)
    expect(s.resumed.failures[0].key).toBe("SKU-00016")
    expect(s.resumed.failures[0].message).toContain("2 Pipedrive products carry that key")
    expect(duplicateCodes(emu)).toEqual(["SKU-00016"])
    const live = state(emu)
    expect(live.find((p) => p.code === "SKU-00015")?.name).toBe("Product 15 v2") // adopted, then updated by the plan
    expect(journalStates(dir).sent ?? 0).toBe(0)
  }, 30_000)
})
