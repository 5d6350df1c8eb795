/**
 * A plan whose links and agreements are staged in the state (`Plan.staged`) is written — saved with
 * `plan --save`, or inside the JSON report — as the very text of the plan holding them all: staged
 * rows merged with the plan's own in the plan's order (by key, or by key and path), astral keys
 * included, and `staged` itself never written.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, FastCheck as fc, Stream } from "effect"
import * as Plan from "../../src/domain/Plan.js"
import * as Field from "../../src/domain/Field.js"
import * as Json from "../../src/report/Json.js"
import * as PlanJson from "../../src/report/PlanJson.js"

const zero = { products: 0, pipedriveCreates: 0, pipedriveUpdates: 0, pipedriveArchives: 0, pipedriveDeletes: 0, unlinks: 0, erpCreates: 0, erpUpdates: 0, fieldChanges: 0, conflicts: 0, ambiguities: 0, pendingWriteBacks: 0, fieldsToCreate: 0, tokens: 0 }
const plan = (agreements: ReadonlyArray<Plan.Agreement>, links: ReadonlyArray<Plan.Link>, staged?: Plan.Staged) =>
  new Plan.Plan({
    version: Plan.version,
    createdAt: "2026-12-01T00:00:00Z",
    inputs: { hash: "h", erpRows: 1, pipedriveProducts: 1 },
    operations: [],
    agreements,
    links,
    conflicts: [],
    ambiguities: [],
    notes: [{ key: "N", message: "a note" }],
    fieldsToCreate: [],
    guards: [],
    totals: zero,
    writeBackProblems: [],
    ...(staged === undefined ? {} : { staged })
  })

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)
const key = fc.oneof(fc.constantFrom("A", "B", "K\uFF21", "K\u{1F600}", "\u{1F600}", "\uFF21x", "Z"), fc.string({ maxLength: 3, unit: "binary" }))
const path = fc.constantFrom("name", "unit", "prices.EUR.price", "custom.\u{1F600}")
const value = fc.constantFrom<Field.Value>(null, "text", true, ["a", "b"])

describe("PlanJson: a plan's staged rows written in their places", () => {
  it.effect("gives the text of the plan holding them all, saved and in the report, in either order", () =>
    Effect.gen(function*() {
      const cases = fc.sample(
        fc.record({
          rows: fc.uniqueArray(fc.record({ key, path, value, inMemory: fc.boolean() }), { selector: (r) => `${r.key}\u0000${r.path}`, maxLength: 25 }),
          order: fc.constantFrom<Plan.Staged["order"]>("key", "key-path")
        }),
        { numRuns: 150, seed: 15 }
      )
      for (const { rows: drawn, order } of cases) {
        // By key: a key's agreements are all in memory (a product to be created) or all staged. By
        // key and path: WriteBackCheck's agreements sit in memory beside staged ones of the same key.
        const memory = new Set(drawn.filter((r) => r.inMemory).map((r) => r.key))
        const rows = order === "key-path" ? drawn : drawn.map((r) => ({ ...r, inMemory: memory.has(r.key) }))
        // The whole list as the planner (stable by key) or WriteBackCheck (by key and path) orders it.
        const all = [...rows].sort((a, b) => byText(a.key, b.key) || (order === "key-path" ? byText(a.path, b.path) : 0))
        const agreements = all.map((r) => ({ key: r.key, path: r.path, value: r.value }))
        const links = [...new Set(all.map((r) => r.key))].map((k, i) => ({ key: k, pipedriveId: i + 1 }))
        const full = plan(agreements, links)
        const kept = plan(
          all.filter((r) => r.inMemory).map((r) => ({ key: r.key, path: r.path, value: r.value })),
          [],
          { id: 1, links: links.length, agreements: all.filter((r) => !r.inMemory).length, order }
        )
        const staged: PlanJson.StagedRows<never> = {
          links: Stream.fromIterable(links),
          agreements: Stream.fromIterable(all.filter((r) => !r.inMemory).map((r) => ({ key: r.key, path: r.path, value: Field.toJson(r.path, r.value) })))
        }
        const saved = yield* Stream.mkString(PlanJson.saved(kept, staged))
        assert.strictEqual(saved, yield* Plan.encodeJson(full))
        const extra = { rejects: ["a line"], skipped: ["2 empty rows"] }
        assert.strictEqual(yield* Json.plan(kept, extra, staged), yield* Json.plan(full, extra))
      }
    }))

  it.effect("a plan without staged rows is written as before", () =>
    Effect.gen(function*() {
      const p = plan([{ key: "A", path: "name", value: "x" }], [{ key: "A", pipedriveId: 3 }])
      assert.strictEqual(yield* Stream.mkString(PlanJson.saved(p, PlanJson.noRows)), yield* Plan.encodeJson(p))
      assert.notInclude(yield* Json.plan(p), "staged")
    }))
})
