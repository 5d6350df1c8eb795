/**
 * Shared by the store's tests: a temporary folder for the scope of a test, a store opened in it,
 * raw SQLite access to set up files the store would never write itself, and reading a stream or
 * an expected failure.
 */
import { assert } from "@effect/vitest"
import BetterSqlite3 from "better-sqlite3"
import { Chunk, Effect, Exit, Stream } from "effect"
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

/** Everything a stream gives, in order. */
export const all = <A, E>(s: Stream.Stream<A, E>) => Effect.map(Stream.runCollect(s), Chunk.toReadonlyArray)

/** The error an exit failed with; fails the test when it succeeded or died. */
export const failureOf = <A, E>(exit: Exit.Exit<A, E>): E => {
  if (Exit.isSuccess(exit) || exit.cause._tag !== "Fail") return assert.fail(`expected a failure, got ${String(exit)}`)
  return exit.cause.error
}
