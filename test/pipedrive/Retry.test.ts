import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Ref, TestClock } from "effect"
import * as Endpoint from "../../src/pipedrive/Endpoint.js"
import { PipedriveError, type Reason } from "../../src/pipedrive/PipedriveError.js"
import * as Retry from "../../src/pipedrive/Retry.js"

const error = (reason: Reason, ambiguous = false) =>
  new PipedriveError({ reason, method: "POST", path: "/api/v2/products", detail: "x", ambiguous })

/** The times (TestClock ms) of each attempt of an effect that always fails with `e`. */
const attemptTimes = (e: PipedriveError, policy: Partial<Retry.Policy>) =>
  Effect.gen(function*() {
    const times = yield* Ref.make<ReadonlyArray<number>>([])
    const fiber = yield* Effect.fork(
      Effect.flatMap(TestClock.currentTimeMillis, (t) => Ref.update(times, (ts) => [...ts, t])).pipe(
        Effect.zipRight(Effect.fail(e)),
        Effect.retry({ schedule: Retry.schedule(policy), while: Retry.shouldRetry(Endpoint.getProduct) })
      )
    )
    yield* TestClock.adjust("10 minutes")
    yield* Fiber.await(fiber)
    return yield* Ref.get(times)
  })

describe("Retry", () => {
  it.effect("backs off exponentially, capped per delay and in count", () =>
    Effect.gen(function*() {
      const ts = yield* attemptTimes(error("Server"), { jitter: false, baseDelay: "100 millis", maxDelay: "1 second", maxRetries: 6 })
      assert.deepStrictEqual(ts, [0, 100, 300, 700, 1500, 2500, 3500])
    }))

  it.effect("jitter keeps each delay within 80–120 % of the exponential one", () =>
    Effect.gen(function*() {
      const ts = yield* attemptTimes(error("Timeout"), { baseDelay: "1 second", maxDelay: "1 minute", maxRetries: 4 })
      const delays = ts.slice(1).map((t, i) => t - ts[i]!)
      assert.strictEqual(delays.length, 4)
      delays.forEach((d, i) => {
        const nominal = 1000 * 2 ** i
        assert.isTrue(d >= nominal * 0.8 && d <= nominal * 1.2, `delay ${i} = ${d}`)
      })
    }))

  it.effect("stops once the elapsed time is spent", () =>
    Effect.gen(function*() {
      const ts = yield* attemptTimes(error("Transport"), { jitter: false, baseDelay: "1 second", maxDelay: "1 second", maxRetries: 100, maxElapsed: "5 seconds" })
      assert.isAtMost(ts.length, 7)
      assert.isAtMost(ts[ts.length - 1]!, 6000)
    }))

  it.effect("does not retry what is not transient", () =>
    Effect.gen(function*() {
      for (const reason of ["Unauthorized", "Forbidden", "NotFound", "Validation", "BudgetExhausted", "Decode"] as const) {
        assert.strictEqual((yield* attemptTimes(error(reason), {})).length, 1, reason)
      }
    }))

  it("never retries an ambiguous create; retries ambiguous PATCH and DELETE, and creates surely not sent", () => {
    const ambiguous = error("Timeout", true)
    assert.isFalse(Retry.shouldRetry(Endpoint.createProduct)(ambiguous))
    assert.isFalse(Retry.shouldRetry(Endpoint.createProductField)(ambiguous))
    assert.isTrue(Retry.shouldRetry(Endpoint.updateProduct)(ambiguous))
    assert.isTrue(Retry.shouldRetry(Endpoint.deleteProduct)(ambiguous))
    assert.isTrue(Retry.shouldRetry(Endpoint.createProduct)(error("Transport", false)))
    assert.isTrue(Retry.shouldRetry(Endpoint.createProduct)(error("RateLimited")))
  })
})
