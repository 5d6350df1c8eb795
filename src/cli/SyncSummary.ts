/** The summary `sync` prints at the end of a run, for people. */
import type * as Execute from "../execute/Execute.js"

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`

/** The summary printed at the end of a sync. */
export const render = (s: Execute.RunSummary, runId: number): string => {
  const w = s.writes
  const lines = [
    `Sync run #${runId}: ${s.status}`,
    `  writes      ${w.done} done, ${w.failed} failed, ${w.notSent} not sent${w.unknown > 0 ? `, ${w.unknown} outcome unknown` : ""}${w.held > 0 ? `, ${w.held} held (an earlier write's outcome is unknown)` : ""} — of ${w.planned} planned`,
    `  state       ${s.links} links made (matched or created), ${s.agreements} fields agreed without a write`,
    `  conflicts   ${s.conflictsHeld} held for review`,
    `  write-back  ${s.writeBack.pending} pending${s.writeBack.file === undefined ? "" : ` → ${s.writeBack.file.path} (${s.writeBack.file.mode}, ${s.writeBack.file.rows} rows)`}${s.writeBack.error === undefined ? "" : `; NOT WRITTEN: ${s.writeBack.error}`}`,
    `  tokens      ${s.tokens.used} for writes and lookups (plan estimate ${s.tokens.planned}); ${s.tokens.run} in all this run, ${s.tokens.runRequests} requests`,
    `  time        ${seconds(s.elapsedMs)} executing`
  ]
  const r = s.resumed
  if (r.found > 0) lines.push(`  resumed     ${r.found} unfinished from earlier runs: ${r.applied} found applied, ${r.replanned} planned afresh, ${r.failed} failed${r.unresolvedKeys.length > 0 ? `, ${r.unresolvedKeys.length} still unknown` : ""}`)
  const failures = [...r.failures, ...s.failures]
  if (failures.length > 0) {
    lines.push("", `Failed (${failures.length}):`)
    for (const f of failures.slice(0, 50)) lines.push(`  ${f.key} ${f.kind}${f.pipedriveId === undefined ? "" : ` #${f.pipedriveId}`}: ${f.message}`)
    if (failures.length > 50) lines.push(`  … and ${failures.length - 50} more (catalog-sync runs ${runId})`)
  }
  if (s.unconfirmed.length > 0) {
    lines.push("", `Written, but Pipedrive holds another value (base not advanced) (${s.unconfirmed.length}):`)
    for (const u of s.unconfirmed.slice(0, 20)) lines.push(`  ${u.key} ${u.path}: wrote ${u.wrote}, holds ${u.held}`)
  }
  for (const n of s.writeBack.notWritten.slice(0, 20)) lines.push(`  ${n.key}: ${n.message}`)
  if (s.writeBack.replaced.length > 0) lines.push("", `Written back with "?" in place of what the ERP file cannot hold (${s.writeBack.replaced.length}):`)
  for (const p of s.writeBack.replaced.slice(0, 20)) lines.push(`  ${p.key} ${p.path}: ${p.message}`)
  if (s.stop !== undefined) lines.push("", s.stop.message)
  return lines.join("\n")
}
