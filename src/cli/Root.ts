/**
 * The root command and the global `--config PATH` option. Subcommands accept `--config` as well,
 * so `catalog-sync --config x.ts plan` and `catalog-sync plan --config x.ts` both work.
 */
import { Command, Options } from "@effect/cli"
import { FileSystem } from "@effect/platform"
import { Effect, Option } from "effect"
import * as Loader from "../config/Loader.js"
import * as MappingLoad from "../mapping/Load.js"
import type * as Sync from "../sync/Sync.js"
import * as Output from "./Output.js"

export const configOption = Options.text("config").pipe(
  Options.withAlias("c"),
  Options.withDescription("the configuration file (default: ./sync.config.ts, else the bundled demo defaults)"),
  Options.optional
)

export const root = Command.make("catalog-sync", { config: configOption, logFormat: Output.logFormatOption })

/** Loads the configuration named by the subcommand's `--config`, else the root's, else the default. */
export const loadConfig = (own: Option.Option<string>) =>
  Effect.flatMap(root, (parent) => Loader.load(Option.orElse(own, () => parent.config)))

/** The configuration (as `loadConfig`) with its mapping and the mapping's text: what a sync runs on. */
export const loadForSync = (own: Option.Option<string>) =>
  Effect.gen(function*() {
    const config = yield* loadConfig(own)
    const mapping = yield* MappingLoad.load(config.mapping)
    const fs = yield* FileSystem.FileSystem
    const mappingText = yield* fs.readFileString(config.mapping).pipe(Effect.orElseSucceed(() => ""))
    const loaded: Sync.Loaded = { config, mapping, mappingText }
    return loaded
  })
