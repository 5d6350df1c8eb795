/**
 * The write journal: every write the executor makes to Pipedrive is recorded here before it is
 * sent (`pending`), marked `sent` just before the request goes out, then `done` (with the
 * Pipedrive id) or `failed` (with the reason). An entry left `sent` by a killed run has an unknown
 * outcome: the next run looks the product up before sending it again (DESIGN §6.4).
 */
import { Effect } from "effect"
import type { Stream } from "effect"
import { iterate, mapRows, nowIso, type Sql, toJson } from "./Sql.js"
import * as StoreError from "./StoreError.js"

export type State = "pending" | "sent" | "done" | "failed" | "skipped"
export type Kind = "create" | "update" | "delete" | "archive" | "unlink"

export const states: ReadonlyArray<State> = ["pending", "sent", "done", "failed", "skipped"]
export const kinds: ReadonlyArray<Kind> = ["create", "update", "delete", "archive", "unlink"]

/** An operation about to be journaled. */
export interface NewEntry {
  /** The plan operation's stable id: the same operation gets the same id in a resumed run. */
  readonly opId: string
  readonly key: string
  readonly kind: Kind
  /** What will be sent (JSON). */
  readonly payload: unknown
}

export interface Entry {
  readonly id: number
  readonly runId: number
  readonly opId: string
  readonly key: string
  readonly kind: Kind
  readonly payload: unknown
  readonly state: State
  readonly pipedriveId: number | null
  readonly error: string | null
  /** How many times it was marked `sent`. */
  readonly attempts: number
  readonly updatedAt: string
}

/**
 * For each state, the states an entry may come from. `sent → pending`: a lookup after an unknown
 * outcome showed the write was not applied. `failed → pending`: tried again by a later run.
 * `sent → done` also covers a resume whose lookup found the write applied.
 */
export const allowedFrom: Readonly<Record<State, ReadonlyArray<State>>> = {
  pending: ["sent", "failed"],
  sent: ["pending"],
  done: ["sent"],
  failed: ["pending", "sent"],
  skipped: ["pending", "failed"]
}

/** Entries a run still has to finish: not sent yet, or sent with no known outcome. */
export const unfinished: ReadonlyArray<State> = ["pending", "sent"]

export interface Operations {
  /** Journals these operations as `pending` for a run; returns their ids, in order. */
  readonly journalAppend: (runId: number, entries: Iterable<NewEntry>) => Effect.Effect<ReadonlyArray<number>, StoreError.StoreError>
  /**
   * Moves an entry to `state` (see `Journal.allowedFrom`; any other move fails `Invalid`), with the
   * Pipedrive id or the error when given; a move to `sent` counts an attempt. Durable on return.
   */
  readonly journalMark: (
    id: number,
    state: State,
    details?: { readonly pipedriveId?: number; readonly error?: string }
  ) => Effect.Effect<Entry, StoreError.StoreError>
  /** Entries still `pending` or `sent`, across runs, oldest first. */
  readonly journalUnfinished: () => Stream.Stream<Entry, StoreError.StoreError>
  readonly journalForRun: (runId: number) => Stream.Stream<Entry, StoreError.StoreError>
  readonly journalCounts: (runId: number) => Effect.Effect<Readonly<Record<State, number>>, StoreError.StoreError>
}

/** A `journal` row as SQLite returns it. */
interface JournalRecord {
  id: number
  run_id: number
  op_id: string
  key: string
  kind: Kind
  payload: string
  state: State
  pipedrive_id: number | null
  error: string | null
  attempts: number
  updated_at: string
}

const toEntry = (r: JournalRecord): Entry => ({
  id: r.id,
  runId: r.run_id,
  opId: r.op_id,
  key: r.key,
  kind: r.kind,
  payload: JSON.parse(r.payload),
  state: r.state,
  pipedriveId: r.pipedrive_id,
  error: r.error,
  attempts: r.attempts,
  updatedAt: r.updated_at
})

/** The journal's operations (prepares their statements: call inside `Sql.attempt`). */
export const make = ({ db, path, prepare, attempt, write, rows }: Sql): Operations => {
  const q = {
    journalInsert: prepare(
      "INSERT INTO journal (run_id, op_id, key, kind, payload, state, attempts, updated_at) VALUES (?, ?, ?, ?, ?, 'pending', 0, ?)"
    ),
    journalOne: prepare("SELECT * FROM journal WHERE id = ?"),
    journalUnfinished: prepare("SELECT * FROM journal WHERE state IN ('pending', 'sent') ORDER BY id"),
    journalRun: prepare("SELECT * FROM journal WHERE run_id = ? ORDER BY id"),
    journalCounts: prepare("SELECT state, count(*) AS n FROM journal WHERE run_id = ? GROUP BY state")
  }
  const noEntry = (id: number) => StoreError.make(path, "Invalid", `state file ${path}: there is no journal entry ${id}`)
  const journalEntry = (doing: string, id: number) =>
    attempt(doing, () => q.journalOne.get(id) as JournalRecord | undefined).pipe(
      Effect.flatMap((r) => (r === undefined ? Effect.fail(noEntry(id)) : attempt(doing, () => toEntry(r))))
    )
  return {
    journalAppend: (runId, entries) =>
      Effect.flatMap(nowIso, (now) =>
        write("journaling operations", () => {
          const ids: Array<number> = []
          for (const e of entries) {
            const payload = toJson(e.payload, `the payload of operation ${e.opId}`)
            ids.push(Number(q.journalInsert.run(runId, e.opId, e.key, e.kind, payload, now).lastInsertRowid))
          }
          return ids
        })),
    journalMark: (id, state, details = {}) => {
      const doing = `marking journal entry ${id} ${state}`
      const from = allowedFrom[state]
      return Effect.flatMap(nowIso, (now) =>
        write(doing, () => {
          const changed = db.prepare(
            `UPDATE journal SET state = ?, updated_at = ?, attempts = attempts + ?, ` +
              `pipedrive_id = coalesce(?, pipedrive_id), error = ? WHERE id = ? AND state IN (${from.map(() => "?").join(", ")})`
          ).run(state, now, state === "sent" ? 1 : 0, details.pipedriveId ?? null, details.error ?? null, id, ...from).changes
          if (changed === 0) {
            const current = q.journalOne.get(id) as JournalRecord | undefined
            throw current === undefined
              ? noEntry(id)
              : StoreError.make(
                path,
                "Invalid",
                `state file ${path}: journal entry ${id} (${current.kind} ${current.key}) is ${current.state}; it cannot become ${state}`
              )
          }
        })).pipe(Effect.zipRight(journalEntry(doing, id)))
    },
    journalUnfinished: () => rows("reading the journal", () => mapRows(iterate<JournalRecord>(q.journalUnfinished), toEntry)),
    journalForRun: (runId) => rows("reading the journal", () => mapRows(iterate<JournalRecord>(q.journalRun, runId), toEntry)),
    journalCounts: (runId) =>
      attempt("counting the journal", () => {
        const counts: Record<State, number> = { pending: 0, sent: 0, done: 0, failed: 0, skipped: 0 }
        for (const r of q.journalCounts.all(runId) as Array<{ state: State; n: number }>) counts[r.state] = r.n
        return counts
      })
  }
}
