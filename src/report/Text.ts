/**
 * A report (plan or run) as terminal text: the title and facts, guard verdicts, each product's
 * operation with its field-level before → after (and, for a run, its outcome), conflicts held,
 * then the remarks. Aligned; coloured when given `Paint.ansi`. Long values and long lists are cut
 * (the other formats carry everything).
 */
import * as Model from "./Model.js"
import * as Paint from "./Paint.js"

const clip = (s: string, n = 60) => (s.length > n ? `${s.slice(0, n - 1)}…` : s)
/** One line per value: line breaks and tabs shown escaped. */
const oneLine = (s: string) => clip(JSON.stringify(s).slice(1, -1))

const marker: Record<string, string> = { create: "+", update: "~", archive: "▾", delete: "-", unlink: "×" }

/** How many lines of a remark section the terminal shows. */
const SECTION_LINES = 20

export const render = (report: Model.Report, paint: Paint.Paint = Paint.plain): string => {
  const lines: Array<string> = [paint.bold(report.title)]
  const labelWidth = Math.max(0, ...report.facts.map(([label]) => label.length))
  for (const [label, text] of report.facts) lines.push(`  ${label.padEnd(labelWidth)}  ${text}`)
  if (report.guards.length > 0) {
    lines.push("", paint.bold("Guards:"))
    for (const g of report.guards) lines.push(`  ${g.passed ? paint.tone("good", "ok     ") : paint.tone("bad", "REFUSED")} ${g.message}`)
  }
  if (report.items.length > 0) {
    lines.push("", paint.bold(report.kind === "plan" ? "Changes:" : "Operations:"))
    const width = Math.min(28, Math.max(8, ...report.items.flatMap((o) => o.changes.map((c) => c.path.length))))
    for (const item of report.items) {
      const tone = Paint.toneOf(item.kind)
      const outcome = item.outcome === undefined ? "" : `${paint.tone(Paint.toneOf(item.outcome), `[${item.outcome}]`)} `
      const tokens = item.tokens > 0 ? paint.dim(` [${item.tokens} tokens]`) : ""
      lines.push(`  ${paint.tone(tone, marker[item.kind] ?? "?")} ${outcome}${paint.bold(item.key)}  ${paint.tone(tone, Model.describeItem(item))} — ${item.reason}${tokens}`)
      if (item.error !== undefined) lines.push(`      ${paint.tone("bad", `error: ${item.error}`)}${item.attempts ? paint.dim(` (${Model.attempts(item.attempts)})`) : ""}`)
      for (const c of item.changes) {
        const before = c.before === undefined ? "" : `${paint.tone("remove", oneLine(c.before))} → `
        lines.push(`      ${c.path.padEnd(width)}  ${before}${paint.tone("add", oneLine(c.after))}`)
      }
    }
  }
  if (report.conflicts.length > 0) {
    lines.push("", paint.bold("Conflicts held for review (both sides changed the field differently; policy: manual):"))
    for (const c of report.conflicts) {
      lines.push(`  ${paint.tone("held", "!")} ${c.key}  ${c.path}: ERP ${oneLine(c.erp)} | Pipedrive ${oneLine(c.pipedrive)} | last agreed ${oneLine(c.base)}`)
    }
  }
  for (const s of report.sections) {
    lines.push("", paint.bold(`${s.title}:`))
    for (const l of s.lines.slice(0, SECTION_LINES)) lines.push(`  ${s.marker} ${l}`)
    if (s.lines.length > SECTION_LINES) lines.push(`  ${s.marker} … and ${s.lines.length - SECTION_LINES} more (see --format json)`)
  }
  if (report.warning !== undefined) lines.push("", paint.tone("bad", report.warning))
  return lines.join("\n")
}
