/**
 * One report document for both things catalog-sync reports on — a plan (what would change) and a
 * run (what was sent, with each operation's outcome from the journal) — so that every format
 * (terminal, Markdown, CSV, HTML) renders the same facts from the same shape. Values are already
 * shown as text here; the JSON format keeps the typed data instead (see `Json.ts`).
 */
import { Either, Schema } from "effect"
import { CustomValue } from "../domain/CatalogProduct.js"
import * as Field from "../domain/Field.js"
import type * as Plan from "../domain/Plan.js"
import type * as Journal from "../store/Journal.js"
import type * as Run from "../store/Run.js"

/** How a count or a verdict should look: a colour in the terminal, a class in HTML. */
export type Tone = "add" | "change" | "remove" | "held" | "good" | "bad" | "plain"

export interface Count {
  /** Stable name, used in HTML (`data-count`) and tests. */
  readonly name: string
  readonly label: string
  readonly value: number
  readonly tone: Tone
  /** Drawn in the HTML report's chart (default `true`; not for totals such as tokens). */
  readonly chart?: false
}

export interface Change {
  readonly path: string
  /** The target side's current value, shown; absent for a create. */
  readonly before?: string
  readonly after: string
  readonly rule: string
}

export interface Item {
  readonly key: string
  readonly side: "pipedrive" | "erp"
  readonly kind: string
  readonly pipedriveId?: number
  readonly reason: string
  readonly tokens: number
  /** For a run: the journal state (`done`, `failed`, …). */
  readonly outcome?: string
  readonly error?: string
  readonly attempts?: number
  readonly changes: ReadonlyArray<Change>
}

export interface Verdict {
  readonly name: string
  readonly passed: boolean
  readonly message: string
}

export interface Conflict {
  readonly key: string
  readonly path: string
  readonly erp: string
  readonly pipedrive: string
  readonly base: string
}

/** A list of one-line remarks under a title: ambiguous codes, notes, rejected rows, fields to create. */
export interface Section {
  readonly name: string
  readonly title: string
  readonly marker: string
  readonly lines: ReadonlyArray<string>
}

export interface Report {
  readonly kind: "plan" | "run"
  readonly title: string
  /** Label → text lines under the title. */
  readonly facts: ReadonlyArray<readonly [string, string]>
  readonly counts: ReadonlyArray<Count>
  readonly guards: ReadonlyArray<Verdict>
  readonly items: ReadonlyArray<Item>
  readonly conflicts: ReadonlyArray<Conflict>
  readonly sections: ReadonlyArray<Section>
  /** A closing warning (a refused plan, a failed run). */
  readonly warning?: string
}

/** A row of the ERP file kept aside. */
export interface Reject {
  readonly line: number
  readonly key: string | null
  readonly reasons: ReadonlyArray<string>
}

export interface PlanExtra {
  /** Rows kept aside; a string is a line already written for people. */
  readonly rejects?: ReadonlyArray<Reject | string>
  readonly rejectsFile?: string
  /** What of the ERP file was skipped as not products (empty rows, footnotes, rows filtered out). */
  readonly skipped?: ReadonlyArray<string>
}

const pct = (x: number) => `${Math.round(x * 1000) / 10} %`
const list = (parts: ReadonlyArray<string | false | 0>, none: string) => parts.filter(Boolean).join(", ") || none

/** A plan value as text (`(empty)` for null). */
export const showValue = (v: Field.Value | null | undefined): string => (v === undefined ? "—" : Field.show(v))

const where = (side: string, pipedriveId: number | undefined) =>
  side === "pipedrive" ? `in Pipedrive${pipedriveId === undefined ? "" : ` (#${pipedriveId})`}` : "in the ERP write-back"

/** Where an item writes, for people: `update in Pipedrive (#39)`. */
export const describeItem = (item: Item): string => `${item.kind} ${where(item.side, item.pipedriveId)}`

/** `1 attempt`, `3 attempts`. */
export const attempts = (n: number): string => `${n} attempt${n === 1 ? "" : "s"}`

export const rejectLine = (r: Reject | string): string => typeof r === "string" ? r : `line ${r.line}${r.key ? ` (${r.key})` : ""}: ${r.reasons.join("; ")}`

export const fromPlan = (plan: Plan.Plan, extra: PlanExtra = {}): Report => {
  const t = plan.totals
  const refused = plan.guards.filter((g) => !g.passed)
  const rejects = extra.rejects ?? []
  const sections: Array<Section> = []
  if (plan.fieldsToCreate.length > 0) {
    sections.push({
      name: "fields-to-create",
      title: "Custom fields to create in Pipedrive",
      marker: "+",
      lines: plan.fieldsToCreate.map((f) => `${f.label} (${f.type}${f.options.length > 0 ? `: ${f.options.join(", ")}` : ""})`)
    })
  }
  if (plan.ambiguities.length > 0) {
    sections.push({ name: "ambiguities", title: "Ambiguous product codes (left untouched)", marker: "?", lines: plan.ambiguities.map((a) => `${a.key}  ${a.message}`) })
  }
  if (plan.writeBackProblems.length > 0) {
    sections.push({ name: "write-back", title: `Write-back values the ERP file cannot hold (${plan.writeBackProblems.length})`, marker: "!", lines: plan.writeBackProblems.map((p) => `${p.key} ${p.path}: ${p.message}`) })
  }
  if (plan.notes.length > 0) {
    sections.push({ name: "notes", title: `Notes (${plan.notes.length})`, marker: "·", lines: plan.notes.map((n) => `${n.key}${n.path ? ` ${n.path}` : ""}: ${n.message}`) })
  }
  if (rejects.length > 0) {
    sections.push({
      name: "rejects",
      title: `ERP rows kept aside (${rejects.length})${extra.rejectsFile ? `, written to ${extra.rejectsFile}` : ""}`,
      marker: "✗",
      lines: rejects.map(rejectLine)
    })
  }
  if ((extra.skipped ?? []).length > 0) {
    sections.push({ name: "skipped", title: "ERP lines skipped (not products)", marker: "·", lines: [...(extra.skipped ?? [])] })
  }
  return {
    kind: "plan",
    title: `Plan for ${t.products} products (${plan.inputs.erpRows} ERP rows, ${plan.inputs.pipedriveProducts} Pipedrive products)`,
    facts: [
      ["Pipedrive", list([t.pipedriveCreates && `${t.pipedriveCreates} to create`, t.pipedriveUpdates && `${t.pipedriveUpdates} to update`, t.pipedriveArchives && `${t.pipedriveArchives} to archive`, t.pipedriveDeletes && `${t.pipedriveDeletes} to delete`, t.unlinks && `${t.unlinks} to unlink`], "nothing to write")],
      ["ERP", list([t.erpCreates && `${t.erpCreates} new rows`, t.erpUpdates && `${t.erpUpdates} rows to update`], "nothing to write back") + (t.pendingWriteBacks > 0 ? `; ${t.pendingWriteBacks} values written back earlier still wait for the ERP to import them` : "")],
      ["fields", `${t.fieldChanges} field changes${t.fieldsToCreate > 0 ? `; ${t.fieldsToCreate} custom fields to create` : ""}`],
      ["held", `${t.conflicts} conflicts, ${t.ambiguities} ambiguous codes`],
      ["API cost", `${t.tokens} tokens for the writes`],
      ["created", `${plan.createdAt}, inputs ${plan.inputs.hash.slice(0, 12)}`]
    ],
    counts: [
      { name: "pipedriveCreates", label: "to create in Pipedrive", value: t.pipedriveCreates, tone: "add" },
      { name: "pipedriveUpdates", label: "to update in Pipedrive", value: t.pipedriveUpdates, tone: "change" },
      { name: "pipedriveRemovals", label: "to archive, delete or unlink", value: t.pipedriveArchives + t.pipedriveDeletes + t.unlinks, tone: "remove" },
      { name: "erpCreates", label: "new ERP rows", value: t.erpCreates, tone: "add" },
      { name: "erpUpdates", label: "ERP rows to update", value: t.erpUpdates, tone: "change" },
      { name: "fieldChanges", label: "field changes", value: t.fieldChanges, tone: "plain", chart: false },
      { name: "conflicts", label: "conflicts held", value: t.conflicts, tone: "held" },
      { name: "ambiguities", label: "ambiguous codes", value: t.ambiguities, tone: "held" },
      { name: "rejects", label: "ERP rows kept aside", value: rejects.length, tone: "bad" },
      { name: "tokens", label: "API tokens", value: t.tokens, tone: "plain", chart: false }
    ],
    guards: plan.guards.map((g) => ({ name: g.name, passed: g.passed, message: g.message })),
    items: plan.operations.map((op) => ({
      key: op.key,
      side: op.side,
      kind: op.kind,
      ...(op.pipedriveId === undefined ? {} : { pipedriveId: op.pipedriveId }),
      reason: op.reason,
      tokens: op.tokens,
      changes: op.changes.map((c) => ({ path: c.path, ...(c.before === undefined ? {} : { before: showValue(c.before) }), after: showValue(c.after), rule: c.rule }))
    })),
    conflicts: plan.conflicts.map((c) => ({ key: c.key, path: c.path, erp: showValue(c.erp), pipedrive: showValue(c.pipedrive), base: showValue(c.base) })),
    sections,
    ...(refused.length === 0
      ? {}
      : { warning: `A guard refused this plan: nothing would be written without ${refused.map((g) => `--allow ${g.name}`).join(" ")} or --force (${refused.map((g) => `${g.name} ${pct(g.actual)} > ${pct(g.limit)}`).join(", ")}).` })
  }
}

/** What the state file holds about one run: enough for `runs RUN_ID` without anything else. */
export interface RunData {
  readonly run: Run.Run
  readonly entries: ReadonlyArray<Journal.Entry>
  /** Tokens the state's ledger has for the run's day, when known. */
  readonly tokens?: number
}

const decodeValue = Schema.decodeUnknownEither(CustomValue)

/** A JSON value from a journal payload as text: plan values (tagged decimals, money …) as in a plan. */
export const showJson = (v: unknown): string => {
  const decoded = decodeValue(v)
  if (Either.isRight(decoded)) return showValue(decoded.right)
  return JSON.stringify(v) ?? String(v)
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v)

/**
 * The field changes a journal payload carries: a plan operation's `changes` when the executor
 * journaled the operation, else the API body's fields.
 */
const payloadChanges = (payload: unknown): ReadonlyArray<Change> => {
  if (!isRecord(payload)) return []
  if (Array.isArray(payload.changes)) {
    return payload.changes.filter(isRecord).map((c) => ({
      path: String(c.path),
      ...("before" in c && c.before !== undefined ? { before: showJson(c.before) } : {}),
      after: showJson(c.after),
      rule: typeof c.rule === "string" ? c.rule : ""
    }))
  }
  const body = isRecord(payload.body) ? payload.body : payload
  return Object.entries(body).map(([path, after]) => ({ path, after: showJson(after), rule: "" }))
}

const duration = (from: string, to: string | null): string => {
  if (to === null) return "still running or interrupted"
  const s = Math.max(0, (Date.parse(to) - Date.parse(from)) / 1000)
  return s < 60 ? `${Math.round(s * 10) / 10} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`
}

/** The run's summary (whatever the executor recorded) as label → text, flat. */
export const summaryFacts = (summary: unknown): Array<readonly [string, string]> =>
  isRecord(summary)
    ? Object.entries(summary).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)] as const)
    : summary === null || summary === undefined
      ? []
      : [["summary", JSON.stringify(summary)] as const]

export const stateCounts = (entries: ReadonlyArray<Journal.Entry>): Record<Journal.State, number> => {
  const counts: Record<Journal.State, number> = { pending: 0, sent: 0, done: 0, failed: 0, skipped: 0 }
  for (const e of entries) counts[e.state]++
  return counts
}

export const fromRun = (data: RunData): Report => {
  const { run, entries } = data
  const counts = stateCounts(entries)
  const unfinished = counts.pending + counts.sent
  return {
    kind: "run",
    title: `Run ${run.id} (${run.kind}): ${run.status}`,
    facts: [
      ["started", run.startedAt],
      ["finished", run.finishedAt ?? "—"],
      ["duration", duration(run.startedAt, run.finishedAt)],
      ["ERP rows", run.erpRows === null ? "—" : String(run.erpRows)],
      ...(run.planHash === null ? [] : [["plan", run.planHash] as const]),
      ["operations", `${entries.length} journaled: ${counts.done} done, ${counts.failed} failed, ${counts.skipped} skipped, ${unfinished} unfinished`],
      ...(data.tokens === undefined ? [] : [["API tokens", String(data.tokens)] as const]),
      ...summaryFacts(run.summary)
    ],
    counts: [
      { name: "done", label: "done", value: counts.done, tone: "good" },
      { name: "failed", label: "failed", value: counts.failed, tone: "bad" },
      { name: "skipped", label: "skipped", value: counts.skipped, tone: "plain" },
      { name: "pending", label: "pending (not sent)", value: counts.pending, tone: "held" },
      { name: "sent", label: "sent, outcome unknown", value: counts.sent, tone: "held" }
    ],
    guards: [],
    items: entries.map((e) => ({
      key: e.key,
      side: "pipedrive",
      kind: e.kind,
      ...(e.pipedriveId === null ? {} : { pipedriveId: e.pipedriveId }),
      reason: isRecord(e.payload) && typeof e.payload.reason === "string" ? e.payload.reason : e.opId,
      tokens: isRecord(e.payload) && typeof e.payload.tokens === "number" ? e.payload.tokens : 0,
      outcome: e.state,
      ...(e.error === null ? {} : { error: e.error }),
      attempts: e.attempts,
      changes: payloadChanges(e.payload)
    })),
    conflicts: [],
    sections: [],
    ...(counts.failed > 0 || unfinished > 0
      ? { warning: `${counts.failed} operations failed and ${unfinished} are unfinished: the next run retries them (unknown outcomes are looked up first).` }
      : {})
  }
}
