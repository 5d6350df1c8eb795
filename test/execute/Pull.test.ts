/**
 * Incremental pulls of the Pipedrive snapshot against the emulator (real HTTP, a real state file):
 * a first full pass, then only what changed since the watermark (one page for a quiet account),
 * edits in the watermark's second caught by the overlap, and deletions caught by the periodic or
 * forced full pass.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Option, Redacted } from "effect"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import * as Emulator from "../../src/emulator/Emulator.js"
import type * as Seed from "../../src/emulator/Seed.js"
import * as Pull from "../../src/execute/Pull.js"
import * as Live from "../../src/cli/Live.js"
import { Pipedrive } from "../../src/pipedrive/Pipedrive.js"
import { Store } from "../../src/store/Store.js"
import { scenario, token } from "./support.js"

const T0 = Date.parse("2026-03-01T00:00:00Z")
const at = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z")

/** 1,200 products (three pages) edited a minute apart over the day before T0. */
const seed = (): Seed.Seed => {
  const base = scenario(1200, 1200).seed
  return { ...base, products: base.products.map((p, i) => ({ ...p, update_time: at(T0 - 86_400_000 + i * 60_000) })) }
}

const setup = Effect.gen(function*() {
  let now = T0
  const emu = yield* Effect.acquireRelease(Effect.promise(() => Emulator.start({ token, seed: seed(), burstLimit: 1000, clock: () => now })), (h) => Effect.promise(() => h.close()))
  const dir = yield* Effect.acquireRelease(Effect.sync(() => Fs.mkdtempSync(Path.join(Os.tmpdir(), "catalog-sync-pull-"))), (d) => Effect.sync(() => Fs.rmSync(d, { recursive: true, force: true })))
  const layer = Layer.merge(Pipedrive.layer({ baseUrl: emu.baseUrl, token: Redacted.make(token), burstLimit: 1000 }), Store.layer(Path.join(dir, "state.db"))).pipe(Layer.provide(Live.httpClient))
  const call = (method: string, path: string, body?: unknown) =>
    Effect.promise(() => fetch(`${emu.baseUrl}${path}`, { method, headers: { "x-api-token": token, "content-type": "application/json" }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) }))
  return { emu, layer, call, advance: (ms: number) => void (now += ms) }
})

const options: Pull.Options = { keyOf: (p) => p.code ?? null, fullEvery: 3 }
const listRequests = (emu: Emulator.Handle) => emu.stats().byEndpoint["GET /api/v2/products"] ?? 0

describe("Pull.refresh", () => {
  it.scoped("a full first pass, then one page for what changed; the overlap catches an edit in the watermark's second", () =>
    Effect.gen(function*() {
      const { emu, layer, call, advance } = yield* setup
      yield* Effect.gen(function*() {
        const store = yield* Store
        const first = yield* Pull.refresh(options)
        assert.strictEqual(first.mode, "full")
        assert.strictEqual(first.pulled, 1202)
        assert.strictEqual(listRequests(emu), 3)

        advance(60_000)
        yield* call("PATCH", "/api/v2/products/5", { name: "Renamed in Pipedrive" })
        const second = yield* Pull.refresh(options)
        assert.strictEqual(second.mode, "incremental")
        assert.strictEqual(listRequests(emu), 4) // one page
        assert.isBelow(second.pulled, 20)
        const five = yield* store.pipedriveProduct(5)
        assert.strictEqual((Option.getOrThrow(five).product as { name: string }).name, "Renamed in Pipedrive")

        // An edit within the same second as the newest change the last pull saw
        yield* call("PATCH", "/api/v2/products/6", { name: "Same second" })
        const third = yield* Pull.refresh({ ...options, fullEvery: 10 })
        assert.strictEqual(third.mode, "incremental")
        const six = yield* store.pipedriveProduct(6)
        assert.strictEqual((Option.getOrThrow(six).product as { name: string }).name, "Same second")
      }).pipe(Effect.provide(layer))
    }))

  it.scoped("deletions: unseen by incremental pulls, reported by the full pass every N pulls or on demand", () =>
    Effect.gen(function*() {
      const { layer, call, advance } = yield* setup
      yield* Effect.gen(function*() {
        yield* Pull.refresh(options)
        advance(60_000)
        yield* call("DELETE", "/api/v2/products/7")
        const incremental = yield* Pull.refresh(options)
        assert.strictEqual(incremental.mode, "incremental")
        assert.deepStrictEqual(incremental.gone, [])
        const forced = yield* Pull.refresh({ ...options, full: true })
        assert.strictEqual(forced.mode, "full")
        assert.deepStrictEqual(forced.gone, [7])
        yield* Pull.refresh(options)
        yield* Pull.refresh(options)
        const periodic = yield* Pull.refresh(options)
        assert.strictEqual(periodic.mode, "full") // the third pull since the last full pass
      }).pipe(Effect.provide(layer))
    }))

  it.scoped("a bulk-imported account (every product with one update time): a quiet night reads one page, an edit after the pull is caught", () =>
    Effect.gen(function*() {
      let now = T0
      const imported = at(T0 - 3_600_000)
      const base = scenario(1200, 1200).seed
      const bulk = { ...base, products: base.products.map((p) => ({ ...p, add_time: imported, update_time: imported })) }
      const emu = yield* Effect.acquireRelease(Effect.promise(() => Emulator.start({ token, seed: bulk, burstLimit: 1000, clock: () => now })), (h) => Effect.promise(() => h.close()))
      const dir = yield* Effect.acquireRelease(Effect.sync(() => Fs.mkdtempSync(Path.join(Os.tmpdir(), "catalog-sync-pull-"))), (d) => Effect.sync(() => Fs.rmSync(d, { recursive: true, force: true })))
      const layer = Layer.merge(Pipedrive.layer({ baseUrl: emu.baseUrl, token: Redacted.make(token), burstLimit: 1000 }), Store.layer(Path.join(dir, "state.db"))).pipe(Layer.provide(Live.httpClient))
      yield* Effect.gen(function*() {
        const store = yield* Store
        const first = yield* Pull.refresh(options)
        assert.strictEqual(first.mode, "full")
        assert.strictEqual(listRequests(emu), 3)
        // the watermark is the server's clock at the pull, less the overlap — not the import time
        assert.strictEqual((yield* store.watermark).updatedSince, at(T0 - 300_000))

        now += 86_400_000
        const quiet = yield* Pull.refresh({ ...options, fullEvery: 10 })
        assert.strictEqual(quiet.mode, "incremental")
        assert.strictEqual(quiet.pulled, 0)
        assert.strictEqual(listRequests(emu), 4) // one page

        now += 1000
        yield* Effect.promise(() => fetch(`${emu.baseUrl}/api/v2/products/9`, { method: "PATCH", headers: { "x-api-token": token, "content-type": "application/json" }, body: JSON.stringify({ name: "Edited after the pull" }) }))
        const next = yield* Pull.refresh({ ...options, fullEvery: 10 })
        assert.strictEqual(next.pulled, 1)
        assert.strictEqual((Option.getOrThrow(yield* store.pipedriveProduct(9)).product as { name: string }).name, "Edited after the pull")
      }).pipe(Effect.provide(layer))
    }))
})
