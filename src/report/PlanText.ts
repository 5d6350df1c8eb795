/**
 * A plan as terminal text: the summary counts and token cost, the guard verdicts, then each
 * product's operations with their field-level before → after, conflicts held and ambiguities
 * (the layout is `Text.render`'s; colour when given `Paint.ansi`).
 */
import type * as Plan from "../domain/Plan.js"
import * as Model from "./Model.js"
import * as Paint from "./Paint.js"
import * as Text from "./Text.js"

export type Extra = Model.PlanExtra

export const render = (plan: Plan.Plan, extra: Extra = {}, paint: Paint.Paint = Paint.plain): string => Text.render(Model.fromPlan(plan, extra), paint)
