/**
 * The configuration of a sync: its Schema (what a user writes in `sync.config.ts`), `defineConfig`
 * for typed authoring, and the resolved form the engine runs on (absolute paths, the Pipedrive
 * target with its token as `Redacted`, defaults filled in).
 */
import { Context, Redacted, Schema } from "effect"
import { ConflictPolicy, DeletePolicy, Guards, Modes, SyncMode } from "../domain/Policy.js"

/** The decoded value of `{}`: every default of a section filled in. */
const defaultsOf = <A, I>(schema: Schema.Schema<A, I>) => () => Schema.decodeUnknownSync(schema)({})

const positiveInt = Schema.Int.pipe(Schema.positive())

export const Plan = Schema.Literal("lite", "growth", "premium", "ultimate")
export type Plan = typeof Plan.Type

/** Requests per rolling 2-second window for an API token, by plan (Pipedrive's published limits). */
export const burstLimitByPlan: Readonly<Record<Plan, number>> = { lite: 20, growth: 40, premium: 100, ultimate: 120 }

/**
 * The account the bundled emulator starts from the first time (later runs continue from the saved
 * `emulator-account.json`): `demo` (the demo's products and fields, the default), `empty` (no
 * products, no custom fields, the ISO currencies), or a seed JSON file (relative to the config).
 */
export const EmulatorSeed = Schema.String.pipe(Schema.minLength(1))

export const PipedriveInput = Schema.Struct({
  /** `acme` for `https://acme.pipedrive.com`. Defaults to `PIPEDRIVE_COMPANY_DOMAIN`. */
  companyDomain: Schema.optional(
    Schema.String.pipe(
      Schema.pattern(/^[a-z0-9][a-z0-9-]*$/i, {
        message: (i) => `expected the company part of https://COMPANY.pipedrive.com, such as "acme", got ${JSON.stringify(i.actual)}`
      })
    )
  ),
  /** An explicit API origin (a running `catalog-sync emulator`, a proxy). Defaults to `PIPEDRIVE_BASE_URL`. */
  baseUrl: Schema.optional(
    Schema.String.pipe(
      Schema.pattern(/^https?:\/\/[^\s/]+(\/.*)?$/, {
        message: (i) => `expected an http(s) URL such as "http://127.0.0.1:8080", got ${JSON.stringify(i.actual)}`
      })
    )
  ),
  /**
   * The company's Pipedrive plan: it sets the request rate (requests per 2 s: lite 20, growth 40,
   * premium 100, ultimate 120). Default `lite`, the lowest: a rate no account refuses; set the
   * account's plan to go faster.
   */
  plan: Schema.optionalWith(Plan, { default: () => "lite" as const }),
  /** Overrides the plan's burst limit (requests per 2 s). */
  burstLimit: Schema.optional(positiveInt),
  /** Stop a run cleanly once it has spent this many API tokens. */
  tokenCap: Schema.optional(positiveInt),
  /** The company's daily token budget, when known: shown beside each run's usage. */
  dailyBudget: Schema.optional(positiveInt),
  timeoutMs: Schema.optionalWith(positiveInt, { default: () => 30_000 }),
  /** Writes in flight at once (the rate gate still paces them). */
  concurrency: Schema.optionalWith(positiveInt.pipe(Schema.lessThanOrEqualTo(32)), { default: () => 4 }),
  /** The bundled emulator (used with no token set): the account it starts from on the first run. */
  emulator: Schema.optional(Schema.Struct({ seed: Schema.optional(EmulatorSeed) }))
})

export const Encoding = Schema.Literal("auto", "utf-8", "utf-16le", "utf-16be", "windows-1252", "latin1")
export const Delimiter = Schema.Literal(",", ";", "\t", "|")
export const DecimalStyle = Schema.Literal("point", "comma", "auto")

export const DialectInput = Schema.Struct({
  encoding: Schema.optionalWith(Encoding, { exact: true }),
  delimiter: Schema.optionalWith(Delimiter, { exact: true }),
  quote: Schema.optionalWith(Schema.String.pipe(Schema.length(1)), { exact: true }),
  /** How decimals are written; `auto` detects it per column and refuses ambiguous ones. */
  decimal: Schema.optionalWith(DecimalStyle, { exact: true }),
  thousands: Schema.optionalWith(Schema.Literal(".", ",", " ", "'", "none"), { exact: true }),
  /** Lines before the header (a report title, an export date). */
  skipLines: Schema.optionalWith(Schema.Int.pipe(Schema.nonNegative()), { exact: true }),
  /** `false` when the file has no header row; or the column names to use instead of it. */
  header: Schema.optionalWith(Schema.Union(Schema.Boolean, Schema.NonEmptyArray(Schema.String)), { exact: true }),
  lineEnding: Schema.optionalWith(Schema.Literal("lf", "crlf", "cr"), { exact: true })
})

export const Unencodable = Schema.Literal("refuse", "replace")
export type Unencodable = typeof Unencodable.Type

export const WriteBackInput = Schema.Struct({
  path: Schema.String,
  /** `patch`: one row per changed or new product, key plus changed columns; `full`: the whole catalog. */
  mode: Schema.optionalWith(Schema.Literal("patch", "full"), { default: () => "patch" as const }),
  /**
   * A Pipedrive value with characters the ERP file's encoding cannot hold (an emoji in a
   * Windows-1252 file): `refuse` leaves it out and shows it in every plan until it can be written;
   * `replace` writes `?` in place of each such character and lists what was replaced.
   */
  unencodable: Schema.optionalWith(Unencodable, { default: () => "refuse" as const })
})

export const ErpInput = Schema.Struct({
  path: Schema.String,
  dialect: Schema.optionalWith(DialectInput, { default: () => ({}) }),
  writeBack: Schema.optional(WriteBackInput)
})

export const PoliciesInput = Schema.Struct({
  /**
   * Per direction: `mirror` creates, updates and applies the delete policy; `additive` creates and
   * updates; `update-only` only updates; `off` sends nothing that way.
   */
  mode: Schema.optionalWith(
    Schema.Union(SyncMode, Modes),
    { default: () => "additive" as const }
  ),
  conflicts: Schema.optionalWith(ConflictPolicy, { default: () => "manual" as const }),
  deletes: Schema.optionalWith(DeletePolicy, { default: () => "ignore" as const }),
  guards: Schema.optionalWith(Guards, { default: defaultsOf(Guards) })
})

/** The whole configuration, as written in `sync.config.ts`. */
export const ConfigInput = Schema.Struct({
  pipedrive: Schema.optionalWith(PipedriveInput, { default: defaultsOf(PipedriveInput) }),
  erp: ErpInput,
  /** The mapping module (`defineMapping`), relative to the config file. */
  mapping: Schema.optionalWith(Schema.String, { default: () => "./mappings/default.ts" }),
  policies: Schema.optionalWith(PoliciesInput, { default: defaultsOf(PoliciesInput) }),
  /** The SQLite state file, relative to the config file. */
  state: Schema.optionalWith(Schema.String, { default: () => ".catalog-sync/state.db" })
})

/** What a user writes: every default optional. */
export type ConfigInput = typeof ConfigInput.Encoded
/** The decoded input, defaults filled in, paths not yet resolved. */
export type DecodedInput = typeof ConfigInput.Type

/** Typed authoring for `sync.config.ts`: `export default defineConfig({ ... })`. */
export const defineConfig = (config: ConfigInput): ConfigInput => config

/** Where the engine sends its Pipedrive requests. */
export type Target =
  | { readonly _tag: "Emulator" }
  | { readonly _tag: "Remote"; readonly baseUrl: string; readonly token: Redacted.Redacted<string> }

export type Dialect = typeof DialectInput.Type

/** The configuration the engine runs on. */
export interface ResolvedConfig {
  /** The file it came from, or `null` for the embedded defaults. */
  readonly source: string | null
  readonly baseDir: string
  readonly pipedrive: {
    readonly target: Target
    readonly plan: Plan
    readonly burstLimit: number
    readonly tokenCap: number | undefined
    readonly dailyBudget: number | undefined
    readonly timeoutMs: number
    readonly concurrency: number
    /** The bundled emulator's first account: `demo`, `empty` or a seed file's absolute path (default `demo`). */
    readonly emulatorSeed?: string
  }
  readonly erp: {
    readonly path: string
    readonly dialect: Dialect
    readonly writeBack: { readonly path: string; readonly mode: "patch" | "full"; readonly unencodable: Unencodable }
  }
  readonly mapping: string
  readonly policies: {
    readonly mode: Modes
    readonly conflicts: ConflictPolicy
    readonly deletes: DeletePolicy
    readonly guards: Guards
  }
  readonly state: string
}

export class SyncConfig extends Context.Tag("catalog-sync/SyncConfig")<SyncConfig, ResolvedConfig>() {}
