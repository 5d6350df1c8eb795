import { assert, describe, it } from "@effect/vitest"
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { runCliAsync } from "./run.js"

const repo = fileURLToPath(new URL("../../", import.meta.url))

describe("createMissingFields (built CLI)", () => {
  it("plan lists the custom fields to create; sync creates them, pins them and fills them", async () => {
    const dir = mkdtempSync(join(tmpdir(), "catalog-sync-fields-"))
    for (const p of ["fixtures", "mappings", "sync.config.ts"]) cpSync(join(repo, p), join(dir, p), { recursive: true })
    const mapping = join(dir, "mappings", "default.ts")
    writeFileSync(
      mapping,
      readFileSync(mapping, "utf8")
        .replace(`key: { erp: "sku", pipedrive: "code" },`, `key: { erp: "sku", pipedrive: "code" },\n  createMissingFields: true,`)
        .replace(`"custom.Color": { erp: "color" }`, `"custom.Color": { erp: "color" },\n    "custom.Product group": { erp: "category", type: { enum: { Office: "Office", Electronics: "Electronics", Furniture: "Furniture", Catering: "Catering" } } }`)
    )
    const plan = await runCliAsync(["plan", "--format", "json"], { cwd: dir })
    assert.strictEqual(plan.code, 0, plan.stderr)
    const report = JSON.parse(plan.stdout) as { plan: { fieldsToCreate: Array<{ label: string; type: string; options: string[] }>; totals: { tokens: number } } }
    assert.deepStrictEqual(report.plan.fieldsToCreate, [{ label: "Product group", type: "enum", options: ["Office", "Electronics", "Furniture", "Catering"] }])

    // Filling a new field on every product overwrites nothing that exists: no guard trips.
    const sync = await runCliAsync(["sync", "--yes"], { cwd: dir })
    assert.strictEqual(sync.code, 0, sync.stdout + sync.stderr)
    assert.match(sync.stderr, /created the custom field "Product group" \(enum\) in Pipedrive/)
    const fields = JSON.parse((await runCliAsync(["fields", "--json"], { cwd: dir })).stdout) as Array<{ label?: string; field_name?: string }>
    assert.isTrue(JSON.stringify(fields).includes("Product group"))
    const status = JSON.parse((await runCliAsync(["status", "--json"], { cwd: dir })).stdout) as { pinnedFields: Array<{ label: string }> }
    assert.include(status.pinnedFields.map((p) => p.label), "Product group")
    // A second run has nothing left to write: the new field was filled by the first.
    const again = await runCliAsync(["plan", "--format", "json"], { cwd: dir })
    const second = JSON.parse(again.stdout) as { plan: { fieldsToCreate: unknown[]; operations: Array<{ side: string }> } }
    assert.deepStrictEqual(second.plan.fieldsToCreate, [])
    assert.deepStrictEqual(second.plan.operations.filter((o) => o.side === "pipedrive"), [])
  }, 120_000)

  it("creates the type the mapping implies: monetary with its currency, multiple options; refuses a boolean column up front, saying why", async () => {
    const dir = mkdtempSync(join(tmpdir(), "catalog-sync-fields-"))
    const currency = (id: number, code: string) => ({ id, code, name: code, decimal_points: 2, symbol: code, active_flag: true, is_custom_flag: false })
    writeFileSync(join(dir, "emulator-account.json"), JSON.stringify({ currencies: [currency(1, "EUR"), currency(2, "INR")], users: [{ id: 1, name: "Admin" }], productFields: [], products: [] }))
    writeFileSync(join(dir, "c.csv"), "sku,name,mrp,tags,fk\nA1,Chair,2625.50,x|y,1\nA2,Table,99,y,0\n")
    writeFileSync(join(dir, "sync.config.ts"), `export default { erp: { path: "./c.csv" }, mapping: "./m.ts", state: "./state.db" }\n`)
    const mapping = (extra: string) =>
      writeFileSync(join(dir, "m.ts"), `export default { key: { erp: "sku" }, createMissingFields: true, fields: { name: { erp: "name" }, "custom.MRP": { erp: "mrp", currency: "INR" }, "custom.Tags": { erp: "tags", type: { set: { separator: "|", values: { x: "Red", y: "Blue" } } } }${extra} } }\n`)

    mapping(`, "custom.FK Advantage": { erp: "fk", type: "boolean" }`)
    const refused = await runCliAsync(["plan"], { cwd: dir })
    assert.strictEqual(refused.code, 1)
    assert.match(refused.stderr, /fields\["custom\.FK Advantage"\]: createMissingFields cannot create "FK Advantage" for a boolean column: Pipedrive's API creates no checkbox \(boolean\) product fields/)

    mapping("")
    const sync = await runCliAsync(["sync", "--yes", "--force"], { cwd: dir })
    assert.strictEqual(sync.code, 0, sync.stdout + sync.stderr)
    assert.match(sync.stderr, /created the custom field "MRP" \(monetary\) in Pipedrive/)
    assert.match(sync.stderr, /created the custom field "Tags" \(set\) in Pipedrive/)
    const account = JSON.parse(readFileSync(join(dir, "emulator-account.json"), "utf8")) as {
      productFields: Array<{ field_name: string; field_code: string; field_type: string; options: Array<{ id: number; label: string }> | null }>
      products: Array<{ code: string; custom_fields: Record<string, unknown> }>
    }
    const mrp = account.productFields.find((f) => f.field_name === "MRP")!
    const tags = account.productFields.find((f) => f.field_name === "Tags")!
    assert.strictEqual(mrp.field_type, "monetary")
    assert.deepStrictEqual([tags.field_type, tags.options?.map((o) => o.label)], ["set", ["Red", "Blue"]])
    const a1 = account.products.find((p) => p.code === "A1")!
    assert.deepStrictEqual(a1.custom_fields[mrp.field_code], { value: 2625.5, currency: "INR" })
    assert.deepStrictEqual(a1.custom_fields[tags.field_code], tags.options?.map((o) => o.id))
    const again = JSON.parse((await runCliAsync(["plan", "--format", "json"], { cwd: dir })).stdout) as { plan: { fieldsToCreate: unknown[]; operations: Array<{ side: string }> } }
    assert.deepStrictEqual(again.plan.fieldsToCreate, [])
    assert.deepStrictEqual(again.plan.operations.filter((o) => o.side === "pipedrive"), [])
  }, 120_000)
})
