/**
 * Messy real exports through the built CLI (bundled emulator, empty account): keys repeated by
 * design refused with what to do, then read with `rows.where`; no custom field created by a run
 * that reads no row; what was skipped as not products said in the plan.
 */
import { assert, describe, it } from "@effect/vitest"
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { runCliAsync } from "./run.js"
import { repo } from "./support.js"

const project = (file: string, mapping: string, dialect = "") => {
  const dir = mkdtempSync(join(tmpdir(), "catalog-sync-messy-"))
  copyFileSync(join(repo, "test", "fixtures", "csv", file), join(dir, file))
  writeFileSync(join(dir, "m.ts"), `export default ${mapping}\n`)
  writeFileSync(
    join(dir, "sync.config.ts"),
    `export default { pipedrive: { emulator: { seed: "empty" } }, erp: { path: "./${file}"${dialect} }, mapping: "./m.ts", state: "./state.db" }\n`
  )
  const cli = (...args: ReadonlyArray<string>) => runCliAsync(args, { cwd: dir })
  const account = () => JSON.parse(readFileSync(join(dir, "emulator-account.json"), "utf8")) as { products: ReadonlyArray<{ code: string }>; productFields: ReadonlyArray<{ field_name: string }> }
  return { dir, cli, account }
}

interface PlanReport {
  readonly plan: { readonly totals: { readonly pipedriveCreates: number }; readonly guards: ReadonlyArray<{ readonly name: string; readonly passed: boolean }> }
  readonly rejects: ReadonlyArray<unknown>
  readonly skipped: ReadonlyArray<string>
}

describe("messy real exports (built CLI)", () => {
  const tiers = "magento2_advanced_pricing_tier_prices_repeated_skus.csv"

  it("keys repeated by design: refused with the way out, no custom field created by a run that reads no row; rows.where reads one row per key", async () => {
    const p = project(tiers, `{ key: { erp: "sku" }, createMissingFields: true, fields: { name: { erp: "sku" }, "prices.USD.price": { erp: "tier_price" }, "custom.Tier group": { erp: "tier_price_customer_group" } } }`)
    const refused = await p.cli("sync", "--yes")
    assert.strictEqual(refused.code, 1, refused.stdout)
    assert.include(refused.stderr, "maxRejectedShare: 127 of 127 ERP rows rejected")
    assert.include(refused.stderr, "say which rows are the products: rows.where or rows.duplicates in the mapping")
    const forced = await p.cli("sync", "--yes", "--force")
    assert.include(forced.stderr, `the custom fields "Tier group" were not created: no ERP row was read, so nothing would be written to them`)
    assert.deepStrictEqual(p.account().productFields.filter((f) => f.field_name === "Tier group"), [])

    // The way out, in a fresh project (the forced run above would count as the last run's 127 rows).
    const q = project(tiers, `{ key: { erp: "sku" }, rows: { where: { tier_price_customer_group: "ALL GROUPS", tier_price_qty: "2.0000" } }, fields: { name: { erp: "sku" }, "prices.USD.price": { erp: "tier_price" } } }`)
    const planned = await q.cli("plan", "--format", "json")
    assert.strictEqual(planned.code, 0, planned.stderr)
    const report = JSON.parse(planned.stdout) as PlanReport
    assert.deepStrictEqual([report.plan.totals.pipedriveCreates, report.rejects.length, report.skipped], [32, 0, ["95 rows left out by the mapping's rows.where"]])
    assert.isTrue(report.plan.guards.every((g) => g.passed))
    const synced = await q.cli("sync", "--yes")
    assert.strictEqual(synced.code, 0, synced.stdout + synced.stderr)
    assert.include(synced.stderr, "ERP lines skipped (not products): 95 rows left out by the mapping's rows.where")
    assert.strictEqual(q.account().products.length, 32)
    const settled = await q.cli("plan", "--detailed-exitcode")
    assert.strictEqual(settled.code, 0, settled.stdout)
  }, 240_000)

  it("a price list saved from Excel: the title block, the empty rows and the lines after the data are skipped and said so", async () => {
    const file = "de_freudenhof_preisliste_cp1252_title_lines.csv"
    const p = project(file, `{ key: { erp: "Artikelbezeichnung" }, fields: { name: { erp: "Artikelbezeichnung" }, "prices.EUR.price": { erp: "Euro" } } }`, `, dialect: { decimal: "comma" }`)
    const planned = await p.cli("plan", "--format", "json")
    assert.strictEqual(planned.code, 0, planned.stderr)
    const report = JSON.parse(planned.stdout) as PlanReport
    assert.deepStrictEqual(report.skipped, [
      "551 empty rows (no value in any cell)",
      "2 lines after the last product without a key (a footnote or a total): 99, 650"
    ])
    const table = await p.cli("plan")
    assert.include(table.stdout, "ERP lines skipped (not products)")
    assert.include(table.stdout, "551 empty rows")
  }, 120_000)
})
