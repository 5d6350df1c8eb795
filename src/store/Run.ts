/**
 * A run of catalog-sync as the state remembers it: what kind, when, how it ended, how many ERP rows
 * it read (the guard against a truncated export compares with the last run) and its summary.
 */

export type Kind = "plan" | "sync" | "apply"
export type Status = "running" | "succeeded" | "failed" | "stopped" | "partial"

export const kinds: ReadonlyArray<Kind> = ["plan", "sync", "apply"]
export const statuses: ReadonlyArray<Status> = ["running", "succeeded", "failed", "stopped", "partial"]

export interface Run {
  readonly id: number
  readonly kind: Kind
  /** ISO 8601, UTC. */
  readonly startedAt: string
  readonly finishedAt: string | null
  readonly status: Status
  readonly erpRows: number | null
  /** The run's summary (JSON), as it was given to `finishRun`. */
  readonly summary: unknown
  /** The hash of the plan the run applied, when it applied one. */
  readonly planHash: string | null
}

export interface Finish {
  readonly summary?: unknown
  readonly erpRows?: number
  readonly planHash?: string
}
