/**
 * Shared by the client's tests: the emulator started in a scope, a client over real HTTP to it,
 * generated seeds, and a scripted HTTP server for answers the emulator never gives (a Cloudflare
 * 403, a malformed 200) — real sockets on 127.0.0.1 either way.
 */
import { NodeHttpClient } from "@effect/platform-node"
import { Effect, Redacted, Schema } from "effect"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import * as Emulator from "../../src/emulator/Emulator.js"
import * as Seed from "../../src/emulator/Seed.js"
import * as Pipedrive from "../../src/pipedrive/Pipedrive.js"
import * as Retry from "../../src/pipedrive/Retry.js"

/** The emulator for the scope of a test. */
export const emulator = (options: Partial<Emulator.Options> = {}) =>
  Effect.acquireRelease(
    Effect.promise(() => Emulator.start({ token: "test-token", burstLimit: 100_000, searchBurstLimit: 100_000, ...options })),
    (h) => Effect.promise(() => h.close())
  )

/** Quick retries for tests: same shape as the default policy, milliseconds instead of seconds. */
export const quickRetry = (maxRetries = 8) => Retry.schedule({ maxRetries, baseDelay: "2 millis", maxDelay: "20 millis", jitter: false })

/** A client of `address` over Node's HTTP stack; fast and patient unless `options` say otherwise. */
export const client = (address: { readonly baseUrl: string; readonly token: string }, options: Partial<Pipedrive.Options> = {}) =>
  Pipedrive.makeClient({
    baseUrl: address.baseUrl,
    token: Redacted.make(address.token),
    burstLimit: 100_000,
    timeoutMs: 5_000,
    retry: quickRetry(),
    ...options
  }).pipe(Effect.provide(NodeHttpClient.layer))

const at = (i: number) => new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString().replace(".000Z", "Z")

/** A seed of `n` products (`SKU-00001`…), each with an EUR price, updated a minute apart. */
export const seedOf = (n: number, extra: Partial<Seed.Seed> = {}): Seed.Seed =>
  Schema.decodeUnknownSync(Seed.Seed)({
    currencies: Seed.empty.currencies,
    users: Seed.empty.users,
    productFields: [],
    products: Array.from({ length: n }, (_, i) => ({
      id: i + 1,
      name: `Product ${i + 1}`,
      code: `SKU-${String(i + 1).padStart(5, "0")}`,
      add_time: at(i),
      update_time: at(i),
      prices: [{ price: i + 0.5, currency: "EUR", cost: 0.25 }]
    })),
    ...extra
  })

export interface Seen {
  readonly method: string
  readonly url: string
  readonly headers: http.IncomingHttpHeaders
  readonly body: string
}

/** An HTTP server on 127.0.0.1 answering with `respond`; records each request it sees. */
export const scripted = (respond: (req: Seen, res: http.ServerResponse) => void) =>
  Effect.acquireRelease(
    Effect.async<{ readonly baseUrl: string; readonly seen: Array<Seen>; readonly server: http.Server }>((resume) => {
      const seen: Array<Seen> = []
      const server = http.createServer((req, res) => {
        const chunks: Array<Buffer> = []
        req.on("data", (c: Buffer) => chunks.push(c))
        req.on("end", () => {
          const s: Seen = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") }
          seen.push(s)
          respond(s, res)
        })
      })
      server.listen(0, "127.0.0.1", () => {
        const { port } = server.address() as AddressInfo
        resume(Effect.succeed({ baseUrl: `http://127.0.0.1:${port}`, seen, server }))
      })
    }),
    ({ server }) => Effect.async<void>((resume) => {
      server.closeAllConnections()
      server.close(() => resume(Effect.void))
    })
  )

/** Writes a JSON answer. */
export const json = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { "content-type": "application/json", ...headers })
  res.end(JSON.stringify(body))
}

/** A port nothing listens on (bound, then released). */
export const closedPort = Effect.async<number>((resume) => {
  const server = http.createServer()
  server.listen(0, "127.0.0.1", () => {
    const { port } = server.address() as AddressInfo
    server.close(() => resume(Effect.succeed(port)))
  })
})
