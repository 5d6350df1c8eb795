/**
 * One sync, as one thing: the engine every command (and later the listener and the worker) calls.
 *
 * `Sync.plan` reads both sides into the state and plans (the dry run, recorded in the runs).
 * `Sync.run` does the whole run under the state's lock: prepare (each input read once, the plan
 * made once), finish what earlier runs left in the journal, check the guards, ask for confirmation,
 * create missing custom fields, execute, write back, record the run. It plans again only when the
 * resume or the new fields changed what it planned from, and then says so (`Replanned`).
 *
 * What needs a person — the confirmation, progress, what was overridden or created — goes through
 * `Interaction`, which the caller implements (the CLI on a terminal; a scheduler answers alone).
 */
import { Data, Effect, Stream } from "effect"
import type * as Loader from "../config/Loader.js"
import * as Plan from "../domain/Plan.js"
import * as Execute from "../execute/Execute.js"
import * as Prepare from "../execute/Prepare.js"
import * as Endpoint from "../pipedrive/Endpoint.js"
import { Pipedrive } from "../pipedrive/Pipedrive.js"
import type * as Wire from "../pipedrive/Wire.js"
import type * as Staged from "../store/Staged.js"
import { Store } from "../store/Store.js"
import type { StoreError } from "../store/StoreError.js"

export class SyncError extends Data.TaggedError("SyncError")<{ readonly message: string }> {}

/** The configuration and the mapping a sync runs on (`Loader.loadAll`). */
export type Loaded = Loader.Loaded

/** What happens during a run that a person may want to see. */
export type Event =
  | { readonly _tag: "Replanned"; readonly why: string }
  | { readonly _tag: "GuardsOverridden"; readonly by: "--allow" | "--force"; readonly guards: ReadonlyArray<Plan.Guard> }
  | { readonly _tag: "FieldCreated"; readonly label: string; readonly type: string }
  | { readonly _tag: "FieldsNotCreated"; readonly labels: ReadonlyArray<string>; readonly why: string }

/** What the engine asks of its caller. */
export interface Interaction {
  readonly event: (event: Event) => Effect.Effect<void>
  /**
   * Asked before anything is written, unless the run was told `yes`: true to go on. A caller that
   * cannot ask fails with the refusal.
   */
  readonly confirm: (plan: Plan.Plan, counts: { readonly writes: number; readonly erpOps: number }) => Effect.Effect<boolean, SyncError>
  /** Shows the plan before writing (`showPlan`, when no confirmation showed it). */
  readonly showPlan: (plan: Plan.Plan) => Effect.Effect<void>
  /** Follows the writes as they finish (called synchronously, once per write, then `done`). */
  readonly progress: (total: number) => { readonly advance: () => void; readonly done: () => void }
}

/** A plan saved by `plan --save`, as `apply` checks it against the inputs of now. */
export interface Saved {
  readonly file: string
  readonly plan: Plan.Plan
}

export interface RunOptions {
  /** Write without asking. */
  readonly yes: boolean
  /** Write although guards refuse (all of them). */
  readonly force: boolean
  /** Guards that may refuse without stopping the run. */
  readonly allow: ReadonlySet<string>
  readonly maxWrites?: number | undefined
  /** Pull every Pipedrive product (a full pass). */
  readonly full: boolean
  readonly showPlan: boolean
  /** Apply this saved plan: refused when the inputs changed since it was made. */
  readonly saved?: Saved | undefined
}

/** What was read from the ERP side, for the caller's messages. */
export interface ErpFacts {
  readonly rejects: ReadonlyArray<Prepare.Prepared["rejects"][number]>
  readonly rejectsFile: string | undefined
  readonly skipped: ReadonlyArray<string>
}

export interface RunResult extends ErpFacts {
  readonly runId: number
  readonly summary: Execute.RunSummary
  /** The plan that was confirmed and executed. */
  readonly plan: Plan.Plan
}

const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, "Z")

const errorText = (e: unknown) => (typeof e === "object" && e !== null && "message" in e ? String(e.message) : String(e))

const erpFacts = (p: Prepare.Prepared): ErpFacts => ({ rejects: p.rejects, rejectsFile: p.rejectsFile, skipped: p.skipped })

/** The guards named by `allow` that a plan may trip; an unknown name is an error listing the guards. */
export const checkAllowed = (names: ReadonlyArray<string>) => {
  const known = new Set<string>(Plan.guardNames)
  const unknown = names.filter((n) => !known.has(n))
  return unknown.length === 0
    ? Effect.succeed(new Set<string>(names))
    : Effect.fail(new SyncError({ message: `--allow ${unknown.map((n) => JSON.stringify(n)).join(", ")}: no such guard; the guards are ${Plan.guardNames.join(", ")}` }))
}

/** Reads both sides and plans under the run lock, writing nothing anywhere (a dry run, not recorded). */
export const preview = (loaded: Loaded, options: { readonly full: boolean }) =>
  Effect.gen(function*() {
    yield* Store.lock("sync")
    const prepared = yield* Prepare.prepare(loaded.config, loaded.mapping, loaded.mappingText, now(), { full: options.full })
    yield* (yield* Store).staged.clear // a dry run applies nothing
    return { plan: prepared.plan, ...erpFacts(prepared) }
  }).pipe(Effect.scoped)

/** The links and agreements a plan keeps staged in the state (`Plan.staged`), read back in the plan's order. */
export interface StagedRows {
  readonly links: Stream.Stream<Staged.Link, StoreError>
  readonly agreements: Stream.Stream<Staged.Agreement, StoreError>
}

const stagedRows = (store: Store["Type"], plan: Plan.Plan): StagedRows =>
  plan.staged === undefined
    ? { links: Stream.empty, agreements: Stream.empty }
    : { links: store.staged.links(plan.staged.id), agreements: store.staged.agreements(plan.staged.id, plan.staged.order) }

/**
 * `plan`: reads both sides and plans under the run lock, recorded in the runs with what reading
 * cost; `use` renders it while the state still holds its staged rows (then they are dropped).
 */
export const plan = <A, E, R>(loaded: Loaded, use: (planned: ErpFacts & { readonly plan: Plan.Plan }, rows: StagedRows) => Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    yield* Store.lock("plan")
    const store = yield* Store
    const runId = yield* store.startRun("plan")
    const prepared = yield* Effect.gen(function*() {
      const prepared = yield* Prepare.prepare(loaded.config, loaded.mapping, loaded.mappingText, now())
      const spent = yield* (yield* Pipedrive).accounting
      for (const [endpoint, c] of Object.entries(spent.byEndpoint)) if (c.requests > 0) yield* store.recordTokens(runId, endpoint, c.requests, c.tokens)
      const p = prepared.plan
      const record = {
        planned: { pipedrive: p.operations.filter((o) => o.side === "pipedrive").length, erp: p.operations.filter((o) => o.side === "erp").length },
        conflictsHeld: p.conflicts.length,
        ambiguities: p.ambiguities.length,
        tokens: { planned: p.totals.tokens, run: spent.total.tokens, runRequests: spent.total.requests }
      }
      yield* store.finishRun(runId, "succeeded", { summary: record, erpRows: p.inputs.erpRows, planHash: p.inputs.hash })
      return prepared
    }).pipe(Effect.tapError((e) => store.finishRun(runId, "failed", { summary: { error: errorText(e) } }).pipe(Effect.ignore)))
    const result = yield* use({ plan: prepared.plan, ...erpFacts(prepared) }, stagedRows(store, prepared.plan))
    yield* store.staged.clear
    return result
  }).pipe(Effect.scoped)

/** A whole sync run (see the module's comment). */
export const run = (loaded: Loaded, options: RunOptions, interaction: Interaction) =>
  Effect.gen(function*() {
    const { config, mapping } = loaded
    yield* Store.lock("sync")
    const store = yield* Store
    let prepared = yield* Prepare.prepare(config, mapping, loaded.mappingText, now(), { full: options.full })
    const saved = options.saved
    if (saved !== undefined && saved.plan.inputs.hash !== prepared.plan.inputs.hash) {
      return yield* new SyncError({
        message: `refused: ${saved.file} is stale — the ERP file, Pipedrive or the state changed since it was planned at ${saved.plan.createdAt} (inputs ${saved.plan.inputs.hash.slice(0, 12)}, now ${prepared.plan.inputs.hash.slice(0, 12)}). Nothing was written. Make a new plan with \`catalog-sync plan --save ${saved.file}\` and apply that.`
      })
    }
    const runId = yield* store.startRun("sync", { planHash: prepared.plan.inputs.hash })
    const body = Effect.gen(function*() {
      const resumed = yield* Execute.resume(prepared.compiled, { runId, tokenCap: config.pipedrive.tokenCap })
      if (resumed.found > 0) {
        // What the journal said may change the plan (links, base): plan again from the state.
        const plan = yield* Prepare.planState(config, prepared.compiled, { ...prepared.planInput, now: now() })
        prepared = { ...prepared, plan }
        yield* interaction.event({ _tag: "Replanned", why: `${resumed.found} unfinished writes of earlier runs were finished first` })
      }
      if (resumed.stop !== undefined) return yield* new SyncError({ message: resumed.stop.message })
      yield* checkGuards(prepared.plan, options, interaction)

      const confirmed = prepared.plan
      const writes = confirmed.operations.filter(Execute.isApiWrite).length
      const erpOps = confirmed.operations.filter((o) => o.side === "erp").length
      const confirming = (writes > 0 || erpOps > 0) && !options.yes
      if (options.showPlan && !confirming) yield* interaction.showPlan(confirmed)
      if (confirming && !(yield* interaction.confirm(confirmed, { writes, erpOps }))) {
        return yield* new SyncError({ message: "cancelled: nothing was written" })
      }
      prepared = yield* createFields(loaded, prepared, interaction)

      const plan = prepared.plan
      const total = plan.operations.filter(Execute.isApiWrite).length
      const progress = interaction.progress(total)
      const executed = yield* Execute.execute(plan, {
        compiled: prepared.compiled,
        runId,
        concurrency: config.pipedrive.concurrency,
        maxWrites: options.maxWrites,
        resumed,
        catalog: prepared.read,
        tokenCap: config.pipedrive.tokenCap,
        onProgress: () => progress.advance()
      })
      progress.done()
      const summary = yield* runFigures(executed, confirmed, runId)
      yield* store.finishRun(runId, summary.status, { summary: summaryRecord(summary), erpRows: plan.inputs.erpRows, planHash: plan.inputs.hash })
      const result: RunResult = { runId, summary, plan: confirmed, ...erpFacts(prepared) }
      return result
    })
    return yield* body.pipe(Effect.tapError((e) => store.finishRun(runId, "failed", { summary: { error: errorText(e) } }).pipe(Effect.ignore)))
  }).pipe(Effect.scoped)

/** Refuses a plan whose guards trip, unless allowed or forced (and then says which were overridden). */
const checkGuards = (plan: Plan.Plan, options: RunOptions, interaction: Interaction) =>
  Effect.gen(function*() {
    const failed = plan.guards.filter((g) => !g.passed)
    const refusing = failed.filter((g) => !options.allow.has(g.name))
    if (refusing.length > 0 && !options.force) {
      return yield* new SyncError({
        message: `refused: the plan trips ${refusing.length === 1 ? "a guard" : `${refusing.length} guards`}:\n${refusing.map((g) => `  ${g.name}: ${g.message}`).join("\n")}\nNothing was written. Check the ERP export; to write anyway, run again with ${refusing.map((g) => `--allow ${g.name}`).join(" ")} (or --force, which passes every guard).`
      })
    }
    const allowed = failed.filter((g) => options.allow.has(g.name))
    if (allowed.length > 0) yield* interaction.event({ _tag: "GuardsOverridden", by: "--allow", guards: allowed })
    if (refusing.length > 0) yield* interaction.event({ _tag: "GuardsOverridden", by: "--force", guards: refusing })
  })

/**
 * `createMissingFields`: makes the custom fields the plan needs, then plans again so that their keys
 * are known and pinned. A run that read no ERP row writes nothing to them, so creates none.
 */
const createFields = (loaded: Loaded, prepared: Prepare.Prepared, interaction: Interaction) =>
  Effect.gen(function*() {
    const fields = prepared.plan.fieldsToCreate
    if (fields.length === 0) return prepared
    if (prepared.rejects.length >= prepared.plan.inputs.erpRows) {
      yield* interaction.event({ _tag: "FieldsNotCreated", labels: fields.map((f) => f.label), why: "no ERP row was read, so nothing would be written to them" })
      return prepared
    }
    const pipedrive = yield* Pipedrive
    for (const f of fields) {
      yield* pipedrive.createProductField({
        field_name: f.label,
        field_type: f.type as Wire.CreatableFieldType,
        ...(f.options.length > 0 ? { options: f.options.map((label) => ({ label })) } : {})
      })
      yield* interaction.event({ _tag: "FieldCreated", label: f.label, type: f.type })
    }
    // The account's new fields change how the catalog maps (a monetary field's currency, a set's
    // options): read the catalog again with them, plan again (Pipedrive's products are not read again).
    const again = yield* Prepare.prepare(loaded.config, loaded.mapping, loaded.mappingText, now(), { pull: false })
    yield* interaction.event({ _tag: "Replanned", why: `the custom fields ${fields.map((f) => `"${f.label}"`).join(", ")} were created` })
    return again
  })

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
