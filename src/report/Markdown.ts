/**
 * A report (plan or run) as Markdown, for a pull request, a ticket or a chat: the facts, the counts,
 * guard verdicts, one table row per field change (and per operation without field changes),
 * conflicts, then the remarks. Every cell is escaped, so product text cannot break the tables.
 */
import * as Model from "./Model.js"

/** Text safe inside a Markdown table cell. */
export const escape = (s: string): string =>
  s.replace(/[\\`*_[\]<>|#]/g, (c) => `\\${c}`).replace(/\r\n|\r|\n/g, "<br>")

const row = (cells: ReadonlyArray<string>) => `| ${cells.join(" | ")} |`
const table = (head: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>) =>
  [row(head), row(head.map(() => "---")), ...rows.map(row)].join("\n")

export const render = (report: Model.Report): string => {
  const out: Array<string> = [`# ${escape(report.title)}`, ""]
  out.push(table(["", ""], report.facts.map(([label, text]) => [`**${escape(label)}**`, escape(text)])), "")
  out.push("## Summary", "", table(["", "count"], report.counts.map((c) => [escape(c.label), String(c.value)])), "")
  if (report.guards.length > 0) {
    out.push("## Guards", "", ...report.guards.map((g) => `- ${g.passed ? "✅ ok" : "⛔ **refused**"} — ${escape(g.message)}`), "")
  }
  if (report.items.length > 0) {
    const run = report.kind === "run"
    const head = ["Product", "Operation", ...(run ? ["Outcome"] : []), "Field", "Before", "After", "Why"]
    const rows = report.items.flatMap((item) => {
      const first = [`**${escape(item.key)}**`, escape(Model.describeItem(item)), ...(run ? [escape(item.outcome ?? "") + (item.error ? `: ${escape(item.error)}` : "")] : [])]
      const blank = first.map(() => "")
      const why = escape(item.reason) + (item.tokens > 0 ? ` (${item.tokens} tokens)` : "")
      if (item.changes.length === 0) return [[...first, "—", "", "", why]]
      return item.changes.map((c, i) => [...(i === 0 ? first : blank), `\`${c.path.replace(/`/g, "'")}\``, c.before === undefined ? "" : escape(c.before), escape(c.after), i === 0 ? why : ""])
    })
    out.push(run ? "## Operations" : "## Changes", "", table(head, rows), "")
  }
  if (report.conflicts.length > 0) {
    out.push(
      "## Conflicts held for review",
      "",
      table(["Product", "Field", "ERP", "Pipedrive", "Last agreed"], report.conflicts.map((c) => [escape(c.key), escape(c.path), escape(c.erp), escape(c.pipedrive), escape(c.base)])),
      ""
    )
  }
  for (const s of report.sections) out.push(`## ${escape(s.title)}`, "", ...s.lines.map((l) => `- ${escape(l)}`), "")
  if (report.warning !== undefined) out.push(`> **${escape(report.warning)}**`, "")
  return out.join("\n")
}
