/**
 * Crash safety and fault tolerance of `catalog-sync sync` (DESIGN §6.4, §6.5), end to end: the built
 * CLI as a child process against an emulator in this process. A 500-write sync is killed with
 * SIGKILL at 20+ seeded random points (with committed-then-dropped writes switched on), then run to
 * the end; another runs under 5xx, 429 storms and dropped writes. Both must end where an
 * undisturbed run ends, with no duplicate code and nothing unfinished in the journal.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as Emulator from "../../src/emulator/Emulator.js"
import { duplicateCodes, ensureBuilt, journalStates, project, prng, runSync, scenario, state, token } from "./support.js"

const burstLimit = 2000
const { csv, seed, writes } = scenario(500, 250)
const handles: Array<Emulator.Handle> = []
let expected: ReturnType<typeof state>

const start = async (options: Partial<Emulator.Options> = {}) => {
  const h = await Emulator.start({ token, seed, burstLimit, ...options })
  handles.push(h)
  return h
}

/** The `--json` summary: the last thing on stdout. */
const summaryOf = (stdout: string) => JSON.parse(stdout.slice(stdout.lastIndexOf('{\n  "runId"')))

/** Runs sync until it plans no write (at most `max` times); returns the last summary. */
const settle = async (dir: string, max = 4) => {
  let summary: { writes: { planned: number } } | undefined
  for (let i = 0; i < max; i++) {
    const r = await runSync(dir, ["sync", "--yes", "--json"])
    expect(r.stderr).not.toMatch(/\n\s+at .*:\d+:\d+/)
    expect([0, 4], r.stderr).toContain(r.code)
    summary = summaryOf(r.stdout)
    if (summary!.writes.planned === 0) return summary!
  }
  return summary!
}

beforeAll(async () => {
  ensureBuilt()
  const reference = await start()
  const dir = project(csv, reference.baseUrl, { burstLimit, concurrency: 16 })
  const r = await runSync(dir, ["sync", "--yes"])
  expect(r.code, r.stderr).toBe(0)
  expect(reference.stats().writes).toBe(writes)
  expected = state(reference)
  expect(expected.length).toBe(502)
}, 120_000)

afterAll(async () => {
  await Promise.all(handles.map((h) => h.close()))
})

describe("sync under SIGKILL", () => {
  it("killed at 20+ random points of a 500-write sync with ambiguous writes, then resumed: the undisturbed final state, no duplicate, nothing unfinished", async () => {
    const emu = await start({ faults: { seed: 11, dropAfterCommitRate: 0.05 } })
    const dir = project(csv, emu.baseUrl, { burstLimit, concurrency: 16 })
    const rand = prng(20261127)
    let kills = 0
    for (let i = 0; i < 60 && kills < 20; i++) {
      const from = emu.stats().writes
      const after = 1 + Math.floor(rand() * 20)
      const r = await runSync(dir, ["sync", "--yes"], { killWhen: () => emu.stats().writes >= from + after })
      if (r.signal === "SIGKILL") kills++
      else break
    }
    expect(kills).toBeGreaterThanOrEqual(20)
    const last = await settle(dir)
    expect(last.writes.planned).toBe(0)
    expect(duplicateCodes(emu)).toEqual([])
    expect(state(emu)).toEqual(expected)
    const journal = journalStates(dir)
    expect(journal.pending ?? 0).toBe(0)
    expect(journal.sent ?? 0).toBe(0)
    expect(journal.skipped ?? 0).toBeGreaterThan(0) // journaled by a killed run, finished by a later one
    expect(emu.stats().faultsInjected.dropAfterCommit).toBeGreaterThan(0)
  }, 480_000)
})

describe("sync under faults", () => {
  it("10 % 5xx, 5 % 429 and 3 % committed-then-dropped writes: one run reaches the undisturbed final state", async () => {
    const emu = await start({ windowMs: 200, faults: { seed: 5, serverErrorRate: 0.1, rateLimitRate: 0.05, dropAfterCommitRate: 0.03 } })
    const dir = project(csv, emu.baseUrl, { burstLimit, concurrency: 16 })
    const r = await runSync(dir, ["sync", "--yes", "--json"])
    expect(r.code, r.stderr).toBe(0)
    const summary = summaryOf(r.stdout)
    expect(summary.writes.done).toBe(writes)
    expect(summary.writes.failed).toBe(0)
    const f = emu.stats().faultsInjected
    expect(f.serverError).toBeGreaterThan(0)
    expect(f.rateLimit).toBeGreaterThan(0)
    expect(f.dropAfterCommit).toBeGreaterThan(0)
    expect(duplicateCodes(emu)).toEqual([])
    expect(state(emu)).toEqual(expected)
    expect(journalStates(dir)).toEqual({ done: writes })
    const again = await settle(dir, 1)
    expect(again.writes.planned).toBe(0)
  }, 120_000)
})
