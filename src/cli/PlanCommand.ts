/** `catalog-sync plan`: the dry run. Reads both sides, plans, renders the plan; writes nothing to either side. */
import { Command, Options } from "@effect/cli"
import { FileSystem } from "@effect/platform"
import { Console, Effect, Layer } from "effect"
import * as Plan from "../domain/Plan.js"
import * as Prepare from "../execute/Prepare.js"
import * as MappingLoad from "../mapping/Load.js"
import * as PlanText from "../report/PlanText.js"
import { Store } from "../store/Store.js"
import { configOption, loadConfig } from "./Root.js"
import * as Target from "./Target.js"

const format = Options.choice("format", ["table", "json"]).pipe(Options.withDefault("table" as const), Options.withDescription("table (for people) or json (the plan as data)"))
const out = Options.text("out").pipe(Options.optional, Options.withDescription("write the report to this file instead of the terminal"))

export const command = Command.make("plan", { config: configOption, format, out }, ({ config, format, out }) =>
  Effect.gen(function*() {
    const resolved = yield* loadConfig(config)
    const mapping = yield* MappingLoad.load(resolved.mapping)
    const fs = yield* FileSystem.FileSystem
    const mappingText = yield* fs.readFileString(resolved.mapping).pipe(Effect.orElseSucceed(() => ""))
    const plan = yield* Effect.gen(function*() {
      const prepared = yield* Prepare.prepare(resolved, mapping, mappingText, new Date().toISOString().replace(/\.\d{3}Z$/, "Z"))
      const rejects = prepared.rejects.map((r) => `line ${r.line}${r.key ? ` (${r.key})` : ""}: ${r.errors.map((e) => (e.column === undefined ? e.reason : `${e.column}: ${e.reason}`)).join("; ")}`)
      return { plan: prepared.plan, rejects, rejectsFile: prepared.rejectsFile }
    }).pipe(Effect.provide(Layer.merge(Target.layer(resolved), Store.layer(resolved.state))))
    const text = format === "json" ? yield* Plan.encodeJson(plan.plan) : PlanText.render(plan.plan, { rejects: plan.rejects, ...(plan.rejectsFile === undefined ? {} : { rejectsFile: plan.rejectsFile }) })
    if (out._tag === "Some") {
      yield* fs.writeFileString(out.value, `${text}\n`)
      yield* Console.log(`The plan is in ${out.value}.`)
    } else {
      yield* Console.log(text)
    }
  })
).pipe(Command.withDescription("Show what a sync would change, field by field, with its API token cost. Writes nothing to Pipedrive or the ERP.\n\nExamples:\n  catalog-sync plan\n  catalog-sync plan --format json --out plan.json"))
