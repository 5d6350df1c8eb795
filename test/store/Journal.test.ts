import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as Journal from "../../src/store/Journal.js"
import type * as Store from "../../src/store/Store.js"
import { all, failureOf, freshStore } from "./Support.js"

/** The allowed moves from `pending` that bring a fresh entry to each state. */
const pathTo: Readonly<Record<Journal.State, ReadonlyArray<Journal.State>>> = {
  pending: [],
  sent: ["sent"],
  done: ["sent", "done"],
  failed: ["failed"],
  skipped: ["skipped"]
}

/** A fresh entry of its own run, brought to `state`. */
const entryIn = (store: Store.Service, state: Journal.State) =>
  Effect.gen(function*() {
    const run = yield* store.startRun("sync")
    const [id] = yield* store.journalAppend(run, [{ opId: `update:${state}`, key: "A", kind: "update", payload: { name: "a" } }])
    for (const step of pathTo[state]) yield* store.journalMark(id!, step)
    return { run, id: id! }
  })

describe("the journal's moves", () => {
  it.scoped("every move Journal.allowedFrom lists is taken, every other one is refused and leaves the entry as it was", () =>
    Effect.gen(function*() {
      const store = yield* freshStore
      for (const from of Journal.states) {
        for (const to of Journal.states) {
          const { id, run } = yield* entryIn(store, from)
          const exit = yield* Effect.exit(store.journalMark(id, to))
          const [entry] = yield* all(store.journalForRun(run))
          if (Journal.allowedFrom[to].includes(from)) {
            assert.isTrue(exit._tag === "Success", `${from} → ${to} should be allowed`)
            assert.strictEqual(entry!.state, to)
          } else {
            const error = failureOf(exit)
            assert.strictEqual(error.reason, "Invalid")
            assert.include(error.message, `journal entry ${id} (update A) is ${from}; it cannot become ${to}`)
            assert.strictEqual(entry!.state, from)
          }
        }
      }
    }))

  it.scoped("a later move keeps the Pipedrive id and clears an error it does not repeat", () =>
    Effect.gen(function*() {
      const store = yield* freshStore
      const { id } = yield* entryIn(store, "sent")
      const failed = yield* store.journalMark(id, "failed", { pipedriveId: 7, error: "503 Service Unavailable" })
      assert.deepStrictEqual([failed.pipedriveId, failed.error], [7, "503 Service Unavailable"])
      const retried = yield* store.journalMark(id, "pending")
      assert.deepStrictEqual([retried.pipedriveId, retried.error, retried.attempts], [7, null, 1])
    }))

  it.scoped("a payload that is not JSON is refused, naming the operation, and none of the batch is journaled", () =>
    Effect.gen(function*() {
      const store = yield* freshStore
      const run = yield* store.startRun("sync")
      const error = failureOf(
        yield* Effect.exit(store.journalAppend(run, [
          { opId: "create:A", key: "A", kind: "create", payload: { name: "a" } },
          { opId: "create:B", key: "B", kind: "create", payload: undefined }
        ]))
      )
      assert.strictEqual(error.reason, "Invalid")
      assert.include(error.message, "the payload of operation create:B is not a JSON value")
      assert.deepStrictEqual(yield* all(store.journalForRun(run)), [])
      assert.deepStrictEqual(yield* store.journalCounts(run), { pending: 0, sent: 0, done: 0, failed: 0, skipped: 0 })
    }))
})
