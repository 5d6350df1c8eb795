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
 *
 * This module is the facade: each part of the service lives beside its tables, with its prepared
 * statements — `Snapshots` (both snapshots, the watermark), `Links` (links, the base and the join
 * by key the planner reads), `Account` (pinned fields, the account's cached fields), `Run` (runs,
 * the token ledger), `Journal`, `WriteBacks` and `Lock` — on the connection and helpers of `Sql`.
 */
import { Context, Effect, Layer } from "effect"
import type { Scope } from "effect"
import { SyncConfig } from "../config/SyncConfig.js"
import * as Account from "./Account.js"
import * as Database from "./Database.js"
import * as Journal from "./Journal.js"
import * as Links from "./Links.js"
import * as Lock from "./Lock.js"
import * as Run from "./Run.js"
import * as Snapshots from "./Snapshots.js"
import * as Staged from "./Staged.js"
import * as Sql from "./Sql.js"
import type * as StoreError from "./StoreError.js"
import * as WriteBacks from "./WriteBacks.js"

export type { AccountCache, FieldOption, NewPinnedField, PinnedField } from "./Account.js"
export type { BaseEntry, BaseGroup, Fields, Keyed, KeyedText, Link, PipedriveText } from "./Links.js"
export type { Acquired } from "./Lock.js"
export { erpUnreadable } from "./Snapshots.js"
export type { ErpRow, PipedriveInput, PipedriveRow, Watermark } from "./Snapshots.js"
export type { Rows } from "./Sql.js"
export type { PendingWriteback } from "./WriteBacks.js"

/** The store: every part's operations on one state file. */
export interface Service
  extends
    Snapshots.Operations,
    Account.Operations,
    Links.Operations,
    Run.Operations,
    Journal.Operations,
    WriteBacks.Operations,
    Lock.Operations
{
  /** The state file. */
  readonly path: string
  /** A plan's links and agreements, staged while it plans and applied when it runs (`Staged`). */
  readonly staged: Staged.Service
}

const make = (path: string, options: Database.Options = {}): Effect.Effect<Service, StoreError.StoreError, Scope.Scope> =>
  Effect.gen(function*() {
    const db = yield* Database.open(path, options)
    const sql = yield* Sql.make(db, path)
    return yield* sql.attempt("preparing its statements", (): Service => ({
      path,
      ...Snapshots.make(sql),
      ...Account.make(sql),
      ...Links.make(sql),
      ...Run.make(sql),
      ...Journal.make(sql),
      ...WriteBacks.make(sql),
      ...Lock.make(sql),
      staged: Staged.service(db, path, { busyTimeoutMs: options.busyTimeoutMs ?? 5000, sql: sql.attempt, write: sql.write, rows: sql.rows })
    }))
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
  static lock = (command: string): Effect.Effect<Lock.Acquired, StoreError.StoreError, Store | Scope.Scope> =>
    Effect.flatMap(Store, (store) =>
      Effect.acquireRelease(store.acquireLock(command), (a) => store.releaseLock(a.holder).pipe(Effect.ignoreLogged)))
}

/** A store opened for the scope, without a layer (tools and tests). */
export const open = make
