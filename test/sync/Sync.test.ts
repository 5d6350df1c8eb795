/**
 * `Sync` as one thing, in-process, through the composition root's layers (real HTTP against the
 * emulator on 127.0.0.1, a real state file, a real CSV): how often one run reads the ERP file, that
 * it plans once with nothing to resume, and what it asks of its caller — confirmation, refusal,
 * guards overridden.
 */
import { FileSystem } from "@effect/platform"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Either, Layer, Option } from "effect"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import * as Live from "../../src/cli/Live.js"
import * as Loader from "../../src/config/Loader.js"
import * as Emulator from "../../src/emulator/Emulator.js"
import * as CsvSource from "../../src/erp/CsvSource.js"
import * as Sync from "../../src/sync/Sync.js"
import { scenario, token } from "../execute/support.js"

/** The platform's file system, counting the times each file is opened for reading. */
const countingFs = (opens: Map<string, number>) =>
  Layer.effect(
    FileSystem.FileSystem,
    Effect.map(FileSystem.FileSystem, (fs) => ({
      ...fs,
      open: (path: string, options?: FileSystem.OpenFileOptions) =>
        Effect.zipRight(
          Effect.sync(() => {
            if (options?.flag === undefined || options.flag === "r") opens.set(path, (opens.get(path) ?? 0) + 1)
          }),
          fs.open(path, options)
        )
    }))
  ).pipe(Layer.provide(NodeContext.layer))

interface Asked {
  readonly events: Array<Sync.Event>
  readonly confirmed: Array<{ writes: number; erpOps: number }>
  readonly progress: Array<number>
}

/** A caller that answers `answer` and remembers what it was told. */
const caller = (answer: boolean): Sync.Interaction & { readonly asked: Asked } => {
  const asked: Asked = { events: [], confirmed: [], progress: [] }
  return {
    asked,
    event: (e) => Effect.sync(() => void asked.events.push(e)),
    confirm: (_plan, counts) => Effect.sync(() => (asked.confirmed.push(counts), answer)),
    showPlan: () => Effect.void,
    progress: (total) => ({ advance: () => void asked.progress.push(total), done: () => {} })
  }
}

const setup = Effect.gen(function*() {
  const { csv, seed } = scenario(40, 30)
  const emu = yield* Effect.acquireRelease(Effect.promise(() => Emulator.start({ token, seed, burstLimit: 1000 })), (h) => Effect.promise(() => h.close()))
  const dir = yield* Effect.acquireRelease(Effect.sync(() => Fs.mkdtempSync(Path.join(Os.tmpdir(), "catalog-sync-sync-"))), (d) => Effect.sync(() => Fs.rmSync(d, { recursive: true, force: true })))
  Fs.writeFileSync(Path.join(dir, "c.csv"), csv)
  Fs.writeFileSync(Path.join(dir, "m.mjs"), "export default " + JSON.stringify({ key: { erp: "sku" }, fields: { name: { erp: "name" }, "prices.EUR.price": { erp: "price_eur", type: "decimal" } } }))
  Fs.writeFileSync(
    Path.join(dir, "sync.config.mjs"),
    "export default " + JSON.stringify({ pipedrive: { baseUrl: emu.baseUrl, burstLimit: 1000 }, erp: { path: "./c.csv" }, mapping: "./m.mjs", state: "./state.db", policies: { mode: "additive", guards: { maxChangedShare: 1 } } })
  )
  process.env.PIPEDRIVE_API_TOKEN = token
  const loaded: Sync.Loaded = yield* Loader.loadAll(Option.some(Path.join(dir, "sync.config.mjs")), dir)
  const config = loaded.config
  const opens = new Map<string, number>()
  // The composition root's layers, the catalog source over a file system that counts its reads.
  const layer = Layer.mergeAll(Live.pipedrive(config), Live.store(config), CsvSource.layer(config.erp, config.state).pipe(Layer.provide(countingFs(opens))))
  return { dir, config, loaded, layer, opens, emu }
}).pipe(Effect.provide(NodeContext.layer))

const options = (o: Partial<Sync.RunOptions> = {}): Sync.RunOptions => ({ yes: false, force: false, allow: new Set(), full: false, showPlan: false, ...o })

describe("Sync.run", () => {
  it.scoped("reads the ERP file once for its header and keys and once for its rows, plans once, and asks before writing", () =>
    Effect.gen(function*() {
      const { config, loaded, layer, opens, emu } = yield* setup
      const ui = caller(true)
      const result = yield* Sync.run(loaded, options(), ui).pipe(Effect.provide(layer))
      assert.strictEqual(result.summary.status, "succeeded")
      assert.deepStrictEqual(ui.asked.confirmed, [{ writes: 40, erpOps: 2 }]) // the two Pipedrive-only products go to the ERP
      assert.strictEqual(ui.asked.progress.length, 40)
      assert.deepStrictEqual(ui.asked.events, []) // nothing resumed, no field created: planned once
      // The sample (encoding, dialect, header), the first rows (number formats), the key scan, the
      // rows; then the write-back, written as the file is read once more.
      assert.strictEqual(opens.get(config.erp.path), 5)
      assert.strictEqual(emu.stats().byEndpoint["PATCH /api/v2/products/{id}"], 30)

      // Unchanged inputs: nothing to write, nothing asked; the write-back (not imported yet) written again.
      opens.clear()
      const again = yield* Sync.run(loaded, options(), ui).pipe(Effect.provide(layer))
      assert.strictEqual(again.summary.writes.planned, 0)
      assert.strictEqual(again.summary.writeBack.pending, 4) // two products, two fields each
      assert.strictEqual(ui.asked.confirmed.length, 1)
      assert.strictEqual(opens.get(config.erp.path), 5)
    }))

  it.scoped("a caller that says no writes nothing; a tripped guard refuses unless allowed, and says it was overridden", () =>
    Effect.gen(function*() {
      const { loaded, layer, emu } = yield* setup
      const no = yield* Effect.either(Sync.run(loaded, options(), caller(false)).pipe(Effect.provide(layer)))
      assert.isTrue(Either.isLeft(no) && no.left._tag === "SyncError" && no.left.message === "cancelled: nothing was written")
      assert.strictEqual(emu.stats().byEndpoint["PATCH /api/v2/products/{id}"] ?? 0, 0)

      const strict = { ...loaded, config: { ...loaded.config, policies: { ...loaded.config.policies, guards: { ...loaded.config.policies.guards, maxChangedShare: 0.1 } } } }
      const refused = yield* Effect.either(Sync.run(strict, options({ yes: true }), caller(true)).pipe(Effect.provide(layer)))
      assert.isTrue(Either.isLeft(refused) && /refused: the plan trips a guard:\n {2}maxChangedShare/.test(refused.left.message))

      const ui = caller(true)
      const allowed = yield* Sync.run(strict, options({ yes: true, allow: new Set(["maxChangedShare"]) }), ui).pipe(Effect.provide(layer))
      assert.strictEqual(allowed.summary.writes.done, 40)
      assert.deepStrictEqual(ui.asked.confirmed, []) // --yes: not asked
      assert.deepStrictEqual(ui.asked.events.map((e) => (e._tag === "GuardsOverridden" ? `${e.by} ${e.guards.map((g) => g.name).join()}` : e._tag)), ["--allow maxChangedShare"])
    }))
})
