/**
 * A local HTTP server that behaves like Pipedrive's API v2 for what catalog-sync uses (DESIGN §7,
 * docs/emulator.md): products, product fields, currencies; auth before routing; burst, search and
 * daily-budget limits with Pipedrive's headers and 429s; deterministic fault injection; control
 * endpoints under `/__emulator/`. Start it with `start` (a plain promise) or as the scoped layer
 * `Emulator.layer(options)`.
 */
import { Context, Effect, Layer } from "effect"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import * as Api from "./Api.js"
import * as Costs from "./Costs.js"
import * as FaultsModule from "./Faults.js"
import * as Limits from "./Limits.js"
import * as Reply from "./Reply.js"
import * as SeedModule from "./Seed.js"
import * as Store from "./Store.js"
import * as Validate from "./Validate.js"

export type Seed = SeedModule.Seed
export type Faults = FaultsModule.Faults
export type Plan = Limits.Plan

export interface Options {
  /** The one API token the emulator accepts. */
  readonly token: string
  /** The account to start from (default: a few currencies, no fields, no products). */
  readonly seed?: Seed | undefined
  /** Sets the burst limit and the daily budget as on this plan (default growth). */
  readonly plan?: Plan
  /** Requests per window per token; overrides the plan's. */
  readonly burstLimit?: number
  /** Search requests per window (default 10). */
  readonly searchBurstLimit?: number
  /** Tokens per UTC day (default: 30,000 × the plan's multiplier × seats, seats = the seed's users). */
  readonly dailyBudget?: number
  /** 0 (default) picks a free port. */
  readonly port?: number
  /** Default 127.0.0.1. */
  readonly host?: string
  readonly faults?: Faults
  /** Length of the rolling burst window (default 2000 ms, as upstream); shorter only to keep tests quick. */
  readonly windowMs?: number
  /** The emulator's clock in epoch ms (default `Date.now`): timestamps, windows and the budget's day. */
  readonly clock?: () => number
}

export interface Stats {
  /** API requests received (control endpoints not counted). */
  readonly requests: number
  /** Requests per "METHOD /route/template" (e.g. "GET /api/v2/products"). */
  readonly byEndpoint: Readonly<Record<string, number>>
  /** Responses per HTTP status. */
  readonly byStatus: Readonly<Record<string, number>>
  readonly tokensCharged: number
  readonly tokensLeftToday: number
  /** 429s sent, whatever the cause. */
  readonly rateLimited: number
  readonly rateLimitedBy: { readonly burst: number; readonly search: number; readonly daily: number; readonly storm: number }
  readonly unauthorized: number
  readonly faultsInjected: { readonly reset: number; readonly serverError: number; readonly rateLimit: number; readonly slow: number; readonly dropAfterCommit: number }
  /** Writes committed (POST/PATCH/DELETE answered 2xx or dropped after commit). */
  readonly writes: number
  /** Products held, deleted ones included. */
  readonly products: number
  readonly deletedProducts: number
}

export interface Handle {
  /** e.g. http://127.0.0.1:PORT — no trailing slash, no /api/v2. */
  readonly baseUrl: string
  readonly token: string
  setFaults(f: Faults): void
  /** Back to `seed`, or to the last loaded seed; limits, budget and stats start over. */
  reset(seed?: Seed): void
  stats(): Stats
  /** Every product, deleted ones included, in the v2 wire shape. */
  products(): ReadonlyArray<unknown>
  close(): Promise<void>
}

const maxBody = 16 * 1024 * 1024

interface Counters {
  requests: number
  byEndpoint: Record<string, number>
  byStatus: Record<string, number>
  tokensCharged: number
  rateLimited: number
  rateLimitedBy: { burst: number; search: number; daily: number; storm: number }
  unauthorized: number
  faultsInjected: { reset: number; serverError: number; rateLimit: number; slow: number; dropAfterCommit: number }
  writes: number
}

const freshCounters = (): Counters => ({
  requests: 0,
  byEndpoint: {},
  byStatus: {},
  tokensCharged: 0,
  rateLimited: 0,
  rateLimitedBy: { burst: 0, search: 0, daily: 0, storm: 0 },
  unauthorized: 0,
  faultsInjected: { reset: 0, serverError: 0, rateLimit: 0, slow: 0, dropAfterCommit: 0 },
  writes: 0
})

const tokenOf = (req: http.IncomingMessage, query: URLSearchParams): string | undefined => {
  const header = req.headers["x-api-token"]
  if (typeof header === "string") return header
  const auth = req.headers.authorization
  if (typeof auth === "string") return /^Bearer\s+(.+)$/i.exec(auth)?.[1]
  return query.get("api_token") ?? undefined
}

const isWrite = (method: string) => method === "POST" || method === "PATCH" || method === "PUT" || method === "DELETE"

const readBody = (req: http.IncomingMessage, done: (body: Buffer | undefined) => void): void => {
  const chunks: Array<Buffer> = []
  let size = 0
  req.on("data", (c: Buffer) => {
    size += c.length
    if (size <= maxBody) chunks.push(c)
  })
  req.on("end", () => done(size > maxBody ? undefined : Buffer.concat(chunks)))
  req.on("error", () => undefined)
}

const parseJson = (raw: Buffer): { readonly ok: true; readonly value: unknown } | { readonly ok: false } => {
  if (raw.length === 0) return { ok: true, value: undefined }
  try {
    return { ok: true, value: JSON.parse(raw.toString("utf8")) as unknown }
  } catch {
    return { ok: false }
  }
}

/** Starts an emulator; resolves once it listens. */
export const start = (options: Options): Promise<Handle> => {
  const clock = options.clock ?? Date.now
  const nowSec = () => Math.floor(clock() / 1000)
  let seed: Seed = options.seed ?? SeedModule.empty
  const store = new Store.Store(seed, nowSec)
  const plan = options.plan ?? "growth"
  const windowMs = options.windowMs ?? 2000
  const burst = new Limits.Window(options.burstLimit ?? Limits.burstByPlan[plan], windowMs)
  const search = new Limits.Window(options.searchBurstLimit ?? 10, windowMs)
  const budget = new Limits.DailyBudget(options.dailyBudget ?? Limits.dailyBudgetFor(plan, seed.users?.length ?? 1))
  let faults = FaultsModule.injector(options.faults ?? FaultsModule.none)
  let counters = freshCounters()
  const timers = new Set<NodeJS.Timeout>()

  const later = (ms: number, f: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t)
      f()
    }, ms)
    timers.add(t)
  }

  const reset = (next?: Seed) => {
    if (next !== undefined) seed = next
    store.load(seed)
    burst.clear()
    search.clear()
    budget.clear()
    counters = freshCounters()
    faults = FaultsModule.injector(faults.faults)
  }

  const stats = (): Stats => ({
    ...counters,
    byEndpoint: { ...counters.byEndpoint },
    byStatus: { ...counters.byStatus },
    rateLimitedBy: { ...counters.rateLimitedBy },
    faultsInjected: { ...counters.faultsInjected },
    tokensLeftToday: budget.left(clock()),
    products: store.size,
    deletedProducts: store.deletedCount
  })

  const exportSeed = () => ({
    currencies: store.currencies,
    productFields: store.allFields().filter((f) => f.is_custom_field).map((f) => ({ field_name: f.field_name, field_code: f.field_code, field_type: f.field_type, options: f.options })),
    categories: (store.field("category")?.options ?? []).map((o) => ({ id: Number(o.id), label: o.label })),
    products: store.export()
  })

  const send = (res: http.ServerResponse, reply: Reply.Reply, extra?: Readonly<Record<string, string>>) => {
    if (res.destroyed) return
    const body = Buffer.from(reply.body, "utf8")
    res.writeHead(reply.status, { "content-type": "application/json; charset=utf-8", "content-length": body.length, ...extra, ...reply.headers })
    res.end(body)
  }

  const control = (req: http.IncomingMessage, res: http.ServerResponse, path: string) => {
    const method = req.method ?? "GET"
    readBody(req, (raw) => {
      const body = raw === undefined ? { ok: false as const } : parseJson(raw)
      const answer = (status: number, value: unknown) => send(res, { status, body: JSON.stringify(value) })
      const route = `${method} ${path.replace(/\/+$/, "")}`
      if (route === "GET /__emulator/stats") return answer(200, stats())
      if (route === "GET /__emulator/export") return answer(200, exportSeed())
      if (route === "GET /__emulator/faults") return answer(200, faults.faults)
      if (!body.ok) return answer(400, { success: false, error: "the body is not valid JSON" })
      if (route === "PUT /__emulator/faults") {
        const problem = FaultsModule.problem(body.value)
        if (problem !== undefined) return answer(400, { success: false, error: problem })
        faults = FaultsModule.injector(body.value as Faults)
        return answer(200, faults.faults)
      }
      if (route === "POST /__emulator/seed" || route === "POST /__emulator/reset") {
        if (route === "POST /__emulator/seed" || body.value !== undefined) {
          const decoded = SeedModule.decode(body.value)
          if (decoded._tag === "Left") return answer(400, { success: false, error: `the seed is not valid:\n${decoded.left}` })
          reset(decoded.right)
        } else reset()
        return answer(200, { success: true, products: store.size })
      }
      return answer(404, { success: false, error: `unknown control endpoint ${route}; see docs/emulator.md` })
    })
  }

  const handle = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = req.url ?? "/"
    const q = url.indexOf("?")
    const path = q < 0 ? url : url.slice(0, q)
    if (path.startsWith("/__emulator/")) return control(req, res, path)
    const query = new URLSearchParams(q < 0 ? "" : url.slice(q + 1))
    const method = req.method ?? "GET"
    counters.requests++
    const draw = faults.draw()
    if (draw.reset) {
      counters.faultsInjected.reset++
      req.socket.destroy()
      return
    }
    const m = Api.match(method, path)
    counters.byEndpoint[m.key] = (counters.byEndpoint[m.key] ?? 0) + 1
    const isSearch = m.route === "GET /api/v2/products/search"
    const window = isSearch ? search : burst
    const limitHeaders = (now: number, drained = false): Record<string, string> => ({
      // the server's clock, as Pipedrive sends it (the client's incremental watermark reads it)
      date: new Date(now).toUTCString(),
      "x-ratelimit-limit": String(window.limit),
      "x-ratelimit-remaining": String(drained ? 0 : window.remaining(now)),
      "x-ratelimit-reset": String(window.resetSeconds(now))
    })
    const finish = (reply: Reply.Reply, headers: Record<string, string>) => {
      counters.byStatus[reply.status] = (counters.byStatus[reply.status] ?? 0) + 1
      if (reply.status === 429) counters.rateLimited++
      send(res, reply, headers)
    }
    const now = clock()
    if (tokenOf(req, query) !== options.token) {
      counters.unauthorized++
      req.resume()
      return finish(Reply.unauthorized, limitHeaders(now))
    }
    const tooMany = (kind: "burst" | "search" | "storm", w: Limits.Window) => {
      counters.rateLimitedBy[kind]++
      req.resume()
      const retry = kind === "storm" ? Math.ceil(w.windowMs / 1000) : w.resetSeconds(now)
      finish(Reply.tooManyRequests(retry), { ...limitHeaders(now, true), "x-ratelimit-reset": String(retry) })
    }
    if (!burst.tryTake(now)) return tooMany("burst", burst)
    if (draw.rateLimit) {
      counters.faultsInjected.rateLimit++
      return tooMany("storm", window)
    }
    if (isSearch && !search.tryTake(now)) return tooMany("search", search)
    const route = m.route
    if (route === undefined) {
      req.resume()
      return finish(m.allowed.length > 0 ? Reply.methodNotAllowed(m.allowed) : Reply.unknownRoute(method, path), limitHeaders(now))
    }
    const cost = Costs.of(route)
    if (!budget.tryCharge(now, cost)) {
      counters.rateLimitedBy.daily++
      req.resume()
      return finish(Reply.dailyBudgetExceeded(Limits.secondsToUtcMidnight(now)), limitHeaders(now))
    }
    counters.tokensCharged += cost
    if (draw.serverError !== undefined) {
      counters.faultsInjected.serverError++
      req.resume()
      return finish(Reply.serverError(draw.serverError), limitHeaders(now))
    }
    const headers = limitHeaders(now)
    const run = (raw: Buffer | undefined) => {
      let reply: Reply.Reply
      const body = raw === undefined ? undefined : parseJson(raw)
      if (raw === undefined && isWrite(method)) reply = Reply.payloadTooLarge
      else if (body !== undefined && !body.ok) reply = Reply.validation("body: is not valid JSON")
      else {
        try {
          reply = Api.handlers[route]({ store, query, param: m.param, body: body?.value })
        } catch (e) {
          if (!(e instanceof Validate.Invalid)) throw e
          reply = Reply.validation(e.message)
        }
      }
      const committed = isWrite(method) && reply.status < 300
      if (committed) counters.writes++
      if (committed && draw.dropAfterCommit) {
        counters.faultsInjected.dropAfterCommit++
        res.socket?.destroy()
        return
      }
      if (draw.slow) {
        counters.faultsInjected.slow++
        later(faults.faults.slowMs ?? 30_000, () => finish(reply, headers))
      } else finish(reply, headers)
    }
    const latency = faults.faults.latencyMs ?? 0
    const go = (raw: Buffer | undefined) => (latency > 0 ? later(latency, () => run(raw)) : run(raw))
    if (isWrite(method)) readBody(req, go)
    else {
      req.resume()
      go(Buffer.alloc(0))
    }
  }

  const server = http.createServer((req, res) => {
    try {
      handle(req, res)
    } catch (e) {
      send(res, Reply.serverError(500))
      process.emitWarning(`catalog-sync emulator: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`)
    }
  })
  server.keepAliveTimeout = 10_000

  return new Promise<Handle>((resolve, reject) => {
    server.once("error", reject)
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
      server.off("error", reject)
      const address = server.address() as AddressInfo
      const host = address.family === "IPv6" ? `[${address.address}]` : address.address
      resolve({
        baseUrl: `http://${host}:${address.port}`,
        token: options.token,
        setFaults: (f) => {
          const problem = FaultsModule.problem(f)
          if (problem !== undefined) throw new Error(`catalog-sync emulator: ${problem}`)
          faults = FaultsModule.injector(f)
        },
        reset,
        stats,
        products: () => store.export(),
        close: () =>
          new Promise<void>((done) => {
            for (const t of timers) clearTimeout(t)
            timers.clear()
            server.close(() => done())
            server.closeAllConnections()
          })
      })
    })
  })
}

/** The emulator as a service: `Emulator.layer(options)` starts it in a scope and closes it with the scope. */
export class Emulator extends Context.Tag("catalog-sync/Emulator")<Emulator, Handle>() {
  static layer(options: Options): Layer.Layer<Emulator> {
    return Layer.scoped(
      Emulator,
      Effect.acquireRelease(
        Effect.promise(() => start(options)),
        (handle) => Effect.promise(() => handle.close())
      )
    )
  }
}
