/** The body an operation sends leaves the plan through the client's body schemas, as planned or not at all. */
import { assert, describe, it } from "@effect/vitest"
import { BigDecimal, Effect, Either } from "effect"
import * as Currency from "../../src/domain/Currency.js"
import type * as Field from "../../src/domain/Field.js"
import type * as Plan from "../../src/domain/Plan.js"
import * as Outcome from "../../src/execute/Outcome.js"
import * as Compile from "../../src/mapping/Compile.js"
import { defineMapping } from "../../src/mapping/Mapping.js"
import * as PipedriveSide from "../../src/mapping/PipedriveSide.js"

const compiled = Either.getOrThrow(
  Compile.compile(defineMapping({ key: { erp: "sku" }, fields: { name: { erp: "name" }, description: { erp: "description" }, "prices.EUR.price": { erp: "price" } } }), {
    header: ["sku", "name", "description", "price"],
    fields: [],
    currencies: Currency.registry([["EUR", 2], ["USD", 2]]),
    pins: [],
    mode: { toPipedrive: "additive", toErp: "additive" },
    conflicts: "manual",
    source: "m.ts"
  })
)

const op = (kind: Plan.OperationKind, body: Record<string, unknown> | undefined): Plan.Operation => ({
  id: `pipedrive:${kind}:A1`,
  key: "A1",
  side: "pipedrive",
  kind,
  pipedriveId: 7,
  changes: [],
  reason: "test",
  tokens: 5,
  ...(body === undefined ? {} : { body })
})

describe("Outcome.createBody / patchBody", () => {
  it.effect("a body the mapping wrote is sent as planned: the same values, the same key order", () =>
    Effect.gen(function*() {
      const changes = new Map<string, Field.Value>([["name", "Chair"], ["description", null], ["prices.EUR.price", BigDecimal.unsafeFromString("19.9")]])
      const create = Either.getOrThrow(PipedriveSide.toBody(compiled, changes, undefined, "A1"))
      const sentCreate = yield* Outcome.createBody(op("create", create))
      assert.strictEqual(JSON.stringify(sentCreate), JSON.stringify(create))
      const current = { id: 7, name: "Chair", code: "A1", prices: [{ currency: "USD", price: 21, cost: 3, direct_cost: null, notes: "list" }] }
      const patch = Either.getOrThrow(PipedriveSide.toBody(compiled, changes, current))
      const sentPatch = yield* Outcome.patchBody(op("update", patch))
      assert.strictEqual(JSON.stringify(sentPatch), JSON.stringify(patch))
      assert.deepStrictEqual(sentPatch.prices?.map((p) => p.currency), ["USD", "EUR"])
    }))

  it.effect("keys the schema does not know are kept (a plan read from a file is sent as it is)", () =>
    Effect.gen(function*() {
      const sent = yield* Outcome.patchBody(op("archive", { is_linkable: false, first_seen: "x" }))
      assert.deepStrictEqual(sent, { is_linkable: false, first_seen: "x" } as typeof sent)
    }))

  it.effect("a body that is no product body fails as Validation, unsent and not ambiguous", () =>
    Effect.gen(function*() {
      const noName = yield* Effect.flip(Outcome.createBody(op("create", undefined)))
      assert.strictEqual(noName.reason, "Validation")
      assert.strictEqual(noName.ambiguous, false)
      assert.strictEqual(`${noName.method} ${noName.path}`, "POST /api/v2/products")
      assert.include(noName.message, "not sent: the plan's body for A1 is not an API v2 product body (name: is required)")
      const badPrice = yield* Effect.flip(Outcome.patchBody(op("update", { prices: [{ currency: "EUR", price: "19.9" }] })))
      assert.strictEqual(`${badPrice.method} ${badPrice.path} ${badPrice.reason}`, "PATCH /api/v2/products/{id} Validation")
      assert.include(badPrice.detail, "prices[0].price: expected a number, got \"19.9\"")
    }))
})
