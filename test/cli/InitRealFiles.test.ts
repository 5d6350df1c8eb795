/**
 * `init` on real exports, amounts with currencies, a user's own file against an empty emulator
 * account, and the standalone emulator's start-up message — through the built CLI.
 */
import { assert, describe, it } from "@effect/vitest"
import { spawn } from "node:child_process"
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { basename, join } from "node:path"
import { bin, runCli } from "./run.js"
import { minimalProject, repo, stackFrame } from "./support.js"

interface PlanJson {
  readonly rejects: ReadonlyArray<{ readonly line: number; readonly key?: string; readonly reasons: ReadonlyArray<string> }>
  readonly plan: {
    readonly totals: { readonly products: number; readonly pipedriveCreates: number; readonly erpCreates: number; readonly erpUpdates: number }
    readonly operations: ReadonlyArray<{ readonly key: string; readonly side: string; readonly kind: string; readonly changes: ReadonlyArray<{ readonly path: string; readonly after: unknown }> }>
  }
}

/** A temp folder holding `file` (from test/fixtures/csv, or written), after `init` on it. */
const initOn = (file: string, content?: string | Buffer, options: ReadonlyArray<string> = []) => {
  const dir = mkdtempSync(join(tmpdir(), "catalog-sync-init-real-"))
  const name = basename(file)
  if (content === undefined) copyFileSync(join(repo, "test", "fixtures", "csv", file), join(dir, name))
  else writeFileSync(join(dir, name), content)
  const r = runCli(["init", name, ...options], { cwd: dir })
  const mapping = readFileSync(join(dir, "mappings", `${name.replace(/\.csv$/, "").toLowerCase().replace(/[^a-z0-9]+/g, "-")}.ts`), "utf8")
  const config = readFileSync(join(dir, "sync.config.ts"), "utf8")
  return { dir, r, mapping, config }
}

const fixture = (file: string) => readFileSync(join(repo, "test", "fixtures", "csv", file))

/** The plan's value of `path` for each product, by key. */
const values = (plan: PlanJson, path: string) =>
  new Map(plan.plan.operations.flatMap((o) => o.changes.filter((c) => c.path === path).map((c) => [o.key, typeof c.after === "object" && c.after !== null && "value" in c.after ? (c.after as { value: string }).value : c.after] as const)))

/** init, then config check exits 0 and plan exits 0 or 2; the plan. */
const initCheckPlan = (file: string, options: ReadonlyArray<string> = [], content?: string | Buffer) => {
  const run = initOn(file, content, options)
  assert.strictEqual(run.r.code, 0, run.r.stderr)
  assert.notMatch(run.r.stdout + run.r.stderr, stackFrame)
  assert.notInclude(run.config, "guards") // the defaults apply, whatever they become
  assert.notInclude(run.mapping, `"custom.": { erp: "" }`)
  const check = runCli(["config", "check"], { cwd: run.dir })
  assert.strictEqual(check.code, 0, check.stderr)
  return { ...run, plan: planJson(run.dir) }
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
    ["magento2_test_products_multiple_stores.csv", [`key: { erp: "sku"`, `rows: { where: { "store_view_code": "" } }`, `"prices.EUR.price": { erp: "price" }`]]
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
    const check = runCli(["config", "check"], { cwd: dir }) // config check loads the mapping too
    assert.strictEqual(check.code, 1)
    assert.include(check.stderr, "the account has no currency XBT")
  })
})

describe("catalog-sync init on messy real exports (built CLI)", () => {
  it("Flipkart: `Laptop Name` is the name, rupee prices are money with a decimal point, 44 unnamed columns left out", () => {
    const { r, mapping, plan } = initCheckPlan("in_flipkart_laptops_rupee_crlf.csv")
    assert.include(mapping, `"name": { erp: "Laptop Name" }, // CHECK: "Laptop Name" taken as the product name`)
    assert.include(mapping, `"prices.INR.price": { erp: "Price", type: "money", decimal: "point" }, // CHECK: values such as "₹12,990" read two ways: decimal point taken`)
    assert.include(r.stdout, "44 column(s) without a name in the header were left out of the mapping")
    assert.notInclude(mapping, `"custom.":`)
    assert.strictEqual(plan.plan.totals.pipedriveCreates, 20)
    assert.strictEqual(plan.rejects.length, 0)
    const prices = [...values(plan, "prices.INR.price").values()]
    for (const p of ["67990", "12990", "10900", "25599"]) assert.include(prices, p)
    assert.strictEqual(values(plan, "name").size, 20)
  })

  it("Flipkart with an Indian-grouped price (₹1,04,990) and one with paise (₹12,990.50): 104990 and 12990.5 INR", () => {
    const text = fixture("in_flipkart_laptops_rupee_crlf.csv").toString("utf8").replace(`"₹67,990"`, `"₹1,04,990"`).replace(`"₹12,990"`, `"₹12,990.50"`)
    const { mapping, plan } = initCheckPlan("in_flipkart_laptops_rupee_crlf.csv", [], text)
    assert.include(mapping, `"prices.INR.price": { erp: "Price", type: "money", decimal: "point" }`)
    const prices = [...values(plan, "prices.INR.price").values()]
    assert.include(prices, "104990")
    assert.include(prices, "12990.5")
  })

  it("Magento tier prices: rows.where keeps one row per SKU (32 products, no rejected row), said in the mapping and the summary", () => {
    const { r, mapping, plan } = initCheckPlan("magento2_advanced_pricing_tier_prices_repeated_skus.csv")
    assert.include(mapping, `rows: { where: { "tier_price_customer_group": "ALL GROUPS", "tier_price_qty": "2.0000" } },`)
    assert.match(mapping, /\/\/ CHECK: "sku" repeats: 127 rows for 32 keys \(a row per tier_price_customer_group and tier_price_qty\).*duplicates: "first"/)
    assert.include(r.stdout, `"sku" repeats: 127 rows for 32 keys: the mapping reads one row per key, where tier_price_customer_group "ALL GROUPS", tier_price_qty "2.0000" (rows.where)`)
    assert.strictEqual(plan.plan.totals.products, 32)
    assert.strictEqual(plan.rejects.length, 0)
  })

  it("init takes inspect's dialect options (--encoding windows-1252 --skip-lines 13) and writes them into erp.dialect", () => {
    const { mapping, config, plan } = initCheckPlan("de_freudenhof_preisliste_cp1252_title_lines.csv", ["--encoding", "windows-1252", "--skip-lines", "13", "--delimiter", ",", "--decimal", "comma"])
    assert.match(config, /encoding: "windows-1252"/)
    assert.include(config, "skipLines: 13")
    assert.notInclude(config, "// detected") // given, not detected: no comment
    assert.match(config, /decimal: "comma"/)
    assert.include(mapping, `key: { erp: "Artikelbezeichnung"`)
    assert.include(mapping, "a product renamed in the file becomes a new product")
    assert.include(mapping, `"name": { erp: "Artikelbezeichnung" }, // CHECK`)
    assert.include(mapping, `"prices.EUR.price": { erp: "Euro" }`)
    assert.strictEqual(values(plan, "prices.EUR.price").get("Eier, mittlere  M  (53- 62g)"), "0.55")
    assert.strictEqual(values(plan, "prices.EUR.price").get("Eier, Größe L    (63- 73g)"), "0.57")
  })

  it("Freudenhof price lists: the detected title block is written with a comment; name, key and price from the table", () => {
    for (const file of ["de_freudenhof_preisliste_utf8_title_lines.csv", "de_freudenhof_preisliste_cp1252_title_lines.csv"]) {
      const { r, mapping, config, plan } = initCheckPlan(file)
      assert.match(config, /skipLines: 13,? \/\/ detected: 13 line\(s\) before the header skipped: a title block \("Herbert & Franziska/)
      assert.include(r.stdout, "13 line(s) above the header were skipped")
      assert.include(mapping, `key: { erp: "Artikelbezeichnung"`)
      assert.include(mapping, `"prices.EUR.price": { erp: "Euro" }`)
      assert.strictEqual(values(plan, "prices.EUR.price").get("Eier, mittlere  M  (53- 62g)"), "0.55")
      assert.isAbove(plan.plan.totals.pipedriveCreates, 75)
    }
  })

  it("JTL export with two Latin-1 rows: those two rows are rejected, the other 100 planned", () => {
    const { config, plan } = initCheckPlan("jtl_wawi_export_de_two_latin1_rows.csv")
    assert.match(config, /encoding: "utf-8" \/\/ detected; catalog-sync inspect shows 2 row error\(s\)/)
    assert.deepStrictEqual(plan.rejects.map((x) => x.line), [7, 13])
    assert.strictEqual(plan.plan.totals.pipedriveCreates, 100)
  })

  it("csvkit's null_byte.csv: the key is its first column, the damaged row rejected", () => {
    const { mapping, plan } = initCheckPlan("csvkit-edge/null_byte.csv")
    assert.include(mapping, `key: { erp: "a"`)
    assert.include(mapping, "CHECK: no row could be read")
    assert.strictEqual(plan.rejects.length, 1)
  })

  it("WooCommerce exports, English and Brazilian-Portuguese headers: key, name and price", () => {
    const en = initCheckPlan("woocommerce_sample_products_bom_variations.csv")
    assert.include(en.mapping, `key: { erp: "SKU"`)
    assert.include(en.mapping, `"prices.EUR.price": { erp: "Regular price" }`)
    assert.strictEqual(values(en.plan, "prices.EUR.price").get("woo-vneck-tee-red"), "20")
    const pt = initCheckPlan("woocommerce_export_ptbr_localized_headers_bom.csv")
    for (const s of [`"name": { erp: "Nome" }`, `"description": { erp: "Descrição" }`, `"prices.EUR.price": { erp: "Preço" }`]) assert.include(pt.mapping, s)
    assert.strictEqual(values(pt.plan, "name").size, pt.plan.plan.totals.pipedriveCreates)
  })

  it("Shopify exports: image rows are rejected and init says variants are not supported, and what to do when most rows are rejected", () => {
    const images = initCheckPlan("shopify_products_export_2025_image_rows.csv")
    assert.include(images.mapping, `key: { erp: "Variant SKU"`)
    assert.include(images.r.stdout, "Variants are not supported yet")
    assert.match(images.r.stdout, /At least 50 of 61 rows will be rejected .* sync with --allow maxRejectedShare/s)
    assert.strictEqual(images.plan.plan.totals.pipedriveCreates, 8)
    const inr = initCheckPlan("shopify_products_export_in_inr_unit_price.csv")
    assert.include(inr.mapping, `key: { erp: "Handle"`)
    assert.include(inr.mapping, `rows: { duplicates: "first" },`)
    assert.include(inr.mapping, `"name": { erp: "Title" }`)
    assert.strictEqual(inr.plan.plan.totals.pipedriveCreates, 56)
    assert.strictEqual(inr.plan.rejects.length, 0)
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
