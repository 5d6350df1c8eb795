/**
 * What every part of the store shares: the open connection with its path, transactions (writers
 * take turns), bulk writes from an `Iterable` or a `Stream`, row streams pulled from SQLite, and
 * the small iterator tools the ordered reads are built from. Each part of the store (`Snapshots`,
 * `Links`, `Account`, `Run`, `Journal`, `WriteBacks`, `Lock`) prepares its own statements against
 * a `Sql`; `Store` composes them.
 */
import type * as BetterSqlite3 from "better-sqlite3"
import { Chunk, Clock, Effect, Option, Predicate, Stream } from "effect"
import * as Database from "./Database.js"
import * as StoreError from "./StoreError.js"

/** Rows for a bulk write: an in-memory collection or a stream (written as it is pulled). */
export type Rows<A, E = never, R = never> = Iterable<A> | Stream.Stream<A, E, R>

/** A value SQLite binds. */
export type SqlValue = string | number | bigint | null

/** Rows pulled from SQLite per stream chunk. */
const chunkSize = 1024

/** The open state file, and the ways the store's parts use it. */
export interface Sql {
  readonly db: Database.Connection
  /** The state file. */
  readonly path: string
  /** A prepared statement (throws as `db.prepare` does: call it inside `attempt`). */
  readonly prepare: (text: string) => BetterSqlite3.Statement
  /** Runs `f` against SQLite, turning anything it throws into a `StoreError`. */
  readonly attempt: <A>(doing: string, f: () => A) => Effect.Effect<A, StoreError.StoreError>
  /**
   * One IMMEDIATE transaction around `body`, committed when it succeeds and rolled back when it
   * fails or is interrupted. Writers take turns: a streamed bulk write keeps the transaction open
   * while it pulls, and nothing else may slip into it.
   */
  readonly transaction: <A, E, R>(doing: string, body: Effect.Effect<A, E, R>) => Effect.Effect<A, E | StoreError.StoreError, R>
  /** One transaction of synchronous work. */
  readonly write: <A>(doing: string, f: () => A) => Effect.Effect<A, StoreError.StoreError>
  /** Writes every row with `each`, chunk by chunk, inside the current transaction; returns the count. */
  readonly writeRows: <A, E, R>(doing: string, rows: Rows<A, E, R>, each: (a: A) => void) => Effect.Effect<number, E | StoreError.StoreError, R>
  /** A stream over a synchronous iterator of SQLite rows, pulled `chunkSize` at a time, closed with the stream. */
  readonly rows: <A>(doing: string, open: () => Iterator<A>) => Stream.Stream<A, StoreError.StoreError>
}

/** The shared operations on an opened connection (one per store: its transactions take turns). */
export const make = (db: Database.Connection, path: string): Effect.Effect<Sql> =>
  Effect.map(Effect.makeSemaphore(1), (gate): Sql => {
    const attempt = <A>(doing: string, f: () => A) => Database.attempt(path, doing, f)
    const transaction = <A, E, R>(doing: string, body: Effect.Effect<A, E, R>): Effect.Effect<A, E | StoreError.StoreError, R> =>
      gate.withPermits(1)(
        Effect.acquireUseRelease(
          attempt(doing, () => db.exec("BEGIN IMMEDIATE")),
          () => Effect.zipLeft(body, attempt(doing, () => db.exec("COMMIT"))),
          () =>
            Effect.sync(() => {
              if (db.inTransaction) db.exec("ROLLBACK")
            }).pipe(Effect.catchAllDefect(() => Effect.void))
        )
      )
    return {
      db,
      path,
      prepare: (text) => db.prepare(text),
      attempt,
      transaction,
      write: (doing, f) => transaction(doing, attempt(doing, f)),
      writeRows: <A, E, R>(doing: string, rows: Rows<A, E, R>, each: (a: A) => void) => {
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
      },
      rows: <A>(doing: string, open: () => Iterator<A>) =>
        Stream.acquireRelease(attempt(doing, open), (it) => Effect.sync(() => it.return?.()).pipe(Effect.catchAllDefect(() => Effect.void))).pipe(
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
    }
  })

/** The current time, ISO 8601 UTC (from Effect's clock, so tests can set it). */
export const nowIso = Effect.map(Clock.currentTimeMillis, (ms) => new Date(ms).toISOString())

/** `value` as JSON text; throws, naming `what`, when it is not a JSON value. */
export const toJson = (value: unknown, what: string): string => {
  const text = JSON.stringify(value)
  if (text === undefined) throw new TypeError(`${what} is not a JSON value`)
  return text
}

/** A statement's rows as an iterator of `R`. */
export const iterate = <R>(statement: BetterSqlite3.Statement, ...params: Array<SqlValue>) => statement.iterate(...params) as Iterator<R>

/** `f` over an iterator, closing it when the result is closed or done. */
export function* mapRows<R, A>(it: Iterator<R>, f: (r: R) => A): Generator<A> {
  try {
    for (let r = it.next(); r.done !== true; r = it.next()) yield f(r.value)
  } finally {
    it.return?.()
  }
}

/** A one-row-ahead view of an iterator, for merging ordered iterators. */
export class Peek<A> {
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
