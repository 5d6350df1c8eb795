/** `fields` against an emulator and `init [CSV]`, through the built CLI. */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { type ChildProcess, spawn } from "node:child_process"
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as InitGuess from "../../src/cli/InitGuess.js"
import { bin, runCli } from "./run.js"
import { minimalProject, repo, stackFrame } from "./support.js"

const token = "fields-secret-token-5be1d0c9"

describe("catalog-sync fields (built CLI)", () => {
  // The emulator runs as its own process: runCli blocks this one while the CLI talks to it.
  let emulator: ChildProcess
  const url = { baseUrl: "" }
  beforeAll(async () => {
    emulator = spawn(process.execPath, [bin, "emulator", "--token", token], { stdio: ["ignore", "pipe", "inherit"] })
    url.baseUrl = await new Promise<string>((resolve, reject) => {
      let out = ""
      emulator.stdout?.on("data", (chunk: Buffer) => {
        out += chunk.toString()
        const m = /listening on (http\S+)/.exec(out)
        if (m) resolve(m[1] as string)
      })
      emulator.on("exit", (code) => reject(new Error(`the emulator exited (${code}): ${out}`)))
    })
  })
  afterAll(() => {
    emulator.kill("SIGTERM")
  })

  const project = () => minimalProject()

  it("lists the account's product fields with key, type and options; never shows the token", () => {
    const env = { PIPEDRIVE_API_TOKEN: token, PIPEDRIVE_BASE_URL: url.baseUrl }
    const r = runCli(["fields"], { cwd: project(), env })
    assert.strictEqual(r.code, 0, r.stderr)
    assert.match(r.stdout, /^label\s+key\s+type\s+kind\s+pinned\s+options/)
    assert.match(r.stdout, /\nColor\s+[0-9a-f]{40}\s+enum\s+custom\s+Black, White, Grey, Blue, Red/)
    assert.match(r.stdout, /\nName\s+name\s+varchar\s+built-in/)
    const json = JSON.parse(runCli(["fields", "--custom", "--json"], { cwd: project(), env }).stdout) as { fields: Array<{ label: string; key: string; custom: boolean; options: Array<string> }> }
    assert.isTrue(json.fields.length > 0 && json.fields.every((f) => f.custom))
    assert.include(json.fields.map((f) => f.label), "Brand")
    assert.notInclude(r.stdout + r.stderr, token)
  })

  it("a wrong token exits 1 with a clear message, the token not in it", () => {
    const wrong = "wrong-token-0a1b2c3d4e"
    const r = runCli(["fields"], { cwd: project(), env: { PIPEDRIVE_API_TOKEN: wrong, PIPEDRIVE_BASE_URL: url.baseUrl } })
    assert.strictEqual(r.code, 1)
    assert.match(r.stderr, /401|token|unauthori[sz]ed/i)
    assert.notInclude(r.stdout + r.stderr, wrong)
    assert.notMatch(r.stderr, stackFrame)
  })

  it("with no token, lists the bundled emulator's fields", () => {
    const r = runCli(["fields", "--json"], { cwd: project() })
    assert.strictEqual(r.code, 0, r.stderr)
    assert.include((JSON.parse(r.stdout) as { fields: Array<{ label: string }> }).fields.map((f) => f.label), "Warranty (months)")
  })
})

describe("catalog-sync init (built CLI)", () => {
  it("writes a config and a mapping for the demo catalog that pass config check and plan", () => {
    const dir = mkdtempSync(join(tmpdir(), "catalog-sync-init-"))
    copyFileSync(join(repo, "fixtures", "demo-catalog.csv"), join(dir, "articles.csv"))
    const r = runCli(["init"], { cwd: dir })
    assert.strictEqual(r.code, 0, r.stderr)
    assert.include(r.stdout, "sync.config.ts")
    assert.match(r.stdout, /\nsku\s+text\s+key/)
    assert.match(r.stdout, /\nprice_usd\s+decimal\s+prices\.USD\.price/)
    const config = readFileSync(join(dir, "sync.config.ts"), "utf8")
    assert.include(config, `path: "./articles.csv"`)
    assert.match(config, /dialect: \{\n {6}delimiter: ";",\n {6}decimal: "comma",\n {6}encoding: "utf-8" \/\/ detected; catalog-sync inspect shows 1 row error\(s\)/)
    assert.include(config, `mapping: "./mappings/articles.ts"`)
    const mapping = readFileSync(join(dir, "mappings", "articles.ts"), "utf8")
    assert.include(mapping, `key: { erp: "sku", pipedrive: "code" }`)
    assert.include(mapping, `"name": { erp: "name" }`)
    assert.include(mapping, `"prices.EUR.price": { erp: "price_eur" }`)
    assert.include(mapping, `// "custom.Brand": { erp: "brand" }`)
    const check = runCli(["config", "check"], { cwd: dir })
    assert.strictEqual(check.code, 0, check.stderr)
    const plan = runCli(["plan", "--format", "json"], { cwd: dir })
    assert.strictEqual(plan.code, 0, plan.stderr)
    assert.isAbove((JSON.parse(plan.stdout) as { plan: { totals: { products: number } } }).plan.totals.products, 0)

    const again = runCli(["init", "articles.csv"], { cwd: dir })
    assert.strictEqual(again.code, 1)
    assert.match(again.stderr, /sync\.config\.ts already exists: init never overwrites a file/)
    assert.notMatch(again.stderr, stackFrame)
  })

  it("matches German column names and a decimal comma, into --dir with --name", () => {
    const dir = mkdtempSync(join(tmpdir(), "catalog-sync-init-de-"))
    mkdirSync(join(dir, "out"))
    writeFileSync(join(dir, "export.csv"), "Artikelnummer;Bezeichnung;VK;EK;MwSt;Warengruppe;Marke\nA-1;Stuhl;19,90;9,50;19;Möbel;Acme\nA-2;Tisch;129,00;80,10;19;Möbel;Acme\n")
    const r = runCli(["init", "export.csv", "--dir", "out", "--name", "Warenwirtschaft"], { cwd: dir })
    assert.strictEqual(r.code, 0, r.stderr)
    const mapping = readFileSync(join(dir, "out", "mappings", "warenwirtschaft.ts"), "utf8")
    for (const s of [`key: { erp: "Artikelnummer"`, `"name": { erp: "Bezeichnung" }`, `"prices.EUR.price": { erp: "VK" }`, `"prices.EUR.cost": { erp: "EK" }`, `"tax": { erp: "MwSt", type: "decimal" }`, `"category": { erp: "Warengruppe" }`, `// "custom.Marke": { erp: "Marke" }`]) {
      assert.include(mapping, s)
    }
    assert.include(readFileSync(join(dir, "out", "sync.config.ts"), "utf8"), `path: "../export.csv"`)
    const check = runCli(["config", "check", "--config", join(dir, "out", "sync.config.ts")], { cwd: dir })
    assert.strictEqual(check.code, 0, check.stderr)
  })

  it("without a CSV and none or several in the folder, says what to do", () => {
    const dir = mkdtempSync(join(tmpdir(), "catalog-sync-init-none-"))
    const none = runCli(["init"], { cwd: dir })
    assert.strictEqual(none.code, 1)
    assert.include(none.stderr, "no CSV file in")
    writeFileSync(join(dir, "a.csv"), "sku\n1\n")
    writeFileSync(join(dir, "b.csv"), "sku\n1\n")
    const two = runCli(["init"], { cwd: dir })
    assert.strictEqual(two.code, 1)
    assert.include(two.stderr, "2 CSV files in")
  })

  it("guess: each target once, the best-ranked name wins, currency prices by suffix or prefix", () => {
    const names = ["SKU", "Item Number", "Name", "Sale price", "Regular price", "usd_price", "EK CHF", "Aktiv", "Notes"]
    const col = (name: string) => ({ position: 0, name, kind: "text" as const, nulls: 0 })
    const profile = { filled: 2, distinct: 2, digitId: false, markers: new Map<string, number>(), amounts: 2, amountsPoint: 2, amountsComma: 2, onlyPoint: undefined, onlyComma: undefined, twoWays: undefined, decimalsPoint: 0, decimalsComma: 0, badAmount: undefined, example: "1" }
    const g = InitGuess.guess(names.map(col), names.map(() => profile), 2, "point")
    assert.deepStrictEqual(g.suggestions.map((x) => x.target), ["key", undefined, "name", undefined, "prices.EUR.price", "prices.USD.price", "prices.CHF.cost", "linkable", undefined])
    // EK CHF has no CHF price beside it: a cost alone would create a price of 0, so it stays commented.
    assert.isTrue(g.suggestions[6]?.commented)
  })
})
