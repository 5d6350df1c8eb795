/** Formula neutralisation and its inverse: what the write-back writes reads back as the same value. */
import { FileSystem } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import fc from "fast-check"
import * as Catalog from "../../src/erp/Catalog.js"
import type * as Cell from "../../src/erp/Cell.js"
import * as Formula from "../../src/erp/Formula.js"
import * as Writer from "../../src/erp/Writer.js"
import { provide } from "./support.js"

/** Text that looks like a formula, possibly behind apostrophes the value itself holds. */
const formulaLike = fc
  .tuple(fc.constantFrom("", "'", "''"), fc.constantFrom("=", "+", "-", "@", "\t", "\r", "'"), fc.string({ maxLength: 12 }))
  .map(([quotes, start, rest]) => quotes + start + rest)

describe("Formula", () => {
  it("restore(neutralise(x)) = x: every formula-looking value and any text", () => {
    fc.assert(fc.property(fc.oneof(formulaLike, fc.string({ maxLength: 20 })), (x) => Formula.restore(Formula.neutralise(x)) === x), { numRuns: 5000 })
  })

  it("reads a cell: one ' before what the writer quotes is dropped, any other cell is kept", () => {
    const cases: Array<[string, string]> = [
      ["'=HYPERLINK(\"http://x\",\"y\")", "=HYPERLINK(\"http://x\",\"y\")"],
      ["'+SUM(A1)", "+SUM(A1)"],
      ["'-minus", "-minus"],
      ["'@cmd", "@cmd"],
      ["''=x", "'=x"],
      ["'''=x", "''=x"],
      ["'-12,50", "'-12,50"], // a plain number is never quoted, so this ' is the ERP's own
      ["'plain", "'plain"],
      ["'", "'"],
      ["=x", "=x"],
      ["", ""]
    ]
    assert.deepStrictEqual(cases.map(([c]) => [c, Formula.restore(c)]), cases)
  })

  it("reads text cells and keys through the writer's quoting: write → read is the value", () =>
    provide(Effect.scoped(Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      const source = `${dir}/c.csv`
      yield* fs.writeFileString(source, "sku,description\nA1,old\n")
      const values = ["=HYPERLINK(\"http://x\",\"y\")", "'=SUM(A1)", "''@x", "-minus", "'-12,50", "-12,50", "+49 30 1234", "'plain"]
      const catalog = yield* Catalog.open(source, { key: "sku", columns: [{ name: "description", type: "text" }] })
      const out = `${dir}/out.csv`
      yield* Writer.write(catalog, out, "full", {
        updates: new Map([["A1", { description: values[0]! }]]),
        creates: values.map((v, i) => ({ key: i === 0 ? "=K" : `B${i}`, values: { description: v } }))
      })
      const back = yield* Catalog.open(out, { key: "sku", columns: [{ name: "description", type: "text" }] })
      const read: Array<[string, Cell.Value | undefined]> = []
      yield* Stream.runForEach(back.rows, (item) => Effect.sync(() => void (item._tag === "Good" && read.push([item.key, item.values["description"]]))))
      assert.deepStrictEqual(read, [["A1", values[0]!], ["=K", values[0]!], ...values.slice(1).map((v, i) => [`B${i + 1}`, v] as [string, string])])
    }))))
})
