// `npm run bench -- client`: pushes PATCHes through the client's rate gate against the emulator
// (in-process, known burst limit) and, in the same run, through a naive client (fixed concurrency,
// retry each 429 after its retry-after). Prints the achieved request rate as a share of the limit
// and the 429s each received.
import { Effect, Layer, Redacted } from "effect"
import { loadavg } from "node:os"
import * as Emulator from "../src/emulator/Emulator.js"
import * as Seed from "../src/emulator/Seed.js"
import * as Live from "../src/cli/Live.js"
import { Pipedrive } from "../src/pipedrive/Pipedrive.js"

const burstLimit = Number(process.env.BENCH_BURST ?? 100)
const windowMs = 2000
const patches = Number(process.env.BENCH_PATCHES ?? 2000)
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 16)
const latencyMs = 10
const productCount = 200
const token = "bench-token-0123456789abcdef"

const seed: Seed.Seed = {
  ...Seed.empty,
  products: Array.from({ length: productCount }, (_, i) =>
    Seed.product({
      id: i + 1,
      name: `Product ${i + 1}`,
      code: `SKU-${i + 1}`,
      add_time: "2026-01-01T00:00:00Z",
      update_time: "2026-01-01T00:00:00Z",
      prices: [{ price: 1, currency: "EUR", cost: 0, direct_cost: null, notes: "" }]
    }))
}

interface Result {
  readonly name: string
  readonly seconds: number
  readonly ok: number
  readonly rateLimited: number
}

const idOf = (i: number) => (i % productCount) + 1
const body = (i: number) => ({ description: `patch ${i}`, prices: [{ currency: "EUR", price: i }] })

/** Our client: every PATCH through the rate gate, `concurrency` in flight. */
const gated = (emu: Emulator.Handle): Promise<Result> =>
  Effect.runPromise(
    Effect.gen(function*() {
      const pd = yield* Pipedrive
      const start = performance.now()
      yield* Effect.forEach(Array.from({ length: patches }, (_, i) => i), (i) => pd.updateProduct(idOf(i), body(i)), { concurrency, discard: true })
      const seconds = (performance.now() - start) / 1000
      const acc = yield* pd.accounting
      return { name: "rate gate", seconds, ok: patches, rateLimited: acc.total.rateLimited }
    }).pipe(Effect.provide(Pipedrive.layer({ baseUrl: emu.baseUrl, token: Redacted.make(token), burstLimit }).pipe(Layer.provide(Live.httpClient))))
  )

/** A naive client: `concurrency` workers, each sending at once and retrying a 429 after its retry-after. */
const naive = async (emu: Emulator.Handle): Promise<Result> => {
  let next = 0
  let rateLimited = 0
  let ok = 0
  const worker = async () => {
    while (next < patches) {
      const i = next++
      while (true) {
        const res = await fetch(`${emu.baseUrl}/api/v2/products/${idOf(i)}`, {
          method: "PATCH",
          headers: { "x-api-token": token, "content-type": "application/json" },
          body: JSON.stringify(body(i))
        })
        await res.arrayBuffer()
        if (res.status === 429) {
          rateLimited++
          const wait = Number(res.headers.get("retry-after") ?? "1")
          await new Promise((r) => setTimeout(r, wait * 1000))
          continue
        }
        if (res.status !== 200) throw new Error(`naive client: PATCH answered ${res.status}`)
        ok++
        break
      }
    }
  }
  const start = performance.now()
  await Promise.all(Array.from({ length: concurrency }, worker))
  return { name: "naive (fixed concurrency, retry on 429)", seconds: (performance.now() - start) / 1000, ok, rateLimited }
}

const main = async () => {
  const emu = await Emulator.start({ token, seed, burstLimit, windowMs, dailyBudget: 10_000_000, faults: { latencyMs } })
  const limitPerSecond = burstLimit / (windowMs / 1000)
  console.log(`${patches} PATCHes per client, burst limit ${burstLimit} per ${windowMs / 1000} s (${limitPerSecond}/s), ${concurrency} in flight, ${latencyMs} ms server latency`)
  console.log(`machine load average at start: ${loadavg().map((l) => l.toFixed(1)).join(" ")} (the emulator runs in this process: a busy machine lengthens round trips)`)
  const results: Array<Result> = []
  for (const run of [gated, naive]) {
    emu.reset(seed)
    const r = await run(emu)
    const stats = emu.stats()
    if (stats.rateLimited !== r.rateLimited) console.log(`  note: the emulator counted ${stats.rateLimited} 429s, the client ${r.rateLimited}`)
    results.push(r)
  }
  await emu.close()
  console.log("")
  console.log(`${"client".padEnd(40)} ${"seconds".padStart(8)} ${"req/s".padStart(7)} ${"share of limit".padStart(15)} ${"429s".padStart(6)}`)
  for (const r of results) {
    const rate = r.ok / r.seconds
    console.log(`${r.name.padEnd(40)} ${r.seconds.toFixed(1).padStart(8)} ${rate.toFixed(1).padStart(7)} ${(rate / limitPerSecond).toFixed(3).padStart(15)} ${String(r.rateLimited).padStart(6)}`)
  }
  const gate = results[0]!
  const share = gate.ok / gate.seconds / limitPerSecond
  console.log(`machine load average at end: ${loadavg().map((l) => l.toFixed(1)).join(" ")}`)
  console.log("")
  console.log(`goal: rate gate share ≥ 0.9 → ${share >= 0.9 ? "met" : "NOT met"} (${share.toFixed(3)}); 429s = 0 → ${gate.rateLimited === 0 ? "met" : "NOT met"} (${gate.rateLimited})`)
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
