import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Fiber, Ref, TestClock } from "effect"
import * as Endpoint from "../../src/pipedrive/Endpoint.js"
import * as RateGate from "../../src/pipedrive/RateGate.js"

const o = RateGate.resolve({ burstLimit: 20 })

/** Sends `n` calls through `gate` concurrently, each answered at once; records when each was sent (TestClock ms). */
const sendTimes = (gate: RateGate.RateGate, n: number, endpoint = Endpoint.updateProduct) =>
  Effect.gen(function*() {
    const times = yield* Ref.make<ReadonlyArray<number>>([])
    const fiber = yield* Effect.forkAll(
      Array.from({ length: n }, () =>
        gate.withSlot(endpoint, Effect.flatMap(TestClock.currentTimeMillis, (t) => Ref.update(times, (ts) => [...ts, t]))))
    )
    return { fiber, times }
  })

/** Takes a slot at `now` and, unless `answered` is false, settles it at once. */
const send = (s: RateGate.State, now: number, search = false, answered = true): RateGate.State => {
  const d = RateGate.plan(o, s, now, search)
  assert.strictEqual(d._tag, "Go", `no slot at ${now}`)
  return d._tag === "Go" ? (answered ? RateGate.settle(d.state, d.slot, now) : d.state) : s
}

/** The most sends within any window of `span` ms. */
const maxInWindow = (ts: ReadonlyArray<number>, span: number) =>
  Math.max(0, ...ts.map((t) => ts.filter((u) => u >= t && u < t + span).length))

describe("RateGate (pure)", () => {
  it("allows floor(limit × 0.95) slots per window, then says how long to wait", () => {
    let s = RateGate.initial
    for (let i = 0; i < 19; i++) s = send(s, 1000 + i)
    // the first slot (answered at t=1000) leaves the 2010 ms window at t=3010
    assert.deepStrictEqual(RateGate.plan(o, s, 1019, false), { _tag: "Wait", ms: 3010 - 1019 })
    assert.strictEqual(RateGate.plan(o, s, 3010, false)._tag, "Go")
  })

  it("a slot is held while its call is in flight and for a window after its response", () => {
    let s = RateGate.initial
    for (let i = 0; i < 19; i++) s = send(s, 0, false, false)
    assert.deepStrictEqual(RateGate.plan(o, s, 5000, false), { _tag: "Wait", ms: Infinity })
    s = RateGate.settle(s, 3, 6000)
    assert.deepStrictEqual(RateGate.plan(o, s, 6000, false), { _tag: "Wait", ms: 2010 })
    assert.strictEqual(RateGate.plan(o, s, 8010, false)._tag, "Go")
  })

  it("search calls also wait for the search limit (10 → 9 per window)", () => {
    let s = RateGate.initial
    for (let i = 0; i < 9; i++) s = send(s, 0, true)
    assert.strictEqual(RateGate.plan(o, s, 1, true)._tag, "Wait")
    assert.strictEqual(RateGate.plan(o, s, 1, false)._tag, "Go")
  })

  it("a lower x-ratelimit-limit lowers the limit; a higher one does not raise it", () => {
    const lower = RateGate.observe(o, RateGate.initial, 0, { limit: 10 })
    assert.strictEqual(RateGate.effectiveLimit(o, lower), 9)
    const higher = RateGate.observe(o, RateGate.initial, 0, { limit: 100 })
    assert.strictEqual(RateGate.effectiveLimit(o, higher), 19)
  })

  it("x-ratelimit-remaining below the room the log leaves adds placeholders that leave at the reset", () => {
    const s = RateGate.observe(o, RateGate.initial, 0, { limit: 20, remaining: 2, resetMs: 1000 })
    // room 19, the server says 2: 17 placeholders
    assert.strictEqual(s.sent.length, 17)
    s.sent.forEach((slot) => assert.deepStrictEqual(slot, { id: 0, at: 1000 - 2010 }))
    const two = send(send(s, 0), 0)
    assert.strictEqual(RateGate.plan(o, two, 0, false)._tag, "Wait")
    const full = RateGate.observe(o, RateGate.initial, 0, { limit: 20, remaining: 0, resetMs: 1000 })
    assert.deepStrictEqual(RateGate.plan(o, full, 0, false), { _tag: "Wait", ms: 1000 })
    // the server leaves more room than the log: nothing added
    let known = RateGate.initial
    for (let i = 0; i < 5; i++) known = send(known, 0)
    assert.strictEqual(RateGate.observe(o, known, 0, { limit: 20, remaining: 14 }).sent.length, 5)
    assert.strictEqual(RateGate.observe(o, known, 0, { limit: 20, remaining: 13 }).sent.length, 6)
  })
})

describe("RateGate (TestClock)", () => {
  it.effect("a gate full of calls in flight lets the next one go a window after the first answer", () =>
    Effect.gen(function*() {
      const gate = yield* RateGate.make({ burstLimit: 2, safety: 1 })
      const answer = yield* Deferred.make<void>()
      const inFlight = yield* Effect.forkAll([gate.withSlot(Endpoint.getProduct, Deferred.await(answer)), gate.withSlot(Endpoint.getProduct, Deferred.await(answer))])
      const third = yield* Effect.fork(gate.withSlot(Endpoint.getProduct, TestClock.currentTimeMillis))
      yield* TestClock.adjust("10 seconds")
      assert.isNull(third.unsafePoll())
      yield* Deferred.succeed(answer, undefined)
      yield* Fiber.join(inFlight)
      yield* TestClock.adjust("3 seconds")
      assert.strictEqual(yield* Fiber.join(third), 10_000 + 2010)
    }))


  it.effect("paces 100 concurrent calls at 19 per 2 s window, none early", () =>
    Effect.gen(function*() {
      const gate = yield* RateGate.make({ burstLimit: 20 })
      const { fiber, times } = yield* sendTimes(gate, 100)
      yield* TestClock.adjust("20 seconds")
      yield* Fiber.join(fiber)
      const ts = yield* Ref.get(times)
      assert.strictEqual(ts.length, 100)
      assert.strictEqual(maxInWindow(ts, 2010), 19)
      // 100 calls = 5 full windows + 5: the last slot opens at 5 × 2010 ms
      assert.strictEqual(Math.max(...ts), 5 * 2010)
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
      yield* gate.withSlot(Endpoint.listProducts, Effect.void)
      yield* gate.withSlot(Endpoint.getProduct, Effect.void)
      const sent = yield* Ref.make(false)
      const error = yield* Effect.flip(gate.withSlot(Endpoint.updateProduct, Ref.set(sent, true)))
      assert.isFalse(yield* Ref.get(sent))
      assert.strictEqual(error.reason, "BudgetExhausted")
      assert.strictEqual(error.message, "PATCH /api/v2/products/{id} BudgetExhausted: the run's token cap of 12 is reached: 11 spent, this call costs 5")
      yield* gate.withSlot(Endpoint.getProduct, Effect.void)
      assert.deepStrictEqual((yield* gate.snapshot).spent, 12)
    }))
})
