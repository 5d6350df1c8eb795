/**
 * The entry point: parses the command line, runs the command on Node's platform (the services each
 * command uses come from the composition root, Live.ts), and turns every failure a user can cause
 * into a clear message and an exit code.
 */
import { Command, ValidationError } from "@effect/cli"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Cause, Console, Effect } from "effect"
import * as Version from "../Version.js"
import * as ConfigCommand from "./ConfigCommand.js"
import * as EmulatorCommand from "./EmulatorCommand.js"
import * as FieldsCommand from "./FieldsCommand.js"
import * as InitCommand from "./InitCommand.js"
import * as InspectCommand from "./InspectCommand.js"
import * as Live from "./Live.js"
import * as Output from "./Output.js"
import * as PlanCommand from "./PlanCommand.js"
import * as RunsCommand from "./RunsCommand.js"
import * as ScheduleCommand from "./ScheduleCommand.js"
import * as StatusCommand from "./StatusCommand.js"
import * as SyncCommand from "./SyncCommand.js"
import * as ExitCode from "./ExitCode.js"
import { root } from "./Root.js"

const command = root.pipe(
  Command.withDescription("Two-way product-catalog sync between Pipedrive and ERP/CSV catalogs."),
  Command.withSubcommands([
    PlanCommand.command,
    SyncCommand.command,
    SyncCommand.applyCommand,
    ScheduleCommand.command,
    StatusCommand.command,
    RunsCommand.command,
    FieldsCommand.command,
    InspectCommand.command,
    InitCommand.command,
    EmulatorCommand.command,
    ConfigCommand.command
  ]),
  Command.provide((args) => Live.logger(args.logFormat))
)

const cli = Command.run(command, { name: "catalog-sync", version: Version.version })

cli(process.argv).pipe(
  Effect.catchAll((error) =>
    ValidationError.isValidationError(error)
      ? Effect.sync(() => ExitCode.set(ExitCode.Error)) // @effect/cli has printed what was wrong
      : ExitCode.report(error)
  ),
  Effect.catchAllDefect((defect) =>
    Console.error(`catalog-sync: internal error (a bug; please report it with this trace):\n${Cause.pretty(Cause.die(defect))}`).pipe(
      Effect.zipRight(Effect.sync(() => ExitCode.set(ExitCode.Error)))
    )
  ),
  Output.withPlainConsole,
  Effect.provide(NodeContext.layer),
  Effect.asVoid,
  (program) => NodeRuntime.runMain(program, { disableErrorReporting: true })
)
