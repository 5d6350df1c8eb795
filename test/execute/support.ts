/**
 * Shared by the execution tests: a generated catalog and the emulator account it syncs with, a
 * project folder pointing at an emulator, the built CLI run as a child process (killable), and the
 * emulator's products reduced to what a sync decides (ids and timestamps left out).
 */
import { spawn } from "node:child_process"
import { existsSync, mkdtempSync, statSync, writeFileSync, readdirSync } from "node:fs"
import { execFileSync } from "node:child_process"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import BetterSqlite3 from "better-sqlite3"
import * as Emulator from "../../src/emulator/Emulator.js"
import * as Seed from "../../src/emulator/Seed.js"

export const repo = fileURLToPath(new URL("../..", import.meta.url))
export const token = "exec-test-token-0123456789abcdef"

/** The CLI with `sync`: the built bin once main.ts registers it, else the driver over the built modules. */
export const driver = fileURLToPath(new URL("./sync-driver.mjs", import.meta.url))

/** Builds `dist/` when a source file is newer than the built CLI (the suite may run without `npm run build`). */
export const ensureBuilt = (): void => {
  const built = join(repo, "dist", "cli", "SyncCommand.js")
  const newest = (dir: string): number =>
    Math.max(0, ...readdirSync(dir, { withFileTypes: true }).map((e) => (e.isDirectory() ? newest(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs)))
  if (existsSync(built) && statSync(built).mtimeMs >= newest(join(repo, "src"))) return
  // Type errors elsewhere in a work in progress do not stop tsc from emitting; the runs below test what it emits.
  try {
    execFileSync(process.execPath, [join(repo, "node_modules", "typescript", "bin", "tsc"), "-p", join(repo, "tsconfig.build.json")], { stdio: "pipe" })
  } catch (e) {
    if (!existsSync(built)) throw e
  }
}

const sku = (i: number) => `SKU-${String(i).padStart(5, "0")}`
const price = (i: number) => (Math.round(i * 137.31) % 100000) / 100 + 1

/**
 * `n` ERP products; the emulator account holds the first `existing` of them with an older name and
 * price (each an update) and none of the others (each a create), plus two products of its own.
 */
export const scenario = (n: number, existing: number) => {
  const csv = ["sku,name,price_eur", ...Array.from({ length: n }, (_, k) => `${sku(k + 1)},Product ${k + 1} v2,${price(k + 1).toFixed(2)}`)].join("\n") + "\n"
  const at = "2026-01-01T00:00:00Z"
  const product = (id: number, code: string, name: string, p: number): Seed.Product =>
    Seed.product({ id, name, code, add_time: at, update_time: at, prices: [{ product_id: id, price: p, currency: "EUR", cost: 0, direct_cost: null, notes: "" }] })
  const products = [
    ...Array.from({ length: existing }, (_, k) => product(k + 1, sku(k + 1), `Product ${k + 1}`, price(k + 1) + 1)),
    product(existing + 1, "PD-ONLY-1", "Only in Pipedrive 1", 5),
    product(existing + 2, "PD-ONLY-2", "Only in Pipedrive 2", 6)
  ]
  const seed: Seed.Seed = {
    ...Seed.empty,
    users: [{ id: 1, name: "Admin" }],
    currencies: [{ id: 1, code: "EUR", name: "Euro", decimal_points: 2, symbol: "€", active_flag: true, is_custom_flag: false }],
    products
  }
  return { csv, seed, writes: n }
}

/** A project folder syncing `csv` with the emulator at `baseUrl`. */
export const project = (
  csv: string,
  baseUrl: string,
  options: { readonly burstLimit: number; readonly concurrency: number; readonly tokenCap?: number; readonly maxChangedShare?: number; readonly mapping?: string }
): string => {
  const dir = mkdtempSync(join(tmpdir(), "catalog-sync-exec-"))
  writeFileSync(join(dir, "c.csv"), csv)
  writeFileSync(
    join(dir, "m.ts"),
    `import { defineMapping } from "catalog-sync"\nexport default defineMapping({ key: { erp: "sku" }, fields: { name: { erp: "name" }, "prices.EUR.price": { erp: "price_eur", type: "decimal" }${options.mapping ?? ""} } })\n`
  )
  writeFileSync(
    join(dir, "sync.config.ts"),
    `export default { pipedrive: { baseUrl: ${JSON.stringify(baseUrl)}, burstLimit: ${options.burstLimit}, concurrency: ${options.concurrency}${options.tokenCap === undefined ? "" : `, tokenCap: ${options.tokenCap}`} }, erp: { path: "./c.csv", dialect: { delimiter: ",", decimal: "point" } }, mapping: "./m.ts", policies: { mode: "additive", guards: { maxChangedShare: ${options.maxChangedShare ?? 1} } }, state: "./state.db" }\n`
  )
  return dir
}

export interface Run {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
}

/**
 * Runs `catalog-sync ARGS` in `dir` against the emulator. `killWhen` is polled every 2 ms: when it
 * answers true the process is killed with SIGKILL.
 */
export const runSync = (dir: string, args: ReadonlyArray<string>, options: { readonly killWhen?: () => boolean; readonly timeoutMs?: number } = {}): Promise<Run> =>
  new Promise((resolve, reject) => {
    const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: "1", PIPEDRIVE_API_TOKEN: token, PIPEDRIVE_COMPANY_DOMAIN: undefined, PIPEDRIVE_BASE_URL: undefined }
    for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k]
    const child = spawn(process.execPath, [driver, ...args], { cwd: dir, env: env as NodeJS.ProcessEnv })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (d) => (stdout += d))
    child.stderr.on("data", (d) => (stderr += d))
    const poll = options.killWhen === undefined ? undefined : setInterval(() => {
      if (options.killWhen!()) child.kill("SIGKILL")
    }, 2)
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000)
    child.on("error", reject)
    child.on("close", (code, signal) => {
      if (poll !== undefined) clearInterval(poll)
      clearTimeout(timer)
      resolve({ code, signal, stdout, stderr })
    })
  })

/** What a sync decides of the account: live products by code (sorted), with name and prices; ids and times left out. */
export const state = (emu: Emulator.Handle) =>
  (emu.products() as Array<{ code: string | null; name: string; is_deleted: boolean; prices: Array<{ currency: string; price: number }> }>)
    .filter((p) => !p.is_deleted)
    .map((p) => ({ code: p.code, name: p.name, prices: p.prices.map((x) => `${x.currency} ${x.price}`).sort().join(", ") }))
    .sort((a, b) => ((a.code ?? "") < (b.code ?? "") ? -1 : (a.code ?? "") > (b.code ?? "") ? 1 : 0))

/** Codes held by more than one product, deleted ones included. */
export const duplicateCodes = (emu: Emulator.Handle): Array<string> => {
  const seen = new Map<string, number>()
  for (const p of emu.products() as Array<{ code: string | null }>) if (p.code !== null) seen.set(p.code, (seen.get(p.code) ?? 0) + 1)
  return [...seen].filter(([, n]) => n > 1).map(([c]) => c)
}

/** The journal's entries per state, read straight from the state file. */
export const journalStates = (dir: string): Record<string, number> => {
  const db = new BetterSqlite3(join(dir, "state.db"), { readonly: true })
  try {
    const rows = db.prepare("SELECT state, count(*) AS n FROM journal GROUP BY state").all() as Array<{ state: string; n: number }>
    return Object.fromEntries(rows.map((r) => [r.state, r.n]))
  } finally {
    db.close()
  }
}

/** A seeded generator (mulberry32), for kill points that are random but repeatable. */
export const prng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}
