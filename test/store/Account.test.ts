import { assert, describe, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import * as Store from "../../src/store/Store.js"
import { freshStore, raw, statePath } from "./Support.js"

const cache: Store.AccountCache = { fields: [{ key: "name", field_type: "varchar" }], currencies: [{ code: "EUR" }], mappingHash: "h1" }

describe("the account's cached fields", () => {
  it.scoped("start absent, read back as saved, replaced whole, beside the watermark", () =>
    Effect.gen(function*() {
      const store = yield* freshStore
      assert.isTrue(Option.isNone(yield* store.accountCache))
      yield* store.setAccountCache(cache)
      yield* store.setWatermark({ updatedSince: "2026-11-27T02:00:00Z", runsSinceFull: 1 })
      assert.deepStrictEqual(Option.getOrThrow(yield* store.accountCache), cache)
      yield* store.setAccountCache({ fields: [], currencies: [], mappingHash: "h2" })
      assert.deepStrictEqual(Option.getOrThrow(yield* store.accountCache), { fields: [], currencies: [], mappingHash: "h2" })
      assert.deepStrictEqual(yield* store.watermark, { updatedSince: "2026-11-27T02:00:00Z", runsSinceFull: 1 })
    }))

  it.scoped("a copy that lacks a part reads as absent (the fields are read again)", () =>
    Effect.gen(function*() {
      const path = yield* statePath
      const store = yield* Store.open(path)
      yield* store.setAccountCache(cache)
      raw(path, (db) => db.prepare("UPDATE meta SET value = ? WHERE key = 'pipedrive.account'").run(JSON.stringify({ fields: [], currencies: [] })))
      assert.isTrue(Option.isNone(yield* store.accountCache))
    }))
})
