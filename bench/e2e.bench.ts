// `npm run bench -- e2e` (GitHub issue 15): whole syncs through the built CLI, the way a nightly job
// runs them (`node bin/catalog-sync.js sync --yes --json`, `npm run build` first), against the
// emulator in a process of its own (so that its memory is not counted), for an account of N
// Pipedrive products whose codes match an N-row CSV catalog with the same values:
//  - first sync: no state yet; every product is matched, linked and agreed (7 fields each), nothing
//    is written;
//  - 1 % change: every 100th CSV price moved; an incremental pull, N/100 updates sent;
//  - no-op: the same file again.
// For each: wall time and the CLI process's peak RSS (`/usr/bin/time -v`, "Maximum resident set
// size"). Beside them, as the baseline measured in the same run, the planner bench's figure for N
// products (`bench/plan.bench.ts`: a generated state, `Prepare.planState` alone in a child).
// Knobs: E2E_SIZES (comma-separated, default "100000"; "100000,1000000" for the 1M figures, about
// 20 minutes on 2 cores), E2E_PLAN=0 skips the planner figure (its state generation takes ~4 min at 1M).
import { type ChildProcess, spawn, spawnSync } from "node:child_process"
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from "node:fs"
import { loadavg, tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

const token = "bench-e2e-token-0123456789abcdef"
const repo = fileURLToPath(new URL("..", import.meta.url))
const jiti = join(repo, "node_modules", "jiti", "lib", "jiti-cli.mjs")
const self = fileURLToPath(import.meta.url)

const sku = (i: number) => `SKU-${String(i).padStart(7, "0")}`
const brands = ["Alpina", "Brightline", "Hansa", "Kessler", "Nordwerk"]
const units = ["pcs", "box", "pack", "kg"]
/** Product `i`'s values, as both sides hold them (cents). */
const values = (i: number) => {
  const price = 500 + ((i * 7919) % 90_000)
  return {
    name: `${brands[i % 5]} product ${i}`,
    description: `Product ${i} by ${brands[i % 5]}. Ships in 2-3 days.`,
    unit: units[i % 4] as string,
    tax: i % 4 === 3 ? 7 : 19,
    linkable: i % 25 !== 0,
    price,
    cost: Math.round(price * 0.55)
  }
}
const money = (cents: number) => (cents / 100).toFixed(2)

/** The N-row catalog; `moved`: every 100th price is 0.50 higher than in Pipedrive. */
const writeCatalog = (file: string, n: number, moved: boolean) => {
  const fd = openSync(file, "w")
  try {
    writeSync(fd, "sku,name,description,unit,tax,active,price_eur,cost_eur\n")
    const lines: Array<string> = []
    for (let i = 1; i <= n; i++) {
      const v = values(i)
      const price = moved && i % 100 === 0 ? v.price + 50 : v.price
      lines.push(`${sku(i)},${v.name},${v.description},${v.unit},${v.tax},${v.linkable ? 1 : 0},${money(price)},${money(v.cost)}`)
      if (lines.length === 10_000) writeSync(fd, `${lines.splice(0).join("\n")}\n`)
    }
    if (lines.length > 0) writeSync(fd, `${lines.join("\n")}\n`)
  } finally {
    closeSync(fd)
  }
}

const mapping = `import { defineMapping } from "catalog-sync"
export default defineMapping({
  key: { erp: "sku" },
  fields: {
    name: { erp: "name" },
    description: { erp: "description" },
    unit: { erp: "unit" },
    tax: { erp: "tax", type: "decimal" },
    linkable: { erp: "active", type: "boolean", booleans: { true: ["1"], false: ["0"] } },
    "prices.EUR.price": { erp: "price_eur", type: "decimal" },
    "prices.EUR.cost": { erp: "cost_eur", type: "decimal" }
  }
})
`

/** Child mode: the emulator holding products 1..N (with their codes), until stdin closes. */
const emulator = async (n: number) => {
  const Emulator = await import("../src/emulator/Emulator.js")
  const Seed = await import("../src/emulator/Seed.js")
  const at = "2026-01-01T00:00:00Z"
  const products = new Array(n)
  for (let i = 1; i <= n; i++) {
    const v = values(i)
    products[i - 1] = Seed.product({
      id: i,
      name: v.name,
      code: sku(i),
      description: v.description,
      unit: v.unit,
      tax: v.tax,
      is_linkable: v.linkable,
      add_time: at,
      update_time: at,
      prices: [{ product_id: i, price: v.price / 100, currency: "EUR", cost: v.cost / 100, direct_cost: null, notes: "" }]
    })
  }
  const emu = await Emulator.start({ token, seed: { ...Seed.empty, products }, burstLimit: 100_000, dailyBudget: 1_000_000_000 })
  console.log(JSON.stringify({ baseUrl: emu.baseUrl }))
  process.stdin.resume()
  process.stdin.on("end", () => void emu.close().then(() => process.exit(0)))
}

const startEmulator = (n: number): Promise<{ child: ChildProcess; baseUrl: string }> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--max-old-space-size=8192", jiti, self, "emulator", String(n)], { stdio: ["pipe", "pipe", "inherit"] })
    let out = ""
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString()
      const line = out.split("\n").find((l) => l.startsWith("{"))
      if (line !== undefined) resolve({ child, baseUrl: (JSON.parse(line) as { baseUrl: string }).baseUrl })
    })
    child.on("exit", (code) => reject(new Error(`the emulator exited (${code}) before it listened`)))
  })

interface Measured {
  readonly seconds: number
  readonly peakMb: number
  readonly summary: { writes: { done: number; planned: number }; links: number; agreements: number; status: string }
}

/** One `sync --yes --json` through the built CLI, under `/usr/bin/time -v`. */
const sync = (dir: string): Measured => {
  const t0 = performance.now()
  const r = spawnSync("/usr/bin/time", ["-v", process.execPath, join(repo, "bin", "catalog-sync.js"), "sync", "--yes", "--json"], {
    cwd: dir,
    env: { ...process.env, PIPEDRIVE_API_TOKEN: token, NO_COLOR: "1" },
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024
  })
  const seconds = (performance.now() - t0) / 1000
  if (r.status !== 0) throw new Error(`sync exited ${r.status}:\n${r.stdout.slice(-4000)}\n${r.stderr.slice(-4000)}`)
  const kb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)?.[1] ?? Number.NaN)
  const summary = JSON.parse(r.stdout.slice(r.stdout.lastIndexOf('{\n  "runId"'))) as Measured["summary"]
  return { seconds, peakMb: kb / 1024, summary }
}

/** The planner bench's figure for `n` products: its generated state, `planState` alone in a child. */
const plannerFigure = (n: number): { seconds: number; peakMb: number; generateSeconds: number } => {
  const planBench = join(repo, "bench", "plan.bench.ts")
  const dir = mkdtempSync(join(tmpdir(), "e2e-plan-"))
  try {
    const t0 = performance.now()
    const g = spawnSync(process.execPath, ["--max-old-space-size=4096", jiti, planBench, "generate", join(dir, "state.db"), String(n)], { encoding: "utf8" })
    if (g.status !== 0) throw new Error(`plan bench generate failed:\n${g.stderr}`)
    const generateSeconds = (performance.now() - t0) / 1000
    const r = spawnSync(process.execPath, [jiti, planBench, "planState", join(dir, "state.db")], { encoding: "utf8" })
    if (r.status !== 0) throw new Error(`plan bench planState failed:\n${r.stderr}`)
    const j = JSON.parse(r.stdout.trim().split("\n").at(-1) ?? "{}") as { ms: number; peakMb: number }
    return { seconds: j.ms / 1000, peakMb: j.peakMb, generateSeconds }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

const [, , childMode, childSize] = process.argv
if (childMode === "emulator") {
  await emulator(Number(childSize))
} else {
  const sizes = (process.env.E2E_SIZES ?? "100000").split(",").map(Number)
  const row = (name: string, seconds: number, peakMb: number, detail: string) =>
    console.log(`${name.padEnd(26)}${`${seconds.toFixed(1)} s`.padStart(10)}${`${peakMb.toFixed(0)} MB`.padStart(10)}  ${detail}`)
  for (const n of sizes) {
    console.log(`\n${n.toLocaleString("en")} products (load average ${loadavg().map((l) => l.toFixed(2)).join(", ")})`)
    console.log(`${"".padEnd(26)}${"time".padStart(10)}${"peak RSS".padStart(10)}  detail`)
    if (process.env.E2E_PLAN !== "0") {
      const p = plannerFigure(n)
      row("planner alone (baseline)", p.seconds, p.peakMb, `bench/plan.bench.ts planState; its state generated in ${p.generateSeconds.toFixed(0)} s`)
    }
    const dir = mkdtempSync(join(tmpdir(), "e2e-sync-"))
    const t0 = performance.now()
    const emu = await startEmulator(n)
    try {
      writeFileSync(join(dir, "m.ts"), mapping)
      writeFileSync(
        join(dir, "sync.config.ts"),
        `export default { pipedrive: { baseUrl: ${JSON.stringify(emu.baseUrl)}, burstLimit: 100000, concurrency: 8 }, erp: { path: "./c.csv", dialect: { delimiter: ",", decimal: "point" } }, mapping: "./m.ts", policies: { mode: "additive" }, state: "./state.db" }\n`
      )
      writeCatalog(join(dir, "c.csv"), n, false)
      console.log(`(emulator and catalog ready in ${((performance.now() - t0) / 1000).toFixed(0)} s)`)
      const show = (name: string, m: Measured) =>
        row(name, m.seconds, m.peakMb, `${m.summary.status}: ${m.summary.writes.done} of ${m.summary.writes.planned} writes, ${m.summary.links} links, ${m.summary.agreements} fields agreed`)
      show("first sync", sync(dir))
      writeCatalog(join(dir, "c.csv"), n, true)
      show("1 % of prices changed", sync(dir))
      show("no-op", sync(dir))
    } finally {
      emu.child.stdin!.end()
      rmSync(dir, { recursive: true, force: true })
    }
  }
}
