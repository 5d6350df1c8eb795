/**
 * `catalog-sync init [CSV]`: a starting point for a new ERP export. Inspects the CSV (encoding,
 * delimiter, decimals, header) and reads its data, then writes `sync.config.ts` with that dialect and
 * `mappings/<name>.ts` with the guesses of `InitGuess` (the key, the usual fields, prices in the
 * currency the cells are in), each to check marked `// CHECK:`; columns it cannot place are listed
 * as commented custom-field suggestions. The config starts the bundled emulator on an empty account.
 * What it wrote is checked as `config check` and `plan` will (config, mapping, header, currencies);
 * it never overwrites a file.
 */
import { Args, Command, Options } from "@effect/cli"
import { FileSystem, Path } from "@effect/platform"
import { Console, Data, Effect, Either, Option } from "effect"
import * as Loader from "../config/Loader.js"
import * as Currency from "../domain/Currency.js"
import * as Problem from "../domain/Problem.js"
import type * as Dialect from "../erp/Dialect.js"
import * as Inspect from "../erp/Inspect.js"
import * as Compile from "../mapping/Compile.js"
import * as InitGuess from "./InitGuess.js"
import * as InitRows from "./InitRows.js"
import * as InspectCommand from "./InspectCommand.js"
import * as Output from "./Output.js"
import { emptyAccount } from "./Target.js"

export class InitError extends Data.TaggedError("InitError")<{ readonly message: string }> {}

const q = (s: string) => JSON.stringify(s)
const label = (column: string) => column.replace(/[_-]+/g, " ").replace(/\s+/g, " ").trim().replace(/^./, (c) => c.toUpperCase())

const fieldLine = (s: InitGuess.Suggestion, target: string): string => {
  const parts = [`erp: ${q(s.column)}`]
  if (target === "linkable") parts.push(`type: "boolean"`)
  else if (s.money === true) {
    parts.push(`type: "money"`)
    if (s.moneyDecimal !== undefined) parts.push(`decimal: ${q(s.moneyDecimal)}`)
  } else if (s.kind === "decimal" || s.kind === "integer") {
    if (target.startsWith("custom.") || target === "tax") parts.push(`type: "decimal"`)
    if (s.decimal === "mixed") parts.push(`decimal: "auto"`)
  }
  return `${q(target)}: { ${parts.join(", ")} }`
}

/** `27–30, 33`: column positions as ranges. */
const positions = (ps: ReadonlyArray<number>): string => {
  const ranges: Array<[number, number]> = []
  for (const p of ps) {
    const last = ranges[ranges.length - 1]
    if (last !== undefined && last[1] === p - 1) last[1] = p
    else ranges.push([p, p])
  }
  return ranges.map(([a, b]) => (a === b ? `${a}` : `${a}–${b}`)).join(", ")
}

const checkNote = (s: InitGuess.Suggestion) => (s.check === undefined ? "" : ` // CHECK: ${s.check}`)

/** The mapping module's text. */
export const mappingText = (csv: string, g: InitGuess.Guess): string => {
  const matched = g.suggestions.filter((s) => s.target !== undefined && s.target !== "key")
  const rest = g.suggestions.filter((s) => s.target === undefined && s.unnamed === undefined)
  const unnamed = g.suggestions.filter((s) => s.unnamed !== undefined)
  const nameFromKey = g.nameIsKey
    ? [`    "name": { erp: ${q(g.key)} }, // CHECK: no other column names the product: the key column is its name too`]
    : []
  const rows = g.rows === undefined
    ? []
    : [
      ...(g.rows.check === undefined ? [] : [`  // CHECK: ${g.rows.check}`]),
      g.rows.where !== undefined
        ? `  rows: { where: { ${Object.entries(g.rows.where).map(([c, v]) => `${q(c)}: ${q(v)}`).join(", ")} } },`
        : `  rows: { duplicates: "first" },`
    ]
  const name = (s: InitGuess.Suggestion) =>
    s.target === "name" && g.nameFallback !== undefined
      ? `"name": { erp: [${q(s.column)}, ${q(g.nameFallback)}], compute: (row) => String(row[${q(s.column)}] ?? row[${q(g.nameFallback)}] ?? "") }`
      : fieldLine(s, s.target as string)
  const fieldLines = matched.map((s) => (s.commented === true ? `    // ${name(s)},${checkNote(s)}` : `    ${name(s)},${checkNote(s)}`))
  const lines = [
    `// The mapping of ${csv} to Pipedrive products, written by \`catalog-sync init\` from the file's header and data.`,
    "// Each guess to check is marked CHECK; docs/mapping.md describes every option. `catalog-sync plan` shows what it would change.",
    `import { defineMapping } from "catalog-sync"`,
    "",
    "export default defineMapping({",
    ...(g.keyCheck === undefined ? [] : [`  // CHECK: ${g.keyCheck}`]),
    ...(g.variantsOf === undefined
      ? []
      : [`  // CHECK: ${q(g.variantsOf)} repeats: the file lists variants. Variants are not supported yet: ${g.key === g.variantsOf ? `each ${g.variantsOf}'s first row is its product` : "each variant SKU becomes a product of its own"}.`]),
    `  key: { erp: ${q(g.key)}, pipedrive: "code" },`,
    ...rows,
    "  fields: {",
    ...nameFromKey,
    ...fieldLines,
    ...(rest.length === 0
      ? []
      : [
        "    // Columns without a usual Pipedrive field. To sync one, uncomment it: it becomes a custom field of that",
        "    // label (create it in Pipedrive, or set createMissingFields: true below).",
        ...rest.map((s) => `    // ${fieldLine(s, `custom.${label(s.column)}`)},${checkNote(s)}`)
      ]),
    ...(unnamed.length === 0
      ? []
      : [
        `    // ${unnamed.length === 1 ? "Column" : "Columns"} ${positions(unnamed.map((s) => s.unnamed ?? 0))} ${unnamed.length === 1 ? "has" : "have"} values but no name in the header (such as ${q(unnamed[0]?.example ?? "")}): to map`,
        "    // one, name the file's columns with erp.dialect.header in the config."
      ]),
    "  }",
    "})",
    ""
  ]
  return lines.join("\n")
}

/** The configuration's text. */
export const configText = (report: Inspect.Report, csvPath: string, mappingPath: string, input: Dialect.Input = {}): string => {
  const oneLine = (s: string) => s.replace(/\s+/g, " ").trim()
  const detected = (what: RegExp) => report.notes.find((n) => what.test(n))
  const skipNote = input.skipLines === undefined ? detected(/before the header skipped/) : undefined
  const decimal = input.decimal ?? (report.decimal === "point" || report.decimal === "comma" ? report.decimal : report.decimal === "mixed" ? "auto" : undefined)
  const dialect: ReadonlyArray<readonly [string, string | undefined]> = [
    [`delimiter: ${q(report.delimiter)}`, undefined],
    ...(decimal === undefined ? [] : [[`decimal: ${q(decimal)}`, undefined] as const]),
    [`encoding: ${q(report.encoding.name)}`, report.rowErrorCount > 0 && input.encoding === undefined ? `detected; catalog-sync inspect shows ${report.rowErrorCount} row error(s) (bytes that are not ${report.encoding.name}, a NUL, a wrong number of fields): those rows are rejected, the others sync` : undefined],
    ...(report.skipLines > 0 || input.skipLines !== undefined ? [[`skipLines: ${report.skipLines}`, skipNote === undefined ? undefined : `detected: ${oneLine(skipNote)}`] as const] : []),
    ...(report.headerLine === null ? [[`header: false`, `the file has no header row: its columns are named by number ("1", "2", …)`] as const] : [])
  ]
  const dialectLines = dialect.map(([setting, note], i) => `      ${setting}${i < dialect.length - 1 ? "," : ""}${note === undefined ? "" : ` // ${note}`}`)
  return [
    `// catalog-sync configuration, written by \`catalog-sync init\` for ${csvPath}.`,
    "// Every setting is described in the README (Configuration).",
    `import { defineConfig } from "catalog-sync"`,
    "",
    "export default defineConfig({",
    "  pipedrive: {",
    "    // CHECK: your company's Pipedrive plan. It sets the request rate (per 2 s: lite 20, growth 40, premium 100,",
    "    // ultimate 120). \"lite\", the lowest, is safe on every account; set yours to sync faster.",
    `    plan: "lite",`,
    "    // Without PIPEDRIVE_API_TOKEN set, catalog-sync syncs with its bundled emulator, which starts here from an",
    "    // empty account (kept in emulator-account.json beside the state). To sync your real Pipedrive, set",
    "    // PIPEDRIVE_API_TOKEN and PIPEDRIVE_COMPANY_DOMAIN (or companyDomain here); this line is then not used.",
    `    emulator: { seed: "empty" }`,
    "  },",
    "  erp: {",
    `    path: ${q(csvPath)},`,
    ...(dialect.some(([, note]) => note !== undefined)
      ? ["    dialect: {", ...dialectLines, "    }"]
      : [`    dialect: { ${dialect.map(([setting]) => setting).join(", ")} }`]),
    "  },",
    `  mapping: ${q(mappingPath)},`,
    "  policies: {",
    `    mode: "additive",`,
    `    conflicts: "manual",`,
    `    deletes: "ignore"`,
    "  },",
    `  state: ".catalog-sync/state.db"`,
    "})",
    ""
  ].join("\n")
}

/**
 * What `config check` and `plan` check before anything is read from Pipedrive, on the files init
 * wrote: the configuration, the mapping's shape, and the mapping against the header and the empty
 * account's currencies.
 */
const checkWritten = (configFile: string, header: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const config = yield* Loader.load(Option.some(configFile)).pipe(Effect.either)
    if (Either.isLeft(config)) return config.left.problems
    const mapping = yield* Loader.loadMapping(config.right.mapping).pipe(Effect.either)
    if (Either.isLeft(mapping)) return mapping.left.problems
    const compiled = Compile.compile(mapping.right, {
      header,
      fields: [],
      currencies: Currency.ofAccount(emptyAccount.currencies),
      pins: [],
      mode: config.right.policies.mode,
      conflicts: config.right.policies.conflicts,
      source: config.right.mapping
    })
    return Either.isLeft(compiled) ? compiled.left : []
  })

const unnamedNote = (g: InitGuess.Guess): ReadonlyArray<string> => {
  const withValues = g.suggestions.filter((s) => s.unnamed !== undefined).length
  const all = g.unnamedEmpty + withValues
  if (all === 0) return []
  const parts = [g.unnamedEmpty > 0 ? `${g.unnamedEmpty} empty` : "", withValues > 0 ? `${withValues} with values (listed in the mapping)` : ""].filter((p) => p !== "")
  return [`${all} column(s) without a name in the header were left out of the mapping: ${parts.join(", ")}.`]
}

/** What init decided that a user should know before the first plan. */
const summaryNotes = (g: InitGuess.Guess, ps: ReadonlyArray<InitGuess.Profile>, report: Inspect.Report): ReadonlyArray<string> => {
  const keyProfile = ps[report.columns.findIndex((c) => c.name === g.key)]
  const rows = report.rowCount
  const rejected = g.rows !== undefined || keyProfile === undefined ? 0 : rows - keyProfile.filled + (keyProfile.filled - keyProfile.distinct)
  return [
    ...(report.skipLines > 0 ? [`${report.skipLines} line(s) above the header were skipped (erp.dialect.skipLines in the config says why).`] : []),
    ...unnamedNote(g),
    ...(g.rows?.summary === undefined ? [] : [g.rows.summary]),
    ...(g.variantsOf === undefined
      ? []
      : [`${q(g.variantsOf)} repeats: the file lists a product's variants and images on rows of their own. Variants are not supported yet${g.rows === undefined ? `: each variant SKU becomes a product of its own, and rows without one (image rows) are rejected as having no key` : `: the first row of each ${g.variantsOf} is read`}.`]),
    ...(rejected * 2 > rows
      ? [`At least ${rejected} of ${rows} rows will be rejected (no ${g.key}, or one shared with other rows): the plan lists them, and a guard may refuse to sync when most rows are rejected. Check the plan; then sync with --allow maxRejectedShare, or choose another key (key.erp, and rows in docs/mapping.md).`]
      : [])
  ]
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

export const command = Command.make("init", { csv, dir, name, json: Output.jsonOption, ...InspectCommand.dialectOptions }, (args) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const base = path.resolve(args.dir)
    const csvFile = path.resolve(Option.isSome(args.csv) ? args.csv.value : path.join(base, yield* findCsv(base)))
    const input = InspectCommand.dialectInput(args)
    const report = yield* Inspect.run(csvFile, input)
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
    const fileDecimal = report.decimal === "point" || report.decimal === "comma" ? report.decimal : "auto"
    const data = yield* InitGuess.profiles(csvFile, input)
    const guessed = InitGuess.guess(report.columns, data.columns, data.rows, fileDecimal)
    const rows = guessed.rows ?? (guessed.variantsOf === undefined ? yield* InitRows.choose(csvFile, input, guessed.key) : undefined)
    // The rows' CHECK says why the key repeats and which rows are read; the key's own would say they are rejected.
    const g: InitGuess.Guess = rows === undefined || guessed.rows !== undefined ? guessed : { ...guessed, rows, keyCheck: undefined }
    yield* fs.makeDirectory(path.dirname(mappingFile), { recursive: true })
    yield* fs.writeFileString(mappingFile, mappingText(path.basename(csvFile), g))
    yield* fs.writeFileString(configFile, configText(report, relative(csvFile), relative(mappingFile), input))
    const problems = yield* checkWritten(configFile, report.columns.map((c) => c.name))
    const suggestions = g.suggestions
    if (args.json) {
      yield* Console.log(JSON.stringify({ config: configFile, mapping: mappingFile, csv: csvFile, dialect: { encoding: report.encoding.name, delimiter: report.delimiter, decimal: report.decimal, skipLines: report.skipLines }, key: g.key, rows: g.rows, suggestions, notes: summaryNotes(g, data.columns, report), problems }, null, 2))
    } else {
      const paint = Output.stdoutPaint()
      const matched = (s: InitGuess.Suggestion) =>
        s.target === undefined ? "— (suggested as a custom field, commented out)" : `${s.target}${s.money === true ? " (money)" : ""}${s.commented === true ? " (commented out)" : ""}${s.check !== undefined || (s.target === "key" && g.keyCheck !== undefined) ? "  CHECK" : ""}`
      yield* Console.log([
        `Wrote ${configFile}`,
        `  and ${mappingFile}`,
        "",
        `${path.basename(csvFile)}: ${report.encoding.name}, delimiter ${report.delimiter === "\t" ? "tab" : q(report.delimiter)}, decimals ${report.decimal}, ${report.rowCount} rows${report.rowErrorCount > 0 ? paint.tone("bad", `, ${report.rowErrorCount} row errors (see catalog-sync inspect)`) : ""}`,
        "",
        Output.table(["column", "type", "matched with"], suggestions.filter((s) => s.unnamed === undefined).map((s) => [s.column, s.kind, matched(s)]), paint),
        "",
        ...summaryNotes(g, data.columns, report).flatMap((n) => [n, ""]),
        "The guesses marked CHECK are explained in the mapping, next to each.",
        "With no PIPEDRIVE_API_TOKEN set, plan and sync use the bundled emulator, starting from an empty account: your",
        "products are planned as new ones, and nothing reaches your Pipedrive. To sync your real account, set",
        "PIPEDRIVE_API_TOKEN and PIPEDRIVE_COMPANY_DOMAIN (and pipedrive.plan to your plan).",
        "",
        "Next:",
        "  catalog-sync config check     # the configuration loads",
        "  catalog-sync fields           # the account's product fields, to match the rest",
        "  catalog-sync plan             # what a sync would change"
      ].join("\n"))
    }
    if (problems.length > 0) {
      return yield* new InitError({ message: [`${mappingFile} does not load yet; fix this, then run catalog-sync config check:`, ...problems.map((p) => `  - ${Problem.render(p)}`)].join("\n") })
    }
  })
).pipe(
  Command.withDescription(
    "Start a configuration for an ERP export: inspects the CSV and writes sync.config.ts (with the detected dialect) and mappings/NAME.ts (columns matched to Pipedrive fields by their usual names, the rest suggested as custom fields). Never overwrites a file.\n\n" +
      "Examples:\n  catalog-sync init exports/articles.csv\n  catalog-sync init                                # the only .csv in this folder\n  catalog-sync init export.csv --dir ./sync --name shopware"
  )
)
