/**
 * `catalog-sync config check`: validate the configuration, load its mapping and run every up-front
 * mapping check it can — against the ERP file's header (only the header is read) and against the
 * account's product fields and currencies when the account answers — then print it all resolved,
 * secrets redacted. Every problem is reported at once.
 */
import { Command, Options } from "@effect/cli"
import { Console, Effect, Either, Logger, LogLevel } from "effect"
import { ConfigError } from "../config/ConfigError.js"
import * as Loader from "../config/Loader.js"
import type { ResolvedConfig } from "../config/SyncConfig.js"
import * as Currency from "../domain/Currency.js"
import * as Problem from "../domain/Problem.js"
import { CatalogSource } from "../source/CatalogSource.js"
import type { AccountField } from "../mapping/AccountFields.js"
import * as Compile from "../mapping/Compile.js"
import type { MappingInput } from "../mapping/Mapping.js"
import { Pipedrive } from "../pipedrive/Pipedrive.js"
import type { PipedriveError } from "../pipedrive/PipedriveError.js"
import * as Live from "./Live.js"
import { configOption, loadAll } from "./Root.js"

const json = Options.boolean("json").pipe(Options.withDescription("print the resolved configuration as JSON"))
const offline = Options.boolean("offline").pipe(Options.withDescription("check the mapping against the ERP file's header only, without asking Pipedrive for its product fields"))

/** The human summary of a resolved configuration. */
export const summary = (config: ResolvedConfig): string => {
  const d = Loader.describe(config)
  const mode = config.policies.mode
  const g = config.policies.guards
  return [
    `Configuration: ${d.source}`,
    `  Pipedrive   ${d.pipedrive.target}  (plan ${d.pipedrive.plan}, ${d.pipedrive.burstLimit} requests / 2 s${d.pipedrive.tokenCap ? `, token cap ${d.pipedrive.tokenCap} per run` : ""})`,
    `  token       ${d.pipedrive.token}`,
    `  ERP catalog ${config.erp.path}`,
    `  write-back  ${config.erp.writeBack.path} (${config.erp.writeBack.mode}; values the file cannot hold: ${config.erp.writeBack.unencodable === "replace" ? "replaced with ?" : "refused"})`,
    `  mapping     ${config.mapping}`,
    `  mode        to Pipedrive: ${mode.toPipedrive}, to ERP: ${mode.toErp}; conflicts: ${config.policies.conflicts}; deletes: ${config.policies.deletes}`,
    `  guards      at most ${pct(g.maxChangedShare)} of existing products updated, ${pct(g.maxDeletedShare)} deleted, ${pct(g.maxRowDrop)} fewer ERP rows than last run, ${pct(g.maxRejectedShare)} of rows rejected; each only from ${g.minCount} products or rows on`,
    `  state       ${config.state}`
  ].join("\n")
}

const pct = (share: number) => `${Math.round(share * 1000) / 10} %`

/** What the mapping was checked against. */
export interface MappingCheck {
  readonly fields: number
  readonly columns: number | undefined
  /** `checked`, or why the account checks were skipped. */
  readonly account: { readonly checked: true; readonly fields: number } | { readonly checked: false; readonly skipped: string }
}

/** Failures that say the account cannot be reached now (rather than that the configuration is wrong). */
const unreachable: ReadonlySet<PipedriveError["reason"]> = new Set(["Transport", "Timeout", "Server", "RateLimited", "BudgetExhausted"])

/** The account's product fields and currencies; `Left` with why they could not be read (an unreachable account), or a problem (a refused token). */
const readAccount = (config: ResolvedConfig) =>
  Effect.gen(function*() {
    const pipedrive = yield* Pipedrive
    return yield* Effect.all([pipedrive.productFields(), pipedrive.currencies()], { concurrency: 2 })
  }).pipe(
    Effect.provide(Live.pipedrive(config, true)),
    Logger.withMinimumLogLevel(LogLevel.Error), // a failed attempt is reported once, below, not as retry warnings
    Effect.map(([fields, currencies]) => Either.right({ fields: fields as ReadonlyArray<AccountField>, currencies })),
    Effect.catchTag("PipedriveError", (e) =>
      unreachable.has(e.reason) ? Effect.succeed(Either.left(`Pipedrive did not answer (${e.message})`)) : Effect.fail(Problem.make("pipedrive", `the account refused to list its product fields: ${e.message}`))
    ),
    Effect.catchTag("TargetError", (e) => Effect.fail(Problem.make("pipedrive", e.message)))
  )

/** Compiles the mapping against the header and the account, as `plan` would; every problem at once. */
const checkMapping = (config: ResolvedConfig, mapping: MappingInput, offline: boolean) =>
  Effect.gen(function*() {
    const problems: Array<Problem.Problem> = []
    const header = yield* Effect.flatMap(CatalogSource, (source) => source.columns).pipe(
      Effect.provide(Live.catalog(config)),
      Effect.catchAll((e) => Effect.sync(() => void problems.push(Problem.make(config.erp.path, `the header cannot be read: ${e.message}`))))
    )
    const account = offline
      ? Either.left("--offline")
      : yield* readAccount(config).pipe(Effect.catchAll((p) => Effect.sync(() => (problems.push(p), Either.left("the account refused the request")))))
    const ctx: Compile.CompileContext = {
      header: header ?? undefined,
      fields: Either.isRight(account) ? account.right.fields : [],
      currencies: Currency.ofAccount(Either.isRight(account) ? account.right.currencies : []),
      pins: [],
      mode: config.policies.mode,
      conflicts: config.policies.conflicts,
      source: config.mapping,
      offline: Either.isLeft(account)
    }
    const compiled = Compile.compile(mapping, ctx)
    if (Either.isLeft(compiled)) problems.push(...compiled.left)
    if (problems.length > 0) return yield* new ConfigError({ source: config.mapping, subject: "mapping", problems })
    const check: MappingCheck = {
      fields: Object.keys(mapping.fields).length,
      columns: header?.length,
      account: Either.isRight(account) ? { checked: true, fields: account.right.fields.length } : { checked: false, skipped: account.left }
    }
    return check
  })

const describeCheck = (config: ResolvedConfig, c: MappingCheck): string =>
  [
    `The mapping ${config.mapping} is valid: ${c.fields} fields, checked against the header of ${config.erp.path} (${c.columns} columns)`,
    c.account.checked ? `and the account's ${c.account.fields} product fields.` : `— the checks against the account were skipped: ${c.account.skipped}. They run again with plan and sync.`
  ].join(c.account.checked ? " " : "\n")

export const check = Command.make("check", { config: configOption, json, offline }, ({ config, json, offline }) =>
  Effect.gen(function*() {
    const { config: resolved, mapping } = yield* loadAll(config)
    const result = yield* checkMapping(resolved, mapping, offline)
    if (json) yield* Console.log(JSON.stringify({ ...Loader.describe(resolved), mappingCheck: result }, null, 2))
    else yield* Console.log(`${summary(resolved)}\n\n${describeCheck(resolved, result)}\nThe configuration is valid.`)
  })
).pipe(
  Command.withDescription(
    "Validate the configuration and its mapping, and print the configuration resolved (the token shown as <redacted>). The mapping is checked as plan checks it: against the ERP file's header and, when the account answers, against its product fields and currencies (an account that does not answer is reported as skipped, not as an error; --offline skips it). Exit 1 with every problem at once.\n\nExamples:\n  catalog-sync config check\n  catalog-sync config check --offline\n  catalog-sync config check --config ./nightly.config.ts --json"
  )
)

export const command = Command.make("config").pipe(
  Command.withDescription("Work with the configuration file."),
  Command.withSubcommands([check])
)
