/**
 * One sync as the command line runs it (`sync`, `apply`, each `schedule` tick): the options, the
 * terminal's side of `Sync.Interaction` (confirmation, progress, what was overridden or created),
 * the summary, the report file and the exit code. The run itself is `Sync.run`.
 */
import { Command, Options } from "@effect/cli"
import { Console, Effect, Layer, Option } from "effect"
import * as readline from "node:readline"
import * as Plan from "../domain/Plan.js"
import * as Report from "../report/Report.js"
import * as Sync from "../sync/Sync.js"
import * as ExitCode from "./ExitCode.js"
import * as Live from "./Live.js"
import * as Output from "./Output.js"
import { configOption, loadAll } from "./Root.js"
import * as RunsCommand from "./RunsCommand.js"
import * as SyncSummary from "./SyncSummary.js"

const dryRun = Options.boolean("dry-run").pipe(Options.withDescription("show the plan and stop: nothing is written to Pipedrive or the ERP"))
const yes = Options.boolean("yes").pipe(Options.withAlias("y"), Options.withDescription("write without asking (required when not on a terminal)"))
const force = Options.boolean("force").pipe(Options.withDescription("write even when the plan trips a guard (policies.guards); says which guards were overridden"))
const allow = Options.text("allow").pipe(
  Options.repeated,
  Options.withDescription(`write although the plan trips this one guard, the others still checked; repeatable (${Plan.guardNames.join(", ")})`)
)
const maxWrites = Options.integer("max-writes").pipe(Options.optional, Options.withDescription("send at most N writes this run; the rest stay journaled for the next run (exit 3)"))
const showPlan = Options.boolean("show-plan").pipe(Options.withDescription("print the plan before writing, also with --yes"))
const report = Options.text("report").pipe(
  Options.optional,
  Options.withDescription("after the run, write its report to FILE; the format follows the extension: .html, .md, .json, .csv, else text")
)
const full = Options.boolean("full").pipe(Options.withDescription("pull every Pipedrive product (a full pass, catching deletions and drift) rather than those changed since the last run"))
const logFormat = Output.logFormatOption.pipe(Options.optional)

export const syncOptions = { config: configOption, dryRun, yes, force, allow, maxWrites, full, showPlan, report, json: Output.jsonOption, logFormat }

export type SyncArgs = Command.Command.ParseConfig<typeof syncOptions>

/** Asks on the terminal; true for y/yes. */
const ask = (question: string) =>
  Effect.async<boolean>((resume) => {
    const rl = readline.createInterface({ input: process.stdin, output: process.stderr })
    rl.question(question, (answer) => {
      rl.close()
      resume(Effect.succeed(/^\s*y(es)?\s*$/i.test(answer)))
    })
    return Effect.sync(() => rl.close())
  })

/** The plan as a table, for the terminal. */
const planTable = (plan: Plan.Plan) => Report.planText("table", plan, {}, Output.stdoutPaint())
const showPlanTable = (plan: Plan.Plan) => Console.log(planTable(plan))

/** The terminal's side of a run. */
const terminal: Sync.Interaction = {
  event: (e) => {
    switch (e._tag) {
      case "GuardsOverridden":
        return Console.error(`${e.by}: writing although the plan trips ${e.guards.map((g) => `${g.name} (${g.message})`).join("; ")}`)
      case "FieldCreated":
        return Console.error(`created the custom field "${e.label}" (${e.type}) in Pipedrive`)
      case "FieldsNotCreated":
        return Console.error(`the custom fields ${e.labels.map((l) => `"${l}"`).join(", ")} were not created: ${e.why}`)
      case "Replanned":
        return Console.error(`planned again: ${e.why}`)
    }
  },
  confirm: (plan, { writes, erpOps }) =>
    Effect.gen(function*() {
      if (process.stdin.isTTY !== true || process.stderr.isTTY !== true) {
        return yield* new Sync.SyncError({
          message: `refused: this sync would send ${writes} writes to Pipedrive and ${erpOps} changes to the ERP, and there is no terminal to confirm on. Review it with \`catalog-sync sync --dry-run\` (or \`catalog-sync plan\`), then run \`catalog-sync sync --yes\`.`
        })
      }
      yield* showPlanTable(plan)
      return yield* ask(`Send ${writes} writes to Pipedrive (${plan.totals.tokens} API tokens) and ${erpOps} changes to the ERP write-back? [y/N] `)
    }),
  showPlan: (plan) => Console.log(`${planTable(plan)}\n`),
  progress: (total) => {
    const p = Output.progress("writing", total)
    return { advance: () => p.advance(1), done: p.done }
  }
}

/** The lines about ERP rows kept aside or skipped, printed after the run. */
const erpLines = (facts: Sync.ErpFacts) => [
  ...(facts.rejects.length === 0 ? [] : [`${facts.rejects.length} ERP rows kept aside${facts.rejectsFile === undefined ? "" : ` (see ${facts.rejectsFile})`}`]),
  ...facts.skipped.map((s) => `ERP lines skipped (not products): ${s}`)
]

const reportFormat = (file: string) =>
  /\.html?$/i.test(file) ? "html" : /\.(md|markdown)$/i.test(file) ? "markdown" : /\.json$/i.test(file) ? "json" : /\.csv$/i.test(file) ? "csv" : "table"

/** One sync (or, with `saved`, the application of a saved plan), printed, with its exit code set. */
export const runOnce = (args: SyncArgs, saved?: Sync.Saved) =>
  Effect.gen(function*() {
    const allowed = yield* Sync.checkAllowed(args.allow)
    const loaded = yield* loadAll(args.config)
    const program = Effect.gen(function*() {
      if (args.dryRun) {
        const preview = yield* Sync.preview(loaded, { full: args.full })
        yield* showPlanTable(preview.plan)
        for (const l of erpLines(preview)) yield* Console.error(l)
        return
      }
      const options: Sync.RunOptions = { yes: args.yes, force: args.force, allow: allowed, maxWrites: Option.getOrUndefined(args.maxWrites), full: args.full, showPlan: args.showPlan, saved }
      const { runId, summary, ...facts } = yield* Sync.run(loaded, options, terminal)
      yield* Console.log(args.json ? JSON.stringify({ runId, ...summary }, null, 2) : SyncSummary.render(summary, runId))
      if (Option.isSome(args.report)) {
        yield* Output.emit(Report.run(reportFormat(args.report.value), yield* RunsCommand.one(runId)), args.report, `The report of run ${runId}`)
      }
      for (const l of erpLines(facts)) yield* Console.error(l)
      if (summary.status !== "succeeded") ExitCode.set(summary.status === "stopped" ? ExitCode.Stopped : ExitCode.Partial)
    })
    // The subcommand's --log-format, when given, over the root's (main.ts).
    const logger = Option.isSome(args.logFormat) ? Live.logger(args.logFormat.value) : Layer.empty
    yield* program.pipe(Effect.provide(Layer.merge(Live.sync(loaded.config), logger)))
  })
