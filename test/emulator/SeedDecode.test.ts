/** A broken emulator account (a hand-edited `emulator-account.json`, a seed file) is one line per problem, never the whole account. */
import { assert, describe, it } from "vitest"
import { Either } from "effect"
import * as Seed from "../../src/emulator/Seed.js"

describe("Seed.decode", () => {
  it("names each problem by its path and leaves the rest of the account out of the message", () => {
    const at = "2026-01-01T00:00:00Z"
    const products = Array.from({ length: 2000 }, (_, i) => Seed.product({ id: i + 1, name: `Product number ${i + 1}`, code: `SKU-${i + 1}`, add_time: at, update_time: at, prices: [] }))
    const broken = { ...Seed.empty, products: products.map((p, i) => (i === 1 ? { ...p, update_time: "2026-12-04 01:00:00" } : p)) }
    const decoded = Seed.decode(JSON.parse(JSON.stringify(broken)))
    assert.isTrue(Either.isLeft(decoded))
    const message = Either.isLeft(decoded) ? decoded.left : ""
    assert.strictEqual(message, "not an emulator account:\n  products.1.update_time: an RFC 3339 UTC timestamp in whole seconds, e.g. 2026-01-31T12:00:00Z")
  })
})
