/**
 * `catalog-sync sync`: read, plan, guard, execute, report (DESIGN §2). Finishes what an earlier run
 * left unfinished before anything new is sent; refuses a plan that trips a guard unless `--allow`
 * names that guard or `--force` passes them all;
 * asks before writing on a terminal (`--yes` to skip), refuses without `--yes` elsewhere. Ends with
 * a summary and an exit code: 0 done, 1 error or refusal, 3 stopped on the budget, the token cap or
 * `--max-writes` (run again to continue), 4 finished with failed or unknown writes.
 */
import { Args, Command, Options } from "@effect/cli"
import { FileSystem } from "@effect/platform"
import { Console, Data, Effect, Layer, Option, Stream } from "effect"
import * as readline from "node:readline"
import * as Plan from "../domain/Plan.js"
import * as Endpoint from "../pipedrive/Endpoint.js"
import { Pipedrive } from "../pipedrive/Pipedrive.js"
import type * as PdWire from "../pipedrive/Wire.js"
import * as Execute from "../execute/Execute.js"
import * as Prepare from "../execute/Prepare.js"
import * as Report from "../report/Report.js"
import * as RunsCommand from "./RunsCommand.js"
import { Store } from "../store/Store.js"
import * as ExitCode from "./ExitCode.js"
import * as Output from "./Output.js"
import { configOption, loadAll } from "./Root.js"
import * as Target from "./Target.js"

export class SyncError extends Data.TaggedError("SyncError")<{ readonly message: string }> {}

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

const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, "Z")

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`

/** The summary printed at the end of a sync. */
export const renderSummary = (s: Execute.RunSummary, runId: number): string => {
  const w = s.writes
  const lines = [
    `Sync run #${runId}: ${s.status}`,
    `  writes      ${w.done} done, ${w.failed} failed, ${w.notSent} not sent${w.unknown > 0 ? `, ${w.unknown} outcome unknown` : ""}${w.held > 0 ? `, ${w.held} held (an earlier write's outcome is unknown)` : ""} — of ${w.planned} planned`,
    `  state       ${s.links} links made (matched or created), ${s.agreements} fields agreed without a write`,
    `  conflicts   ${s.conflictsHeld} held for review`,
    `  write-back  ${s.writeBack.pending} pending${s.writeBack.file === undefined ? "" : ` → ${s.writeBack.file.path} (${s.writeBack.file.mode}, ${s.writeBack.file.rows} rows)`}${s.writeBack.error === undefined ? "" : `; NOT WRITTEN: ${s.writeBack.error}`}`,
    `  tokens      ${s.tokens.used} for writes and lookups (plan estimate ${s.tokens.planned}); ${s.tokens.run} in all this run, ${s.tokens.runRequests} requests`,
    `  time        ${seconds(s.elapsedMs)} executing`
  ]
  const r = s.resumed
  if (r.found > 0) lines.push(`  resumed     ${r.found} unfinished from earlier runs: ${r.applied} found applied, ${r.replanned} planned afresh, ${r.failed} failed${r.unresolvedKeys.length > 0 ? `, ${r.unresolvedKeys.length} still unknown` : ""}`)
  const failures = [...r.failures, ...s.failures]
  if (failures.length > 0) {
    lines.push("", `Failed (${failures.length}):`)
    for (const f of failures.slice(0, 50)) lines.push(`  ${f.key} ${f.kind}${f.pipedriveId === undefined ? "" : ` #${f.pipedriveId}`}: ${f.message}`)
    if (failures.length > 50) lines.push(`  … and ${failures.length - 50} more (catalog-sync runs ${runId})`)
  }
  if (s.unconfirmed.length > 0) {
    lines.push("", `Written, but Pipedrive holds another value (base not advanced) (${s.unconfirmed.length}):`)
    for (const u of s.unconfirmed.slice(0, 20)) lines.push(`  ${u.key} ${u.path}: wrote ${u.wrote}, holds ${u.held}`)
  }
  for (const n of s.writeBack.notWritten.slice(0, 20)) lines.push(`  ${n.key}: ${n.message}`)
  if (s.writeBack.replaced.length > 0) lines.push("", `Written back with "?" in place of what the ERP file cannot hold (${s.writeBack.replaced.length}):`)
  for (const p of s.writeBack.replaced.slice(0, 20)) lines.push(`  ${p.key} ${p.path}: ${p.message}`)
  if (s.stop !== undefined) lines.push("", s.stop.message)
  return lines.join("\n")
}

/** The guards named by `--allow`; an unknown name is an error listing the guards. */
const allowedGuards = (names: ReadonlyArray<string>) => {
  const known = new Set<string>(Plan.guardNames)
  const unknown = names.filter((n) => !known.has(n))
  return unknown.length === 0
    ? Effect.succeed(new Set<string>(names))
    : Effect.fail(new SyncError({ message: `--allow ${unknown.map((n) => JSON.stringify(n)).join(", ")}: no such guard; the guards are ${Plan.guardNames.join(", ")}` }))
}

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

export const syncOptions = { config: configOption, dryRun, yes, force, allow, maxWrites, full, showPlan, report, json: Output.jsonOption, logFormat: Output.logFormatOption }

/** A plan saved by `plan --save`, as `apply` checks it against the inputs of now. */
interface Saved {
  readonly file: string
  readonly plan: Plan.Plan
}

export type SyncArgs = Command.Command.ParseConfig<typeof syncOptions>

/** One sync, as `sync` runs it (also `apply` with a saved plan, and each `schedule` tick). */
export const runSync = (args: SyncArgs, saved: Saved | undefined) =>
  Effect.gen(function*() {
    const allowed = yield* allowedGuards(args.allow)
    const { config: resolved, mapping, mappingText } = yield* loadAll(args.config)

    const program = Effect.gen(function*() {
      yield* Store.lock("sync")
      const store = yield* Store
      const prepared = yield* Prepare.prepare(resolved, mapping, mappingText, now(), { full: args.full })
      if (saved !== undefined && saved.plan.inputs.hash !== prepared.plan.inputs.hash) {
        return yield* new SyncError({
          message: `refused: ${saved.file} is stale — the ERP file, Pipedrive or the state changed since it was planned at ${saved.plan.createdAt} (inputs ${saved.plan.inputs.hash.slice(0, 12)}, now ${prepared.plan.inputs.hash.slice(0, 12)}). Nothing was written. Make a new plan with \`catalog-sync plan --save ${saved.file}\` and apply that.`
        })
      }
      const rejectsLine = [
        ...(prepared.rejects.length === 0 ? [] : [`${prepared.rejects.length} ERP rows kept aside${prepared.rejectsFile === undefined ? "" : ` (see ${prepared.rejectsFile})`}`]),
        ...prepared.skipped.map((s) => `ERP lines skipped (not products): ${s}`)
      ]
      if (args.dryRun) {
        const text = yield* Report.plan("table", prepared.plan, {}, Output.stdoutPaint())
        yield* Console.log(text)
        for (const l of rejectsLine) yield* Console.error(l)
        return { exit: ExitCode.Ok }
      }

      const runId = yield* store.startRun("sync", { planHash: prepared.plan.inputs.hash })
      const body = Effect.gen(function*() {
        let compiled = prepared.compiled
        const resumed = yield* Execute.resume(compiled, { runId, tokenCap: resolved.pipedrive.tokenCap })
        let plan = prepared.plan
        if (resumed.found > 0) {
          // What the journal said may change the plan (links, base): plan again from the state.
          plan = yield* Prepare.planState(resolved, compiled, { ...prepared.planInput, now: now() })
        }
        if (resumed.stop !== undefined) return yield* new SyncError({ message: resumed.stop.message })

        const failedGuards = plan.guards.filter((g) => !g.passed)
        const refusing = failedGuards.filter((g) => !allowed.has(g.name))
        if (refusing.length > 0 && !args.force) {
          return yield* new SyncError({
            message: `refused: the plan trips ${refusing.length === 1 ? "a guard" : `${refusing.length} guards`}:\n${refusing.map((g) => `  ${g.name}: ${g.message}`).join("\n")}\nNothing was written. Check the ERP export; to write anyway, run again with ${refusing.map((g) => `--allow ${g.name}`).join(" ")} (or --force, which passes every guard).`
          })
        }
        const passedBy = (flag: string, guards: ReadonlyArray<Plan.Guard>) =>
          guards.length === 0 ? Effect.void : Console.error(`${flag}: writing although the plan trips ${guards.map((g) => `${g.name} (${g.message})`).join("; ")}`)
        yield* passedBy("--allow", failedGuards.filter((g) => allowed.has(g.name)))
        yield* passedBy("--force", refusing)

        const writes = plan.operations.filter(Execute.isApiWrite).length
        const erpOps = plan.operations.filter((o) => o.side === "erp").length
        const confirming = (writes > 0 || erpOps > 0) && !args.yes
        if (args.showPlan && !confirming) yield* Console.log(`${yield* Report.plan("table", plan, {}, Output.stdoutPaint())}\n`)
        if (confirming) {
          if (process.stdin.isTTY !== true || process.stderr.isTTY !== true) {
            return yield* new SyncError({
              message: `refused: this sync would send ${writes} writes to Pipedrive and ${erpOps} changes to the ERP, and there is no terminal to confirm on. Review it with \`catalog-sync sync --dry-run\` (or \`catalog-sync plan\`), then run \`catalog-sync sync --yes\`.`
            })
          }
          yield* Console.log(yield* Report.plan("table", plan, {}, Output.stdoutPaint()))
          const ok = yield* ask(`Send ${writes} writes to Pipedrive (${plan.totals.tokens} API tokens) and ${erpOps} changes to the ERP write-back? [y/N] `)
          if (!ok) return yield* new SyncError({ message: "cancelled: nothing was written" })
        }

        const confirmed = plan
        const noGoodRows = prepared.rejects.length >= plan.inputs.erpRows
        if (plan.fieldsToCreate.length > 0 && noGoodRows) {
          // Nothing could be written to them: a run that writes nothing creates nothing either.
          yield* Console.error(`the custom fields ${plan.fieldsToCreate.map((f) => `"${f.label}"`).join(", ")} were not created: no ERP row was read, so nothing would be written to them`)
        } else if (plan.fieldsToCreate.length > 0) {
          // createMissingFields: make the fields, then plan again so their keys are known and pinned.
          const pipedrive = yield* Pipedrive
          for (const f of plan.fieldsToCreate) {
            yield* pipedrive.createProductField({
              field_name: f.label,
              field_type: f.type as PdWire.CreatableFieldType,
              ...(f.options.length > 0 ? { options: f.options.map((label) => ({ label })) } : {})
            })
            yield* Console.error(`created the custom field "${f.label}" (${f.type}) in Pipedrive`)
          }
          const again = yield* Prepare.prepare(resolved, mapping, mappingText, now(), { pull: false })
          plan = again.plan
          compiled = again.compiled
        }

        const progress = Output.progress("writing", plan.operations.filter(Execute.isApiWrite).length)
        const executed = yield* Execute.execute(plan, {
          compiled,
          runId,
          concurrency: resolved.pipedrive.concurrency,
          maxWrites: Option.getOrUndefined(args.maxWrites),
          resumed,
          erp: resolved.erp,
          tokenCap: resolved.pipedrive.tokenCap,
          onProgress: () => progress.advance(1)
        })
        progress.done()
        const summary = yield* runFigures(executed, confirmed, runId)
        yield* store.finishRun(runId, summary.status, { summary: summaryRecord(summary), erpRows: plan.inputs.erpRows, planHash: plan.inputs.hash })
        if (args.json) yield* Console.log(JSON.stringify({ runId, ...summary }, null, 2))
        else yield* Console.log(renderSummary(summary, runId))
        if (Option.isSome(args.report)) {
          const file = args.report.value
          const format = /\.html?$/i.test(file) ? "html" : /\.(md|markdown)$/i.test(file) ? "markdown" : /\.json$/i.test(file) ? "json" : /\.csv$/i.test(file) ? "csv" : "table"
          yield* Output.emit(Report.run(format, yield* RunsCommand.one(runId)), args.report, `The report of run ${runId}`)
        }
        for (const l of rejectsLine) yield* Console.error(l)
        return { exit: summary.status === "stopped" ? ExitCode.Stopped : summary.status === "partial" ? ExitCode.Partial : ExitCode.Ok }
      })
      return yield* body.pipe(
        Effect.tapError((e) =>
          store.finishRun(runId, "failed", { summary: { error: typeof e === "object" && e !== null && "message" in e ? String(e.message) : String(e) } }).pipe(Effect.ignore)
        )
      )
    }).pipe(Effect.scoped, Effect.provide(Layer.mergeAll(Target.layer(resolved), Store.layer(resolved.state), Output.loggerLayer(args.logFormat))))

    const result = yield* program
    if (result.exit !== ExitCode.Ok) ExitCode.set(result.exit)
  })

export const command = Command.make("sync", syncOptions, (args) => runSync(args, undefined)).pipe(
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

/**
 * The run's figures as the plan that was confirmed counts them: its token estimate includes the
 * custom fields created before the writes (and those fields' tokens count as used), and the links
 * include those each create made, beside those matched.
 */
const runFigures = (s: Execute.RunSummary, confirmed: Plan.Plan, runId: number) =>
  Effect.gen(function*() {
    const spent = yield* (yield* Pipedrive).accounting
    const fieldTokens = spent.byEndpoint[Endpoint.key(Endpoint.createProductField)]?.tokens ?? 0
    const created = yield* (yield* Store).journalForRun(runId).pipe(
      Stream.runFold(0, (n, e) => (e.kind === "create" && e.state === "done" ? n + 1 : n))
    )
    const figures: Execute.RunSummary = {
      ...s,
      links: s.links + created,
      tokens: { ...s.tokens, used: s.tokens.used + fieldTokens, planned: confirmed.totals.tokens }
    }
    return figures
  })

/** The run summary kept in the state (`runs RUN_ID`): counts and the stop, not every failure's text. */
const summaryRecord = (s: Execute.RunSummary) => ({
  writes: s.writes,
  failures: s.failures.length + s.resumed.failures.length,
  conflictsHeld: s.conflictsHeld,
  agreements: s.agreements,
  links: s.links,
  writeBacksPending: s.writeBack.pending,
  tokens: s.tokens,
  elapsedMs: s.elapsedMs,
  ...(s.stop === undefined ? {} : { stopped: s.stop.message })
})

const planFile = Args.text({ name: "PLANFILE" }).pipe(Args.withDescription("a plan saved by `catalog-sync plan --save PLANFILE`"))

/** `catalog-sync apply PLANFILE`: executes a saved plan, refusing one whose inputs changed since. */
export const applyCommand = Command.make(
  "apply",
  { planFile, config: configOption, force, allow, maxWrites, report, json: Output.jsonOption, logFormat: Output.logFormatOption },
  (args) =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const text = yield* fs.readFileString(args.planFile).pipe(Effect.mapError(() => new SyncError({ message: `${args.planFile}: cannot be read (make one with \`catalog-sync plan --save ${args.planFile}\`)` })))
      const plan = yield* Plan.decodeJson(text).pipe(Effect.mapError(() => new SyncError({ message: `${args.planFile}: not a plan saved by \`catalog-sync plan --save\` (or saved by another version)` })))
      yield* runSync({ ...args, dryRun: false, yes: true, full: false, showPlan: false }, { file: args.planFile, plan })
    })
).pipe(
  Command.withDescription(
    "Execute a plan saved with `plan --save`, as it was reviewed: both sides are read again and the plan is refused, with nothing written, when its inputs changed since (the ERP file, Pipedrive, the state or the mapping). Exit codes as `sync`.\n\n" +
      "Examples:\n  catalog-sync plan --save plan.json --format markdown --out plan.md   # review plan.md\n  catalog-sync apply plan.json"
  )
)
