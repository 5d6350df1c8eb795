/** Reading a catalog: the demo fixture's bad rows, key checks, file-level refusals. */
import { FileSystem } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { BigDecimal, Effect } from "effect"
import * as Catalog from "../../src/erp/Catalog.js"
import type * as Cell from "../../src/erp/Cell.js"
import { demo, provide, readCatalog } from "./support.js"

const demoColumns: ReadonlyArray<Cell.ColumnSpec> = [
  { name: "name", type: "text" },
  { name: "tax_rate", type: "decimal" },
  { name: "warranty_months", type: "integer" },
  { name: "price_eur", type: "decimal" },
  { name: "cost_eur", type: "decimal" },
  { name: "price_usd", type: "decimal" },
  { name: "price_chf", type: "decimal" },
  { name: "active", type: "boolean" }
]

/** Writes `text` to a fresh temp file and returns its path. */
const tempCsv = (text: string | Uint8Array, name = "catalog.csv") =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const dir = yield* fs.makeTempDirectoryScoped()
    const path = `${dir}/${name}`
    yield* typeof text === "string" ? fs.writeFileString(path, text) : fs.writeFile(path, text)
    return path
  })

describe("Catalog: the demo fixture", () => {
  it.effect("rejects exactly its 6 bad rows (7 lines: both rows of the duplicate), with lines and reasons", () =>
    provide(Effect.gen(function*() {
      const { catalog, good, rejected } = yield* readCatalog(demo, { key: "sku", columns: demoColumns, dialect: { decimal: "comma" } })
      assert.strictEqual(catalog.rowCount, 206)
      assert.strictEqual(good.length, 199)
      assert.deepStrictEqual(
        rejected.map((r) => [r.line, r.key ?? null, r.errors.map((e) => [e.column ?? null, e.reason])]),
        [
          [41, null, [["sku", "no key: \"sku\" is empty"]]],
          [43, "ELE-1041", [["sku", "the key \"ELE-1041\" appears 2 times (lines 43, 81): every row with it is rejected"]]],
          [81, "ELE-1041", [["sku", "the key \"ELE-1041\" appears 2 times (lines 43, 81): every row with it is rejected"]]],
          [121, "OFF-9001", [["price_eur", "\"12,3,4\" is not a number: more than one decimal separator \",\""]]],
          [151, "CAT-9002", [["tax_rate", "\"abc\" is not a number: unexpected characters"]]],
          [171, "FUR-9003", [[null, "the row has 3 fields, the header has 14: it was cut short"]]],
          [191, "OFF-9004", [["price_eur", "\"1.234\" contains \".\" but the decimal separator here is \",\"; if \".\" groups thousands, set thousands: \".\" (or fix the value)"]]]
        ]
      )
      assert.isTrue(rejected.every((r) => r.errors.every((e) => e.file === demo && e.line === r.line)))
      assert.deepStrictEqual([...catalog.duplicateKeys], [["ELE-1041", [43, 81]]])
    })))

  it.effect("types the good rows: decimal commas, integers, booleans, empty integers as null", () =>
    provide(Effect.gen(function*() {
      const { good } = yield* readCatalog(demo, { key: "sku", columns: demoColumns })
      const first = good[0]
      assert.strictEqual(first?.key, "ELE-1001")
      assert.strictEqual(first?.line, 2)
      assert.isTrue(BigDecimal.equals(first?.values.price_eur as BigDecimal.BigDecimal, BigDecimal.unsafeFromString("131.27")))
      assert.isTrue(BigDecimal.equals(first?.values.tax_rate as BigDecimal.BigDecimal, BigDecimal.unsafeFromString("19")))
      assert.strictEqual(first?.values.warranty_months, 36)
      assert.strictEqual(first?.values.active, true)
      const catering = good.find((g) => g.key.startsWith("CAT-"))
      assert.strictEqual(catering?.values.warranty_months, null)
      assert.isTrue(good.some((g) => g.values.active === false))
    })))

  it.effect("detects the decimal comma per column when the dialect does not say", () =>
    provide(Effect.gen(function*() {
      const catalog = yield* Catalog.open(demo, { key: "sku", columns: demoColumns })
      assert.deepStrictEqual(catalog.columns.filter((c) => c.type === "decimal").map((c) => c.format.decimal), ["comma", "comma", "comma", "comma", "comma"])
    })))
})

describe("Catalog: keys", () => {
  it.scoped("a key on three rows rejects all three; a missing key rejects its row; the rest go on", () =>
    provide(Effect.gen(function*() {
      const path = yield* tempCsv("sku,price\nA,1.50\nB,2.50\nA,3.50\n,4.50\nC,5.50\nA,6.50\n")
      const { good, rejected } = yield* readCatalog(path, { key: "sku", columns: [{ name: "price", type: "decimal" }] })
      assert.deepStrictEqual(good.map((g) => g.key), ["B", "C"])
      assert.deepStrictEqual(rejected.map((r) => [r.line, r.key ?? null]), [[2, "A"], [4, "A"], [5, null], [7, "A"]])
      assert.include(rejected[0]?.errors[0]?.reason ?? "", "appears 3 times (lines 2, 4, 7)")
    })))

  it.scoped("keys are compared trimmed: \" A\" and \"A\" are the same product", () =>
    provide(Effect.gen(function*() {
      const path = yield* tempCsv("sku;name\nA;x\n A ;y\n")
      const { good, rejected } = yield* readCatalog(path, { key: "sku", columns: [] })
      assert.strictEqual(good.length, 0)
      assert.strictEqual(rejected.length, 2)
    })))
})

describe("Catalog: file-level problems stop before any row", () => {
  it.effect("missing required columns are all listed, with the closest header names", () =>
    provide(Effect.gen(function*() {
      const e = yield* Effect.flip(Catalog.open(demo, {
        key: "SKU ",
        columns: [{ name: "price_euro", type: "decimal" }, { name: "tax", type: "decimal" }, { name: "colour", type: "text" }, { name: "weight", type: "decimal", required: false }]
      }))
      assert.strictEqual(e.reason, "MissingColumns")
      assert.include(e.message, "3 required columns are missing")
      assert.include(e.message, "\"price_euro\": did you mean \"price_eur\"")
      assert.include(e.message, "\"colour\": did you mean \"color\"?")
      assert.include(e.message, "\"tax\": did you mean \"tax_rate\"?")
      assert.include(e.message, "the header (line 1) has: \"sku\", \"name\"")
      assert.notInclude(e.message, "weight")
    })))

  it.scoped("an optional column the file lacks reads as null", () =>
    provide(Effect.gen(function*() {
      const path = yield* tempCsv("sku,price\nA,1\n")
      const { good } = yield* readCatalog(path, { key: "sku", columns: [{ name: "weight", type: "decimal", required: false }] })
      assert.deepStrictEqual(good[0]?.values, { sku: "A", weight: null })
    })))

  it.scoped("an empty file, a BOM alone, blank lines, a header without rows", () =>
    provide(Effect.gen(function*() {
      for (const text of ["", "\uFEFF", "\n\n  \n", "sku;price\r\n"]) {
        const path = yield* tempCsv(text)
        const e = yield* Effect.flip(Catalog.open(path, { key: "sku", columns: [] }))
        assert.strictEqual(e.reason, "Empty", JSON.stringify(text))
      }
    })))

  it.effect("a file that is not there", () =>
    provide(Effect.gen(function*() {
      const e = yield* Effect.flip(Catalog.open("/nonexistent/catalog.csv", { key: "sku", columns: [] }))
      assert.strictEqual(e.reason, "NotFound")
    })))

  it.scoped("a column whose every number could be read two ways", () =>
    provide(Effect.gen(function*() {
      const path = yield* tempCsv("sku;price\nA;1.234\nB;2.500\nC;12\n")
      const e = yield* Effect.flip(Catalog.open(path, { key: "sku", columns: [{ name: "price", type: "decimal" }] }))
      assert.strictEqual(e.reason, "AmbiguousDecimal")
      assert.include(e.message, "column \"price\": \"1.234\", \"2.500\" may use \".\" or \",\"")
      // Saying how decimals are written settles it.
      const { good } = yield* readCatalog(path, { key: "sku", columns: [{ name: "price", type: "decimal", decimal: "comma", thousands: "." }] })
      assert.deepStrictEqual(good.map((g) => BigDecimal.format(g.values.price as BigDecimal.BigDecimal)), ["1234", "2500", "12"])
    })))

  it.scoped("a header name twice", () =>
    provide(Effect.gen(function*() {
      const path = yield* tempCsv("sku,price,price\nA,1,2\n")
      const e = yield* Effect.flip(Catalog.open(path, { key: "sku", columns: [{ name: "price", type: "decimal" }] }))
      assert.strictEqual(e.reason, "DuplicateColumns")
    })))

  it.scoped("a quote that never closes", () =>
    provide(Effect.gen(function*() {
      const path = yield* tempCsv("sku,name\nA,\"open\nB,x\n")
      const e = yield* Effect.flip(Catalog.open(path, { key: "sku", columns: [] }))
      assert.strictEqual(e.reason, "Malformed")
      assert.include(e.message, "line 2: a quote opens a field that never closes")
    })))

  it.scoped("a file read as UTF-8 that holds invalid bytes and no UTF-8 character at all is refused as not UTF-8", () =>
    provide(Effect.gen(function*() {
      const head = Buffer.from(`sku,name\n${"A".repeat(10)},${"x".repeat(70_000)}\n`)
      const path = yield* tempCsv(Buffer.concat([head, Buffer.from([0x42, 0x2c, 0xfc, 0x0a])]))
      const e = yield* Effect.flip(Catalog.open(path, { key: "sku", columns: [] }))
      assert.strictEqual(e.reason, "Encoding")
      assert.include(e.message, `the file is not UTF-8: 1 bytes are not valid UTF-8 and none of its characters is; if it is Latin-1 or Windows-1252, set the encoding to "windows-1252"`)
    })))

  it.scoped("invalid UTF-8 after the detection sample, in a UTF-8 file: that row alone is rejected", () =>
    provide(Effect.gen(function*() {
      const head = Buffer.from(`sku,name\nA,Größe ${"x".repeat(70_000)}\n`)
      const path = yield* tempCsv(Buffer.concat([head, Buffer.from("B,D"), Buffer.from([0xe9]), Buffer.from("cor\nC,ok\n")]))
      const { good, rejected } = yield* readCatalog(path, { key: "sku", columns: [{ name: "name", type: "text" }] })
      assert.deepStrictEqual(good.map((g) => g.key), ["A", "C"])
      assert.deepStrictEqual(rejected.map((r) => [r.line, r.key, r.errors.map((e) => [e.column, e.reason])]), [
        [3, "B", [["name", `byte 0xE9 is not valid UTF-8 in "D\\xE9cor"`]]]
      ])
    })))
})

describe("Catalog: large files", () => {
  it.scoped("multi-byte characters across read boundaries, in UTF-8 and UTF-16", () =>
    provide(Effect.gen(function*() {
      const names = Array.from({ length: 9000 }, (_, i) => `Größe ${i} ${"äöü€😀".repeat(1 + (i % 7))}`)
      // Padding the header shifts where the 256 KiB reads cut: some cut inside a character.
      const text = (pad: number) => `sku;name${" ".repeat(pad)}\n${names.map((n, i) => `K${i};${n}`).join("\n")}\n`
      const files = [0, 1, 2, 3].map((pad) => Buffer.from(text(pad), "utf8"))
      assert.isTrue(files.some((b) => (b[256 * 1024] ?? 0) >> 6 === 0b10), "a read ends inside a character")
      for (const bytes of [...files, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text(1), "utf16le")])]) {
        assert.isAbove(bytes.length, 2 * 256 * 1024)
        const path = yield* tempCsv(bytes)
        const { good } = yield* readCatalog(path, { key: "sku", columns: [{ name: "name", type: "text" }] })
        assert.deepStrictEqual(good.map((g) => g.values.name), names)
        assert.strictEqual(good.at(-1)?.line, 9001)
      }
    })))
})

describe("Catalog: typed values", () => {
  it.scoped("booleans, NA-style nulls, thousands and text trimming", () =>
    provide(Effect.gen(function*() {
      const path = yield* tempCsv("sku;active;stock;price;note\nA;Ja;1.200;1.234,50;  hi  \nB;nein;N/A;NA;\nC;vielleicht;3;1,5;x\n")
      const { good, rejected } = yield* readCatalog(path, {
        key: "sku",
        columns: [
          { name: "active", type: "boolean" },
          { name: "stock", type: "integer", decimal: "comma", thousands: "." },
          { name: "price", type: "decimal" },
          { name: "note", type: "text" }
        ]
      })
      assert.strictEqual(good[0]?.values.active, true)
      assert.strictEqual(good[0]?.values.stock, 1200)
      assert.strictEqual(BigDecimal.format(good[0]?.values.price as BigDecimal.BigDecimal), "1234.5")
      assert.strictEqual(good[0]?.values.note, "hi")
      assert.deepStrictEqual(good[1]?.values, { sku: "B", active: false, stock: null, price: null, note: null })
      assert.deepStrictEqual(rejected.map((r) => [r.line, r.errors.map((e) => e.column)]), [[4, ["active"]]])
      assert.include(rejected[0]?.errors[0]?.reason ?? "", "\"vielleicht\" is not a yes/no value")
    })))
})

describe("Catalog: the key pass (hashed keys, exact check of colliding ones)", () => {
  /** The duplicates as the plain Map-of-every-key algorithm finds them: the oracle. */
  const naive = (keys: ReadonlyArray<string>, firstLine: number) => {
    const first = new Map<string, number>()
    const dups = new Map<string, Array<number>>()
    keys.forEach((raw, i) => {
      const key = raw.trim()
      const line = firstLine + i
      if (key === "") return
      const seen = first.get(key)
      if (seen === undefined) first.set(key, line)
      else {
        const lines = dups.get(key)
        if (lines === undefined) dups.set(key, [seen, line])
        else lines.push(line)
      }
    })
    return [...dups]
  }

  it.effect("finds the same duplicates, lines and order as a Map of every key, over several reads and thousands of rows", () =>
    provide(Effect.scoped(Effect.gen(function*() {
      let seed = 7
      const rand = (n: number) => (seed = (seed * 1103515245 + 12345) % 2147483648) % n
      // 6000 rows (more than one 64 KiB read, more than the hash array's first size); a few
      // keys repeat, some with white space around them, some rows have no key.
      const keys = Array.from({ length: 6000 }, (_, i) => {
        const r = rand(1000)
        return r < 4 ? `K-${rand(50)}` : r < 6 ? ` K-${rand(50)} ` : r < 8 ? "" : `K-${i + 100}`
      })
      const text = `sku;name\n${keys.map((k, i) => `${k};Product ${i} with a longer name to fill the reads`).join("\n")}\n`
      const file = yield* tempCsv(text)
      const { catalog, rejected } = yield* readCatalog(file, { key: "sku", columns: [{ name: "name", type: "text" }] })
      const expected = naive(keys, 2)
      assert.isAbove(expected.length, 3)
      assert.strictEqual(catalog.rowCount, 6000)
      assert.deepStrictEqual([...catalog.duplicateKeys], expected)
      const duplicated = new Set(expected.flatMap(([, lines]) => lines))
      const empty = keys.flatMap((k, i) => (k.trim() === "" ? [i + 2] : []))
      assert.deepStrictEqual(rejected.map((r) => r.line), [...duplicated, ...empty].sort((a, b) => a - b))
    }))))

  it.effect("no duplicates: an empty map, every keyed row good", () =>
    provide(Effect.scoped(Effect.gen(function*() {
      const file = yield* tempCsv(`sku;name\n${Array.from({ length: 3000 }, (_, i) => `S${i};n`).join("\r\n")}\r\n`)
      const { catalog, good } = yield* readCatalog(file, { key: "sku", columns: [{ name: "name", type: "text" }] })
      assert.strictEqual(catalog.duplicateKeys.size, 0)
      assert.strictEqual(good.length, 3000)
    }))))
})
