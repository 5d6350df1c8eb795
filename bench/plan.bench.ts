// `npm run bench -- plan` (GitHub issue 7): plans 100k and 1M generated products from a state file
// and compares with a baseline measured in the same run. Each size: the state is generated (the
// demo mapping compiled against the demo header and the seed's custom fields; ERP products through
// `Erp.fromRow`; Pipedrive API v2 products; links and base for the matched ones) and written with
// the Store's bulk methods (timed separately). Then, each in its own child process so each peak RSS
// is its own (VmHWM from /proc/self/status; module loading included, both children load the same
// modules):
//  - baseline: one plain SQL query in key order over the same rows the planner reads (every key of
//    erp_snapshot ∪ links ∪ base ∪ pipedrive_snapshot codes; the ERP row, the link and its linked
//    product, the other products with that code, the base grouped by key), every JSON text parsed.
//  - planState: `Prepare.planState` over the same state, the production path (plan and hash).
// Goal: planState ≤ 2× the baseline's time and < 500 MB peak RSS at 1M. Knob: PLAN_BENCH_SIZES
// (comma-separated, default "100000,1000000").
import Database from "better-sqlite3"
import { BigDecimal, Effect, Either } from "effect"
import { spawnSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs"
import { loadavg, tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import type { ResolvedConfig } from "../src/config/SyncConfig.js"
import * as Currency from "../src/domain/Currency.js"
import * as Field from "../src/domain/Field.js"
import * as Plan from "../src/domain/Plan.js"
import type { PipedriveId } from "../src/domain/PipedriveId.js"
import type { Sku } from "../src/domain/Sku.js"
import * as Prepare from "../src/execute/Prepare.js"
import type { AccountField } from "../src/mapping/AccountFields.js"
import * as Compile from "../src/mapping/Compile.js"
import * as Erp from "../src/mapping/Erp.js"
import * as Store from "../src/store/Store.js"
// The demo mapping (its `catalog-sync` import resolves to the package's dist: `npm run build` once).
import mapping from "../mappings/default.js"

const SIZES = (process.env.PLAN_BENCH_SIZES ?? "100000,1000000").split(",").map(Number)

const seed = JSON.parse(readFileSync(new URL("../fixtures/pipedrive-seed.json", import.meta.url), "utf8")) as {
  productFields: Array<AccountField>
  currencies: Array<{ code: string; decimal_points: number }>
}
const accountFields = seed.productFields.map((f) => ({ ...f, is_custom_field: true }))
const header = ["sku", "name", "description", "unit", "tax_rate", "category", "brand", "warranty_months", "color", "price_eur", "cost_eur", "price_usd", "price_chf", "active"]
const compiled = Either.getOrThrow(
  Compile.compile(mapping, {
    header,
    fields: accountFields,
    currencies: Currency.registry(seed.currencies.map((c) => [c.code, c.decimal_points] as const)),
    pins: [],
    mode: { toPipedrive: "additive", toErp: "additive" },
    conflicts: "manual",
    source: "mappings/default.ts"
  })
)
const config = {
  erp: { writeBack: { unencodable: "refuse" } },
  policies: {
    mode: { toPipedrive: "additive", toErp: "additive" },
    conflicts: "manual",
    deletes: "ignore",
    guards: { maxChangedShare: 0.5, maxDeletedShare: 0.05, maxRowDrop: 0.2, maxRejectedShare: 0.1, minCount: 5 }
  }
} as unknown as ResolvedConfig
const field = (label: string) => accountFields.find((f) => f.field_name === label)!
const colors = field("Color").options!
const brands = ["Alpina", "Brightline", "Hansa", "Kessler", "Nordwerk"]
const units = ["pcs", "box", "pack", "kg"]

/**
 * What key `i` is: 96.5 % matched (linked, base agreed; every 100th with the ERP price changed since
 * the base), 1 % ERP only, 1 % Pipedrive only (unlinked code), 1 % matched but never synced (no
 * link, no base: first run), 0.5 % matched with a second Pipedrive product on the same code, and
 * every 10,000th ERP-only key with two Pipedrive products on its code (ambiguous).
 */
const kind = (i: number) =>
  i % 200 === 7 ? "duplicate" : i % 10_000 === 3 ? "ambiguous" : i % 100 === 1 ? "erpOnly" : i % 100 === 2 ? "pdOnly" : i % 100 === 4 ? "firstRun" : "matched"
const keyOf = (i: number) => `SKU-${String(i).padStart(7, "0")}`
const money = (cents: number) => (cents / 100).toFixed(2)

const erpProduct = (i: number) => {
  const eur = 500 + ((i * 7919) % 90_000)
  const cells: Record<string, string> = {
    sku: keyOf(i),
    name: `${brands[i % 5]} product ${i}`,
    description: `Product ${i} by ${brands[i % 5]}. Ships in 2–3 days.`,
    unit: units[i % 4]!,
    tax_rate: i % 4 === 3 ? "7" : "19",
    brand: brands[i % 5]!,
    warranty_months: String(12 * (1 + (i % 3))),
    color: colors[i % colors.length]!.label,
    price_eur: money(eur),
    cost_eur: money(Math.round(eur * 0.55)),
    price_usd: money(Math.round(eur * 1.08)),
    price_chf: money(Math.round(eur * 0.95)),
    active: i % 25 === 0 ? "0" : "1"
  }
  return Either.getOrThrow(Erp.fromRow(compiled, (c) => cells[c] ?? "", { decimal: () => "point" }))
}

/** The Pipedrive product agreeing with `erp` (its full API v2 shape). */
const wireOf = (id: number, erp: ReturnType<typeof erpProduct>, i: number, priceChanged: boolean) => {
  const num = (v: unknown) => Number(Field.show(v as Field.Value))
  const prices = erp.prices as unknown as Record<string, { readonly price?: unknown; readonly cost?: unknown }>
  const eur = num(prices.EUR!.price)
  return {
    id,
    name: erp.name!,
    code: erp.key,
    description: erp.description,
    unit: erp.unit,
    tax: num(erp.tax),
    category: null,
    is_linkable: erp.linkable,
    is_deleted: false,
    visible_to: 3,
    owner_id: 1,
    add_time: "2026-10-01T08:01:00Z",
    update_time: `2026-10-${String(1 + (i % 28)).padStart(2, "0")}T08:01:00Z`,
    billing_frequency: "one-time",
    billing_frequency_cycles: null,
    prices: [
      { product_id: id, price: priceChanged ? Math.round(eur * 90) / 100 : eur, currency: "EUR", cost: num(prices.EUR!.cost), direct_cost: null, notes: "" },
      { product_id: id, price: num(prices.USD!.price), currency: "USD", cost: 0, direct_cost: null, notes: "" },
      { product_id: id, price: num(prices.CHF!.price), currency: "CHF", cost: 0, direct_cost: null, notes: "" }
    ],
    custom_fields: {
      [field("Brand").field_code]: erp.custom!.Brand,
      [field("Warranty (months)").field_code]: num(erp.custom!["Warranty (months)"]),
      [field("Color").field_code]: colors.find((c) => c.label === erp.custom!.Color)!.id,
      [field("Sales notes").field_code]: null
    }
  }
}

/** `JSON.parse(Field.toJson(path, v))` for the value kinds generated here, without Schema's cost. */
const encodeValue = (v: Field.Value): unknown =>
  BigDecimal.isBigDecimal(v) ? { _tag: "Decimal", value: BigDecimal.format(BigDecimal.normalize(v)) } : v === "" ? null : v

interface Generated {
  readonly erp: Array<Store.ErpRow>
  readonly pipedrive: Array<Store.PipedriveInput>
  readonly links: Array<Store.Link>
  readonly base: Array<Store.BaseEntry>
}

/** Generates one slice of keys (so 1M products never sit in memory at once). */
const slice = (from: number, to: number, nextId: { n: number }): Generated => {
  const out: Generated = { erp: [], pipedrive: [], links: [], base: [] }
  const pd = (w: ReturnType<typeof wireOf>) =>
    out.pipedrive.push({ id: w.id, code: w.code, updateTime: w.update_time, isDeleted: false, product: w })
  for (let i = from; i < to; i++) {
    const k = kind(i)
    const e = erpProduct(i)
    if (k !== "pdOnly") out.erp.push({ key: e.key, product: e, line: i + 2 })
    if (k === "erpOnly") continue
    if (k === "ambiguous") {
      pd(wireOf(nextId.n++, e, i, false))
      pd(wireOf(nextId.n++, e, i, false))
      continue
    }
    const id = nextId.n++
    // Every 100th matched product: the ERP price moved since the base (Pipedrive still has the old).
    const erpChanged = k === "matched" && i % 100 === 50
    const w = wireOf(id, e, i, erpChanged)
    pd(w)
    if (k === "duplicate") pd(wireOf(nextId.n++, e, i, false))
    if (k === "pdOnly" || k === "firstRun") continue
    out.links.push({ key: e.key, pipedriveId: id as PipedriveId })
    // The base: what both sides agreed on (Pipedrive's old price where the ERP's moved), as `Field.toJson` writes it.
    const agreed = Field.flatten(e)
    for (const f of compiled.fields) {
      const v = erpChanged && f.path === "prices.EUR.price" ? BigDecimal.unsafeFromNumber(w.prices[0]!.price) : agreed.get(f.path)
      if (v === undefined) continue
      const value = encodeValue(v)
      if (i < 500 && JSON.stringify(value) !== Field.toJson(f.path, v)) throw new Error(`base of ${e.key} ${f.path}: ${JSON.stringify(value)} is not ${Field.toJson(f.path, v)}`)
      out.base.push({ key: e.key as Sku, field: f.path, value })
    }
  }
  return out
}

const generate = (path: string, n: number) =>
  Effect.runPromise(
    Effect.scoped(
      Effect.gen(function*() {
        const store = yield* Store.open(path, { synchronous: "NORMAL" })
        const nextId = { n: 1 }
        const step = 50_000
        // Written slice by slice; the ERP snapshot is replaced whole, so it is written last from a generator.
        for (let from = 0; from < n; from += step) {
          const g = slice(from, Math.min(n, from + step), nextId)
          yield* store.upsertPipedriveProducts(g.pipedrive)
          yield* store.setLinks(g.links)
          yield* store.setBase(g.base)
        }
        function* erpRows() {
          for (let from = 0; from < n; from += step) yield* slice(from, Math.min(n, from + step), { n: 1 }).erp
        }
        yield* store.replaceErpSnapshot(erpRows())
      })
    )
  )

/** Rows the planner reads, by one plain SQL query in key order. */
const baselineSql = `
  WITH keys AS (
    SELECT key FROM erp_snapshot UNION SELECT key FROM links UNION SELECT key FROM base
    UNION SELECT code FROM pipedrive_snapshot WHERE code IS NOT NULL
  )
  SELECT k.key, e.product AS erp, l.pipedrive_id AS link, p.product AS linked,
    (SELECT group_concat(c.product, char(30)) FROM pipedrive_snapshot c WHERE c.code = k.key AND c.id IS NOT l.pipedrive_id) AS by_code,
    (SELECT group_concat(json_quote(b.field) || ':' || b.value, ',') FROM base b WHERE b.key = k.key) AS base
  FROM keys k
  LEFT JOIN erp_snapshot e ON e.key = k.key
  LEFT JOIN links l ON l.key = k.key
  LEFT JOIN pipedrive_snapshot p ON p.id = l.pipedrive_id
  ORDER BY k.key`

const baseline = (path: string) => {
  const db = new Database(path, { readonly: true })
  let keys = 0
  let parsed = 0
  for (const r of db.prepare(baselineSql).iterate() as Iterable<{ key: string; erp: string | null; link: number | null; linked: string | null; by_code: string | null; base: string | null }>) {
    keys++
    if (r.erp !== null) parsed += JSON.parse(r.erp) === null ? 0 : 1
    if (r.linked !== null) parsed += JSON.parse(r.linked) === null ? 0 : 1
    if (r.by_code !== null) for (const t of r.by_code.split("\u001e")) parsed += JSON.parse(t) === null ? 0 : 1
    if (r.base !== null) parsed += JSON.parse(`{${r.base}}`) === null ? 0 : 1
  }
  db.close()
  return { keys, detail: `${parsed} JSON texts parsed` }
}

const planState = (path: string) =>
  Effect.runPromise(
    Effect.scoped(
      Effect.gen(function*() {
        const store = yield* Store.open(path, { synchronous: "NORMAL" })
        const erpRows = yield* store.erpRowCount
        const plan = yield* Prepare.planState(config, compiled, { notes: [], rejectedKeys: new Set(), erpRows, pipedriveProducts: 0, mappingText: "bench", now: "2026-11-27T00:00:00Z", writeBack: { encoding: "utf-8", cannotHold: () => [] } }).pipe(
          Effect.provideService(Store.Store, store)
        )
        const t = plan.totals
        return {
          keys: t.products,
          detail: `pd ${t.pipedriveCreates} creates / ${t.pipedriveUpdates} updates, erp ${t.erpCreates} creates / ${t.erpUpdates} updates, ${t.ambiguities} ambiguous, ${plan.notes.length} notes, ${Plan.agreementCount(plan)} agreements, hash ${plan.inputs.hash.slice(0, 12)}`
        }
      })
    )
  )

const vmHwmMb = () => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"))?.[1] ?? 0) / 1024

const modes = { baseline: (p: string) => Promise.resolve(baseline(p)), planState } as const
type Mode = keyof typeof modes
interface Result { keys: number; detail: string; ms: number; cpuMs: number; peakMb: number }

const [, , childMode, childPath, childSize] = process.argv
if (childMode === "generate" && childPath !== undefined) {
  // For profiling: `node node_modules/jiti/lib/jiti-cli.mjs bench/plan.bench.ts generate FILE N`, then
  // `node --cpu-prof node_modules/jiti/lib/jiti-cli.mjs bench/plan.bench.ts planState FILE`.
  await generate(childPath, Number(childSize ?? 100_000))
} else if (childMode !== undefined && childPath !== undefined) {
  const t0 = performance.now()
  const c0 = process.cpuUsage()
  const r = await modes[childMode as Mode](childPath)
  const ms = performance.now() - t0
  const cpu = process.cpuUsage(c0)
  console.log(JSON.stringify({ ...r, ms, cpuMs: (cpu.user + cpu.system) / 1000, peakMb: vmHwmMb() }))
} else {
  const jiti = fileURLToPath(new URL("../node_modules/jiti/lib/jiti-cli.mjs", import.meta.url))
  const self = fileURLToPath(import.meta.url)
  const child = (mode: Mode, path: string): Result => {
    const r = spawnSync(process.execPath, [...(process.env.PLAN_BENCH_NODE_ARGS ?? "").split(" ").filter(Boolean), jiti, self, mode, path], { encoding: "utf8" })
    if (r.status !== 0) throw new Error(`${mode} failed:\n${r.stderr}`)
    return JSON.parse(r.stdout.trim().split("\n").at(-1) ?? "{}") as Result
  }
  for (const n of SIZES) {
    const dir = mkdtempSync(join(tmpdir(), "plan-bench-"))
    const path = join(dir, "state.db")
    try {
      const t0 = performance.now()
      await generate(path, n)
      const mb = statSync(path).size / 1024 / 1024
      console.log(`\n${n.toLocaleString("en")} products: state written in ${((performance.now() - t0) / 1000).toFixed(1)} s (${mb.toFixed(0)} MB; not part of the figures)`)
      // On a shared machine one run can be slowed by others: below 1M, each is measured twice
      // (alternating) and the faster kept; 1M once (minutes each).
      const runs = n < 1_000_000 ? 2 : 1
      const best = (a: Result | undefined, b: Result) => (a === undefined || b.ms < a.ms ? b : a)
      let base: Result | undefined
      let plan: Result | undefined
      for (let i = 0; i < runs; i++) {
        base = best(base, child("baseline", path))
        plan = best(plan, child("planState", path))
      }
      if (base === undefined || plan === undefined) throw new Error("nothing measured")
      console.log(`${"".padEnd(12)}${"keys".padStart(10)}${"time".padStart(10)}${"CPU".padStart(10)}${"peak RSS".padStart(11)}${"vs baseline".padStart(13)}  detail`)
      for (const [name, r] of [["baseline", base], ["planState", plan]] as const) {
        console.log(
          `${name.padEnd(12)}${String(r.keys).padStart(10)}${`${(r.ms / 1000).toFixed(2)} s`.padStart(10)}${`${(r.cpuMs / 1000).toFixed(2)} s`.padStart(10)}` +
            `${`${r.peakMb.toFixed(0)} MB`.padStart(11)}${`${(r.ms / base.ms).toFixed(2)}×`.padStart(13)}  ${r.detail}`
        )
      }
      console.log(`(best of ${runs}; load average ${loadavg().map((l) => l.toFixed(2)).join(", ")})`)
      const ok = plan.ms <= 2 * base.ms && plan.peakMb < 500
      console.log(`goal: planState ≤ 2× baseline (${(plan.ms / base.ms).toFixed(2)}×) and < 500 MB peak RSS (${plan.peakMb.toFixed(0)} MB): ${ok ? "met" : "NOT met"}`)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }
}
