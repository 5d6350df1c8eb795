/**
 * The words `init` reads in a CSV header: the usual column names per Pipedrive field (common shop
 * and ERP headers, English, German, Portuguese, Spanish, French), currency codes written into a
 * price header, and the words of a name column; and the wording its CHECK notes share.
 */

/** A column name without case, accents, spaces or punctuation: `Netto-VK` → `nettovk`. */
export const normalise = (name: string): string =>
  name.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/ß/g, "ss").replace(/[^a-z0-9]/g, "")

/** What a column may stand for. */
export type Role = "key" | "name" | "description" | "unit" | "tax" | "category" | "linkable" | "price" | "cost"

/** Usual header names per role, best first (the best-ranked column wins a role). */
export const known: ReadonlyArray<readonly [Role, ReadonlyArray<string>]> = [
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
export const currencyPrice = (n: string): { readonly part: "price" | "cost"; readonly currency: string } | undefined => {
  if (n === "euro" || n === "euros" || headerCurrencies.has(n)) return { part: "price", currency: n.startsWith("euro") ? "EUR" : n.toUpperCase() }
  for (const [a, b] of [[n.slice(0, -3), n.slice(-3)], [n.slice(3), n.slice(0, 3)]] as const) {
    const part = pricePart(a)
    if (part !== undefined && headerCurrencies.has(b)) return { part, currency: b.toUpperCase() }
  }
  return undefined
}

/** A currency code written as a word of the header: `Selling Price (ARS)`. */
export const headerCurrency = (name: string): string | undefined =>
  name.split(/[^A-Za-z]+/).find((w) => w.length === 3 && w === w.toUpperCase() && headerCurrencies.has(w.toLowerCase()))

/** Where `n` (normalised) stands in the usual names for `role`; -1 when it is not one of them. */
export const rankOf = (role: Role, n: string): number => (known.find(([r]) => r === role)?.[1] ?? []).indexOf(n)

/** Words a name column's header ends (or, in Portuguese, Spanish and French, starts) with. */
const nameEndings = ["name", "title", "titel", "bezeichnung", "designation", "libelle", "nome", "nombre", "nom", "titulo"]
const nameStarts = ["nome", "nombre", "nomdu", "designation", "libelle"]
/** Names of what a product has, not of the product: a brand's, a model's, a processor's … name. */
export const notProductName = /brand|marke|hersteller|manufacturer|vendor|supplier|lieferant|model|processor|prozessor|cpu|gpu|graphic|colou?r|farbe|option|attribut|download|file|datei|image|bild|seo|meta|shipping|versand|categor|kategor|customer|kunde|user|contact|company|firma|shop|store|warehouse|lager|tag|group|at?tribut|gruppe|unit|einheit|tax|steuer/

/** The header reads like a name column: its exact name, or a name word at its end (`Laptop Name`). */
export const isNameColumn = (name: string): boolean => {
  const n = normalise(name)
  return rankOf("name", n) !== -1 || nameEndings.some((e) => n.endsWith(e)) || nameStarts.some((e) => n.startsWith(e))
}

/** A text quoted as in the mapping: `"Netto-VK"`. */
export const show = (s: string) => JSON.stringify(s)
/** `1 row`, `1,204 rows`. */
export const count = (n: number, what: string) => `${n.toLocaleString("en-US")} ${what}${n === 1 ? "" : "s"}`
