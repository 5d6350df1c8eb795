/**
 * What a run of the executor reports: why it stopped (the daily budget, the run's token cap,
 * `--max-writes`), what failed and why, what the resume of earlier runs' journal found, and the
 * run's figures. Pure data and the messages people read.
 */
import type * as Plan from "../domain/Plan.js"
import type { PipedriveError } from "../pipedrive/PipedriveError.js"
import type * as CatalogSource from "../source/CatalogSource.js"

/** Why a run stopped before sending everything. */
export type StopReason = "budget" | "token-cap" | "max-writes"

export interface Stop {
  readonly reason: StopReason
  /** For people: what happened and when to run again. */
  readonly message: string
  /** When Pipedrive said the budget resets (ms from the stop). */
  readonly retryAfterMs?: number
}

export interface Failure {
  readonly key: string
  readonly kind: string
  readonly pipedriveId?: number
  readonly message: string
}

export interface ResumeSummary {
  /** Unfinished entries found. */
  readonly found: number
  /** `sent` entries found applied in Pipedrive and finished (creates adopted by their key). */
  readonly applied: number
  /** `sent` entries found not applied, and `pending` ones never sent: left to this run's plan. */
  readonly replanned: number
  /** Entries that cannot be finished (several products with the key, product gone): failed. */
  readonly failed: number
  /** Entries whose lookup failed (budget, network): still `sent`; their keys are held this run. */
  readonly unresolvedKeys: ReadonlyArray<string>
  readonly failures: ReadonlyArray<Failure>
  readonly stop?: Stop
}

export interface RunSummary {
  /** `succeeded`: every write done; `partial`: some failed or stayed unknown; `stopped`: budget, cap or --max-writes. */
  readonly status: "succeeded" | "partial" | "stopped"
  readonly stop?: Stop
  readonly writes: {
    readonly planned: number
    readonly done: number
    readonly failed: number
    /** Journaled `pending`, not sent (the run stopped): the next run continues with them. */
    readonly notSent: number
    /** Sent with an outcome that could not be looked up: left `sent` for the next run. */
    readonly unknown: number
    /** Not sent because an earlier write to the same key has an unknown outcome. */
    readonly held: number
  }
  readonly resumed: ResumeSummary
  readonly failures: ReadonlyArray<Failure>
  /** Fields written whose value Pipedrive holds differently afterwards: the base did not advance. */
  readonly unconfirmed: ReadonlyArray<{ readonly key: string; readonly path: string; readonly held: string; readonly wrote: string }>
  readonly conflictsHeld: number
  readonly agreements: number
  readonly links: number
  readonly writeBack: {
    /** Pending write-backs after this run (all runs'). */
    readonly pending: number
    readonly file?: CatalogSource.WriteBackSummary
    readonly error?: string
    /** ERP-bound changes not written: row deletes a CSV cannot carry, values the file cannot hold. */
    readonly notWritten: ReadonlyArray<{ readonly key: string; readonly message: string }>
    /** Values written with `?` in place of characters the file cannot hold (`erp.writeBack.unencodable: "replace"`). */
    readonly replaced: ReadonlyArray<Plan.WriteBackProblem>
  }
  /**
   * API tokens and requests: `used`/`requests` by this execution (writes and lookups), `planned` the
   * plan's estimate of its writes, `run` everything the client spent in this process (reads included).
   */
  readonly tokens: { readonly used: number; readonly planned: number; readonly requests: number; readonly run: number; readonly runRequests: number }
  readonly elapsedMs: number
}


const apiKinds: ReadonlySet<string> = new Set(["create", "update", "archive", "delete"])

/** Whether an operation is an API write to Pipedrive. */
export const isApiWrite = (op: Plan.Operation): boolean => op.side === "pipedrive" && apiKinds.has(op.kind)

const clock = (ms: number): string => {
  const minutes = Math.max(1, Math.round(ms / 60_000))
  return minutes < 60 ? `${minutes} min` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`
}

/** The stop a `BudgetExhausted` error stands for, with when to run again. */
export const stopOf = (e: PipedriveError, tokenCap: number | undefined, nowMs: number): Stop => {
  if (e.status === undefined) {
    return {
      reason: "token-cap",
      message: `stopped: this run reached its token cap${tokenCap === undefined ? "" : ` (pipedrive.tokenCap = ${tokenCap})`}. The writes not sent are journaled; run again to continue where this run stopped (each run may spend up to the cap), or raise pipedrive.tokenCap.`
    }
  }
  const wait = e.retryAfterMs
  const at = wait === undefined ? "after 00:00 UTC, when Pipedrive resets the daily budget" : `after ${new Date(nowMs + wait).toISOString().replace(/\.\d{3}Z$/, "Z")} (in about ${clock(wait)}), when Pipedrive resets the daily budget`
  return {
    reason: "budget",
    message: `stopped: the company's daily API token budget is spent (Pipedrive: ${e.detail}). The writes not sent are journaled; run again ${at} and it continues where this run stopped.`,
    ...(wait === undefined ? {} : { retryAfterMs: wait })
  }
}

export const maxWritesStop = (n: number): Stop => ({
  reason: "max-writes",
  message: `stopped: --max-writes ${n} reached. The writes not sent are journaled; run again to continue where this run stopped.`
})

export const failureOf = (op: Plan.Operation, message: string): Failure => ({
  key: op.key,
  kind: op.kind,
  ...(op.pipedriveId === undefined ? {} : { pipedriveId: op.pipedriveId }),
  message
})

