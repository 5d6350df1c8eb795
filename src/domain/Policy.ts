/**
 * The sync policies, as the planner and the mapping apply them: what each direction may do (the
 * sync mode), who wins a conflict, what happens to a product gone from one side, and the guards a
 * plan is judged against. The configuration (`policies` in `sync.config.ts`) chooses among them.
 */
import { Schema } from "effect"

/**
 * Per direction: `mirror` creates, updates and applies the delete policy; `additive` creates and
 * updates; `update-only` only updates; `off` sends nothing that way.
 */
export const SyncMode = Schema.Literal("mirror", "additive", "update-only", "off")
export type SyncMode = typeof SyncMode.Type

/** The sync mode of each direction. */
export const Modes = Schema.Struct({ toPipedrive: SyncMode, toErp: SyncMode })
export type Modes = typeof Modes.Type

/** Both sides changed a field to different values: the ERP's value wins, Pipedrive's, or neither (held for review). */
export const ConflictPolicy = Schema.Literal("erp-wins", "pipedrive-wins", "manual")
export type ConflictPolicy = typeof ConflictPolicy.Type

/** A linked product gone from one side: leave the other alone, forget the link, archive it, or delete it. */
export const DeletePolicy = Schema.Literal("ignore", "unlink", "archive", "delete")
export type DeletePolicy = typeof DeletePolicy.Type

const share = Schema.Number.pipe(Schema.between(0, 1)).annotations({ description: "a share between 0 and 1 (0.25 = 25 %)" })

/**
 * The guards measure the risk to what exists (a first load into an empty account trips none). A
 * share guard trips only when its share is above the limit and its count reaches `minCount` too.
 * Decoding `{}` gives the defaults.
 */
export const Guards = Schema.Struct({
  /** Refuse when more than this share of the products on both sides would get a Pipedrive update overwriting a value. */
  maxChangedShare: Schema.optionalWith(share, { default: () => 0.5 }),
  /** Refuse when more than this share of the linked products would be deleted, archived or unlinked. */
  maxDeletedShare: Schema.optionalWith(share, { default: () => 0.05 }),
  /** Refuse when the ERP file has this share fewer rows than the last run. */
  maxRowDrop: Schema.optionalWith(share, { default: () => 0.2 }),
  /** Refuse when more than this share of the ERP rows is rejected (all of them: always). */
  maxRejectedShare: Schema.optionalWith(share, { default: () => 0.1 }),
  /** The floor of the share guards: each trips only when at least this many products (rows) are concerned. */
  minCount: Schema.optionalWith(Schema.Int.pipe(Schema.nonNegative()), { default: () => 5 })
})
export type Guards = typeof Guards.Type
