import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Ref, TestClock } from "effect"
import * as Endpoint from "../../src/pipedrive/Endpoint.js"
import * as RateGate from "../../src/pipedrive/RateGate.js"

const o = RateGate.resolve({ burstLimit: 20 })

/** Sends `n` calls through `gate` concurrently; returns when each one got its slot (TestClock ms). */
const sendTimes = (gate: RateGate.RateGate, n: number, endpoint = Endpoint.updateProduct) =>
  Effect.gen(function*() {
    const times = yield* Ref.make<ReadonlyArray<number>>([])
    const fiber = yield* Effect.forkAll(
      Array.from({ length: n }, () =>
        Effect.zipRight(gate.acquire(endpoint), Effect.flatMap(TestClock.currentTimeMillis, (t) => Ref.update(times, (ts) => [...ts, t]))))
    )
    return { fiber, times }
  })

/** The most sends within any window of `span` ms. */
const maxInWindow = (ts: ReadonlyArray<number>, span: number) =>
  Math.max(0, ...ts.map((t) => ts.filter((u) => u >= t && u < t + span).length))

describe("RateGate (pure)", () => {
  it("allows floor(limit × 0.95) sends per window, then says how long to wait", () => {
    let s = RateGate.initial
    for (let i = 0; i < 19; i++) {
      const d = RateGate.plan(o, s, 1000 + i, false)
      assert.strictEqual(d._tag, "Go")
      if (d._tag === "Go") s = d.state
    }
    const d = RateGate.plan(o, s, 1019, false)
    // the first send (t=1000) leaves the 2025 ms window at t=3025
    assert.deepStrictEqual(d, { _tag: "Wait", ms: 3025 - 1019 })
    assert.strictEqual(RateGate.plan(o, s, 3025, false)._tag, "Go")
  })

  it("search calls also wait for the search limit (10 → 9 per window)", () => {
    let s = RateGate.initial
    for (let i = 0; i < 9; i++) {
      const d = RateGate.plan(o, s, 0, true)
      if (d._tag === "Go") s = d.state
    }
    assert.strictEqual(RateGate.plan(o, s, 1, true)._tag, "Wait")
    assert.strictEqual(RateGate.plan(o, s, 1, false)._tag, "Go")
  })

  it("a lower x-ratelimit-limit lowers the limit; a higher one does not raise it", () => {
    const lower = RateGate.observe(o, RateGate.initial, 0, { limit: 10 })
    assert.strictEqual(RateGate.effectiveLimit(o, lower), 9)
    const higher = RateGate.observe(o, RateGate.initial, 0, { limit: 100 })
    assert.strictEqual(RateGate.effectiveLimit(o, higher), 19)
  })

  it("x-ratelimit-remaining below what the log knows adds placeholders that expire at the reset", () => {
    const s = RateGate.observe(o, RateGate.initial, 0, { limit: 20, remaining: 2, resetMs: 1000 })
    assert.strictEqual(s.sent.length, 18)
    assert.deepStrictEqual(RateGate.plan(o, s, 0, false), { _tag: "Go", state: { ...s, sent: [...s.sent, 0] } })
    const full = RateGate.observe(o, RateGate.initial, 0, { limit: 20, remaining: 0, resetMs: 1000 })
    assert.deepStrictEqual(RateGate.plan(o, full, 0, false), { _tag: "Wait", ms: 1000 })
    // the log already knows of more sends than the server counted: nothing added
    const known = RateGate.observe(o, { ...RateGate.initial, sent: [0, 0, 0, 0, 0] }, 0, { limit: 20, remaining: 18 })
    assert.strictEqual(known.sent.length, 5)
  })
})

describe("RateGate (TestClock)", () => {
  it.effect("paces 100 concurrent calls at 19 per 2 s window, none early", () =>
    Effect.gen(function*() {
      const gate = yield* RateGate.make({ burstLimit: 20 })
      const { fiber, times } = yield* sendTimes(gate, 100)
      yield* TestClock.adjust("20 seconds")
      yield* Fiber.join(fiber)
      const ts = yield* Ref.get(times)
      assert.strictEqual(ts.length, 100)
      assert.strictEqual(maxInWindow(ts, 2025), 19)
      // 100 calls = 5 full windows + 5: the last slot opens at 5 × 2025 ms
      assert.strictEqual(Math.max(...ts), 5 * 2025)
    }))

  it.effect("a pause (429 retry-after) holds every call until it ends", () =>
    Effect.gen(function*() {
      const gate = yield* RateGate.make({ burstLimit: 100 })
      yield* gate.pause(3000)
      const { fiber, times } = yield* sendTimes(gate, 3)
      yield* TestClock.adjust("2999 millis")
      assert.deepStrictEqual(yield* Ref.get(times), [])
      yield* TestClock.adjust("1 millis")
      yield* Fiber.join(fiber)
      assert.deepStrictEqual(yield* Ref.get(times), [3000, 3000, 3000])
    }))

  it.effect("charges each call's token cost and refuses, before sending, a call that would pass the cap", () =>
    Effect.gen(function*() {
      const gate = yield* RateGate.make({ burstLimit: 100, tokenCap: 12 })
      yield* gate.acquire(Endpoint.listProducts)
      yield* gate.acquire(Endpoint.getProduct)
      const error = yield* Effect.flip(gate.acquire(Endpoint.updateProduct))
      assert.strictEqual(error.reason, "BudgetExhausted")
      assert.strictEqual(error.message, "PATCH /api/v2/products/{id} BudgetExhausted: the run's token cap of 12 is reached: 11 spent, this call costs 5")
      yield* gate.acquire(Endpoint.getProduct)
      assert.deepStrictEqual((yield* gate.snapshot).spent, 12)
    }))
})
