/**
 * Write-back values the ERP file cannot hold, found when planning: a Pipedrive value with a
 * character the file's encoding cannot represent (an emoji in a Windows-1252 file) is never
 * "written back". Under `erp.writeBack.unencodable: "refuse"` it leaves the plan's operations and
 * becomes a `refused` write-back problem — planned again, on its own, on every run until it can be
 * written; the rest of its row is written. Under `"replace"` it is written with `?` in place of
 * each such character (a `replaced` problem says so), and once the ERP holds the replaced text the
 * field is in sync: the next plans neither write it again nor report it.
 */
import type { Unencodable } from "../config/SyncConfig.js"
import * as Field from "../domain/Field.js"
import * as Plan from "../domain/Plan.js"
import type * as Compile from "../mapping/Compile.js"
import type * as CatalogSource from "../source/CatalogSource.js"
import * as Erp from "../mapping/Erp.js"

/** The cell a field's value is written as (a money amount as its decimal). */
export const cellValue = (compiled: Compile.Compiled, f: Compile.CompiledField, value: Field.Value, decimal: "." | ","): CatalogSource.Value =>
  value === null ? null : typeof value === "object" && "amount" in value ? value.amount : Erp.toCell(compiled, f, value, { decimal })

export interface Context {
  readonly compiled: Compile.Compiled
  /** The ERP file's encoding, for messages. */
  readonly encoding: string
  /** The characters of a text the write-back cannot hold (`CatalogSource.Read.unencodable`). */
  readonly cannotHold: (text: string) => ReadonlyArray<string>
  readonly unencodable: Unencodable
  /** Pending write-backs, by key then field path. */
  readonly pending: ReadonlyMap<string, ReadonlyMap<Field.Path, Field.Value>>
}

const show = (s: string) => JSON.stringify(s)

/** What `replace` writes in place of a character the file cannot hold. */
export const replacement = "?"

/** `text` with each of `characters` replaced. */
const replaceUnholdable = (text: string, characters: ReadonlyArray<string>): string => {
  const bad = new Set(characters)
  let out = ""
  for (const char of text) out += bad.has(char) ? replacement : char
  return out
}

interface Found {
  readonly f: Compile.CompiledField
  readonly column: string
  readonly text: string
  readonly characters: ReadonlyArray<string>
}

/** What of `value` the file cannot hold, for a field written to an ERP column. */
const unwritable = (ctx: Context, path: Field.Path, value: Field.Value): Found | undefined => {
  const f = ctx.compiled.byPath.get(path)
  const column = f?.erp?.column
  if (f === undefined || column === undefined) return undefined
  const cell = cellValue(ctx.compiled, f, value, ".")
  if (typeof cell !== "string") return undefined
  const characters = ctx.cannotHold(cell)
  return characters.length === 0 ? undefined : { f, column, text: cell, characters }
}

const cannot = (found: Found, encoding: string) => `${show(found.text)} holds ${found.characters.map(show).join(", ")}, which ${encoding} cannot encode`

/** The plan with the values the ERP file cannot hold taken out of its ERP operations (or replaced), and listed. */
export const check = (plan: Plan.Plan, ctx: Context): Plan.Plan => {
  const problems: Array<Plan.WriteBackProblem> = []
  const agreements: Array<Plan.Agreement> = []
  let pendingDelta = 0
  const operations: Array<Plan.Operation> = []
  for (const op of plan.operations) {
    if (op.side !== "erp" || (op.kind !== "create" && op.kind !== "update")) {
      operations.push(op)
      continue
    }
    const changes: Array<Plan.FieldChange> = []
    for (const c of op.changes) {
      const found = unwritable(ctx, c.path, c.after)
      if (found === undefined) {
        changes.push(c)
        continue
      }
      const base = { key: op.key, path: c.path, column: found.column, value: found.text, characters: found.characters, encoding: ctx.encoding }
      if (ctx.unencodable === "replace" && typeof c.after === "string" && found.f.erp?.values === undefined) {
        const written = replaceUnholdable(c.after, ctx.cannotHold(c.after))
        const pending = ctx.pending.get(op.key)?.get(c.path)
        if (typeof c.before === "string" && c.before === written) {
          // The ERP holds the replaced text: in sync. An earlier write-back of it is imported.
          if (pending !== undefined) agreements.push({ key: op.key, path: c.path, value: written })
        } else if (pending === written) {
          pendingDelta++ // written back earlier, the ERP has not imported it yet
        } else {
          changes.push({ ...c, after: written })
          problems.push({ ...base, resolution: "replaced", written, message: `${cannot(found, ctx.encoding)}: written as ${show(written)} (erp.writeBack.unencodable: "replace")` })
        }
        continue
      }
      const why = ctx.unencodable === "replace" ? "; an option or list value is never replaced: rename it in Pipedrive" : `; change it in Pipedrive, or set erp.writeBack.unencodable: "replace" to write "${replacement}" in its place`
      problems.push({ ...base, resolution: "refused", message: `not written back: ${cannot(found, ctx.encoding)}${why}` })
    }
    const same = changes.length === op.changes.length && changes.every((c, i) => c === op.changes[i])
    if (changes.length > 0 || op.kind === "create") operations.push(same ? op : { ...op, changes })
  }
  // Values recorded as written back by an earlier version that could not write them.
  for (const [key, fields] of ctx.pending) {
    for (const [path, value] of fields) {
      const found = unwritable(ctx, path, value)
      if (found === undefined) continue
      pendingDelta--
      problems.push({
        key,
        path,
        column: found.column,
        value: found.text,
        characters: found.characters,
        encoding: ctx.encoding,
        resolution: "refused",
        message: `recorded as written back, but never written: ${cannot(found, ctx.encoding)}; the next sync drops it from the write-back and plans it afresh`
      })
    }
  }
  const untouched = operations.length === plan.operations.length && operations.every((o, i) => o === plan.operations[i])
  if (untouched && problems.length === 0 && agreements.length === 0 && pendingDelta === 0) return plan
  const count = (kind: string) => operations.filter((o) => o.side === "erp" && o.kind === kind).length
  const byKey = (a: { key: string; path: string }, b: { key: string; path: string }) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.path < b.path ? -1 : a.path > b.path ? 1 : 0)
  return new Plan.Plan({
    ...plan,
    operations,
    agreements: agreements.length === 0 ? plan.agreements : [...plan.agreements, ...agreements].sort(byKey),
    writeBackProblems: [...plan.writeBackProblems, ...problems].sort(byKey),
    totals: {
      ...plan.totals,
      erpCreates: count("create"),
      erpUpdates: count("update"),
      fieldChanges: operations.reduce((n, o) => n + o.changes.length, 0),
      pendingWriteBacks: plan.totals.pendingWriteBacks + pendingDelta
    }
  })
}
