/**
 * A plan as a terminal report: the summary counts and token cost, the guard verdicts, then each
 * product's operations with their field-level before → after, conflicts held and ambiguities.
 * Plain text, aligned, no colour (colour and other formats come with the CLI's report options).
 */
import * as Field from "../domain/Field.js"
import type * as Plan from "../domain/Plan.js"

const clip = (s: string, n = 60) => (s.length > n ? `${s.slice(0, n - 1)}…` : s)
const show = (v: Field.Value | undefined) => (v === undefined ? "—" : clip(JSON.stringify(Field.show(v)).slice(1, -1)))
const pct = (x: number) => `${Math.round(x * 1000) / 10} %`

const marker: Record<string, string> = { create: "+", update: "~", archive: "▾", delete: "-", unlink: "×" }

const describeOp = (op: Plan.Operation): string => {
  const where = op.side === "pipedrive" ? `in Pipedrive${op.pipedriveId === undefined ? "" : ` (#${op.pipedriveId})`}` : "in the ERP write-back"
  return `${op.kind} ${where}`
}

export interface Extra {
  /** Rows of the ERP file kept aside, as `line: key: reasons`. */
  readonly rejects?: ReadonlyArray<string>
  readonly rejectsFile?: string
}

export const render = (plan: Plan.Plan, extra: Extra = {}): string => {
  const t = plan.totals
  const lines: Array<string> = []
  const pd = [t.pipedriveCreates && `${t.pipedriveCreates} to create`, t.pipedriveUpdates && `${t.pipedriveUpdates} to update`, t.pipedriveArchives && `${t.pipedriveArchives} to archive`, t.pipedriveDeletes && `${t.pipedriveDeletes} to delete`].filter(Boolean).join(", ") || "nothing to write"
  const erp = [t.erpCreates && `${t.erpCreates} new rows`, t.erpUpdates && `${t.erpUpdates} rows to update`].filter(Boolean).join(", ") || "nothing to write back"
  lines.push(`Plan for ${t.products} products (${plan.inputs.erpRows} ERP rows, ${plan.inputs.pipedriveProducts} Pipedrive products)`)
  lines.push(`  Pipedrive   ${pd}`)
  lines.push(`  ERP         ${erp}${t.pendingWriteBacks > 0 ? `; ${t.pendingWriteBacks} values written back earlier still wait for the ERP to import them` : ""}`)
  lines.push(`  fields      ${t.fieldChanges} field changes${t.fieldsToCreate > 0 ? `; ${t.fieldsToCreate} custom fields to create` : ""}`)
  lines.push(`  held        ${t.conflicts} conflicts, ${t.ambiguities} ambiguous codes`)
  lines.push(`  API cost    ${t.tokens} tokens for the writes`)
  lines.push("")
  lines.push("Guards:")
  for (const g of plan.guards) lines.push(`  ${g.passed ? "ok     " : "REFUSED"} ${g.message}`)
  if (plan.fieldsToCreate.length > 0) {
    lines.push("", "Custom fields to create in Pipedrive:")
    for (const f of plan.fieldsToCreate) lines.push(`  + ${f.label} (${f.type}${f.options.length > 0 ? `: ${f.options.join(", ")}` : ""})`)
  }
  if (plan.operations.length > 0) {
    lines.push("", "Changes:")
    const width = Math.min(28, Math.max(8, ...plan.operations.flatMap((o) => o.changes.map((c) => c.path.length))))
    for (const op of plan.operations) {
      lines.push(`  ${marker[op.kind] ?? "?"} ${op.key}  ${describeOp(op)} — ${op.reason}${op.tokens > 0 ? ` [${op.tokens} tokens]` : ""}`)
      for (const c of op.changes) {
        lines.push(`      ${c.path.padEnd(width)}  ${c.before === undefined ? "" : `${show(c.before)} → `}${show(c.after)}`)
      }
    }
  }
  if (plan.conflicts.length > 0) {
    lines.push("", "Conflicts held for review (both sides changed the field differently; policy: manual):")
    for (const c of plan.conflicts) lines.push(`  ! ${c.key}  ${c.path}: ERP ${show(c.erp)} | Pipedrive ${show(c.pipedrive)} | last agreed ${show(c.base)}`)
  }
  if (plan.ambiguities.length > 0) {
    lines.push("", "Ambiguous product codes (left untouched):")
    for (const a of plan.ambiguities) lines.push(`  ? ${a.key}  ${a.message}`)
  }
  if (plan.notes.length > 0) {
    lines.push("", `Notes (${plan.notes.length}):`)
    for (const n of plan.notes.slice(0, 20)) lines.push(`  · ${n.key}${n.path ? ` ${n.path}` : ""}: ${n.message}`)
    if (plan.notes.length > 20) lines.push(`  · … and ${plan.notes.length - 20} more (see --format json)`)
  }
  if (extra.rejects !== undefined && extra.rejects.length > 0) {
    lines.push("", `ERP rows kept aside (${extra.rejects.length})${extra.rejectsFile ? `, written to ${extra.rejectsFile}` : ""}:`)
    for (const r of extra.rejects.slice(0, 20)) lines.push(`  ✗ ${r}`)
    if (extra.rejects.length > 20) lines.push(`  ✗ … and ${extra.rejects.length - 20} more`)
  }
  if (plan.guards.some((g) => !g.passed)) {
    lines.push("", `A guard refused this plan: nothing would be written without --force (${plan.guards.filter((g) => !g.passed).map((g) => `${g.name} ${pct(g.actual)} > ${pct(g.limit)}`).join(", ")}).`)
  }
  return lines.join("\n")
}
