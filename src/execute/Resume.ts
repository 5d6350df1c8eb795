/**
 * Finishing what earlier runs left unfinished in the journal, before anything new is sent.
 */
import { Chunk, Clock, Effect, Either, Stream } from "effect"
import type * as Compile from "../mapping/Compile.js"
import { Store } from "../store/Store.js"
import { recordApplied } from "./Applied.js"
import * as Outcome from "./Outcome.js"
import { type Failure, failureOf, type ResumeSummary, type Stop, stopOf } from "./Summary.js"

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

