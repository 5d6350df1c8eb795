/**
 * A plan's JSON text — the saved plan (`plan --save`) and the plan inside the JSON report — written
 * in pieces, with the links and agreements a plan keeps staged in the state (`Plan.Staged`) read in
 * their places as the text is written: the same text `JSON.stringify` gives for the plan holding
 * them all, without holding them (a first sync of a million products agrees millions of fields).
 */
import { Chunk, Effect, Schema, Stream } from "effect"
import * as Plan from "../domain/Plan.js"

/** A plan's staged rows as the state gives them back, in the plan's order. */
export interface StagedRows<E> {
  readonly links: Stream.Stream<{ readonly key: string; readonly pipedriveId: number }, E>
  /** Each value as its JSON text (`Field.toJson`). */
  readonly agreements: Stream.Stream<{ readonly key: string; readonly path: string; readonly value: string }, E>
}

/** A plan without staged rows. */
export const noRows: StagedRows<never> = { links: Stream.empty, agreements: Stream.empty }

type Json = Readonly<Record<string, unknown>>

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)
const byKey = (a: Json, b: Json) => byText(a.key as string, b.key as string)
const byKeyPath = (a: Json, b: Json) => byKey(a, b) || byText(a.path as string, b.path as string)

/** Two sorted sequences as one (`first`, in memory, before `rest`'s equal rows). */
const merge = <E>(first: ReadonlyArray<Json>, rest: Stream.Stream<Json, E>, compare: (a: Json, b: Json) => number): Stream.Stream<Json, E> =>
  Stream.suspend(() => {
    let i = 0
    const before = (row: Json): Array<Json> => {
      const out: Array<Json> = []
      while (i < first.length && compare(first[i] as Json, row) <= 0) out.push(first[i++] as Json)
      out.push(row)
      return out
    }
    return Stream.concat(Stream.mapConcat(rest, before), Stream.suspend(() => Stream.fromIterable(first.slice(i))))
  })

const indent = (space: number, depth: number) => " ".repeat(space * depth)

/** `JSON.stringify(value, null, space)` of a value nested `depth` deep. */
const nested = (value: unknown, space: number, depth: number): string => {
  const text = JSON.stringify(value, null, space)
  return space === 0 || depth === 0 ? text : text.replace(/\n/g, `\n${indent(space, depth)}`)
}

const arrayPieces = <E>(items: Stream.Stream<unknown, E>, space: number, depth: number): Stream.Stream<string, E> =>
  Stream.suspend(() => {
    let first = true
    const before = space === 0 ? "" : `\n${indent(space, depth + 1)}`
    const item = (v: unknown) => {
      const piece = `${first ? "[" : ","}${before}${nested(v, space, depth + 1)}`
      first = false
      return piece
    }
    return Stream.concat(Stream.map(items, item), Stream.suspend(() => Stream.succeed(first ? "[]" : `${space === 0 ? "" : `\n${indent(space, depth)}`}]`)))
  })

/** Whether an object leads to an array in `splices` through its objects. */
const leadsTo = (value: unknown, splices: ReadonlyMap<unknown, unknown>): boolean =>
  splices.has(value) || (value !== null && typeof value === "object" && !Array.isArray(value) && Object.values(value).some((v) => leadsTo(v, splices)))

/** `JSON.stringify(value, null, space)` in pieces, each array in `splices` (by identity) read from its stream. */
const pieces = <E>(value: unknown, space: number, splices: ReadonlyMap<unknown, Stream.Stream<unknown, E>>, depth: number): Stream.Stream<string, E> => {
  const spliced = splices.get(value)
  if (spliced !== undefined) return arrayPieces(spliced, space, depth)
  if (!leadsTo(value, splices)) return Stream.succeed(nested(value, space, depth))
  const entries = Object.entries(value as Json).filter(([, v]) => v !== undefined)
  const before = space === 0 ? "" : `\n${indent(space, depth + 1)}`
  const colon = space === 0 ? ":" : ": "
  return Stream.concatAll(
    Chunk.fromIterable([
      Stream.succeed("{"),
      ...entries.map(([k, v], i) => Stream.concat(Stream.succeed(`${i === 0 ? "" : ","}${before}${JSON.stringify(k)}${colon}`), pieces(v, space, splices, depth + 1))),
      Stream.succeed(`${space === 0 ? "" : `\n${indent(space, depth)}`}}`)
    ])
  )
}

/**
 * `JSON.stringify(root, null, space)` in pieces, where `root` holds (at `at`) an encoded plan whose
 * staged links and agreements are `rows`: they are merged into the plan's own in its order, and
 * `staged` itself is left out.
 */
export const write = <E>(root: Json, at: (root: Json) => Json, staged: Plan.Staged | undefined, rows: StagedRows<E>, space: number): Stream.Stream<string, E> => {
  const encoded = at(root)
  const { staged: _, ...plan } = encoded
  const agreements: Array<unknown> = []
  const links: Array<unknown> = []
  const withMarks = { ...plan, agreements, links }
  const splices = new Map<unknown, Stream.Stream<unknown, E>>([
    [agreements, merge(plan.agreements as ReadonlyArray<Json>, Stream.map(rows.agreements, (a) => ({ key: a.key, path: a.path, value: JSON.parse(a.value) as unknown })), staged?.order === "key-path" ? byKeyPath : byKey)],
    [links, merge(plan.links as ReadonlyArray<Json>, rows.links, byKey)]
  ])
  const replaced = root === encoded ? withMarks : replace(root, encoded, withMarks)
  // Pieces joined a chunk at a time: a write per row would cost more than the row.
  return Stream.mapChunks(pieces(replaced, space, splices, 0), (c) => Chunk.of(Chunk.join(c, "")))
}

/** `root` with the object `from` (somewhere among its objects) replaced by `to`. */
const replace = (root: Json, from: Json, to: Json): Json =>
  Object.fromEntries(Object.entries(root).map(([k, v]) => [k, v === from ? to : v !== null && typeof v === "object" && !Array.isArray(v) ? replace(v as Json, from, to) : v]))

const encodePlan = Schema.encode(Plan.Plan)

/** The plan as `plan --save` keeps it (`Plan.encodeJson`'s text), in pieces. */
export const saved = <E>(plan: Plan.Plan, rows: StagedRows<E>) =>
  Stream.unwrap(Effect.map(encodePlan(plan), (encoded) => write(encoded as unknown as Json, (r) => r, plan.staged, rows, 0)))
