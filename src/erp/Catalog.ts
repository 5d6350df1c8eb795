/**
 * Reading an ERP catalog: the CSV rows typed by column specs, keyed by one column. File-level
 * problems (a missing or doubled column, an ambiguous decimal column, no rows) fail `open` before
 * any row is handed out. Row-level problems reject the row with every reason found; a key that is
 * missing or appears more than once rejects every row that carries it. The key check needs the
 * whole file, so `open` makes one pass that keeps only a hash of each key (and, when two hashes
 * meet, one more over those keys' text), and `rows` another that streams the typed rows — never
 * the whole file in memory.
 */
import type { FileSystem } from "@effect/platform"
import { Chunk, Effect, Stream } from "effect"
import * as Suggest from "../domain/Suggest.js"
import type * as CatalogSource from "../source/CatalogSource.js"
import * as Cell from "./Cell.js"
import type * as Dialect from "./Dialect.js"
import * as Encoding from "./Encoding.js"
import * as FileError from "./FileError.js"
import * as Formula from "./Formula.js"
import * as Reader from "./Reader.js"
import * as RowError from "../source/RowError.js"

export interface Options {
  /** The key column's name. */
  readonly key: string
  /** The columns to type; the key may be among them (as text) or not. */
  readonly columns: ReadonlyArray<Cell.ColumnSpec>
  readonly dialect?: Dialect.Input
  /** Rows sampled to detect each decimal column's style (default 2000). */
  readonly sampleRows?: number
  /**
   * Only the rows whose cell in each of these columns is one of its values (trimmed, exact) are
   * products; the others are skipped and counted (`filteredRows`) — for files whose keys repeat by
   * design, such as one row per customer group and quantity tier.
   */
  readonly where?: ReadonlyArray<{ readonly column: string; readonly values: ReadonlyArray<string> }>
  /** A key on several rows: reject every one of them (the default), or keep the first or the last. */
  readonly duplicates?: "reject" | "first" | "last"
}

export interface Column extends Cell.Resolved {
  /** The column's position in the file; -1 for an optional column the file does not have. */
  readonly index: number
}

/** A product row, typed (the port's `Good`); a rejected row with every reason (`Rejected`). */
export type Good = CatalogSource.Good
export type Rejected = CatalogSource.Rejected
export type Item = CatalogSource.Item

export interface Catalog {
  readonly source: Reader.Source
  readonly key: Column
  readonly columns: ReadonlyArray<Column>
  /** Data rows in the file (good and rejected). */
  readonly rowCount: number
  /** Rows with no value in any cell, skipped (not counted in `rowCount`). */
  readonly blankRows: number
  /**
   * Lines after the last row with a key that have no key themselves (footnotes, totals): skipped,
   * not counted in `rowCount`, for the caller to report.
   */
  readonly trailingLines: ReadonlyArray<number>
  /** Rows left out by `where`, not counted in `rowCount`. */
  readonly filteredRows: number
  /** Rows left out because another row with the key was kept (`duplicates: "first" | "last"`). */
  readonly droppedDuplicates: number
  /** Keys that appear on more than one row, with their lines. */
  readonly duplicateKeys: ReadonlyMap<string, ReadonlyArray<number>>
  /** Every data row, typed or rejected, in file order; read afresh from the file each run. */
  readonly rows: Stream.Stream<Item, FileError.CsvFileError>
  /** Whether a row of the file is a product row (not empty, not after the data, not filtered or dropped). */
  readonly isProduct: (row: Reader.Row) => boolean
}

const show = (s: string) => JSON.stringify(s)

/** The position of `name` among the header names: exact, else the one case-insensitive match. */
const indexOf = (names: ReadonlyArray<string>, name: string): number | "duplicate" => {
  const exact = names.flatMap((n, i) => (n === name ? [i] : []))
  if (exact.length > 1) return "duplicate"
  if (exact.length === 1) return exact[0] as number
  const loose = names.flatMap((n, i) => (n.toLowerCase() === name.trim().toLowerCase() ? [i] : []))
  return loose.length === 1 ? (loose[0] as number) : loose.length > 1 ? "duplicate" : -1
}

const locate = (source: Reader.Source, specs: ReadonlyArray<Cell.ColumnSpec>) => {
  const names = source.header.names
  const missing: Array<string> = []
  const doubled: Array<string> = []
  const found = specs.map((spec) => {
    const at = indexOf(names, spec.name)
    if (at === "duplicate") doubled.push(spec.name)
    else if (at === -1 && (spec.required ?? true)) missing.push(spec.name)
    return { spec, index: typeof at === "number" ? at : -1 }
  })
  const file = source.file
  if (doubled.length > 0) {
    return Effect.fail(
      FileError.make(file, "DuplicateColumns", `${doubled.map((d) => `column ${show(d)} appears more than once in the header`).join("; ")}; rename one of them in the export or in the header setting`)
    )
  }
  if (missing.length > 0) {
    const lines = missing.map((m) => {
      const hint = Suggest.didYouMean(m, names.filter((n) => n !== ""))
      return `  - ${show(m)}${hint === "" ? "" : `: ${hint}`}`
    })
    const where = source.header.line === 0 ? "the file has no header row; its columns are" : `the header (line ${source.header.line}) has`
    return Effect.fail(
      FileError.make(
        file,
        "MissingColumns",
        `${missing.length === 1 ? "a required column is" : `${missing.length} required columns are`} missing:\n${lines.join("\n")}\n${where}: ${names.map(show).join(", ")}`
      )
    )
  }
  return Effect.succeed(found)
}

/** Decides the number format of each numeric column: its own setting, the file's, else detected over a sample. */
const formats = (
  source: Reader.Source,
  found: ReadonlyArray<{ readonly spec: Cell.ColumnSpec; readonly index: number }>,
  sampleRows: number
): Effect.Effect<Array<Cell.NumberFormat>, FileError.CsvFileError> =>
  Effect.gen(function*() {
    const dialect = source.dialect
    const configured = found.map(({ spec }) => ({
      decimal: spec.decimal ?? dialect.decimal,
      thousands: spec.thousands ?? dialect.thousands
    }))
    const toDetect = found.flatMap(({ spec, index }, i) =>
      spec.type === "decimal" && index >= 0 && configured[i]?.decimal === "auto" ? [{ i, index, detector: Cell.detector() }] : []
    )
    if (toDetect.length > 0) {
      yield* eachRow(Stream.take(source.rows, sampleRows), (row) => {
        for (const d of toDetect) {
          const cell = row.cells[d.index]
          if (cell !== undefined) d.detector.add(cell)
        }
      })
    }
    const problems: Array<string> = []
    const result = configured.map((c): Cell.NumberFormat => ({
      decimal: c.decimal,
      thousands: c.thousands ?? "none"
    }))
    for (const d of toDetect) {
      const name = found[d.i]?.spec.name ?? ""
      const r = d.detector.result()
      if (r._tag === "Mixed") {
        // Each value says its own style (21454.58 beside 962,04): read value by value, and reject
        // the rows whose value could be either (1.234) rather than guess.
        result[d.i] = { decimal: "auto", thousands: "none" }
      } else if (r._tag === "Ambiguous") {
        problems.push(`column ${show(name)}: ${r.examples.map(show).join(", ")} may use "." or "," as a decimal or as a thousands separator`)
      } else {
        result[d.i] = { decimal: r.format.decimal, thousands: configured[d.i]?.thousands ?? r.format.thousands }
      }
    }
    if (problems.length > 0) {
      return yield* Effect.fail(
        FileError.make(source.file, "AmbiguousDecimal", `cannot tell how decimals are written: ${problems.join("; ")}. Set the decimal style ("point" or "comma") for the column in the mapping, or for the file in erp.dialect.decimal`)
      )
    }
    return result
  })

/**
 * A 53-bit hash of a key (two 32-bit FNV-1a variants), exact in a double. The key pass keeps only
 * these, not the key strings: 8 bytes a row instead of a `Map` entry and a string.
 */
const keyHash = (key: string): number => {
  let a = 0x811c9dc5
  let b = 0x9747b28c
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i)
    a = Math.imul(a ^ c, 0x01000193)
    b = Math.imul(b ^ c, 0x5bd1e995)
    b ^= b >>> 15
  }
  return (a >>> 0) * 2097152 + (b >>> 11)
}

/** A row's key: its key cell trimmed, with the write-back's formula `'` undone (see `Formula`). */
export const keyOf = (cells: ReadonlyArray<string>, keyIndex: number): string => Formula.restore(cells[keyIndex]?.trim() ?? "")

const trimmedKey = (row: Reader.Row, keyIndex: number): string => keyOf(row.cells, keyIndex)

/**
 * Runs `f` over every row, synchronously inside the per-chunk callback. Returning a shared
 * `Effect.void` instead of a fresh `Effect.sync` that captures the chunk matters for memory: with
 * the capturing form, `Stream.runForEachChunk` let every chunk be promoted to the old generation
 * before it died (see docs/performance.md, "CSV reader").
 */
const eachRow = <E>(rows: Stream.Stream<Reader.Row, E>, f: (row: Reader.Row) => void): Effect.Effect<void, E> =>
  Stream.runForEachChunk(rows, (chunk) => {
    for (const row of chunk) f(row)
    return Effect.void
  })

/**
 * The keys only: how many rows, and which keys appear more than once (with every line, in file
 * order). One pass hashes the keys into a growing `Float64Array`; sorting it finds the hashes seen
 * twice. Only when there are any does a second pass compare those keys' real text, so hash
 * collisions never make a duplicate and the result is exact.
 */
const scanKeys = (source: Reader.Source, keyIndex: number, wanted: (row: Reader.Row) => boolean) =>
  Effect.gen(function*() {
    let hashes = new Float64Array(1024)
    let count = 0
    let rows = 0
    let blank = 0
    let filtered = 0
    let lastKeyed = 0
    let unkeyed: Array<number> = []
    yield* eachRow(source.rows, (row) => {
      if (Reader.isBlank(row)) {
        blank++
        return
      }
      if (!wanted(row)) {
        filtered++
        return
      }
      rows++
      const key = trimmedKey(row, keyIndex)
      if (key === "") {
        unkeyed.push(row.line)
        return
      }
      if (unkeyed.length > 0) unkeyed = []
      lastKeyed = row.line
      if (count === hashes.length) {
        const bigger = new Float64Array(hashes.length * 2)
        bigger.set(hashes)
        hashes = bigger
      }
      hashes[count++] = keyHash(key)
    })
    const sorted = hashes.subarray(0, count).sort()
    const candidates = new Set<number>()
    for (let i = 1; i < count; i++) if (sorted[i] === sorted[i - 1]) candidates.add(sorted[i] as number)
    hashes = new Float64Array(0)
    const duplicates = new Map<string, Array<number>>()
    if (candidates.size > 0) {
      const first = new Map<string, number>()
      yield* eachRow(source.rows, (row) => {
        const key = trimmedKey(row, keyIndex)
        if (key === "" || !candidates.has(keyHash(key)) || !wanted(row)) return
        const seen = first.get(key)
        if (seen === undefined) first.set(key, row.line)
        else {
          const lines = duplicates.get(key)
          if (lines === undefined) duplicates.set(key, [seen, row.line])
          else lines.push(row.line)
        }
      })
    }
    // Unkeyed lines after the last keyed one are footnotes — unless no line has a key at all.
    const trailing = lastKeyed === 0 ? [] : unkeyed
    return { rows: rows - trailing.length, blank, filtered, lastKeyed, trailing, duplicates: duplicates as ReadonlyMap<string, ReadonlyArray<number>> }
  })

/** The `where` filter as a row predicate; a column it names must be in the file. */
const rowFilter = (source: Reader.Source, where: NonNullable<Options["where"]>) =>
  Effect.map(locate(source, where.map((w) => ({ name: w.column, type: "text" as const }))), (found) => {
    const tests = found.map(({ index }, i) => ({ index, values: new Set((where[i] as (typeof where)[number]).values.map((v) => v.trim())) }))
    return tests.length === 0 ? () => true : (row: Reader.Row) => tests.every((t) => t.values.has(row.cells[t.index]?.trim() ?? ""))
  })

/** Types one row, or says every reason it cannot be. */
const typeRow = (
  file: string,
  width: number,
  key: Column,
  columns: ReadonlyArray<Column & { readonly parse: Cell.Parser }>,
  duplicates: ReadonlyMap<string, ReadonlyArray<number>>
) =>
(row: Reader.Row): Item => {
  const cells = row.cells
  const keyText = keyOf(cells, key.index)
  const errors: Array<RowError.RowError> = []
  const fail = (reason: string, column?: string) => errors.push(RowError.make(file, row.line, reason, column, keyText))
  if (row.problem !== undefined) fail(`malformed: ${row.problem}`)
  if (row.damaged === true) {
    for (const c of [key, ...columns]) {
      const text = c.index < 0 ? undefined : cells[c.index]
      const why = text === undefined ? undefined : Encoding.damageMessage(text)
      if (why !== undefined) fail(why, c.name)
    }
  }
  if (cells.length < width) fail(`the row has ${cells.length} fields, the header has ${width}: it was cut short`)
  else if (cells.length > width) {
    let extra = false
    for (let i = width; i < cells.length; i++) if ((cells[i] as string).trim() !== "") extra = true
    if (extra) fail(`the row has ${cells.length} fields, the header has ${width}: values beyond the last column`)
  }
  if (keyText === "") fail(`no key: ${show(key.name)} is empty`, key.name)
  else {
    const lines = duplicates.get(keyText)
    if (lines !== undefined) fail(`the key ${show(keyText)} appears ${lines.length} times (lines ${lines.join(", ")}): every row with it is rejected`, key.name)
  }
  const values: Record<string, Cell.Value> = { [key.name]: keyText }
  if (cells.length >= width || errors.length === 0) {
    for (const c of columns) {
      const text = c.index < 0 ? "" : cells[c.index]
      const v = text === undefined ? null : c.parse(text)
      if (v instanceof Cell.Invalid) fail(v.reason, c.name)
      else values[c.name] = v
    }
  }
  if (errors.length > 0) {
    const e = errors as unknown as Rejected["errors"]
    return keyText === "" ? { _tag: "Rejected", line: row.line, errors: e, cells: row.cells } : { _tag: "Rejected", line: row.line, key: keyText, errors: e, cells: row.cells }
  }
  return { _tag: "Good", line: row.line, key: keyText, values, cells: row.cells }
}

/**
 * Opens a catalog: checks the header against the column specs (every missing column listed, with
 * the closest header names), decides each decimal column's style, and scans the keys. Fails with a
 * `CsvFileError` on any file-level problem.
 */
export const open = (file: string, options: Options): Effect.Effect<Catalog, FileError.CsvFileError, FileSystem.FileSystem> =>
  Effect.flatMap(Reader.open(file, options.dialect ?? {}), (source) => openSource(source, options))

/** `open` over a file already opened (its encoding and dialect detected, its header read). */
export const openSource = (source: Reader.Source, options: Options): Effect.Effect<Catalog, FileError.CsvFileError> =>
  Effect.gen(function*() {
    const file = source.file
    const keySpec: Cell.ColumnSpec = { name: options.key, type: "text" }
    const specs = options.columns.some((c) => c.name === options.key) ? options.columns : [keySpec, ...options.columns]
    const found = yield* locate(source, specs)
    const numberFormats = yield* formats(source, found, options.sampleRows ?? 2000)
    const columns = found.map(({ spec, index }, i) => ({
      ...Cell.resolve(spec, numberFormats[i] ?? { decimal: "auto", thousands: "none" }),
      index
    }))
    const key = columns.find((c) => c.name === options.key) as Column
    const wanted = yield* rowFilter(source, options.where ?? [])
    const scan = yield* scanKeys(source, key.index, wanted)
    if (scan.rows === 0) {
      return yield* Effect.fail(FileError.make(file, "Empty", source.header.line === 0 ? "the file has no rows" : `the file has a header (line ${source.header.line}) but no rows`))
    }
    const compiled = columns.filter((c) => c !== key).map((c) => ({ ...c, parse: Cell.parser(c) }))
    const width = source.header.names.length
    // `first`/`last`: the kept line of each repeated key; its other lines are left out, and the key
    // is no longer a duplicate for `typeRow`.
    const policy = options.duplicates ?? "reject"
    const kept = new Set<number>()
    if (policy !== "reject") for (const lines of scan.duplicates.values()) kept.add((policy === "first" ? lines[0] : lines[lines.length - 1]) as number)
    const dropped = policy === "reject" ? 0 : [...scan.duplicates.values()].reduce((n, lines) => n + lines.length - 1, 0)
    const duplicated = policy === "reject" ? scan.duplicates : new Map<string, ReadonlyArray<number>>()
    const toItem = typeRow(file, width, key, compiled, duplicated)
    const repeatedLine = (row: Reader.Row) => {
      if (dropped === 0) return false
      const k = trimmedKey(row, key.index)
      return k !== "" && scan.duplicates.has(k) && !kept.has(row.line)
    }
    const simple = scan.blank === 0 && scan.trailing.length === 0 && scan.filtered === 0 && dropped === 0
    const keep = (row: Reader.Row) =>
      !Reader.isBlank(row) && !(scan.trailing.length > 0 && row.line > scan.lastKeyed) && wanted(row) && !repeatedLine(row)
    return {
      source,
      key,
      columns,
      blankRows: scan.blank,
      trailingLines: scan.trailing,
      filteredRows: scan.filtered,
      droppedDuplicates: dropped,
      rowCount: scan.rows - dropped,
      duplicateKeys: scan.duplicates,
      rows: Stream.mapChunks(source.rows, (chunk) => Chunk.map(simple ? chunk : Chunk.filter(chunk, keep), toItem)),
      isProduct: keep
    }
  })

/**
 * What of the file was skipped as not products, one line each for people (empty when nothing was):
 * empty rows, unkeyed lines after the data, rows left out by `where` or by the repeated-key rule.
 */
export const skipped = (c: Catalog): ReadonlyArray<string> => {
  const lines = c.trailingLines
  return [
    ...(c.blankRows === 0 ? [] : [`${c.blankRows} empty ${c.blankRows === 1 ? "row" : "rows"} (no value in any cell)`]),
    ...(lines.length === 0 ? [] : [`${lines.length === 1 ? "line" : `${lines.length} lines`} after the last product without a key (a footnote or a total): ${lines.length <= 10 ? lines.join(", ") : `${lines.slice(0, 10).join(", ")} …`}`]),
    ...(c.filteredRows === 0 ? [] : [`${c.filteredRows} rows left out by the mapping's rows.where`]),
    ...(c.droppedDuplicates === 0 ? [] : [`${c.droppedDuplicates} rows of repeated keys left out (the mapping's rows.duplicates keeps one row per key)`])
  ]
}

/** The reasons of a rejected row, as one text (the `reason` column of the rejects file). */
export const reasons = (rejected: Rejected): string =>
  rejected.errors.map((e) => (e.column === undefined ? e.reason : `${e.column}: ${e.reason}`)).join("; ")
