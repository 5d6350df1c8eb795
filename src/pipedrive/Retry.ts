/**
 * When the client tries a failed call again. A retry policy is a `Schedule` over
 * `PipedriveError`s: by default exponential backoff with jitter, capped per delay, in number of
 * retries and in total time. Whatever the schedule, the client only retries what is safe
 * ({@link shouldRetry}): transient failures (429 from the burst limit, 5xx, timeouts, transport
 * errors) of requests that are surely not applied or safe to repeat. An exhausted budget and an
 * ambiguous create are never retried. A 429's `retry-after` is honoured by the rate gate, which
 * holds every request until then; the schedule's own delay runs alongside.
 */
import { Duration, Schedule } from "effect"
import type * as Endpoint from "./Endpoint.js"
import { isTransient, type PipedriveError } from "./PipedriveError.js"

export interface Policy {
  /** Retries after the first attempt (default 8). */
  readonly maxRetries: number
  /** The first delay (default 200 ms); each next one is `factor` times longer. */
  readonly baseDelay: Duration.DurationInput
  readonly factor: number
  /** No single delay is longer (default 10 s). */
  readonly maxDelay: Duration.DurationInput
  /** Stop retrying once this much time has passed since the first failure (default 2 min). */
  readonly maxElapsed: Duration.DurationInput
  /** Randomise each delay between 80 % and 120 % (default true). */
  readonly jitter: boolean
}

export const defaults: Policy = {
  maxRetries: 8,
  baseDelay: "200 millis",
  factor: 2,
  maxDelay: "10 seconds",
  maxElapsed: "2 minutes",
  jitter: true
}

/** The retry schedule of a policy: exponential, capped, jittered, bounded in count and time. */
export const schedule = (policy: Partial<Policy> = {}): Schedule.Schedule<unknown, PipedriveError> => {
  const p = { ...defaults, ...policy }
  const capped = Schedule.exponential(p.baseDelay, p.factor).pipe(Schedule.union(Schedule.spaced(p.maxDelay)))
  const timed = p.jitter ? Schedule.jittered(capped) : capped
  return timed.pipe(
    Schedule.intersect(Schedule.recurs(p.maxRetries)),
    Schedule.upTo(p.maxElapsed)
  ) as Schedule.Schedule<unknown, PipedriveError>
}

/** Never retry: one attempt per call. */
export const none: Schedule.Schedule<unknown, PipedriveError> = Schedule.stop

/**
 * Whether a failed call of `endpoint` may be sent again: the failure is transient, and either
 * the request surely was not applied or repeating it is harmless (every method but POST).
 */
export const shouldRetry = (endpoint: Endpoint.Endpoint) => (error: PipedriveError): boolean =>
  isTransient(error) && (!error.ambiguous || endpoint.idempotent)
