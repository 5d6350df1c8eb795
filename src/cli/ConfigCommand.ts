/** `catalog-sync config check`: validate the configuration and print it resolved, secrets redacted. */
import { Command, Options } from "@effect/cli"
import { Console, Effect } from "effect"
import * as Loader from "../config/Loader.js"
import type { ResolvedConfig } from "../config/SyncConfig.js"
import { configOption, loadConfig } from "./Root.js"

const json = Options.boolean("json").pipe(Options.withDescription("print the resolved configuration as JSON"))

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
    `  write-back  ${config.erp.writeBack.path} (${config.erp.writeBack.mode})`,
    `  mapping     ${config.mapping}`,
    `  mode        to Pipedrive: ${mode.toPipedrive}, to ERP: ${mode.toErp}; conflicts: ${config.policies.conflicts}; deletes: ${config.policies.deletes}`,
    `  guards      at most ${pct(g.maxChangedShare)} changed, ${pct(g.maxDeletedShare)} deleted, ${pct(g.maxRowDrop)} fewer ERP rows than last run`,
    `  state       ${config.state}`
  ].join("\n")
}

const pct = (share: number) => `${Math.round(share * 1000) / 10} %`

export const check = Command.make("check", { config: configOption, json }, ({ config, json }) =>
  Effect.gen(function*() {
    const resolved = yield* loadConfig(config)
    if (json) yield* Console.log(JSON.stringify(Loader.describe(resolved), null, 2))
    else yield* Console.log(`${summary(resolved)}\n\nThe configuration is valid.`)
  })
).pipe(Command.withDescription("Validate the configuration and print it resolved (the token shown as <redacted>). Exit 1 on any problem.\n\nExamples:\n  catalog-sync config check\n  catalog-sync config check --config ./nightly.config.ts --json"))

export const command = Command.make("config").pipe(
  Command.withDescription("Work with the configuration file."),
  Command.withSubcommands([check])
)
