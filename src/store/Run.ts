/**
 * A run of catalog-sync as the state remembers it: what kind, when, how it ended, how many ERP rows
 * it read (the guard against a truncated export compares with the last run) and its summary; and
 * the token ledger, what each run spent per UTC day and endpoint.
 */
import { Effect, Option } from "effect"
import { nowIso, type Sql, toJson } from "./Sql.js"
import * as StoreError from "./StoreError.js"

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

/** A `runs` row as SQLite returns it. */
interface RunRecord {
  id: number
  kind: Kind
  started_at: string
  finished_at: string | null
  status: Status
  erp_rows: number | null
  summary: string | null
  plan_hash: string | null
}

const toRun = (r: RunRecord): Run => ({
  id: r.id,
  kind: r.kind,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
  status: r.status,
  erpRows: r.erp_rows,
  summary: r.summary === null ? null : JSON.parse(r.summary),
  planHash: r.plan_hash
})

/** The runs, and the token ledger of what they spent. */
export interface Operations {
  /** Records a run as `running`; returns its id. */
  readonly startRun: (kind: Kind, options?: { readonly planHash?: string }) => Effect.Effect<number, StoreError.StoreError>
  readonly finishRun: (id: number, status: Status, finish?: Finish) => Effect.Effect<void, StoreError.StoreError>
  /** The latest runs first. */
  readonly runs: (limit?: number) => Effect.Effect<ReadonlyArray<Run>, StoreError.StoreError>
  readonly run: (id: number) => Effect.Effect<Option.Option<Run>, StoreError.StoreError>
  /** The latest run of this kind and status (either may be left out). */
  readonly lastRun: (filter?: { readonly kind?: Kind; readonly status?: Status }) => Effect.Effect<Option.Option<Run>, StoreError.StoreError>

  /** Adds requests and tokens spent by a run on an endpoint (`PATCH /api/v2/products/{id}`), on today's UTC day. */
  readonly recordTokens: (runId: number, endpoint: string, requests: number, tokens: number) => Effect.Effect<void, StoreError.StoreError>
  /** Tokens spent today (UTC), all runs together. */
  readonly tokensToday: Effect.Effect<number, StoreError.StoreError>
  /** Tokens spent on a UTC day (`YYYY-MM-DD`). */
  readonly tokensOn: (day: string) => Effect.Effect<number, StoreError.StoreError>
}

/** The runs' and the token ledger's operations (prepares their statements: call inside `Sql.attempt`). */
export const make = ({ path, prepare, attempt, write }: Sql): Operations => {
  const q = {
    runInsert: prepare("INSERT INTO runs (kind, started_at, status, plan_hash) VALUES (?, ?, 'running', ?)"),
    runFinish: prepare(
      "UPDATE runs SET status = ?, finished_at = ?, summary = coalesce(?, summary), erp_rows = coalesce(?, erp_rows), " +
        "plan_hash = coalesce(?, plan_hash) WHERE id = ?"
    ),
    runLatest: prepare("SELECT * FROM runs ORDER BY id DESC LIMIT ?"),
    runOne: prepare("SELECT * FROM runs WHERE id = ?"),
    runLast: prepare("SELECT * FROM runs WHERE (@kind IS NULL OR kind = @kind) AND (@status IS NULL OR status = @status) ORDER BY id DESC LIMIT 1"),
    tokensAdd: prepare(
      "INSERT INTO token_ledger (run_id, day, endpoint, requests, tokens) VALUES (?, ?, ?, ?, ?) " +
        "ON CONFLICT (run_id, day, endpoint) DO UPDATE SET requests = requests + excluded.requests, tokens = tokens + excluded.tokens"
    ),
    tokensDay: prepare("SELECT coalesce(sum(tokens), 0) FROM token_ledger WHERE day = ?").pluck()
  }
  const tokensOn = (day: string) => attempt("reading the token ledger", () => q.tokensDay.get(day) as number)
  return {
    startRun: (kind, opts = {}) =>
      Effect.flatMap(nowIso, (now) =>
        write("recording a run", () => Number(q.runInsert.run(kind, now, opts.planHash ?? null).lastInsertRowid))),
    finishRun: (id, status, finish = {}) =>
      Effect.flatMap(nowIso, (now) =>
        write("finishing a run", () => {
          const summary = finish.summary === undefined ? null : toJson(finish.summary, "a run's summary")
          const changed = q.runFinish.run(status, now, summary, finish.erpRows ?? null, finish.planHash ?? null, id).changes
          if (changed === 0) throw StoreError.make(path, "Invalid", `state file ${path}: there is no run ${id}`)
        })),
    runs: (limit = 20) => attempt("reading the runs", () => (q.runLatest.all(limit) as Array<RunRecord>).map(toRun)),
    run: (id) => attempt("reading a run", () => Option.map(Option.fromNullable(q.runOne.get(id) as RunRecord | undefined), toRun)),
    lastRun: (filter = {}) =>
      attempt("reading the runs", () =>
        Option.map(Option.fromNullable(q.runLast.get({ kind: filter.kind ?? null, status: filter.status ?? null }) as RunRecord | undefined), toRun)),

    recordTokens: (runId, endpoint, requests, tokens) =>
      Effect.flatMap(nowIso, (now) => write("recording tokens", () => void q.tokensAdd.run(runId, now.slice(0, 10), endpoint, requests, tokens))),
    tokensToday: Effect.flatMap(nowIso, (now) => tokensOn(now.slice(0, 10))),
    tokensOn
  }
}
