import { assert, describe, it } from "@effect/vitest"
import { Effect, Option, TestClock } from "effect"
import * as Store from "../../src/store/Store.js"
import { failureOf, freshStore, raw, statePath } from "./Support.js"

describe("runs and the token ledger", () => {
  it.scoped("finishing a run again keeps the summary, ERP rows and plan hash it is not given", () =>
    Effect.gen(function*() {
      const store = yield* freshStore
      const id = yield* store.startRun("sync", { planHash: "abc" })
      yield* store.finishRun(id, "partial", { summary: { done: 3 }, erpRows: 10 })
      yield* store.finishRun(id, "succeeded")
      const run = Option.getOrThrow(yield* store.run(id))
      assert.deepStrictEqual([run.status, run.summary, run.erpRows, run.planHash], ["succeeded", { done: 3 }, 10, "abc"])
      const error = failureOf(yield* Effect.exit(store.finishRun(id, "failed", { summary: () => 1 })))
      assert.strictEqual(error.reason, "Invalid")
      assert.include(error.message, "a run's summary is not a JSON value")
      assert.strictEqual(Option.getOrThrow(yield* store.run(id)).status, "succeeded")
    }))

  it.scoped("runs lists the latest twenty unless told otherwise; lastRun filters by kind and status together", () =>
    Effect.gen(function*() {
      const store = yield* freshStore
      const ids: Array<number> = []
      for (let i = 0; i < 25; i++) ids.push(yield* store.startRun(i % 2 === 0 ? "plan" : "sync"))
      yield* store.finishRun(ids[3]!, "succeeded")
      yield* store.finishRun(ids[4]!, "succeeded")
      assert.deepStrictEqual((yield* store.runs()).map((r) => r.id), ids.slice(5).reverse())
      assert.deepStrictEqual((yield* store.runs(2)).map((r) => r.id), [ids[24], ids[23]])
      assert.strictEqual(Option.getOrThrow(yield* store.lastRun({ kind: "sync", status: "succeeded" })).id, ids[3])
      assert.strictEqual(Option.getOrThrow(yield* store.lastRun({ kind: "plan", status: "succeeded" })).id, ids[4])
    }))

  it.scoped("the ledger adds requests and tokens per run, day and endpoint; a day's total counts every run", () =>
    Effect.gen(function*() {
      const path = yield* statePath
      const store = yield* Store.open(path)
      yield* TestClock.setTime(Date.UTC(2026, 10, 27, 9))
      const first = yield* store.startRun("plan")
      const second = yield* store.startRun("sync")
      yield* store.recordTokens(first, "GET /api/v2/products", 3, 30)
      yield* store.recordTokens(second, "GET /api/v2/products", 1, 10)
      yield* store.recordTokens(second, "GET /api/v2/products", 2, 20)
      yield* store.recordTokens(second, "PATCH /api/v2/products/{id}", 1, 5)
      assert.strictEqual(yield* store.tokensToday, 65)
      assert.strictEqual(yield* store.tokensOn("2026-11-27"), 65)
      const rows = raw(path, (db) => db.prepare("SELECT run_id, day, endpoint, requests, tokens FROM token_ledger ORDER BY run_id, endpoint").raw().all())
      assert.deepStrictEqual(rows, [
        [first, "2026-11-27", "GET /api/v2/products", 3, 30],
        [second, "2026-11-27", "GET /api/v2/products", 3, 30],
        [second, "2026-11-27", "PATCH /api/v2/products/{id}", 1, 5]
      ])
    }))
})
