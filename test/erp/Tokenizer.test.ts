/** The tokenizer against csv-parse (the oracle), and its independence from chunk boundaries. */
import { assert, describe, it } from "@effect/vitest"
import { parse } from "csv-parse/sync"
import { stringify } from "csv-stringify/sync"
import fc from "fast-check"
import * as Tokenizer from "../../src/erp/Tokenizer.js"

const tokenize = (text: string, cuts: ReadonlyArray<number>, options: Tokenizer.Options = { delimiter: ",", quote: "\"" }) => {
  const t = Tokenizer.make(options)
  const out: Array<Tokenizer.Record> = []
  let at = 0
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    t.push(text.slice(at, Math.max(at, cut)), out)
    at = Math.max(at, cut)
  }
  t.push(text.slice(at), out)
  const unclosed = t.end(out)
  return { records: out, unclosed }
}

const cell = fc.string({ unit: fc.oneof(fc.constantFrom(",", "\"", "\n", "\r\n", " ", "ä", "😀"), fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 1 })), maxLength: 8 })

describe("Tokenizer", () => {
  it("reads what csv-stringify writes exactly as csv-parse does, wherever the chunks are cut", () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(cell, { minLength: 2, maxLength: 4 }), { minLength: 1, maxLength: 12 }),
        fc.constantFrom("\n", "\r\n", "\r"),
        fc.array(fc.nat(400), { maxLength: 6 }),
        (rows, eol, cuts) => {
          // We end records at any of LF, CRLF and CR, so every cell holding one must be quoted.
          const text = stringify(rows, { record_delimiter: eol === "\n" ? "unix" : eol === "\r\n" ? "windows" : "mac", quoted_match: /[\r\n]/ })
          const expected = parse(text, { relax_column_count: true, record_delimiter: eol }) as Array<Array<string>>
          const { records, unclosed } = tokenize(text, cuts)
          assert.isUndefined(unclosed)
          assert.deepStrictEqual(records.map((r) => r.cells), expected)
          assert.strictEqual(records.map((r) => r.raw).join(""), text)
        }
      ),
      { numRuns: 300 }
    )
  })

  it("gives the same records for any text however it is cut into chunks", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom("a", ";", "\"", "\n", "\r", " "), maxLength: 40 }), fc.array(fc.nat(40), { maxLength: 5 }), (text, cuts) => {
        const options = { delimiter: ";", quote: "\"", skipLines: 1 }
        assert.deepStrictEqual(tokenize(text, cuts, options), tokenize(text, [], options))
      }),
      { numRuns: 500 }
    )
  })

  it("numbers records by the physical line they start on, across LF, CRLF, CR and quoted breaks", () => {
    const { records } = tokenize("h1,h2\r\n\r\na,\"x\ny\rz\"\rb,c\n\nd,e", [7, 12])
    assert.deepStrictEqual(records.map((r) => [r.line, r.cells]), [[1, ["h1", "h2"]], [3, ["a", "x\ny\rz"]], [6, ["b", "c"]], [8, ["d", "e"]]])
  })

  it("keeps skipped preamble lines and flags text after a closing quote", () => {
    const t = Tokenizer.make({ delimiter: ";", quote: "\"", skipLines: 2 })
    const out: Array<Tokenizer.Record> = []
    t.push("Export 2026-11-27\r\nStand: heute\r\nsku;name\r\n\"A\"x;y\r\n", out)
    t.end(out)
    assert.strictEqual(t.skipped(), "Export 2026-11-27\r\nStand: heute\r\n")
    assert.deepStrictEqual(out.map((r) => [r.line, r.cells, r.problem]), [[3, ["sku", "name"], undefined], [4, ["Ax", "y"], "text after a closing quote in field 1"]])
  })

  it("reports a quote that never closes, with the line it opened on", () => {
    assert.deepStrictEqual(tokenize("a,b\n1,\"open\n2,3\n", [5]).unclosed, { _tag: "Unclosed", line: 2 })
  })
})
