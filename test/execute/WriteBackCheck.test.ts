/** Write-back values the ERP file cannot hold, through their life: planned, written (or not), imported. */
import { assert, describe, it } from "@effect/vitest"
import { Either } from "effect"
import * as Currency from "../../src/domain/Currency.js"
import type * as Field from "../../src/domain/Field.js"
import type * as Plan from "../../src/domain/Plan.js"
import * as Encoding from "../../src/erp/Encoding.js"
import * as WriteBackCheck from "../../src/execute/WriteBackCheck.js"
import * as Compile from "../../src/mapping/Compile.js"
import * as Erp from "../../src/mapping/Erp.js"
import { defineMapping } from "../../src/mapping/Mapping.js"
import type * as Wire from "../../src/pipedrive/Wire.js"
import * as Planner from "../../src/plan/Planner.js"

const compiled = Either.getOrThrow(
  Compile.compile(defineMapping({ key: { erp: "sku" }, fields: { name: { erp: "name" }, description: { erp: "description", direction: "both", owner: "erp" } } }), {
    header: ["sku", "name", "description"],
    fields: [],
    currencies: Currency.registry([["EUR", 2]]),
    pins: [],
    mode: { toPipedrive: "additive", toErp: "additive" },
    conflicts: "manual",
    source: "m.ts"
  })
)

const wire = (description: string): Wire.Product => ({ id: 1, name: "Chair", code: "A1", description, is_linkable: true, is_deleted: false, prices: [], custom_fields: {} })

/** Plans product A1 with the ERP's description `erp`, Pipedrive's `pd`, the base and a pending write-back, then checks. */
const plan = (s: { erp: string; pd: string; base: string; pending?: string; unencodable: "refuse" | "replace"; encoding?: Encoding.Name }): Plan.Plan => {
  const pending = new Map<string, Map<string, Field.Value>>(s.pending === undefined ? [] : [["A1", new Map([["description", s.pending]])]])
  const p = Planner.plan({
    compiled,
    erp: [Either.getOrThrow(Erp.fromRow(compiled, (c) => ({ sku: "A1", name: "Chair", description: s.erp })[c] ?? "", { decimal: () => "point" }))],
    pipedrive: [wire(s.pd)],
    base: new Map([["A1", new Map<string, Field.Value>([["name", "Chair"], ["description", s.base]])]]),
    links: new Map([["A1", 1]]),
    pending,
    rejectedKeys: new Set(),
    deletes: "ignore",
    guards: { maxChangedShare: 1, maxDeletedShare: 1, maxRowDrop: 1, maxRejectedShare: 1, minCount: 0 },
    erpRows: 1,
    lastErpRows: undefined,
    hash: "h",
    now: "2026-11-28T00:00:00Z"
  })
  const encoding = s.encoding ?? "windows-1252"
  const cannotHold = (text: string) => (Encoding.isUnicode(encoding) ? [] : Encoding.unencodableAll(text, encoding))
  return WriteBackCheck.check(p, { compiled, encoding, cannotHold, unencodable: s.unencodable, pending })
}

const erpChanges = (p: Plan.Plan) => p.operations.filter((o) => o.side === "erp").flatMap((o) => o.changes.map((c) => c.after))
const problems = (p: Plan.Plan) => p.writeBackProblems.map((w) => [w.resolution, w.characters, w.written ?? null])

describe("WriteBackCheck", () => {
  it("refuse: the value leaves the plan's operations for a problem of its own, every run", () => {
    const p = plan({ erp: "Old", pd: "Neu 😀 ✓ ä", base: "Old", unencodable: "refuse" })
    assert.deepStrictEqual([erpChanges(p), problems(p), p.totals.erpUpdates, p.totals.pendingWriteBacks], [[], [["refused", ["😀", "✓"], null]], 0, 0])
    assert.include(p.writeBackProblems[0]!.message, `"Neu 😀 ✓ ä" holds "😀", "✓", which windows-1252 cannot encode`)
  })

  it("replace: written with ? per character, pending as written, and in sync once the ERP holds it", () => {
    const planned = plan({ erp: "Old", pd: "Neu 😀", base: "Old", unencodable: "replace" })
    assert.deepStrictEqual([erpChanges(planned), problems(planned)], [["Neu ?"], [["replaced", ["😀"], "Neu ?"]]])
    const waiting = plan({ erp: "Old", pd: "Neu 😀", base: "Old", pending: "Neu ?", unencodable: "replace" })
    assert.deepStrictEqual([erpChanges(waiting), problems(waiting), waiting.totals.pendingWriteBacks], [[], [], 1])
    const imported = plan({ erp: "Neu ?", pd: "Neu 😀", base: "Old", pending: "Neu ?", unencodable: "replace" })
    assert.deepStrictEqual([erpChanges(imported), problems(imported), imported.conflicts, imported.agreements], [[], [], [], [{ key: "A1", path: "description", value: "Neu ?" }]])
    const settled = plan({ erp: "Neu ?", pd: "Neu 😀", base: "Neu ?", unencodable: "replace" })
    assert.deepStrictEqual([settled.operations, settled.writeBackProblems, settled.agreements, settled.totals.fieldChanges], [[], [], [], 0])
  })

  it("a value recorded as pending that the file cannot hold is a problem, not a pending write-back", () => {
    const p = plan({ erp: "Old", pd: "Neu 😀", base: "Old", pending: "Neu 😀", unencodable: "refuse" })
    assert.deepStrictEqual([problems(p), p.totals.pendingWriteBacks], [[["refused", ["😀"], null]], 0])
  })

  it("a Unicode file holds everything: the plan is unchanged", () => {
    const p = plan({ erp: "Old", pd: "Neu 😀", base: "Old", unencodable: "refuse", encoding: "utf-8" })
    assert.deepStrictEqual([erpChanges(p), p.writeBackProblems], [["Neu 😀"], []])
  })
})
