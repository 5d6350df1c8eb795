/**
 * The CSV catalog source behind the catalog-source port: its columns, a read typed for a mapping,
 * the rejects file, and the write-back's upsert — a key on a product row is patched in place, any
 * other key (absent, or only on a row that is not a product) is a new row in key order, a key the
 * file holds twice is not applied; a patch with nothing in it is the header alone.
 */
import { FileSystem } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { BigDecimal, Chunk, Effect, Stream } from "effect"
import { readFileSync } from "node:fs"
import type { ResolvedConfig } from "../../src/config/SyncConfig.js"
import * as CsvSource from "../../src/erp/CsvSource.js"
import { provide } from "./support.js"

const erpOf = (dir: string, mode: "patch" | "full", dialect: ResolvedConfig["erp"]["dialect"] = {}): ResolvedConfig["erp"] => ({
  path: `${dir}/catalog.csv`,
  dialect,
  writeBack: { path: `${dir}/out/changes.csv`, mode, unencodable: "refuse" }
})

const csv = [
  "sku;kind;name;price",
  "A1;product;Chair;10,50",
  "A2;product;Table;99,00",
  "V1;variant;Chair blue;11,00",
  "D1;product;Lamp;5,00",
  "D1;product;Lamp again;6,00",
  "B1;product;;oops",
  ""
].join("\r\n")

const setup = (mode: "patch" | "full") =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const dir = yield* fs.makeTempDirectoryScoped()
    yield* fs.writeFileString(`${dir}/catalog.csv`, csv)
    const erp = erpOf(dir, mode)
    const source = yield* CsvSource.make(erp, `${dir}/state/state.db`)
    const read = yield* source.open({
      key: "sku",
      columns: [{ name: "name", type: "text" }, { name: "price", type: "decimal" }],
      where: [{ column: "kind", values: ["product"] }]
    })
    return { dir, erp, source, read }
  })

describe("CsvSource", () => {
  it.scoped("describes the file, reads typed rows with their lines and reasons, and writes the rejects beside the state", () =>
    provide(Effect.gen(function*() {
      const { dir, source, read } = yield* setup("patch")
      assert.deepStrictEqual(yield* source.columns, ["sku", "kind", "name", "price"])
      assert.strictEqual(source.location, `${dir}/catalog.csv`)
      assert.strictEqual(read.decimalOf("price"), "comma")
      assert.deepStrictEqual(read.skipped, ["1 rows left out by the mapping's rows.where"])
      const items = Chunk.toReadonlyArray(yield* Stream.runCollect(read.rows))
      const good = items.flatMap((i) => (i._tag === "Good" ? [[i.line, i.key, i.values["name"], BigDecimal.format(i.values["price"] as BigDecimal.BigDecimal)]] : []))
      assert.deepStrictEqual(good, [[2, "A1", "Chair", "10.5"], [3, "A2", "Table", "99"]])
      const rejected = items.filter((i) => i._tag === "Rejected")
      assert.deepStrictEqual(rejected.map((r) => [r.line, r.key]), [[5, "D1"], [6, "D1"], [7, "B1"]])
      const path = yield* read.writeRejects(rejected)
      assert.strictEqual(path, `${dir}/state/catalog.rejects.csv`)
      const lines = readFileSync(path, "utf8").split("\r\n")
      assert.strictEqual(lines[0], "sku;kind;name;price;reason")
      assert.match(lines[3] ?? "", /^B1;product;;oops;"line 7: price: ""oops"" /)
    })))

  it.scoped("write-back upsert: in place on product rows, new rows in key order, a doubled key not applied; a patch with nothing is the header", () =>
    provide(Effect.gen(function*() {
      const { erp, read } = yield* setup("patch")
      assert.strictEqual(yield* read.writeBack(new Map()), undefined) // nothing pending, no earlier write-back
      const summary = yield* read.writeBack(new Map([
        ["Z9", { name: "New last" }],
        ["A2", { price: BigDecimal.unsafeFromString("89.5") }],
        ["V1", { name: "Only a variant row has it" }],
        ["D1", { name: "Doubled" }],
        ["C3", { name: "New first" }]
      ]))
      assert.deepStrictEqual([summary?.updated, summary?.created, summary?.notApplied], [1, 3, ["D1"]])
      assert.deepStrictEqual(readFileSync(erp.writeBack.path, "utf8").split("\r\n"), ["sku;name;price", "A2;Table;89,50", "C3;New first;", "V1;Only a variant row has it;", "Z9;New last;", ""])
      const empty = yield* read.writeBack(new Map())
      assert.deepStrictEqual([empty?.rows, readFileSync(erp.writeBack.path, "utf8")], [0, "sku\r\n"])
    })))

  it.scoped("a full write-back copies every line and patches the product rows", () =>
    provide(Effect.gen(function*() {
      const { erp, read } = yield* setup("full")
      yield* read.writeBack(new Map([["A1", { name: "Chair (new)" }]]))
      assert.strictEqual(readFileSync(erp.writeBack.path, "utf8"), csv.replace("A1;product;Chair;", "A1;product;Chair (new);"))
    })))
})
