/**
 * The rate gate: every request waits here for a slot before it is sent.
 *
 * - **Burst pacing.** A log of slots per rolling window (2 s). A slot is taken when a request is
 *   sent and held while it is in flight; once its response (or failure) is in, it stays in the log
 *   for one more window. Pipedrive counts a request when it arrives, which is after it was sent
 *   and before its response came back — so however long the network (or a busy event loop) delays
 *   it, the server never counts more requests in a window than the log held when the last of them
 *   was sent: at most `floor(limit × safety)`. Search calls also take a slot of the Search API's
 *   own limit (10 per 2 s).
 * - **Adapting.** `x-ratelimit-limit` lowers the limit when the server's is lower than the
 *   configured one (it never raises it past the configuration). When `x-ratelimit-remaining`
 *   leaves less room than the log does (another client on the same token), the difference is
 *   added as placeholders that leave when `x-ratelimit-reset` says. A response read a little
 *   late may show a few more requests than the log still holds; the safety share absorbs that.
 * - **429.** `pause` holds every request until the time the server asked for.
 * - **Token cap.** Each call is charged its endpoint's token cost when its slot is granted; a call
 *   that would take the run past its `tokenCap` fails with `BudgetExhausted` before it is sent.
 *
 * The arithmetic is pure (`State`, `plan`, `settle`, `observe`); the effectful gate reads the
 * `Clock`, so tests drive it with `TestClock`.
 */
import { Clock, Deferred, Effect, Ref } from "effect"
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
  /** Added to the window for clock granularity (default 10 ms). */
  readonly marginMs?: number
  /** Stop before spending more than this many tokens in this client's lifetime (one run). */
  readonly tokenCap?: number | undefined
}

/** A slot: `at` is when its response came back (`Infinity` while in flight). */
export interface Slot {
  readonly id: number
  readonly at: number
}

export interface State {
  readonly sent: ReadonlyArray<Slot>
  readonly searchSent: ReadonlyArray<Slot>
  readonly pausedUntil: number
  /** The limit the server announced in `x-ratelimit-limit`, once seen. */
  readonly serverLimit: number | undefined
  readonly spent: number
  readonly nextId: number
}

export const initial: State = { sent: [], searchSent: [], pausedUntil: 0, serverLimit: undefined, spent: 0, nextId: 1 }

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
  marginMs: o.marginMs ?? 10,
  tokenCap: o.tokenCap
})

const usable = (limit: number, safety: number): number => Math.max(1, Math.floor(limit * safety))

/** The number of slots the gate allows per window now. */
export const effectiveLimit = (o: Resolved, s: State): number =>
  usable(s.serverLimit === undefined ? o.burstLimit : Math.min(o.burstLimit, s.serverLimit), o.safety)

const span = (o: Resolved): number => o.windowMs + o.marginMs

const live = (log: ReadonlyArray<Slot>, now: number, span: number): ReadonlyArray<Slot> => log.filter((t) => t.at + span > now)

/** How long a log must wait before it has room for one more slot (0 = now; `Infinity` = until a response). */
const waitFor = (log: ReadonlyArray<Slot>, limit: number, now: number, span: number): number => {
  if (log.length < limit) return 0
  const sorted = log.map((t) => t.at).sort((a, b) => a - b)
  // the slot that must leave the window before one more fits
  const blocking = sorted[sorted.length - limit] ?? now
  return Math.max(1, blocking + span - now)
}

export type Decision =
  | { readonly _tag: "Wait"; readonly ms: number }
  | { readonly _tag: "Go"; readonly state: State; readonly slot: number }

/** Whether a call may be sent at `now`, and the state with its slot taken. */
export const plan = (o: Resolved, s: State, now: number, search: boolean): Decision => {
  const sent = live(s.sent, now, span(o))
  const searchSent = live(s.searchSent, now, span(o))
  const wait = Math.max(
    s.pausedUntil - now,
    waitFor(sent, effectiveLimit(o, s), now, span(o)),
    search ? waitFor(searchSent, usable(o.searchBurstLimit, o.safety), now, span(o)) : 0
  )
  if (wait > 0) return { _tag: "Wait", ms: wait }
  const slot: Slot = { id: s.nextId, at: Infinity }
  return {
    _tag: "Go",
    slot: slot.id,
    state: { ...s, nextId: s.nextId + 1, sent: [...sent, slot], searchSent: search ? [...searchSent, slot] : searchSent }
  }
}

/** The response to slot `id` came back at `now`: from here it stays one window. */
export const settle = (s: State, id: number, now: number): State => {
  const done = (log: ReadonlyArray<Slot>) => log.map((t) => (t.id === id ? { id, at: now } : t))
  return { ...s, sent: done(s.sent), searchSent: done(s.searchSent) }
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
  const next = { ...s, serverLimit, sent: live(s.sent, now, span(o)) }
  if (h.remaining === undefined) return next
  // never believe there is more room than the server says: fill the difference with placeholders
  // (id 0) that leave the log when the server's window resets
  const room = effectiveLimit(o, next) - next.sent.length
  const missing = room - Math.max(0, h.remaining)
  if (missing <= 0) return next
  const at = now + (h.resetMs ?? o.windowMs) - span(o)
  return { ...next, sent: [...next.sent, ...Array.from({ length: missing }, () => ({ id: 0, at }))] }
}

export interface Snapshot {
  readonly spent: number
  readonly tokenCap: number | undefined
  readonly configuredLimit: number
  readonly serverLimit: number | undefined
  readonly effectiveLimit: number
}

export interface RateGate {
  /**
   * Runs `send` in a slot for one call of `endpoint`: waits for the slot, charges the cost (or
   * fails, unsent, if the cap would be passed), and frees the slot one window after `send` ends.
   */
  readonly withSlot: <A, E, R>(endpoint: Endpoint.Endpoint, send: Effect.Effect<A, E, R>) => Effect.Effect<A, E | PipedriveError, R>
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
    /** Completed whenever a slot is settled: a gate full of in-flight calls waits for it. */
    const settled = yield* Ref.make(yield* Deferred.make<void>())

    /** Waits for a slot; records it in `mine` in the same step as taking it, so an interruption cannot leak it. */
    const acquire = (endpoint: Endpoint.Endpoint, mine: Ref.Ref<number | undefined>): Effect.Effect<void, PipedriveError> =>
      Effect.gen(function*() {
        while (true) {
          const signal = yield* Ref.get(settled)
          const now = yield* Clock.currentTimeMillis
          const s = yield* Ref.get(state)
          if (o.tokenCap !== undefined && s.spent + endpoint.cost > o.tokenCap) {
            return yield* Effect.fail(capExceeded(endpoint, s.spent, o.tokenCap))
          }
          const d = plan(o, s, now, endpoint.search)
          if (d._tag === "Go") {
            return yield* Effect.uninterruptible(Effect.zipRight(Ref.set(state, { ...d.state, spent: s.spent + endpoint.cost }), Ref.set(mine, d.slot)))
          }
          yield* Number.isFinite(d.ms) ? Effect.race(Effect.sleep(d.ms), Deferred.await(signal)) : Deferred.await(signal)
        }
      })

    const release = (mine: Ref.Ref<number | undefined>) =>
      Effect.gen(function*() {
        const slot = yield* Ref.get(mine)
        if (slot === undefined) return
        const now = yield* Clock.currentTimeMillis
        yield* Ref.update(state, (s) => settle(s, slot, now))
        const next = yield* Deferred.make<void>()
        yield* Deferred.succeed(yield* Ref.getAndSet(settled, next), undefined)
      })

    return {
      withSlot: (endpoint, send) =>
        Effect.flatMap(Ref.make<number | undefined>(undefined), (mine) =>
          turn.withPermits(1)(acquire(endpoint, mine)).pipe(Effect.zipRight(send), Effect.ensuring(release(mine)))),
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
