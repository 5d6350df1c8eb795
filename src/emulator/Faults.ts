/**
 * Fault injection, deterministic from a seed: each API request draws the same six numbers in the
 * same order (reset, 429 storm, server error, which 5xx, slow, drop after commit), whichever of
 * them fire, so a given seed and request sequence always fault the same requests.
 */
import * as Prng from "./Prng.js"

export interface Faults {
  /** Seed of the fault generator (default 1). Setting faults restarts the sequence. */
  readonly seed?: number
  /** Added to every API request before it is handled. */
  readonly latencyMs?: number
  /** Share (0..1) of requests answered 500, 502 or 503 without being handled. */
  readonly serverErrorRate?: number
  /** Share of requests answered with a spurious burst 429 (a "429 storm"). */
  readonly rateLimitRate?: number
  /** Share of connections destroyed before the request is handled. */
  readonly resetRate?: number
  /** Share of responses delayed by `slowMs` (the request is handled; only the answer is late). */
  readonly slowRate?: number
  readonly slowMs?: number
  /** Share of writes (POST/PATCH/DELETE) committed and then left without a response: the socket is destroyed. */
  readonly dropAfterCommitRate?: number
}

export interface Draw {
  readonly reset: boolean
  readonly rateLimit: boolean
  readonly serverError: 500 | 502 | 503 | undefined
  readonly slow: boolean
  readonly dropAfterCommit: boolean
}

export const none: Faults = {}

const rates = ["serverErrorRate", "rateLimitRate", "resetRate", "slowRate", "dropAfterCommitRate"] as const
const durations = ["latencyMs", "slowMs"] as const

/** Checks a faults object (from JSON); returns the problem, if any. */
export const problem = (u: unknown): string | undefined => {
  if (typeof u !== "object" || u === null || Array.isArray(u)) return "faults must be a JSON object"
  const o = u as Record<string, unknown>
  for (const k of Object.keys(o)) {
    if (!(rates as ReadonlyArray<string>).includes(k) && !(durations as ReadonlyArray<string>).includes(k) && k !== "seed") return `unknown fault ${JSON.stringify(k)}`
  }
  for (const k of rates) {
    const v = o[k]
    if (v !== undefined && (typeof v !== "number" || v < 0 || v > 1)) return `${k} must be a number from 0 to 1`
  }
  for (const k of durations) {
    const v = o[k]
    if (v !== undefined && (typeof v !== "number" || v < 0 || !Number.isFinite(v))) return `${k} must be a non-negative number of milliseconds`
  }
  if (o.seed !== undefined && (typeof o.seed !== "number" || !Number.isInteger(o.seed))) return "seed must be an integer"
  return undefined
}

export interface Injector {
  readonly faults: Faults
  readonly draw: () => Draw
}

export const injector = (faults: Faults): Injector => {
  const prng = Prng.make(faults.seed ?? 1)
  const hit = (rate: number | undefined) => {
    const r = prng.next()
    return rate !== undefined && r < rate
  }
  return {
    faults,
    draw: () => {
      const reset = hit(faults.resetRate)
      const rateLimit = hit(faults.rateLimitRate)
      const error = hit(faults.serverErrorRate)
      const which = prng.next()
      const slow = hit(faults.slowRate)
      const dropAfterCommit = hit(faults.dropAfterCommitRate)
      return { reset, rateLimit, serverError: error ? (which < 1 / 3 ? 500 : which < 2 / 3 ? 502 : 503) : undefined, slow, dropAfterCommit }
    }
  }
}
