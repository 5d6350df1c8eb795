/** Every report format, for a plan or a run: the one entry point the commands use. */
import { Effect } from "effect"
import type * as Plan from "../domain/Plan.js"
import * as Csv from "./Csv.js"
import * as Html from "./Html.js"
import * as Json from "./Json.js"
import * as Markdown from "./Markdown.js"
import * as Model from "./Model.js"
import * as Paint from "./Paint.js"
import * as PlanJson from "./PlanJson.js"
import * as Text from "./Text.js"

export const formats = ["table", "markdown", "json", "csv", "html"] as const
export type Format = (typeof formats)[number]

/** The usual file extension of a format (`--out` does not require it). */
export const extension: Record<Format, string> = { table: "txt", markdown: "md", json: "json", csv: "csv", html: "html" }

const fromModel = (format: Exclude<Format, "json">, report: Model.Report, paint: Paint.Paint): string =>
  format === "table" ? Text.render(report, paint) : format === "markdown" ? Markdown.render(report) : format === "csv" ? Csv.render(report) : Html.render(report)

/**
 * A plan in `format`; `paint` colours the table only. The JSON lists every link and agreement: a
 * plan made from the state reads its staged ones from `rows` (`PlanJson`).
 */
export const plan = <E = never>(format: Format, p: Plan.Plan, extra: Model.PlanExtra = {}, paint: Paint.Paint = Paint.plain, rows: PlanJson.StagedRows<E> = PlanJson.noRows) =>
  format === "json" ? Json.plan(p, extra, rows) : Effect.succeed(planText(format, p, extra, paint))

/** A plan in a format for people (every one but JSON): plain text, nothing to fail. */
export const planText = (format: Exclude<Format, "json">, p: Plan.Plan, extra: Model.PlanExtra = {}, paint: Paint.Paint = Paint.plain): string =>
  fromModel(format, Model.fromPlan(p, extra), paint)

/** A run in `format`, from the state file's run and journal. */
export const run = (format: Format, data: Model.RunData, paint: Paint.Paint = Paint.plain): string =>
  format === "json" ? Json.run(data) : fromModel(format, Model.fromRun(data), paint)
