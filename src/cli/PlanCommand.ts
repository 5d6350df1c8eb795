/**
 * `catalog-sync plan`: the dry run. Reads both sides, plans, renders the plan in a report format;
 * writes nothing to either side. `--save` keeps the plan itself (JSON) for a later `apply`;
 * `--detailed-exitcode` answers "would anything change?" as terraform does (0 no, 2 yes, 1 error).
 */
import { Command, Options } from "@effect/cli"
import { FileSystem } from "@effect/platform"
import { Console, Effect, Layer, Option } from "effect"
import * as Plan from "../domain/Plan.js"
import * as Prepare from "../execute/Prepare.js"
import * as MappingLoad from "../mapping/Load.js"
import * as Report from "../report/Report.js"
import { Store } from "../store/Store.js"
import * as ExitCode from "./ExitCode.js"
import * as Output from "./Output.js"
import { configOption, loadConfig } from "./Root.js"
import * as Target from "./Target.js"

/** `--detailed-exitcode`: the plan would change something. */
export const changesPresent = 2

const format = Options.choice("format", Report.formats).pipe(
  Options.withDefault("table" as const),
  Options.withDescription("table (for people, coloured on a terminal), markdown, json (docs/report-schema.md), csv (one row per field change) or html (one self-contained file)")
)
const save = Options.text("save").pipe(Options.optional, Options.withDescription("also save the plan itself as JSON to this file (for `apply`)"))
const detailedExitcode = Options.boolean("detailed-exitcode").pipe(
  Options.withDescription("exit 0 when nothing would change, 2 when something would, 1 on an error")
)

export const command = Command.make("plan", { config: configOption, format, out: Output.outOption, save, detailedExitcode }, (args) =>
  Effect.gen(function*() {
    const resolved = yield* loadConfig(args.config)
    const mapping = yield* MappingLoad.load(resolved.mapping)
    const fs = yield* FileSystem.FileSystem
    const mappingText = yield* fs.readFileString(resolved.mapping).pipe(Effect.orElseSucceed(() => ""))
    const plan = yield* Effect.gen(function*() {
      const prepared = yield* Prepare.prepare(resolved, mapping, mappingText, new Date().toISOString().replace(/\.\d{3}Z$/, "Z"))
      const rejects = prepared.rejects.map((r) => ({ line: r.line, key: r.key ?? null, reasons: r.errors.map((e) => (e.column === undefined ? e.reason : `${e.column}: ${e.reason}`)) }))
      return { plan: prepared.plan, rejects, rejectsFile: prepared.rejectsFile }
    }).pipe(Effect.provide(Layer.merge(Target.layer(resolved), Store.layer(resolved.state))))
    const extra = { rejects: plan.rejects, ...(plan.rejectsFile === undefined ? {} : { rejectsFile: plan.rejectsFile }) }
    const paint = args.format === "table" && Option.isNone(args.out) ? Output.stdoutPaint() : undefined
    const text = yield* Report.plan(args.format, plan.plan, extra, paint)
    if (Option.isSome(args.save)) {
      const file = args.save.value
      const json = yield* Plan.encodeJson(plan.plan)
      yield* fs.writeFileString(file, `${json}\n`).pipe(Effect.mapError((e) => new Output.OutputError({ message: `cannot save the plan to ${file}: ${e.message}` })))
    }
    yield* Output.emit(text, args.out, "The plan")
    if (Option.isSome(args.save)) yield* Console.error(`The plan itself is saved in ${args.save.value} (for apply).`)
    if (args.detailedExitcode && !Plan.isEmpty(plan.plan)) ExitCode.set(changesPresent)
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
      "  catalog-sync plan --detailed-exitcode || [ $? -eq 2 ]    # 0 nothing to do, 2 changes, 1 error"
  )
)
