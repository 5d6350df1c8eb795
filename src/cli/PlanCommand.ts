/**
 * `catalog-sync plan`: the dry run. Takes the run lock (a plan refreshes the state's snapshots and
 * spends the token's rate limit, so it never runs beside a sync), reads both sides, plans, records
 * itself in the state's runs, renders the plan in a report format; writes nothing to either side.
 * `--save` keeps the plan itself (JSON) for a later `apply`; `--detailed-exitcode` answers "is
 * there anything to do?": 0 no, 2 writes planned, 5 nothing to write but something needs a person
 * (conflicts held, ambiguous keys), 1 error.
 */
import { Command, Options } from "@effect/cli"
import { FileSystem } from "@effect/platform"
import { Console, Effect, Option, Stream } from "effect"
import * as Plan from "../domain/Plan.js"
import * as PlanJson from "../report/PlanJson.js"
import * as Report from "../report/Report.js"
import * as Sync from "../sync/Sync.js"
import * as ExitCode from "./ExitCode.js"
import * as Live from "./Live.js"
import * as Output from "./Output.js"
import { configOption, loadAll } from "./Root.js"

/** `--detailed-exitcode`: the plan would change something. */
export const changesPresent = 2
/** `--detailed-exitcode`: nothing to write, but something waits for a person (`Plan.needsAttention`). */
export const needsAttention = 5

/** The `--detailed-exitcode` answer for a plan: writes first, then what needs a person. */
export const detailedExitCode = (plan: Plan.Plan): number =>
  !Plan.isEmpty(plan) ? changesPresent : Plan.needsAttention(plan) ? needsAttention : ExitCode.Ok

const format = Options.choice("format", Report.formats).pipe(
  Options.withDefault("table" as const),
  Options.withDescription("table (for people, coloured on a terminal), markdown, json (docs/report-schema.md), csv (one row per field change) or html (one self-contained file)")
)
const save = Options.text("save").pipe(Options.optional, Options.withDescription("also save the plan itself as JSON to this file (for `apply`)"))
const detailedExitcode = Options.boolean("detailed-exitcode").pipe(
  Options.withDescription("exit 0 when there is nothing to do, 2 when something would be written, 5 when nothing would be written but something needs a person (conflicts held, ambiguous keys, write-back values the ERP file cannot hold), 1 on an error")
)

export const command = Command.make("plan", { config: configOption, format, out: Output.outOption, save, detailedExitcode }, (args) =>
  Effect.gen(function*() {
    const loaded = yield* loadAll(args.config)
    const fs = yield* FileSystem.FileSystem
    const paint = args.format === "table" && Option.isNone(args.out) ? Output.stdoutPaint() : undefined
    // Rendered and saved while the state holds the plan's staged links and agreements.
    const { plan, text } = yield* Sync.plan(loaded, (planned, rows) =>
      Effect.gen(function*() {
        const rejects = planned.rejects.map((r) => ({ line: r.line, key: r.key ?? null, reasons: r.errors.map((e) => (e.column === undefined ? e.reason : `${e.column}: ${e.reason}`)) }))
        const extra = { rejects, skipped: planned.skipped, ...(planned.rejectsFile === undefined ? {} : { rejectsFile: planned.rejectsFile }) }
        const text = yield* Report.plan(args.format, planned.plan, extra, paint, rows)
        if (Option.isSome(args.save)) {
          const file = args.save.value
          yield* Stream.run(PlanJson.saved(planned.plan, rows).pipe(Stream.concat(Stream.succeed("\n")), Stream.encodeText), fs.sink(file)).pipe(
            Effect.catchTag("SystemError", "BadArgument", (e) => new Output.OutputError({ message: `cannot save the plan to ${file}: ${e.message}` }))
          )
        }
        return { plan: planned.plan, text }
      })).pipe(Effect.provide(Live.sync(loaded.config)))
    yield* Output.emit(text, args.out, "The plan")
    if (Option.isSome(args.save)) yield* Console.error(`The plan itself is saved in ${args.save.value} (for apply).`)
    if (args.detailedExitcode) ExitCode.set(detailedExitCode(plan))
  })
).pipe(
  Command.withDescription(
    "Show what a sync would change, field by field, with its API token cost. Writes nothing to Pipedrive or the ERP.\n\n" +
      "Examples:\n" +
      "  catalog-sync plan\n" +
      "  catalog-sync plan --format json --out plan-report.json\n" +
      "  catalog-sync plan --format html --out plan.html          # open it in a browser; filter with #q=SKU&side=erp\n" +
      "  catalog-sync plan --format markdown > plan.md\n" +
      "  catalog-sync plan --format csv --out changes.csv         # one row per field change\n" +
      "  catalog-sync plan --save plan.json                       # keep the plan for `apply`\n" +
      "  catalog-sync plan --detailed-exitcode || [ $? -eq 2 ]    # 0 nothing to do, 2 changes, 5 needs a person, 1 error\n\n" +
      "Exit codes with --detailed-exitcode: 0 nothing to do; 2 writes planned (whatever else the plan holds); 5 nothing to write, but something needs a person (conflicts held for review, ambiguous keys, write-back values the ERP file cannot hold); 1 error. " +
      "A plan takes the state's run lock: while a sync runs, plan refuses, naming it."
  )
)
