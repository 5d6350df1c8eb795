/**
 * Opening a state file: create its folder, refuse what is not ours (garbage bytes, another
 * program's database, a newer schema) before anything is written to it, then switch to WAL and
 * bring the schema up to date in one IMMEDIATE transaction. The connection is closed when the
 * scope closes. Nothing here ever deletes or resets a file.
 */
import BetterSqlite3 from "better-sqlite3"
import { Effect } from "effect"
import type { Scope } from "effect"
import * as Fs from "node:fs"
import * as Path from "node:path"
import * as Migrations from "./Migrations.js"
import * as StoreError from "./StoreError.js"

export type Connection = BetterSqlite3.Database

export interface Options {
  /**
   * `FULL` (default) makes every commit durable against power loss before it returns, which the
   * journal needs (a `sent` mark must be on disk before the request goes out); `NORMAL` is durable
   * against a killed process only. See docs/state.md.
   */
  readonly synchronous?: "FULL" | "NORMAL"
  /** How long to wait for another process's write to finish (default 5000 ms). */
  readonly busyTimeoutMs?: number
}

/** Runs `f` against SQLite, turning anything it throws into a `StoreError`. */
export const attempt = <A>(path: string, doing: string, f: () => A): Effect.Effect<A, StoreError.StoreError> =>
  Effect.try({ try: f, catch: (e) => StoreError.fromThrown(path, doing, e) })

const newerMessage = (path: string, found: number): string =>
  `state file ${path} was written by a newer catalog-sync (schema v${found}, this one knows v${Migrations.latest}): upgrade catalog-sync`

const foreignMessage = (path: string): string =>
  `${path} is a SQLite database but not a catalog-sync state file (it has tables of its own and no schema version). ` +
  `Nothing was changed. Point \`state\` in the configuration at another path, or move that file aside.`

/** Checks what the file holds without writing to it. */
const inspect = (db: Connection, path: string): Effect.Effect<number, StoreError.StoreError> =>
  Effect.gen(function*() {
    const version = yield* attempt(path, "reading the schema version", () => db.pragma("user_version", { simple: true }) as number)
    if (version > Migrations.latest) return yield* Effect.fail(StoreError.make(path, "NewerVersion", newerMessage(path, version)))
    if (version === 0) {
      const tables = yield* attempt(path, "listing the tables", () =>
        db.prepare("SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'").pluck().get() as number)
      if (tables > 0) return yield* Effect.fail(StoreError.make(path, "NotAState", foreignMessage(path)))
    }
    return version
  })

/** Applies the missing steps; the version is read again under the write lock (another process may have migrated). */
const migrate = (db: Connection, path: string): Effect.Effect<void, StoreError.StoreError> =>
  attempt(path, "upgrading the schema", () =>
    db.transaction(() => {
      const from = db.pragma("user_version", { simple: true }) as number
      if (from > Migrations.latest) throw StoreError.make(path, "NewerVersion", newerMessage(path, from))
      Migrations.steps.slice(from).forEach((step) => db.exec(step.sql))
      if (from < Migrations.latest) {
        db.pragma(`user_version = ${Migrations.latest}`)
        db.prepare("INSERT INTO meta (key, value) VALUES ('schema_version', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
          .run(String(Migrations.latest))
      }
    }).immediate())

/** Opens (creating if need be) and upgrades the state file at `path`; closes it with the scope. */
export const open = (path: string, options: Options = {}): Effect.Effect<Connection, StoreError.StoreError, Scope.Scope> =>
  Effect.gen(function*() {
    yield* attempt(path, "creating its folder", () => Fs.mkdirSync(Path.dirname(path), { recursive: true }))
    const db = yield* Effect.acquireRelease(
      attempt(path, "opening it", () => new BetterSqlite3(path, { timeout: options.busyTimeoutMs ?? 5000 })),
      (db) => Effect.sync(() => db.close())
    )
    yield* inspect(db, path)
    yield* attempt(path, "switching to WAL", () => {
      db.pragma("journal_mode = WAL")
      db.pragma(`synchronous = ${options.synchronous ?? "FULL"}`)
      db.pragma("foreign_keys = ON")
    })
    yield* migrate(db, path)
    return db
  })
