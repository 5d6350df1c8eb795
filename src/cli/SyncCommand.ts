/**
 * `catalog-sync sync` and `catalog-sync apply PLANFILE`: one sync (`Sync.run`, printed by
 * `SyncRun.runOnce`). Finishes what an earlier run left unfinished before anything new is sent;
 * refuses a plan that trips a guard unless `--allow` names that guard or `--force` passes them all;
 * asks before writing on a terminal (`--yes` to skip), refuses without `--yes` elsewhere. Ends with
 * a summary and an exit code: 0 done, 1 error or refusal, 3 stopped on the budget, the token cap or
 * `--max-writes` (run again to continue), 4 finished with failed or unknown writes.
 */
import { Args, Command } from "@effect/cli"
import { FileSystem } from "@effect/platform"
import { Effect } from "effect"
import * as Plan from "../domain/Plan.js"
import { SyncError } from "../sync/Sync.js"
import * as Output from "./Output.js"
import { configOption } from "./Root.js"
import { runOnce, syncOptions } from "./SyncRun.js"

export const command = Command.make("sync", syncOptions, (args) => runOnce(args)).pipe(
  Command.withDescription(
    "Synchronise: read both sides, plan, check the guards, write to Pipedrive (journaled, resumable) and write the ERP-bound changes as a CSV, then print a summary.\n\n" +
      "Exit codes: 0 done; 1 error or refusal (a guard, no confirmation); 3 stopped on the daily budget, the run's token cap or --max-writes — run again to continue; 4 finished, but some writes failed or have an unknown outcome.\n\n" +
      "Examples:\n" +
      "  catalog-sync sync --dry-run            # the plan alone\n" +
      "  catalog-sync sync                      # asks before writing (on a terminal)\n" +
      "  catalog-sync sync --yes                # nightly job\n" +
      "  catalog-sync sync --yes --show-plan --report out/run.html\n" +
      "  catalog-sync sync --yes --max-writes 500\n" +
      "  catalog-sync sync --yes --allow maxChangedShare   # write although this one guard refuses\n" +
      "  catalog-sync sync --yes --force        # write although any guard refuses"
  )
)

const planFile = Args.text({ name: "PLANFILE" }).pipe(Args.withDescription("a plan saved by `catalog-sync plan --save PLANFILE`"))
const { force, allow, maxWrites, report, logFormat } = syncOptions

/** `catalog-sync apply PLANFILE`: executes a saved plan, refusing one whose inputs changed since. */
export const applyCommand = Command.make(
  "apply",
  { planFile, config: configOption, force, allow, maxWrites, report, json: Output.jsonOption, logFormat },
  (args) =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const text = yield* fs.readFileString(args.planFile).pipe(Effect.mapError(() => new SyncError({ message: `${args.planFile}: cannot be read (make one with \`catalog-sync plan --save ${args.planFile}\`)` })))
      const plan = yield* Plan.decodeJson(text).pipe(Effect.mapError(() => new SyncError({ message: `${args.planFile}: not a plan saved by \`catalog-sync plan --save\` (or saved by another version)` })))
      yield* runOnce({ ...args, dryRun: false, yes: true, full: false, showPlan: false }, { file: args.planFile, plan })
    })
).pipe(
  Command.withDescription(
    "Execute a plan saved with `plan --save`, as it was reviewed: both sides are read again and the plan is refused, with nothing written, when its inputs changed since (the ERP file, Pipedrive, the state or the mapping). Exit codes as `sync`.\n\n" +
      "Examples:\n  catalog-sync plan --save plan.json --format markdown --out plan.md   # review plan.md\n  catalog-sync apply plan.json"
  )
)
