/**
 * The rate gate: every request waits here for a slot before it is sent.
 *
 * - **Burst pacing.** A sliding log of send times per rolling window (2 s): at most
 *   `floor(limit × safety)` sends in any window of `windowMs + marginMs`, so the server, which
 *   counts arrivals, never sees more than its limit. Search calls also count against the Search
 *   API's own limit (10 per 2 s).
 * - **Adapting.** `x-ratelimit-limit` lowers the limit when the server's is lower than the
 *   configured one (never raises it past the configuration). When `x-ratelimit-remaining` shows
 *   more requests used than the log knows of (another client on the same token), the difference is
 *   added to the log as placeholders that expire when `x-ratelimit-reset` says the window resets.
 * - **429.** `pause` holds every request until the time the server asked for.
 * - **Token cap.** Each call is charged its endpoint's token cost when its slot is granted; a call
 *   that would take the run past its `tokenCap` fails with `BudgetExhausted` before it is sent.
 *
 * The arithmetic is pure (`State`, `plan`, `observe`) and the effectful gate reads the `Clock`,
 * so tests drive it with `TestClock`.
 */
import { Clock, Effect, Ref } from "effect"
import * as Endpoint from "./Endpoint.js"
import { PipedriveError } from "./PipedriveError.js"

export interface Options {
  /** Requests per window allowed by the plan (or the configuration). */
  readonly burstLimit: number
  /** The Search API's limit per window (default 10). */
  readonly searchBurstLimit?: number
  /** The window Pipedrive counts over (default 2000 ms). */
  readonly windowMs?: number
  /** The share of the limit the gate uses (default 0.95), room for clock and latency skew. */
  readonly safety?: number
  /** Added to the window when deciding whether a send has left it (default 25 ms). */
  readonly marginMs?: number
  /** Stop before spending more than this many tokens in this client's lifetime (one run). */
  readonly tokenCap?: number | undefined
}

export interface State {
  readonly sent: ReadonlyArray<number>
  readonly searchSent: ReadonlyArray<number>
  readonly pausedUntil: number
  /** The limit the server announced in `x-ratelimit-limit`, once seen. */
  readonly serverLimit: number | undefined
  readonly spent: number
}

export const initial: State = { sent: [], searchSent: [], pausedUntil: 0, serverLimit: undefined, spent: 0 }

interface Resolved {
  readonly burstLimit: number
  readonly searchBurstLimit: number
  readonly windowMs: number
  readonly safety: number
  readonly marginMs: number
  readonly tokenCap: number | undefined
}

export const resolve = (o: Options): Resolved => ({
  burstLimit: o.burstLimit,
  searchBurstLimit: o.searchBurstLimit ?? 10,
  windowMs: o.windowMs ?? 2000,
  safety: o.safety ?? 0.95,
  marginMs: o.marginMs ?? 25,
  tokenCap: o.tokenCap
})

const usable = (limit: number, safety: number): number => Math.max(1, Math.floor(limit * safety))

/** The number of sends the gate allows per window now. */
export const effectiveLimit = (o: Resolved, s: State): number =>
  usable(s.serverLimit === undefined ? o.burstLimit : Math.min(o.burstLimit, s.serverLimit), o.safety)

const live = (log: ReadonlyArray<number>, now: number, span: number): ReadonlyArray<number> => log.filter((t) => t > now - span)

/** How long a log must wait before it has room for one more send (0 = now). */
const waitFor = (log: ReadonlyArray<number>, limit: number, now: number, span: number): number => {
  if (log.length < limit) return 0
  const sorted = [...log].sort((a, b) => a - b)
  // the send that must leave the window before one more fits
  const blocking = sorted[sorted.length - limit] ?? now
  return Math.max(1, blocking + span - now)
}

export type Decision = { readonly _tag: "Wait"; readonly ms: number } | { readonly _tag: "Go"; readonly state: State }

/** Whether a call may be sent at `now`, and the state after sending it. */
export const plan = (o: Resolved, s: State, now: number, search: boolean): Decision => {
  const span = o.windowMs + o.marginMs
  const sent = live(s.sent, now, span)
  const searchSent = live(s.searchSent, now, span)
  const wait = Math.max(
    s.pausedUntil - now,
    waitFor(sent, effectiveLimit(o, s), now, span),
    search ? waitFor(searchSent, usable(o.searchBurstLimit, o.safety), now, span) : 0
  )
  if (wait > 0) return { _tag: "Wait", ms: wait }
  return { _tag: "Go", state: { ...s, sent: [...sent, now], searchSent: search ? [...searchSent, now] : searchSent } }
}

/** What a response's `x-ratelimit-*` headers say. */
export interface Observation {
  readonly limit?: number | undefined
  readonly remaining?: number | undefined
  /** Until the server's window resets, in milliseconds. */
  readonly resetMs?: number | undefined
}

export const observe = (o: Resolved, s: State, now: number, h: Observation): State => {
  const serverLimit = h.limit !== undefined && h.limit > 0 ? h.limit : s.serverLimit
  let sent = live(s.sent, now, o.windowMs + o.marginMs)
  if (h.remaining !== undefined) {
    const limit = serverLimit ?? o.burstLimit
    const usedByServer = Math.min(limit, Math.max(0, limit - h.remaining))
    const missing = usedByServer - sent.length
    if (missing > 0) {
      // placeholders that leave the log when the server's window resets
      const at = now + (h.resetMs ?? o.windowMs) - (o.windowMs + o.marginMs)
      sent = [...sent, ...Array.from({ length: missing }, () => at)]
    }
  }
  return { ...s, serverLimit, sent }
}

export interface Snapshot {
  readonly spent: number
  readonly tokenCap: number | undefined
  readonly configuredLimit: number
  readonly serverLimit: number | undefined
  readonly effectiveLimit: number
}

export interface RateGate {
  /** Waits for a slot for one call of `endpoint` and charges its cost; fails if the cap would be passed. */
  readonly acquire: (endpoint: Endpoint.Endpoint) => Effect.Effect<void, PipedriveError>
  /** Feeds a response's rate-limit headers back. */
  readonly observe: (h: Observation) => Effect.Effect<void>
  /** Holds every call for `ms` (a 429's `retry-after`). */
  readonly pause: (ms: number) => Effect.Effect<void>
  readonly snapshot: Effect.Effect<Snapshot>
}

export const capExceeded = (endpoint: Endpoint.Endpoint, spent: number, cap: number): PipedriveError =>
  new PipedriveError({
    reason: "BudgetExhausted",
    method: endpoint.method,
    path: endpoint.template,
    detail: `the run's token cap of ${cap} is reached: ${spent} spent, this call costs ${endpoint.cost}`,
    ambiguous: false
  })

export const make = (options: Options): Effect.Effect<RateGate> =>
  Effect.gen(function*() {
    const o = resolve(options)
    const state = yield* Ref.make(initial)
    const turn = yield* Effect.makeSemaphore(1)

    const waitTurn = (endpoint: Endpoint.Endpoint): Effect.Effect<void, PipedriveError> =>
      Effect.gen(function*() {
        while (true) {
          const now = yield* Clock.currentTimeMillis
          const s = yield* Ref.get(state)
          if (o.tokenCap !== undefined && s.spent + endpoint.cost > o.tokenCap) {
            return yield* Effect.fail(capExceeded(endpoint, s.spent, o.tokenCap))
          }
          const d = plan(o, s, now, endpoint.search)
          if (d._tag === "Go") {
            yield* Ref.set(state, { ...d.state, spent: s.spent + endpoint.cost })
            return
          }
          yield* Effect.sleep(d.ms)
        }
      })

    return {
      acquire: (endpoint) => turn.withPermits(1)(waitTurn(endpoint)),
      observe: (h) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) => Ref.update(state, (s) => observe(o, s, now, h))),
      pause: (ms) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) =>
          Ref.update(state, (s) => ({ ...s, pausedUntil: Math.max(s.pausedUntil, now + ms) }))),
      snapshot: Effect.map(Ref.get(state), (s) => ({
        spent: s.spent,
        tokenCap: o.tokenCap,
        configuredLimit: o.burstLimit,
        serverLimit: s.serverLimit,
        effectiveLimit: effectiveLimit(o, s)
      }))
    }
  })
