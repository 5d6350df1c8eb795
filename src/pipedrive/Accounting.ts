/**
 * What the client has spent, per endpoint (`METHOD /path/template`): requests sent, tokens
 * charged, retries, 429s received and calls that finally failed. Reports read a `Snapshot`.
 *
 * It also keeps the server's clock as its latest `Date` header said (incremental pulls start there).
 *
 * Tokens are charged per request sent, retries included, 429s included: an upper bound of what
 * Pipedrive counts (it does not say whether a refused request costs tokens).
 */
import { Effect, Ref } from "effect"
import * as Endpoint from "./Endpoint.js"

export interface Counters {
  readonly requests: number
  readonly tokens: number
  readonly retries: number
  readonly rateLimited: number
  readonly failures: number
}

export const zero: Counters = { requests: 0, tokens: 0, retries: 0, rateLimited: 0, failures: 0 }

const add = (a: Counters, b: Partial<Counters>): Counters => ({
  requests: a.requests + (b.requests ?? 0),
  tokens: a.tokens + (b.tokens ?? 0),
  retries: a.retries + (b.retries ?? 0),
  rateLimited: a.rateLimited + (b.rateLimited ?? 0),
  failures: a.failures + (b.failures ?? 0)
})

export interface Snapshot {
  /** Keyed by `METHOD /path/template`; endpoints never called are absent. */
  readonly byEndpoint: Readonly<Record<string, Counters>>
  readonly total: Counters
  /** The lowest `x-daily-requests-left` seen (POST/PUT fair-usage allowance), if any. */
  readonly dailyRequestsLeft: number | undefined
  /** The server's clock (its `Date` header, epoch ms) at the latest response that carried one. */
  readonly serverTime: number | undefined
}

export const empty: Snapshot = { byEndpoint: {}, total: zero, dailyRequestsLeft: undefined, serverTime: undefined }

export const record = (s: Snapshot, endpoint: Endpoint.Endpoint, delta: Partial<Counters>): Snapshot => {
  const k = Endpoint.key(endpoint)
  return {
    ...s,
    byEndpoint: { ...s.byEndpoint, [k]: add(s.byEndpoint[k] ?? zero, delta) },
    total: add(s.total, delta)
  }
}

export interface Accounting {
  readonly record: (endpoint: Endpoint.Endpoint, delta: Partial<Counters>) => Effect.Effect<void>
  readonly dailyRequestsLeft: (n: number) => Effect.Effect<void>
  readonly serverTime: (ms: number) => Effect.Effect<void>
  readonly snapshot: Effect.Effect<Snapshot>
}

export const make: Effect.Effect<Accounting> = Effect.map(Ref.make(empty), (ref) => ({
  record: (endpoint, delta) => Ref.update(ref, (s) => record(s, endpoint, delta)),
  dailyRequestsLeft: (n) =>
    Ref.update(ref, (s) => ({ ...s, dailyRequestsLeft: s.dailyRequestsLeft === undefined ? n : Math.min(s.dailyRequestsLeft, n) })),
  serverTime: (ms) => Ref.update(ref, (s) => ({ ...s, serverTime: ms })),
  snapshot: Ref.get(ref)
}))

/** A plain-text table of a snapshot, one line per endpoint, for logs and reports. */
export const render = (s: Snapshot): string => {
  const rows = Object.entries(s.byEndpoint).sort(([a], [b]) => a.localeCompare(b))
  const line = (name: string, c: Counters) =>
    `${name.padEnd(36)} ${String(c.requests).padStart(8)} ${String(c.tokens).padStart(8)} ${String(c.retries).padStart(8)} ${String(c.rateLimited).padStart(6)} ${String(c.failures).padStart(8)}`
  return [
    `${"endpoint".padEnd(36)} ${"requests".padStart(8)} ${"tokens".padStart(8)} ${"retries".padStart(8)} ${"429s".padStart(6)} ${"failures".padStart(8)}`,
    ...rows.map(([k, c]) => line(k, c)),
    line("total", s.total)
  ].join("\n")
}
