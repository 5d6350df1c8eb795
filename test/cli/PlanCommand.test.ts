import { assert, describe, it } from "@effect/vitest"
import { parse } from "csv-parse/sync"
import { Effect } from "effect"
import { existsSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import * as Plan from "../../src/domain/Plan.js"
import * as Csv from "../../src/report/Csv.js"
import * as Json from "../../src/report/Json.js"
import { runCli } from "./run.js"
import { demoProject, quietProject, repo, stackFrame } from "./support.js"

const dir = demoProject()
const report = () => {
  const r = runCli(["plan", "--format", "json", "--save", "saved-plan.json"], { cwd: dir })
  assert.strictEqual(r.code, 0, r.stderr)
  return { report: Effect.runSync(Json.decodePlanReport(r.stdout)), saved: readFileSync(join(dir, "saved-plan.json"), "utf8") }
}

describe("catalog-sync plan (built CLI)", () => {
  const { report: json, saved } = report()
  const t = json.plan.totals

  it("--format json is the versioned plan report, with the rows kept aside", () => {
    assert.strictEqual(json.schema, "catalog-sync/plan-report")
    assert.strictEqual(json.version, 1)
    assert.isAbove(t.pipedriveCreates, 0)
    assert.isAbove(t.pipedriveUpdates, 0)
    assert.isAbove(json.rejects.length, 0)
    for (const r of json.rejects) assert.isAbove(r.reasons.length, 0)
    assert.isNotNull(json.rejectsFile)
  })

  it("--save writes the plan itself, readable by Plan.decodeJson", () => {
    const plan = Effect.runSync(Plan.decodeJson(saved))
    assert.strictEqual(plan.inputs.hash, json.plan.inputs.hash)
    assert.strictEqual(plan.operations.length, json.plan.operations.length)
  })

  it("--format csv: one row per field change, tokens summing to the plan's", () => {
    const r = runCli(["plan", "--format", "csv", "--out", "changes.csv"], { cwd: dir })
    assert.strictEqual(r.code, 0, r.stderr)
    assert.include(r.stdout, "The plan is in changes.csv.")
    const lines = readFileSync(join(dir, "changes.csv"), "utf8").trimEnd().split("\n")
    assert.strictEqual(lines[0], Csv.columns.join(","))
    const rows = json.plan.operations.reduce((n, op) => n + Math.max(1, op.changes.length), 0)
    assert.strictEqual(lines.length - 1, rows)
    const priceOp = json.plan.operations.find((op) => op.side === "pipedrive" && op.kind === "update" && op.changes.some((c) => c.path === "prices.EUR.price"))
    assert.isDefined(priceOp)
    assert.isTrue(lines.some((l) => l.startsWith(`${priceOp!.key},pipedrive,update,${priceOp!.pipedriveId},`) && l.includes(",prices.EUR.price,")))
    const records = parse(readFileSync(join(dir, "changes.csv"), "utf8"), { columns: true }) as Array<Record<string, string>>
    assert.strictEqual(records.length, rows)
    const tokens = records.reduce((n, r) => n + Number(r.tokens || 0), 0)
    assert.strictEqual(tokens, json.plan.operations.reduce((n, op) => n + op.tokens, 0))
    const price = records.find((r) => r.key === priceOp!.key && r.field === "prices.EUR.price")!
    const change = priceOp!.changes.find((c) => c.path === "prices.EUR.price")!
    assert.strictEqual(price.rule, change.rule)
    assert.notStrictEqual(price.before, price.after)
  })

  it("--format markdown: tables of counts and changes", () => {
    const r = runCli(["plan", "--format", "markdown"], { cwd: dir })
    assert.strictEqual(r.code, 0, r.stderr)
    assert.match(r.stdout, /^# Plan for \d+ products/)
    assert.include(r.stdout, `| to create in Pipedrive | ${t.pipedriveCreates} |`)
    assert.include(r.stdout, "| Product | Operation | Field | Before | After | Why |")
    const op = json.plan.operations.find((o) => o.side === "pipedrive" && o.kind === "create")!
    assert.include(r.stdout, `| **${op.key.replace(/[_*[\]]/g, "\\$&")}** | create in Pipedrive |`)
  })

  it("table: no colour with NO_COLOR or off a terminal, colour with FORCE_COLOR", () => {
    const plain = runCli(["plan"], { cwd: dir })
    assert.strictEqual(plain.code, 0, plain.stderr)
    assert.include(plain.stdout, `Pipedrive  ${t.pipedriveCreates} to create`)
    assert.notInclude(plain.stdout, "\u001b[")
    const piped = runCli(["plan"], { cwd: dir, env: { NO_COLOR: undefined } })
    assert.notInclude(piped.stdout, "\u001b[")
    const forced = runCli(["plan"], { cwd: dir, env: { NO_COLOR: undefined, FORCE_COLOR: "1" } })
    assert.include(forced.stdout, "\u001b[32m+\u001b[39m")
  })

  it("--detailed-exitcode: 2 with changes, 5 with an ambiguous key and nothing to write, 0 with nothing to do, 1 on an error", () => {
    assert.strictEqual(runCli(["plan", "--detailed-exitcode", "--format", "json"], { cwd: dir }).code, 2)
    // The demo account has two products sharing the code OFF-1012: nothing to write, but a person must settle that.
    const ambiguous = runCli(["plan", "--detailed-exitcode"], { cwd: quietProject() })
    assert.strictEqual(ambiguous.code, 5, ambiguous.stderr)
    assert.include(ambiguous.stdout, "nothing to write")
    const quietDir = quietProject()
    const seed = JSON.parse(readFileSync(join(repo, "fixtures", "pipedrive-seed.json"), "utf8")) as { products: Array<{ id: number }> }
    writeFileSync(join(quietDir, "emulator-account.json"), JSON.stringify({ ...seed, products: seed.products.filter((p) => p.id !== 181) }))
    const quiet = runCli(["plan", "--detailed-exitcode"], { cwd: quietDir })
    assert.strictEqual(quiet.code, 0, quiet.stderr)
    assert.include(quiet.stdout, "nothing to write")
    const broken = runCli(["plan", "--detailed-exitcode"], { cwd: demoProject(`policies: { mode: "off" }, `) })
    assert.strictEqual(broken.code, 1)
    assert.include(broken.stderr, "policies.mode sends nothing to Pipedrive")
    assert.notMatch(broken.stderr, stackFrame)
  })

  it("--detailed-exitcode: 5 when nothing is written but a conflict is held for a person", () => {
    const dir = quietProject()
    writeFileSync(join(dir, "c.csv"), "sku;name;description\nELE-1001;Alpina Pro Monitor Arm;Pro monitor arm by Alpina. Built to last.\n")
    writeFileSync(join(dir, "m.ts"), `export default { key: { erp: "sku" }, fields: { name: { erp: "name" }, description: { erp: "description", direction: "both" } } }\n`)
    const first = runCli(["sync", "--yes"], { cwd: dir })
    assert.strictEqual(first.code, 0, first.stdout + first.stderr)
    // Both sides change the same field differently: the default policy holds the conflict.
    writeFileSync(join(dir, "c.csv"), "sku;name;description\nELE-1001;Alpina Pro Monitor Arm;Changed in the ERP\n")
    const account = JSON.parse(readFileSync(join(dir, "emulator-account.json"), "utf8")) as { products: Array<{ code: string; description: string; update_time: string }> }
    const product = account.products.find((p) => p.code === "ELE-1001")!
    product.description = "Changed in Pipedrive"
    product.update_time = new Date().toISOString().replace(/\.\d{3}Z$/, "Z")
    writeFileSync(join(dir, "emulator-account.json"), JSON.stringify(account))
    const r = runCli(["plan", "--detailed-exitcode", "--format", "json"], { cwd: dir })
    const plan = (JSON.parse(r.stdout) as { plan: { operations: unknown[]; conflicts: unknown[] } }).plan
    assert.deepStrictEqual([plan.operations.length, plan.conflicts.length], [0, 1])
    assert.strictEqual(r.code, 5, r.stderr)
  })

  it("an --out file that cannot be written is a clear error", () => {
    const r = runCli(["plan", "--out", join(dir, "no-such-dir", "plan.txt")], { cwd: dir })
    assert.strictEqual(r.code, 1)
    assert.match(r.stderr, /cannot write .*no-such-dir\/plan\.txt/)
    assert.notMatch(r.stderr, stackFrame)
    assert.isFalse(existsSync(join(dir, "no-such-dir")))
  })

  it("--help shows the formats and examples", () => {
    const r = runCli(["plan", "--help"])
    assert.strictEqual(r.code, 0)
    for (const s of ["--detailed-exitcode", "--save", "markdown", "html", "Examples", "5 nothing to write, but something needs a person"]) assert.include(r.stdout, s)
  })
})
