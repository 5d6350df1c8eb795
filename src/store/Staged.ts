/**
 * The staging tables (docs/state.md): a plan made from the state hands its links and the agreements
 * of products on both sides to the state as it plans, in batches, instead of holding them (a first
 * sync of a million products agrees millions of fields); executing the plan applies them to the
 * links and the base set-based (`INSERT … SELECT`). One plan is staged at a time: staging a plan
 * drops what an earlier one staged, and applying it empties the tables.
 *
 * The planner reads the state through one open query while it stages, and better-sqlite3 runs
 * nothing else on a connection while a query is open, so the writer has a connection of its own
 * (WAL: one connection writes while the other reads). Rows are staged in the order the planner
 * walks the keys, SQLite's key order; they are read back in the order the plan lists them
 * (JavaScript's `<` on keys, see `KeyOrder`).
 */
import BetterSqlite3 from "better-sqlite3"
import { Clock, Effect } from "effect"
import type { Stream } from "effect"
import * as StoreError from "./StoreError.js"

/** A staged link. */
export interface Link {
  readonly key: string
  readonly pipedriveId: number
}

/** A staged agreement: the value as `Field.toJson` writes it (the base's text). */
export interface Agreement {
  readonly key: string
  readonly path: string
  readonly value: string
}

/** A staged link that `apply` did not make: its Pipedrive product is linked to another key. */
export interface Refused extends Link {
  readonly message: string
}

/** How agreements are read back: by key (a key's in the order staged), or by key and path. */
export type Order = "key" | "key-path"

/** Stages one plan. Its methods throw a `StoreError` when SQLite fails. */
export interface Writer {
  /** The staged plan's id. */
  readonly id: number
  readonly link: (key: string, pipedriveId: number) => void
  readonly agree: (key: string, path: string, value: string) => void
  /** Writes what is still buffered and marks the plan complete (only a complete plan is applied). */
  readonly finish: () => { readonly links: number; readonly agreements: number }
  /** Closes the writer's connection (rolling back what is not committed); a plan not finished stays incomplete. */
  readonly close: () => void
}

/** Rows written per transaction. */
const batch = 8192

/**
 * Starts staging a plan on a connection of its own to the state file at `path` (already opened and
 * migrated by the store), dropping whatever was staged before.
 */
export const begin = (path: string, busyTimeoutMs: number, now: string): Writer => {
  const db = new BetterSqlite3(path, { timeout: busyTimeoutMs })
  try {
    // What is staged needs no durability of its own: a plan lost with the machine is made again.
    db.pragma("synchronous = NORMAL")
    const id = db.transaction(() => {
      db.exec("DELETE FROM staged_link; DELETE FROM staged_agreement; DELETE FROM staged_plan")
      return Number(db.prepare("INSERT INTO staged_plan (started_at) VALUES (?)").run(now).lastInsertRowid)
    }).immediate()
    const insertLink = db.prepare("INSERT INTO staged_link (key, pipedrive_id) VALUES (?, ?)")
    const insertAgreement = db.prepare("INSERT INTO staged_agreement (key, field, value) VALUES (?, ?, ?)")
    const complete = db.prepare("UPDATE staged_plan SET links = ?, agreements = ? WHERE id = ?")
    // Each row goes to SQLite as it comes (nothing waits in memory, where it would outlive young
    // collections), in a transaction committed every `batch` rows.
    let links = 0
    let agreements = 0
    let inBatch = 0
    const attempt = <A>(doing: string, f: () => A): A => {
      try {
        return f()
      } catch (e) {
        throw StoreError.fromThrown(path, doing, e)
      }
    }
    const row = (doing: string, insert: () => void) =>
      attempt(doing, () => {
        if (inBatch === 0) db.exec("BEGIN IMMEDIATE")
        insert()
        if (++inBatch === batch) {
          db.exec("COMMIT")
          inBatch = 0
        }
      })
    return {
      id,
      link: (key, pipedriveId) => {
        row("staging the plan's links", () => insertLink.run(key, pipedriveId))
        links++
      },
      agree: (key, field, value) => {
        row("staging the plan's agreements", () => insertAgreement.run(key, field, value))
        agreements++
      },
      finish: () =>
        attempt("staging the plan", () => {
          if (inBatch === 0) db.exec("BEGIN IMMEDIATE")
          complete.run(links, agreements, id)
          db.exec("COMMIT")
          inBatch = 0
          return { links, agreements }
        }),
      close: () => db.close()
    }
  } catch (e) {
    db.close()
    throw e
  }
}

/** Whether a text holds a UTF-16 unit from U+D800 up, where SQLite's order and JavaScript's `<` may differ. */
const high = (s: string): boolean => {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0xd800) return true
  return false
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

/**
 * Rows in SQLite's order (code points) put in JavaScript's order (UTF-16 units), stable. The two
 * orders differ only between texts that both hold a unit from U+D800 up where they first differ,
 * and everything between two such texts holds one too: sorting each run of consecutive rows that
 * hold one is enough, and such rows are rare.
 */
function* jsOrder<A>(rows: Iterator<A>, isHigh: (a: A) => boolean, compare: (a: A, b: A) => number): Generator<A> {
  let run: Array<A> = []
  try {
    for (let r = rows.next(); r.done !== true; r = rows.next()) {
      if (isHigh(r.value)) {
        run.push(r.value)
        continue
      }
      if (run.length > 0) {
        yield* run.sort(compare)
        run = []
      }
      yield r.value
    }
    yield* run.sort(compare)
  } finally {
    rows.return?.()
  }
}

/** The staged plan's id and counts, when it is complete. */
const current = (db: BetterSqlite3.Database): { id: number; links: number | null } | undefined =>
  db.prepare("SELECT id, links FROM staged_plan").get() as { id: number; links: number | null } | undefined

/** Fails unless plan `id` is the one staged, complete. */
const check = (db: BetterSqlite3.Database, path: string, id: number): void => {
  const c = current(db)
  if (c === undefined || c.id !== id || c.links === null) {
    throw StoreError.make(path, "Invalid", `state file ${path}: the plan's links and agreements are no longer staged (another plan replaced them): plan again`)
  }
}

/** The staged links in the plan's order (by key). */
export const links = (db: BetterSqlite3.Database, path: string, id: number): Iterator<Link> => {
  check(db, path, id)
  const rows = db.prepare("SELECT key, pipedrive_id AS pipedriveId FROM staged_link ORDER BY rowid").iterate() as Iterator<Link>
  return jsOrder(rows, (l) => high(l.key), (a, b) => byText(a.key, b.key))
}

/** The staged agreements in the plan's order. */
export const agreements = (db: BetterSqlite3.Database, path: string, id: number, order: Order): Iterator<Agreement> => {
  check(db, path, id)
  const rows = db.prepare(`SELECT key, field AS path, value FROM staged_agreement ORDER BY ${order === "key" ? "rowid" : "key, field"}`).iterate() as Iterator<Agreement>
  return order === "key"
    ? jsOrder(rows, (a) => high(a.key), (a, b) => byText(a.key, b.key))
    : jsOrder(rows, (a) => high(a.key) || high(a.path), (a, b) => byText(a.key, b.key) || byText(a.path, b.path))
}

/**
 * Applies staged plan `id` (run it in a transaction): its links (each replacing the key's link;
 * refused when the product is linked to another key), its agreements into the base (each clearing
 * the pending write-back of its field), then empties the staging tables. Returns the links refused.
 */
export const apply = (db: BetterSqlite3.Database, path: string, id: number): ReadonlyArray<Refused> => {
  check(db, path, id)
  const refused = (db.prepare(
    "SELECT s.key, s.pipedrive_id, l.key FROM staged_link s JOIN links l ON l.pipedrive_id = s.pipedrive_id AND l.key <> s.key ORDER BY s.rowid"
  ).raw().all() as Array<[string, number, string]>).map(([key, pipedriveId, owner]): Refused => ({
    key,
    pipedriveId,
    message: `state file ${path}: cannot link ${key} to Pipedrive product ${pipedriveId}: it is already linked to ${owner}`
  }))
  db.prepare(
    "INSERT INTO links (key, pipedrive_id) SELECT s.key, s.pipedrive_id FROM staged_link s " +
      "WHERE NOT EXISTS (SELECT 1 FROM links l WHERE l.pipedrive_id = s.pipedrive_id AND l.key <> s.key) " +
      "ON CONFLICT (key) DO UPDATE SET pipedrive_id = excluded.pipedrive_id"
  ).run()
  db.prepare(
    "INSERT INTO base (key, field, value) SELECT key, field, value FROM staged_agreement WHERE true " +
      "ON CONFLICT (key, field) DO UPDATE SET value = excluded.value"
  ).run()
  if (db.prepare("SELECT EXISTS (SELECT 1 FROM pending_writeback)").pluck().get() === 1) {
    // The staged rows outside (a scan), the few pending write-backs looked up by their key.
    db.prepare(
      "DELETE FROM pending_writeback WHERE (key, field) IN " +
        "(SELECT s.key, s.field FROM staged_agreement s CROSS JOIN pending_writeback p ON p.key = s.key AND p.field = s.field)"
    ).run()
  }
  clear(db)
  return refused
}

/** Empties the staging tables. */
export const clear = (db: BetterSqlite3.Database): void => {
  db.exec("DELETE FROM staged_link; DELETE FROM staged_agreement; DELETE FROM staged_plan")
}

/** The staging as the store offers it (`Store.staged`). */
export interface Service {
  /**
   * Starts staging a plan (what an earlier plan staged is dropped). The writer's methods throw a
   * `StoreError`; close it in every case.
   */
  readonly begin: Effect.Effect<Writer, StoreError.StoreError>
  /** Plan `id`'s staged links, in the plan's order; fails when another plan replaced it. */
  readonly links: (id: number) => Stream.Stream<Link, StoreError.StoreError>
  /** Plan `id`'s staged agreements, in the plan's order (`order`, see `Plan.Staged`). */
  readonly agreements: (id: number, order: Order) => Stream.Stream<Agreement, StoreError.StoreError>
  /** Applies plan `id`'s staged links and agreements to the state in one transaction (see `apply`); returns the links refused. */
  readonly apply: (id: number) => Effect.Effect<ReadonlyArray<Refused>, StoreError.StoreError>
  /** Drops whatever is staged. */
  readonly clear: Effect.Effect<void, StoreError.StoreError>
}

/** What the store lends the staging: its connection's helpers (`Store.ts`). */
export interface Helpers {
  readonly busyTimeoutMs: number
  /** Runs `f` against SQLite, anything thrown a `StoreError`. */
  readonly sql: <A>(doing: string, f: () => A) => Effect.Effect<A, StoreError.StoreError>
  /** Runs `f` in one write transaction, taking turns with the store's other writers. */
  readonly write: <A>(doing: string, f: () => A) => Effect.Effect<A, StoreError.StoreError>
  /** A stream over rows read from SQLite, closed with the stream. */
  readonly rows: <A>(doing: string, open: () => Iterator<A>) => Stream.Stream<A, StoreError.StoreError>
}

/** The staging of the state file at `path`, whose store connection is `db`. */
export const service = (db: BetterSqlite3.Database, path: string, h: Helpers): Service => ({
  begin: Effect.flatMap(Clock.currentTimeMillis, (ms) => h.sql("staging a plan", () => begin(path, h.busyTimeoutMs, new Date(ms).toISOString()))),
  links: (id) => h.rows("reading the staged links", () => links(db, path, id)),
  agreements: (id, order) => h.rows("reading the staged agreements", () => agreements(db, path, id, order)),
  apply: (id) => h.write("applying the staged links and agreements", () => apply(db, path, id)),
  clear: h.write("clearing the staged plan", () => clear(db))
})
