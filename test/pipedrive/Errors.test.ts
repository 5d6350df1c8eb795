import { assert, describe, it } from "@effect/vitest"
import { Clock, Effect, Fiber } from "effect"
import type { PipedriveError } from "../../src/pipedrive/PipedriveError.js"
import * as Retry from "../../src/pipedrive/Retry.js"
import { client, closedPort, emulator, json, quickRetry, scripted, seedOf } from "./Support.js"

const expectFailure = <A>(effect: Effect.Effect<A, PipedriveError>) => Effect.flip(effect)

describe("PipedriveError reasons, from real responses", () => {
  it.scopedLive("Unauthorized: a wrong token, not retried", () =>
    Effect.gen(function*() {
      const emu = yield* emulator({ seed: seedOf(1) })
      const pd = yield* client({ baseUrl: emu.baseUrl, token: "wrong-token" })
      const e = yield* expectFailure(pd.product(1))
      assert.strictEqual(e.reason, "Unauthorized")
      assert.strictEqual(e.message, "GET /api/v2/products/{id} → 401 Unauthorized: unauthorized access (Please check developers.pipedrive.com)")
      assert.strictEqual((yield* pd.accounting).total.requests, 1)
    }))

  it.scopedLive("NotFound: an id that does not exist", () =>
    Effect.gen(function*() {
      const emu = yield* emulator({ seed: seedOf(1) })
      const pd = yield* client(emu)
      const e = yield* expectFailure(pd.updateProduct(4242, { name: "x" }))
      assert.deepStrictEqual([e.reason, e.status, e.ambiguous], ["NotFound", 404, false])
      assert.match(e.message, /^PATCH \/api\/v2\/products\/\{id\} → 404 NotFound: /)
    }))

  it.scopedLive("Validation: Pipedrive's own text and code, not retried", () =>
    Effect.gen(function*() {
      const emu = yield* emulator({ seed: seedOf(0) })
      const pd = yield* client(emu)
      const e = yield* expectFailure(pd.createProduct({ name: "" }))
      assert.deepStrictEqual([e.reason, e.status, e.ambiguous], ["Validation", 400, false])
      assert.include(e.message, "POST /api/v2/products → 400 Validation: ")
      assert.include(e.message, "name")
      assert.include(e.message, "[ERR_SCHEMA_VALIDATION_FAILED]")
      assert.strictEqual(emu.stats().requests, 1)
    }))

  it.scopedLive("Forbidden: a Cloudflare HTML page is summarised, not dumped", () =>
    Effect.gen(function*() {
      const server = yield* scripted((_, res) => {
        res.writeHead(403, { "content-type": "text/html; charset=UTF-8" })
        res.end("<html><head><title>Access denied</title></head><body><h1>Error 1015</h1><p>This error is produced by Cloudflare.</p></body></html>")
      })
      const pd = yield* client({ baseUrl: server.baseUrl, token: "t" })
      const e = yield* expectFailure(pd.currencies())
      assert.deepStrictEqual([e.reason, e.status], ["Forbidden", 403])
      assert.strictEqual(e.message, "GET /v1/currencies → 403 Forbidden: unexpected text/html body: Access denied Error 1015 This error is produced by Cloudflare.")
    }))

  it.scopedLive("Decode: names the endpoint and the path in the body that did not match", () =>
    Effect.gen(function*() {
      const good = { id: 1, name: "ok", prices: [{ price: 1, currency: "EUR" }], extra_field: { tolerated: true } }
      const server = yield* scripted((req, res) => {
        if (req.url.startsWith("/api/v2/products/1")) return json(res, 200, { success: true, data: { ...good, id: "1" } })
        if (req.url.startsWith("/api/v2/products/2")) return json(res, 200, { success: false, data: good })
        if (req.url.startsWith("/api/v2/products/3")) return json(res, 200, { success: true, data: good, more: 1 })
        if (req.method === "POST") return json(res, 201, { success: true, data: { id: "new" } })
        if (req.url.startsWith("/api/v2/products?")) {
          return json(res, 200, { success: true, data: [good, { ...good, prices: [{ price: "5", currency: "EUR" }] }], additional_data: { next_cursor: null } })
        }
        res.writeHead(200, { "content-type": "text/plain" })
        res.end("hello")
      })
      const pd = yield* client({ baseUrl: server.baseUrl, token: "t" })
      const one = yield* expectFailure(pd.product(1))
      assert.strictEqual(one.reason, "Decode")
      assert.match(one.message, /^GET \/api\/v2\/products\/\{id\} → 200 Decode: unexpected response body at data\.id: Expected number, actual "1"/)
      const notSuccess = yield* expectFailure(pd.product(2))
      assert.match(notSuccess.message, /at success: Expected true, actual false/)
      assert.deepStrictEqual((yield* pd.product(3)).id, 1)
      const list = yield* expectFailure(pd.productsByIds([1, 2]))
      assert.match(list.message, /^GET \/api\/v2\/products → 200 Decode: unexpected response body at data\[1\]\.prices\[0\]\.price: Expected number, actual "5"/)
      const text = yield* expectFailure(pd.currencies())
      assert.strictEqual(text.message, "GET /v1/currencies → 200 Decode: the 200 response is not JSON: hello")
      assert.isFalse(text.ambiguous)
      // a create answered 201 was applied, but its product cannot be read: look it up
      const created = yield* expectFailure(pd.createProduct({ name: "x" }))
      assert.deepStrictEqual([created.reason, created.status, created.ambiguous], ["Decode", 201, true])
      assert.strictEqual((yield* pd.accounting).total.retries, 0)
    }))

  it.scopedLive("Server: a GET is retried and finally fails plainly; a create fails at once, as ambiguous", () =>
    Effect.gen(function*() {
      const emu = yield* emulator({ seed: seedOf(1), faults: { serverErrorRate: 1 } })
      const pd = yield* client(emu, { retry: quickRetry(2) })
      const get = yield* expectFailure(pd.product(1))
      assert.deepStrictEqual([get.reason, get.ambiguous], ["Server", false])
      assert.isTrue(get.status !== undefined && get.status >= 500)
      assert.strictEqual(emu.stats().requests, 3)
      const create = yield* expectFailure(pd.createProduct({ name: "x", code: "X-1" }))
      assert.deepStrictEqual([create.reason, create.ambiguous], ["Server", true])
      assert.match(create.message, /outcome unknown: the request may have been applied$/)
      assert.strictEqual(emu.stats().requests, 4)
      const acc = yield* pd.accounting
      assert.deepStrictEqual(acc.byEndpoint["GET /api/v2/products/{id}"], { requests: 3, tokens: 3, retries: 2, rateLimited: 0, failures: 1 })
      assert.deepStrictEqual(acc.byEndpoint["POST /api/v2/products"], { requests: 1, tokens: 5, retries: 0, rateLimited: 0, failures: 1 })
    }))

  it.scopedLive("Transport: a reset connection is retried for reads; a refused one is surely not applied", () =>
    Effect.gen(function*() {
      const emu = yield* emulator({ seed: seedOf(1), faults: { resetRate: 1 } })
      const pd = yield* client(emu, { retry: quickRetry(2) })
      const e = yield* expectFailure(pd.product(1))
      assert.deepStrictEqual([e.reason, e.ambiguous, e.status], ["Transport", false, undefined])
      assert.strictEqual(emu.stats().faultsInjected.reset, 3)

      const port = yield* closedPort
      const refused = yield* client({ baseUrl: `http://127.0.0.1:${port}`, token: "t" }, { retry: quickRetry(3) })
      const c = yield* expectFailure(refused.createProduct({ name: "x" }))
      assert.deepStrictEqual([c.reason, c.ambiguous], ["Transport", false])
      assert.include(c.message, "ECONNREFUSED")
      // not sent, so safe to send again: the create was retried
      assert.strictEqual((yield* refused.accounting).total.requests, 4)
    }))

  it.scopedLive("Timeout: a slow answer to a create is ambiguous — and the product was in fact created", () =>
    Effect.gen(function*() {
      const emu = yield* emulator({ seed: seedOf(1), faults: { slowRate: 1, slowMs: 800 } })
      const pd = yield* client(emu, { timeoutMs: 150, retry: quickRetry(1) })
      const get = yield* expectFailure(pd.product(1))
      assert.deepStrictEqual([get.reason, get.ambiguous], ["Timeout", false])
      assert.strictEqual(get.message, "GET /api/v2/products/{id} Timeout: no complete response within 150ms")
      const create = yield* expectFailure(pd.createProduct({ name: "Slow", code: "SLOW-1" }))
      assert.deepStrictEqual([create.reason, create.ambiguous], ["Timeout", true])
      assert.strictEqual(emu.stats().byEndpoint["POST /api/v2/products"], 1)
      emu.setFaults({})
      const found = yield* pd.searchByCode("SLOW-1")
      assert.strictEqual(found.length, 1)
    }))
})

describe("ambiguous writes", () => {
  it.scopedLive("a create committed and then dropped is reported ambiguous, never resent; looking it up finds it once", () =>
    Effect.gen(function*() {
      const emu = yield* emulator({ seed: seedOf(3), faults: { dropAfterCommitRate: 1 } })
      const pd = yield* client(emu)
      const e = yield* expectFailure(pd.createProduct({ name: "Chair", code: "CHAIR-9" }))
      assert.deepStrictEqual([e.reason, e.ambiguous], ["Transport", true])
      assert.strictEqual(emu.stats().byEndpoint["POST /api/v2/products"], 1)
      assert.strictEqual((yield* pd.accounting).byEndpoint["POST /api/v2/products"]?.retries, 0)
      assert.strictEqual(emu.stats().products, 4)
      emu.setFaults({})
      const hits = yield* pd.searchByCode("CHAIR-9")
      assert.strictEqual(hits.length, 1)
      assert.strictEqual(emu.stats().products, 4)
    }))

  it.scopedLive("an update whose answer is dropped is retried (PATCH is idempotent) and lands once", () =>
    Effect.gen(function*() {
      const emu = yield* emulator({ seed: seedOf(3), faults: { dropAfterCommitRate: 0.5, seed: 7 } })
      const pd = yield* client(emu)
      const results = yield* Effect.forEach([1, 2, 3], (id) => pd.updateProduct(id, { description: `patched ${id}` }))
      assert.deepStrictEqual(results.map((p) => p.description), ["patched 1", "patched 2", "patched 3"])
      const acc = yield* pd.accounting
      assert.strictEqual(acc.byEndpoint["PATCH /api/v2/products/{id}"]?.retries, emu.stats().faultsInjected.dropAfterCommit)
      assert.isAbove(emu.stats().faultsInjected.dropAfterCommit, 0)
    }))

  it.scopedLive("an update that keeps failing after being sent ends ambiguous", () =>
    Effect.gen(function*() {
      const emu = yield* emulator({ seed: seedOf(1), faults: { dropAfterCommitRate: 1 } })
      const pd = yield* client(emu, { retry: quickRetry(2) })
      const e = yield* expectFailure(pd.updateProduct(1, { description: "x" }))
      assert.deepStrictEqual([e.reason, e.ambiguous], ["Transport", true])
      assert.strictEqual(emu.stats().byEndpoint["PATCH /api/v2/products/{id}"], 3)
    }))
})

describe("429s and budgets", () => {
  it.scopedLive("RateLimited: without retries, the 429 and its retry-after are reported", () =>
    Effect.gen(function*() {
      const emu = yield* emulator({ seed: seedOf(1), faults: { rateLimitRate: 1 } })
      const pd = yield* client(emu, { retry: Retry.none })
      const e = yield* expectFailure(pd.product(1))
      assert.deepStrictEqual([e.reason, e.status, e.ambiguous], ["RateLimited", 429, false])
      assert.isTrue(e.retryAfterMs !== undefined && e.retryAfterMs > 0)
      assert.strictEqual((yield* pd.accounting).total.rateLimited, 1)
    }))

  it.scopedLive("a 429's retry-after holds the next attempt back", () =>
    Effect.gen(function*() {
      // a 500 ms window: the emulator asks to wait 1 s
      const emu = yield* emulator({ seed: seedOf(1), windowMs: 500, faults: { rateLimitRate: 1 } })
      const pd = yield* client(emu)
      const start = yield* Clock.currentTimeMillis
      const fiber = yield* Effect.fork(pd.product(1))
      while (emu.stats().rateLimited === 0) yield* Effect.sleep("2 millis")
      emu.setFaults({})
      const p = yield* Fiber.join(fiber)
      const elapsed = (yield* Clock.currentTimeMillis) - start
      assert.strictEqual(p.id, 1)
      assert.strictEqual(emu.stats().requests, 2)
      assert.isAtLeast(elapsed, 950)
    }))

  it.scopedLive("a 429 storm: every call gets through, each 429 counted and retried", () =>
    Effect.gen(function*() {
      // a 500 ms window: the emulator then asks to wait 1 s instead of 2
      const emu = yield* emulator({ seed: seedOf(60), windowMs: 500, faults: { rateLimitRate: 0.2, seed: 3 } })
      const pd = yield* client(emu, { retry: quickRetry(12) })
      const got = yield* Effect.forEach(Array.from({ length: 30 }, (_, i) => i + 1), (id) => pd.product(id), { concurrency: 30 })
      assert.deepStrictEqual(got.map((p) => p.id), Array.from({ length: 30 }, (_, i) => i + 1))
      const acc = yield* pd.accounting
      const stats = emu.stats()
      assert.isAbove(stats.rateLimitedBy.storm, 2)
      assert.strictEqual(acc.total.rateLimited, stats.rateLimited)
      assert.strictEqual(acc.total.retries, stats.rateLimited)
      assert.strictEqual(acc.total.requests, stats.requests)
    }))

  it.scopedLive("the gate keeps a client under the server's burst limit: no 429 where an unpaced client gets many", () =>
    Effect.gen(function*() {
      const emu = yield* emulator({ seed: seedOf(10), burstLimit: 8, windowMs: 500 })
      const paced = yield* client(emu, { burstLimit: 8, gate: { windowMs: 500 } })
      yield* Effect.forEach(Array.from({ length: 24 }, (_, i) => (i % 10) + 1), (id) => paced.product(id), { concurrency: 16 })
      assert.strictEqual(emu.stats().rateLimited, 0)
      assert.strictEqual((yield* paced.gate).effectiveLimit, 7)

      emu.reset()
      const unpaced = yield* client(emu, { burstLimit: 100_000, gate: { windowMs: 500 }, retry: quickRetry(20) })
      yield* Effect.forEach(Array.from({ length: 24 }, (_, i) => (i % 10) + 1), (id) => unpaced.product(id), { concurrency: 16 })
      assert.isAbove(emu.stats().rateLimitedBy.burst, 0)
      // it learnt the server's limit from x-ratelimit-limit
      assert.strictEqual((yield* unpaced.gate).serverLimit, 8)
    }))

  it.scopedLive("searches are paced under the Search API's own limit", () =>
    Effect.gen(function*() {
      const emu = yield* emulator({ seed: seedOf(5), searchBurstLimit: 4, windowMs: 300 })
      const pd = yield* client(emu, { gate: { windowMs: 300, searchBurstLimit: 4 } })
      const hits = yield* Effect.forEach(["SKU-00001", "SKU-00002", "SKU-00003", "SKU-00004", "SKU-00005"], (c) => pd.searchByCode(c), { concurrency: 5 })
      assert.deepStrictEqual(hits.map((h) => h.map((i) => i.id)), [[1], [2], [3], [4], [5]])
      assert.strictEqual(emu.stats().rateLimited, 0)
    }))

  it.scopedLive("the daily budget: BudgetExhausted with the wait, no retry loop", () =>
    Effect.gen(function*() {
      const emu = yield* emulator({ seed: seedOf(1), dailyBudget: 35 })
      const pd = yield* client(emu)
      yield* Effect.repeatN(pd.productFields(), 2)
      const e = yield* expectFailure(pd.productFields())
      assert.deepStrictEqual([e.reason, e.status], ["BudgetExhausted", 429])
      assert.isTrue(e.retryAfterMs !== undefined && e.retryAfterMs > 0)
      assert.include(e.message, "daily request budget exceeded")
      assert.strictEqual(emu.stats().requests, 4)
      assert.strictEqual((yield* pd.accounting).total.retries, 0)
    }))

  it.scopedLive("a 429 asking to wait longer than a minute is the daily budget, whatever its text", () =>
    Effect.gen(function*() {
      const server = yield* scripted((_, res) => json(res, 429, { success: false, error: "Too many requests", errorCode: 429 }, { "retry-after": "3939" }))
      const pd = yield* client({ baseUrl: server.baseUrl, token: "t" })
      const e = yield* expectFailure(pd.product(1))
      assert.deepStrictEqual([e.reason, e.retryAfterMs], ["BudgetExhausted", 3_939_000])
      assert.strictEqual(server.seen.length, 1)
    }))

  it.scopedLive("the run's token cap: the call that would pass it is never sent", () =>
    Effect.gen(function*() {
      const emu = yield* emulator({ seed: seedOf(1) })
      const pd = yield* client(emu, { tokenCap: 25 })
      yield* pd.productFields()
      yield* pd.productFields()
      const e = yield* expectFailure(pd.productFields())
      assert.deepStrictEqual([e.reason, e.status], ["BudgetExhausted", undefined])
      assert.include(e.message, "token cap of 25")
      yield* pd.product(1)
      assert.strictEqual(emu.stats().requests, 3)
      assert.strictEqual((yield* pd.gate).spent, 21)
    }))
})
