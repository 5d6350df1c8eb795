// `npm run bench -- sync`: a sync of a 10k-product catalog with 1 % of products changed, against the
// emulator in this process (burst limit 100 / 2 s), after a first sync that settled the base. Prints,
// beside the theoretical minimum (list pages + field pages + currencies + writes): the requests
// made, the tokens the emulator charged against the plan's estimate, and the achieved write rate as
// a share of the burst limit. Then the tokens of a no-op incremental pull of 100k products imported
// at once (BENCH_PRODUCTS and BENCH_BIG choose the sizes).
import * as NodeContext from "@effect/platform-node/NodeContext"
import { Effect, Layer, Option, Redacted } from "effect"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as Loader from "../src/config/Loader.js"
import * as Plan from "../src/domain/Plan.js"
import * as Emulator from "../src/emulator/Emulator.js"
import * as Execute from "../src/execute/Execute.js"
import * as Prepare from "../src/execute/Prepare.js"
import * as Pull from "../src/execute/Pull.js"
import * as Live from "../src/cli/Live.js"
import { Pipedrive } from "../src/pipedrive/Pipedrive.js"
import { Store } from "../src/store/Store.js"
import { scenario } from "../test/execute/support.js"

const N = Number(process.env.BENCH_PRODUCTS ?? 10_000)
const changedShare = 0.01
const burstLimit = Number(process.env.BENCH_BURST ?? 100)
const big = Number(process.env.BENCH_BIG ?? 100_000)
const token = "bench-sync-token-0123456789abcdef"

const { csv } = scenario(N, 0)
const lines = csv.trimEnd().split("\n")
// The account already holds the ERP's values: the first sync writes nothing and settles the base.
const base = scenario(N, N).seed
const seed = {
  ...base,
  products: base.products.map((p) => {
    const k = Number(p.code?.slice(4))
    if (!Number.isFinite(k) || k < 1 || k > N) return p
    const [, name, price] = (lines[k] as string).split(",")
    return { ...p, name: name as string, prices: [{ ...p.prices![0]!, price: Number(price) }] }
  })
}

const emu = await Emulator.start({ token, seed, burstLimit, dailyBudget: 10_000_000 })
const dir = mkdtempSync(join(tmpdir(), "catalog-sync-bench-"))
writeFileSync(join(dir, "m.ts"), `import { defineMapping } from "catalog-sync"\nexport default defineMapping({ key: { erp: "sku" }, fields: { name: { erp: "name" }, "prices.EUR.price": { erp: "price_eur", type: "decimal" } } })\n`)
writeFileSync(
  join(dir, "sync.config.ts"),
  `export default { pipedrive: { baseUrl: ${JSON.stringify(emu.baseUrl)}, burstLimit: ${burstLimit}, concurrency: 8 }, erp: { path: "./c.csv", dialect: { delimiter: ",", decimal: "point" } }, mapping: "./m.ts", policies: { mode: "additive" }, state: "./state.db" }\n`
)
process.env.PIPEDRIVE_API_TOKEN = token

const sync = (csvText: string) =>
  Effect.gen(function*() {
    writeFileSync(join(dir, "c.csv"), csvText)
    const { config, mapping } = yield* Loader.loadAll(Option.some(join(dir, "sync.config.ts")), dir)
    const layer = Live.sync(config)
    return yield* Effect.gen(function*() {
      const store = yield* Store
      const runId = yield* store.startRun("sync")
      const before = emu.stats()
      const prepared = yield* Prepare.prepare(config, mapping, "", new Date().toISOString())
      const resumed = yield* Execute.resume(prepared.compiled, { runId })
      const mid = emu.stats()
      const t0 = performance.now()
      const summary = yield* Execute.execute(prepared.plan, { compiled: prepared.compiled, runId, concurrency: config.pipedrive.concurrency, resumed })
      const seconds = (performance.now() - t0) / 1000
      const after = emu.stats()
      yield* store.finishRun(runId, summary.status, { erpRows: prepared.plan.inputs.erpRows })
      return { plan: prepared.plan, pull: prepared.pull, summary, seconds, before, mid, after }
    }).pipe(Effect.provide(layer))
  }).pipe(Effect.provide(NodeContext.layer))

const first = await Effect.runPromise(sync(csv))
console.log(`first sync (settles the base): ${first.plan.totals.pipedriveUpdates + first.plan.totals.pipedriveCreates} writes, ${Plan.agreementCount(first.plan)} fields agreed`)

// 1 % of products get a new price in the ERP.
const step = Math.round(1 / changedShare)
const edited = lines.map((l, i) => (i > 0 && i % step === 0 ? l.replace(/,([\d.]+)$/, (_, p) => `,${(Number(p) + 0.5).toFixed(2)}`) : l)).join("\n") + "\n"
const second = await Effect.runPromise(sync(edited))
const writes = second.plan.operations.filter(Execute.isApiWrite).length
// The second sync's pull is incremental: one page unless Pipedrive changed more than a page since.
const pages = second.pull.mode === "full" ? Math.ceil((N + 2) / 500) : Math.max(1, Math.ceil(second.pull.pulled / 500))
const minimum = { requests: pages + 1 + 1 + writes, tokens: pages * 10 + 10 + 20 + second.plan.totals.tokens }
const requests = second.after.requests - second.before.requests
const tokens = second.after.tokensCharged - second.before.tokensCharged
const writeTokens = second.after.tokensCharged - second.mid.tokensCharged
const execRequests = second.after.requests - second.mid.requests
const rate = execRequests / second.seconds
const limitRate = burstLimit / 2

console.log(`\nsync of ${N} products, ${writes} changed (${changedShare * 100} %), burst limit ${burstLimit} / 2 s`)
console.log(`  requests     ${requests}   theoretical minimum ${minimum.requests} (${pages} ${second.pull.mode} list pages + 1 field page + 1 currencies + ${writes} writes)`)
console.log(`  tokens       ${tokens} charged by the emulator   minimum ${minimum.tokens}; writes ${writeTokens} against the plan's estimate ${second.plan.totals.tokens}`)
console.log(`  write rate   ${rate.toFixed(1)} requests/s over ${second.seconds.toFixed(2)} s = ${((rate / limitRate) * 100).toFixed(1)} % of the burst limit (${limitRate}/s)`)
console.log(`  outcome      ${second.summary.writes.done} done, ${second.summary.writes.failed} failed`)
await emu.close()

// A no-op incremental pull of a large account imported at once (every product with one update time).
const bigSeed = scenario(big, big).seed
const imported = "2026-01-01T00:00:00Z"
const bigEmu = await Emulator.start({ token, seed: { ...bigSeed, products: bigSeed.products.map((p) => ({ ...p, add_time: imported, update_time: imported })) }, burstLimit: 1000, dailyBudget: 10_000_000 })
const pullLayer = Layer.merge(Pipedrive.layer({ baseUrl: bigEmu.baseUrl, token: Redacted.make(token), burstLimit: 1000 }), Store.layer(join(dir, "big.db"), { synchronous: "NORMAL" })).pipe(Layer.provide(Live.httpClient))
const pulls = await Effect.runPromise(
  Effect.gen(function*() {
    const full = yield* Pull.refresh({ keyOf: (p) => p.code ?? null })
    const a = bigEmu.stats().tokensCharged
    const incremental = yield* Pull.refresh({ keyOf: (p) => p.code ?? null })
    return { full, incremental, fullTokens: a, incrementalTokens: bigEmu.stats().tokensCharged - a }
  }).pipe(Effect.provide(pullLayer))
)
console.log(`\nno-op pull of ${big} bulk-imported products: full pass ${pulls.fullTokens} tokens (${Math.ceil(big / 500)} pages); incremental ${pulls.incrementalTokens} tokens (${pulls.incremental.pulled} products re-read)`)
console.log(`  a no-op run reads no field page and no currencies (the state's copy serves): ${pulls.incrementalTokens} tokens, against ${pulls.fullTokens + 30} with a full pull, fields and currencies`)
await bigEmu.close()
