/**
 * The run lock: one row in the state file naming who holds it (pid, host, command, since). A row is
 * used rather than an OS file lock so that a run killed with SIGKILL leaves a trace the next run
 * can judge: a holder on this host whose pid no longer exists is dead, and its lock is taken over.
 * A holder on another host cannot be checked from here and is always respected.
 */
import { Effect, Option } from "effect"
import * as Os from "node:os"
import { nowIso, type Sql } from "./Sql.js"
import * as StoreError from "./StoreError.js"

export interface Holder {
  readonly pid: number
  readonly host: string
  /** What the holder runs, such as `catalog-sync sync`. */
  readonly command: string
  /** ISO 8601, UTC. */
  readonly since: string
}

/** This process, about to take the lock for `command` at `since`. */
export const self = (command: string, since: string): Holder => ({ pid: process.pid, host: Os.hostname(), command, since })

export type Liveness = "alive" | "dead" | "unknown"

/**
 * Whether the holder still runs: on this host, `kill(pid, 0)` tells (EPERM means it exists but is
 * not ours to signal: alive); on another host nobody can tell.
 */
export const liveness = (holder: Holder): Liveness => {
  if (holder.host !== Os.hostname()) return "unknown"
  try {
    process.kill(holder.pid, 0)
    return "alive"
  } catch (e) {
    return typeof e === "object" && e !== null && "code" in e && e.code === "EPERM" ? "alive" : "dead"
  }
}

/** `2026-11-27T02:00:03Z`: whole seconds read better in a message. */
const shortTime = (iso: string): string => iso.replace(/\.\d+Z$/, "Z")

export const describe = (holder: Holder): string =>
  `\`${holder.command}\` (pid ${holder.pid} on host ${holder.host}) since ${shortTime(holder.since)}`

/** The message of a refused lock. */
export const lockedMessage = (path: string, holder: Holder, live: Liveness): string =>
  live === "alive"
    ? `state ${path} is locked by ${describe(holder)}; wait for it to finish`
    : `state ${path} is locked by ${describe(holder)}, which cannot be checked from host ${Os.hostname()}; ` +
      `wait for it to finish, or, if that run is over, break the lock`

/** The warning when a dead holder's lock is taken over. */
export const takeOverMessage = (path: string, holder: Holder): string =>
  `state ${path}: the previous run ${describe(holder)} did not finish (that process is gone); taking over its lock`

export interface Acquired {
  readonly holder: Holder
  /** The dead run whose lock was taken over, if any. */
  readonly tookOverFrom: Option.Option<Holder>
}

export interface Operations {
  /** Takes the run lock for `command` (use `Store.lock`, which also releases it). */
  readonly acquireLock: (command: string) => Effect.Effect<Acquired, StoreError.StoreError>
  readonly releaseLock: (holder: Holder) => Effect.Effect<void, StoreError.StoreError>
  /** Removes the lock whoever holds it: for a holder on another host that is known to be gone. */
  readonly breakLock: Effect.Effect<Option.Option<Holder>, StoreError.StoreError>
}

/**
 * The lock's operations (prepares their statements: call inside `Sql.attempt`). Taking over a dead
 * holder's lock marks the runs it left `running` as `failed`.
 */
export const make = ({ path, prepare, write }: Sql): Operations => {
  const q = {
    lockGet: prepare("SELECT pid, host, command, since FROM lock WHERE id = 1"),
    lockSet: prepare("INSERT OR REPLACE INTO lock (id, pid, host, command, since) VALUES (1, ?, ?, ?, ?)"),
    lockDelete: prepare("DELETE FROM lock WHERE id = 1 AND pid = ? AND host = ? AND since = ?"),
    lockBreak: prepare("DELETE FROM lock WHERE id = 1"),
    runsAbandon: prepare("UPDATE runs SET status = 'failed', finished_at = ? WHERE status = 'running'")
  }
  return {
    acquireLock: (command) =>
      Effect.flatMap(nowIso, (now) =>
        write("taking the lock", (): Acquired => {
          const current = q.lockGet.get() as Holder | undefined
          const me = self(command, now)
          if (current !== undefined) {
            const live = liveness(current)
            if (live !== "dead") throw StoreError.make(path, "Locked", lockedMessage(path, current, live))
            q.runsAbandon.run(now)
          }
          q.lockSet.run(me.pid, me.host, me.command, me.since)
          return { holder: me, tookOverFrom: Option.fromNullable(current) }
        })).pipe(
          Effect.tap((a) => Option.match(a.tookOverFrom, { onNone: () => Effect.void, onSome: (h) => Effect.logWarning(takeOverMessage(path, h)) }))
        ),
    releaseLock: (h) => write("releasing the lock", () => void q.lockDelete.run(h.pid, h.host, h.since)),
    breakLock: write("breaking the lock", () => {
      const current = q.lockGet.get() as Holder | undefined
      q.lockBreak.run()
      return Option.fromNullable(current)
    })
  }
}
