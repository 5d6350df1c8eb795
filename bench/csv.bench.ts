// `npm run bench -- csv`: reads a generated 1M-row ERP catalog (semicolons, decimal commas, UTF-8
// BOM, CRLF, 10 columns) three ways, each in its own child process so that each peak RSS is its
// own: plain csv-parse streaming (the baseline), our Reader with every column typed (one pass), and
// Catalog (header check, decimal detection, the key pass and the typed pass). Prints time, peak
// RSS and the ratio to csv-parse. Goal: reader ≤ 1.0× csv-parse's time, < 200 MB peak RSS — on a
// clean file, and on a UTF-8 file with umlauts whose rows from the 10th on hold, every 50,000 rows, a
// byte that is not UTF-8 (so the per-row check for damaged bytes runs over nearly the whole file, and
// Catalog rejects exactly those rows).
import { NodeFileSystem } from "@effect/platform-node"
import { parse } from "csv-parse"
import { Chunk, Effect, Stream } from "effect"
import { spawnSync } from "node:child_process"
import { createReadStream, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import * as Catalog from "../src/erp/Catalog.js"
import * as Cell from "../src/erp/Cell.js"
import * as Reader from "../src/erp/Reader.js"

const ROWS = Number(process.env.CSV_BENCH_ROWS ?? 1_000_000)
const columns: ReadonlyArray<Cell.ColumnSpec> = [
  { name: "name", type: "text" },
  { name: "description", type: "text" },
  { name: "unit", type: "text" },
  { name: "tax_rate", type: "decimal" },
  { name: "category", type: "text" },
  { name: "warranty_months", type: "integer" },
  { name: "price_eur", type: "decimal" },
  { name: "cost_eur", type: "decimal" },
  { name: "active", type: "boolean" }
]

/** Rows holding a byte that is not UTF-8 in the damaged file: the 10th, then every 50,000th. */
const damagedRow = (i: number) => i === 10 || i % 50_000 === 0

const generate = (file: string, damaged: boolean) => {
  const units = ["pcs", "box", "pack", "kg"]
  const cats = ["Office", "Electronics", "Furniture", "Catering"]
  const parts: Array<Buffer> = [Buffer.from("\uFEFFsku;name;description;unit;tax_rate;category;warranty_months;price_eur;cost_eur;active\r\n")]
  let seed = 42
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648
  const comma = (n: number) => n.toFixed(2).replace(".", ",")
  let size = 0
  const flush = () => {
    writeFileSync(file, Buffer.concat(parts), { flag: size === 0 ? "w" : "a" })
    size++
    parts.length = 0
  }
  for (let i = 1; i <= ROWS; i++) {
    const price = 5 + rand() * 900
    const quoted = i % 7 === 0
    const desc = quoted ? `"Ergonomic; adjustable ""Pro"" model ${i}"` : damaged ? `Zuverlässiges Produkt ${i}, Größe ` : `Reliable product number ${i} for daily use`
    const head = Buffer.from(`SKU-${String(i).padStart(7, "0")};Product ${i};${desc}`)
    // A damaged row's description ends in 0xE9, Latin-1 for "é": not UTF-8.
    const size = !damaged || quoted ? [] : [damagedRow(i) ? Buffer.of(0xe9) : Buffer.from("M")]
    const tail = Buffer.from(`;${units[i % 4]};${i % 4 === 3 ? "7,00" : "19,00"};${cats[i % 4]};${i % 4 === 3 ? "" : String(12 * (1 + (i % 3)))};${comma(price)};${comma(price * 0.55)};${i % 25 === 0 ? "0" : "1"}\r\n`)
    parts.push(head, ...size, tail)
    if (parts.length >= 150_000) flush()
  }
  flush()
}

/** Samples RSS every 5 ms while `run` runs; returns its result, the time and the peak. */
const measure = async (run: () => Promise<number>) => {
  let peak = process.memoryUsage().rss
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss)
  }, 5)
  const t0 = performance.now()
  const rows = await run()
  const ms = performance.now() - t0
  clearInterval(timer)
  peak = Math.max(peak, process.memoryUsage().rss)
  return { rows, ms, peakMb: peak / 1024 / 1024 }
}

const csvParse = async (file: string) => {
  let rows = 0
  const parser = createReadStream(file, { highWaterMark: 256 * 1024 }).pipe(parse({ delimiter: ";", bom: true, relax_column_count: true }))
  for await (const _ of parser) rows++
  return rows - 1
}

const readerTyped = (file: string, capturing = false) =>
  Effect.runPromise(
    Effect.gen(function*() {
      const source = yield* Reader.open(file)
      const parsers = columns.map((c) => {
        const at = source.header.names.indexOf(c.name)
        const format: Cell.NumberFormat = { decimal: c.type === "decimal" || c.type === "integer" ? "comma" : "point", thousands: "none" }
        return { at, parse: Cell.parser(Cell.resolve(c, format)) }
      })
      let rows = 0
      let invalid = 0
      const typeRows = (chunk: Chunk.Chunk<Reader.Row>) => {
        for (const row of chunk) {
          rows++
          const values: Array<Cell.Value> = []
          for (const p of parsers) {
            const v = p.parse(row.cells[p.at] ?? "")
            if (v instanceof Cell.Invalid) invalid++
            else values.push(v)
          }
        }
      }
      // The per-chunk work runs in the callback, which returns the shared `Effect.void`; the
      // `capturing` variant returns a fresh `Effect.sync` closing over the chunk, the common idiom,
      // which makes runForEachChunk promote every chunk before it dies (docs/performance.md).
      yield* capturing
        ? Stream.runForEachChunk(source.rows, (chunk) => Effect.sync(() => typeRows(chunk)))
        : Stream.runForEachChunk(source.rows, (chunk) => {
          typeRows(chunk)
          return Effect.void
        })
      if (invalid > 0) throw new Error(`${invalid} invalid cells`)
      return rows
    }).pipe(Effect.provide(NodeFileSystem.layer))
  )

const catalog = (file: string) =>
  Effect.runPromise(
    Effect.gen(function*() {
      const c = yield* Catalog.open(file, { key: "sku", columns })
      let good = 0
      let rejected = 0
      yield* Stream.runForEachChunk(c.rows, (chunk) => {
        for (const i of chunk) {
          if (i._tag === "Good") good++
          else rejected++
        }
        return Effect.void
      })
      const expected = file.includes("damaged") ? Array.from({ length: ROWS }, (_, i) => i + 1).filter((i) => i % 7 !== 0 && damagedRow(i)).length : 0
      if (rejected !== expected) throw new Error(`${rejected} rows rejected, expected ${expected}`)
      return good + rejected
    }).pipe(Effect.provide(NodeFileSystem.layer))
  )

const modes = {
  "csv-parse": csvParse,
  "reader + typed cells": (file: string) => readerTyped(file),
  "reader + typed, capturing consumer": (file: string) => readerTyped(file, true),
  "Catalog (key pass + typed pass)": catalog
} as const
type Mode = keyof typeof modes

const [, , childMode, childFile] = process.argv
if (childMode !== undefined && childFile !== undefined) {
  // A child: one measurement, printed as JSON.
  const result = await measure(() => modes[childMode as Mode](childFile))
  console.log(JSON.stringify(result))
} else {
  const dir = mkdtempSync(join(tmpdir(), "csv-bench-"))
  try {
    for (const [name, damaged] of [["catalog.csv", false], ["damaged.csv", true]] as const) {
      const file = join(dir, name)
      generate(file, damaged)
      const mb = statSync(file).size / 1024 / 1024
      console.log(`\n${damaged ? "damaged UTF-8" : "clean"} catalog: ${ROWS.toLocaleString("en")} rows, ${mb.toFixed(1)} MB (semicolon, decimal comma, UTF-8 BOM, CRLF, 10 columns${damaged ? "; umlauts, a byte that is not UTF-8 on row 10 and every 50,000th" : ""})`)
      const jiti = fileURLToPath(new URL("../node_modules/jiti/lib/jiti-cli.mjs", import.meta.url))
      const self = fileURLToPath(import.meta.url)
      const results = new Map<Mode, { rows: number; ms: number; peakMb: number }>()
      for (const mode of Object.keys(modes) as Array<Mode>) {
        const r = spawnSync(process.execPath, [jiti, self, mode, file], { encoding: "utf8" })
        if (r.status !== 0) throw new Error(`${mode} failed:\n${r.stderr}`)
        const result = JSON.parse(r.stdout.trim().split("\n").at(-1) ?? "{}") as { rows: number; ms: number; peakMb: number }
        results.set(mode, result)
      }
      const base = results.get("csv-parse") as { ms: number }
      console.log(`${"".padEnd(38)}${"rows".padStart(10)}${"time".padStart(10)}${"MB/s".padStart(8)}${"peak RSS".padStart(11)}${"vs csv-parse".padStart(14)}`)
      for (const [mode, r] of results) {
        console.log(
          `${mode.padEnd(38)}${String(r.rows).padStart(10)}${`${(r.ms / 1000).toFixed(2)} s`.padStart(10)}${(mb / (r.ms / 1000)).toFixed(0).padStart(8)}${`${r.peakMb.toFixed(0)} MB`.padStart(11)}${`${(r.ms / base.ms).toFixed(2)}×`.padStart(14)}`
        )
      }
      const reader = results.get("reader + typed cells") as { ms: number; peakMb: number }
      console.log(`goal: reader ≤ 1.0× csv-parse (${(reader.ms / base.ms).toFixed(2)}×) and < 200 MB peak RSS (${reader.peakMb.toFixed(0)} MB): ${reader.ms / base.ms <= 1.0 && reader.peakMb < 200 ? "met" : "NOT met"}`)
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
