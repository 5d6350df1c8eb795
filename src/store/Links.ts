/**
 * Links (which key is which Pipedrive product: one id per key, one key per id), the base (per key
 * and field, the last value both sides agreed on), and the join of everything the state holds
 * about each key, in key order, that the planner reads.
 */
import { Effect, Option } from "effect"
import type { Stream } from "effect"
import type { PipedriveId } from "../domain/PipedriveId.js"
import type { Sku } from "../domain/Sku.js"
import * as KeyOrder from "./KeyOrder.js"
import { type ErpRecord, type ErpRow, pipedriveColumns, type PipedriveRecord, type PipedriveRow, toErp, toPipedrive } from "./Snapshots.js"
import { iterate, mapRows, Peek, type Rows, type Sql, toJson } from "./Sql.js"
import * as StoreError from "./StoreError.js"

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

export interface Operations {
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
}

type BaseRecord = { key: string; field: string; value: string }
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

/** The base rows (in key order) grouped by key, values decoded. */
function* groupBase(it: Iterator<BaseRecord>): Generator<BaseGroup> {
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

/** The links', the base's and the key join's operations (prepares their statements: call inside `Sql.attempt`). */
export const make = (s: Sql): Operations => {
  const { path, prepare, attempt, transaction, write, writeRows, rows } = s
  const q = {
    erpAll: prepare("SELECT key, product, line FROM erp_snapshot ORDER BY key"),
    pdCoded: prepare(`SELECT ${pipedriveColumns} FROM pipedrive_snapshot WHERE code IS NOT NULL ORDER BY code, id`),
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
    baseDelete: prepare("DELETE FROM base WHERE key = ?")
  }
  const erp = toErp(path)

  /** Links `key` to `id` inside the current transaction; throws `Invalid` when `id` is linked to another key. */
  const linkOne = (key: Sku, id: number) => {
    const owner = q.linkOwner.get(id) as string | undefined
    if (owner !== undefined && owner !== key) {
      throw StoreError.make(path, "Invalid", `state file ${path}: cannot link ${key} to Pipedrive product ${id}: it is already linked to ${owner}`)
    }
    q.linkSet.run(key, id)
  }

  function* joinByKey(): Generator<Keyed> {
    const erpRows = new Peek(iterate<ErpRecord>(q.erpAll))
    const links = new Peek(iterate<PipedriveRecord & { link_key: string; link_id: number }>(q.linksJoined))
    const base = new Peek(groupBase(iterate<BaseRecord>(q.baseAll)))
    const coded = new Peek(iterate<PipedriveRecord>(q.pdCoded))
    const all = [erpRows, links, base, coded]
    try {
      for (;;) {
        let key: string | undefined
        const consider = (k: string | null | undefined) => {
          if (k != null && (key === undefined || KeyOrder.compare(k, key) < 0)) key = k
        }
        consider(erpRows.head?.key)
        consider(links.head?.link_key)
        consider(base.head?.key)
        consider(coded.head?.code)
        if (key === undefined) return
        const e = erpRows.head?.key === key ? erpRows.head : undefined
        if (e !== undefined) erpRows.advance()
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
          erp: e === undefined ? undefined : erp(e),
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

  const openKeyedText = () => keyedText(iterate<ByKeyRecord>(q.byKeyText), iterate<OtherRecord>(q.byKeyOthers))

  return {
    links: () =>
      rows("reading the links", () =>
        mapRows(iterate<{ key: string; pipedrive_id: number }>(q.linksAll), (r) => ({ key: r.key as Sku, pipedriveId: r.pipedrive_id as PipedriveId }))),
    linkOf: (key) => attempt("reading a link", () => Option.fromNullable(q.linkOne.get(key) as PipedriveId | undefined)),
    link: (key, id) => write(`linking ${key} to Pipedrive product ${id}`, () => linkOne(key, id)),
    unlink: (key) => write(`unlinking ${key}`, () => void q.linkDelete.run(key)),
    setLinks: (input) => transaction("linking keys", writeRows("linking keys", input, (l) => linkOne(l.key, l.pipedriveId))),

    baseFor: (keys) =>
      attempt("reading the base", () => {
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
    baseByKey: () => rows("reading the base", () => groupBase(iterate<BaseRecord>(q.baseAll))),
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
        attempt("reading the state by key", openKeyedText),
        (it) => {
          const step = attempt("reading the state by key", () => {
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
      )
  }
}
