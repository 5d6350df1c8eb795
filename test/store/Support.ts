/**
 * Shared by the store's tests: a temporary folder for the scope of a test, a store opened in it,
 * and raw SQLite access to set up files the store would never write itself.
 */
import BetterSqlite3 from "better-sqlite3"
import { Effect } from "effect"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import * as Store from "../../src/store/Store.js"

/** A fresh folder, removed with the scope. */
export const tempDir = Effect.acquireRelease(
  Effect.sync(() => Fs.mkdtempSync(Path.join(Os.tmpdir(), "catalog-sync-store-"))),
  (dir) => Effect.sync(() => Fs.rmSync(dir, { recursive: true, force: true }))
)

/** A state path in a fresh folder (in a sub-folder, which the store must create). */
export const statePath = Effect.map(tempDir, (dir) => Path.join(dir, ".catalog-sync", "state.db"))

/** A store on a fresh state file, closed with the scope. */
export const freshStore = Effect.flatMap(statePath, (path) => Store.open(path))

/** Runs `f` on a raw connection to `path`, closed afterwards. */
export const raw = <A>(path: string, f: (db: BetterSqlite3.Database) => A): A => {
  const db = new BetterSqlite3(path)
  try {
    return f(db)
  } finally {
    db.close()
  }
}
