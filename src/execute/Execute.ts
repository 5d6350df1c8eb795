/**
 * Applies a plan (DESIGN §2 step 5, §6.4, §6.5, §6.7): finishes the journal an earlier run left
 * unfinished, applies the plan's links and agreements to the state, journals every Pipedrive write
 * as `pending` before anything is sent, sends them with bounded concurrency under the client's rate
 * gate (each marked `sent` durably before its request leaves), records each outcome, advances the
 * base only for what Pipedrive confirmed, records the ERP-bound changes as pending write-backs and
 * writes the write-back CSV. Stops cleanly — journal intact — when the daily budget or the run's
 * token cap is spent. docs/execution.md tells the whole story.
 */
import { Clock, Effect, Either, Ref } from "effect"
import * as Plan from "../domain/Plan.js"
import type { Sku } from "../domain/Sku.js"
import type * as Compile from "../mapping/Compile.js"
import { Pipedrive } from "../pipedrive/Pipedrive.js"
import type { PipedriveError } from "../pipedrive/PipedriveError.js"
import type * as Wire from "../pipedrive/Wire.js"
import type * as CatalogSource from "../source/CatalogSource.js"
import type * as Journal from "../store/Journal.js"
import { Store } from "../store/Store.js"
import type { StoreError } from "../store/StoreError.js"
import { recordApplied, stored } from "./Applied.js"
import * as Outcome from "./Outcome.js"
import { failureOf, isApiWrite, maxWritesStop, type Failure, type ResumeSummary, type RunSummary, type Stop, stopOf } from "./Summary.js"
import { recordErpOps, writeBack } from "./WriteBack.js"

export type { Failure, ResumeSummary, RunSummary, Stop, StopReason } from "./Summary.js"
export { isApiWrite, stopOf } from "./Summary.js"
export { recordApplied } from "./Applied.js"
export { resume } from "./Resume.js"
export { writeBack } from "./WriteBack.js"

export interface Options {
  readonly compiled: Compile.Compiled
  readonly runId: number
  /** Writes in flight at once (the rate gate paces them whatever this is). */
  readonly concurrency: number
  /** Send at most this many operations this run; the rest stay pending for the next run. */
  readonly maxWrites?: number | undefined
  /** What `resume` did first: its unresolved keys are not written this run (an earlier write to them has an unknown outcome). */
  readonly resumed?: ResumeSummary | undefined
  /** The read of the ERP catalog the plan came from, to write back through. Omit to record pending write-backs without writing a file. */
  readonly catalog?: CatalogSource.Read | undefined
  /** The run token cap, for messages. */
  readonly tokenCap?: number | undefined
  /** How many times a write found not applied after an unknown outcome is sent again within the run (default 4). */
  readonly maxAttempts?: number
  /** Called after each operation's outcome. */
  readonly onProgress?: (finished: number, total: number) => void
}


const send = (op: Plan.Operation): Effect.Effect<Wire.Product | undefined, PipedriveError, Pipedrive> =>
  Effect.flatMap(Pipedrive, (pd) => {
    switch (op.kind) {
      case "create":
        return Effect.flatMap(Outcome.createBody(op), pd.createProduct)
      case "delete":
        return Effect.as(pd.deleteProduct(op.pipedriveId as number), undefined)
      default:
        return Effect.flatMap(Outcome.patchBody(op), (body) => pd.updateProduct(op.pipedriveId as number, body))
    }
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
): Effect.Effect<RunSummary, StoreError, Pipedrive | Store> =>
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

    const applied = (op: Plan.Operation, jid: number, product: Wire.Product | undefined) =>
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
    let file: CatalogSource.WriteBackSummary | undefined
    let writeBackError: string | undefined
    if (options.catalog !== undefined) {
      const w = yield* Effect.either(writeBack(options.catalog, compiled))
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

