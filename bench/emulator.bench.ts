/**
 * Emulator benchmark (issue 3): seeds 1,000,000 products in-process, then measures over real HTTP
 * (keep-alive, one request at a time) a 500-product page, a GET by id and a PATCH, beside a
 * baseline measured in the same run: a bare node:http server answering pre-serialised bodies of
 * the same sizes — the floor for HTTP + JSON on this machine.
 * Run: npm run bench -- emulator
 */
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import * as Cursor from "../src/emulator/Cursor.js"
import * as Emulator from "../src/emulator/Emulator.js"
import * as Seed from "../src/emulator/Seed.js"

const N = 1_000_000
const token = "bench-token"
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })

const request = (base: string, method: string, path: string, body?: string): Promise<{ status: number; bytes: number }> =>
  new Promise((resolve, reject) => {
    const url = new URL(path, base)
    const req = http.request(
      { agent, method, hostname: url.hostname, port: url.port, path: url.pathname + url.search, headers: { "x-api-token": token, ...(body ? { "content-type": "application/json", "content-length": Buffer.byteLength(body) } : {}) } },
      (res) => {
        let bytes = 0
        res.on("data", (c: Buffer) => (bytes += c.length))
        res.on("end", () => resolve({ status: res.statusCode ?? 0, bytes }))
      }
    )
    req.on("error", reject)
    req.end(body)
  })

const percentile = (xs: Array<number>, p: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN
}

const time = async (label: string, runs: number, f: (i: number) => Promise<{ status: number; bytes: number }>) => {
  for (let i = 0; i < Math.min(50, runs); i++) await f(i) // warm-up
  const ms: Array<number> = []
  let bytes = 0
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint()
    const r = await f(i + 1000)
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6)
    if (r.status >= 300) throw new Error(`${label}: HTTP ${r.status}`)
    bytes = r.bytes
  }
  return { label, p50: percentile(ms, 50), p95: percentile(ms, 95), bytes }
}

/** A small deterministic generator (no Math.random: runs are comparable). */
let state = 12345
const rnd = () => {
  state = (state * 1103515245 + 12345) & 0x7fffffff
  return state / 0x7fffffff
}

const generate = (): Seed.Seed => {
  const brand = "2afc20560900daa9f16dd689a4902ab6d72934b6"
  const products: Array<Seed.Product> = new Array(N)
  const t0 = Date.parse("2026-01-01T00:00:00Z") / 1000
  const times = Array.from({ length: 10_000 }, (_, k) => new Date((t0 + k * 60) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z"))
  for (let i = 0; i < N; i++) {
    const id = i + 1
    const at = times[id % times.length] as string
    products[i] = Seed.product({
      id,
      name: `Product ${id} ${["Anvil", "Bracket", "Cable", "Drill"][id % 4]}`,
      code: `SKU-${String(id).padStart(7, "0")}`,
      unit: "pcs",
      tax: 19,
      add_time: at,
      update_time: at,
      prices: [
        { product_id: id, price: (id % 1000) + 0.99, currency: "EUR", cost: 1, direct_cost: null, notes: "" },
        { product_id: id, price: (id % 1000) + 1.49, currency: "USD", cost: 1, direct_cost: null, notes: "" }
      ],
      custom_fields: { [brand]: ["Acme", "Globex", "Initech"][id % 3] }
    })
  }
  return {
    currencies: [
      { id: 1, code: "EUR", name: "Euro", decimal_points: 2, symbol: "€", active_flag: true, is_custom_flag: false },
      { id: 2, code: "USD", name: "US Dollar", decimal_points: 2, symbol: "$", active_flag: true, is_custom_flag: false }
    ],
    users: [{ id: 1, name: "Bench" }],
    productFields: [{ field_name: "Brand", field_code: brand, field_type: "varchar", options: null }],
    products
  }
}

const gc = () => (globalThis as { gc?: () => void }).gc?.()
const mb = (n: number) => `${Math.round(n / 1024 / 1024)} MB`

const main = async () => {
  gc()
  const rss0 = process.memoryUsage().rss
  let t = Date.now()
  const seed = generate()
  const generatedMs = Date.now() - t
  t = Date.now()
  const emu = await Emulator.start({ token, seed, burstLimit: 1e9, searchBurstLimit: 1e9, dailyBudget: 1e12 })
  const loadMs = Date.now() - t
  gc()
  const rss1 = process.memoryUsage().rss
  console.log(`seeded ${N.toLocaleString("en")} products: generated in ${generatedMs} ms, loaded in ${loadMs} ms; RSS ${mb(rss1)} (${mb(rss1 - rss0)} above the empty process, seed objects included)`)

  const pagePath = () => {
    const after = 1 + Math.floor(rnd() * (N - 1000))
    return `/api/v2/products?limit=500&cursor=${Cursor.encodeKeyset({ field: "id", fieldValue: after, sortDirection: "asc", id: after })}`
  }
  const base = emu.baseUrl
  const results = []
  results.push(await time("emulator  GET 500-product page (random position)", 300, () => request(base, "GET", pagePath())))
  const hot = `/api/v2/products?limit=500&cursor=${Cursor.encodeKeyset({ field: "id", fieldValue: 400_000, sortDirection: "asc", id: 400_000 })}`
  results.push(await time("emulator  GET 500-product page (same page again)", 300, () => request(base, "GET", hot)))
  results.push(await time("emulator  GET /products/{id}", 2000, () => request(base, "GET", `/api/v2/products/${1 + Math.floor(rnd() * N)}`)))
  results.push(
    await time("emulator  PATCH /products/{id} (name + prices)", 2000, (i) =>
      request(base, "PATCH", `/api/v2/products/${1 + Math.floor(rnd() * N)}`, JSON.stringify({ name: `Renamed ${i}`, prices: [{ currency: "EUR", price: i / 100 }] }))
    )
  )
  results.push(await time("emulator  GET /products/search exact code", 300, () => request(base, "GET", `/api/v2/products/search?term=SKU-${String(1 + Math.floor(rnd() * N)).padStart(7, "0")}&fields=code&exact_match=true`)))
  t = Date.now()
  const firstByName = await request(base, "GET", "/api/v2/products?limit=500&sort_by=name")
  const sortMs = Date.now() - t
  if (firstByName.status !== 200) throw new Error(`sort_by=name: ${firstByName.status}`)
  const pageBytes = results[0]!.bytes
  const productBytes = results[2]!.bytes

  // baseline: the same HTTP stack answering pre-serialised bodies of the same sizes
  const pageBody = Buffer.alloc(pageBytes, "x")
  const oneBody = Buffer.alloc(productBytes, "x")
  const bare = http.createServer((req, res) => {
    const body = req.url?.includes("limit=500") ? pageBody : oneBody
    req.resume()
    req.on("end", () => {
      res.writeHead(200, { "content-type": "application/json", "content-length": body.length })
      res.end(body)
    })
  })
  await new Promise<void>((r) => bare.listen(0, "127.0.0.1", r))
  const bareBase = `http://127.0.0.1:${(bare.address() as AddressInfo).port}`
  results.push(await time("baseline  bare node:http, same page size", 300, () => request(bareBase, "GET", "/p?limit=500")))
  results.push(await time("baseline  bare node:http, same product size (GET)", 2000, () => request(bareBase, "GET", "/p/1")))
  results.push(await time("baseline  bare node:http, same product size (PATCH)", 2000, (i) => request(bareBase, "PATCH", "/p/1", JSON.stringify({ name: `Renamed ${i}`, prices: [{ currency: "EUR", price: i / 100 }] }))))

  console.log(`\n${"what".padEnd(56)} ${"p50 ms".padStart(8)} ${"p95 ms".padStart(8)} ${"bytes".padStart(8)}`)
  for (const r of results) console.log(`${r.label.padEnd(56)} ${r.p50.toFixed(2).padStart(8)} ${r.p95.toFixed(2).padStart(8)} ${String(r.bytes).padStart(8)}`)
  console.log(`\nfirst sort_by=name page after writes (sorts ${N.toLocaleString("en")} products): ${sortMs} ms`)
  gc()
  console.log(`RSS at the end: ${mb(process.memoryUsage().rss)}`)
  agent.destroy()
  bare.close()
  await emu.close()
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
