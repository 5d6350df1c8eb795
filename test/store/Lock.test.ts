import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Option, Stream } from "effect"
import * as ChildProcess from "node:child_process"
import * as Os from "node:os"
import * as Path from "node:path"
import { Store } from "../../src/store/Store.js"
import * as StoreModule from "../../src/store/Store.js"
import { raw, statePath } from "./Support.js"

const holdLock = Path.join(import.meta.dirname, "fixtures", "HoldLock.ts")
const jiti = Path.join(import.meta.dirname, "..", "..", "node_modules", "jiti", "lib", "jiti-cli.mjs")

/** A pid that existed a moment ago and no longer does. */
const deadPid = Effect.async<number>((resume) => {
  const child = ChildProcess.spawn(process.execPath, ["-e", ""])
  child.on("exit", () => resume(Effect.succeed(child.pid ?? 0)))
})

/** A child process holding the lock of `path` until it is killed; its pid once it holds it. */
const lockingChild = (path: string) =>
  Effect.acquireRelease(
    Effect.async<{ child: ChildProcess.ChildProcess; pid: number }, Error>((resume) => {
      const child = ChildProcess.spawn(process.execPath, [jiti, holdLock, path], { stdio: ["ignore", "pipe", "pipe"] })
      let out = ""
      let err = ""
      child.stdout?.on("data", (d: Buffer) => {
        out += d.toString()
        const m = /locked (\d+)/.exec(out)
        if (m !== null) resume(Effect.succeed({ child, pid: Number(m[1]) }))
      })
      child.stderr?.on("data", (d: Buffer) => (err += d.toString()))
      child.on("exit", (code) => resume(Effect.fail(new Error(`the child exited (${code}) before locking: ${err}`))))
    }),
    ({ child }) => Effect.sync(() => child.kill("SIGKILL"))
  )

const exited = (child: ChildProcess.ChildProcess) =>
  Effect.async<void>((resume) => {
    if (child.exitCode !== null || child.signalCode !== null) return resume(Effect.void)
    child.on("exit", () => resume(Effect.void))
  })

const lockError = <A, E extends { readonly reason: string; readonly message: string }>(exit: Exit.Exit<A, E>) => {
  if (Exit.isSuccess(exit) || exit.cause._tag !== "Fail") return assert.fail(`expected a lock failure, got ${String(exit)}`)
  return exit.cause.error
}

describe("the run lock", () => {
  it.scopedLive("a second holder in the same process is refused with who holds it and since when", () =>
    Effect.gen(function*() {
      const path = yield* statePath
      const layer = Store.layer(path)
      yield* Effect.gen(function*() {
        const first = yield* Store.lock("catalog-sync sync")
        assert.strictEqual(first.holder.pid, process.pid)
        assert.isTrue(Option.isNone(first.tookOverFrom))
        const error = lockError(yield* Effect.exit(Effect.scoped(Store.lock("catalog-sync plan"))))
        assert.strictEqual(error.reason, "Locked")
        const since = first.holder.since.replace(/\.\d+Z$/, "Z")
        assert.strictEqual(
          error.message,
          `state ${path} is locked by \`catalog-sync sync\` (pid ${process.pid} on host ${Os.hostname()}) since ${since}; wait for it to finish`
        )
      }).pipe(Effect.scoped, Effect.provide(layer))
      // released with its scope: the next run takes it without a takeover
      const again = yield* Effect.scoped(Store.lock("catalog-sync sync")).pipe(Effect.provide(layer))
      assert.isTrue(Option.isNone(again.tookOverFrom))
      assert.strictEqual(raw(path, (db) => db.prepare("SELECT count(*) FROM lock").pluck().get()), 0)
    }))

  it.scopedLive("a lock left by a process that is gone is taken over, and its running runs are marked failed", () =>
    Effect.gen(function*() {
      const path = yield* statePath
      const store = yield* StoreModule.open(path)
      const orphan = yield* store.startRun("sync")
      const pid = yield* deadPid
      raw(path, (db) =>
        db.prepare("INSERT INTO lock (id, pid, host, command, since) VALUES (1, ?, ?, 'catalog-sync sync', '2026-11-27T02:00:03.000Z')")
          .run(pid, Os.hostname()))
      const acquired = yield* Store.lock("catalog-sync sync").pipe(Effect.provideService(Store, store))
      assert.deepStrictEqual(Option.getOrUndefined(acquired.tookOverFrom), {
        pid,
        host: Os.hostname(),
        command: "catalog-sync sync",
        since: "2026-11-27T02:00:03.000Z"
      })
      assert.strictEqual(acquired.holder.pid, process.pid)
      const run = Option.getOrThrow(yield* store.run(orphan))
      assert.strictEqual(run.status, "failed")
      assert.isNotNull(run.finishedAt)
    }))

  it.scopedLive("a take-over fails only the runs left running; finished runs keep their status", () =>
    Effect.gen(function*() {
      const path = yield* statePath
      const store = yield* StoreModule.open(path)
      const finished = yield* store.startRun("plan")
      yield* store.finishRun(finished, "succeeded")
      const orphan = yield* store.startRun("sync")
      const pid = yield* deadPid
      raw(path, (db) =>
        db.prepare("INSERT INTO lock (id, pid, host, command, since) VALUES (1, ?, ?, 'catalog-sync sync', '2026-11-27T02:00:03.000Z')")
          .run(pid, Os.hostname()))
      yield* Store.lock("catalog-sync sync").pipe(Effect.provideService(Store, store))
      assert.deepStrictEqual((yield* store.runs()).map((r) => [r.id, r.status]), [[orphan, "failed"], [finished, "succeeded"]])
    }))

  it.scopedLive("a release removes only the releaser's own lock, not one taken after it was broken", () =>
    Effect.gen(function*() {
      const path = yield* statePath
      const store = yield* StoreModule.open(path)
      const first = yield* store.acquireLock("catalog-sync sync")
      yield* Effect.sleep("5 millis") // the next holder's since differs
      assert.deepStrictEqual(Option.getOrUndefined(yield* store.breakLock), first.holder)
      const second = yield* store.acquireLock("catalog-sync apply")
      yield* store.releaseLock(first.holder)
      const held = () => raw(path, (db) => db.prepare("SELECT command FROM lock").pluck().all())
      assert.deepStrictEqual(held(), ["catalog-sync apply"])
      yield* store.releaseLock(second.holder)
      assert.deepStrictEqual(held(), [])
    }))

  it.scopedLive("a holder on another host cannot be checked and is respected", () =>
    Effect.gen(function*() {
      const path = yield* statePath
      const store = yield* StoreModule.open(path)
      raw(path, (db) =>
        db.prepare("INSERT INTO lock (id, pid, host, command, since) VALUES (1, 1, 'elsewhere', 'catalog-sync sync', '2026-11-27T02:00:03.000Z')").run())
      const error = lockError(yield* Effect.exit(Effect.scoped(Store.lock("catalog-sync sync").pipe(Effect.provideService(Store, store)))))
      assert.strictEqual(error.reason, "Locked")
      assert.include(error.message, "(pid 1 on host elsewhere) since 2026-11-27T02:00:03Z")
      assert.include(error.message, "cannot be checked from host")
      const broken = yield* store.breakLock
      assert.strictEqual(Option.getOrUndefined(broken)?.host, "elsewhere")
      yield* Effect.scoped(Store.lock("catalog-sync sync").pipe(Effect.provideService(Store, store)))
    }))

  it.scopedLive("across processes: refused while a child holds it, taken over once the child is SIGKILLed", () =>
    Effect.gen(function*() {
      const path = yield* statePath
      yield* Effect.scoped(StoreModule.open(path)) // the schema exists before two processes race for it
      const { child, pid } = yield* lockingChild(path)
      const store = yield* StoreModule.open(path)
      const error = lockError(yield* Effect.exit(Effect.scoped(Store.lock("catalog-sync sync").pipe(Effect.provideService(Store, store)))))
      assert.strictEqual(error.reason, "Locked")
      assert.include(error.message, `is locked by \`catalog-sync sync\` (pid ${pid} on host ${Os.hostname()})`)
      child.kill("SIGKILL")
      yield* exited(child)
      const acquired = yield* Store.lock("catalog-sync apply").pipe(Effect.provideService(Store, store))
      assert.strictEqual(Option.getOrUndefined(acquired.tookOverFrom)?.pid, pid)
      // the kill left the file readable, and ours now
      assert.strictEqual(yield* Stream.runCount(store.links()), 0)
    }), 60_000)
})
