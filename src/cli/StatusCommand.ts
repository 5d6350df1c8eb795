/**
 * `catalog-sync status`: what the state file says now — the last run, journal entries a run left
 * unfinished, ERP write-backs the ERP has not imported yet, pinned custom fields, API tokens spent
 * today. Reads the state only; talks to neither side.
 */
import { Command } from "@effect/cli"
import { Console, Effect, Option, Stream } from "effect"
import * as Model from "../report/Model.js"
import { Store } from "../store/Store.js"
import type * as Run from "../store/Run.js"
import * as Live from "./Live.js"
import * as Output from "./Output.js"
import { configOption, loadConfig } from "./Root.js"

/** The most unfinished entries and pending write-backs listed (the counts are always whole). */
const LIST = 20

export const describeRun = (r: Run.Run): string =>
  `#${r.id} ${r.kind} ${r.status}, started ${r.startedAt}${r.finishedAt === null ? "" : `, finished ${r.finishedAt}`}${r.erpRows === null ? "" : `, ${r.erpRows} ERP rows`}`

const gather = Effect.gen(function*() {
  const store = yield* Store
  const lastRun = yield* store.lastRun()
  // A plan is recorded as a run too; what wrote last is what a user looks for.
  const lastSync = Option.getOrNull(lastRun)?.kind === "plan" ? yield* store.lastRun({ kind: "sync" }) : lastRun
  const unfinished = yield* store.journalUnfinished().pipe(Stream.runCollect)
  return {
    lastRun: Option.getOrNull(lastRun),
    lastSync: Option.getOrNull(lastSync),
    unfinished: [...unfinished],
    pendingWritebacks: yield* store.pendingWritebacks,
    pinnedFields: yield* store.pinnedFields,
    tokensToday: yield* store.tokensToday
  }
})

export const command = Command.make("status", { config: configOption, json: Output.jsonOption }, (args) =>
  Effect.gen(function*() {
    const config = yield* loadConfig(args.config)
    const exists = yield* Output.stateExists(config.state)
    const status = exists ? yield* Effect.provide(gather, Live.store(config)) : undefined
    const dailyBudget = config.pipedrive.dailyBudget ?? null
    if (args.json) {
      return yield* Console.log(JSON.stringify({ state: config.state, exists, dailyBudget, ...(status ?? { lastRun: null, lastSync: null, unfinished: [], pendingWritebacks: [], pinnedFields: [], tokensToday: 0 }) }, null, 2))
    }
    if (status === undefined) return yield* Console.log(`State    ${config.state}\n\nNo state file yet: nothing has run with this configuration.`)
    const paint = Output.stdoutPaint()
    const sent = status.unfinished.filter((e) => e.state === "sent").length
    const lines = [
      `State        ${config.state}`,
      `Last run     ${status.lastRun === null ? "none yet" : describeRun(status.lastRun)}`,
      ...(status.lastRun?.kind === "plan" ? [`Last sync    ${status.lastSync === null ? "none yet" : describeRun(status.lastSync)}`] : []),
      `Journal      ${status.unfinished.length === 0 ? "nothing unfinished" : paint.tone("held", `${status.unfinished.length} unfinished operations (${status.unfinished.length - sent} not sent, ${sent} sent with an unknown outcome): the next sync finishes them`)}`,
      `Write-backs  ${status.pendingWritebacks.length === 0 ? "none pending" : `${status.pendingWritebacks.length} values written back to the ERP and not seen in an ERP export yet`}`,
      `Pinned       ${status.pinnedFields.length} custom fields`,
      `Tokens       ${status.tokensToday} spent today (UTC)${dailyBudget === null ? "" : ` of a daily budget of ${dailyBudget}`}`
    ]
    if (status.unfinished.length > 0) {
      lines.push("", paint.bold("Unfinished operations:"))
      for (const e of status.unfinished.slice(0, LIST)) lines.push(`  ${e.state.padEnd(7)} run #${e.runId}  ${e.kind} ${e.key}${e.pipedriveId === null ? "" : ` (#${e.pipedriveId})`}${e.error === null ? "" : `: ${e.error}`}`)
      if (status.unfinished.length > LIST) lines.push(`  … and ${status.unfinished.length - LIST} more (see --json)`)
    }
    if (status.pendingWritebacks.length > 0) {
      lines.push("", paint.bold("Pending write-backs (the ERP has not imported these yet):"))
      for (const w of status.pendingWritebacks.slice(0, LIST)) lines.push(`  ${w.key}  ${w.field} = ${Model.showJson(w.value)}${w.sinceRun === null ? "" : `  (since run #${w.sinceRun})`}`)
      if (status.pendingWritebacks.length > LIST) lines.push(`  … and ${status.pendingWritebacks.length - LIST} more (see --json)`)
    }
    if (status.pinnedFields.length > 0) {
      lines.push("", paint.bold("Pinned custom fields:"))
      lines.push(Output.table(["label", "key", "type", "pinned at"], status.pinnedFields.map((f) => [f.label, f.fieldCode, f.fieldType, f.pinnedAt])).replace(/^/gm, "  "))
    }
    yield* Console.log(lines.join("\n"))
  })
).pipe(
  Command.withDescription(
    "Show the state: the last run, operations a run left unfinished, write-backs the ERP has not imported yet, pinned custom fields and the API tokens spent today. Reads the state file only.\n\n" +
      "Examples:\n  catalog-sync status\n  catalog-sync status --json\n  catalog-sync status --config ./nightly.config.ts"
  )
)
