/**
 * `catalog-sync runs [RUN_ID]`: the history of runs (plans and syncs) from the state file, latest
 * first, with each sync's journal counts and each plan's planned operations; with a RUN_ID, that run's report — every operation with its outcome — in
 * any report format. Reads the state file only.
 */
import { Args, Command, Options } from "@effect/cli"
import { Console, Data, Effect, Option, Stream } from "effect"
import * as Report from "../report/Report.js"
import { Store } from "../store/Store.js"
import * as Live from "./Live.js"
import * as Output from "./Output.js"
import { configOption, loadConfig } from "./Root.js"

export class RunsError extends Data.TaggedError("RunsError")<{ readonly message: string }> {}

const runId = Args.integer({ name: "RUN_ID" }).pipe(Args.withDescription("one run to report on, with its operations and their outcomes"), Args.optional)
const limit = Options.integer("limit").pipe(Options.withDefault(20), Options.withDescription("how many runs to list, latest first"))
const format = Options.choice("format", Report.formats).pipe(
  Options.withDefault("table" as const),
  Options.withDescription("for one run: table, markdown, json (docs/report-schema.md), csv or html")
)

const list = (n: number) =>
  Effect.gen(function*() {
    const store = yield* Store
    const runs = yield* store.runs(Math.max(1, n))
    return yield* Effect.forEach(runs, (run) => Effect.map(store.journalCounts(run.id), (counts) => ({ ...run, operations: counts })))
  })

/** One run's report data: the run and every operation it journaled. */
export const one = (id: number) =>
  Effect.gen(function*() {
    const store = yield* Store
    const run = yield* store.run(id)
    if (Option.isNone(run)) {
      const latest = yield* store.runs(1)
      return yield* new RunsError({ message: `there is no run ${id} in ${store.path}${latest[0] === undefined ? " (no run yet)" : ` (the latest is ${latest[0].id})`}` })
    }
    const entries = yield* store.journalForRun(id).pipe(Stream.runCollect)
    return { run: run.value, entries: [...entries] }
  })

/** A plan run's operations column: what it planned (a plan sends nothing). */
const plannedText = (summary: unknown): string => {
  const planned = typeof summary === "object" && summary !== null && "planned" in summary ? (summary.planned as { pipedrive?: unknown; erp?: unknown }) : undefined
  if (planned === undefined || typeof planned.pipedrive !== "number" || typeof planned.erp !== "number") return "planned only"
  return `planned only: ${planned.pipedrive} to Pipedrive, ${planned.erp} to the ERP`
}

export const command = Command.make("runs", { config: configOption, runId, limit, format, out: Output.outOption, json: Output.jsonOption }, (args) =>
  Effect.gen(function*() {
    const config = yield* loadConfig(args.config)
    if (!(yield* Output.stateExists(config.state))) {
      if (Option.isSome(args.runId)) return yield* new RunsError({ message: `there is no run ${args.runId.value}: no state file yet at ${config.state}` })
      return yield* Console.log(args.json ? "[]" : `No runs yet (no state file at ${config.state}).`)
    }
    const state = Live.store(config)
    if (Option.isSome(args.runId)) {
      const data = yield* Effect.provide(one(args.runId.value), state)
      const format = args.json ? "json" : args.format
      const paint = format === "table" && Option.isNone(args.out) ? Output.stdoutPaint() : undefined
      return yield* Output.emit(Report.run(format, data, paint), args.out, `The report of run ${args.runId.value}`)
    }
    const runs = yield* Effect.provide(list(args.limit), state)
    if (args.json) return yield* Console.log(JSON.stringify(runs, null, 2))
    if (runs.length === 0) return yield* Console.log(`No runs yet in ${config.state}.`)
    const rows = runs.map((r) => [
      String(r.id),
      r.kind,
      r.status,
      r.startedAt,
      r.finishedAt ?? "—",
      r.erpRows === null ? "—" : String(r.erpRows),
      r.kind === "plan" ? plannedText(r.summary) : `${r.operations.done} done, ${r.operations.failed} failed, ${r.operations.pending + r.operations.sent} unfinished`
    ])
    yield* Output.emit(Output.table(["run", "kind", "status", "started", "finished", "ERP rows", "operations"], rows, Output.stdoutPaint()), args.out, "The list of runs")
  })
).pipe(
  Command.withDescription(
    "List the runs (latest first) with their operations' outcomes; with RUN_ID, report on one run: every operation it journaled, what it sent and how it ended. Reads the state file only.\n\n" +
      "Examples:\n  catalog-sync runs\n  catalog-sync runs --limit 5 --json\n  catalog-sync runs 12\n  catalog-sync runs 12 --format html --out run-12.html\n  catalog-sync runs 12 --format csv > run-12.csv"
  )
)
