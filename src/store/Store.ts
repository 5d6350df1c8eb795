/**
 * The state store: one SQLite file (WAL) holding what catalog-sync remembers between runs — the
 * snapshots of both sides, the links between keys and Pipedrive ids, the base (the last value both
 * sides agreed on, per product and field), pinned custom-field keys, runs, the write journal,
 * pending ERP write-backs and a token ledger. What each table means is in docs/state.md.
 *
 * `Store.layer(path)` opens the file for the layer's lifetime; `Store.lock(command)` holds the run
 * lock for a scope. Bulk writes run in one transaction with prepared statements and accept an
 * `Iterable` or a `Stream`; large reads are `Stream`s pulled from SQLite row by row, in key order
 * (SQLite's order: compare keys with `KeyOrder.compare`). Writes are serialised: do not write from
 * inside a read stream that is still open (SQLite's connection is busy with it).
 */
import type * as BetterSqlite3 from "better-sqlite3"
import { Chunk, Clock, Context, Effect, Layer, Option, Predicate, Stream } from "effect"
import type { Scope } from "effect"
import { SyncConfig } from "../config/SyncConfig.js"
import type { CatalogProduct } from "../domain/CatalogProduct.js"
import type { PipedriveId } from "../domain/PipedriveId.js"
import type { Sku } from "../domain/Sku.js"
import * as Database from "./Database.js"
import * as Journal from "./Journal.js"
import * as KeyOrder from "./KeyOrder.js"
import * as Lock from "./Lock.js"
import * as ProductJson from "./ProductJson.js"
import * as Run from "./Run.js"
import * as Staged from "./Staged.js"
import * as StoreError from "./StoreError.js"

/** Rows for a bulk write: an in-memory collection or a stream (written as it is pulled). */
export type Rows<A, E = never, R = never> = Iterable<A> | Stream.Stream<A, E, R>

/** One product of the ERP export, as mapped, with the line it started on. */
export interface ErpRow {
  readonly key: Sku
  readonly product: CatalogProduct
  readonly line: number
}

/** One Pipedrive product as the API returned it, with the columns the store indexes. */
export interface PipedriveRow {
  readonly id: PipedriveId
  /** The product's key on the Pipedrive side (its `code` by default); `null` when it has none. */
  readonly code: string | null
  readonly updateTime: string | null
  readonly isDeleted: boolean
  /** The raw API v2 product (JSON). */
  readonly product: unknown
}
export type PipedriveInput = Omit<PipedriveRow, "id"> & { readonly id: number }

export interface Link {
  readonly key: Sku
  readonly pipedriveId: PipedriveId
}

/** A base value: field paths such as `name`, `prices.EUR.price`, `custom.Brand`; values are JSON. */
export interface BaseEntry {
  readonly key: Sku
  readonly field: string
  readonly value: unknown
}

/** Field path → JSON value. */
export type Fields = Readonly<Record<string, unknown>>

export interface BaseGroup {
  readonly key: Sku
  readonly fields: Fields
}

/** Everything the state holds about one key, for a merge-join in key order. */
export interface Keyed {
  readonly key: Sku
  readonly erp: ErpRow | undefined
  /** The Pipedrive id this key is linked to. */
  readonly link: PipedriveId | undefined
  /** The linked product in the Pipedrive snapshot; `undefined` when unlinked or gone from the snapshot. */
  readonly linked: PipedriveRow | undefined
  /** The products in the Pipedrive snapshot whose code is this key, by id (more than one is a duplicate). */
  readonly byCode: ReadonlyArray<PipedriveRow>
  readonly base: Fields
}

/** A Pipedrive product of the snapshot with its JSON text undecoded. */
export interface PipedriveText {
  readonly id: PipedriveId
  readonly code: string | null
  readonly updateTime: string | null
  readonly isDeleted: boolean
  /** The raw API v2 product's JSON text, as stored. */
  readonly text: string
}

/**
 * Everything the state holds about one key, with the JSON undecoded (for the planner, which decodes
 * only what it needs). Like `Keyed`, except that the products with this code leave out the one
 * linked to it (it is `linked`) and say which key each is linked to.
 */
export interface KeyedText {
  readonly key: Sku
  /** The ERP product's JSON text (`ProductJson.decode` reads it). */
  readonly erp: string | undefined
  readonly link: PipedriveId | undefined
  readonly linked: PipedriveText | undefined
  /** The other products whose code is this key, by id, each with the key it is linked to (`null`: none). */
  readonly others: ReadonlyArray<PipedriveText & { readonly owner: Sku | null }>
  /** The base as one JSON object text, field path → the stored value text (`{}` when the key has none). */
  readonly base: string
}

/** Where the incremental Pipedrive pull left off. */
export interface Watermark {
  /** The `updated_since` to ask for next (RFC 3339), `null` before the first pull. */
  readonly updatedSince: string | null
  /** Incremental pulls since the last full pass. */
  readonly runsSinceFull: number
}

export interface FieldOption {
  readonly id: number
  readonly label: string
}

/**
 * The account's product fields and currencies as last read from Pipedrive (the API's JSON), with
 * the hash of the mapping they were read for: a run whose mapping is unchanged compiles from them,
 * and reads them again only when it will write something.
 */
export interface AccountCache {
  readonly fields: ReadonlyArray<unknown>
  readonly currencies: ReadonlyArray<unknown>
  readonly mappingHash: string
}

export interface PinnedField {
  readonly label: string
  /** Pipedrive's 40-character key. */
  readonly fieldCode: string
  readonly fieldType: string
  readonly options: ReadonlyArray<FieldOption> | null
  readonly pinnedAt: string
}
export type NewPinnedField = Omit<PinnedField, "pinnedAt">

/** An ERP-bound change not yet seen in an ERP export (DESIGN §6.7). */
export interface PendingWriteback {
  readonly key: Sku
  readonly field: string
  readonly value: unknown
  readonly sinceRun: number | null
}

export interface Acquired {
  readonly holder: Lock.Holder
  /** The dead run whose lock was taken over, if any. */
  readonly tookOverFrom: Option.Option<Lock.Holder>
}

export interface Service {
  /** The state file. */
  readonly path: string

  /** Replaces the ERP snapshot with these rows (the export is always read whole); returns the count. */
  readonly replaceErpSnapshot: <E = never, R = never>(rows: Rows<ErpRow, E, R>) => Effect.Effect<number, StoreError.StoreError | E, R>
  /** The ERP snapshot in key order. */
  readonly erpSnapshot: () => Stream.Stream<ErpRow, StoreError.StoreError>
  readonly erpRowCount: Effect.Effect<number, StoreError.StoreError>
  /** Live (not deleted) products in the Pipedrive snapshot, and the ids of those without a key. */
  readonly pipedriveCounts: Effect.Effect<{ readonly live: number; readonly unkeyed: ReadonlyArray<number> }, StoreError.StoreError>

  /** Inserts or replaces these products (an incremental pull); returns the count. */
  readonly upsertPipedriveProducts: <E = never, R = never>(rows: Rows<PipedriveInput, E, R>) => Effect.Effect<number, StoreError.StoreError | E, R>
  /** Replaces the Pipedrive snapshot (a full pass); returns the ids that were there before and are not now. */
  readonly replacePipedriveSnapshot: <E = never, R = never>(
    rows: Rows<PipedriveInput, E, R>
  ) => Effect.Effect<ReadonlyArray<PipedriveId>, StoreError.StoreError | E, R>
  /** The Pipedrive snapshot by id, or by code (then id) for a merge-join on keys; products without a code come last. */
  readonly pipedriveSnapshot: (order?: "id" | "code") => Stream.Stream<PipedriveRow, StoreError.StoreError>
  readonly pipedriveProduct: (id: number) => Effect.Effect<Option.Option<PipedriveRow>, StoreError.StoreError>
  readonly watermark: Effect.Effect<Watermark, StoreError.StoreError>
  readonly setWatermark: (watermark: Watermark) => Effect.Effect<void, StoreError.StoreError>
  /** The account's fields and currencies as last read, if they were. */
  readonly accountCache: Effect.Effect<Option.Option<AccountCache>, StoreError.StoreError>
  readonly setAccountCache: (cache: AccountCache) => Effect.Effect<void, StoreError.StoreError>

  /** Every link in key order. */
  readonly links: () => Stream.Stream<Link, StoreError.StoreError>
  readonly linkOf: (key: Sku) => Effect.Effect<Option.Option<PipedriveId>, StoreError.StoreError>
  /** Links `key` to `id` (replacing the key's previous link); fails `Invalid` when `id` is linked to another key. */
  readonly link: (key: Sku, id: number) => Effect.Effect<void, StoreError.StoreError>
  readonly unlink: (key: Sku) => Effect.Effect<void, StoreError.StoreError>
  /**
   * Links many keys at once (each replacing the key's previous link), in one transaction; fails
   * `Invalid`, writing none, when an id is linked to another key. Returns the count.
   */
  readonly setLinks: <E = never, R = never>(links: Rows<Link, E, R>) => Effect.Effect<number, StoreError.StoreError | E, R>

  /** The base of these keys (keys without a base are left out). */
  readonly baseFor: (keys: Iterable<Sku>) => Effect.Effect<ReadonlyMap<Sku, Fields>, StoreError.StoreError>
  /** The whole base, one group per key, in key order. */
  readonly baseByKey: () => Stream.Stream<BaseGroup, StoreError.StoreError>
  /** Inserts or replaces these base values; returns the count. */
  readonly setBase: <E = never, R = never>(entries: Rows<BaseEntry, E, R>) => Effect.Effect<number, StoreError.StoreError | E, R>
  /** Forgets the whole base of these keys; returns how many values were removed. */
  readonly deleteBase: (keys: Iterable<Sku>) => Effect.Effect<number, StoreError.StoreError>

  /** Every key known to the ERP snapshot, the links, the base or the Pipedrive snapshot's codes, in key order. */
  readonly byKey: () => Stream.Stream<Keyed, StoreError.StoreError>
  /** The same keys as `byKey`, in the same order, JSON undecoded: one SQL query, for the planner. */
  readonly byKeyText: () => Stream.Stream<KeyedText, StoreError.StoreError>
  /**
   * `byKeyText` handed to `f` one row at a time as SQLite reads it (a few thousand rows per step,
   * yielding between steps): no row waits in a chunk, so none outlives a young-generation collection
   * (a million keys through the stream grow the old generation by hundreds of MB). What `f` throws
   * stops the read and fails the effect (a `StoreError` as it is, anything else wrapped in one).
   */
  readonly forEachKeyText: (f: (k: KeyedText) => void) => Effect.Effect<void, StoreError.StoreError>

  readonly pinnedFields: Effect.Effect<ReadonlyArray<PinnedField>, StoreError.StoreError>
  /** Pins (or re-pins) these fields' keys, stamped with the current time. */
  readonly pinFields: (fields: Iterable<NewPinnedField>) => Effect.Effect<void, StoreError.StoreError>
  readonly unpinField: (label: string) => Effect.Effect<void, StoreError.StoreError>

  /** Records a run as `running`; returns its id. */
  readonly startRun: (kind: Run.Kind, options?: { readonly planHash?: string }) => Effect.Effect<number, StoreError.StoreError>
  readonly finishRun: (id: number, status: Run.Status, finish?: Run.Finish) => Effect.Effect<void, StoreError.StoreError>
  /** The latest runs first. */
  readonly runs: (limit?: number) => Effect.Effect<ReadonlyArray<Run.Run>, StoreError.StoreError>
  readonly run: (id: number) => Effect.Effect<Option.Option<Run.Run>, StoreError.StoreError>
  /** The latest run of this kind and status (either may be left out). */
  readonly lastRun: (filter?: { readonly kind?: Run.Kind; readonly status?: Run.Status }) => Effect.Effect<Option.Option<Run.Run>, StoreError.StoreError>

  /** Journals these operations as `pending` for a run; returns their ids, in order. */
  readonly journalAppend: (runId: number, entries: Iterable<Journal.NewEntry>) => Effect.Effect<ReadonlyArray<number>, StoreError.StoreError>
  /**
   * Moves an entry to `state` (see `Journal.allowedFrom`; any other move fails `Invalid`), with the
   * Pipedrive id or the error when given; a move to `sent` counts an attempt. Durable on return.
   */
  readonly journalMark: (
    id: number,
    state: Journal.State,
    details?: { readonly pipedriveId?: number; readonly error?: string }
  ) => Effect.Effect<Journal.Entry, StoreError.StoreError>
  /** Entries still `pending` or `sent`, across runs, oldest first. */
  readonly journalUnfinished: () => Stream.Stream<Journal.Entry, StoreError.StoreError>
  readonly journalForRun: (runId: number) => Stream.Stream<Journal.Entry, StoreError.StoreError>
  readonly journalCounts: (runId: number) => Effect.Effect<Readonly<Record<Journal.State, number>>, StoreError.StoreError>

  readonly pendingWritebacks: Effect.Effect<ReadonlyArray<PendingWriteback>, StoreError.StoreError>
  /** Inserts or replaces these pending write-backs. */
  readonly setPendingWritebacks: (entries: Iterable<PendingWriteback>) => Effect.Effect<void, StoreError.StoreError>
  readonly clearPendingWriteback: (key: Sku, field: string) => Effect.Effect<void, StoreError.StoreError>

  /** Adds requests and tokens spent by a run on an endpoint (`PATCH /api/v2/products/{id}`), on today's UTC day. */
  readonly recordTokens: (runId: number, endpoint: string, requests: number, tokens: number) => Effect.Effect<void, StoreError.StoreError>
  /** Tokens spent today (UTC), all runs together. */
  readonly tokensToday: Effect.Effect<number, StoreError.StoreError>
  /** Tokens spent on a UTC day (`YYYY-MM-DD`). */
  readonly tokensOn: (day: string) => Effect.Effect<number, StoreError.StoreError>

  /** Takes the run lock for `command` (use `Store.lock`, which also releases it). */
  readonly acquireLock: (command: string) => Effect.Effect<Acquired, StoreError.StoreError>
  readonly releaseLock: (holder: Lock.Holder) => Effect.Effect<void, StoreError.StoreError>
  /** Removes the lock whoever holds it: for a holder on another host that is known to be gone. */
  readonly breakLock: Effect.Effect<Option.Option<Lock.Holder>, StoreError.StoreError>

  /** A plan's links and agreements, staged while it plans and applied when it runs (`Staged`). */
  readonly staged: Staged.Service
}

const nowIso = Effect.map(Clock.currentTimeMillis, (ms) => new Date(ms).toISOString())

/** Rows pulled from SQLite per stream chunk. */
const chunkSize = 1024

type SqlValue = string | number | bigint | null

interface ErpRecord { key: string; product: string; line: number }
interface PipedriveRecord { id: number; code: string | null; product: string; update_time: string | null; is_deleted: number }
interface JournalRecord {
  id: number
  run_id: number
  op_id: string
  key: string
  kind: Journal.Kind
  payload: string
  state: Journal.State
  pipedrive_id: number | null
  error: string | null
  attempts: number
  updated_at: string
}
interface RunRecord {
  id: number
  kind: Run.Kind
  started_at: string
  finished_at: string | null
  status: Run.Status
  erp_rows: number | null
  summary: string | null
  plan_hash: string | null
}

const toJson = (value: unknown, what: string): string => {
  const text = JSON.stringify(value)
  if (text === undefined) throw new TypeError(`${what} is not a JSON value`)
  return text
}


const toRun = (r: RunRecord): Run.Run => ({
  id: r.id,
  kind: r.kind,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
  status: r.status,
  erpRows: r.erp_rows,
  summary: r.summary === null ? null : JSON.parse(r.summary),
  planHash: r.plan_hash
})

const toEntry = (r: JournalRecord): Journal.Entry => ({
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

// Keys and ids read back were branded when they were written.
const toPipedrive = (r: PipedriveRecord): PipedriveRow => ({
  id: r.id as PipedriveId,
  code: r.code,
  updateTime: r.update_time,
  isDeleted: r.is_deleted !== 0,
  product: JSON.parse(r.product)
})

type ByKeyRecord = [string, string | null, number | null, number | null, string | null, string | null, number | null, string | null, string | null]
type OtherRecord = [number, string, string | null, number, string | null, string]

/** Joins the main query's rows with the others' (both in key order) into `KeyedText`s. */
function* keyedText(main: Iterator<ByKeyRecord>, others: Iterator<OtherRecord>): Generator<KeyedText> {
  const rest = new Peek(others)
  try {
    for (let r = main.next(); r.done !== true; r = main.next()) {
      const m = r.value
      const key = m[0]
      const found: Array<PipedriveText & { readonly owner: Sku | null }> = []
      // Every code is among the keys: the others never fall behind (skipped defensively if they did).
      while (rest.head !== undefined && KeyOrder.compare(rest.head[1], key) < 0) rest.advance()
      while (rest.head !== undefined && rest.head[1] === key) {
        const o = rest.head
        found.push({ id: o[0] as PipedriveId, code: o[1], updateTime: o[2], isDeleted: o[3] !== 0, owner: o[4] as Sku | null, text: o[5] })
        rest.advance()
      }
      yield {
        key: key as Sku,
        erp: m[1] ?? undefined,
        link: (m[2] ?? undefined) as PipedriveId | undefined,
        linked: m[3] === null ? undefined : { id: m[3] as PipedriveId, code: m[4], updateTime: m[5], isDeleted: m[6] !== 0, text: m[7] as string },
        others: found,
        base: m[8] === null ? "{}" : `{${m[8]}}`
      }
    }
  } finally {
    main.return?.()
    rest.close()
  }
}

/** The error for an ERP snapshot row that cannot be decoded (`e`: what the decoder threw). */
export const erpUnreadable = (path: string, key: string, e: unknown): StoreError.StoreError =>
  StoreError.make(
    path,
    "Invalid",
    `state file ${path}: the ERP snapshot of product ${key} cannot be read (${e instanceof Error ? e.message : String(e)}); ` +
      `the snapshot is rewritten by the next run that reads the ERP export`
  )

/** A one-row-ahead view of an iterator, for merging ordered iterators. */
class Peek<A> {
  head: A | undefined
  constructor(private readonly it: Iterator<A>) {
    this.advance()
  }
  advance(): void {
    const r = this.it.next()
    this.head = r.done === true ? undefined : r.value
  }
  close(): void {
    this.it.return?.()
  }
}

const make = (path: string, options: Database.Options = {}): Effect.Effect<Service, StoreError.StoreError, Scope.Scope> =>
  Effect.gen(function*() {
    const db = yield* Database.open(path, options)
    const gate = yield* Effect.makeSemaphore(1)
    const sql = <A>(doing: string, f: () => A) => Database.attempt(path, doing, f)
    const prepare = (text: string): BetterSqlite3.Statement => db.prepare(text)
    const q = yield* sql("preparing its statements", () => ({
      erpDelete: prepare("DELETE FROM erp_snapshot"),
      erpInsert: prepare("INSERT INTO erp_snapshot (key, product, line) VALUES (?, ?, ?)"),
      erpAll: prepare("SELECT key, product, line FROM erp_snapshot ORDER BY key"),
      erpCount: prepare("SELECT count(*) FROM erp_snapshot").pluck(),
      pdLive: prepare("SELECT count(*) FROM pipedrive_snapshot WHERE is_deleted = 0").pluck(),
      pdUnkeyed: prepare("SELECT id FROM pipedrive_snapshot WHERE is_deleted = 0 AND code IS NULL ORDER BY id").pluck(),
      pdUpsert: prepare(
        "INSERT INTO pipedrive_snapshot (id, code, product, update_time, is_deleted) VALUES (?, ?, ?, ?, ?) " +
          "ON CONFLICT (id) DO UPDATE SET code = excluded.code, product = excluded.product, " +
          "update_time = excluded.update_time, is_deleted = excluded.is_deleted"
      ),
      pdById: prepare("SELECT id, code, product, update_time, is_deleted FROM pipedrive_snapshot ORDER BY id"),
      pdByCode: prepare("SELECT id, code, product, update_time, is_deleted FROM pipedrive_snapshot ORDER BY code IS NULL, code, id"),
      pdCoded: prepare("SELECT id, code, product, update_time, is_deleted FROM pipedrive_snapshot WHERE code IS NOT NULL ORDER BY code, id"),
      pdOne: prepare("SELECT id, code, product, update_time, is_deleted FROM pipedrive_snapshot WHERE id = ?"),
      metaGet: prepare("SELECT value FROM meta WHERE key = ?").pluck(),
      metaSet: prepare("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value"),
      linksAll: prepare("SELECT key, pipedrive_id FROM links ORDER BY key"),
      linksJoined: prepare(
        "SELECT l.key AS link_key, l.pipedrive_id AS link_id, p.id, p.code, p.product, p.update_time, p.is_deleted " +
          "FROM links l LEFT JOIN pipedrive_snapshot p ON p.id = l.pipedrive_id ORDER BY l.key"
      ),
      byKeyText: prepare(
        "WITH keys AS (SELECT key FROM erp_snapshot UNION SELECT key FROM links UNION SELECT key FROM base " +
          "UNION SELECT code FROM pipedrive_snapshot WHERE code IS NOT NULL) " +
          "SELECT k.key, e.product, l.pipedrive_id, p.id, p.code, p.update_time, p.is_deleted, p.product, " +
          "(SELECT group_concat(json_quote(b.field) || ':' || b.value, ',') FROM base b WHERE b.key = k.key) " +
          "FROM keys k LEFT JOIN erp_snapshot e ON e.key = k.key LEFT JOIN links l ON l.key = k.key " +
          "LEFT JOIN pipedrive_snapshot p ON p.id = l.pipedrive_id ORDER BY k.key"
      ).raw(),
      // The products whose code is not the key they are linked to (unlinked ones first of all): few.
      byKeyOthers: prepare(
        "SELECT c.id, c.code, c.update_time, c.is_deleted, o.key, c.product FROM pipedrive_snapshot c " +
          "LEFT JOIN links o ON o.pipedrive_id = c.id WHERE c.code IS NOT NULL AND (o.key IS NULL OR o.key <> c.code) ORDER BY c.code, c.id"
      ).raw(),
      linkOne: prepare("SELECT pipedrive_id FROM links WHERE key = ?").pluck(),
      linkSet: prepare("INSERT INTO links (key, pipedrive_id) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET pipedrive_id = excluded.pipedrive_id"),
      linkOwner: prepare("SELECT key FROM links WHERE pipedrive_id = ?").pluck(),
      linkDelete: prepare("DELETE FROM links WHERE key = ?"),
      baseAll: prepare("SELECT key, field, value FROM base ORDER BY key, field"),
      baseOne: prepare("SELECT field, value FROM base WHERE key = ? ORDER BY field"),
      baseSet: prepare("INSERT INTO base (key, field, value) VALUES (?, ?, ?) ON CONFLICT (key, field) DO UPDATE SET value = excluded.value"),
      baseDelete: prepare("DELETE FROM base WHERE key = ?"),
      pinnedAll: prepare("SELECT label, field_code, field_type, options, pinned_at FROM pinned_fields ORDER BY label"),
      pinnedSet: prepare(
        "INSERT INTO pinned_fields (label, field_code, field_type, options, pinned_at) VALUES (?, ?, ?, ?, ?) " +
          "ON CONFLICT (label) DO UPDATE SET field_code = excluded.field_code, field_type = excluded.field_type, " +
          "options = excluded.options, pinned_at = excluded.pinned_at"
      ),
      pinnedDelete: prepare("DELETE FROM pinned_fields WHERE label = ?"),
      runInsert: prepare("INSERT INTO runs (kind, started_at, status, plan_hash) VALUES (?, ?, 'running', ?)"),
      runFinish: prepare(
        "UPDATE runs SET status = ?, finished_at = ?, summary = coalesce(?, summary), erp_rows = coalesce(?, erp_rows), " +
          "plan_hash = coalesce(?, plan_hash) WHERE id = ?"
      ),
      runLatest: prepare("SELECT * FROM runs ORDER BY id DESC LIMIT ?"),
      runOne: prepare("SELECT * FROM runs WHERE id = ?"),
      runLast: prepare("SELECT * FROM runs WHERE (@kind IS NULL OR kind = @kind) AND (@status IS NULL OR status = @status) ORDER BY id DESC LIMIT 1"),
      runsAbandon: prepare("UPDATE runs SET status = 'failed', finished_at = ? WHERE status = 'running'"),
      journalInsert: prepare(
        "INSERT INTO journal (run_id, op_id, key, kind, payload, state, attempts, updated_at) VALUES (?, ?, ?, ?, ?, 'pending', 0, ?)"
      ),
      journalOne: prepare("SELECT * FROM journal WHERE id = ?"),
      journalUnfinished: prepare("SELECT * FROM journal WHERE state IN ('pending', 'sent') ORDER BY id"),
      journalRun: prepare("SELECT * FROM journal WHERE run_id = ? ORDER BY id"),
      journalCounts: prepare("SELECT state, count(*) AS n FROM journal WHERE run_id = ? GROUP BY state"),
      writebackAll: prepare("SELECT key, field, value, since_run FROM pending_writeback ORDER BY key, field"),
      writebackSet: prepare(
        "INSERT INTO pending_writeback (key, field, value, since_run) VALUES (?, ?, ?, ?) " +
          "ON CONFLICT (key, field) DO UPDATE SET value = excluded.value, since_run = excluded.since_run"
      ),
      writebackDelete: prepare("DELETE FROM pending_writeback WHERE key = ? AND field = ?"),
      tokensAdd: prepare(
        "INSERT INTO token_ledger (run_id, day, endpoint, requests, tokens) VALUES (?, ?, ?, ?, ?) " +
          "ON CONFLICT (run_id, day, endpoint) DO UPDATE SET requests = requests + excluded.requests, tokens = tokens + excluded.tokens"
      ),
      tokensDay: prepare("SELECT coalesce(sum(tokens), 0) FROM token_ledger WHERE day = ?").pluck(),
      lockGet: prepare("SELECT pid, host, command, since FROM lock WHERE id = 1"),
      lockSet: prepare("INSERT OR REPLACE INTO lock (id, pid, host, command, since) VALUES (1, ?, ?, ?, ?)"),
      lockDelete: prepare("DELETE FROM lock WHERE id = 1 AND pid = ? AND host = ? AND since = ?"),
      lockBreak: prepare("DELETE FROM lock WHERE id = 1")
    }))

    /**
     * One IMMEDIATE transaction around `body`, committed when it succeeds and rolled back when it
     * fails or is interrupted. Writers take turns: a streamed bulk write keeps the transaction open
     * while it pulls, and nothing else may slip into it.
     */
    const transaction = <A, E, R>(doing: string, body: Effect.Effect<A, E, R>): Effect.Effect<A, E | StoreError.StoreError, R> =>
      gate.withPermits(1)(
        Effect.acquireUseRelease(
          sql(doing, () => db.exec("BEGIN IMMEDIATE")),
          () => Effect.zipLeft(body, sql(doing, () => db.exec("COMMIT"))),
          () =>
            Effect.sync(() => {
              if (db.inTransaction) db.exec("ROLLBACK")
            }).pipe(Effect.catchAllDefect(() => Effect.void))
        )
      )

    /** One transaction of synchronous work. */
    const write = <A>(doing: string, f: () => A) => transaction(doing, sql(doing, f))

    /** Writes every row with `each`, chunk by chunk, inside the current transaction; returns the count. */
    const writeRows = <A, E, R>(doing: string, rows: Rows<A, E, R>, each: (a: A) => void): Effect.Effect<number, E | StoreError.StoreError, R> => {
      const stream: Stream.Stream<A, E, R> = Predicate.isIterable(rows) ? Stream.fromIterable(rows) : rows
      let count = 0
      // The work is done in the callback, which returns the shared `Effect.void`: an effect that
      // captured the chunk would keep every chunk alive into the old generation (docs/performance.md).
      return Stream.runForEachChunk(stream, (chunk) => {
        try {
          for (const a of chunk) each(a)
        } catch (e) {
          return Effect.fail(StoreError.fromThrown(path, doing, e))
        }
        count += Chunk.size(chunk)
        return Effect.void
      }).pipe(Effect.map(() => count))
    }

    /** A stream over a synchronous iterator of SQLite rows, pulled `chunkSize` at a time, closed with the stream. */
    const rows = <A>(doing: string, open: () => Iterator<A>): Stream.Stream<A, StoreError.StoreError> =>
      Stream.acquireRelease(sql(doing, open), (it) => Effect.sync(() => it.return?.()).pipe(Effect.catchAllDefect(() => Effect.void))).pipe(
        Stream.flatMap((it) =>
          Stream.repeatEffectChunkOption(
            Effect.suspend(() => {
              const buffer: Array<A> = []
              try {
                while (buffer.length < chunkSize) {
                  const r = it.next()
                  if (r.done === true) break
                  buffer.push(r.value)
                }
              } catch (e) {
                return Effect.fail(Option.some(StoreError.fromThrown(path, doing, e)))
              }
              return buffer.length === 0 ? Effect.fail(Option.none()) : Effect.succeed(Chunk.unsafeFromArray(buffer))
            })
          )
        )
      )

    const toErp = (r: ErpRecord): ErpRow => {
      try {
        return { key: r.key as Sku, product: ProductJson.decode(r.product), line: r.line }
      } catch (e) {
        throw erpUnreadable(path, r.key, e)
      }
    }

    function* groupBase(it: Iterator<{ key: string; field: string; value: string }>): Generator<BaseGroup> {
      const peek = new Peek(it)
      try {
        while (peek.head !== undefined) {
          const key = peek.head.key
          const fields: Record<string, unknown> = {}
          while (peek.head !== undefined && peek.head.key === key) {
            fields[peek.head.field] = JSON.parse(peek.head.value)
            peek.advance()
          }
          yield { key: key as Sku, fields }
        }
      } finally {
        peek.close()
      }
    }

    function* joinByKey(): Generator<Keyed> {
      const erp = new Peek(q.erpAll.iterate() as Iterator<ErpRecord>)
      const links = new Peek(q.linksJoined.iterate() as Iterator<PipedriveRecord & { link_key: string; link_id: number }>)
      const base = new Peek(groupBase(q.baseAll.iterate() as Iterator<{ key: string; field: string; value: string }>))
      const coded = new Peek(q.pdCoded.iterate() as Iterator<PipedriveRecord>)
      const all = [erp, links, base, coded]
      try {
        for (;;) {
          let key: string | undefined
          const consider = (k: string | null | undefined) => {
            if (k != null && (key === undefined || KeyOrder.compare(k, key) < 0)) key = k
          }
          consider(erp.head?.key)
          consider(links.head?.link_key)
          consider(base.head?.key)
          consider(coded.head?.code)
          if (key === undefined) return
          const e = erp.head?.key === key ? erp.head : undefined
          if (e !== undefined) erp.advance()
          const l = links.head?.link_key === key ? links.head : undefined
          if (l !== undefined) links.advance()
          const b = base.head?.key === key ? base.head : undefined
          if (b !== undefined) base.advance()
          const byCode: Array<PipedriveRow> = []
          while (coded.head !== undefined && coded.head.code === key) {
            byCode.push(toPipedrive(coded.head))
            coded.advance()
          }
          yield {
            key: key as Sku,
            erp: e === undefined ? undefined : toErp(e),
            link: l === undefined ? undefined : (l.link_id as PipedriveId),
            linked: l === undefined || l.id === null ? undefined : toPipedrive(l),
            byCode,
            base: b?.fields ?? {}
          }
        }
      } finally {
        all.forEach((p) => p.close())
      }
    }

    function* mapRows<R, A>(it: Iterator<R>, f: (r: R) => A): Generator<A> {
      try {
        for (let r = it.next(); r.done !== true; r = it.next()) yield f(r.value)
      } finally {
        it.return?.()
      }
    }

    const openKeyedText = () => keyedText(q.byKeyText.iterate() as Iterator<ByKeyRecord>, q.byKeyOthers.iterate() as Iterator<OtherRecord>)

    const iterate = <R>(statement: BetterSqlite3.Statement, ...params: Array<SqlValue>) => statement.iterate(...params) as Iterator<R>

    const pdInsert = (p: PipedriveInput) =>
      q.pdUpsert.run(p.id, p.code, toJson(p.product, `Pipedrive product ${p.id}`), p.updateTime, p.isDeleted ? 1 : 0)

    const journalEntry = (doing: string, id: number) =>
      sql(doing, () => q.journalOne.get(id) as JournalRecord | undefined).pipe(
        Effect.flatMap((r) =>
          r === undefined
            ? Effect.fail(StoreError.make(path, "Invalid", `state file ${path}: there is no journal entry ${id}`))
            : sql(doing, () => toEntry(r))
        )
      )

    const tokensOn = (day: string) => sql("reading the token ledger", () => q.tokensDay.get(day) as number)

    const service: Service = {
      path,

      replaceErpSnapshot: (input) =>
        transaction(
          "writing the ERP snapshot",
          Effect.zipRight(
            sql("clearing the ERP snapshot", () => q.erpDelete.run()),
            writeRows("writing the ERP snapshot", input, (r) => q.erpInsert.run(r.key, ProductJson.encode(r.product), r.line))
          )
        ),
      erpSnapshot: () => rows("reading the ERP snapshot", () => mapRows(iterate<ErpRecord>(q.erpAll), toErp)),
      erpRowCount: sql("counting the ERP snapshot", () => q.erpCount.get() as number),
      pipedriveCounts: sql("counting the Pipedrive snapshot", () => ({ live: q.pdLive.get() as number, unkeyed: q.pdUnkeyed.all() as Array<number> })),

      upsertPipedriveProducts: (input) =>
        transaction("updating the Pipedrive snapshot", writeRows("updating the Pipedrive snapshot", input, pdInsert)),
      replacePipedriveSnapshot: (input) => {
        const doing = "replacing the Pipedrive snapshot"
        return transaction(
          doing,
          Effect.gen(function*() {
            yield* sql(doing, () => {
              db.exec("CREATE TEMP TABLE IF NOT EXISTS pulled (id INTEGER PRIMARY KEY)")
              db.exec("DELETE FROM temp.pulled")
            })
            const mark = db.prepare("INSERT OR IGNORE INTO temp.pulled (id) VALUES (?)")
            yield* writeRows(doing, input, (p) => {
              pdInsert(p)
              mark.run(p.id)
            })
            return yield* sql(doing, () => {
              const gone = db.prepare("SELECT id FROM pipedrive_snapshot WHERE id NOT IN (SELECT id FROM temp.pulled) ORDER BY id")
                .pluck().all() as Array<PipedriveId>
              db.exec("DELETE FROM pipedrive_snapshot WHERE id NOT IN (SELECT id FROM temp.pulled); DELETE FROM temp.pulled")
              return gone
            })
          })
        )
      },
      pipedriveSnapshot: (order = "id") =>
        rows("reading the Pipedrive snapshot", () => mapRows(iterate<PipedriveRecord>(order === "id" ? q.pdById : q.pdByCode), toPipedrive)),
      pipedriveProduct: (id) =>
        sql("reading the Pipedrive snapshot", () => Option.map(Option.fromNullable(q.pdOne.get(id) as PipedriveRecord | undefined), toPipedrive)),
      watermark: sql("reading the watermark", () => ({
        updatedSince: (q.metaGet.get("pipedrive.updated_since") as string | undefined) ?? null,
        runsSinceFull: Number((q.metaGet.get("pipedrive.runs_since_full") as string | undefined) ?? 0)
      })),
      setWatermark: (w) =>
        write("saving the watermark", () => {
          if (w.updatedSince === null) db.prepare("DELETE FROM meta WHERE key = 'pipedrive.updated_since'").run()
          else q.metaSet.run("pipedrive.updated_since", w.updatedSince)
          q.metaSet.run("pipedrive.runs_since_full", String(w.runsSinceFull))
        }),
      accountCache: sql("reading the account's fields", () => {
        const text = q.metaGet.get("pipedrive.account") as string | undefined
        if (text === undefined) return Option.none()
        const v = JSON.parse(text) as Partial<AccountCache>
        return Array.isArray(v.fields) && Array.isArray(v.currencies) && typeof v.mappingHash === "string"
          ? Option.some({ fields: v.fields, currencies: v.currencies, mappingHash: v.mappingHash })
          : Option.none()
      }),
      setAccountCache: (cache) => write("saving the account's fields", () => void q.metaSet.run("pipedrive.account", JSON.stringify(cache))),

      links: () =>
        rows("reading the links", () =>
          mapRows(iterate<{ key: string; pipedrive_id: number }>(q.linksAll), (r) => ({ key: r.key as Sku, pipedriveId: r.pipedrive_id as PipedriveId }))),
      linkOf: (key) => sql("reading a link", () => Option.fromNullable(q.linkOne.get(key) as PipedriveId | undefined)),
      link: (key, id) =>
        write(`linking ${key} to Pipedrive product ${id}`, () => {
          const owner = q.linkOwner.get(id) as string | undefined
          if (owner !== undefined && owner !== key) {
            throw StoreError.make(path, "Invalid", `state file ${path}: cannot link ${key} to Pipedrive product ${id}: it is already linked to ${owner}`)
          }
          q.linkSet.run(key, id)
        }),
      unlink: (key) => write(`unlinking ${key}`, () => void q.linkDelete.run(key)),
      setLinks: (input) =>
        transaction(
          "linking keys",
          writeRows("linking keys", input, (l) => {
            const owner = q.linkOwner.get(l.pipedriveId) as string | undefined
            if (owner !== undefined && owner !== l.key) {
              throw StoreError.make(path, "Invalid", `state file ${path}: cannot link ${l.key} to Pipedrive product ${l.pipedriveId}: it is already linked to ${owner}`)
            }
            q.linkSet.run(l.key, l.pipedriveId)
          })
        ),

      baseFor: (keys) =>
        sql("reading the base", () => {
          const found = new Map<Sku, Fields>()
          for (const key of keys) {
            const fields: Record<string, unknown> = {}
            let any = false
            for (const r of q.baseOne.iterate(key) as Iterable<{ field: string; value: string }>) {
              fields[r.field] = JSON.parse(r.value)
              any = true
            }
            if (any) found.set(key, fields)
          }
          return found
        }),
      baseByKey: () => rows("reading the base", () => groupBase(iterate(q.baseAll))),
      setBase: (entries) =>
        transaction(
          "writing the base",
          writeRows("writing the base", entries, (e) => q.baseSet.run(e.key, e.field, toJson(e.value, `the base of ${e.key} ${e.field}`)))
        ),
      deleteBase: (keys) =>
        write("forgetting a base", () => {
          let removed = 0
          for (const key of keys) removed += q.baseDelete.run(key).changes
          return removed
        }),

      byKey: () => rows("reading the state by key", joinByKey),
      byKeyText: () => rows("reading the state by key", openKeyedText),
      forEachKeyText: (f) =>
        Effect.acquireUseRelease(
          sql("reading the state by key", openKeyedText),
          (it) => {
            const step = sql("reading the state by key", () => {
              for (let i = 0; i < 4096; i++) {
                const r = it.next()
                if (r.done === true) return true
                f(r.value)
              }
              return false
            })
            const loop: Effect.Effect<void, StoreError.StoreError> = Effect.flatMap(step, (done) => (done ? Effect.void : Effect.zipRight(Effect.yieldNow(), loop)))
            return loop
          },
          (it) => Effect.sync(() => it.return(undefined)).pipe(Effect.catchAllDefect(() => Effect.void))
        ),

      pinnedFields: sql("reading the pinned fields", () =>
        (q.pinnedAll.all() as Array<{ label: string; field_code: string; field_type: string; options: string | null; pinned_at: string }>).map(
          (r): PinnedField => ({
            label: r.label,
            fieldCode: r.field_code,
            fieldType: r.field_type,
            options: r.options === null ? null : (JSON.parse(r.options) as ReadonlyArray<FieldOption>),
            pinnedAt: r.pinned_at
          })
        )),
      pinFields: (fields) =>
        Effect.flatMap(nowIso, (now) =>
          write("pinning custom fields", () => {
            for (const f of fields) {
              q.pinnedSet.run(f.label, f.fieldCode, f.fieldType, f.options === null ? null : JSON.stringify(f.options), now)
            }
          })),
      unpinField: (label) => write("unpinning a custom field", () => void q.pinnedDelete.run(label)),

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
      runs: (limit = 20) => sql("reading the runs", () => (q.runLatest.all(limit) as Array<RunRecord>).map(toRun)),
      run: (id) => sql("reading a run", () => Option.map(Option.fromNullable(q.runOne.get(id) as RunRecord | undefined), toRun)),
      lastRun: (filter = {}) =>
        sql("reading the runs", () =>
          Option.map(Option.fromNullable(q.runLast.get({ kind: filter.kind ?? null, status: filter.status ?? null }) as RunRecord | undefined), toRun)),

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
        const from = Journal.allowedFrom[state]
        return Effect.flatMap(nowIso, (now) =>
          write(doing, () => {
            const changed = db.prepare(
              `UPDATE journal SET state = ?, updated_at = ?, attempts = attempts + ?, ` +
                `pipedrive_id = coalesce(?, pipedrive_id), error = ? WHERE id = ? AND state IN (${from.map(() => "?").join(", ")})`
            ).run(state, now, state === "sent" ? 1 : 0, details.pipedriveId ?? null, details.error ?? null, id, ...from).changes
            if (changed === 0) {
              const current = q.journalOne.get(id) as JournalRecord | undefined
              throw StoreError.make(
                path,
                "Invalid",
                current === undefined
                  ? `state file ${path}: there is no journal entry ${id}`
                  : `state file ${path}: journal entry ${id} (${current.kind} ${current.key}) is ${current.state}; it cannot become ${state}`
              )
            }
          })).pipe(Effect.zipRight(journalEntry(doing, id)))
      },
      journalUnfinished: () => rows("reading the journal", () => mapRows(iterate<JournalRecord>(q.journalUnfinished), toEntry)),
      journalForRun: (runId) => rows("reading the journal", () => mapRows(iterate<JournalRecord>(q.journalRun, runId), toEntry)),
      journalCounts: (runId) =>
        sql("counting the journal", () => {
          const counts: Record<Journal.State, number> = { pending: 0, sent: 0, done: 0, failed: 0, skipped: 0 }
          for (const r of q.journalCounts.all(runId) as Array<{ state: Journal.State; n: number }>) counts[r.state] = r.n
          return counts
        }),

      pendingWritebacks: sql("reading the pending write-backs", () =>
        (q.writebackAll.all() as Array<{ key: string; field: string; value: string; since_run: number | null }>).map(
          (r): PendingWriteback => ({ key: r.key as Sku, field: r.field, value: JSON.parse(r.value), sinceRun: r.since_run })
        )),
      setPendingWritebacks: (entries) =>
        write("recording pending write-backs", () => {
          for (const e of entries) q.writebackSet.run(e.key, e.field, toJson(e.value, `the write-back of ${e.key} ${e.field}`), e.sinceRun)
        }),
      clearPendingWriteback: (key, field) => write("clearing a pending write-back", () => void q.writebackDelete.run(key, field)),

      recordTokens: (runId, endpoint, requests, tokens) =>
        Effect.flatMap(nowIso, (now) => write("recording tokens", () => void q.tokensAdd.run(runId, now.slice(0, 10), endpoint, requests, tokens))),
      tokensToday: Effect.flatMap(nowIso, (now) => tokensOn(now.slice(0, 10))),
      tokensOn,

      acquireLock: (command) =>
        Effect.flatMap(nowIso, (now) =>
          write("taking the lock", (): Acquired => {
            const current = q.lockGet.get() as Lock.Holder | undefined
            const me = Lock.self(command, now)
            if (current !== undefined) {
              const live = Lock.liveness(current)
              if (live !== "dead") throw StoreError.make(path, "Locked", Lock.lockedMessage(path, current, live))
              q.runsAbandon.run(now)
            }
            q.lockSet.run(me.pid, me.host, me.command, me.since)
            return { holder: me, tookOverFrom: Option.fromNullable(current) }
          })).pipe(
            Effect.tap((a) => Option.match(a.tookOverFrom, { onNone: () => Effect.void, onSome: (h) => Effect.logWarning(Lock.takeOverMessage(path, h)) }))
          ),
      releaseLock: (h) => write("releasing the lock", () => void q.lockDelete.run(h.pid, h.host, h.since)),
      breakLock: write("breaking the lock", () => {
        const current = q.lockGet.get() as Lock.Holder | undefined
        q.lockBreak.run()
        return Option.fromNullable(current)
      }),

      staged: Staged.service(db, path, { busyTimeoutMs: options.busyTimeoutMs ?? 5000, sql, write, rows })
    }
    return service
  })

export class Store extends Context.Tag("catalog-sync/Store")<Store, Service>() {
  /** Opens the state file at `path` (absolute) for the layer's lifetime. */
  static layer = (path: string, options?: Database.Options): Layer.Layer<Store, StoreError.StoreError> => Layer.scoped(Store, make(path, options))

  /** Opens the configured state file (`ResolvedConfig.state`). */
  static layerConfig = (options?: Database.Options): Layer.Layer<Store, StoreError.StoreError, SyncConfig> =>
    Layer.unwrapEffect(Effect.map(SyncConfig, (config) => Store.layer(config.state, options)))

  /**
   * Holds the run lock until the scope closes. Fails `Locked` (saying who holds it and since when)
   * while another live run holds it; takes over, with a warning, a lock whose holder on this host
   * is gone (a killed run), marking that run's unfinished runs `failed`.
   */
  static lock = (command: string): Effect.Effect<Acquired, StoreError.StoreError, Store | Scope.Scope> =>
    Effect.flatMap(Store, (store) =>
      Effect.acquireRelease(store.acquireLock(command), (a) => store.releaseLock(a.holder).pipe(Effect.ignoreLogged)))
}

/** A store opened for the scope, without a layer (tools and tests). */
export const open = make

