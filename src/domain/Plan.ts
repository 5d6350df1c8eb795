/**
 * The plan: what a sync would write where, as data. A plan is the same for a dry run and a real
 * run; it can be saved as JSON and applied later (`inputs.hash` lets `apply` refuse a plan whose
 * inputs changed). Every operation carries its product key, target side, field-level before → after,
 * the rule that fired and its token cost; conflicts, ambiguities and guard verdicts sit beside them.
 */
import { Schema } from "effect"
import { CustomValue } from "./CatalogProduct.js"
import { Side } from "./Side.js"

export const version = 1

/** Why a field is written: which row of the three-way table (DESIGN §6.1) or which policy fired. */
export const Rule = Schema.Literal(
  "erp-changed", // e changed, p did not
  "pipedrive-changed", // p changed, e did not
  "first-run-owner", // no base yet and the sides differ: the field's owner decides
  "conflict-erp-wins",
  "conflict-pipedrive-wins",
  "one-way", // both changed on a one-directional field: the source side wins
  "erp-owned", // an erp→pipedrive field changed in Pipedrive only: set back to the ERP's value
  "pipedrive-owned", // a pipedrive→erp field changed in the ERP only: set back to Pipedrive's value
  "create", // the product exists on one side only
  "key-changed", // the key changed in Pipedrive; followed through the link, the ERP owns keys
  "delete-policy"
)
export type Rule = typeof Rule.Type

export const FieldChange = Schema.Struct({
  path: Schema.String,
  /** The target side's current value (`null` empty; absent for a create). */
  before: Schema.optional(CustomValue),
  after: CustomValue,
  rule: Rule
})
export type FieldChange = typeof FieldChange.Type

export const OperationKind = Schema.Literal("create", "update", "archive", "delete", "unlink")
export type OperationKind = typeof OperationKind.Type

export const Operation = Schema.Struct({
  /** Stable within a plan: `side:kind:key`. */
  id: Schema.String,
  key: Schema.String,
  side: Side,
  kind: OperationKind,
  pipedriveId: Schema.optional(Schema.Int),
  changes: Schema.Array(FieldChange),
  /** One line for people: what happens and why. */
  reason: Schema.String,
  /** API tokens this operation costs (0 for ERP-bound and state-only operations). */
  tokens: Schema.Int,
  /** The exact API v2 body for Pipedrive-bound creates and updates. */
  body: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.Unknown }))
})
export type Operation = typeof Operation.Type

/** A field both sides now agree on without a write (both changed alike, or matched on a first run). */
export const Agreement = Schema.Struct({ key: Schema.String, path: Schema.String, value: CustomValue })
export type Agreement = typeof Agreement.Type

export const Conflict = Schema.Struct({
  key: Schema.String,
  path: Schema.String,
  erp: CustomValue,
  pipedrive: CustomValue,
  base: Schema.NullOr(CustomValue),
  /** Held for review (policy `manual`). */
  resolution: Schema.Literal("held")
})
export type Conflict = typeof Conflict.Type

export const Ambiguity = Schema.Struct({
  key: Schema.String,
  pipedriveIds: Schema.Array(Schema.Int),
  message: Schema.String
})
export type Ambiguity = typeof Ambiguity.Type

/** Something the plan does not do, and why (a mode that forbids creates, a one-way field edited on the wrong side). */
export const Note = Schema.Struct({ key: Schema.String, path: Schema.optional(Schema.String), message: Schema.String })
export type Note = typeof Note.Type

export const GuardName = Schema.Literal("maxChangedShare", "maxDeletedShare", "maxRowDrop", "maxRejectedShare", "emptyFile")
export type GuardName = typeof GuardName.Type
/** Every guard, in the order a plan lists them. */
export const guardNames: ReadonlyArray<GuardName> = GuardName.literals
export const Guard = Schema.Struct({
  name: GuardName,
  passed: Schema.Boolean,
  limit: Schema.Number,
  actual: Schema.Number,
  message: Schema.String
})
export type Guard = typeof Guard.Type

export const Link = Schema.Struct({ key: Schema.String, pipedriveId: Schema.Int })
export type Link = typeof Link.Type

export const Totals = Schema.Struct({
  products: Schema.Int,
  pipedriveCreates: Schema.Int,
  pipedriveUpdates: Schema.Int,
  pipedriveArchives: Schema.Int,
  pipedriveDeletes: Schema.Int,
  unlinks: Schema.Int,
  erpCreates: Schema.Int,
  erpUpdates: Schema.Int,
  fieldChanges: Schema.Int,
  conflicts: Schema.Int,
  ambiguities: Schema.Int,
  pendingWriteBacks: Schema.Int,
  fieldsToCreate: Schema.Int,
  /** Tokens the writes cost (creates 5, updates 5, deletes 3, custom fields 5). */
  tokens: Schema.Int
})
export type Totals = typeof Totals.Type

/**
 * A value bound for the ERP write-back that the file's encoding cannot hold
 * (`erp.writeBack.unencodable`). `refused`: left out of the write-back — the rest of the row is
 * written — and planned again on every run until it can be written: it needs a person (change the
 * value, or choose `replace`). `replaced`: written with `written`, `?` in place of `characters`.
 */
export const WriteBackProblem = Schema.Struct({
  key: Schema.String,
  path: Schema.String,
  column: Schema.String,
  /** The value as it would be written, before any replacement. */
  value: Schema.String,
  characters: Schema.Array(Schema.String),
  encoding: Schema.String,
  resolution: Schema.Literal("refused", "replaced"),
  written: Schema.optional(Schema.String),
  message: Schema.String
})
export type WriteBackProblem = typeof WriteBackProblem.Type

/**
 * Where a plan made from the state keeps its links and the agreements of products that exist on
 * both sides: in the state's staging tables, not in memory (a first sync of a million products
 * agrees millions of fields). Such a plan's `links` is empty and its `agreements` holds only those
 * of products still to be created (they wait for the create); executing the plan applies the staged
 * rows in the state, and a saved or printed plan lists them in their places. Never written out.
 */
export const Staged = Schema.Struct({
  /** The staged plan's id in the state (a newer plan replaces it). */
  id: Schema.Int,
  links: Schema.Int,
  agreements: Schema.Int,
  /**
   * How the whole list of agreements is ordered: by key (a key's in the planner's order), or by key
   * and path (when `WriteBackCheck` added some).
   */
  order: Schema.Literal("key", "key-path")
})
export type Staged = typeof Staged.Type

export class Plan extends Schema.Class<Plan>("Plan")({
  version: Schema.Literal(version),
  createdAt: Schema.String,
  inputs: Schema.Struct({ hash: Schema.String, erpRows: Schema.Int, pipedriveProducts: Schema.Int }),
  operations: Schema.Array(Operation),
  agreements: Schema.Array(Agreement),
  links: Schema.Array(Link),
  conflicts: Schema.Array(Conflict),
  ambiguities: Schema.Array(Ambiguity),
  notes: Schema.Array(Note),
  fieldsToCreate: Schema.Array(Schema.Struct({ label: Schema.String, type: Schema.String, options: Schema.Array(Schema.String) })),
  guards: Schema.Array(Guard),
  totals: Totals,
  /** Write-back values the ERP file cannot hold (see `WriteBackProblem`); `refused` ones need attention. */
  writeBackProblems: Schema.optionalWith(Schema.Array(WriteBackProblem), { default: () => [] }),
  /** Links and agreements kept in the state rather than here (see `Staged`); absent in a saved plan. */
  staged: Schema.optional(Staged)
}) {}

export const PlanJson = Schema.parseJson(Plan)
export const encodeJson = Schema.encode(PlanJson)
export const decodeJson = Schema.decodeUnknown(PlanJson)

/** The links the plan makes, staged ones included. */
export const linkCount = (plan: Plan): number => plan.links.length + (plan.staged?.links ?? 0)

/** The fields the plan agrees on without a write, staged ones included. */
export const agreementCount = (plan: Plan): number => plan.agreements.length + (plan.staged?.agreements ?? 0)

/** True when the plan writes nothing anywhere. */
export const isEmpty = (plan: Plan): boolean => plan.operations.length === 0 && plan.fieldsToCreate.length === 0

/**
 * True when the plan holds something only a person can settle: conflicts held for review,
 * ambiguous keys (several Pipedrive products for one key), write-back values the ERP file cannot
 * hold (refused). `plan --detailed-exitcode` exits 5 for it.
 */
export const needsAttention = (plan: Plan): boolean =>
  plan.conflicts.length > 0 || plan.ambiguities.length > 0 || plan.writeBackProblems.some((p) => p.resolution === "refused")

/** True when every guard passed. */
export const guardsPassed = (plan: Plan): boolean => plan.guards.every((g) => g.passed)
