/**
 * The root command and the global `--config PATH` option. Subcommands accept `--config` as well,
 * so `catalog-sync --config x.ts plan` and `catalog-sync plan --config x.ts` both work.
 */
import { Command, Options } from "@effect/cli"
import { Effect, Option } from "effect"
import * as Loader from "../config/Loader.js"
import * as Output from "./Output.js"

export const configOption = Options.text("config").pipe(
  Options.withAlias("c"),
  Options.withDescription("the configuration file (default: ./sync.config.ts, else the bundled demo defaults)"),
  Options.optional
)

export const root = Command.make("catalog-sync", { config: configOption, logFormat: Output.logFormatOption })

/** The configuration file named by the subcommand's `--config`, else the root's (none: the default). */
const configPath = (own: Option.Option<string>) => Effect.map(root, (parent) => Option.orElse(own, () => parent.config))

/** Loads the configuration named by the subcommand's `--config`, else the root's, else the default. */
export const loadConfig = (own: Option.Option<string>) => Effect.flatMap(configPath(own), (file) => Loader.load(file))

/** Loads that configuration, its mapping and the mapping's text (`Loader.loadAll`). */
export const loadAll = (own: Option.Option<string>) => Effect.flatMap(configPath(own), (file) => Loader.loadAll(file))
