/**
 * Applies a plan (DESIGN §2 step 5, §6.4, §6.5, §6.7): finishes the journal an earlier run left
 * unfinished, applies the plan's links and agreements to the state, journals every Pipedrive write
 * as `pending` before anything is sent, sends them with bounded concurrency under the client's rate
 * gate (each marked `sent` durably before its request leaves), records each outcome, advances the
 * base only for what Pipedrive confirmed, records the ERP-bound changes as pending write-backs and
 * writes the write-back CSV. Stops cleanly — journal intact — when the daily budget or the run's
 * token cap is spent. docs/execution.md tells the whole story.
 */
import type { FileSystem } from "@effect/platform"
import { Chunk, Clock, Effect, Either, Option, Ref, Stream } from "effect"
import { existsSync } from "node:fs"
import type { ResolvedConfig } from "../config/SyncConfig.js"
import * as Field from "../domain/Field.js"
import * as Plan from "../domain/Plan.js"
import * as Catalog from "../erp/Catalog.js"
import type * as Cell from "../erp/Cell.js"
import * as Writer from "../erp/Writer.js"
import type * as Compile from "../mapping/Compile.js"
import * as Wire from "../mapping/Wire.js"
import { Pipedrive } from "../pipedrive/Pipedrive.js"
import type { PipedriveError } from "../pipedrive/PipedriveError.js"
import type * as PdWire from "../pipedrive/Wire.js"
import type { Sku } from "../domain/Sku.js"
import type * as Journal from "../store/Journal.js"
import { Store } from "../store/Store.js"
import type { StoreError } from "../store/StoreError.js"
import * as Outcome from "./Outcome.js"
import * as Prepare from "./Prepare.js"
import * as WriteBackCheck from "./WriteBackCheck.js"

/** Why a run stopped before sending everything. */
export type StopReason = "budget" | "token-cap" | "max-writes"

export interface Stop {
  readonly reason: StopReason
  /** For people: what happened and when to run again. */
  readonly message: string
  /** When Pipedrive said the budget resets (ms from the stop). */
  readonly retryAfterMs?: number
}

export interface Failure {
  readonly key: string
  readonly kind: string
  readonly pipedriveId?: number
  readonly message: string
}

export interface ResumeSummary {
  /** Unfinished entries found. */
  readonly found: number
  /** `sent` entries found applied in Pipedrive and finished (creates adopted by their key). */
  readonly applied: number
  /** `sent` entries found not applied, and `pending` ones never sent: left to this run's plan. */
  readonly replanned: number
  /** Entries that cannot be finished (several products with the key, product gone): failed. */
  readonly failed: number
  /** Entries whose lookup failed (budget, network): still `sent`; their keys are held this run. */
  readonly unresolvedKeys: ReadonlyArray<string>
  readonly failures: ReadonlyArray<Failure>
  readonly stop?: Stop
}

export interface RunSummary {
  /** `succeeded`: every write done; `partial`: some failed or stayed unknown; `stopped`: budget, cap or --max-writes. */
  readonly status: "succeeded" | "partial" | "stopped"
  readonly stop?: Stop
  readonly writes: {
    readonly planned: number
    readonly done: number
    readonly failed: number
    /** Journaled `pending`, not sent (the run stopped): the next run continues with them. */
    readonly notSent: number
    /** Sent with an outcome that could not be looked up: left `sent` for the next run. */
    readonly unknown: number
    /** Not sent because an earlier write to the same key has an unknown outcome. */
    readonly held: number
  }
  readonly resumed: ResumeSummary
  readonly failures: ReadonlyArray<Failure>
  /** Fields written whose value Pipedrive holds differently afterwards: the base did not advance. */
  readonly unconfirmed: ReadonlyArray<{ readonly key: string; readonly path: string; readonly held: string; readonly wrote: string }>
  readonly conflictsHeld: number
  readonly agreements: number
  readonly links: number
  readonly writeBack: {
    /** Pending write-backs after this run (all runs'). */
    readonly pending: number
    readonly file?: Writer.Summary
    readonly error?: string
    /** ERP-bound changes not written: row deletes a CSV cannot carry, values the file cannot hold. */
    readonly notWritten: ReadonlyArray<{ readonly key: string; readonly message: string }>
    /** Values written with `?` in place of characters the file cannot hold (`erp.writeBack.unencodable: "replace"`). */
    readonly replaced: ReadonlyArray<Plan.WriteBackProblem>
  }
  /**
   * API tokens and requests: `used`/`requests` by this execution (writes and lookups), `planned` the
   * plan's estimate of its writes, `run` everything the client spent in this process (reads included).
   */
  readonly tokens: { readonly used: number; readonly planned: number; readonly requests: number; readonly run: number; readonly runRequests: number }
  readonly elapsedMs: number
}

export interface Options {
  readonly compiled: Compile.Compiled
  readonly runId: number
  /** Writes in flight at once (the rate gate paces them whatever this is). */
  readonly concurrency: number
  /** Send at most this many operations this run; the rest stay pending for the next run. */
  readonly maxWrites?: number | undefined
  /** What `resume` did first: its unresolved keys are not written this run (an earlier write to them has an unknown outcome). */
  readonly resumed?: ResumeSummary | undefined
  /** The ERP side: where the catalog is and where to write back. Omit to record pending write-backs without writing a file. */
  readonly erp?: ResolvedConfig["erp"] | undefined
  /** The run token cap, for messages. */
  readonly tokenCap?: number | undefined
  /** How many times a write found not applied after an unknown outcome is sent again within the run (default 4). */
  readonly maxAttempts?: number
  /** Called after each operation's outcome. */
  readonly onProgress?: (finished: number, total: number) => void
}

const apiKinds: ReadonlySet<string> = new Set(["create", "update", "archive", "delete"])

/** Whether an operation is an API write to Pipedrive. */
export const isApiWrite = (op: Plan.Operation): boolean => op.side === "pipedrive" && apiKinds.has(op.kind)

const stored = (path: string, value: Field.Value): unknown => JSON.parse(Field.toJson(path, value))

const clock = (ms: number): string => {
  const minutes = Math.max(1, Math.round(ms / 60_000))
  return minutes < 60 ? `${minutes} min` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`
}

/** The stop a `BudgetExhausted` error stands for, with when to run again. */
export const stopOf = (e: PipedriveError, tokenCap: number | undefined, nowMs: number): Stop => {
  if (e.status === undefined) {
    return {
      reason: "token-cap",
      message: `stopped: this run reached its token cap${tokenCap === undefined ? "" : ` (pipedrive.tokenCap = ${tokenCap})`}. The writes not sent are journaled; run again to continue where this run stopped (each run may spend up to the cap), or raise pipedrive.tokenCap.`
    }
  }
  const wait = e.retryAfterMs
  const at = wait === undefined ? "after 00:00 UTC, when Pipedrive resets the daily budget" : `after ${new Date(nowMs + wait).toISOString().replace(/\.\d{3}Z$/, "Z")} (in about ${clock(wait)}), when Pipedrive resets the daily budget`
  return {
    reason: "budget",
    message: `stopped: the company's daily API token budget is spent (Pipedrive: ${e.detail}). The writes not sent are journaled; run again ${at} and it continues where this run stopped.`,
    ...(wait === undefined ? {} : { retryAfterMs: wait })
  }
}

const maxWritesStop = (n: number): Stop => ({
  reason: "max-writes",
  message: `stopped: --max-writes ${n} reached. The writes not sent are journaled; run again to continue where this run stopped.`
})

const snapshotRow = (compiled: Compile.Compiled, product: PdWire.Product) => ({
  id: product.id,
  code: Either.getOrNull(Wire.keyOf(compiled, product as Wire.WireProduct)),
  updateTime: product.update_time ?? null,
  isDeleted: product.is_deleted === true,
  product
})

/**
 * Records in the state what a write that Pipedrive applied means: the product as Pipedrive now holds
 * it in the snapshot, the link of a created product, the base of the fields Pipedrive confirms
 * (the others are returned), and for a delete the forgotten link and base. Every step is idempotent,
 * so a run killed half-way through is finished by the next one. A create's base comes from
 * Pipedrive's answer alone: the fields written that it holds, and of the fields `agreed` empty at
 * planning those it holds empty (a default it filled in, such as price 0, is not agreed: no change).
 */
export const recordApplied = (compiled: Compile.Compiled, op: Plan.Operation, product: PdWire.Product | undefined, agreed: ReadonlyArray<Plan.Agreement> = []) =>
  Effect.gen(function*() {
    const store = yield* Store
    const key = op.key as Sku
    if (op.kind === "delete") {
      if (op.pipedriveId !== undefined) {
        const row = yield* store.pipedriveProduct(op.pipedriveId)
        if (Option.isSome(row)) {
          const p = row.value.product
          yield* store.upsertPipedriveProducts([{ ...row.value, isDeleted: true, product: typeof p === "object" && p !== null ? { ...p, is_deleted: true } : p }])
        }
      }
      yield* store.unlink(key)
      yield* store.deleteBase([key])
      return Outcome.confirm(compiled, { ...op, changes: [] }, { id: op.pipedriveId ?? 0, name: "" })
    }
    if (product === undefined) return { confirmed: [], differing: [] } as Outcome.Confirmation
    yield* store.upsertPipedriveProducts([snapshotRow(compiled, product)])
    if (op.kind === "create") {
      yield* store.link(key, product.id)
      yield* store.deleteBase([key]) // what an earlier state held for a product never created
    }
    const c = Outcome.confirm(compiled, op, product as Wire.WireProduct)
    const held = op.kind !== "create" || agreed.length === 0
      ? []
      : Outcome.confirm(compiled, { ...op, changes: agreed.map((a) => ({ path: a.path, after: a.value, rule: "create" as const })) }, product as Wire.WireProduct).confirmed
    const base = [...c.confirmed, ...held].filter((ch) => compiled.byPath.has(ch.path)).map((ch) => ({ key, field: ch.path, value: stored(ch.path, ch.after) }))
    if (base.length > 0) yield* store.setBase(base)
    return c
  })

const send = (op: Plan.Operation): Effect.Effect<PdWire.Product | undefined, PipedriveError, Pipedrive> =>
  Effect.flatMap(Pipedrive, (pd) => {
    switch (op.kind) {
      case "create":
        return pd.createProduct((op.body ?? {}) as unknown as PdWire.ProductCreate)
      case "delete":
        return Effect.as(pd.deleteProduct(op.pipedriveId as number), undefined)
      default:
        return pd.updateProduct(op.pipedriveId as number, (op.body ?? {}) as PdWire.ProductPatch)
    }
  })

const failureOf = (op: Plan.Operation, message: string): Failure => ({
  key: op.key,
  kind: op.kind,
  ...(op.pipedriveId === undefined ? {} : { pipedriveId: op.pipedriveId }),
  message
})

/**
 * Finishes what earlier runs left unfinished, before anything new is sent. A `sent` entry's outcome
 * is looked up in Pipedrive (a create by its key, never re-sent blindly): applied → `done`, with its
 * link and base; not applied → back to `pending`, then `skipped`, for this run's plan to decide
 * afresh; several products with the key, or a product gone → `failed` with the reason. A `pending`
 * entry was never sent: `skipped`, since the fresh plan supersedes its (possibly stale) body.
 * Lookups that fail (budget, network) leave the entry `sent` and its key held for this run.
 */
export const resume = (compiled: Compile.Compiled, options: { readonly runId: number; readonly tokenCap?: number | undefined }) =>
  Effect.gen(function*() {
    const store = yield* Store
    const entries = Chunk.toReadonlyArray(yield* Stream.runCollect(store.journalUnfinished()))
    let applied = 0
    let replanned = 0
    let failed = 0
    const unresolved = new Set<string>()
    const failures: Array<Failure> = []
    let stop: Stop | undefined
    const superseded = `superseded by run ${options.runId}, which planned afresh`
    for (const entry of entries) {
      const op = Outcome.fromPayload(entry.payload)
      if (entry.state === "pending") {
        yield* store.journalMark(entry.id, "skipped", { error: `never sent; ${superseded}` })
        replanned++
        continue
      }
      if (Either.isLeft(op)) {
        yield* store.journalMark(entry.id, "failed", { error: op.left })
        failures.push({ key: entry.key, kind: entry.kind, message: op.left })
        failed++
        continue
      }
      if (stop !== undefined) {
        unresolved.add(entry.key)
        continue
      }
      const outcome = yield* Effect.either(Outcome.lookup(compiled, op.right, new Date(entry.updatedAt)))
      if (Either.isLeft(outcome)) {
        unresolved.add(entry.key)
        if (outcome.left.reason === "BudgetExhausted") stop = stopOf(outcome.left, options.tokenCap, yield* Clock.currentTimeMillis)
        continue
      }
      const o = outcome.right
      if (o._tag === "Applied") {
        const recorded = yield* Effect.either(recordApplied(compiled, op.right, o.product))
        if (Either.isLeft(recorded)) {
          yield* store.journalMark(entry.id, "failed", { error: recorded.left.message })
          failures.push(failureOf(op.right, recorded.left.message))
          failed++
          continue
        }
        yield* store.journalMark(entry.id, "done", o.product === undefined ? {} : { pipedriveId: o.product.id })
        applied++
      } else if (o._tag === "NotApplied") {
        yield* store.journalMark(entry.id, "pending", { error: `looked up: not applied (${o.why})` })
        yield* store.journalMark(entry.id, "skipped", { error: `looked up: not applied (${o.why}); ${superseded}` })
        replanned++
      } else {
        yield* store.journalMark(entry.id, "failed", { error: o.message })
        failures.push(failureOf(op.right, o.message))
        failed++
      }
    }
    const summary: ResumeSummary = { found: entries.length, applied, replanned, failed, unresolvedKeys: [...unresolved], failures, ...(stop === undefined ? {} : { stop }) }
    return summary
  })

/**
 * Applies the plan's links (matching) and agreements (base advances without writes) to the state —
 * except the agreements of products still to be created (`creating`): only a create that happened
 * moves their base (`recordApplied`). A plan made from the state has them staged there (`staged`):
 * they are applied set-based, in one transaction, and the staging emptied.
 */
const applyState = (plan: Plan.Plan, creating: ReadonlySet<string>) =>
  Effect.gen(function*() {
    const store = yield* Store
    const failures: Array<Failure> = []
    for (const l of plan.links) {
      const r = yield* Effect.either(store.link(l.key as Sku, l.pipedriveId))
      if (Either.isLeft(r)) failures.push({ key: l.key, kind: "link", pipedriveId: l.pipedriveId, message: r.left.message })
    }
    const agreements = plan.agreements.filter((a) => !creating.has(a.key))
    if (agreements.length > 0) {
      yield* store.setBase(agreements.map((a) => ({ key: a.key as Sku, field: a.path, value: stored(a.path, a.value) })))
      const pending = new Set((yield* store.pendingWritebacks).map((p) => `${p.key}\u0000${p.field}`))
      for (const a of agreements) {
        if (pending.has(`${a.key}\u0000${a.path}`)) yield* store.clearPendingWriteback(a.key as Sku, a.path)
      }
    }
    if (plan.staged !== undefined) {
      for (const r of yield* store.staged.apply(plan.staged.id)) failures.push({ key: r.key, kind: "link", pipedriveId: r.pipedriveId, message: r.message })
    }
    return failures
  })

/** Records the ERP-bound operations as pending write-backs; returns those a CSV cannot carry. */
const recordErpOps = (compiled: Compile.Compiled, plan: Plan.Plan, runId: number) =>
  Effect.gen(function*() {
    const store = yield* Store
    const notWritten: Array<{ key: string; message: string }> = []
    const entries: Array<{ key: Sku; field: string; value: unknown; sinceRun: number }> = []
    for (const op of plan.operations) {
      if (op.side !== "erp") continue
      const key = op.key as Sku
      if (op.kind === "create" || op.kind === "update") {
        for (const c of op.changes) entries.push({ key, field: c.path, value: stored(c.path, c.after), sinceRun: runId })
      } else if (op.kind === "unlink") {
        yield* store.unlink(key)
        yield* store.deleteBase([key])
      } else if (op.kind === "archive") {
        const path = ["active", "linkable"].find((p) => compiled.byPath.get(p)?.erp?.column !== undefined)
        if (path === undefined) notWritten.push({ key: op.key, message: `archived in Pipedrive; the mapping writes neither active nor linkable to the ERP: archive ${op.key} in the ERP by hand` })
        else entries.push({ key, field: path, value: false, sinceRun: runId })
      } else {
        notWritten.push({ key: op.key, message: `deleted in Pipedrive; a write-back CSV cannot delete rows: delete ${op.key} in the ERP by hand` })
      }
    }
    if (entries.length > 0) yield* store.setPendingWritebacks(entries)
    return notWritten
  })

/**
 * Writes every pending write-back (this run's and earlier runs' not yet imported) as the configured
 * CSV, in the ERP file's dialect, atomically. Nothing is written when nothing is pending and no
 * write-back file exists yet. A pending value the file cannot hold (recorded before the plan checked
 * for them) is not written and no longer pending: the next plan plans it afresh.
 */
export const writeBack = (erp: ResolvedConfig["erp"], compiled: Compile.Compiled) =>
  Effect.gen(function*() {
    const store = yield* Store
    const pending = yield* store.pendingWritebacks
    const exists = yield* Effect.sync(() => existsSync(erp.writeBack.path))
    if (pending.length === 0 && !exists) return undefined
    const catalog = yield* Catalog.open(erp.path, Prepare.catalogOptions(compiled, erp.dialect))
    const byKey = new Map<string, Record<string, Cell.Value>>()
    for (const p of pending) {
      const f = compiled.byPath.get(p.field)
      const column = f?.erp?.column
      if (f === undefined || column === undefined) continue
      const value = Field.fromJson(JSON.stringify(p.value))
      const decimal = catalog.columns.find((c) => c.name === column)?.format.decimal === "comma" ? "," : "."
      const cell = WriteBackCheck.cellValue(compiled, f, value, decimal)
      const row = byKey.get(p.key) ?? {}
      row[column] = cell
      byKey.set(p.key, row)
    }
    const inFile = new Set<string>()
    yield* Stream.runForEach(catalog.rows, (item) =>
      Effect.sync(() => {
        const k = item.key
        if (k !== undefined && byKey.has(k)) inFile.add(k)
      }))
    const updates = new Map<string, Record<string, Cell.Value>>()
    const creates: Array<{ key: string; values: Record<string, Cell.Value> }> = []
    for (const [key, values] of [...byKey].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (inFile.has(key)) updates.set(key, values)
      else creates.push({ key, values })
    }
    const summary = yield* Writer.write(catalog, erp.writeBack.path, erp.writeBack.mode, { updates, creates })
    for (const r of summary.refused) {
      const path = compiled.fields.find((f) => f.erp?.column === r.column)?.path
      if (path !== undefined) yield* store.clearPendingWriteback(r.key as Sku, path)
    }
    return summary
  })

/**
 * Runs a plan's writes. The plan's links and agreements go to the state first; every Pipedrive
 * write is journaled `pending` in one transaction, then sent `concurrency` at a time: marked `sent`
 * (durably), sent, then `done` with the state updated, or `failed` with Pipedrive's message (a 400
 * does not stop the others). A write whose outcome is unknown is looked up before anything else
 * happens to it, and sent again only when surely not applied. `BudgetExhausted` (daily budget or the
 * run's token cap) stops sending: what was not sent stays `pending` for the next run.
 */
export const execute = (
  plan: Plan.Plan,
  options: Options
): Effect.Effect<RunSummary, StoreError, Pipedrive | Store | FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const started = yield* Clock.currentTimeMillis
    const store = yield* Store
    const pd = yield* Pipedrive
    const { compiled, runId } = options
    const before = (yield* pd.accounting).total
    const resumed: ResumeSummary = options.resumed ?? { found: 0, applied: 0, replanned: 0, failed: 0, unresolvedKeys: [], failures: [] }
    const held = new Set(resumed.unresolvedKeys)

    const creating = new Set(plan.operations.filter((op) => op.side === "pipedrive" && op.kind === "create").map((op) => op.key))
    const agreedOnCreate = new Map<string, Array<Plan.Agreement>>()
    for (const a of plan.agreements) if (creating.has(a.key)) agreedOnCreate.set(a.key, [...(agreedOnCreate.get(a.key) ?? []), a])
    const failures: Array<Failure> = [...(yield* applyState(plan, creating))]
    const writes = plan.operations.filter(isApiWrite)
    const toSend = writes.filter((op) => !held.has(op.key))
    const heldCount = writes.length - toSend.length

    const ids = yield* store.journalAppend(runId, toSend.map((op): Journal.NewEntry => ({ opId: op.id, key: op.key, kind: op.kind, payload: Outcome.toPayload(op) })))

    const stopRef = yield* Ref.make<Stop | undefined>(undefined)
    const counts = { done: 0, failed: 0, notSent: 0, unknown: 0, started: 0, finished: 0 }
    const unconfirmed: Array<RunSummary["unconfirmed"][number]> = []
    const maxAttempts = options.maxAttempts ?? 4
    const setStop = (s: Stop) => Ref.update(stopRef, (cur) => cur ?? s)

    const finishOne = (outcome: "done" | "failed" | "notSent" | "unknown") =>
      Effect.sync(() => {
        counts[outcome]++
        counts.finished++
        options.onProgress?.(counts.finished, toSend.length)
      })

    const applied = (op: Plan.Operation, jid: number, product: PdWire.Product | undefined) =>
      Effect.gen(function*() {
        const recorded = yield* Effect.either(recordApplied(compiled, op, product, op.kind === "create" ? agreedOnCreate.get(op.key) : undefined))
        if (Either.isLeft(recorded)) {
          yield* store.journalMark(jid, "failed", { error: `applied in Pipedrive, but ${recorded.left.message}`, ...(product === undefined ? {} : { pipedriveId: product.id }) })
          failures.push(failureOf(op, recorded.left.message))
          return yield* finishOne("failed")
        }
        for (const d of recorded.right.differing) unconfirmed.push({ key: op.key, ...d })
        yield* store.journalMark(jid, "done", product === undefined ? (op.pipedriveId === undefined ? {} : { pipedriveId: op.pipedriveId }) : { pipedriveId: product.id })
        yield* finishOne("done")
      })

    const one = (op: Plan.Operation, jid: number) =>
      Effect.gen(function*() {
        if ((yield* Ref.get(stopRef)) !== undefined) return yield* finishOne("notSent")
        if (options.maxWrites !== undefined && counts.started >= options.maxWrites) {
          yield* setStop(maxWritesStop(options.maxWrites))
          return yield* finishOne("notSent")
        }
        counts.started++
        let firstSent: Date | undefined
        for (let attempt = 1; ; attempt++) {
          yield* store.journalMark(jid, "sent")
          firstSent ??= new Date(yield* Clock.currentTimeMillis)
          const r = yield* Effect.either(send(op))
          if (Either.isRight(r)) return yield* applied(op, jid, r.right)
          const e = r.left
          if (!e.ambiguous) {
            if (e.reason === "BudgetExhausted") {
              yield* setStop(stopOf(e, options.tokenCap, yield* Clock.currentTimeMillis))
              yield* store.journalMark(jid, "pending", { error: e.message })
              return yield* finishOne("notSent")
            }
            yield* store.journalMark(jid, "failed", { error: e.message })
            failures.push(failureOf(op, e.message))
            return yield* finishOne("failed")
          }
          // Outcome unknown: look it up before anything else happens to this write.
          const looked = yield* Effect.either(Outcome.lookup(compiled, op, firstSent))
          if (Either.isLeft(looked)) {
            if (looked.left.reason === "BudgetExhausted") yield* setStop(stopOf(looked.left, options.tokenCap, yield* Clock.currentTimeMillis))
            failures.push(failureOf(op, `${e.message}; looking it up failed too (${looked.left.message}): left for the next run to look up`))
            return yield* finishOne("unknown")
          }
          const o = looked.right
          if (o._tag === "Applied") return yield* applied(op, jid, o.product)
          if (o._tag === "Unresolvable") {
            yield* store.journalMark(jid, "failed", { error: o.message })
            failures.push(failureOf(op, o.message))
            return yield* finishOne("failed")
          }
          yield* store.journalMark(jid, "pending", { error: `${e.message}; looked up: not applied (${o.why})` })
          const stopped = yield* Ref.get(stopRef)
          if (stopped !== undefined) return yield* finishOne("notSent")
          if (attempt >= maxAttempts) {
            const message = `${e.message}; not applied after ${attempt} attempts`
            yield* store.journalMark(jid, "failed", { error: message })
            failures.push(failureOf(op, message))
            return yield* finishOne("failed")
          }
        }
      })

    yield* Effect.forEach(toSend, (op, i) => one(op, ids[i] as number), { concurrency: Math.max(1, options.concurrency), discard: true })

    // State-only operations: keys gone from both sides.
    for (const op of plan.operations) {
      if (op.side === "pipedrive" && op.kind === "unlink") {
        yield* store.unlink(op.key as Sku)
        yield* store.deleteBase([op.key as Sku])
      }
    }

    const notWritten = yield* recordErpOps(compiled, plan, runId)
    let file: Writer.Summary | undefined
    let writeBackError: string | undefined
    if (options.erp !== undefined) {
      const w = yield* Effect.either(writeBack(options.erp, compiled))
      if (Either.isLeft(w)) writeBackError = w.left.message
      else file = w.right
    }
    for (const p of plan.writeBackProblems) if (p.resolution === "refused") notWritten.push({ key: p.key, message: `${p.path}: ${p.message}` })
    for (const r of file?.refused ?? []) notWritten.push({ key: r.key, message: `write-back refused: ${r.message}` })
    const pendingAfter = (yield* store.pendingWritebacks).length

    const after = yield* pd.accounting
    for (const [endpoint, c] of Object.entries(after.byEndpoint)) {
      if (c.requests > 0 || c.tokens > 0) yield* store.recordTokens(runId, endpoint, c.requests, c.tokens)
    }
    const stop = yield* Ref.get(stopRef)
    const status: RunSummary["status"] = stop !== undefined ? "stopped" : counts.failed + counts.unknown + heldCount > 0 || failures.length > 0 || resumed.failures.length > 0 || writeBackError !== undefined ? "partial" : "succeeded"
    const summary: RunSummary = {
      status,
      ...(stop === undefined ? {} : { stop }),
      writes: { planned: writes.length, done: counts.done, failed: counts.failed, notSent: counts.notSent, unknown: counts.unknown, held: heldCount },
      resumed,
      failures,
      unconfirmed,
      conflictsHeld: plan.conflicts.length,
      agreements: Plan.agreementCount(plan),
      links: Plan.linkCount(plan),
      writeBack: { pending: pendingAfter, ...(file === undefined ? {} : { file }), ...(writeBackError === undefined ? {} : { error: writeBackError }), notWritten, replaced: plan.writeBackProblems.filter((p) => p.resolution === "replaced") },
      tokens: { used: after.total.tokens - before.tokens, planned: plan.totals.tokens, requests: after.total.requests - before.requests, run: after.total.tokens, runRequests: after.total.requests },
      elapsedMs: (yield* Clock.currentTimeMillis) - started
    }
    return summary
  })
