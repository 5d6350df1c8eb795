/**
 * The finished plan: judged against the guards (DESIGN §6.6), which measure the risk to what
 * exists, sorted, and totalled.
 */
import * as Plan from "../domain/Plan.js"
import type { Builder, Context } from "./Decision.js"
import { tokenCost } from "./Decision.js"

const pct = (x: number) => `${Math.round(x * 1000) / 10} %`

/** What the planner knows only once every key is planned. */
export interface Totals {
  readonly erpRows: number
  readonly lastErpRows: number | undefined
  readonly pipedriveProducts: number
  readonly hash: string
  readonly now: string
  /** The reasons of the rejected ERP rows, one per row (`column: reason; …`). */
  readonly rejectedReasons?: ReadonlyArray<string>
}

/**
 * What the guards measure: `existing` products on both sides, of which `updated` get a Pipedrive
 * update that overwrites a value (filling empty fields risks nothing); `linked` products, of which `deleted` are deleted, archived or unlinked (either side).
 */
export interface Counts {
  keys: number
  existing: number
  updated: number
  deleted: number
  linked: number
}

/**
 * A share guard: trips when `count` of `of` is above the share `limit` and `count` reaches the floor
 * `minCount` too (a small catalog's routine edits are no mass change); `always` trips it regardless.
 */
const shareGuard = (name: Plan.GuardName, count: number, of: number, limit: number, minCount: number, what: string, always = false): Plan.Guard => {
  const share = of === 0 ? 0 : count / of
  const over = share > limit
  const floor = over && !always && count < minCount ? `; below the floor of ${minCount} (policies.guards.minCount)` : ""
  return {
    name,
    passed: !always && !(over && count >= minCount),
    limit,
    actual: share,
    message: `${count} of ${of} ${what} (${pct(share)}; limit ${pct(limit)}, policies.guards.${name}${floor})`
  }
}

/** The rejected rows' reasons, most frequent first: `3 × price: "…" is not a number; 1 × …`. */
const reasonCounts = (reasons: ReadonlyArray<string>): string => {
  const counts = new Map<string, number>()
  for (const r of reasons) counts.set(r, (counts.get(r) ?? 0) + 1)
  const sorted = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
  const shown = sorted.slice(0, 3).map(([r, n]) => `${n} × ${r}`)
  const rest = sorted.slice(3).reduce((n, [, c]) => n + c, 0)
  return [...shown, ...(rest > 0 ? [`${rest} more with ${sorted.length - 3} other reasons`] : [])].join("; ")
}

/** Judges a plan against the guards (DESIGN §6.6): they measure the risk to what exists. */
const judge = (ctx: Context, out: Builder, counts: Counts, input: Totals): Array<Plan.Guard> => {
  const { guards: limits, deletes } = ctx
  const floor = limits.minCount
  const linked = counts.linked + out.links
  const gone = deletes === "delete" ? "deleted" : deletes === "archive" ? "archived" : "unlinked"
  const guards: Array<Plan.Guard> = [
    shareGuard("maxChangedShare", counts.updated, counts.existing, limits.maxChangedShare, floor, "existing Pipedrive products would be updated"),
    shareGuard("maxDeletedShare", counts.deleted, linked, limits.maxDeletedShare, floor, `linked products would be ${gone}`)
  ]
  if (input.lastErpRows === undefined || input.lastErpRows === 0) {
    guards.push({ name: "maxRowDrop", passed: true, limit: limits.maxRowDrop, actual: 0, message: "no earlier run to compare the ERP row count with" })
  } else {
    const dropped = Math.max(0, input.lastErpRows - input.erpRows)
    guards.push(shareGuard("maxRowDrop", dropped, input.lastErpRows, limits.maxRowDrop, floor, `ERP rows of the last run are gone (the file has ${input.erpRows} now)`))
  }
  const rejected = input.rejectedReasons ?? []
  const allRejected = rejected.length > 0 && rejected.length >= input.erpRows
  const r = shareGuard("maxRejectedShare", rejected.length, input.erpRows, limits.maxRejectedShare, floor, "ERP rows rejected", allRejected)
  // Most rows rejected for a repeated key: the file repeats keys by design (tiers, store views).
  const repeated = rejected.filter((x) => x.includes("every row with it is rejected")).length
  const byDesign = !r.passed && repeated * 2 > rejected.length
    ? ". If the file repeats keys by design (a row per tier, group or store view), say which rows are the products: rows.where or rows.duplicates in the mapping (docs/mapping.md, \"Rows\")"
    : ""
  guards.push(rejected.length === 0 ? r : { ...r, message: `${r.message}${allRejected ? " — every row" : ""}: ${reasonCounts(rejected)}${byDesign}` })
  guards.push({
    name: "emptyFile",
    passed: input.erpRows > 0,
    limit: 1,
    actual: input.erpRows,
    message: input.erpRows > 0 ? `the ERP file has ${input.erpRows} rows` : "the ERP file has no product rows: a truncated export would delete or archive everything"
  })
  return guards
}

/**
 * The plan: `out` judged, sorted and totalled; `links` the links the sink kept in memory, `staged`
 * where the sink put them (and the agreements of existing products) otherwise.
 */
export const finish = (ctx: Context, out: Builder, counts: Counts, input: Totals, links: Array<Plan.Link>, staged: Plan.Staged | undefined): Plan.Plan => {
  const { compiled } = ctx
  const guards = judge(ctx, out, counts, input)
  const byKey = (a: { key: string }, b: { key: string }) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)
  const ops = out.operations.sort((a, b) => byKey(a, b) || (a.side === b.side ? a.kind.localeCompare(b.kind) : a.side === "pipedrive" ? -1 : 1))
  const count = (side: string, kind: string) => ops.filter((o) => o.side === side && o.kind === kind).length
  const fieldsToCreate = compiled.toCreate.map((f) => ({ label: f.label, type: f.type, options: [...f.options] }))
  return new Plan.Plan({
    version: Plan.version,
    createdAt: input.now,
    inputs: { hash: input.hash, erpRows: input.erpRows, pipedriveProducts: input.pipedriveProducts },
    operations: ops,
    agreements: out.agreements.sort(byKey),
    links: links.sort(byKey),
    conflicts: out.conflicts.sort(byKey),
    ambiguities: out.ambiguities.sort(byKey),
    notes: out.notes.sort(byKey),
    fieldsToCreate,
    guards,
    totals: {
      products: counts.keys,
      pipedriveCreates: count("pipedrive", "create"),
      pipedriveUpdates: count("pipedrive", "update"),
      pipedriveArchives: count("pipedrive", "archive"),
      pipedriveDeletes: count("pipedrive", "delete"),
      unlinks: ops.filter((o) => o.kind === "unlink").length,
      erpCreates: count("erp", "create"),
      erpUpdates: count("erp", "update"),
      fieldChanges: ops.reduce((n, o) => n + o.changes.length, 0),
      conflicts: out.conflicts.length,
      ambiguities: out.ambiguities.length,
      pendingWriteBacks: out.pendingWriteBacks,
      fieldsToCreate: fieldsToCreate.length,
      tokens: ops.reduce((n, o) => n + o.tokens, 0) + fieldsToCreate.length * tokenCost.createField
    },
    ...(staged === undefined ? {} : { staged })
  })
}
