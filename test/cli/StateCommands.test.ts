/** `status`, `runs [RUN_ID]` and `fields --unpin`, through the built CLI, on a state file written by the store. */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import type { Sku } from "../../src/domain/Sku.js"
import * as Json from "../../src/report/Json.js"
import * as Store from "../../src/store/Store.js"
import { dumpDom, operations, textOf } from "../report/support.js"
import { runCli } from "./run.js"
import { minimalProject, stackFrame } from "./support.js"

const project = () => minimalProject("pipedrive: { dailyBudget: 30000 }, ")

const decimal = (value: string) => ({ _tag: "Decimal", value })

/** A sync run with one create done, one update failed, one update left sent; pins, a write-back, tokens. */
const seed = (path: string) =>
  Effect.runPromise(
    Effect.scoped(
      Effect.gen(function*() {
        const store = yield* Store.open(path)
        const first = yield* store.startRun("plan")
        yield* store.finishRun(first, "succeeded", { erpRows: 3 })
        const run = yield* store.startRun("sync", { planHash: "abc123" })
        const [create, update, sent] = yield* store.journalAppend(run, [
          { opId: "pipedrive:create:A-1", key: "A-1", kind: "create", payload: { reason: "exists only in the ERP", tokens: 5, changes: [{ path: "name", after: "Thing", rule: "create" }, { path: "prices.EUR.price", after: decimal("19.90"), rule: "create" }] } },
          { opId: "pipedrive:update:B-2", key: "B-2", kind: "update", payload: { reason: "the ERP changed", tokens: 5, changes: [{ path: "name", before: "Old | name", after: "=New name", rule: "erp-changed" }] } },
          { opId: "pipedrive:update:C-3", key: "C-3", kind: "update", payload: { name: "Third" } }
        ])
        yield* store.journalMark(create!, "sent")
        yield* store.journalMark(create!, "done", { pipedriveId: 501 })
        yield* store.journalMark(update!, "sent")
        yield* store.journalMark(update!, "failed", { error: "Pipedrive answered 400: name too long" })
        yield* store.journalMark(sent!, "sent")
        yield* store.finishRun(run, "partial", { erpRows: 3, summary: { created: 1, failed: 1 } })
        yield* store.pinFields([
          { label: "Brand", fieldCode: "a".repeat(40), fieldType: "varchar", options: null },
          { label: "Color", fieldCode: "b".repeat(40), fieldType: "enum", options: [{ id: 1, label: "Red" }] }
        ])
        yield* store.setPendingWritebacks([{ key: "A-1" as Sku, field: "description", value: "from sales", sinceRun: run }])
        yield* store.recordTokens(run, "POST /api/v2/products", 1, 5)
        yield* store.recordTokens(run, "PATCH /api/v2/products/{id}", 2, 10)
      })
    )
  )

describe("status, runs and fields --unpin (built CLI)", () => {
  it("with no state file: status says so, runs lists none, and neither creates one", () => {
    const dir = project()
    const status = runCli(["status"], { cwd: dir })
    assert.strictEqual(status.code, 0, status.stderr)
    assert.include(status.stdout, "No state file yet")
    const json = JSON.parse(runCli(["status", "--json"], { cwd: dir }).stdout) as { exists: boolean; lastRun: unknown }
    assert.isFalse(json.exists)
    assert.isNull(json.lastRun)
    assert.include(runCli(["runs"], { cwd: dir }).stdout, "No runs yet")
    const one = runCli(["runs", "1"], { cwd: dir })
    assert.strictEqual(one.code, 1)
    assert.include(one.stderr, "there is no run 1: no state file yet")
    assert.isFalse(existsSync(join(dir, "state.db")))
  })

  it("status: last run, unfinished journal, pending write-backs, pinned fields, tokens today", async () => {
    const dir = project()
    await seed(join(dir, "state.db"))
    const r = runCli(["status"], { cwd: dir })
    assert.strictEqual(r.code, 0, r.stderr)
    assert.match(r.stdout, /Last run\s+#2 sync partial/)
    assert.match(r.stdout, /Journal\s+1 unfinished operations \(0 not sent, 1 sent with an unknown outcome\)/)
    assert.match(r.stdout, /Write-backs\s+1 values written back/)
    assert.match(r.stdout, /Tokens\s+15 spent today \(UTC\) of a daily budget of 30000/)
    assert.include(r.stdout, `Brand  ${"a".repeat(40)}  varchar`)
    assert.include(r.stdout, "A-1  description = from sales  (since run #2)")
    const json = JSON.parse(runCli(["status", "--json"], { cwd: dir }).stdout) as { lastRun: { id: number; status: string }; unfinished: Array<{ key: string; state: string }>; pinnedFields: Array<unknown>; tokensToday: number }
    assert.deepStrictEqual([json.lastRun.id, json.lastRun.status], [2, "partial"])
    assert.deepStrictEqual(json.unfinished.map((e) => [e.key, e.state]), [["C-3", "sent"]])
    assert.strictEqual(json.pinnedFields.length, 2)
    assert.strictEqual(json.tokensToday, 15)
    // A plan is a run too; status still names the last sync.
    const plan = runCli(["plan"], { cwd: dir })
    assert.strictEqual(plan.code, 0, plan.stderr)
    const after = runCli(["status"], { cwd: dir })
    assert.match(after.stdout, /Last run\s+#3 plan succeeded/)
    assert.match(after.stdout, /Last sync\s+#2 sync partial/)
  })

  it("runs: the history, latest first, with outcomes", async () => {
    const dir = project()
    await seed(join(dir, "state.db"))
    const r = runCli(["runs"], { cwd: dir })
    assert.strictEqual(r.code, 0, r.stderr)
    const lines = r.stdout.trim().split("\n")
    assert.match(lines[0] ?? "", /^run\s+kind\s+status\s+started/)
    assert.match(lines[1] ?? "", /^2\s+sync\s+partial .* 1 done, 1 failed, 1 unfinished$/)
    assert.match(lines[2] ?? "", /^1\s+plan\s+succeeded .* planned only$/)
    const json = JSON.parse(runCli(["runs", "--json", "--limit", "1"], { cwd: dir }).stdout) as Array<{ id: number; operations: Record<string, number> }>
    assert.deepStrictEqual(json.map((r) => [r.id, r.operations.done, r.operations.failed, r.operations.sent]), [[2, 1, 1, 1]])
  })

  it("runs RUN_ID: one run's operations with outcomes, in every format", async () => {
    const dir = project()
    await seed(join(dir, "state.db"))
    const table = runCli(["runs", "2"], { cwd: dir })
    assert.strictEqual(table.code, 0, table.stderr)
    assert.match(table.stdout, /^Run 2 \(sync\): partial/)
    assert.include(table.stdout, "+ [done] A-1  create in Pipedrive (#501) — exists only in the ERP [5 tokens]")
    assert.include(table.stdout, "prices.EUR.price  19.9\n")
    assert.include(table.stdout, "~ [failed] B-2  update in Pipedrive — the ERP changed")
    assert.include(table.stdout, "error: Pipedrive answered 400: name too long (1 attempt)")
    assert.include(table.stdout, "~ [sent] C-3")
    assert.include(table.stdout, "1 operations failed and 1 are unfinished")

    const json = Effect.runSync(Json.decodeRunReport(runCli(["runs", "2", "--json"], { cwd: dir }).stdout))
    assert.strictEqual(json.schema, "catalog-sync/run-report")
    assert.deepStrictEqual(json.counts, { pending: 0, sent: 1, done: 1, failed: 1, skipped: 0 })
    assert.deepStrictEqual(json.operations.map((o) => [o.key, o.state, o.pipedriveId]), [["A-1", "done", 501], ["B-2", "failed", null], ["C-3", "sent", null]])
    assert.deepStrictEqual(json.run.summary, { created: 1, failed: 1 })

    const csv = runCli(["runs", "2", "--format", "csv"], { cwd: dir }).stdout.trim().split("\n")
    assert.strictEqual(csv.length, 1 + 4)
    assert.include(csv, "B-2,pipedrive,update,,name,Old | name,'=New name,erp-changed,the ERP changed,5,failed,Pipedrive answered 400: name too long")

    const md = runCli(["runs", "2", "--format", "markdown"], { cwd: dir }).stdout
    assert.include(md, "| Product | Operation | Outcome | Field | Before | After | Why |")
    assert.include(md, "| Old \\| name | =New name |")

    const html = runCli(["runs", "2", "--format", "html", "--out", "run.html"], { cwd: dir })
    assert.strictEqual(html.code, 0, html.stderr)
    assert.include(readFileSync(join(dir, "run.html"), "utf8"), `data-report="run"`)
    const failed = dumpDom(join(dir, "run.html"), "#outcome=failed")
    assert.deepStrictEqual(operations(failed).filter((o) => !("hidden" in o)).map((o) => o["data-key"]), ["B-2"])
    assert.strictEqual(textOf(failed, "shown"), "1 of 3 operations shown")
  })

  it("runs RUN_ID of an unknown run exits 1 saying which runs there are", async () => {
    const dir = project()
    await seed(join(dir, "state.db"))
    const r = runCli(["runs", "99"], { cwd: dir })
    assert.strictEqual(r.code, 1)
    assert.match(r.stderr, /there is no run 99 in .*state\.db \(the latest is 2\)/)
    assert.notMatch(r.stderr, stackFrame)
  })

  it("fields --unpin forgets a pinned key; an unknown label exits 1", async () => {
    const dir = project()
    await seed(join(dir, "state.db"))
    const r = runCli(["fields", "--unpin", "Brand"], { cwd: dir })
    assert.strictEqual(r.code, 0, r.stderr)
    assert.include(r.stdout, `Unpinned "Brand" (was key ${"a".repeat(40)}, varchar)`)
    const json = JSON.parse(runCli(["status", "--json"], { cwd: dir }).stdout) as { pinnedFields: Array<{ label: string }> }
    assert.deepStrictEqual(json.pinnedFields.map((f) => f.label), ["Color"])
    const again = runCli(["fields", "--unpin", "Brand"], { cwd: dir })
    assert.strictEqual(again.code, 1)
    assert.include(again.stderr, `"Brand" is not pinned in`)
    assert.include(again.stderr, `pinned: "Color"`)
  })

  it("--help of status and runs has examples", () => {
    for (const command of ["status", "runs", "fields", "init"]) {
      const r = runCli([command, "--help"])
      assert.strictEqual(r.code, 0, command)
      assert.include(r.stdout, "Examples", command)
    }
  })
})
