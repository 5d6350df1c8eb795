import { assert, describe, it } from "@effect/vitest"
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { runCli } from "./run.js"

const repo = fileURLToPath(new URL("../../", import.meta.url))

describe("createMissingFields (built CLI)", () => {
  it("plan lists the custom fields to create; sync creates them, pins them and fills them", () => {
    const dir = mkdtempSync(join(tmpdir(), "catalog-sync-fields-"))
    for (const p of ["fixtures", "mappings", "sync.config.ts"]) cpSync(join(repo, p), join(dir, p), { recursive: true })
    const mapping = join(dir, "mappings", "default.ts")
    writeFileSync(
      mapping,
      readFileSync(mapping, "utf8")
        .replace(`key: { erp: "sku", pipedrive: "code" },`, `key: { erp: "sku", pipedrive: "code" },\n  createMissingFields: true,`)
        .replace(`"custom.Color": { erp: "color" }`, `"custom.Color": { erp: "color" },\n    "custom.Product group": { erp: "category", type: { enum: { Office: "Office", Electronics: "Electronics", Furniture: "Furniture", Catering: "Catering" } } }`)
    )
    const plan = runCli(["plan", "--format", "json"], { cwd: dir })
    assert.strictEqual(plan.code, 0, plan.stderr)
    const report = JSON.parse(plan.stdout) as { plan: { fieldsToCreate: Array<{ label: string; type: string; options: string[] }>; totals: { tokens: number } } }
    assert.deepStrictEqual(report.plan.fieldsToCreate, [{ label: "Product group", type: "enum", options: ["Office", "Electronics", "Furniture", "Catering"] }])

    // Filling a new field on every product overwrites nothing that exists: no guard trips.
    const sync = runCli(["sync", "--yes"], { cwd: dir })
    assert.strictEqual(sync.code, 0, sync.stdout + sync.stderr)
    assert.match(sync.stderr, /created the custom field "Product group" \(enum\) in Pipedrive/)
    const fields = JSON.parse(runCli(["fields", "--json"], { cwd: dir }).stdout) as Array<{ label?: string; field_name?: string }>
    assert.isTrue(JSON.stringify(fields).includes("Product group"))
    const status = JSON.parse(runCli(["status", "--json"], { cwd: dir }).stdout) as { pinnedFields: Array<{ label: string }> }
    assert.include(status.pinnedFields.map((p) => p.label), "Product group")
    // A second run has nothing left to write: the new field was filled by the first.
    const again = runCli(["plan", "--format", "json"], { cwd: dir })
    const second = JSON.parse(again.stdout) as { plan: { fieldsToCreate: unknown[]; operations: Array<{ side: string }> } }
    assert.deepStrictEqual(second.plan.fieldsToCreate, [])
    assert.deepStrictEqual(second.plan.operations.filter((o) => o.side === "pipedrive"), [])
  }, 120_000)
})
