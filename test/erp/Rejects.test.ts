/** The rejects file: original rows plus a reason, in the catalog's dialect. */
import { FileSystem } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { readFileSync } from "node:fs"
import * as Catalog from "../../src/erp/Catalog.js"
import * as Rejects from "../../src/erp/Rejects.js"
import { demo, provide, readRows } from "./support.js"

describe("Rejects", () => {
  it.scoped("the demo's rejected rows, as they were, each with its line and reasons, in the demo's dialect", () =>
    provide(Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      const catalog = yield* Catalog.open(demo, { key: "sku", columns: [{ name: "price_eur", type: "decimal" }, { name: "tax_rate", type: "decimal" }] })
      const path = Rejects.pathBeside(`${dir}/state.db`, demo)
      assert.strictEqual(path, `${dir}/demo-catalog.rejects.csv`)
      const count = yield* Rejects.write(path, catalog.source, catalog.rows)
      assert.strictEqual(count, 7)
      const bytes = readFileSync(path)
      assert.deepStrictEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf])
      const lines = bytes.toString("utf8").slice(1).split("\r\n")
      assert.strictEqual(lines[0], `${readFileSync(demo, "utf8").slice(1).split("\r\n")[0]};reason`)
      assert.strictEqual(lines[6], "FUR-9003;Hansa Office Footrest;Row cut short by the export;;;;;;;;;;;;line 171: the row has 3 fields, the header has 14: it was cut short")
      const { rows, source } = yield* readRows(path)
      assert.strictEqual(source.header.names.at(-1), "reason")
      assert.deepStrictEqual(rows.map((r) => r.cells.at(-1)?.split(":")[0]), ["line 41", "line 43", "line 81", "line 121", "line 151", "line 171", "line 191"])
      assert.strictEqual(rows[3]?.cells[9], "12,3,4")
      assert.strictEqual(rows[3]?.cells.at(-1), "line 121: price_eur: \"12,3,4\" is not a number: more than one decimal separator \",\"")
    })))

  it("names the reason column so it does not clash with the file's own", () => {
    assert.strictEqual(Rejects.reasonColumn(["sku", "reason"]), "reject_reason")
  })
})
