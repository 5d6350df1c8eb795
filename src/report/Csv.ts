/**
 * A report (plan or run) as CSV: one row per field change, and one row for an operation that
 * changes no field (a delete, an archive, an unlink). An operation's tokens are on its first row only,
 * so the column sums to the total. Comma-separated, RFC 4180 quoting, UTF-8;
 * text a spreadsheet would run as a formula is neutralised as in the ERP write-back.
 */
import * as Serialize from "../erp/Serialize.js"
import type * as Model from "./Model.js"

export const columns = ["key", "side", "operation", "pipedrive_id", "field", "before", "after", "rule", "reason", "tokens", "outcome", "error"] as const

const layout: Serialize.Layout = { delimiter: ",", quote: "\"", lineEnding: "lf" }

export const render = (report: Model.Report): string => {
  const out = [Serialize.row(columns, layout)]
  for (const item of report.items) {
    const common = (c: Model.Change | undefined, first: boolean) => [
      item.key,
      item.side,
      item.kind,
      item.pipedriveId === undefined ? "" : String(item.pipedriveId),
      c?.path ?? "",
      c?.before ?? "",
      c?.after ?? "",
      c?.rule ?? "",
      item.reason,
      first ? String(item.tokens) : "",
      item.outcome ?? "",
      item.error ?? ""
    ]
    const changes = item.changes.length === 0 ? [undefined] : item.changes
    changes.forEach((c, i) => out.push(Serialize.row(common(c, i === 0).map(Serialize.neutralise), layout)))
  }
  return out.join("")
}
