/**
 * The JSON reports, versioned and documented in docs/report-schema.md: a plan report (the plan as
 * saved by `plan --save`, plus the ERP rows kept aside) and a run report (the run and its journal,
 * from the state file alone). Values in field changes are the plan's JSON values (text, booleans,
 * `null`, `{"_tag":"Decimal","value":"19.9"}` …). A consumer checks `schema` and `version`.
 */
import { Effect, Schema, Stream } from "effect"
import * as Plan from "../domain/Plan.js"
import * as Model from "./Model.js"
import * as PlanJson from "./PlanJson.js"

export const version = 1

export const RejectedRow = Schema.Struct({ line: Schema.Int, key: Schema.NullOr(Schema.String), reasons: Schema.Array(Schema.String) })

export const PlanReport = Schema.Struct({
  schema: Schema.Literal("catalog-sync/plan-report"),
  version: Schema.Literal(version),
  plan: Plan.Plan,
  rejects: Schema.Array(RejectedRow),
  rejectsFile: Schema.NullOr(Schema.String),
  /** What of the ERP file was skipped as not products, for people; absent in reports of older versions. */
  skipped: Schema.optionalWith(Schema.Array(Schema.String), { default: () => [] })
})
export type PlanReport = typeof PlanReport.Type

const JournalState = Schema.Literal("pending", "sent", "done", "failed", "skipped")

export const RunReport = Schema.Struct({
  schema: Schema.Literal("catalog-sync/run-report"),
  version: Schema.Literal(version),
  run: Schema.Struct({
    id: Schema.Int,
    kind: Schema.Literal("plan", "sync", "apply"),
    status: Schema.Literal("running", "succeeded", "failed", "stopped", "partial"),
    startedAt: Schema.String,
    finishedAt: Schema.NullOr(Schema.String),
    erpRows: Schema.NullOr(Schema.Int),
    planHash: Schema.NullOr(Schema.String),
    summary: Schema.Unknown
  }),
  counts: Schema.Record({ key: JournalState, value: Schema.Int }),
  tokens: Schema.NullOr(Schema.Int),
  operations: Schema.Array(
    Schema.Struct({
      id: Schema.Int,
      opId: Schema.String,
      key: Schema.String,
      kind: Schema.Literal("create", "update", "delete", "archive", "unlink"),
      state: JournalState,
      pipedriveId: Schema.NullOr(Schema.Int),
      error: Schema.NullOr(Schema.String),
      attempts: Schema.Int,
      updatedAt: Schema.String,
      payload: Schema.Unknown
    })
  )
})
export type RunReport = typeof RunReport.Type

const encodePlanReport = Schema.encode(Schema.parseJson(PlanReport, { space: 2 }))
export const decodePlanReport = Schema.decodeUnknown(Schema.parseJson(PlanReport))
export const decodeRunReport = Schema.decodeUnknown(Schema.parseJson(RunReport))

const toRejected = (r: Model.Reject | string) => (typeof r === "string" ? { line: 0, key: null, reasons: [r] } : { line: r.line, key: r.key, reasons: [...r.reasons] })

const encodeReport = Schema.encode(PlanReport)

/** The plan report; a plan whose links and agreements are staged (`Plan.Staged`) lists `rows` in their places. */
export const plan = <E = never>(p: Plan.Plan, extra: Model.PlanExtra = {}, rows: PlanJson.StagedRows<E> = PlanJson.noRows) => {
  const report: PlanReport = { schema: "catalog-sync/plan-report", version, plan: p, rejects: (extra.rejects ?? []).map(toRejected), rejectsFile: extra.rejectsFile ?? null, skipped: extra.skipped ?? [] }
  return p.staged === undefined
    ? encodePlanReport(report)
    : Effect.flatMap(encodeReport(report), (encoded) => Stream.mkString(PlanJson.write(encoded, (r) => r.plan as Readonly<Record<string, unknown>>, p.staged, rows, 2)))
}

export const run = (data: Model.RunData): string =>
  JSON.stringify(
    {
      schema: "catalog-sync/run-report",
      version,
      run: { ...data.run, summary: data.run.summary ?? null },
      counts: Model.stateCounts(data.entries),
      tokens: data.tokens ?? null,
      operations: data.entries
    },
    null,
    2
  )
