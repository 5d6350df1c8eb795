import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import type * as Store from "../../src/store/Store.js"
import { all, failureOf, freshStore } from "./Support.js"

const pd = (id: number, code: string | null, isDeleted = false): Store.PipedriveInput => ({
  id,
  code,
  updateTime: null,
  isDeleted,
  product: { id, name: `P${id}`, code }
})

describe("the Pipedrive snapshot", () => {
  it.scoped("counts the live products and lists the live ones without a key, by id", () =>
    Effect.gen(function*() {
      const store = yield* freshStore
      assert.deepStrictEqual(yield* store.pipedriveCounts, { live: 0, unkeyed: [] })
      yield* store.replacePipedriveSnapshot([pd(4, null), pd(1, "A"), pd(2, null), pd(3, null, true), pd(5, "B", true)])
      assert.deepStrictEqual(yield* store.pipedriveCounts, { live: 3, unkeyed: [2, 4] })
      yield* store.upsertPipedriveProducts([pd(4, "D"), pd(3, null)])
      assert.deepStrictEqual(yield* store.pipedriveCounts, { live: 4, unkeyed: [2, 3] })
    }))

  it.scoped("a product that is not JSON is refused, naming its id, and the pull writes none of its batch", () =>
    Effect.gen(function*() {
      const store = yield* freshStore
      const error = failureOf(yield* Effect.exit(store.upsertPipedriveProducts([pd(1, "A"), { ...pd(2, "B"), product: undefined }])))
      assert.strictEqual(error.reason, "Invalid")
      assert.include(error.message, "Pipedrive product 2 is not a JSON value")
      assert.deepStrictEqual(yield* all(store.pipedriveSnapshot()), [])
    }))
})
