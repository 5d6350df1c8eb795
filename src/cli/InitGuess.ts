/**
 * `init`'s guesses from a CSV's header and data: which column is the key (unique and never empty,
 * SKU-like names first), which columns feed which Pipedrive fields (common shop and ERP header
 * names, English and German), in which currency prices are (codes and signs in the cells, or the
 * header), and which digit columns are really text (IDs, EANs). Every guess carries the reason a
 * user should check it.
 */
import { BigDecimal, Effect, Either, Stream } from "effect"
import * as Currency from "../domain/Currency.js"
import * as Money from "../domain/Money.js"
import type * as Dialect from "../erp/Dialect.js"
import type * as Inspect from "../erp/Inspect.js"
import * as Reader from "../erp/Reader.js"
import type { Target } from "../mapping/Mapping.js"

/** A column name without case, accents, spaces or punctuation: `Netto-VK` → `nettovk`. */
export const normalise = (name: string): string =>
  name.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/ß/g, "ss").replace(/[^a-z0-9]/g, "")

type Role = "key" | "name" | "description" | "unit" | "tax" | "category" | "linkable" | "price" | "cost"

/** Usual header names per role, best first (the best-ranked column wins a role). */
const known: ReadonlyArray<readonly [Role, ReadonlyArray<string>]> = [
  ["key", ["sku", "variantsku", "artikelnummer", "artnr", "artikelnr", "hauptartikelnr", "ordernumber", "itemcode", "productcode", "articlenumber", "itemnumber", "itemno", "defaultcode", "internalreference", "reference", "productnumber", "partnumber", "materialnummer", "code", "material", "ref", "referencia", "codigo"]],
  ["name", ["name", "title", "bezeichnung", "artikelname", "artikelbezeichnung", "productname", "itemname", "produktname", "produktbezeichnung", "nome", "nombre", "nom", "designation", "libelle", "titel", "titulo"]],
  ["description", ["description", "beschreibung", "salesdescription", "saledescription", "bodyhtml", "longdescription", "langtext", "produktbeschreibung", "descriptionhtml", "details", "shortdescription", "descricao", "descripcion", "descriptif"]],
  ["unit", ["unit", "einheit", "uom", "unitofmeasure", "usageunit", "mengeneinheit", "verkaufseinheit", "me", "unidade", "unidad", "unite"]],
  ["tax", ["tax", "taxrate", "taxpercentage", "taxpercent", "vat", "vatrate", "mwst", "mwstsatz", "steuersatz", "steuersatzin", "ust", "steuer", "iva", "tva", "imposto"]],
  ["category", ["category", "kategorie", "warengruppe", "productgroup", "categoryname", "productcategory", "artikelgruppe", "categoria", "categorias", "categorie"]],
  ["linkable", ["active", "aktiv", "isactive", "enabled"]],
  ["price", ["regularprice", "sellingprice", "price", "variantprice", "salesprice", "listprice", "unitprice", "nettovk", "vknetto", "vk", "preis", "verkaufspreis", "vkpreis", "pricefinal", "rate", "saleprice", "preco", "precio", "prix"]],
  ["cost", ["costperitem", "cost", "costprice", "purchaseprice", "purchaserate", "unitcost", "ek", "eknetto", "ekpreis", "einkaufspreis", "durchschnittlichereinkaufspreisnetto", "wholesaleprice", "standardprice", "custo", "coste", "costo", "prixdachat"]]
]

/** ISO codes init recognises in a header (`price_usd`, `EK CHF`, `Selling Price (ARS)`). */
const headerCurrencies = new Set([
  "eur", "usd", "chf", "gbp", "jpy", "cny", "inr", "ars", "brl", "mxn", "clp", "cop", "cad", "aud", "nzd", "sek", "nok", "dkk",
  "pln", "czk", "huf", "ron", "try", "zar", "sgd", "hkd"
])
const pricePart = (word: string): "price" | "cost" | undefined =>
  ["price", "preis", "vk"].includes(word) ? "price" : ["cost", "ek"].includes(word) ? "cost" : undefined

/** `price_usd`, `EK CHF`, `usd_price` → that part in that currency. */
const currencyPrice = (n: string): { readonly part: "price" | "cost"; readonly currency: string } | undefined => {
  if (n === "euro" || n === "euros" || headerCurrencies.has(n)) return { part: "price", currency: n.startsWith("euro") ? "EUR" : n.toUpperCase() }
  for (const [a, b] of [[n.slice(0, -3), n.slice(-3)], [n.slice(3), n.slice(0, 3)]] as const) {
    const part = pricePart(a)
    if (part !== undefined && headerCurrencies.has(b)) return { part, currency: b.toUpperCase() }
  }
  return undefined
}

/** A currency code written as a word of the header: `Selling Price (ARS)`. */
const headerCurrency = (name: string): string | undefined =>
  name.split(/[^A-Za-z]+/).find((w) => w.length === 3 && w === w.toUpperCase() && headerCurrencies.has(w.toLowerCase()))

// ---------------------------------------------------------------------------------------------
// What the data says

/** One column's values, as init needs them. */
export interface Profile {
  readonly filled: number
  readonly distinct: number
  /** Every value is digits only, and some have 13+ digits or a leading zero: an ID or EAN, text. */
  readonly digitId: boolean
  /** Values with a currency code or sign, by the currencies it may stand for (`"USD,CAD,…"`). */
  readonly markers: ReadonlyMap<string, number>
  /** Values that read as an amount with `decimal: "auto"`, and an example of one that does not. */
  readonly amounts: number
  /** Values that read as an amount under a decimal point, and under a decimal comma. */
  readonly amountsPoint: number
  readonly amountsComma: number
  /** A value that reads under one style only (`₹1,04,990`, `₹12,990.50`): it settles the column. */
  readonly onlyPoint: string | undefined
  readonly onlyComma: string | undefined
  /** A value that reads as two different amounts, and the most decimals each style reads in any value. */
  readonly twoWays: string | undefined
  readonly decimalsPoint: number
  readonly decimalsComma: number
  readonly badAmount: string | undefined
  readonly example: string | undefined
}

/** The decimals an amount's text has when `sep` is its decimal separator (`₹12,990` under a comma: 3). */
const writtenDecimals = (text: string, sep: "." | ","): number => {
  const at = text.lastIndexOf(sep)
  return at === -1 ? 0 : (/^\d*/.exec(text.slice(at + 1))?.[0].length ?? 0)
}

const profiler = () => {
  const seen = new Set<string>()
  const markers = new Map<string, number>()
  let filled = 0
  let digits = 0
  let longDigits = 0
  let amounts = 0
  let amountsPoint = 0
  let amountsComma = 0
  let onlyPoint: string | undefined
  let onlyComma: string | undefined
  let twoWays: string | undefined
  let decimalsPoint = 0
  let decimalsComma = 0
  let badAmount: string | undefined
  let example: string | undefined
  return {
    add: (raw: string) => {
      const t = raw.trim()
      if (t === "") return
      filled++
      example ??= t
      seen.add(t)
      if (/^\d+$/.test(t)) {
        digits++
        if (t.length >= 13 || (t.length > 1 && t.startsWith("0"))) longDigits++
      }
      const auto = Money.parseMoney(t)
      const point = Money.parseMoney(t, { decimal: "point" })
      const comma = Money.parseMoney(t, { decimal: "comma" })
      if (Either.isRight(auto)) amounts++
      else badAmount ??= t
      const read = Either.isRight(auto) ? auto.right : Either.isRight(point) ? point.right : Either.isRight(comma) ? comma.right : undefined
      if (read?.marker !== undefined) {
        const k = read.currencies.join(",")
        markers.set(k, (markers.get(k) ?? 0) + 1)
      }
      if (Either.isRight(point)) {
        amountsPoint++
        decimalsPoint = Math.max(decimalsPoint, writtenDecimals(t, "."))
      }
      if (Either.isRight(comma)) {
        amountsComma++
        decimalsComma = Math.max(decimalsComma, writtenDecimals(t, ","))
      }
      if (Either.isRight(point) && Either.isLeft(comma)) onlyPoint ??= t
      if (Either.isRight(comma) && Either.isLeft(point)) onlyComma ??= t
      if (Either.isRight(point) && Either.isRight(comma) && !BigDecimal.equals(point.right.amount, comma.right.amount)) twoWays ??= t
    },
    profile: (): Profile => ({
      filled,
      distinct: seen.size,
      digitId: filled > 0 && digits === filled && longDigits > 0,
      markers,
      amounts,
      amountsPoint,
      amountsComma,
      onlyPoint,
      onlyComma,
      twoWays,
      decimalsPoint,
      decimalsComma,
      badAmount,
      example
    })
  }
}

/** Reads the file once (as `inspect` read it) and profiles every column; empty and damaged rows are left out, as catalogs do. */
export const profiles = (file: string, dialect: Dialect.Input) =>
  Effect.gen(function*() {
    const source = yield* Reader.open(file, dialect)
    const width = source.header.names.length
    const ps = source.header.names.map(() => profiler())
    let rows = 0
    yield* Stream.runForEachChunk(source.rows, (chunk) =>
      Effect.sync(() => {
        for (const row of chunk) {
          if (Reader.isBlank(row) || row.damaged === true) continue
          rows++
          for (let i = 0; i < width && i < row.cells.length; i++) ps[i]?.add(row.cells[i] as string)
        }
      }))
    return { rows, columns: ps.map((p) => p.profile()) }
  })

// ---------------------------------------------------------------------------------------------
// The guesses

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

const rankOf = (role: Role, n: string): number => (known.find(([r]) => r === role)?.[1] ?? []).indexOf(n)

/** How much a column's name says "product key": 3 a usual key name, 1 an id/number/code-like name, 0 none. */
const keyScore = (name: string): number => {
  const n = normalise(name)
  if (rankOf("key", n) !== -1 || n.includes("sku") || n.includes("artikelnummer")) return 3
  return /(id|code|nr|number|no|nummer|ref)$/.test(n) ? 1 : 0
}

const show = (s: string) => JSON.stringify(s)

/** Words a name column's header ends (or, in Portuguese, Spanish and French, starts) with. */
const nameEndings = ["name", "title", "titel", "bezeichnung", "designation", "libelle", "nome", "nombre", "nom", "titulo"]
const nameStarts = ["nome", "nombre", "nomdu", "designation", "libelle"]
/** Names of what a product has, not of the product: a brand's, a model's, a processor's … name. */
const notProductName = /brand|marke|hersteller|manufacturer|vendor|supplier|lieferant|model|processor|prozessor|cpu|gpu|graphic|colou?r|farbe|option|attribut|download|file|datei|image|bild|seo|meta|shipping|versand|categor|kategor|customer|kunde|user|contact|company|firma|shop|store|warehouse|lager|tag|group|at?tribut|gruppe|unit|einheit|tax|steuer/

/** The header reads like a name column: its exact name, or a name word at its end (`Laptop Name`). */
const isNameColumn = (name: string): boolean => {
  const n = normalise(name)
  return rankOf("name", n) !== -1 || nameEndings.some((e) => n.endsWith(e)) || nameStarts.some((e) => n.startsWith(e))
}
const count = (n: number, what: string) => `${n.toLocaleString("en-US")} ${what}${n === 1 ? "" : "s"}`

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

/** The currency of a price column: from its cells' codes or signs, else its header, else `fallback`. */
const currencyOf = (column: string, p: Profile): { currency: string | undefined; money: boolean; check: string | undefined } => {
  const marked = [...p.markers.entries()].sort((a, b) => b[1] - a[1])
  const fromHeader = currencyPrice(normalise(column))?.currency ?? headerCurrency(column)
  if (marked.length === 0) return { currency: fromHeader, money: false, check: undefined }
  const [codes = "", n = 0] = marked[0] ?? []
  const options = codes.split(",")
  const chosen = fromHeader !== undefined && options.includes(fromHeader) ? fromHeader : options[0]
  const checks = [
    options.length > 1 && chosen !== fromHeader ? `the sign may stand for ${options.join(", ")}: ${chosen} assumed` : "",
    marked.length > 1 ? `${count(p.filled - n, "value")} in another currency than ${chosen} will be row errors` : "",
    n < p.filled ? `${count(p.filled - n, "value")} without a currency are taken as ${chosen}` : ""
  ].filter((s) => s !== "")
  return { currency: chosen, money: true, check: checks.length === 0 ? undefined : checks.join("; ") }
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

/** Inspect found numbers in every value (a style it could tell, or only 0 and 1), or no value at all. */
const numeric = (c: Inspect.ColumnReport, p: Profile): boolean =>
  c.kind === "empty" || c.kind === "integer" || (c.kind === "decimal" && c.decimal !== "ambiguous") || (c.kind === "boolean" && p.amounts === p.filled)

const priceSuggestion = (
  c: Inspect.ColumnReport,
  p: Profile,
  part: "price" | "cost",
  headerCurrency: string | undefined,
  fileDecimal: "point" | "comma" | "auto"
): Omit<Suggestion, "column" | "kind"> => {
  const found = currencyOf(c.name, p)
  const currency = found.currency ?? headerCurrency
  const target: Target = `prices.${currency ?? "EUR"}.${part}`
  const checks = [found.check, currency === undefined && p.filled > 0 ? "the file does not say the currency: EUR assumed — write your currency's code in place of EUR" : undefined]
  const check = (...more: ReadonlyArray<string>) => {
    const all = [...checks, ...more].filter((x): x is string => x !== undefined && x !== "")
    return all.length === 0 ? {} : { check: all.join("; ") }
  }
  if (!found.money) {
    if (numeric(c, p)) return { target, ...check() }
    return { target, commented: true, check: `values such as ${show(p.badAmount ?? c.example ?? "")} are not numbers init can read; set the column's decimal style or a compute (docs/mapping.md)` }
  }
  const style = moneyStyle(p, Currency.isoPrecision(currency ?? "EUR"), fileDecimal)
  if (style._tag === "Unreadable") return { target, money: true, commented: true, check: style.why }
  const needed = style.decimal !== "auto" && (p.amounts < p.filled || style.decimal !== fileDecimal)
  return { target, money: true, ...(needed ? { moneyDecimal: style.decimal } : {}), ...check(style.why ?? "") }
}

type MoneyStyle =
  | { readonly _tag: "Style"; readonly decimal: "point" | "comma" | "auto"; readonly why?: string }
  | { readonly _tag: "Unreadable"; readonly why: string }

/**
 * A money column's decimal style, decided over the whole column as the reader decides a number
 * column's: a value that reads one way only (`₹1,04,990`, `₹12,990.50`) settles it; when every value
 * reads two ways (`₹12,990`), a reading with more decimals than the currency has is not an amount.
 */
const moneyStyle = (p: Profile, precision: number, fileDecimal: "point" | "comma" | "auto"): MoneyStyle => {
  const unreadable = (why: string): MoneyStyle => ({ _tag: "Unreadable", why })
  if (p.onlyPoint !== undefined && p.onlyComma !== undefined) {
    return unreadable(`the values mix decimal styles (${show(p.onlyPoint)} has a decimal point, ${show(p.onlyComma)} a decimal comma): fix them, or set decimal: "auto" and uncomment`)
  }
  const reads = { point: p.amountsPoint === p.filled, comma: p.amountsComma === p.filled }
  if (p.twoWays === undefined) {
    if (p.amounts === p.filled) return { _tag: "Style", decimal: "auto" }
    const one = reads.point && (p.onlyPoint !== undefined || !reads.comma) ? "point" : reads.comma ? "comma" : undefined
    return one === undefined ? unreadable(`values such as ${show(p.badAmount ?? "")} do not read as amounts in one decimal style; fix them or set decimal and uncomment`) : { _tag: "Style", decimal: one }
  }
  const settled = p.onlyPoint !== undefined ? "point" : p.onlyComma !== undefined ? "comma" : undefined
  if (settled !== undefined) {
    if (!reads[settled]) return unreadable(`values such as ${show(p.badAmount ?? "")} do not read as amounts in one decimal style; fix them or set decimal and uncomment`)
    const by = settled === "point" ? p.onlyPoint : p.onlyComma
    return { _tag: "Style", decimal: settled, why: `values such as ${show(p.twoWays)} read two ways: decimal ${settled} taken, as ${show(by ?? "")} can only be read so` }
  }
  const fits = (["point", "comma"] as const).filter((d) => reads[d] && (d === "point" ? p.decimalsPoint : p.decimalsComma) <= precision)
  const chosen = fits.length === 1 ? fits[0] : fits.find((d) => d === fileDecimal)
  if (chosen === undefined) return unreadable(`values such as ${show(p.twoWays)} read two ways, and nothing in the column tells which: set decimal ("point" or "comma") and uncomment`)
  const other = chosen === "point" ? "comma" : "point"
  return {
    _tag: "Style",
    decimal: chosen,
    why: fits.length === 1
      ? `values such as ${show(p.twoWays)} read two ways: decimal ${chosen} taken, as with a decimal ${other} they would have more decimals than the currency's ${precision}`
      : `values such as ${show(p.twoWays)} read two ways: decimal ${chosen} taken, as the file's other numbers are written`
  }
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
