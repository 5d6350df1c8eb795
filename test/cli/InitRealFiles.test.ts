/**
 * `init` on real exports, amounts with currencies, a user's own file against an empty emulator
 * account, and the standalone emulator's start-up message — through the built CLI.
 */
import { assert, describe, it } from "@effect/vitest"
import { spawn } from "node:child_process"
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { bin, runCli } from "./run.js"
import { minimalProject, repo, stackFrame } from "./support.js"

interface PlanJson {
  readonly plan: {
    readonly totals: { readonly products: number; readonly pipedriveCreates: number; readonly erpCreates: number; readonly erpUpdates: number }
    readonly operations: ReadonlyArray<{ readonly key: string; readonly side: string; readonly kind: string; readonly changes: ReadonlyArray<{ readonly path: string; readonly after: unknown }> }>
  }
}

/** A temp folder holding `file` (from test/fixtures/csv, or written), after `init` on it. */
const initOn = (file: string, content?: string) => {
  const dir = mkdtempSync(join(tmpdir(), "catalog-sync-init-real-"))
  if (content === undefined) copyFileSync(join(repo, "test", "fixtures", "csv", file), join(dir, file))
  else writeFileSync(join(dir, file), content)
  const r = runCli(["init", file], { cwd: dir })
  const mapping = readFileSync(join(dir, "mappings", `${file.replace(/\.csv$/, "").toLowerCase().replace(/[^a-z0-9]+/g, "-")}.ts`), "utf8")
  return { dir, r, mapping }
}

const planJson = (dir: string) => {
  const p = runCli(["plan", "--format", "json"], { cwd: dir })
  assert.include([0, 2], p.code, p.stderr)
  return JSON.parse(p.stdout) as PlanJson
}

describe("catalog-sync init on real exports (built CLI)", () => {
  const files: ReadonlyArray<readonly [string, ReadonlyArray<string>]> = [
    ["odoo_product_template_import_template.csv", [`"prices.EUR.price": { erp: "Sales Price" }`, `"prices.EUR.cost": { erp: "Cost" }`, `"description": { erp: "Sale Description" }`, `key: { erp: "ID"`, "CHECK: the key is \"ID\""]],
    ["shopify_product_template_2021.csv", [`key: { erp: "Variant SKU"`, "Variants are not supported yet", `"description": { erp: "Body (HTML)" }`, `"prices.EUR.price": { erp: "Variant Price" }`, `"prices.EUR.cost": { erp: "Cost per item" }`]],
    ["jtl_wawi_export_de_mixed_decimals.csv", [`key: { erp: "Artikelnummer"`, `"prices.EUR.price": { erp: "Netto-VK" }`, `"tax": { erp: "Steuersatz in %", type: "decimal" }`, `// "custom.GTIN": { erp: "GTIN" }, // CHECK: digits only`]],
    ["lt_products_comma.csv", [`key: { erp: "sku"`, `"prices.EUR.price": { erp: "price_final" }`, `// "custom.Barcode": { erp: "barcode" }, // CHECK: digits only`]],
    ["lt_products_semicolon_decimal_comma.csv", [`key: { erp: "sku"`, `"prices.EUR.price": { erp: "price_final" }`]],
    ["shopware5_article_prices_decimal_comma.csv", [`key: { erp: "ordernumber"`, `"prices.EUR.price": { erp: "price" }`, `"prices.EUR.cost": { erp: "purchaseprice" }`, `"name": { erp: "_name" }`]],
    ["magento2_test_products_multiple_stores.csv", [`key: { erp: "sku"`, "CHECK: no column is unique and never empty", `"prices.EUR.price": { erp: "price" }`]]
  ]
  for (const [file, expected] of files) {
    it(`${file}: a config and mapping that pass config check and plan, its guesses flagged`, () => {
      const { dir, r, mapping } = initOn(file)
      assert.strictEqual(r.code, 0, r.stderr)
      for (const s of expected) assert.include(mapping, s)
      assert.notInclude(mapping, `key: { erp: "" }`)
      assert.include(mapping, "CHECK")
      const check = runCli(["config", "check"], { cwd: dir })
      assert.strictEqual(check.code, 0, check.stderr)
      const plan = planJson(dir)
      assert.isAbove(plan.plan.totals.pipedriveCreates, 0)
      assert.strictEqual(plan.plan.totals.erpCreates, 0)
    })
  }

  it("prices written `ARS 2625.00` get type money in ARS and plan exact prices; a rupee amount in that column is a row error", () => {
    const csv = [
      "Item ID,Item Name,SKU,Selling Price,Purchase Price,Tax Percentage",
      "4077000000123456789,Chair,CH-1,ARS 2625.00,ARS 1200.50,21",
      `4077000000123456790,Table,TB-2,"ARS 12,999.99",ARS 8000.00,21`,
      "4077000000123456791,Lamp,LA-3,ARS 0.10,ARS 0.05,21"
    ].join("\n") + "\n"
    const { dir, r, mapping } = initOn("items.csv", csv)
    assert.strictEqual(r.code, 0, r.stderr)
    assert.include(mapping, `"prices.ARS.price": { erp: "Selling Price", type: "money" }`)
    assert.include(mapping, `"prices.ARS.cost": { erp: "Purchase Price", type: "money" }`)
    assert.include(mapping, `key: { erp: "SKU"`)
    assert.include(mapping, `// "custom.Item ID": { erp: "Item ID" }`) // 19 digits: text, not a decimal
    assert.notInclude(mapping, "EUR")
    const plan = planJson(dir)
    const price = (key: string) => plan.plan.operations.find((o) => o.key === key)?.changes.find((c) => c.path === "prices.ARS.price")?.after as { value: string } | undefined
    assert.deepStrictEqual([price("CH-1")?.value, price("TB-2")?.value, price("LA-3")?.value], ["2625", "12999.99", "0.1"])

    writeFileSync(join(dir, "items.csv"), csv + "4077000000123456792,Desk,DE-4,₹3657.66,ARS 1.00,21\n")
    const p = runCli(["plan"], { cwd: dir })
    assert.include([0, 2], p.code, p.stderr)
    assert.match(p.stdout, /line 5 \(DE-4\): Selling Price: "₹3657\.66" is in INR, but this column holds ARS amounts/)
    assert.notMatch(p.stdout + p.stderr, stackFrame)
  })

  it("a user's own 2-row file starts against an empty emulator account: 2 creates, nothing written back", () => {
    const { dir, r } = initOn("t.csv", "sku,name,price\nA1,Foo,10\nA2,Bar,12.50\n")
    assert.strictEqual(r.code, 0, r.stderr)
    assert.include(r.stdout, "starting from an empty account")
    const config = readFileSync(join(dir, "sync.config.ts"), "utf8")
    assert.include(config, `emulator: { seed: "empty" }`)
    assert.match(config, /CHECK: your company's Pipedrive plan[^\n]*\n[^\n]*"lite", the lowest, is safe/)
    const plan = planJson(dir)
    assert.strictEqual(plan.plan.totals.pipedriveCreates, 2)
    assert.strictEqual(plan.plan.totals.products, 2)
    assert.strictEqual(plan.plan.totals.erpCreates + plan.plan.totals.erpUpdates, 0)
  })

  it("init checks what it wrote as config check does, and says what to fix (exit 1)", () => {
    const { dir, r, mapping } = initOn("coins.csv", "sku,name,price\nA1,Foo,XBT 0.5\nA2,Bar,XBT 1.25\n")
    assert.include(mapping, `"prices.XBT.price": { erp: "price", type: "money" }`)
    assert.strictEqual(r.code, 1)
    assert.match(r.stderr, /coins\.ts does not load yet; fix this, then run catalog-sync config check:\n {2}- .*fields\["prices\.XBT\.price"\]: the account has no currency XBT/)
    assert.notMatch(r.stderr, stackFrame)
    assert.strictEqual(runCli(["config", "check"], { cwd: dir }).code, 0) // the config itself loads; the mapping is what to fix
  })
})

describe("the bundled emulator's first account", () => {
  it("pipedrive.emulator.seed: empty starts with no products; a missing seed file is a config problem", () => {
    const empty = minimalProject(`pipedrive: { emulator: { seed: "empty" } }, `)
    const plan = JSON.parse(runCli(["plan", "--format", "json"], { cwd: empty }).stdout) as PlanJson
    assert.strictEqual(plan.plan.totals.erpCreates, 0)
    assert.strictEqual(plan.plan.totals.pipedriveCreates, 1)
    const demo = minimalProject()
    const demoPlan = JSON.parse(runCli(["plan", "--format", "json"], { cwd: demo }).stdout) as PlanJson
    assert.isAbove(demoPlan.plan.totals.products, 100) // the default stays the demo account
    const missing = runCli(["config", "check"], { cwd: minimalProject(`pipedrive: { emulator: { seed: "./nope.json" } }, `) })
    assert.strictEqual(missing.code, 1)
    assert.match(missing.stderr, /pipedrive\.emulator\.seed: file not found: \.\/nope\.json/)
  })

  it("a standalone emulator says both PIPEDRIVE_BASE_URL and PIPEDRIVE_API_TOKEN are needed", async () => {
    const child = spawn(process.execPath, [bin, "emulator", "--token", "tok-123", "--seed", "empty"], { stdio: ["ignore", "pipe", "pipe"] })
    const out = await new Promise<string>((resolve, reject) => {
      let text = ""
      child.stdout.on("data", (chunk: Buffer) => {
        text += chunk.toString()
        if (text.includes("Press Ctrl-C")) resolve(text)
      })
      child.on("exit", (code) => reject(new Error(`exited ${code}: ${text}`)))
    })
    child.kill("SIGTERM")
    const url = /listening on (http\S+)/.exec(out)?.[1] ?? ""
    assert.include(out, `export PIPEDRIVE_BASE_URL=${url}`)
    assert.include(out, "export PIPEDRIVE_API_TOKEN=tok-123")
    assert.include(out, "(0 products, 0 custom fields")
  })
})
