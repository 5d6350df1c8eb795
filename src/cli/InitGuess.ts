/**
 * `init`'s guesses from a CSV's header and data: which column is the key (unique and never empty,
 * SKU-like names first), which columns feed which Pipedrive fields (by the usual header names of
 * `InitWords`), in which currency prices are and how their decimals are written (`InitPrices`), and
 * which digit columns are really text (IDs, EANs). Every guess carries the reason a user should
 * check it.
 */
import type * as Inspect from "../erp/Inspect.js"
import * as ColumnProfile from "../erp/Profile.js"
import type { Target } from "../mapping/Mapping.js"
import { numeric, priceSuggestion } from "./InitPrices.js"
import { count, currencyPrice, isNameColumn, known, normalise, notProductName, rankOf, type Role, show } from "./InitWords.js"

/** One column's values, as init needs them. */
export type Profile = ColumnProfile.Values

/** Reads the file once (as `inspect` read it) and profiles every column; empty and damaged rows are left out, as catalogs do. */
export const profiles = ColumnProfile.values

/** What init suggests for one column: its type, the field it feeds (if any), and what to check. */
export interface Suggestion {
  readonly column: string
  readonly kind: Inspect.Kind
  readonly decimal?: string
  /** The Pipedrive field it was matched with; `undefined` when none: a custom-field suggestion. */
  readonly target: Target | "key" | undefined
  /** `money`: the cells carry a currency code or sign. */
  readonly money?: boolean
  /** The decimal style to set on a money column whose values need another than the file's. */
  readonly moneyDecimal?: "point" | "comma" | "auto"
  /** What to check about this guess, written next to it in the mapping. */
  readonly check?: string
  /** The guess is left commented out, for the reason in `check`. */
  readonly commented?: boolean
  /** The column has no name in the header (values, though): its position, and a value. */
  readonly unnamed?: number
  readonly example?: string
}

/** Init's guesses for a whole file: a suggestion per column, the key, and how rows are read. */
export interface Guess {
  readonly suggestions: ReadonlyArray<Suggestion>
  readonly key: string
  /** What to check about the key. */
  readonly keyCheck: string | undefined
  /** A repeated product column next to a variant SKU (Shopify's Handle): the file lists variants. */
  readonly variantsOf: string | undefined
  /** A fallback for the name on rows without one (a variant row): that column. */
  readonly nameFallback: string | undefined
  /** No other column names the product: the key column (a description) is the name too. */
  readonly nameIsKey: boolean
  /** Columns without a name and without a value, left out of the mapping. */
  readonly unnamedEmpty: number
  /** Which rows are products, when the key repeats by design. */
  readonly rows?: Rows
}

/** A mapping's `rows` choice and why. */
export interface Rows {
  readonly where?: Readonly<Record<string, string>>
  readonly duplicates?: "first"
  /** What to check, in the mapping; what was chosen, in init's summary. */
  readonly check?: string
  readonly summary?: string
}

/** How much a column's name says "product key": 3 a usual key name, 1 an id/number/code-like name, 0 none. */
const keyScore = (name: string): number => {
  const n = normalise(name)
  if (rankOf("key", n) !== -1 || n.includes("sku") || n.includes("artikelnummer")) return 3
  return /(id|code|nr|number|no|nummer|ref)$/.test(n) ? 1 : 0
}

/**
 * Picks the key: a unique, never-empty column with a key-like name (SKU-like first); else a SKU-like
 * column whose values are unique where present (rows without one are rejected); else any unique,
 * never-empty column; else the most varied key-like column, flagged. Every choice but the first kind
 * with a usual key name is flagged.
 */
const chooseKey = (names: ReadonlyArray<string>, ps: ReadonlyArray<Profile>, rows: number): { key: string; check: string | undefined } => {
  // An unnamed column cannot be named in a mapping; one value on every row identifies nothing.
  const chosen = pickKey(names, ps, rows)
  return isNameColumn(chosen.key)
    ? { ...chosen, check: `${chosen.check ?? `the key is ${show(chosen.key)}`}. It is the products' name, so a product renamed in the file becomes a new product (and the old one is left in Pipedrive): export an article number if the ERP has one, and make it the key` }
    : chosen
}

const pickKey = (names: ReadonlyArray<string>, ps: ReadonlyArray<Profile>, rows: number): { key: string; check: string | undefined } => {
  const scored = names.flatMap((name, i) => {
    const p = ps[i] as Profile
    return name.trim() === "" || (p.filled > 1 && p.distinct === 1) ? [] : [{ name, p, score: keyScore(name), i }]
  })
  const byScore = (xs: typeof scored) => [...xs].sort((a, b) => b.score - a.score || a.i - b.i)[0]
  const unique = scored.filter((c) => rows > 0 && c.p.filled === rows && c.p.distinct === rows)
  const why = (c: { name: string; p: Profile }) =>
    [c.p.filled < rows ? `${count(rows - c.p.filled, "row")} without a value` : "", c.p.distinct < c.p.filled ? `${count(c.p.filled - c.p.distinct, "repeated value")}` : ""].filter((s) => s !== "").join(", ")
  const keyLike = byScore(scored.filter((c) => c.score > 0 && c.p.filled > 0))
  const uniqueNamed = byScore(unique.filter((c) => c.score > 0))
  if (uniqueNamed !== undefined) {
    const better = keyLike !== undefined && keyLike.score > uniqueNamed.score ? ` (${show(keyLike.name)} looks like a key too, but has ${why(keyLike)})` : ""
    return { key: uniqueNamed.name, check: uniqueNamed.score === 3 && better === "" ? undefined : `the key is ${show(uniqueNamed.name)}: its values are unique and never empty${better}; change key.erp if another column identifies a product` }
  }
  const sparse = byScore(scored.filter((c) => c.score === 3 && c.p.filled > 0 && c.p.distinct === c.p.filled))
  if (sparse !== undefined) {
    return { key: sparse.name, check: `the key is ${show(sparse.name)}: unique where present, but ${count(rows - sparse.p.filled, "row")} without a value are rejected (see the rejects file after a plan)` }
  }
  const anyUnique = unique[0]
  if (anyUnique !== undefined) {
    return { key: anyUnique.name, check: `no column has a usual key name (SKU, Artikelnummer, code …): the key is ${show(anyUnique.name)}, the first whose values are unique and never empty` }
  }
  const fallback = keyLike ?? [...scored].filter((c) => c.p.filled > 0).sort((a, b) => b.p.distinct - a.p.distinct || a.i - b.i)[0]
  if (fallback === undefined) {
    const first = names.find((n) => n.trim() !== "") ?? "sku"
    return { key: first, check: `${rows === 0 ? "no row could be read (catalog-sync inspect shows why)" : "the file has no values"}: the key is the first column, ${show(first)}; set key.erp to the column that identifies a product` }
  }
  return { key: fallback.name, check: `no column is unique and never empty; ${show(fallback.name)} has ${why(fallback)}: rows without a key or sharing one are rejected (see the rejects file after a plan)` }
}

/** The matches of a file's columns to Pipedrive fields. */
export const guess = (columns: ReadonlyArray<Inspect.ColumnReport>, ps: ReadonlyArray<Profile>, rows: number, fileDecimal: "point" | "comma" | "auto"): Guess => {
  const names = columns.map((c) => c.name)
  const normalised = names.map(normalise)
  const repeated = (i: number) => (ps[i]?.distinct ?? 0) < (ps[i]?.filled ?? 0)
  const handle = normalised.findIndex((n, i) => (n === "handle" || n === "productid" || n === "parentsku") && repeated(i))
  const chosen = chooseKey(names, ps, rows)
  // A variant SKU column with one value (or none) on every row: the products are the handle's, one row each.
  const variantSku = normalised.findIndex((n) => n.includes("variant") && n.includes("sku"))
  const byHandle = handle !== -1 && variantSku !== -1 && names[variantSku] !== chosen.key && (ps[variantSku]?.distinct ?? 0) <= 1
  const key = byHandle ? (names[handle] as string) : chosen.key
  const keyCheck = byHandle
    ? `${show(names[variantSku] ?? "")} holds ${(ps[variantSku]?.distinct ?? 0) === 0 ? "no value" : `one value (${show(ps[variantSku]?.example ?? "")}) on every row that has one`}, so it cannot tell products apart: the key is ${show(names[handle] ?? "")}, one product per ${names[handle]}, read from its first row (rows: duplicates "first" below); the other rows (variants, images) are skipped`
    : chosen.check
  const variantsOf = handle !== -1 && (byHandle || normalise(key).includes("variant")) ? names[handle] : undefined
  const roles = new Map<number, { role: Role; currency?: string }>()
  for (const [role, list] of known) {
    if (role === "key") continue
    const candidates = normalised.flatMap((n, i) => (names[i] === key || roles.has(i) || !list.includes(n) ? [] : [{ i, rank: list.indexOf(n) }]))
    const best = candidates.sort((a, b) => a.rank - b.rank || a.i - b.i)[0]
    if (best !== undefined) roles.set(best.i, { role })
  }
  const generic = [...roles.values()].some((r) => r.role === "name") ? undefined : genericName(names, ps, key, roles)
  if (generic !== undefined) roles.set(generic.i, { role: "name" })
  normalised.forEach((n, i) => {
    const cp = currencyPrice(n)
    if (cp !== undefined && !roles.has(i) && names[i] !== key) roles.set(i, { role: cp.part, currency: cp.currency })
  })
  const suggestions = columns.flatMap((c, i): ReadonlyArray<Suggestion> => (c.name.trim() === "" && c.kind === "empty" ? [] : [suggest(c, i)]))
  const unnamedEmpty = columns.length - suggestions.length
  const nameIsKey = !suggestions.some((s) => s.target === "name") && isNameColumn(key)
  const nameFallback = handle !== -1 && !byHandle && suggestions.some((s) => s.target === "name" && s.check !== undefined) ? names[handle] : undefined
  return {
    suggestions: withCostRule(suggestions),
    key,
    keyCheck,
    variantsOf,
    nameFallback,
    nameIsKey,
    unnamedEmpty,
    ...(byHandle ? { rows: { duplicates: "first" as const } } : {})
  }

  function suggest(c: Inspect.ColumnReport, i: number): Suggestion {
    const p = ps[i] as Profile
    const base = { column: c.name, kind: p.digitId ? ("text" as const) : c.kind, ...(c.decimal === undefined || p.digitId ? {} : { decimal: c.decimal }) }
    if (c.name === key) return { ...base, target: "key" }
    if (c.name.trim() === "") return { ...base, target: undefined, unnamed: c.position, ...(p.example === undefined ? {} : { example: p.example }) }
    const role = roles.get(i)
    if (role === undefined) return { ...base, target: undefined, ...(p.digitId ? { check: "digits only, some long or with a leading zero: an ID or EAN, kept as text" } : {}) }
    if (role.role === "price" || role.role === "cost") return { ...base, ...priceSuggestion(c, p, role.role, role.currency, fileDecimal) }
    const target = role.role as Exclude<Role, "key" | "price" | "cost">
    if (role.role === "tax" && !numeric(c, p)) {
      return { ...base, target, commented: true, check: `values such as ${show(p.badAmount ?? "")} are not numbers; Pipedrive's tax is a percentage number` }
    }
    if (role.role === "category") {
      return { ...base, target, commented: true, check: "Pipedrive's category is a list of options: uncomment once the account's category field has these values as options" }
    }
    if (role.role === "name" && p.filled < rows && !byHandle) {
      return { ...base, target, check: `${count(rows - p.filled, "row")} without a ${c.name}: Pipedrive needs a name, so ${handle !== -1 ? `those rows take their ${show(names[handle] ?? "")}` : "those rows are rejected"}` }
    }
    if (role.role === "name" && generic?.i === i) return { ...base, target, check: generic.check }
    return { ...base, target }
  }
}

/**
 * A name column without a usual name: a header ending in a name word (`Laptop Name`), mostly unique
 * values first; one naming a part of the product (`Model Name`, `Processor Name`) only when nothing else.
 */
const genericName = (names: ReadonlyArray<string>, ps: ReadonlyArray<Profile>, key: string, taken: ReadonlyMap<number, unknown>) => {
  const candidates = names.flatMap((name, i) => {
    const p = ps[i] as Profile
    if (name.trim() === "" || name === key || taken.has(i) || p.filled === 0 || !isNameColumn(name)) return []
    return [{ i, name, p, part: notProductName.test(normalise(name)), unique: p.distinct >= 0.8 * p.filled }]
  })
  const best = candidates.sort((a, b) => Number(a.part) - Number(b.part) || Number(b.unique) - Number(a.unique) || b.p.distinct - a.p.distinct || a.i - b.i)[0]
  if (best === undefined) return undefined
  const values = best.unique ? "its values are mostly unique" : `it has ${count(best.p.distinct, "distinct value")} in ${count(best.p.filled, "row")}`
  const part = best.part ? `; it may name a part of the product rather than the product (no better column found)` : ""
  return { i: best.i, check: `${show(best.name)} taken as the product name: its header says name and ${values}${part}; change it if another column names the product` }
}

/**
 * A cost is mapped only beside a price of its currency: Pipedrive keeps a cost inside a price entry,
 * and a cost alone would create a price of 0 in that currency. Otherwise it stays commented, saying so.
 */
const withCostRule = (suggestions: ReadonlyArray<Suggestion>): ReadonlyArray<Suggestion> => {
  const priced = new Set(suggestions.flatMap((s) => (typeof s.target === "string" && s.target.endsWith(".price") && s.commented !== true ? [s.target.split(".")[1]] : [])))
  return suggestions.map((s) => {
    if (typeof s.target !== "string" || !s.target.endsWith(".cost") || s.commented === true) return s
    const currency = s.target.split(".")[1] ?? ""
    return priced.has(currency)
      ? s
      : { ...s, commented: true, check: `no price in ${currency} is mapped: Pipedrive keeps a cost inside a price, and a cost alone would set that price to 0; map a price in ${currency} first` }
  })
}
