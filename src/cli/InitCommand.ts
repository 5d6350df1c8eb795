/**
 * `catalog-sync init [CSV]`: a starting point for a new ERP export. Inspects the CSV (encoding,
 * delimiter, decimals, header), then writes `sync.config.ts` with that dialect and
 * `mappings/<name>.ts` with the columns matched to Pipedrive fields by their usual names (sku,
 * Artikelnummer → key; name, Bezeichnung → name; price, Preis, VK → prices.EUR.price …); columns it
 * cannot place are listed in the mapping as commented custom-field suggestions. Never overwrites.
 */
import { Args, Command, Options } from "@effect/cli"
import { FileSystem, Path } from "@effect/platform"
import { Console, Data, Effect, Option } from "effect"
import * as Inspect from "../erp/Inspect.js"
import type { Target } from "../mapping/Mapping.js"
import * as Output from "./Output.js"

export class InitError extends Data.TaggedError("InitError")<{ readonly message: string }> {}

/** A column name without case, accents, spaces or punctuation: `Netto-VK` → `nettovk`. */
export const normalise = (name: string): string =>
  name.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/ß/g, "ss").replace(/[^a-z0-9]/g, "")

const names = (...n: Array<string>) => new Set(n)

const known: ReadonlyArray<readonly [Target | "key", ReadonlySet<string>]> = [
  ["key", names("sku", "artikelnummer", "artnr", "artikelnr", "ordernumber", "code", "itemcode", "productcode", "articlenumber", "itemnumber", "itemno", "defaultcode", "internalreference", "productnumber", "partnumber", "materialnummer", "material")],
  ["name", names("name", "bezeichnung", "artikelname", "artikelbezeichnung", "productname", "title", "itemname", "produktname")],
  ["description", names("description", "beschreibung", "longdescription", "langtext", "produktbeschreibung", "details")],
  ["unit", names("unit", "einheit", "uom", "unitofmeasure", "mengeneinheit", "verkaufseinheit", "me")],
  ["tax", names("tax", "taxrate", "vat", "vatrate", "mwst", "steuersatz", "steuersatzin", "ust", "taxpercent", "steuer")],
  ["category", names("category", "kategorie", "warengruppe", "productgroup", "categoryname", "productcategory", "artikelgruppe")],
  ["linkable", names("active", "aktiv", "isactive", "enabled")],
  ["prices.EUR.price", names("price", "preis", "vk", "salesprice", "listprice", "unitprice", "nettovk", "verkaufspreis", "vkpreis", "vknetto")],
  ["prices.EUR.cost", names("cost", "ek", "costprice", "purchaseprice", "einkaufspreis", "standardprice", "ekpreis", "eknetto")]
]

const currencies = new Set(["eur", "usd", "chf", "gbp", "jpy", "sek", "nok", "dkk", "pln", "czk", "cad", "aud", "huf"])
const pricePart = (word: string): "price" | "cost" | undefined =>
  ["price", "preis", "vk"].includes(word) ? "price" : ["cost", "ek"].includes(word) ? "cost" : undefined

/** `price_usd`, `EK CHF`, `usd_price` → a price target in that currency. */
const currencyPrice = (n: string): Target | undefined => {
  for (const [a, b] of [[n.slice(0, -3), n.slice(-3)], [n.slice(3), n.slice(0, 3)]] as const) {
    const part = pricePart(a)
    if (part !== undefined && currencies.has(b)) return `prices.${b.toUpperCase()}.${part}`
  }
  return undefined
}

export interface Suggestion {
  readonly column: string
  readonly kind: Inspect.Kind
  readonly decimal?: string
  /** The Pipedrive field it was matched with; `undefined` when none: a custom-field suggestion. */
  readonly target: Target | "key" | undefined
}

/** Matches each column to at most one target, each target to at most one column (the first). */
export const suggest = (columns: ReadonlyArray<Inspect.ColumnReport>): ReadonlyArray<Suggestion> => {
  const taken = new Set<string>()
  return columns.map((c) => {
    const n = normalise(c.name)
    const target = known.find(([t, set]) => set.has(n) && !taken.has(t))?.[0] ?? currencyPrice(n)
    const free = target !== undefined && !taken.has(target) ? target : undefined
    if (free !== undefined) taken.add(free)
    return { column: c.name, kind: c.kind, ...(c.decimal === undefined ? {} : { decimal: c.decimal }), target: free }
  })
}

const q = (s: string) => JSON.stringify(s)
const label = (column: string) => column.replace(/[_-]+/g, " ").replace(/\s+/g, " ").trim().replace(/^./, (c) => c.toUpperCase())

const fieldLine = (s: Suggestion, target: string): string => {
  const parts = [`erp: ${q(s.column)}`]
  if (target === "linkable") parts.push(`type: "boolean"`)
  else if (s.kind === "decimal" || s.kind === "integer") {
    if (target.startsWith("custom.") || target === "tax") parts.push(`type: "decimal"`)
    if (s.decimal === "mixed") parts.push(`decimal: "auto"`)
  }
  return `${q(target)}: { ${parts.join(", ")} }`
}

/** The mapping module's text. */
export const mappingText = (csv: string, suggestions: ReadonlyArray<Suggestion>): string => {
  const key = suggestions.find((s) => s.target === "key")
  const keyColumn = key ?? suggestions[0]
  const matched = suggestions.filter((s) => s.target !== undefined && s.target !== "key")
  const rest = suggestions.filter((s) => s.target === undefined && s !== keyColumn)
  const lines = [
    `// The mapping of ${csv} to Pipedrive products, written by \`catalog-sync init\` from the file's header.`,
    "// Check each match; docs/mapping.md describes every option. Run `catalog-sync plan` to see what it would change.",
    `import { defineMapping } from "catalog-sync"`,
    "",
    "export default defineMapping({",
    ...(key === undefined ? [`  // CHECK: no column has a usual key name (sku, Artikelnummer, code …): the first column is the key.`] : []),
    `  key: { erp: ${q(keyColumn?.column ?? "sku")}, pipedrive: "code" },`,
    "  fields: {",
    ...matched.map((s, i) => `    ${fieldLine(s, s.target as string)}${i < matched.length - 1 || rest.length > 0 ? "," : ""}`),
    ...(rest.length === 0
      ? []
      : [
        "    // Columns without a usual Pipedrive field. To sync one, uncomment it: it becomes a custom field of that",
        "    // label (create it in Pipedrive, or set createMissingFields: true below).",
        ...rest.map((s) => `    // ${fieldLine(s, `custom.${label(s.column)}`)},`)
      ]),
    "  }",
    "})",
    ""
  ]
  return lines.join("\n")
}

/** The configuration's text. */
export const configText = (report: Inspect.Report, csvPath: string, mappingPath: string): string => {
  const dialect = [
    `delimiter: ${q(report.delimiter)}`,
    ...(report.decimal === "point" || report.decimal === "comma" ? [`decimal: ${q(report.decimal)}`] : report.decimal === "mixed" ? [`decimal: "auto"`] : []),
    `encoding: ${q(report.encoding.name)}`,
    ...(report.skipLines > 0 ? [`skipLines: ${report.skipLines}`] : [])
  ]
  return [
    `// catalog-sync configuration, written by \`catalog-sync init\` for ${csvPath}.`,
    "// With PIPEDRIVE_API_TOKEN and PIPEDRIVE_COMPANY_DOMAIN set it talks to your Pipedrive; without, to the bundled emulator.",
    "// Every setting is described in the README (Configuration).",
    `import { defineConfig } from "catalog-sync"`,
    "",
    "export default defineConfig({",
    `  pipedrive: { plan: "lite" },`,
    "  erp: {",
    `    path: ${q(csvPath)},`,
    `    dialect: { ${dialect.join(", ")} }`,
    "  },",
    `  mapping: ${q(mappingPath)},`,
    "  policies: {",
    `    mode: "additive",`,
    `    conflicts: "manual",`,
    `    deletes: "ignore",`,
    "    guards: { maxChangedShare: 0.5, maxDeletedShare: 0.05, maxRowDrop: 0.2 }",
    "  },",
    `  state: ".catalog-sync/state.db"`,
    "})",
    ""
  ].join("\n")
}

const csv = Args.text({ name: "CSV" }).pipe(Args.withDescription("the ERP export to start from (default: the only .csv file in the folder)"), Args.optional)
const dir = Options.text("dir").pipe(Options.withDefault("."), Options.withDescription("the folder to write sync.config.ts and mappings/ in"))
const name = Options.text("name").pipe(Options.optional, Options.withDescription("the mapping's name, for mappings/NAME.ts (default: from the CSV's file name)"))

const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "") || "erp"

const findCsv = (dir: string) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const files = (yield* fs.readDirectory(dir).pipe(Effect.orElseSucceed(() => []))).filter((f) => f.toLowerCase().endsWith(".csv"))
    if (files.length === 1 && files[0] !== undefined) return files[0]
    return yield* new InitError({
      message: files.length === 0
        ? `no CSV file in ${dir}: name the ERP export, e.g. catalog-sync init exports/articles.csv`
        : `${files.length} CSV files in ${dir} (${files.join(", ")}): name the one to start from, e.g. catalog-sync init ${files[0]}`
    })
  })

export const command = Command.make("init", { csv, dir, name, json: Output.jsonOption }, (args) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const base = path.resolve(args.dir)
    const csvFile = path.resolve(Option.isSome(args.csv) ? args.csv.value : path.join(base, yield* findCsv(base)))
    const report = yield* Inspect.run(csvFile)
    if (report.headerLine === null) {
      return yield* new InitError({ message: `${csvFile}: the file has no header row; init matches columns by their names. Write the mapping by hand (docs/mapping.md) with erp.dialect.header set to the column names.` })
    }
    const mappingName = slug(Option.getOrElse(args.name, () => path.basename(csvFile, path.extname(csvFile))))
    const configFile = path.join(base, "sync.config.ts")
    const mappingFile = path.join(base, "mappings", `${mappingName}.ts`)
    for (const file of [configFile, mappingFile]) {
      if (yield* fs.exists(file)) return yield* new InitError({ message: `${file} already exists: init never overwrites a file. Move it away, or use --dir or --name.` })
    }
    const relative = (file: string) => {
      const r = path.relative(base, file).split(path.sep).join("/")
      return r.startsWith(".") || path.isAbsolute(r) ? r : `./${r}`
    }
    const suggestions = suggest(report.columns)
    yield* fs.makeDirectory(path.dirname(mappingFile), { recursive: true })
    yield* fs.writeFileString(mappingFile, mappingText(path.basename(csvFile), suggestions))
    yield* fs.writeFileString(configFile, configText(report, relative(csvFile), relative(mappingFile)))
    if (args.json) return yield* Console.log(JSON.stringify({ config: configFile, mapping: mappingFile, csv: csvFile, dialect: { encoding: report.encoding.name, delimiter: report.delimiter, decimal: report.decimal, skipLines: report.skipLines }, suggestions }, null, 2))
    const paint = Output.stdoutPaint()
    yield* Console.log([
      `Wrote ${configFile}`,
      `  and ${mappingFile}`,
      "",
      `${path.basename(csvFile)}: ${report.encoding.name}, delimiter ${report.delimiter === "\t" ? "tab" : q(report.delimiter)}, decimals ${report.decimal}, ${report.rowCount} rows${report.rowErrorCount > 0 ? paint.tone("bad", `, ${report.rowErrorCount} row errors (see catalog-sync inspect)`) : ""}`,
      "",
      Output.table(["column", "type", "matched with"], suggestions.map((s) => [s.column, s.kind, s.target ?? "— (suggested as a custom field, commented out)"]), paint),
      "",
      "Next:",
      "  catalog-sync config check     # the configuration loads",
      "  catalog-sync fields           # the account's product fields, to match the rest",
      "  catalog-sync plan             # what a sync would change"
    ].join("\n"))
  })
).pipe(
  Command.withDescription(
    "Start a configuration for an ERP export: inspects the CSV and writes sync.config.ts (with the detected dialect) and mappings/NAME.ts (columns matched to Pipedrive fields by their usual names, the rest suggested as custom fields). Never overwrites a file.\n\n" +
      "Examples:\n  catalog-sync init exports/articles.csv\n  catalog-sync init                                # the only .csv in this folder\n  catalog-sync init export.csv --dir ./sync --name shopware"
  )
)
