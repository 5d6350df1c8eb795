import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Fiber, Option, Stream } from "effect"
import { CatalogProduct } from "../../src/domain/CatalogProduct.js"
import * as Sku from "../../src/domain/Sku.js"
import { all, freshStore } from "./Support.js"

const row = (key: string, line: number) => ({ key: Sku.make(key), product: new CatalogProduct({ key: Sku.make(key), name: key }), line })

describe("the store's transactions", () => {
  it.scoped("writers take turns: a write while a streamed bulk write pulls waits for its commit", () =>
    Effect.gen(function*() {
      const store = yield* freshStore
      const pulled = yield* Deferred.make<void>()
      const go = yield* Deferred.make<void>()
      const order: Array<string> = []
      const rows = Stream.concat(
        Stream.make(row("A", 2)),
        Stream.fromEffect(Deferred.succeed(pulled, undefined).pipe(Effect.zipRight(Deferred.await(go)), Effect.as(row("B", 3))))
      )
      const bulk = yield* Effect.fork(store.replaceErpSnapshot(rows))
      yield* Deferred.await(pulled)
      const other = yield* Effect.fork(store.setWatermark({ updatedSince: "2026-11-27T02:00:00Z", runsSinceFull: 1 }).pipe(Effect.tap(() => order.push("watermark"))))
      yield* Effect.yieldNow({ priority: 1000 })
      assert.isTrue(Option.isNone(yield* Fiber.poll(other)), "the watermark waits for the bulk write")
      order.push("bulk pulled")
      yield* Deferred.succeed(go, undefined)
      assert.strictEqual(yield* Fiber.join(bulk), 2)
      yield* Fiber.join(other)
      assert.deepStrictEqual(order, ["bulk pulled", "watermark"])
      assert.deepStrictEqual((yield* store.watermark).runsSinceFull, 1)
    }))

  it.scoped("an interrupted bulk write rolls back and lets the next writer in", () =>
    Effect.gen(function*() {
      const store = yield* freshStore
      yield* store.replaceErpSnapshot([row("OLD", 2)])
      const pulled = yield* Deferred.make<void>()
      const rows = Stream.make(row("A", 2)).pipe(Stream.concat(Stream.drain(Stream.fromEffect(Deferred.succeed(pulled, undefined)))), Stream.concat(Stream.never))
      const bulk = yield* Effect.fork(store.replaceErpSnapshot(rows))
      yield* Deferred.await(pulled)
      yield* Fiber.interrupt(bulk)
      assert.deepStrictEqual((yield* all(store.erpSnapshot())).map((r) => r.key as string), ["OLD"])
      yield* store.setWatermark({ updatedSince: null, runsSinceFull: 2 })
      assert.strictEqual((yield* store.watermark).runsSinceFull, 2)
    }))
})
