/**
 * Messy files as they come, on real exports (test/fixtures/csv/SOURCES.md): a UTF-8 file with two
 * damaged rows, NUL bytes, a title block above the header and the empty rows a spreadsheet saves.
 * Only the bad rows are rejected, with their lines; the good rows are exact.
 */
import { FileSystem } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { BigDecimal, Effect } from "effect"
import { readFileSync } from "node:fs"
import * as Inspect from "../../src/erp/Inspect.js"
import * as Rejects from "../../src/erp/Rejects.js"
import { provide, readCatalog, sample } from "./support.js"

const jtl = sample("jtl_wawi_export_de_mixed_decimals.csv")
const damaged = sample("jtl_wawi_export_de_two_latin1_rows.csv")
const jtlColumns = [{ name: "Artikelname", type: "text" as const }, { name: "Netto-VK", type: "decimal" as const }]

describe("a UTF-8 export with a few bytes that are not UTF-8", () => {
  it.effect("is read as UTF-8: the two damaged rows are rejected with line, column and bytes; every other row is as in the clean file", () =>
    provide(Effect.gen(function*() {
      const clean = yield* readCatalog(jtl, { key: "Artikelnummer", columns: jtlColumns })
      const { catalog, good, rejected } = yield* readCatalog(damaged, { key: "Artikelnummer", columns: jtlColumns })
      assert.strictEqual(catalog.source.dialect.encoding.name, "utf-8")
      assert.isFalse(catalog.source.dialect.encoding.fallback)
      assert.deepStrictEqual(rejected.map((r) => [r.line, r.errors.map((e) => e.column)]), [[7, ["Artikelname"]], [13, ["Artikelname"]]])
      assert.include(rejected[0]!.errors[0].reason, `byte 0xE4 is not valid UTF-8 in "NatuGena MukosaAktiv | 210 Kapseln | L-Glutamin, Propions\\xE4ure`)
      assert.include(rejected[1]!.errors[0].reason, "bytes 0xFC 0xF6 are not valid UTF-8")
      const cleanGood = clean.good.filter((g) => g.line !== 7 && g.line !== 13)
      assert.strictEqual(good.length, cleanGood.length)
      assert.deepStrictEqual(good.map((g) => [g.line, g.key, g.values.Artikelname]), cleanGood.map((g) => [g.line, g.key, g.values.Artikelname]))
      assert.isTrue(good.every((g, i) => BigDecimal.equals(g.values["Netto-VK"] as BigDecimal.BigDecimal, cleanGood[i]!.values["Netto-VK"] as BigDecimal.BigDecimal)))
    })))

  it.scoped("the rejects file keeps the damaged bytes as they were", () =>
    provide(Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      const { catalog } = yield* readCatalog(damaged, { key: "Artikelnummer", columns: jtlColumns })
      const out = `${dir}/rejects.csv`
      assert.strictEqual(yield* Rejects.write(out, catalog.source, catalog.rows), 2)
      const written = readFileSync(out)
      const source = readFileSync(damaged).toString("latin1").split("\n")
      // Each rejected row's bytes (as Latin-1 text, one char per byte) appear unchanged in the rejects file.
      for (const line of [7, 13]) assert.include(written.toString("latin1"), source[line - 1]!.split(",").slice(0, 3).join(","))
      assert.include(written.toString("latin1"), "Propions\u00e4ure")
    })))

  it.effect("inspect lists the two rows and does not advise another encoding", () =>
    provide(Effect.gen(function*() {
      const r = yield* Inspect.run(damaged)
      assert.strictEqual(r.rowErrorCount, 2)
      assert.deepStrictEqual(r.rowErrors.map((e) => e.line), [7, 13])
      assert.notInclude(Inspect.render(r), "windows-1252")
    })))
})

describe("a spreadsheet's price list: title block, empty rows", () => {
  for (const file of ["de_freudenhof_preisliste_utf8_title_lines.csv", "de_freudenhof_preisliste_cp1252_title_lines.csv"]) {
    it.effect(`${file}: the 13 title lines are skipped and said so; the header is line 14; empty rows are skipped, not rejected`, () =>
      provide(Effect.gen(function*() {
        const r = yield* Inspect.run(sample(file))
        assert.strictEqual(r.headerLine, 14)
        assert.strictEqual(r.skipLines, 13)
        assert.isTrue(r.notes.some((n) => n.startsWith("13 line(s) before the header skipped: a title block (\"Herbert & Franziska Peterse")))
        assert.isAbove(r.blankRows, 250)
        assert.strictEqual(r.rowErrorCount, 0)
        const { catalog, good, rejected } = yield* readCatalog(sample(file), {
          key: "Artikelbezeichnung",
          columns: [{ name: "Euro", type: "decimal" }],
          dialect: { decimal: "comma" }
        })
        assert.strictEqual(catalog.blankRows, r.blankRows)
        // Lines after the last product with no key (a stray total, a footnote) are skipped and listed.
        assert.deepStrictEqual(rejected.map((x) => x.errors.map((e) => e.reason)).flat().filter((m) => m.startsWith("no key")), [])
        assert.deepStrictEqual(catalog.trailingLines, file.includes("cp1252") ? [99, 650] : [])
        const eggs = good.find((g) => g.key === "Eier, mittlere  M  (53- 62g)")
        assert.strictEqual(eggs?.line, 16)
        assert.strictEqual(BigDecimal.format(eggs?.values.Euro as BigDecimal.BigDecimal), "0.55")
      })))
  }

  it.effect("a configured skipLines wins over the detection; a file whose first line is its header is left alone", () =>
    provide(Effect.gen(function*() {
      const r = yield* Inspect.run(sample("de_freudenhof_preisliste_utf8_title_lines.csv"), { skipLines: 12 })
      assert.strictEqual(r.headerLine, 13)
      const plain = yield* Inspect.run(jtl)
      assert.strictEqual(plain.headerLine, 1)
    })))
})

describe("UTF-16 without a byte-order mark", () => {
  it.scoped("is still refused with the advice to set utf-16le, naming the byte", () =>
    provide(Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      const path = `${dir}/u16.csv`
      yield* fs.writeFile(path, Buffer.from("sku;name\nA;B\n", "utf16le"))
      const e = yield* Effect.flip(Inspect.run(path))
      assert.include(e.message, `byte 1 is a NUL byte and the file looks like UTF-16 without a byte-order mark; set the encoding to "utf-16le" or "utf-16be"`)
    })))
})

describe("keys that repeat by design: Magento 2's advanced-pricing export (a row per customer group and tier)", () => {
  const tiers = sample("magento2_advanced_pricing_tier_prices_repeated_skus.csv")
  const columns = [{ name: "tier_price", type: "decimal" as const }]
  it.effect("as it is, every row is rejected as a duplicate, naming the lines", () =>
    provide(Effect.gen(function*() {
      const { good, rejected } = yield* readCatalog(tiers, { key: "sku", columns })
      assert.strictEqual(good.length, 0)
      assert.strictEqual(rejected.length, 127)
      assert.strictEqual(rejected[0]!.errors[0].reason, `the key "test-sample" appears 4 times (lines 2, 3, 4, 5): every row with it is rejected`)
    })))

  it.effect("`where` keeps the rows of one group and tier: one row per key, the others skipped and counted", () =>
    provide(Effect.gen(function*() {
      const { catalog, good, rejected } = yield* readCatalog(tiers, {
        key: "sku",
        columns,
        where: [{ column: "tier_price_customer_group", values: ["ALL GROUPS"] }, { column: "tier_price_qty", values: ["2.0000"] }]
      })
      assert.deepStrictEqual(rejected, [])
      assert.strictEqual(good.length, 32)
      assert.strictEqual(catalog.rowCount, 32)
      assert.strictEqual(catalog.filteredRows, 95)
      assert.deepStrictEqual([good[0]!.line, good[0]!.key, BigDecimal.format(good[0]!.values.tier_price as BigDecimal.BigDecimal)], [2, "test-sample", "10"])
    })))

  it.effect("`duplicates: first | last` keeps one row per key", () =>
    provide(Effect.gen(function*() {
      for (const [policy, line] of [["first", 2], ["last", 5]] as const) {
        const { catalog, good, rejected } = yield* readCatalog(tiers, { key: "sku", columns, duplicates: policy })
        assert.deepStrictEqual(rejected, [])
        assert.strictEqual(good.length, 32)
        assert.strictEqual(catalog.droppedDuplicates, 95)
        assert.strictEqual(good[0]!.line, line)
      }
    })))

  it.effect("a `where` column the file does not have is refused, with a suggestion", () =>
    provide(Effect.gen(function*() {
      const e = yield* Effect.flip(readCatalog(tiers, { key: "sku", columns, where: [{ column: "tier_qty", values: ["1"] }] }))
      assert.strictEqual(e.reason, "MissingColumns")
      assert.include(e.message, `"tier_qty"`)
    })))
})
