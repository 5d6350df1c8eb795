/** `inspect`: the report on a file, and the CLI command's output and exit code. */
import { Command } from "@effect/cli"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as InspectCommand from "../../src/cli/InspectCommand.js"
import * as Inspect from "../../src/erp/Inspect.js"
import { demo, provide, sample } from "./support.js"

describe("Inspect", () => {
  it.effect("reports the demo catalog's dialect, columns, rows and row errors", () =>
    provide(Effect.gen(function*() {
      const r = yield* Inspect.run(demo)
      assert.deepStrictEqual(
        [r.encoding, r.delimiter, r.lineEnding, r.decimal, r.headerLine, r.rowCount, r.rowErrorCount],
        [{ name: "utf-8", bom: true, fallback: false }, ";", "crlf", "comma", 1, 206, 1]
      )
      assert.deepStrictEqual(r.rowErrors, [{ line: 171, reason: "3 fields, the header has 14" }])
      const kinds = Object.fromEntries(r.columns.map((c) => [c.name, c.kind === "decimal" ? `decimal ${c.decimal}` : c.kind]))
      assert.deepStrictEqual(kinds, {
        sku: "text", name: "text", description: "text", unit: "text", tax_rate: "decimal comma", category: "text", brand: "text",
        warranty_months: "integer", color: "text", price_eur: "decimal comma", cost_eur: "decimal comma", price_usd: "decimal comma",
        price_chf: "decimal comma", active: "boolean"
      })
      assert.deepStrictEqual(r.columns.find((c) => c.name === "price_eur")?.misfit, "12,3,4")
      const text = Inspect.render(r)
      assert.include(text, "Encoding      UTF-8 with BOM")
      assert.include(text, "line 171: 3 fields, the header has 14")
    })))

  it.effect("says when a file was read as Windows-1252 and has no header", () =>
    provide(Effect.gen(function*() {
      const r = yield* Inspect.run(sample("de_wit_a_artikel_latin1_noheader.csv"))
      assert.isTrue(r.encoding.fallback)
      assert.strictEqual(r.headerLine, null)
      assert.strictEqual(r.rowCount, 18)
      assert.include(Inspect.render(r), "WINDOWS-1252 (not valid UTF-8, read as Windows-1252)")
    })))

  const cli = Command.run(InspectCommand.command, { name: "catalog-sync", version: "test" })
  const capture = (args: ReadonlyArray<string>) =>
    Effect.gen(function*() {
      const out: Array<string> = []
      const err: Array<string> = []
      const log = console.log
      const error = console.error
      console.log = (...xs: Array<unknown>) => void out.push(xs.join(" "))
      console.error = (...xs: Array<unknown>) => void err.push(xs.join(" "))
      process.exitCode = undefined
      yield* cli(["node", "catalog-sync", ...args]).pipe(Effect.ensuring(Effect.sync(() => {
        console.log = log
        console.error = error
      })))
      const code = process.exitCode
      process.exitCode = undefined
      return { out: out.join("\n"), err: err.join("\n"), code }
    })

  it.effect("catalog-sync inspect FILE --json prints the report; overrides apply", () =>
    provide(Effect.gen(function*() {
      const { out, code } = yield* capture([sample("de_wit_a_artikel_latin1_noheader.csv"), "--json", "--encoding", "latin1", "--no-header"])
      assert.strictEqual(code, undefined)
      const report = JSON.parse(out) as Inspect.Report
      assert.deepStrictEqual(report.encoding, { name: "latin1", bom: false, fallback: false })
      assert.strictEqual(report.columns[1]?.kind, "text")
    })))

  it.effect("catalog-sync inspect names the row holding a NUL byte, and exits 1 with a clear message on a file it cannot read", () =>
    provide(Effect.gen(function*() {
      const { out, code } = yield* capture([sample("csvkit-edge/null_byte.csv")])
      assert.strictEqual(code, undefined)
      assert.include(out, `line 2: column "a": a NUL byte in "\\0"`)
      const missing = yield* capture(["/nonexistent.csv"])
      assert.strictEqual(missing.code, 1)
      assert.include(missing.err, "/nonexistent.csv: no such file")
    })))
})
