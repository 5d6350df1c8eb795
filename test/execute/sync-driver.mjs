// The built CLI with `sync` registered (until src/cli/main.ts registers it): the same composition
// as main.ts — parse, run, every user-caused failure a message and an exit code.
import { Command, ValidationError } from "@effect/cli"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Effect } from "effect"
import * as ExitCode from "../../dist/cli/ExitCode.js"
import { root } from "../../dist/cli/Root.js"
import * as SyncCommand from "../../dist/cli/SyncCommand.js"

const cli = Command.run(root.pipe(Command.withSubcommands([SyncCommand.command])), { name: "catalog-sync", version: "test" })

cli(process.argv).pipe(
  Effect.catchAll((error) => (ValidationError.isValidationError(error) ? Effect.sync(() => ExitCode.set(ExitCode.Error)) : ExitCode.report(error))),
  Effect.provide(NodeContext.layer),
  Effect.asVoid,
  (program) => NodeRuntime.runMain(program, { disableErrorReporting: true })
)
