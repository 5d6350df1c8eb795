/**
 * The one error of the state store. `reason` says what went wrong; `message` says it the way a user
 * can act on it: which state file, what was being done, and what to do about it. SQLite's own error
 * codes (`SQLITE_BUSY`, `SQLITE_CORRUPT`, `SQLITE_NOTADB`, …) are mapped here, once.
 */
import { Data } from "effect"

export type Reason =
  /** The file is not a SQLite database, or it is damaged. */
  | "Corrupt"
  /** A SQLite database, but not a catalog-sync state (tables of another program). */
  | "NotAState"
  /** Written by a newer catalog-sync whose schema this one does not know. */
  | "NewerVersion"
  /** Another run holds the state's lock. */
  | "Locked"
  /** Another process kept the file busy for longer than the busy timeout. */
  | "Busy"
  /** The file or its folder cannot be created, opened or written (permissions, disk full). */
  | "Unwritable"
  /** A value the store was given, or read back, does not fit (a journal transition, a link taken twice, undecodable JSON). */
  | "Invalid"
  /** Any other SQLite failure. */
  | "Sqlite"

export class StoreError extends Data.TaggedError("StoreError")<{
  readonly reason: Reason
  /** The state file. */
  readonly path: string
  readonly message: string
}> {}

export const make = (path: string, reason: Reason, message: string): StoreError => new StoreError({ reason, path, message })

/** What to do with a damaged file: said only once, here. */
export const corruptAdvice = (path: string): string =>
  `Nothing was changed. Move it aside (mv "${path}" "${path}.broken") and run again: catalog-sync rebuilds the snapshots ` +
  `from both sides, but the base (the last values both sides agreed on) is lost, so that first run decides every ` +
  `difference the way a first run does: by each field's owner.`

const codeOf = (e: unknown): string | undefined =>
  typeof e === "object" && e !== null && "code" in e && typeof e.code === "string" ? e.code : undefined

const textOf = (e: unknown): string => (e instanceof Error ? e.message : String(e))

/**
 * Turns whatever a store operation threw into a `StoreError`: SQLite's codes by kind, anything else
 * (a value SQLite cannot bind, JSON that does not parse, a stored product that does not decode) as
 * `Invalid`. `doing` completes "while …" (`"writing the ERP snapshot"`).
 */
export const fromThrown = (path: string, doing: string, e: unknown): StoreError => {
  if (e instanceof StoreError) return e
  const code = codeOf(e) ?? ""
  const text = textOf(e)
  const detail = code === "" ? text : `${code}: ${text}`
  if (code.startsWith("SQLITE_NOTADB") || code.startsWith("SQLITE_CORRUPT")) {
    return make(path, "Corrupt", `state file ${path} is damaged or is not a SQLite database (${detail}, while ${doing}). ${corruptAdvice(path)}`)
  }
  if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED")) {
    return make(path, "Busy", `state file ${path} is kept busy by another process (${detail}, while ${doing}); wait for it to finish and run again`)
  }
  if (
    code.startsWith("SQLITE_READONLY") || code.startsWith("SQLITE_CANTOPEN") || code.startsWith("SQLITE_FULL") ||
    code.startsWith("SQLITE_IOERR") || code.startsWith("SQLITE_PERM") || code.startsWith("E")
  ) {
    return make(path, "Unwritable", `state file ${path} cannot be opened or written (${detail}, while ${doing}); check the folder's permissions and the free disk space`)
  }
  if (code.startsWith("SQLITE_CONSTRAINT") || code === "") {
    return make(path, "Invalid", `state file ${path}: ${doing} failed: ${detail}`)
  }
  return make(path, "Sqlite", `state file ${path}: SQLite failed while ${doing} (${detail})`)
}
