/**
 * `catalog-sync fields`: the product fields of the configured Pipedrive account (or the bundled
 * emulator) — label, key, type, options — with the custom fields the state has pinned, and any
 * whose pinned key no longer matches. `--unpin LABEL` forgets a pinned key, so the next run looks
 * the label up afresh (what the mapping's drift messages ask for).
 */
import { Command, Options } from "@effect/cli"
import { Console, Data, Effect, Option } from "effect"
import type { ResolvedConfig } from "../config/SyncConfig.js"
import { Pipedrive } from "../pipedrive/Pipedrive.js"
import { Store, type PinnedField } from "../store/Store.js"
import * as Output from "./Output.js"
import { configOption, loadConfig } from "./Root.js"
import * as Live from "./Live.js"

export class FieldsError extends Data.TaggedError("FieldsError")<{ readonly message: string }> {}

const unpin = Options.text("unpin").pipe(
  Options.optional,
  Options.withDescription("forget the pinned key of this custom field (by its label); the next run looks the label up afresh")
)
const customOnly = Options.boolean("custom").pipe(Options.withDescription("list custom fields only"))

const pinnedOf = (config: ResolvedConfig) =>
  Effect.flatMap(Output.stateExists(config.state), (exists) =>
    exists ? Effect.provide(Effect.flatMap(Store, (s) => s.pinnedFields), Live.store(config)) : Effect.succeed<ReadonlyArray<PinnedField>>([]))

const unpinField = (config: ResolvedConfig, label: string) =>
  Effect.gen(function*() {
    const pinned = yield* pinnedOf(config)
    const field = pinned.find((p) => p.label === label)
    if (field === undefined) {
      const known = pinned.map((p) => JSON.stringify(p.label)).join(", ")
      return yield* new FieldsError({ message: `"${label}" is not pinned in ${config.state}${known === "" ? " (no field is pinned)" : `; pinned: ${known}`}` })
    }
    yield* Effect.provide(Effect.flatMap(Store, (s) => s.unpinField(label)), Live.store(config))
    yield* Console.log(`Unpinned "${label}" (was key ${field.fieldCode}, ${field.fieldType}). The next run looks the label up in Pipedrive afresh and pins what it finds.`)
  })

export const command = Command.make("fields", { config: configOption, json: Output.jsonOption, unpin, customOnly }, (args) =>
  Effect.gen(function*() {
    const config = yield* loadConfig(args.config)
    if (Option.isSome(args.unpin)) return yield* unpinField(config, args.unpin.value)
    const all = yield* Effect.provide(Effect.flatMap(Pipedrive, (p) => p.productFields()), Live.pipedrive(config))
    const pinned = new Map((yield* pinnedOf(config)).map((p) => [p.label, p]))
    const fields = all
      .filter((f) => !args.customOnly || f.is_custom_field)
      .map((f) => {
        const pin = pinned.get(f.field_name)
        return {
          label: f.field_name,
          key: f.field_code,
          type: f.field_type,
          custom: f.is_custom_field,
          options: (f.options ?? []).map((o) => o.label),
          pinned: pin === undefined ? null : pin.fieldCode === f.field_code ? "yes" : `another key (${pin.fieldCode})`
        }
      })
    const gone = [...pinned.values()].filter((p) => !all.some((f) => f.field_code === p.fieldCode))
    if (args.json) return yield* Console.log(JSON.stringify({ fields, pinnedButGone: gone }, null, 2))
    const paint = Output.stdoutPaint()
    const rows = fields.map((f) => [f.label, f.key, f.type, f.custom ? "custom" : "built-in", f.pinned ?? "", f.options.join(", ")])
    const lines = [Output.table(["label", "key", "type", "kind", "pinned", "options"], rows, paint), "", `${fields.length} product fields (${fields.filter((f) => f.custom).length} custom), ${pinned.size} pinned in the state.`]
    for (const p of gone) {
      lines.push(paint.tone("bad", `"${p.label}" is pinned to key ${p.fieldCode}, which the account no longer has: restore the field, or run catalog-sync fields --unpin ${JSON.stringify(p.label)}`))
    }
    yield* Console.log(lines.join("\n"))
  })
).pipe(
  Command.withDescription(
    "List the Pipedrive account's product fields (label, key, type, options) and which custom fields the state has pinned; or unpin one. With no PIPEDRIVE_API_TOKEN, lists the bundled emulator's fields.\n\n" +
      "Examples:\n  catalog-sync fields\n  catalog-sync fields --custom --json\n  catalog-sync fields --unpin \"Brand\""
  )
)
