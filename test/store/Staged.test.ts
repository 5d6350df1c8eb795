/**
 * The staging of a plan's links and agreements (src/store/Staged.ts): staged on a connection of
 * its own while the store's connection reads the state, read back in the order the plan lists them
 * (JavaScript's `<`, not SQLite's), applied set-based (links refused as `store.link` refuses them,
 * base upserted, pending write-backs of agreed fields cleared), and never applied once replaced.
 */
import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Exit, Stream } from "effect"
import * as Sku from "../../src/domain/Sku.js"
import type * as Store from "../../src/store/Store.js"
import { freshStore } from "./Support.js"

const k = Sku.make
const all = <A, E>(s: Stream.Stream<A, E>) => Effect.map(Stream.runCollect(s), Chunk.toReadonlyArray)

/** Stages links and agreements as a plan would, then finishes. */
const stage = (store: Store.Service, links: ReadonlyArray<[string, number]>, agreements: ReadonlyArray<[string, string, string]>) =>
  Effect.acquireUseRelease(
    store.staged.begin,
    (w) =>
      Effect.sync(() => {
        for (const [key, id] of links) w.link(key, id)
        for (const [key, path, value] of agreements) w.agree(key, path, value)
        return { id: w.id, ...w.finish() }
      }),
    (w) => Effect.sync(() => w.close())
  )

describe("staged links and agreements", () => {
  it.scoped("are written in batches while the store's own connection reads the state", () =>
    Effect.gen(function*() {
      const store = yield* freshStore
      yield* store.setLinks([{ key: k("A"), pipedriveId: 1 as never }, { key: k("B"), pipedriveId: 2 as never }])
      const w = yield* store.staged.begin
      let staged = { id: 0, links: 0, agreements: 0 }
      try {
        // Several batches for each key, written while the read is open.
        yield* store.forEachKeyText((row) => {
          for (let i = 0; i < 5000; i++) w.agree(row.key, `f${String(i).padStart(4, "0")}`, String(i))
        })
        staged = { id: w.id, ...w.finish() }
      } finally {
        w.close()
      }
      assert.strictEqual(staged.agreements, 10_000)
      yield* store.staged.apply(staged.id)
      const base = yield* store.baseFor([k("A"), k("B")])
      assert.deepStrictEqual([Object.keys(base.get(k("A"))!).length, base.get(k("B"))!.f4999], [5000, 4999])
    }))

  it.scoped("are read back in the plan's order (JavaScript's, not SQLite's), astral keys included", () =>
    Effect.gen(function*() {
      const store = yield* freshStore
      // In SQLite's order (code points), as the planner walks the keys: U+FF21 before U+1F600.
      const keys = ["K", "K\uFF21", "K\u{1F600}", "K\u{1F600}x", "L", "\uFF21", "\u{1F600}"]
      const staged = yield* stage(store, keys.map((key, i) => [key, 100 + i]), keys.flatMap((key) => [[key, "name", JSON.stringify(`${key} name`)], [key, "b.path", "null"]] as const))
      assert.deepStrictEqual([staged.links, staged.agreements], [7, 14])
      const jsOrder = [...keys].sort()
      assert.notDeepEqual(jsOrder, keys)
      assert.deepStrictEqual((yield* all(store.staged.links(staged.id))).map((l) => l.key), jsOrder)
      const byKey = yield* all(store.staged.agreements(staged.id, "key"))
      // By key, a key's agreements in the order staged; or by key and path.
      assert.deepStrictEqual(byKey.map((a) => [a.key, a.path]), jsOrder.flatMap((key) => [[key, "name"], [key, "b.path"]]))
      const byPath = yield* all(store.staged.agreements(staged.id, "key-path"))
      assert.deepStrictEqual(byPath.map((a) => [a.key, a.path]), jsOrder.flatMap((key) => [[key, "b.path"], [key, "name"]]))
      assert.strictEqual(byKey.find((a) => a.key === "K" && a.path === "name")?.value, '"K name"')
    }))

  it.scoped("are applied set-based: links as store.link makes them (refused when the product is another key's), the base upserted, agreed write-backs cleared, the staging emptied", () =>
    Effect.gen(function*() {
      const store = yield* freshStore
      yield* store.setLinks([{ key: k("OWNER"), pipedriveId: 7 as never }])
      yield* store.setBase([{ key: k("A"), field: "name", value: "old" }, { key: k("A"), field: "unit", value: "pcs" }])
      yield* store.setPendingWritebacks([{ key: k("A"), field: "name", value: "new", sinceRun: 1 }, { key: k("B"), field: "name", value: "b", sinceRun: 1 }])
      const s = yield* stage(store, [["A", 1], ["B", 7], ["C", 3]], [["A", "name", '"new"'], ["C", "name", '"c"']])
      const refused = yield* store.staged.apply(s.id)
      assert.deepStrictEqual(refused, [{ key: "B", pipedriveId: 7, message: `state file ${store.path}: cannot link B to Pipedrive product 7: it is already linked to OWNER` }])
      assert.deepStrictEqual((yield* all(store.links())).map((l) => [l.key, l.pipedriveId]), [["A", 1], ["C", 3], ["OWNER", 7]])
      assert.deepStrictEqual([...(yield* store.baseFor([k("A"), k("C")]))], [[k("A"), { name: "new", unit: "pcs" }], [k("C"), { name: "c" }]])
      assert.deepStrictEqual((yield* store.pendingWritebacks).map((p) => [p.key, p.field]), [["B", "name"]])
      // Applied once: the staging is empty, and the plan cannot be applied again.
      const again = yield* Effect.exit(store.staged.apply(s.id))
      assert.isTrue(Exit.isFailure(again))
    }))

  it.scoped("a newer plan replaces the staged one: the older is neither read nor applied; an unfinished one is never applied", () =>
    Effect.gen(function*() {
      const store = yield* freshStore
      const first = yield* stage(store, [["A", 1]], [["A", "name", '"a"']])
      const second = yield* stage(store, [["B", 2]], [])
      assert.notStrictEqual(first.id, second.id)
      const stale = yield* Effect.exit(store.staged.apply(first.id))
      assert.isTrue(Exit.isFailure(stale))
      assert.match(String(Exit.isFailure(stale) ? stale.cause : ""), /no longer staged/)
      assert.isTrue(Exit.isFailure(yield* Effect.exit(all(store.staged.links(first.id)))))
      const unfinished = yield* Effect.acquireUseRelease(store.staged.begin, (w) => Effect.sync(() => (w.link("C", 3), w.id)), (w) => Effect.sync(() => w.close()))
      assert.isTrue(Exit.isFailure(yield* Effect.exit(store.staged.apply(unfinished))))
      assert.deepStrictEqual(yield* all(store.links()), [])
      yield* store.staged.clear
    }))
})
