/** Write-back: round trips, patch and full modes, the input's dialect, neutralisation, atomicity. */
import { FileSystem } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { BigDecimal, Effect, Stream } from "effect"
import fc from "fast-check"
import { readdirSync, readFileSync } from "node:fs"
import * as AtomicFile from "../../src/erp/AtomicFile.js"
import * as Catalog from "../../src/erp/Catalog.js"
import type * as Cell from "../../src/erp/Cell.js"
import * as Serialize from "../../src/erp/Serialize.js"
import * as Writer from "../../src/erp/Writer.js"
import { demo, provide, readCatalog, readRows, sample, samples } from "./support.js"

const noChanges: Writer.Changes = { updates: new Map(), creates: [] }

const tempDir = Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped())

const readable = [
  ...readdirSync(samples).filter((f) => f.endsWith(".csv")),
  ...readdirSync(`${samples}csvkit-edge`).filter((f) => f !== "null_byte.csv").map((f) => `csvkit-edge/${f}`),
  ...readdirSync(`${samples}csv-spectrum/csvs`).map((f) => `csv-spectrum/csvs/${f}`)
].sort()

describe("Writer: round trip read → write full → read", () => {
  for (const name of readable) {
    it.scoped(`${name}: same rows, same bytes`, () =>
      provide(Effect.gen(function*() {
        const file = sample(name)
        const dir = yield* tempDir
        const first = yield* readRows(file)
        const names = first.source.header.names
        const key = names.find((n) => n !== "" && names.indexOf(n) === names.lastIndexOf(n)) as string
        const catalog = yield* Catalog.open(file, { key, columns: [] })
        const out = `${dir}/out.csv`
        const summary = yield* Writer.write(catalog, out, "full", noChanges)
        assert.strictEqual(summary.rows, first.rows.length)
        const again = yield* readRows(out)
        assert.deepStrictEqual(again.rows.map((r) => r.cells), first.rows.map((r) => r.cells))
        assert.deepStrictEqual(again.source.header, first.source.header)
        assert.deepStrictEqual(again.source.dialect.encoding, first.source.dialect.encoding)
        assert.isTrue(Buffer.compare(readFileSync(out), readFileSync(file)) === 0, "bytes differ")
      })))
  }
})

const demoColumns: ReadonlyArray<Cell.ColumnSpec> = [
  { name: "description", type: "text" },
  { name: "price_eur", type: "decimal" },
  { name: "warranty_months", type: "integer" },
  { name: "active", type: "boolean" }
]

const changes: Writer.Changes = {
  updates: new Map<string, Record<string, Cell.Value>>([
    ["ELE-1001", { price_eur: BigDecimal.unsafeFromString("140.5"), active: false }],
    ["FUR-1002", { description: "=HYPERLINK(\"http://evil.example\",\"click\")" }],
    ["ELE-1041", { description: "duplicated: never applied" }],
    ["NOPE-1", { description: "not in the file" }]
  ]),
  creates: [
    { key: "SRV-500", values: { name: "-minus: sales wrote this", description: "@SUM(A1:A2)", price_eur: BigDecimal.unsafeFromString("-12.5"), warranty_months: 12, active: true } }
  ]
}

describe("Writer: the demo catalog", () => {
  it.scoped("full: changed rows re-serialized in the dialect, the rest byte for byte, new products appended", () =>
    provide(Effect.gen(function*() {
      const dir = yield* tempDir
      const catalog = yield* Catalog.open(demo, { key: "sku", columns: demoColumns })
      const out = `${dir}/full.csv`
      const summary = yield* Writer.write(catalog, out, "full", changes)
      assert.deepStrictEqual({ ...summary, path: "" }, { path: "", mode: "full", rows: 207, updated: 2, created: 1, neutralised: 3, notApplied: ["ELE-1041", "NOPE-1"], refused: [] })
      const bytes = readFileSync(out)
      assert.deepStrictEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf])
      const original = readFileSync(demo, "utf8").split("\r\n")
      const written = bytes.toString("utf8").split("\r\n")
      assert.strictEqual(written.length, original.length + 1)
      assert.strictEqual(written[1], original[1]?.replace(";131,27;", ";140,50;").replace(/;1$/, ";0"))
      assert.strictEqual(written[2], original[2]?.replace(/;Smart meeting table[^;]*;/, ";\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"click\"\")\";"))
      for (let i = 3; i < original.length - 1; i++) assert.strictEqual(written[i], original[i])
      assert.strictEqual(written.at(-2), "SRV-500;'-minus: sales wrote this;'@SUM(A1:A2);;;;;12;;-12,50;;;;1")
      assert.strictEqual(written.at(-1), "")
    })))

  it.scoped("patch: one row per changed or new product, the key and the changed columns", () =>
    provide(Effect.gen(function*() {
      const dir = yield* tempDir
      const catalog = yield* Catalog.open(demo, { key: "sku", columns: demoColumns })
      const out = `${dir}/patch.csv`
      const summary = yield* Writer.write(catalog, out, "patch", changes)
      assert.strictEqual(summary.rows, 3)
      const text = readFileSync(out, "utf8")
      assert.strictEqual(
        text,
        "\uFEFFsku;name;description;warranty_months;price_eur;active\r\n" +
          "ELE-1001;Alpina Pro Monitor Arm;Pro monitor arm by Alpina. Built to last.;36;140,50;0\r\n" +
          "FUR-1002;Brightline Smart Meeting Table;\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"click\"\")\";12;" + text.split("\r\n")[2]?.split(";").slice(-2).join(";") + "\r\n" +
          "SRV-500;'-minus: sales wrote this;'@SUM(A1:A2);12;-12,50;1\r\n"
      )
      const { good } = yield* readCatalog(out, { key: "sku", columns: [{ name: "price_eur", type: "decimal" }] })
      assert.deepStrictEqual(good.map((g) => g.key), ["ELE-1001", "FUR-1002", "SRV-500"])
    })))

  it.scoped("refuses, before writing, a change to a column the file does not have", () =>
    provide(Effect.gen(function*() {
      const dir = yield* tempDir
      const catalog = yield* Catalog.open(demo, { key: "sku", columns: [] })
      const out = `${dir}/never.csv`
      const e = yield* Effect.flip(Writer.write(catalog, out, "full", { updates: new Map([["ELE-1001", { colour: "Red" }]]), creates: [] }))
      assert.strictEqual(e.reason, "Unwritable")
      assert.include(e.message, "column \"colour\" is not in the file")
      const fs = yield* FileSystem.FileSystem
      assert.deepStrictEqual(yield* fs.readDirectory(dir), [])
    })))
})

describe("Writer: the input's encoding", () => {
  it.scoped("Latin-1 stays Latin-1; a character it cannot hold is refused on its own, the rest is written", () =>
    provide(Effect.gen(function*() {
      const dir = yield* tempDir
      const file = sample("de_wit_a_artikel_latin1_noheader.csv")
      const catalog = yield* Catalog.open(file, { key: "id", columns: [{ name: "price", type: "decimal" }], dialect: { header: ["id", "name", "price", "stock"] } })
      const out = `${dir}/out.csv`
      yield* Writer.write(catalog, out, "full", { updates: new Map([["15", { name: "Feinliner grün (neu)", price: BigDecimal.unsafeFromString("1.1") }]]), creates: [] })
      const bytes = readFileSync(out)
      assert.include(bytes.toString("latin1"), "\n15;Feinliner grün (neu);1.10;76\n")
      assert.isTrue(bytes.includes(Buffer.from([0x67, 0x72, 0xfc, 0x6e, 0x20, 0x28])), "ü is the single byte 0xFC")
      const summary = yield* Writer.write(catalog, out, "patch", {
        updates: new Map<string, Record<string, Cell.Value>>([["15", { name: "Feinliner 😀 ʤ", price: BigDecimal.unsafeFromString("2") }], ["16", { name: "Feinliner blau (neu)" }], ["17", { name: "ʤ" }]]),
        creates: [{ key: "N😀", values: { name: "new" } }, { key: "N2", values: { name: "Neu ✓" } }]
      })
      assert.deepStrictEqual(summary.refused.map((r) => [r.key, r.column, r.characters]), [["15", "name", ["😀", "ʤ"]], ["17", "name", ["ʤ"]], ["N😀", "id", ["😀"]], ["N2", "name", ["✓"]]])
      assert.include(summary.refused[0]!.message, `"Feinliner 😀 ʤ" (column "name") holds "😀", "ʤ", which windows-1252 cannot encode`)
      assert.deepStrictEqual([summary.updated, summary.created, summary.notApplied], [2, 1, []])
      assert.strictEqual(readFileSync(out).toString("latin1"), "15;Feinliner grün;2.00;76\n16;Feinliner blau (neu);0.99;48\nN2;;;\n")
    })))

  it.scoped("UTF-16 LE with BOM is written as UTF-16 LE with BOM", () =>
    provide(Effect.gen(function*() {
      const dir = yield* tempDir
      const catalog = yield* Catalog.open(sample("csvkit-edge/test_utf16_little.csv"), { key: "a", columns: [] })
      const out = `${dir}/out.csv`
      yield* Writer.write(catalog, out, "patch", { updates: new Map([["4", { c: "ü" }]]), creates: [] })
      assert.deepStrictEqual([...readFileSync(out)], [...Buffer.from("\uFEFFa,c\n4,ü\n", "utf16le")])
    })))
})

describe("Writer: atomic", () => {
  it.scoped("a failing write leaves the target as it was and no temporary file behind", () =>
    provide(Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* tempDir
      const target = `${dir}/catalog.csv`
      yield* fs.writeFileString(target, "old content\n")
      const content = Stream.make("sku;name\n", "A;x\n").pipe(Stream.concat(Stream.fail("disk on fire" as const)))
      const e = yield* Effect.flip(AtomicFile.write(target, "utf-8", false, content))
      assert.strictEqual(e, "disk on fire")
      assert.strictEqual(yield* fs.readFileString(target), "old content\n")
      assert.deepStrictEqual(yield* fs.readDirectory(dir), ["catalog.csv"])
    })))

  it.scoped("the source vanishing mid-write leaves nothing behind", () =>
    provide(Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* tempDir
      const source = `${dir}/erp.csv`
      yield* fs.writeFileString(source, "sku;name\nA;x\n")
      const catalog = yield* Catalog.open(source, { key: "sku", columns: [] })
      yield* fs.remove(source)
      const e = yield* Effect.flip(Writer.write(catalog, `${dir}/out.csv`, "full", noChanges))
      assert.strictEqual(e.reason, "NotFound")
      assert.deepStrictEqual(yield* fs.readDirectory(dir), [])
    })))
})

describe("Serialize", () => {
  it("neutralises what a spreadsheet would run, not plain numbers", () => {
    const cases: Array<[string, string]> = [
      ["=1+2", "'=1+2"],
      ["+SUM(A1)", "'+SUM(A1)"],
      ["-2+3", "'-2+3"],
      ["@cmd", "'@cmd"],
      ["\tx", "'\tx"],
      ["\r=x", "'\r=x"],
      ["-12,50", "-12,50"],
      ["+49 30 1234", "+49 30 1234"],
      ["-0.5", "-0.5"],
      ["a=b", "a=b"],
      ["'=x", "''=x"],
      ["'plain", "'plain"],
      ["'-12,50", "'-12,50"],
      ["", ""]
    ]
    assert.deepStrictEqual(cases.map(([t]) => [t, Serialize.neutralise(t)]), cases)
  })

  it("formats values like the cell they replace", () => {
    const col = (decimal: "point" | "comma"): Cell.Resolved => ({
      name: "x", type: "decimal", format: { decimal, thousands: "none" }, booleans: { true: ["true", "ja", "1"], false: ["false", "nein", "0"] }, nulls: [""], required: true, trim: true
    })
    const d = BigDecimal.unsafeFromString
    assert.strictEqual(Serialize.value(d("19.9"), col("comma"), "12,00", ".").text, "19,90")
    assert.strictEqual(Serialize.value(d("19.125"), col("comma"), "12,00", ".").text, "19,125")
    assert.strictEqual(Serialize.value(d("-3"), col("point"), "", ",").text, "-3")
    assert.strictEqual(Serialize.value(true, col("point"), "Nein", ".").text, "Ja")
    assert.strictEqual(Serialize.value(false, col("point"), "1", ".").text, "0")
    assert.strictEqual(Serialize.value(false, col("point"), "", ".").text, "false")
    assert.strictEqual(Serialize.value(null, col("point"), "x", ".").text, "")
  })

  it.scoped("write → read is the identity over random cells (quotes, delimiters, line breaks, unicode)", () =>
    provide(Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* tempDir
      const special = fc.constantFrom(",", ";", "\t", "|", "\"", "'", "\n", "\r", "\r\n", " ", "=", "ü", "€", "ʤ", "😀")
      const text = fc.string({ unit: fc.oneof(fc.string({ unit: "grapheme", minLength: 1, maxLength: 1 }), special), maxLength: 12 })
      const layout = fc.record({
        delimiter: fc.constantFrom(",", ";", "\t", "|"),
        quote: fc.constant("\""),
        lineEnding: fc.constantFrom("lf" as const, "crlf" as const, "cr" as const)
      })
      const rows = fc.array(fc.tuple(text, text, text), { minLength: 1, maxLength: 20 })
      let n = 0
      yield* Effect.promise(() =>
        fc.assert(
          fc.asyncProperty(layout, rows, async (l, rs) => {
            const path = `${dir}/p${n++}.csv`
            const body = Serialize.row(["a", "b", "c"], l) + rs.map((r) => Serialize.row(r, l)).join("")
            const back = await Effect.runPromise(
              provide(fs.writeFileString(path, body).pipe(Effect.zipRight(readRows(path, { delimiter: l.delimiter, header: true, encoding: "utf-8" }))))
            )
            assert.deepStrictEqual(back.rows.map((r) => r.cells), rs)
          }),
          { numRuns: 150 }
        )
      )
    })))
})
