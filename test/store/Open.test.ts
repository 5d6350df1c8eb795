import { assert, describe, it } from "@effect/vitest"
import BetterSqlite3 from "better-sqlite3"
import { Effect, Exit, Layer, Stream } from "effect"
import * as Fs from "node:fs"
import * as Path from "node:path"
import * as Sku from "../../src/domain/Sku.js"
import * as Migrations from "../../src/store/Migrations.js"
import * as Store from "../../src/store/Store.js"
import type { StoreError } from "../../src/store/StoreError.js"
import { raw, statePath, tempDir } from "./Support.js"

const failure = <A>(exit: Exit.Exit<A, StoreError>): StoreError => {
  if (Exit.isSuccess(exit)) return assert.fail("expected the store to refuse the file")
  const error = exit.cause._tag === "Fail" ? exit.cause.error : undefined
  return error ?? assert.fail(`expected a StoreError, got ${String(exit.cause)}`)
}

const openExit = (path: string) => Effect.exit(Effect.scoped(Store.open(path)))

describe("opening a state file", () => {
  it.scoped("creates the folder and the schema from nothing, in WAL mode, at the latest version", () =>
    Effect.gen(function*() {
      const path = yield* statePath
      yield* Effect.scoped(Store.open(path))
      const info = raw(path, (db) => ({
        version: db.pragma("user_version", { simple: true }),
        mode: db.pragma("journal_mode", { simple: true }),
        meta: db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").pluck().get(),
        tables: db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all()
      }))
      assert.strictEqual(info.version, Migrations.latest)
      assert.strictEqual(info.meta, String(Migrations.latest))
      assert.strictEqual(info.mode, "wal")
      assert.deepStrictEqual(info.tables, [
        "base", "erp_snapshot", "journal", "links", "lock", "meta", "pending_writeback", "pinned_fields",
        "pipedrive_snapshot", "runs", "staged_agreement", "staged_link", "staged_plan", "token_ledger"
      ])
    }))

  it.scoped("keeps its data when opened again, and the layer gives the same store", () =>
    Effect.gen(function*() {
      const path = yield* statePath
      yield* Effect.scoped(Effect.flatMap(Store.open(path), (s) => s.link(Sku.make("A-1"), 7)))
      const links = yield* Effect.flatMap(Store.Store, (s) => Stream.runCollect(s.links())).pipe(Effect.provide(Layer.fresh(Store.Store.layer(path))))
      assert.deepStrictEqual([...links], [{ key: "A-1", pipedriveId: 7 }])
    }))

  it.scoped("refuses a file of a newer schema with the versions and what to do, and leaves it alone", () =>
    Effect.gen(function*() {
      const path = yield* statePath
      yield* Effect.scoped(Store.open(path))
      raw(path, (db) => db.pragma(`user_version = ${Migrations.latest + 1}`))
      const before = Fs.readFileSync(path)
      const error = failure(yield* openExit(path))
      assert.strictEqual(error.reason, "NewerVersion")
      assert.strictEqual(
        error.message,
        `state file ${path} was written by a newer catalog-sync (schema v${Migrations.latest + 1}, this one knows v${Migrations.latest}): upgrade catalog-sync`
      )
      assert.deepStrictEqual(Fs.readFileSync(path), before)
    }))

  it.scoped("refuses garbage bytes as a damaged file, says what to do, and changes nothing", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const path = Path.join(dir, "state.db")
      const garbage = Buffer.from(Array.from({ length: 8192 }, (_, i) => (i * 7919 + 13) % 256))
      Fs.writeFileSync(path, garbage)
      const error = failure(yield* openExit(path))
      assert.strictEqual(error.reason, "Corrupt")
      assert.include(error.message, `state file ${path} is damaged or is not a SQLite database`)
      assert.include(error.message, "Move it aside")
      assert.include(error.message, "the base (the last values both sides agreed on) is lost")
      assert.deepStrictEqual(Fs.readFileSync(path), garbage)
      assert.deepStrictEqual(Fs.readdirSync(dir), ["state.db"])
    }))

  it.scoped("refuses a short text file too", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const path = Path.join(dir, "state.db")
      Fs.writeFileSync(path, "not a database\n")
      assert.strictEqual(failure(yield* openExit(path)).reason, "Corrupt")
      assert.strictEqual(Fs.readFileSync(path, "utf8"), "not a database\n")
    }))

  it.scoped("refuses another program's SQLite database without touching it", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const path = Path.join(dir, "other.db")
      const db = new BetterSqlite3(path)
      db.exec("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
      db.close()
      const before = Fs.readFileSync(path)
      const error = failure(yield* openExit(path))
      assert.strictEqual(error.reason, "NotAState")
      assert.include(error.message, "not a catalog-sync state file")
      assert.deepStrictEqual(Fs.readFileSync(path), before)
    }))

  it.scoped("a folder it cannot create is Unwritable, with the path", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      Fs.writeFileSync(Path.join(dir, "file"), "")
      const path = Path.join(dir, "file", "state.db")
      const error = failure(yield* openExit(path))
      assert.strictEqual(error.reason, "Unwritable")
      assert.include(error.message, path)
    }))

  it.scoped("an empty file is a new state: it gets the schema", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const path = Path.join(dir, "state.db")
      Fs.writeFileSync(path, "")
      yield* Effect.scoped(Store.open(path))
      assert.strictEqual(raw(path, (db) => db.pragma("user_version", { simple: true })), Migrations.latest)
    }))
})
