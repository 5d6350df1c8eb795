/**
 * `init` on a file whose best key repeats by design (Magento's tier prices: a row per website,
 * customer group and quantity tier): finds the columns that tell a key's rows apart and values of
 * them that keep exactly one row per key — each column's most common value first — for the
 * mapping's `rows.where`; when none does, each key's first row (`duplicates: "first"`).
 */
import { Effect, Stream } from "effect"
import type * as Dialect from "../erp/Dialect.js"
import * as Reader from "../erp/Reader.js"
import type * as InitGuess from "./InitGuess.js"

/** Columns with more values than this are amounts or texts, not a row's dimension. */
const MAX_VALUES = 20
/** Up to this many columns are combined, and up to this many values of each tried (most common first). */
const MAX_COLUMNS = 3
const MAX_TRIED = 3
/** Files with more rows are not searched (the choice is left to the user, with `duplicates: "first"`). */
const MAX_ROWS = 200_000

const show = (s: string) => JSON.stringify(s)

/** Every combination of `k` items of `xs`, in order. */
const combinations = <A>(xs: ReadonlyArray<A>, k: number): ReadonlyArray<ReadonlyArray<A>> =>
  k === 0 ? [[]] : xs.flatMap((x, i) => combinations(xs.slice(i + 1), k - 1).map((rest) => [x, ...rest]))

/** Every choice of one value per list. */
const product = (lists: ReadonlyArray<ReadonlyArray<string>>): ReadonlyArray<ReadonlyArray<string>> =>
  lists.reduce<ReadonlyArray<ReadonlyArray<string>>>((acc, list) => acc.flatMap((a) => list.map((v) => [...a, v])), [[]])

/** The rows' trimmed cells (empty and damaged rows left out, as catalogs do). */
const readRows = (file: string, dialect: Dialect.Input) =>
  Effect.gen(function*() {
    const source = yield* Reader.open(file, dialect)
    const rows: Array<ReadonlyArray<string>> = []
    yield* Stream.runForEachChunk(source.rows, (chunk) =>
      Effect.sync(() => {
        for (const row of chunk) {
          if (Reader.isBlank(row) || row.damaged === true || rows.length > MAX_ROWS) continue
          rows.push(row.cells.map((c) => c.trim()))
        }
      }))
    return { names: source.header.names, rows }
  })

/**
 * Which rows are products when `key` repeats; `undefined` when it does not (or has no value). The
 * `where` found is checked on the data: every key keeps exactly one row.
 */
export const choose = (file: string, dialect: Dialect.Input, key: string) =>
  Effect.gen(function*() {
    const { names, rows } = yield* readRows(file, dialect)
    const k = names.indexOf(key)
    const keyed = rows.filter((r) => (r[k] ?? "") !== "")
    const keys = new Set(keyed.map((r) => r[k] as string))
    if (k === -1 || keys.size === keyed.length || keys.size === 0) return undefined
    const counts = names.map((_, i) => {
      const m = new Map<string, number>()
      for (const r of keyed) m.set(r[i] ?? "", (m.get(r[i] ?? "") ?? 0) + 1)
      return [...m.entries()].sort((a, b) => b[1] - a[1])
    })
    // A column that tells rows apart: named, a few values, and not one value throughout.
    const dims = names.flatMap((name, i) => (i === k || name.trim() === "" || (counts[i]?.length ?? 0) < 2 || (counts[i]?.length ?? 0) > MAX_VALUES ? [] : [i]))
    const onePerKey = (cols: ReadonlyArray<number>, values: ReadonlyArray<string>): boolean => {
      const seen = new Map<string, number>()
      for (const r of keyed) {
        if (cols.every((c, j) => r[c] === values[j])) seen.set(r[k] as string, (seen.get(r[k] as string) ?? 0) + 1)
      }
      return seen.size === keys.size && [...seen.values()].every((n) => n === 1)
    }
    const summary = `${show(key)} repeats: ${keyed.length.toLocaleString("en-US")} rows for ${keys.size.toLocaleString("en-US")} keys`
    if (rows.length <= MAX_ROWS) {
      for (let n = 1; n <= MAX_COLUMNS; n++) {
        for (const cols of combinations(dims, n)) {
          const values = product(cols.map((c) => (counts[c] ?? []).slice(0, MAX_TRIED).map(([v]) => v))).find((vs) => onePerKey(cols, vs))
          if (values === undefined) continue
          const where = Object.fromEntries(cols.map((c, j) => [names[c] as string, values[j] as string]))
          const shown = cols.map((c, j) => `${names[c]} ${show(values[j] as string)}`).join(", ")
          const mostCommon = cols.every((c, j) => counts[c]?.[0]?.[0] === values[j])
          return {
            where,
            check: `${summary} (a row per ${cols.map((c) => names[c]).join(" and ")}): only the rows with ${shown}${mostCommon ? ` (each column's most common value)` : ""} are read, one per ${key}, and the others skipped. Set the values of the rows that are your products, or write rows: { duplicates: "first" } to take each ${key}'s first row instead`,
            summary: `${summary}: the mapping reads one row per key, where ${shown} (rows.where); the other ${(keyed.length - keys.size).toLocaleString("en-US")} rows are skipped. Check the values (or use rows: { duplicates: "first" }).`
          } satisfies InitGuess.Rows
        }
      }
    }
    return {
      duplicates: "first",
      check: `${summary}, and no column's values keep one row per key: each ${key}'s first row is read, the others skipped (rows: duplicates "first"); to choose the rows instead, write rows: { where: { column: "value" } } (docs/mapping.md, "Rows: which rows are products")`,
      summary: `${summary}: the mapping reads each key's first row (rows: { duplicates: "first" }); the other ${(keyed.length - keys.size).toLocaleString("en-US")} rows are skipped. Check this choice.`
    } satisfies InitGuess.Rows
  })
