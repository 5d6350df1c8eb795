/** Test helpers: start an emulator, call it over real HTTP, generate seeds of any size. */
import { readFileSync } from "node:fs"
import * as Emulator from "../../src/emulator/Emulator.js"
import * as Seed from "../../src/emulator/Seed.js"

export const token = "test-token-0123456789"

export const demoSeed = (): Seed.Seed => {
  const decoded = Seed.decode(JSON.parse(readFileSync(new URL("../../fixtures/pipedrive-seed.json", import.meta.url), "utf8")))
  if (decoded._tag === "Left") throw new Error(decoded.left)
  return decoded.right
}

export const brand = "2afc20560900daa9f16dd689a4902ab6d72934b6"
export const color = "d059c3607b178b356c01eab17158e21281de76f9"

const words = ["Anvil", "bracket", "Cable", "drill", "Epoxy", "fuse", "Gasket", "hinge", "Insulator", "joint"]

/** `n` products with ids 1..n, names in a scrambled order (mixed case, some equal), times spread over days. */
export const generated = (n: number, options: { readonly deletedEvery?: number; readonly owners?: number } = {}): Seed.Seed => {
  const base = Date.parse("2026-01-01T00:00:00Z") / 1000
  const at = (s: number) => new Date(s * 1000).toISOString().replace(/\.\d{3}Z$/, "Z")
  const products: Array<Seed.Product> = []
  for (let id = 1; id <= n; id++) {
    const k = (id * 7919) % n
    products.push({
      id,
      name: `${words[k % words.length]} ${Math.floor(k / 3)}`,
      code: `SKU-${String(k).padStart(6, "0")}`,
      description: null,
      unit: "pcs",
      tax: 19,
      category: null,
      is_linkable: true,
      is_deleted: options.deletedEvery !== undefined && id % options.deletedEvery === 0,
      visible_to: 3,
      owner_id: 1 + (id % (options.owners ?? 1)),
      add_time: at(base + ((id * 104729) % n) * 60),
      update_time: at(base + 86_400 + ((id * 15485863) % n) * 30),
      billing_frequency: "one-time",
      billing_frequency_cycles: null,
      prices: [{ product_id: id, price: id / 4, currency: "EUR", cost: 0, direct_cost: null, notes: "" }],
      custom_fields: {}
    })
  }
  return { ...Seed.empty, users: [{ id: 1, name: "A" }, { id: 2, name: "B" }, { id: 3, name: "C" }], products }
}

export interface Response {
  readonly status: number
  readonly headers: Headers
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the JSON under test, checked by the assertions
  readonly body: any
}

/** A fetch against the emulator with the token in `x-api-token` (unless `auth: false`). */
export const call = async (
  handle: Emulator.Handle,
  method: string,
  path: string,
  body?: unknown,
  init: { readonly auth?: boolean; readonly headers?: Record<string, string>; readonly signal?: AbortSignal } = {}
): Promise<Response> => {
  const headers: Record<string, string> = { ...(init.auth === false ? {} : { "x-api-token": handle.token }), ...init.headers }
  if (body !== undefined) headers["content-type"] = "application/json"
  const res = await fetch(`${handle.baseUrl}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
    ...(init.signal === undefined ? {} : { signal: init.signal })
  })
  const text = await res.text()
  return { status: res.status, headers: res.headers, body: text === "" ? undefined : JSON.parse(text) }
}

export const get = (handle: Emulator.Handle, path: string) => call(handle, "GET", path)

/** A clock tests move by hand. */
export const manualClock = (start = Date.parse("2026-03-10T12:00:00Z")) => {
  let now = start
  return { now: () => now, advance: (ms: number) => void (now += ms), set: (ms: number) => void (now = ms) }
}

/** Pages through GET /api/v2/products and returns every item and the number of pages. */
export const pageAll = async (handle: Emulator.Handle, params: string) => {
  const items: Array<{ id: number; [k: string]: unknown }> = []
  let cursor: string | null = null
  let pages = 0
  do {
    const r: Response = await get(handle, `/api/v2/products?${params}${cursor === null ? "" : `&cursor=${encodeURIComponent(cursor)}`}`)
    if (r.status !== 200) throw new Error(`page ${pages}: ${r.status} ${JSON.stringify(r.body)}`)
    items.push(...r.body.data)
    cursor = r.body.additional_data.next_cursor
    pages++
  } while (cursor !== null)
  return { items, pages }
}

/** Starts an emulator with the test token; without a plan, the burst limit is out of the way. */
export const start = (options: Partial<Emulator.Options> = {}) =>
  Emulator.start({ token, ...(options.plan === undefined ? { burstLimit: 100_000 } : {}), ...options })

/** Runs `f` against a fresh emulator and closes it afterwards, whatever happens. */
export const withEmulator = async <A>(options: Partial<Emulator.Options>, f: (emu: Emulator.Handle) => Promise<A>): Promise<A> => {
  const emu = await start(options)
  try {
    return await f(emu)
  } finally {
    await emu.close()
  }
}
